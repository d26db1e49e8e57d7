"""``sbcheck report``: run the claims, draw their figures, write the LaTeX and build the PDF.

Everything is built in a temporary directory beside the output and moved into place only at the
end (figures, then ``.tex``, then the PDF by :func:`os.replace`), so an interrupted or failed run
leaves the previous output untouched and no partial file.  With ``latexmk``/``pdflatex`` on PATH
the PDF is compiled from the LaTeX (no shell escape); otherwise, or with ``force_embedded``, the
same content is typeset by matplotlib (:mod:`reports.embedded`) and the ``.tex`` is still written.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from numerics.verify.runner import run_claims
from reports.embedded import write_embedded
from reports.figures import file_stem, render
from reports.latex import LatexBuildError, compile_pdf, find_engine, render_tex
from reports.model import build_doc, claim_view

__all__ = ["make_report", "LatexBuildError"]


def _log(msg: str) -> None:
    sys.stderr.write(msg.rstrip("\n") + "\n")
    sys.stderr.flush()


def _check_output(output: str | os.PathLike) -> tuple[Path, Path, Path]:
    out = Path(output).expanduser().absolute()
    if out.suffix.lower() != ".pdf":
        raise ValueError(f"`output` must be a path ending in .pdf; got {str(output)!r}")
    if out.is_dir():
        raise ValueError(f"`output` {str(output)!r} is a directory; give a .pdf file path")
    _check_directory(out.parent, output)
    figdir = out.parent / (re.sub(r"[^A-Za-z0-9_-]", "-", out.stem) + "-figures")
    if figdir.exists() and (not figdir.is_dir() or any(
            p.is_dir() or p.suffix not in (".png", ".pdf") for p in figdir.iterdir())):
        raise ValueError(f"{str(figdir)!r} exists and holds other files than figures; "
                         f"move it or choose another `output`")
    return out, out.with_suffix(".tex"), figdir


def _check_directory(parent: Path, output) -> None:
    """ValueError (one line naming ``output``) unless ``parent`` is, or can be made, a writable directory.

    Checked before any claim runs: a missing parent is created, a file in the way, a read-only or
    virtual file system (``/proc``) is refused with the reason.
    """
    for p in (parent, *parent.parents):
        if p.exists():
            if not p.is_dir():
                raise ValueError(f"`output` {str(output)!r}: {str(p)!r} is a file, not a directory")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=parent, prefix=".sbcheck-write-test-"):
            pass
    except OSError as exc:
        raise ValueError(f"`output` {str(output)!r}: cannot write in {str(parent)!r} "
                         f"({exc.strerror or type(exc).__name__}); choose a writable directory") from None


def _run_claims(claims: Sequence[Any], cfg, figtmp: Path, figname: str, run_opts: dict) -> tuple[list, list]:
    """Run the claims (in parallel when ``run_opts["jobs"] > 1``), then draw figures and views in order."""
    results = run_claims(list(claims), cfg, **run_opts)
    views = []
    for r in results:
        figs = []
        for i, f in enumerate(r.evidence.figures):
            stem = file_stem(r.claim.id, getattr(f, "name", "figure"), i)
            fig = render(f, figtmp, stem)
            fig["relpath"] = f"{figname}/{stem}.pdf"
            figs.append(fig)
        t0 = time.perf_counter()
        view = claim_view(r, figs, 0.0)           # the derivation is cached by the run
        view["derive_time"] = time.perf_counter() - t0
        views.append(view)
    return results, views


def _install(tmp: Path, built_pdf: Path, built_tex: Path, built_figs: Path,
             out: Path, tex: Path, figdir: Path) -> None:
    """Move the built files into place; the PDF last, atomically."""
    if figdir.exists():
        os.replace(figdir, tmp / "previous-figures")  # removed with the temporary directory
    if built_figs.exists() and any(built_figs.iterdir()):
        os.replace(built_figs, figdir)
    os.replace(built_tex, tex)
    os.replace(built_pdf, out)


def make_report(claims: Sequence[Any], cfg, output: str | os.PathLike = "report.pdf", *,
                argv: Sequence[str] | None = None, quiet: bool = False,
                force_embedded: bool = False, jobs: int = 1, scheduler: str | None = None,
                modules: Sequence[str] = (), on_result=None) -> dict[str, Any]:
    """Run ``claims`` and write the verification report.

    Parameters
    ----------
    claims : sequence of numerics.verify.registry.Claim
    cfg : numerics.verify.registry.Config
        Profile, seed and execution options for every check.
    output : path
        The PDF to write (must end in ``.pdf``); ``<stem>.tex`` and ``<stem>-figures/`` (one PNG
        and one PDF per figure) are written beside it.
    argv : sequence of str, optional
        The command line, printed in the reproducibility section.
    quiet : bool
        No progress bar (e.g. with ``--json``).
    force_embedded : bool
        Use the embedded matplotlib PDF even if TeX is installed.

    Returns
    -------
    dict
        ``pdf``, ``tex``, ``figures`` (paths), ``engine`` (``"latexmk"``, ``"pdflatex"`` or
        ``"embedded"``), ``claims``, ``passed``, ``failed``, ``controls``, ``controls_rejected``,
        ``all_ok``, ``pages``, ``overfull`` (overfull-box warnings in the TeX log),
        ``wall_time`` (seconds) and ``results`` (each claim's JSON).

    Raises
    ------
    ValueError
        Bad ``output`` (not ``.pdf``, a directory, a file in the path, an unwritable directory):
        refused before any claim runs.
    LatexBuildError
        (a RuntimeError) The LaTeX build failed; the log lines are printed on stderr and no
        output file is written.
    """
    t_start = time.perf_counter()
    out, tex, figdir = _check_output(output)
    engine = None if force_embedded else find_engine()
    argv = list(argv) if argv is not None else ["sbcheck", "report", "-o", str(output)]
    run_opts = dict(jobs=jobs, scheduler=scheduler, modules=tuple(modules), on_result=on_result)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.stem}-build-") as tmpname:
        tmp = Path(tmpname)
        results, views, pages, overfull = _build(claims, cfg, tmp, figdir, tex, argv, engine,
                                                 force_embedded, run_opts)
        _install(tmp, tmp / "report.pdf", tmp / "report.tex", tmp / figdir.name, out, tex, figdir)
    return _summary(results, views, out, tex, figdir, engine, pages, overfull, cfg, t_start)


def _build(claims, cfg, tmp: Path, figdir: Path, tex: Path, argv, engine, force_embedded, run_opts):
    """Run the claims and build ``report.tex`` and ``report.pdf`` in ``tmp``."""
    results, views = _run_claims(list(claims), cfg, tmp / figdir.name, figdir.name, run_opts)
    doc = build_doc(views, {c.id: c.module for c in claims}, cfg, argv, engine or "embedded (matplotlib)")
    built_tex = tmp / "report.tex"
    built_tex.write_text(render_tex(doc), encoding="utf-8")
    overfull: list[str] = []
    if engine:
        try:
            built_pdf, pages, overfull = compile_pdf(built_tex, engine)
        except LatexBuildError as exc:
            _log(f"sbcheck report: {exc}\n{exc.excerpt}")
            raise
    else:
        built_pdf = tmp / "report.pdf"
        pages = write_embedded(doc, built_pdf)
        _log("sbcheck report: " + ("--no-latex given" if force_embedded else
             "no latexmk/pdflatex on PATH") + f"; wrote an embedded PDF (matplotlib), "
             f"the LaTeX source is in {tex.name}")
    if built_pdf != tmp / "report.pdf":
        os.replace(built_pdf, tmp / "report.pdf")
    return results, views, pages, overfull


def _summary(results, views, out, tex, figdir, engine, pages, overfull, cfg, t_start) -> dict[str, Any]:
    """The dict :func:`make_report` returns."""
    figures = [str(figdir / Path(p).name) for v in views for f in v["figures"]
               for p in (f["png"], f["pdf"]) if p is not None]
    n_ctrl = sum(len(r.controls) for r in results)
    n_rej = sum(ev.verdict == "FAIL" and ev.error is None for r in results for _, ev in r.controls)
    n_pass = sum(r.verdict == "PASS" for r in results)
    return {"pdf": str(out), "tex": str(tex), "figures": figures,
            "engine": engine or "embedded", "claims": len(results), "passed": n_pass,
            "failed": len(results) - n_pass, "controls": n_ctrl, "controls_rejected": n_rej,
            "all_ok": all(r.ok for r in results), "pages": pages, "overfull": len(overfull),
            "profile": cfg.profile, "seed": int(cfg.seed),
            "wall_time": round(time.perf_counter() - t_start, 3),
            "results": [r.to_json() for r in results]}
