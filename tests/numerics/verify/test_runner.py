"""Tests of numerics.verify.runner: serial, process-parallel and Dask runs give the same evidence
JSON (wall times aside); a claim that kills its worker is an ERROR for that claim alone."""
import json
import textwrap

import pytest

from numerics.verify.registry import REGISTRY, Config
from numerics.claims import load_all
from numerics.verify.runner import check_scheduler, run_claims

load_all()

USER = textwrap.dedent('''
    import os
    from numerics.registry import Evidence, claim, close

    @claim(id="runnertest.ok", source="test", statement="x = 1", cost=1)
    def ok(cfg, shift=0.0):
        x = float(cfg.rng(1).standard_normal()) * 0 + 1 + shift
        return Evidence([close("x", x, 1.0, atol=1e-9)])
    ok.control("x = 1.5", kind="near-miss", shift=0.5)
    ok.probe("x = 1 + 1e-12", shift=1e-12)

    @claim(id="runnertest.killer", source="test", statement="dies", cost=2)
    def killer(cfg, die=True):
        if die and cfg.seed == 13:              # (workers are reused: no environment flag)
            os._exit(3)                       # a crash that no try/except can catch
        return Evidence([close("x", 1.0, 1.0, atol=1e-9)])
    killer.control("no death", kind="strawman", die=False)
''')


@pytest.fixture
def user_claims(tmp_path):
    path = tmp_path / "runner_claims.py"
    path.write_text(USER)
    from numerics.claims import load_module
    load_module(str(path))
    yield str(path)
    for cid in ("runnertest.ok", "runnertest.killer"):
        REGISTRY.remove(cid)


def _strip(results):
    out = []
    for r in results:
        j = r.to_json()
        j.pop("wall_time")
        out.append(j)
    return json.dumps(out, sort_keys=True)


def test_parallel_equals_serial_byte_for_byte(user_claims):
    claims = [REGISTRY["basri2019.odd-null"], REGISTRY["runnertest.ok"], REGISTRY["cnnflow.white-spectrum"]]
    cfg = Config(seed=3)
    serial = run_claims(claims, cfg, jobs=1)
    parallel = run_claims(claims, cfg, jobs=2, modules=(user_claims,))
    assert [r.claim.id for r in parallel] == [c.id for c in claims]          # input order kept
    assert _strip(serial) == _strip(parallel)
    assert parallel[1].resolution()["rejected"] == ["x = 1.5"]
    assert parallel[1].resolution()["missed"] == ["x = 1 + 1e-12"]


def test_seeds_give_per_seed_verdicts_and_spread(user_claims):
    out = run_claims([REGISTRY["runnertest.ok"]], Config(), seeds=range(3), jobs=1)
    j = out[0].to_json()
    assert [s["seed"] for s in j["seeds"]] == [0, 1, 2] and j["verdict"] == "PASS" and j["ok"]
    assert j["spread"]["x"]["sd"] == 0.0


def test_a_crashing_worker_is_an_error_for_that_claim_alone(user_claims):
    claims = [REGISTRY["runnertest.killer"], REGISTRY["runnertest.ok"]]
    got = {r.claim.id: r for r in run_claims(claims, Config(seed=13), jobs=2, modules=(user_claims,))}
    assert got["runnertest.ok"].ok
    dead = got["runnertest.killer"]
    assert dead.verdict == "FAIL" and "worker crashed" in dead.evidence.error and not dead.ok


@pytest.mark.parametrize("bad", ["junk", "tcp//x:1", "http://a b:1", ""])
def test_scheduler_address_is_checked_up_front(bad):
    with pytest.raises(ValueError, match="--scheduler"):
        check_scheduler(bad)


def test_dask_cluster_runs_whole_claims_with_the_same_results(user_claims):
    distributed = pytest.importorskip("distributed")
    claims = [REGISTRY["basri2019.odd-null"], REGISTRY["cnnflow.white-spectrum"]]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = run_claims(claims, Config(), scheduler=cluster.scheduler_address)
    assert _strip(remote) == _strip(run_claims(claims, Config(), jobs=1))
