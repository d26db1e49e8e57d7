"""Tests of ``sbcheck report``: both build modes, verdicts in the PDF, escaping, failure modes.

The claims here are built directly as :class:`numerics.verify.registry.Claim` objects (not registered),
so the tests are fast and independent of the real registry; one test runs the real CLI on a
single registered claim.  The LaTeX-mode tests need ``latexmk``/``pdflatex``: they are skipped
on a machine without TeX, and fail instead when ``CI=true`` (CI installs TeX).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numerics.verify.registry import Claim, Config, Evidence, Figure, Series, at_most, close, equal
from reports.latex import LatexBuildError, escape, find_engine, math_problem, mtext
from reports.report import make_report
from theory.derivation import Derivation

SPECIAL_SOURCE = "S_ource with _ % & # $ { } \\ ^ ~"
SPECIAL_DOC = "Special chars 50% & #1 {x} \\ ^ ~ $5 a_b."
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# ------------------------------------------------------------------------------ fake claims
def _derive():
    d = Derivation("decay exponent")
    k = sympy.symbols("k", positive=True)
    d.step("[rows starting with brackets] Ratio of Gamma functions", sympy.Eq(sympy.Symbol("lambda_k"),
                                                sympy.gamma(k) / (k**3 * sympy.gamma(k + sympy.Rational(1, 2)))))
    d.step("A long sum that TeX must break", sum(sympy.Symbol(f"x_{i}") ** i for i in range(40)))
    d.results["lambda_k"] = k ** -3
    d.check("lambda_k > 0", True)
    return d


def _good(cfg, exponent=3.0):
    """Eigenvalues decay like k^-3.

    Special chars 50% & #1 {x} \\ ^ ~ $5 a_b.
    """
    k = np.arange(2, 40, 2.0)
    lam = k ** -3.0 * (1 + 0.01 * cfg.rng(1).standard_normal(k.size))
    slope = -np.polyfit(np.log(k), np.log(lam), 1)[0]
    fig = Figure("decay", r"Eigenvalue decay $\lambda_k$", "$k$", r"$\lambda_k$",
                 [Series(k, lam, "measured", "points"), Series(k, k ** -exponent, "predicted", "dashed")],
                 xscale="log", yscale="log", caption="Points on the dashed prediction.")
    heat = Figure("heat", "A heat map", "x", "y", kind="heatmap",
                  z=np.outer(np.arange(4), np.arange(5)).tolist(), extent=[0, 1, 0, 1])
    return Evidence([close("decay exponent", slope, exponent, atol=0.05),
                     equal("[exact] zero", sympy.Integer(0), 0)],
                    kind="float64", sizes={"k_max": 40}, data={"table": {"k": [2, 4], "lam": [0.1, 0.01]},
                                                               "max_err": 1e-3,
                                                               "pairs": {"(k1,k2)": ["(1, 0)", "[2, 1]"]}},
                    figures=[fig, heat], notes="Least squares on log-log.")


def _failing(cfg, shift=0.0):
    """A user claim that fails."""
    return Evidence([at_most("error", 1.0 + shift, 0.5)], kind="exact")


def _crashing(cfg, x=1):
    """A claim whose check raises."""
    raise RuntimeError("boom")


def fake_claims(statement_of_failing=r"\frac{1}{2"):
    good = Claim(_good, id="fakepaper.good-decay", source="Fake et al. 2026, Thm 1",
                 statement=r"λk \asymp k^{-3} \text{ for } k \ge 2", derive=_derive)
    good.control("the exponent 4 instead of 3", exponent=4.0)
    bad = Claim(_failing, id="fakepaper.user_fails", source=SPECIAL_SOURCE, statement=statement_of_failing)
    bad.control("shifted", shift=1.0)
    crash = Claim(_crashing, id="other.crash", source="Nowhere", statement=r"\input{/etc/hostname}")
    crash.control("x = 2", x=2)
    crash.control("x = 3 (a second control after a crashed one)", x=3)
    return [good, bad, crash]


EXPECTED = {"fakepaper.good-decay": "PASS", "fakepaper.user_fails": "FAIL", "other.crash": "FAIL"}


def pdf_text(path: Path) -> str:
    """Text of a PDF (pdftotext -layout if installed, else pypdf)."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages)


def _check_report(out: dict, directory: Path) -> None:
    pdf = Path(out["pdf"])
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert Path(out["tex"]).is_file() and Path(out["tex"]).parent == directory
    assert out["pages"] >= 5
    assert (out["claims"], out["passed"], out["controls"], out["controls_rejected"]) == (3, 1, 4, 2)
    assert out["all_ok"] is False
    assert {Path(f).suffix for f in out["figures"]} == {".png", ".pdf"} and len(out["figures"]) == 4
    assert all(Path(f).is_file() for f in out["figures"])
    text = pdf_text(pdf)
    lines = text.splitlines()
    for cid, verdict in EXPECTED.items():   # the summary row holds the id and its verdict
        assert any(cid in ln and verdict in ln for ln in lines), (cid, verdict)
    flat = " ".join(text.split())
    assert SPECIAL_SOURCE in flat
    assert " ".join(SPECIAL_DOC.split()) in flat
    assert "RuntimeError: boom" in flat                      # a crash is shown with its error
    assert "not allowed in a formula" in flat                # \input statement shown as source
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # no temp dir left


@pytest.fixture(scope="module")
def embedded_report(tmp_path_factory):
    d = tmp_path_factory.mktemp("embedded")
    return make_report(fake_claims(), Config(), d / "report.pdf", quiet=True, force_embedded=True), d


def _need_tex():
    if find_engine() is None:
        if IN_CI:
            pytest.fail("CI=true but latexmk/pdflatex is not on PATH: CI must install TeX")
        pytest.skip("no latexmk/pdflatex on this machine (CI installs TeX)")


@pytest.fixture(scope="module")
def latex_report(tmp_path_factory):
    _need_tex()
    d = tmp_path_factory.mktemp("latex")
    return make_report(fake_claims(), Config(), d / "report.pdf", quiet=True), d


# ------------------------------------------------------------------------------ tests
def test_embedded_report_has_every_claim_and_verdict(embedded_report, capsys):
    out, d = embedded_report
    assert out["engine"] == "embedded"
    _check_report(out, d)
    assert "\\fitmath" in Path(out["tex"]).read_text()      # the .tex is still written


def test_latex_report_has_every_claim_and_verdict(latex_report):
    out, d = latex_report
    assert out["engine"] in ("latexmk", "pdflatex")
    _check_report(out, d)
    assert out["overfull"] == 0
    tex = Path(out["tex"]).read_text()
    assert "report-figures/fakepaper-good-decay-0-decay.pdf" in tex


def test_latex_error_leaves_no_output(tmp_path, capsys):
    _need_tex()
    claims = fake_claims(statement_of_failing=r"\undefinedcommandxyz x")  # passes vetting, TeX fails
    target = tmp_path / "report.pdf"
    with pytest.raises(LatexBuildError, match="fakepaper.user_fails"):
        make_report(claims, Config(), target, quiet=True)
    assert list(tmp_path.iterdir()) == []
    assert "undefinedcommandxyz" in capsys.readouterr().err   # the log lines are shown


def test_interrupt_leaves_previous_output_untouched(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-old")

    def interrupted(cfg):
        """Ctrl-C while checking."""
        raise KeyboardInterrupt

    c = Claim(interrupted, id="fake.interrupt", source="-", statement="x")
    with pytest.raises(KeyboardInterrupt):
        make_report([c], Config(), target, quiet=True, force_embedded=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]
    assert target.read_bytes() == b"%PDF-old"


def test_bad_output_path_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="ending in .pdf"):
        make_report([], Config(), tmp_path / "report.txt")
    (tmp_path / "report-figures").mkdir()
    (tmp_path / "report-figures" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="other files"):
        make_report([], Config(), tmp_path / "report.pdf")


@pytest.mark.parametrize("tex", [r"\input{/etc/passwd}", r"\frac{1}{2", r"a } b {", r"x $ y",
                                 r"x % comment", r"\end{document}", r"\) \(", r"\write18{ls}",
                                 r"\def\x{1}", r"\begin{verbatim}x\end{verbatim}", "a\n\nb",
                                 r"\csname end\endcsname", r"\catcode`\^=11",
                                 r"-2\left(a g_{a - (x)/p\right)}", r"\left( x", r"x \right)",
                                 r"\begin{cases} 1 \end{matrix}"])
def test_math_vetting_rejects_unsafe_formulas(tex):
    assert math_problem(tex) is not None


@pytest.mark.parametrize("tex", [r"\lambda_k \asymp k^{-d}", r"\frac{\Gamma(k)}{k^3}",
                                 r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}",
                                 r"\{x\} \cup \left\{ y \right\}", r"\mathbb{E}\,\|w\|_2^2 \le 1",
                                 r"\left( \frac{1}{2} \right)^{\left. x \right|}"])
def test_math_vetting_accepts_formulas(tex):
    assert math_problem(tex) is None


@settings(max_examples=60, deadline=None)
@example(s="_ % & # $ { } \\ ^ ~ -- `` '' < > | \"")
@given(s=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_escape_leaves_no_active_character(s):
    out = escape(s)
    stripped = re.sub(r"\\texttt\{\\char\d+\}|\\allowbreak\{\}|\\[%&#$]|-\{\}|`\{\}|'\{\}", "", out)
    assert not set(stripped) & set("\\{}_^~$%&#")
    assert out.count("{") == out.count("}")


def test_mtext_sets_formulas_and_escapes_text():
    assert mtext(r"decay $\lambda_k$ of 50%") == r"decay \(\lambda_k\) of 50\%"
    assert mtext("costs $5") == r"costs \$5"                   # unpaired $: plain text


def test_cli_report_with_a_user_module(tmp_path, capsys):
    """``sbcheck report --module user.py --only ...``: a user's failing claim reaches the PDF."""
    from reports.cli import main
    mod = tmp_path / "user_claims_report.py"
    mod.write_text(
        "from numerics.verify.registry import claim, Evidence, at_most\n"
        "@claim(id='usertest.too-big', source='me', statement=r'x \\le 1')\n"
        "def too_big(cfg, x=2.0):\n"
        "    \"\"\"x is at most 1 (it is not).\"\"\"\n"
        "    return Evidence([at_most('x', x, 1.0)], kind='exact')\n"
        "too_big.control('x = 3', x=3.0)\n")
    try:
        rc = main(["report", "-o", str(tmp_path / "r.pdf"), "--module", str(mod),
                   "--only", "usertest", "--no-latex", "--json"])
    finally:
        from numerics.verify.registry import REGISTRY
        REGISTRY.remove("usertest.too-big")
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["all_ok"] is False
    assert (out["claims"], out["passed"], out["engine"]) == (1, 0, "embedded")
    assert (tmp_path / "r.tex").is_file()
    assert any("usertest.too-big" in ln and "FAIL" in ln for ln in pdf_text(tmp_path / "r.pdf").splitlines())


def test_progress_goes_to_stderr_only(tmp_path, capsys):
    from reports.cli import _progress_lines
    c = Claim(_failing, id="fake.progress", source="-", statement="x \\le 1")
    c.control("shifted", shift=1.0)
    out = make_report([c], Config(), tmp_path / "r.pdf", force_embedded=True,
                      on_result=_progress_lines(1, "report"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "report [1/1] FAIL fake.progress" in captured.err          # one line per finished claim
    assert "embedded PDF" in captured.err and out["failed"] == 1
