"""The embedded PDF: the report's content typeset by matplotlib (PdfPages + mathtext), no TeX.

Same content as the LaTeX report (title page, summary table, one page group per claim with
statement, derivation, evidence, controls and figures, reproducibility), laid out by a simple
top-to-bottom flow on A4 pages.  Formulas mathtext cannot parse are shown as their source.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from reports.figures import _PARSER, draw, mathtext_alias, safe_text  # noqa: E402
from reports.latex import math_problem  # noqa: E402

__all__ = ["write_embedded"]

W, H = 8.27, 11.69          # A4, inches
LEFT, RIGHT, TOP, BOTTOM = 0.75, 0.75, 0.8, 0.8
USABLE = W - LEFT - RIGHT
GREEN, RED, GREY = "#0a7318", "#bf0000", "#595959"


class _Flow:
    """A cursor moving down A4 pages; starts a new page when the next item does not fit."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf, self.footer, self.fig, self.pages = pdf, footer, None, 0
        self.y = 0.0

    def new_page(self) -> None:
        self.flush()
        self.fig = MplFigure(figsize=(W, H))
        self.pages += 1
        self.fig.text(W / 2 / W, 0.4 / H, f"{self.footer} - page {self.pages}", ha="center",
                      fontsize=7, color=GREY, parse_math=False)
        self.y = H - TOP

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def need(self, height: float) -> None:
        if self.fig is None or self.y - height < BOTTOM:
            self.new_page()

    def space(self, inches: float) -> None:
        self.y -= inches

    def text(self, s: str, size: float = 9.0, bold: bool = False, color: str = "black",
             indent: float = 0.0, mono: bool = False, maxlines: int = 400) -> None:
        width = int((USABLE - indent) * 72 / (size * (0.6 if mono else 0.52)))
        lines = []
        for para in str(s).splitlines() or [""]:
            lines.extend(textwrap.wrap(para, width, break_long_words=True) or [""])
        if len(lines) > maxlines:
            lines = lines[:maxlines] + ["..."]
        step = size * 1.3 / 72
        for ln in lines:
            self.need(step)
            self.fig.text((LEFT + indent) / W, self.y / H, ln, fontsize=size, va="top",
                          weight="bold" if bold else "normal", color=color,
                          family="monospace" if mono else "sans-serif", parse_math=False)
            self.y -= step

    def math(self, tex: str, size: float = 10.0, indent: float = 0.3) -> None:
        """A formula in mathtext, shrunk to fit the line; its source if mathtext cannot parse it."""
        problem = math_problem(tex)
        if problem:                               # same vetting as the LaTeX report
            self.text(f"{tex}  [{problem}; shown as source]", size=7.5, mono=True, indent=indent,
                      color=RED, maxlines=12)
            return
        s = "$" + mathtext_alias(" ".join(str(tex).split())).replace("\\frac", "\\dfrac") + "$"
        try:
            if len(s) > 600:                      # mathtext is slow and unreadable this long
                raise ValueError("too long")
            width, height, depth = _PARSER.parse(s, 72, FontProperties(size=size))[:3]
            if width / 72 > USABLE - indent:      # mathtext scales linearly with the font size
                scale = (USABLE - indent) / (width / 72) * 0.98
                size, height, depth = size * scale, height * scale, depth * scale
            if size < 6:
                raise ValueError("too wide")
        except Exception:
            self.text(str(tex), size=7.5, mono=True, indent=indent, color=GREY, maxlines=12)
            return
        step = max(size * 1.5, height + 5) / 72
        self.need(step)
        self.fig.text((LEFT + indent) / W, (self.y - (step * 72 - height) / 144 - (height - depth) / 72) / H,
                      s, fontsize=size, va="baseline")
        self.y -= step

    def table(self, header: list[str], rows: list[list[str]], fracs: list[float],
              size: float = 7.5, colors: dict[int, Any] | None = None) -> None:
        step = size * 1.3 / 72
        xs = [LEFT + USABLE * sum(fracs[:i]) for i in range(len(fracs))]
        widths = [max(4, int(USABLE * f * 72 / (size * 0.55)) - 1) for f in fracs]
        for r_i, row in enumerate([header, *rows]):
            cells = [textwrap.wrap(str(v), w, break_long_words=True) or [""]
                     for v, w in zip(row, widths)]
            n = max(len(c) for c in cells)
            self.need(n * step + 0.02)
            for j, (x, cell) in enumerate(zip(xs, cells)):
                color = "black"
                if r_i and colors and j in colors:
                    color = colors[j](row[j])
                for k, ln in enumerate(cell):
                    self.fig.text(x / W, (self.y - k * step) / H, ln, fontsize=size, va="top",
                                  weight="bold" if r_i == 0 else "normal", color=color,
                                  parse_math=False)
            self.y -= n * step + 0.03
            if r_i == 0:
                self.fig.add_artist(matplotlib.lines.Line2D(
                    [LEFT / W, (W - RIGHT) / W], [(self.y + 0.02) / H] * 2, lw=0.5, color="black"))

    def figure(self, d: dict[str, Any], caption: str) -> None:
        h = 3.3
        self.need(h + 0.5)
        ax = self.fig.add_axes([(LEFT + 0.9) / W, (self.y - h + 0.35) / H, (USABLE - 1.8) / W, (h - 0.75) / H])
        try:
            draw(ax, d, self.fig)
        except Exception as exc:
            ax.remove()
            self.text(f"figure could not be drawn: {exc}", color=RED)
            return
        self.y -= h
        shown = safe_text(caption)
        if "$" in caption and shown != caption.replace("$", r"\$") and len(caption) < 110:
            self.fig.text((LEFT + 0.9) / W, self.y / H, shown, fontsize=8, color=GREY, va="top")
            self.y -= 0.2                          # one line with mathtext formulas
        else:
            self.text(caption, size=8, color=GREY, indent=0.9)
        self.space(0.1)


def _ok_color(v: str) -> str:
    return GREEN if v in ("PASS", "yes", "rejected") or v.startswith("yes") else RED


def _criteria_table(flow: _Flow, rows: list[dict[str, Any]]) -> None:
    flow.table(["Criterion", "Measured", "Tolerance", "OK"],
               [[r["name"], r["measured"], r["tolerance"], r["ok"]] for r in rows],
               [0.36, 0.2, 0.36, 0.08], colors={3: _ok_color})


def _claim_head(flow: _Flow, c: dict[str, Any], heading: str) -> None:
    flow.new_page()
    if heading:
        flow.text(heading, size=15, bold=True)
        flow.space(0.15)
    flow.text(c["id"], size=13, bold=True)
    if c["title"]:
        flow.text(c["title"], size=9.5)
    flow.space(0.05)
    flow.text(f"Verdict: {c['verdict']}" + ("  (the check raised an error)" if c["error"] else ""),
              size=10, bold=True, color=_ok_color(c["verdict"]))
    flow.text(f"Controls rejected: {c['control_summary']}    Time: {c['wall_time']:.2f} s", size=9)
    flow.text(f"Source: {c['source']}", size=9)
    flow.text(f"Status: {c['status']}.  Resolution: {c['resolution']}", size=8.5)
    flow.space(0.1)
    flow.text("Statement", size=10.5, bold=True)
    flow.math(c["statement"], size=11)
    if c["description"]:
        flow.text(c["description"], size=8.5)


def _derivation(flow: _Flow, d: dict[str, Any] | None) -> None:
    if not d:
        return
    flow.space(0.1)
    flow.text("Derivation" + (f": {d['title']}" if d["title"] else ""), size=10.5, bold=True)
    if d["error"]:
        flow.text(f"The derivation raised an error: {d['error']}", color=RED)
        return
    flow.text(f"Number kind: {d['kind']}", size=8.5)
    for i, s in enumerate(d["steps"], 1):
        flow.text(f"{i}. {s['text']}", size=8.5)
        if s["latex"]:
            flow.math(s["latex"], size=9.5)
    for r in d["results"]:
        flow.text(f"Result {r['name']} =", size=8.5)
        flow.math(r["latex"], size=9.5)
    for k in d["checks"]:
        flow.text(("[ok] " if k["ok"] else "[FAILS] ") + k["name"], size=8.5, color=GREEN if k["ok"] else RED)


def _evidence(flow: _Flow, c: dict[str, Any]) -> None:
    flow.space(0.1)
    flow.text("Evidence", size=10.5, bold=True)
    flow.text(f"Number kind: {c['kind']}    Seed: {c['seed']}    Profile: {c['profile']}", size=8.5)
    if c["sizes"]:
        flow.text(f"Sizes: {c['sizes']}", size=8.5)
    if c["error"]:
        flow.text(f"Error: {c['error']}", color=RED, bold=True)
        if c["traceback"]:
            flow.text("\n".join(c["traceback"].splitlines()[-12:]), size=6.5, mono=True, color=GREY)
    if c["criteria"]:
        _criteria_table(flow, c["criteria"])
    elif not c["error"]:
        flow.text("No criterion was measured, so nothing was shown: FAIL.", color=RED)
    for b in c["data"]:
        flow.space(0.05)
        if b["name"] or b["note"]:
            flow.text(b["name"] + (f" ({b['note']})" if b["note"] else ""), size=8.5, bold=True)
        n = len(b["header"])
        flow.table(b["header"], b["rows"], [1.0 / n] * n, size=7)
    if c["notes"]:
        flow.text(f"Notes: {c['notes']}", size=8.5)


def _controls(flow: _Flow, c: dict[str, Any]) -> None:
    flow.space(0.1)
    flow.text("Negative control" + ("s" if len(c["controls"]) > 1 else ""), size=10.5, bold=True)
    if not c["controls"]:
        flow.text("This claim has no negative control.", color=RED)
    for x in c["controls"]:
        flow.text(f"{x['description']} ({x['kind']})", size=9)
        flow.text(f"Perturbation: {x['kwargs']}    Verdict {x['verdict']}: {x['status']}", size=8.5,
                  color=_ok_color(x["status"]))
        if x["error"]:
            flow.text(f"The control crashed: {x['error']}", color=RED)
        if x["criteria"]:
            _criteria_table(flow, x["criteria"])
    for x in c.get("probes", []):
        flow.text(f"Probe: {x['description']} ({x['kwargs']}): {x['status']}", size=8.5)


def _claim(flow: _Flow, c: dict[str, Any], heading: str = "") -> None:
    _claim_head(flow, c, heading)
    _derivation(flow, c["derivation"])
    _evidence(flow, c)
    _controls(flow, c)
    for f in c["figures"]:
        if f["error"]:
            flow.text(f"Figure {f['title']} could not be drawn: {f['error']}", color=RED)
        else:
            flow.figure(f["data"], f"{f['title']}. {f['caption']}".strip(". ") + ".")


def write_embedded(doc: dict[str, Any], path: Path) -> int:
    """Write the report ``doc`` (see :mod:`reports.model`) to ``path``; return the page count."""
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}), \
            PdfPages(path, metadata={"Title": doc["title"], "Creator": "sbcheck"}) as pdf:
        flow = _Flow(pdf, doc["title"])
        flow.new_page()
        flow.space(2.0)
        flow.text(doc["title"], size=22, bold=True)
        flow.text(doc["subtitle"], size=13)
        flow.space(0.4)
        flow.text(doc["date"], size=11)
        flow.space(0.4)
        for k, v in [("Claims", f"{doc['n_claims']}: {doc['n_pass']} PASS, {doc['n_fail']} FAIL"),
                     ("Negative controls rejected", f"{doc['n_rejected']} of {doc['n_controls']}"),
                     ("Every claim PASS and every control rejected", "yes" if doc["all_ok"] else "no"),
                     ("Profile, seed", f"{doc['profile']}, {doc['seed']}"), ("Git revision", doc["git"]),
                     ("Typeset with", "embedded (matplotlib; no TeX found or --no-latex)")]:
            flow.text(f"{k}: {v}", size=10)
        flow.new_page()
        flow.text("Summary", size=14, bold=True)
        flow.text(f"{doc['n_pass']} of {doc['n_claims']} claims PASS; {doc['n_rejected']} of "
                  f"{doc['n_controls']} negative controls rejected; total run time "
                  f"{doc['wall_time']:.1f} s.", size=9)
        flow.space(0.1)
        flow.table(["Claim", "Source", "Verdict", "Control rejected", "Checks", "Time (s)"],
                   [[c["id"], c["source"], c["verdict"] + (" (error)" if c["error"] else ""),
                     c["control_summary"], c["checks_summary"], f"{c['wall_time']:.2f}"]
                    for c in doc["claims"]],
                   [0.3, 0.33, 0.1, 0.12, 0.07, 0.08], size=7.5,
                   colors={2: _ok_color, 3: _ok_color})
        for p in doc["papers"]:
            for i, c in enumerate(p["claims"]):
                _claim(flow, c, heading="" if i else p["title"])
        flow.new_page()
        flow.text("Reproducibility", size=14, bold=True)
        flow.table(["", ""], [["Command", doc["command"]], ["Profile", doc["profile"]],
                              ["Seed", str(doc["seed"])], ["Git revision", doc["git"]],
                              ["Date", doc["date"]], *doc["versions"]], [0.25, 0.75], size=8.5)
        flow.flush()
        return flow.pages
