"""The report's document model: plain dicts and strings built from claim results.

Both renderers (the LaTeX template and the embedded matplotlib PDF) read this one model, so they
show the same content.  Text fields are plain (renderers escape them); fields named ``*_math`` or
``latex`` hold LaTeX math.
"""
from __future__ import annotations

import datetime as _dt
import importlib
import math as _math
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["fmt", "data_blocks", "claim_view", "build_doc", "git_revision", "versions"]

MAX_ROWS = 25
MAX_COLS = 8
MAX_STR = 120


def fmt(x: Any, width: int = MAX_STR) -> str:
    """A number or value as short text: floats to 6 significant digits, long strings cut."""
    if isinstance(x, bool) or type(x).__name__ == "bool_":
        s = "true" if x else "false"
    elif isinstance(x, int) or type(x).__name__.startswith(("int", "uint")):
        s = str(int(x))
    elif isinstance(x, float) or type(x).__name__.startswith("float"):
        v = float(x)
        s = f"{v:.6g}" if _math.isfinite(v) else str(v)
    elif x is None:
        s = "-"
    else:
        s = str(x)
    return s if len(s) <= width else s[:width - 3] + "..."


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool)) or type(v).__module__ == "numpy" and getattr(v, "ndim", 0) == 0


def _table(name: str, header: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    note = ""
    if len(header) > MAX_COLS:
        note = f"first {MAX_COLS} of {len(header)} columns"
        header, rows = header[:MAX_COLS], [r[:MAX_COLS] for r in rows]
    if len(rows) > MAX_ROWS:
        note = (note + "; " if note else "") + f"first {MAX_ROWS} of {len(rows)} rows"
        rows = rows[:MAX_ROWS]
    return {"kind": "table", "name": name, "header": [str(h) for h in header],
            "rows": [[fmt(v, 40) for v in r] for r in rows], "note": note}


def data_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Evidence ``data`` as printable blocks: key/value rows and tables.

    A dict of equal-length lists, or a list of dicts, becomes a table; scalars and short lists
    become key/value rows; larger structures are summarised.
    """
    kv: list[list[str]] = []
    blocks: list[dict[str, Any]] = []
    for key, v in (data or {}).items():
        key = str(key)
        if _scalar(v):
            kv.append([key, fmt(v)])
        elif isinstance(v, dict) and v and all(isinstance(c, (list, tuple)) for c in v.values()) \
                and len({len(c) for c in v.values()}) == 1:
            cols = list(v)
            n = len(v[cols[0]])
            blocks.append(_table(key, cols, [[v[c][i] for c in cols] for i in range(n)]))
        elif isinstance(v, (list, tuple)) and v and all(isinstance(r, dict) for r in v):
            cols = list(dict.fromkeys(k for r in v for k in r))
            blocks.append(_table(key, cols, [[r.get(c) for c in cols] for r in v]))
        elif isinstance(v, dict) and all(_scalar(c) for c in v.values()):
            kv.extend([f"{key}.{k}", fmt(c)] for k, c in v.items())
        elif isinstance(v, (list, tuple)) and all(_scalar(c) for c in v):
            shown = ", ".join(fmt(c, 20) for c in v[:12])
            kv.append([key, f"[{shown}{', ...' if len(v) > 12 else ''}] ({len(v)} values)"])
        elif isinstance(v, (list, tuple)) and v and all(isinstance(r, (list, tuple)) for r in v):
            if len(v) <= MAX_ROWS and max(len(r) for r in v) <= MAX_COLS:
                blocks.append(_table(key, [str(j) for j in range(max(len(r) for r in v))],
                                     [list(r) for r in v]))
            else:
                kv.append([key, f"array {len(v)} x {max(len(r) for r in v)} (see the JSON output)"])
        else:
            kv.append([key, fmt(v)])
    if kv:
        blocks.insert(0, {"kind": "kv", "name": "", "header": ["quantity", "value"], "rows": kv,
                          "note": ""})
    return blocks


def _criteria(ev) -> list[dict[str, Any]]:
    return [{"name": c.name, "measured": fmt(c.measured, 60),
             "tolerance": c.tolerance.replace("<=", "≤").replace(">=", "≥"),
             "ok": "yes" if c.ok else "no"} for c in ev.criteria]


def _derivation(claim) -> dict[str, Any] | None:
    try:
        d = claim.derive()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # shown in the report, never hidden
        return {"title": "", "kind": "", "steps": [], "results": [], "checks": [],
                "error": f"{type(exc).__name__}: {exc}", "verified": False}
    if d is None:
        return None
    j = d.to_json()
    return {"title": j["title"], "kind": j["kind"],
            "steps": [{"text": s["text"], "latex": s["latex"]} for s in j["steps"]],
            "results": [{"name": k, "latex": r["latex"]} for k, r in j["results"].items()],
            "checks": [{"name": k, "ok": bool(v)} for k, v in j["checks"].items()],
            "error": None, "verified": bool(d.verified)}


def _control_status(ev) -> str:
    if ev.error is not None:
        return "ERROR"
    return "rejected" if ev.verdict == "FAIL" else "NOT rejected"


def claim_view(result, figures: list[dict[str, Any]], derive_time: float) -> dict[str, Any]:
    """Everything the report prints about one claim run (see the module docstring)."""
    c, ev = result.claim, result.evidence
    doc_lines = c.doc.split("\n", 1)
    deriv = _derivation(c)
    def ctl_view(ctl, cev):
        return {"description": ctl.description, "kind": ctl.kind, "label": ctl.label,
                "kwargs": ", ".join(f"{k}={v!r}" for k, v in ctl.kwargs.items()),
                "verdict": cev.verdict, "status": _control_status(cev), "error": cev.error,
                "criteria": _criteria(cev)}
    controls = [ctl_view(ctl, cev) for ctl, cev in result.controls]
    probes = [ctl_view(ctl, cev) for ctl, cev in getattr(result, "probes", [])]
    res = result.resolution()
    n_rej = sum(x["status"] == "rejected" for x in controls)
    return {
        "id": c.id, "paper": c.paper, "title": c.title, "source": c.source,
        "statement": c.statement,
        "description": " ".join(doc_lines[1].split())[:1500] if len(doc_lines) > 1 else "",
        "verdict": result.verdict, "error": ev.error,
        "traceback": ev.notes if ev.error else "",
        "notes": "" if ev.error else ev.notes, "kind": ev.kind,
        "sizes": ", ".join(f"{k} = {fmt(v, 40)}" for k, v in ev.sizes.items()),
        "seed": result.seed, "profile": result.profile,
        "wall_time": result.wall_time, "derive_time": derive_time,
        "criteria": _criteria(ev), "data": data_blocks(ev.data),
        "derivation": deriv, "controls": controls, "probes": probes,
        "status": "conjecture, checked numerically" if c.status == "conjecture" else "derived",
        "resolution": res["summary"],
        "control_summary": (f"{'yes' if n_rej == len(controls) else 'no'} ({n_rej}/{len(controls)})"
                            if controls else "no control"),
        "controls_ok": bool(controls) and n_rej == len(controls),
        "checks_summary": ("-" if deriv is None else "error" if deriv["error"] else
                           f"{sum(k['ok'] for k in deriv['checks'])}/{len(deriv['checks'])}"),
        "figures": figures,
    }


def git_revision() -> str:
    """``git rev-parse HEAD`` of the source tree (``+dirty`` if modified), or ``"unknown"``."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10)
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10)
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> list[list[str]]:
    """Versions of Python and the numerical libraries."""
    out = [["Python", platform.python_version()]]
    for name in ("sympy", "numpy", "scipy", "mpmath", "matplotlib"):
        try:
            out.append([name, importlib.import_module(name).__version__])
        except (ImportError, AttributeError):
            out.append([name, "not installed"])
    try:
        from importlib.metadata import version
        out.append(["sbcheck", version("sbcheck")])
    except Exception:
        out.append(["sbcheck", "unknown"])
    return out


def _paper_title(module: str, claims: list[dict[str, Any]]) -> str:
    """The first line of the claim module's docstring, else the claims' id prefixes."""
    mod = sys.modules.get(module)
    doc = (getattr(mod, "__doc__", None) or "").strip().split("\n")[0].strip()
    if doc:
        return doc.rstrip(".")
    return "Claims " + ", ".join(dict.fromkeys(f"{c['paper']}.*" for c in claims))


def build_doc(views: list[dict[str, Any]], modules: dict[str, str], cfg, argv: list[str],
              engine: str) -> dict[str, Any]:
    """The whole document: title data, summary, sections per paper, reproducibility.

    ``modules`` maps claim id to the module that defines it; claims are grouped by module (one
    module per paper), in the order they first appear.
    """
    papers: dict[str, list[dict[str, Any]]] = {}   # one section per claim module (= paper)
    for v in views:
        papers.setdefault(modules.get(v["id"], v["paper"]), []).append(v)
    n_ctrl = sum(len(v["controls"]) for v in views)
    n_rej = sum(x["status"] == "rejected" for v in views for x in v["controls"])
    n_pass = sum(v["verdict"] == "PASS" for v in views)
    all_ok = all(v["verdict"] == "PASS" and all(x["status"] == "rejected" for x in v["controls"])
                 for v in views)
    return {
        "title": "sbcheck verification report",
        "subtitle": "Claims about how two-layer (convolutional) ReLU networks learn",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "profile": cfg.profile, "seed": int(cfg.seed), "engine": engine,
        "command": " ".join(argv), "git": git_revision(), "versions": versions(),
        "n_claims": len(views), "n_pass": n_pass, "n_fail": len(views) - n_pass,
        "n_controls": n_ctrl, "n_rejected": n_rej, "all_ok": all_ok,
        "wall_time": sum(v["wall_time"] + v["derive_time"] for v in views),
        "claims": views,
        "papers": [{"key": k, "title": _paper_title(k, vs), "claims": vs}
                   for k, vs in papers.items()],
    }
