"""Issue 17, item 12: a corrupt, truncated or unwritable cache gives identical results (Hypothesis)."""
import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from numerics.experiments.basri2019 import learning_run
from numerics.verify.sweep import run_sweep

CONFIGS = [dict(d=2, k=1, n=24, m=16, eta=5.0, eps=0.5, steps=6, seed=[0, 1], stop=False, keep=4)]


def same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(damage=st.sampled_from(["truncate", "flip", "garbage", "empty", "directory", "none"]),
       cut=st.integers(0, 400), byte=st.integers(0, 255))
@example(damage="directory", cut=0, byte=0)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzz_damaged_cache_identical_results(tmp_path_factory, damage, cut, byte):
    root = tmp_path_factory.mktemp("cache")
    cfgs = CONFIGS[:1]
    ref = run_sweep(learning_run, cfgs, directory=root, progress=False)
    entry = next(Path(root).glob("*.json"))
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[:min(cut, len(data) - 1)])
    elif damage == "flip":
        i = cut % len(data)
        entry.write_bytes(data[:i] + bytes([(data[i] + 1 + byte % 255) % 256]) + data[i + 1:])
    elif damage == "garbage":
        entry.write_bytes(bytes([byte]) * cut)
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "directory":
        entry.unlink()
        entry.mkdir()
    assert same(run_sweep(learning_run, cfgs, directory=root, progress=False), ref)
