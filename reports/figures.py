"""Render :class:`numerics.verify.registry.Figure` data with matplotlib (Agg): one PNG and one PDF each.

Styles of a :class:`~numerics.verify.registry.Series`: ``"line"`` (solid, measured), ``"points"``
(markers), ``"dashed"`` (a prediction: dashed, no markers, drawn on top), ``"bar"``.
Heatmaps get a colorbar.  Text that is not valid mathtext is shown literally.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.mathtext import MathTextParser  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

__all__ = ["safe_text", "draw", "render", "file_stem"]

_PARSER = MathTextParser("path")
_ALIASES = [(r"\ge", r"\geq"), (r"\le", r"\leq"), (r"\ne", r"\neq"), (r"\to", r"\rightarrow"),
            (r"\dfrac", r"\frac"), (r"\tfrac", r"\frac"), (r"\lvert", "|"), (r"\rvert", "|"),
            (r"\lVert", r"\Vert"), (r"\rVert", r"\Vert"), (r"\operatorname", r"\mathrm")]


def mathtext_alias(tex: str) -> str:
    """LaTeX math with common amsmath spellings replaced by ones mathtext knows."""
    for a, b in _ALIASES:
        tex = re.sub(re.escape(a) + r"(?![A-Za-z])", lambda _m, b=b: b, tex)
    return tex


def safe_text(s: Any) -> str:
    """``s`` as matplotlib text: kept if its ``$...$`` parts parse as mathtext, else literal."""
    s = "" if s is None else str(s)
    if s.count("$") - s.count(r"\$") < 2:
        return s.replace("$", r"\$") if "$" in s and r"\$" not in s else s
    try:
        _PARSER.parse(mathtext_alias(s), 72)
        return mathtext_alias(s)
    except Exception:
        return s.replace(r"\$", "$").replace("$", r"\$")


def file_stem(claim_id: str, name: str, index: int) -> str:
    """A file name stem safe for LaTeX's \\includegraphics: ``[a-z0-9-]`` only."""
    raw = f"{claim_id}-{index}-{name}".lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")[:80]


def draw(ax, f, fig: MplFigure | None = None) -> None:
    """Draw figure data ``f`` (a Figure or its ``to_json()`` dict) on ``ax``."""
    d = f.to_json() if hasattr(f, "to_json") else dict(f)
    if d.get("kind", "line") == "heatmap":
        if d.get("z") is None:
            raise ValueError(f"heatmap {d.get('name')!r} has no `z` data")
        z = np.asarray(d["z"], dtype=float)
        if z.ndim != 2:
            raise ValueError(f"heatmap {d.get('name')!r}: `z` must be 2-D; got shape {z.shape}")
        im = ax.imshow(z, origin="lower", aspect="auto", extent=d.get("extent"), cmap="viridis",
                       interpolation="nearest")
        (fig or ax.figure).colorbar(im, ax=ax)
    else:
        cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, s in enumerate(d.get("series", [])):
            x, y = np.asarray(s["x"], dtype=float), np.asarray(s["y"], dtype=float)
            style, label = s.get("style", "line"), safe_text(s.get("label", "")) or None
            color = cycle[i % len(cycle)]
            if style == "dashed":
                ax.plot(x, y, "--", color=color, lw=1.8, label=label, zorder=3)
            elif style == "points":
                ax.plot(x, y, "o", color=color, ms=4, label=label, zorder=2)
            elif style == "bar":
                ax.bar(x, y, color=color, alpha=0.7, label=label, zorder=1)
            else:
                ax.plot(x, y, "-", color=color, lw=1.3, marker="." if len(x) <= 60 else None,
                        label=label, zorder=2)
        if any(s.get("label") for s in d.get("series", [])):
            ax.legend(fontsize=8, frameon=False)
        ax.set_xscale(d.get("xscale", "linear"))
        ax.set_yscale(d.get("yscale", "linear"))
        for axis, lim, scale in ((ax.xaxis, ax.get_xlim(), ax.get_xscale()),
                                 (ax.yaxis, ax.get_ylim(), ax.get_yscale())):
            if scale != "log" or min(lim) <= 0:
                continue
            if np.log10(max(lim)) - np.log10(min(lim)) > 1.5:
                axis.set_minor_formatter(NullFormatter())   # decades only: no crowded labels
            else:                                           # short range: label 2x and 5x only
                axis.set_minor_formatter(FuncFormatter(
                    lambda v, _: f"{v:g}" if round(v / 10 ** np.floor(np.log10(v))) in (2, 5) else ""))
        ax.grid(True, which="major", alpha=0.3)
    ax.set_title(safe_text(d.get("title", "")), fontsize=10)
    ax.set_xlabel(safe_text(d.get("xlabel", "")))
    ax.set_ylabel(safe_text(d.get("ylabel", "")))


def render(f, directory: Path, stem: str) -> dict[str, Any]:
    """Write ``stem.png`` (150 dpi) and ``stem.pdf`` into ``directory``.

    Returns ``{"stem", "png", "pdf", "title", "caption", "error"}``; a figure that cannot be
    drawn is reported with its error instead of stopping the report.
    """
    d = f.to_json() if hasattr(f, "to_json") else dict(f)
    out = {"stem": stem, "png": None, "pdf": None, "title": d.get("title", ""),
           "caption": d.get("caption", ""), "error": None, "data": d}
    fig = MplFigure(figsize=(6.0, 3.9))
    try:
        ax = fig.add_subplot(111)
        draw(ax, d, fig)
        fig.tight_layout()
        directory.mkdir(parents=True, exist_ok=True)
        png, pdf = directory / f"{stem}.png", directory / f"{stem}.pdf"
        fig.savefig(png, dpi=150)
        fig.savefig(pdf)
        out["png"], out["pdf"] = png, pdf
    except Exception as exc:  # shown in the report
        out["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    return out
