"""Issue 17: the CLI answers or says one short line and exits 2; ``--json`` is always one document.

Regression inputs of the issue are pinned (parametrised or ``@example``); the argv fuzzer follows the
Hypothesis profile of tests/conftest.py and never starts a claim run.
"""
import json

import mpmath
import pytest
import sympy
from hypothesis import example, given, strategies as st

import theory
from reports.cli import main


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_exit_2(code, out, err, as_json=False):
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and len(lines[0]) <= 300
    if as_json:
        doc = json.loads(out)
        assert doc["exit_code"] == 2 and doc["error"] == lines[0]
    else:
        assert out == ""


def test_item1_kernel_mpmath_prints_right_digits(capsys):
    code, out, _ = run(capsys, ["kernel", "ntk", "--t", "1/3", "--mode", "mpmath", "--dps", "40", "--json"])
    assert code == 0
    digits = json.loads(out)["digits"]
    with mpmath.workdps(60):
        ref = mpmath.mpf(sympy.N(theory.kernel_value("ntk", "1/3", "exact"), 60))
        assert abs(mpmath.mpf(digits) - ref) < mpmath.mpf(10) ** -39
    assert digits.startswith("0.35277720201598192153")


@pytest.mark.parametrize("argv, word", [
    (["kernel", "ntk", "--t", "1/3", "--dps", "0"], "`--dps`"),                     # item 2
    (["kernel", "ntk", "--t", "1/3", "--mode", "mpmath", "--dps", "100000000"], "[5, 1000]"),
    (["eigen", "ntk", "--d", "3", "--k", "1", "--mode", "mpmath", "--dps", "100000000"], "`dps`"),
    (["kernel", "ntk", "--t", "1e400"], "`t`"),                                      # item 6
    (["eigen", "ntk", "--d", "3", "--k", "100000000000000000000", "--mode", "float"], "`k`"),  # item 7
    (["eigen", "nngp-bias", "--d", "10000", "--k", "100000", "--mode", "float"], "`k` + `d` <= 4000"),  # item 10
    (["eigen", "nngp-bias", "--d", "3", "--k", "0:100000", "--mode", "float"], "`k` + `d`"),  # item 17
    (["eigen", "ntk", "--d", "1000000000000000000", "--k", "1000000000000000000"], "`d`"),   # item 16
    (["check", "basri.odd", "--scheduler", "junk", "--jobs", "1"], "`--scheduler`"),   # item 11
    (["report", "--only", "basri.odd", "--scheduler", "junk", "--jobs", "1"], "`--scheduler`"),
    (["check", ""], "non-empty"),                                                    # item 13
    (["check", "--module", "", "basri.odd"], "`--module`"),
    (["check", "--module", ".", "basri.odd"], "`--module`"),
    (["kernel", "ntk", "--t", "x" * 5000], "characters"),
    (["kernel", "ntk", "--t", "1/3", "--mode", "x" * 5000], "characters"),
    (["report", "-o", "/proc/x.pdf", "--only", "basri.odd"], "`output`"),           # item 8
])
def test_issue_inputs_one_line_exit_2(capsys, argv, word):
    for as_json in (False, True):
        code, out, err = run(capsys, argv + (["--json"] if as_json else []))
        one_line_exit_2(code, out, err, as_json)
        assert word in err


def test_item8_output_under_a_file(capsys, tmp_path):
    (tmp_path / "somefile").write_text("x")
    code, out, err = run(capsys, ["report", "-o", str(tmp_path / "somefile" / "x.pdf"), "--only", "basri.odd"])
    one_line_exit_2(code, out, err)
    assert "is a file" in err


@pytest.mark.parametrize("argv", [
    ["eigen", "ntk", "--d", "10000", "--k", "100000", "--mode", "float", "--json"],   # item 9: 14,550 digits
    ["eigen", "ntk", "--d", "3", "--k", "20000", "--json"],
])
def test_item9_big_integers_in_json(capsys, argv):
    code, out, _ = run(capsys, argv)
    assert code == 0
    row = json.loads(out)["eigenvalues"][0]
    assert row["multiplicity"] == theory.multiplicity(int(argv[3]), int(argv[5]))


def test_item9_text_output_is_cut(capsys):
    code, out, _ = run(capsys, ["eigen", "ntk", "--d", "10000", "--k", "100000", "--mode", "float"])
    assert code == 0 and "14550 digits" in out and len(out) < 400


_WORDS = ["ntk", "nngp-bias", "basri", "junk", "--t", "--d", "--k", "--mode", "--dps", "--json", "exact",
          "mpmath", "float", "0", "1", "3", "-1", "1/3", "2", "1e400", "0:5", "5:0", "nan", "", "x" * 400,
          "10000", "100000", "99999999999999999999"]


@given(cmd=st.sampled_from(["kernel", "eigen", "kernels", "list", "bogus"]),
       rest=st.lists(st.sampled_from(_WORDS), max_size=8))
@example(cmd="kernel", rest=["ntk", "--t", "1e400"])
@example(cmd="kernel", rest=["ntk", "--t", "1/3", "--dps", "0", "--json"])
@example(cmd="eigen", rest=["nngp-bias", "--d", "10000", "--k", "100000", "--mode", "float", "--json"])
def test_fuzz_cli_argv(cmd, rest):
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([cmd, *rest])
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1 and len(err.getvalue()) <= 302
    if "--json" in rest:
        json.loads(out.getvalue())                      # exactly one document
