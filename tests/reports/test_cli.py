"""The public command line: JSON shapes, exit codes 0/1/2, user claims, entry points, bad input."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from numerics.verify.registry import REGISTRY
from reports.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_registry():
    before = {c.id for c in REGISTRY}
    yield
    for c in list(REGISTRY):
        if c.id not in before:
            REGISTRY.remove(c.id)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json(capsys):
    code, out, err = run_cli(capsys, "list", "--json")
    assert code == 0
    claims = json.loads(out)["claims"]
    assert len(claims) >= 5
    for c in claims:
        assert set(c) >= {"id", "source", "statement", "control"} and c["control"]


def test_kernels_json_lists_the_six(capsys):
    code, out, _ = run_cli(capsys, "kernels", "--json")
    names = {k["name"] for k in json.loads(out)["kernels"]}
    assert code == 0 and names >= {"basri", "basri-bias", "ntk", "ntk-bias", "nngp", "nngp-bias"}


def test_kernel_value_exact(capsys):
    code, out, _ = run_cli(capsys, "kernel", "ntk", "--t", "1", "--mode", "exact", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["value"] == 1.0 and doc["exact"] == "1" and doc["kernel"] == "ntk"


@pytest.mark.parametrize("mode", ["exact", "mpmath", "float"])
def test_eigen_json(capsys, mode):
    code, out, _ = run_cli(capsys, "eigen", "basri", "--d", "2", "--k", "0:4", "--mode", mode, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["mode"] == mode and doc["d"] == 2
    ev = doc["eigenvalues"]
    assert [e["k"] for e in ev] == [0, 1, 2, 3, 4]
    assert all(e["multiplicity"] == (1 if e["k"] == 0 else 2) for e in ev)
    assert ev[2]["value"] == pytest.approx(5 / (9 * 3.141592653589793**2), rel=1e-14)
    assert ev[3]["value"] == 0.0
    if mode == "exact":
        assert ev[1]["exact"] == "1/8"
    if mode == "mpmath":
        assert ev[2]["digits"].startswith("0.05628954646")


@pytest.mark.parametrize("argv, word", [
    (["eigen", "ntk", "--d", "1", "--k", "2"], "d"),
    (["eigen", "ntk", "--d", "3", "--k", "-2"], "k"),
    (["eigen", "ntk", "--d", "3", "--k", "x"], "k"),
    (["eigen", "nope", "--d", "3", "--k", "2"], "kernel"),
    (["kernel", "ntk", "--t", "2"], "t"),
    (["kernel", "nope", "--t", "0.5"], "kernel"),
    (["check", "no.such.claim"], "unknown claim"),
    (["check", "--profile", "huge"], "profile"),
    (["frobnicate"], "invalid choice"),
    ([], "command"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, word):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err


USER_CLAIMS = textwrap.dedent('''
    from numerics.verify.registry import claim, Evidence, at_most

    @claim(id="usertest.wrong", source="a user", statement=r"1 \\le 0")
    def wrong(cfg, bound=0.0):
        """A false user claim."""
        return Evidence([at_most("one", 1.0, bound)])

    wrong.control("a bound that one does meet", bound=2.0)
''')


def test_user_claim_that_fails_makes_check_exit_1(capsys, tmp_path, restore_registry):
    f = tmp_path / "user_claims_fail.py"
    f.write_text(USER_CLAIMS)
    code, out, err = run_cli(capsys, "check", "usertest", "--module", str(f), "--json")
    doc = json.loads(out)
    assert code == 1
    (res,) = doc["results"]
    assert res["id"] == "usertest.wrong" and res["verdict"] == "FAIL"
    assert res["control"]["verdict"] == "PASS"      # its control is not rejected either
    assert doc["summary"]["failed"] == 1


def test_worked_example_passes(capsys, restore_registry):
    code, out, _ = run_cli(capsys, "check", "example", "--module", str(ROOT / "examples" / "my_claims.py"), "--json")
    doc = json.loads(out)
    assert code == 0, doc
    assert doc["results"][0]["verdict"] == "PASS" and doc["results"][0]["control"]["verdict"] == "FAIL"


def test_entry_point_claims_join_the_registry(tmp_path):
    """An installed package's `sbcheck.claims` entry point is imported by `sbcheck list`."""
    (tmp_path / "ep_claims.py").write_text(USER_CLAIMS.replace("usertest.wrong", "eptest.wrong"))
    dist = tmp_path / "ep_claims-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-claims\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sbcheck.claims]\nep = ep_claims\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    p = subprocess.run([sys.executable, "-m", "reports.cli", "list", "--json"], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr
    ids = [c["id"] for c in json.loads(p.stdout)["claims"]]
    assert "eptest.wrong" in ids


def test_json_stdout_is_one_document(capsys):
    code, out, err = run_cli(capsys, "check", "ntk.mercer", "--json")
    doc = json.loads(out)          # raises if anything else is on stdout
    assert set(doc) == {"results", "summary"}
    r = doc["results"][0]
    assert set(r) >= {"id", "verdict", "measured", "tolerance", "control"}
    assert set(r["control"]) >= {"description", "verdict"}
    assert r["verdict"] in ("PASS", "FAIL")
