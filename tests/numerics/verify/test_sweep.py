"""Tests of numerics.verify.sweep: one code path for serial / joblib / Dask, and the on-disk cache.

The runs are tiny instances of the real experiment, :func:`numerics.experiments.basri2019.learning_run`
(importable by every worker).  Every cache lives in pytest's ``tmp_path``, never in the repo.
"""
from __future__ import annotations

import json

from pathlib import Path

import numpy as np
import pytest

from numerics.verify import sweep
from numerics.experiments.basri2019 import learning_run
from numerics.verify.sweep import load_entry, run_key, run_sweep, store_entry


CONFIGS = [dict(d=2, k=k, n=24, m=16, eta=5.0, eps=0.5, steps=6, seed=[s, k], stop=False, keep=4)
           for s in range(2) for k in (1, 2, 3)]


def same(a, b):
    """Equal as JSON text (NaN == NaN, float bits compared through repr)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_serial_results_in_order_and_json_plain(tmp_path):
    out = run_sweep(learning_run, CONFIGS, directory=tmp_path, progress=False)
    assert len(out) == 6 and all(r["steps_run"] == 6 for r in out)
    assert isinstance(out[0]["curve_r"], list)
    direct = learning_run(**CONFIGS[2])
    assert out[2]["final"] == direct["final"] and same(out[2]["curve_r"], direct["curve_r"])
    assert out[0]["final"] != out[3]["final"]           # another seed, another run


def test_cache_hit_miss_and_no_cache(tmp_path):
    st = {}
    a = run_sweep(learning_run, CONFIGS, directory=tmp_path, stats=st, progress=False)
    assert st == {"runs": 6, "hits": 0, "computed": 6, "corrupt": 0}
    b = run_sweep(learning_run, CONFIGS, directory=tmp_path, stats=st, progress=False)
    assert st["hits"] == 6 and st["computed"] == 0 and same(a, b)
    c = run_sweep(learning_run, CONFIGS, directory=tmp_path, stats=st, cache=False, progress=False)
    assert st["hits"] == 0 and st["computed"] == 6 and same(c, a)
    run_sweep(learning_run, [dict(CONFIGS[0], eta=4.0)], directory=tmp_path, stats=st, progress=False)
    assert st["computed"] == 1                      # another configuration is another key


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_entry_is_detected_and_recomputed(tmp_path, damage):
    st = {}
    a = run_sweep(learning_run, CONFIGS[:2], directory=tmp_path, progress=False)
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 2
    f = files[0]
    data = f.read_bytes()
    if damage == "truncate":
        f.write_bytes(data[: len(data) - 7])
    elif damage == "flip":
        i = len(data) - 5
        f.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
    elif damage == "garbage":
        f.write_bytes(b"not a cache entry")
    else:
        f.write_bytes(b"")
    assert load_entry(f) == (False, None)
    b = run_sweep(learning_run, CONFIGS[:2], directory=tmp_path, stats=st, progress=False)
    assert st["corrupt"] == 1 and st["computed"] == 1 and st["hits"] == 1
    assert same(a, b)
    assert load_entry(f)[0]                          # rewritten intact


def test_store_is_atomic_and_roundtrips(tmp_path):
    p = tmp_path / "sub" / "x.json"
    value = {"a": [1.0, 2.5], "b": float("nan"), "c": "s"}
    store_entry(p, value)
    ok, back = load_entry(p)
    assert ok and back["a"] == [1.0, 2.5] and np.isnan(back["b"]) and back["c"] == "s"
    assert [q.name for q in p.parent.iterdir()] == ["x.json"]      # no temporary left behind


def test_key_depends_on_params_and_code_version():
    k1 = run_key(learning_run, {"seed": 1, "n": 5}, "v1")
    assert k1 == run_key(learning_run, {"n": 5, "seed": 1}, "v1")              # order-free
    assert k1 != run_key(learning_run, {"seed": 2, "n": 5}, "v1")
    assert k1 != run_key(learning_run, {"seed": 1, "n": 5}, "v2")
    assert sweep.code_version() == sweep.code_version()


def test_code_version_covers_every_engine_file():
    """The key hashes all the code a swept function can reach, not a hand-kept list (which once
    missed the CNN's block engine and its argument checks when the CNN was split)."""
    import numerics.nets.blocks
    import numerics.nets.checks
    import theory.funk_hecke.gauss_sums
    files = set(sweep.source_files())
    for mod in (numerics.nets.blocks, numerics.nets.checks, theory.funk_hecke.gauss_sums):
        assert Path(mod.__file__).resolve() in files


def test_editing_the_cnn_engine_invalidates_the_cache(tmp_path):
    """Copy the source tree, edit the forward pass of the copy: the code version changes."""
    import shutil
    import numerics
    import theory
    for pkg in (theory, numerics):
        src = Path(pkg.__file__).resolve().parent
        shutil.copytree(src, tmp_path / src.name, ignore=shutil.ignore_patterns("__pycache__"))
    roots = [tmp_path / "theory", tmp_path / "numerics"]
    before = sweep.code_version(roots=roots)
    assert before == sweep.code_version(roots=roots)
    engine = tmp_path / "numerics" / "nets" / "blocks.py"
    engine.write_text(engine.read_text().replace("np.multiply(head_forward(", "np.multiply(1.0 * head_forward(", 1))
    assert sweep.code_version(roots=roots) != before


def test_default_cache_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SBCHECK_CACHE", str(tmp_path / "c"))
    run_sweep(learning_run, CONFIGS[:1], progress=False)
    assert len(list((tmp_path / "c").glob("*.json"))) == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="`jobs`"):
        run_sweep(learning_run, CONFIGS, jobs=0)
    with pytest.raises(ValueError, match="`scheduler`"):
        run_sweep(learning_run, CONFIGS, scheduler="localhost")
    with pytest.raises(TypeError, match="JSON-like"):
        run_sweep(learning_run, [{"seed": object(), "n": 3}])
    with pytest.raises(TypeError, match="top-level"):
        run_sweep(lambda seed: {}, [{"seed": 1}])


def test_joblib_two_jobs_equals_serial(tmp_path):
    serial = run_sweep(learning_run, CONFIGS, directory=tmp_path / "a", progress=False)
    par = run_sweep(learning_run, CONFIGS, directory=tmp_path / "b", jobs=2, progress=False)
    assert same(serial, par)


def test_dask_localcluster_equals_local(tmp_path):
    from dask import distributed
    serial = run_sweep(learning_run, CONFIGS, directory=tmp_path / "a", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        st = {}
        remote = run_sweep(learning_run, CONFIGS, directory=tmp_path / "b", scheduler=cluster.scheduler_address,
                           stats=st, progress=False)
    assert st["computed"] == 6
    assert same(serial, remote)


def test_cost_order_changes_nothing_but_order(tmp_path):
    plain = run_sweep(learning_run, CONFIGS, directory=tmp_path / "a", progress=False)
    ordered = run_sweep(learning_run, CONFIGS, directory=tmp_path / "b", jobs=2, progress=False,
                        cost=lambda c: c["k"])
    assert same(plain, ordered)


# --------------------------------------------------------------------------- issue 17, item 12
def _unwritable(kind: str, tmp_path: Path) -> Path:
    if kind == "cache is a file":
        p = tmp_path / "cachefile"
        p.write_text("not a directory")
        return p
    if kind == "under a file":
        (tmp_path / "f").write_text("x")
        return tmp_path / "f" / "cache"
    return Path("/proc/sbcheck-cache")                 # cannot be created, even by root


@pytest.mark.parametrize("kind", ["cache is a file", "under a file", "/proc"])
def test_unwritable_cache_costs_speed_only(tmp_path, capsys, kind):
    cfgs = CONFIGS[:2]
    ref = run_sweep(learning_run, cfgs, directory=tmp_path / "ok", progress=False)
    st: dict = {}
    got = run_sweep(learning_run, cfgs, directory=_unwritable(kind, tmp_path), progress=False, stats=st)
    assert same(got, ref) and st["computed"] == 2 and st["write_errors"] == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sbcheck: warning: sweep cache not written")


def test_directory_where_an_entry_should_be(tmp_path, capsys):
    cfgs = CONFIGS[:1]
    ref = run_sweep(learning_run, cfgs, directory=tmp_path, progress=False)
    entry = next(tmp_path.glob("*.json"))
    entry.unlink()
    entry.mkdir()
    (entry / "x").write_text("x")
    st: dict = {}
    assert same(run_sweep(learning_run, cfgs, directory=tmp_path, progress=False, stats=st), ref)
    assert st["computed"] == 1 and st["write_errors"] == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
