"""Speed-up of the sweep backends over serial on the quick learning-time sweep (circle).

Runs the runs of ``basri.learning-time-circle`` (quick profile: n=256, m=2400, eta=10,
k = 2, 4, 8, 12, 16, 20, 2 seeds = 12 runs) three ways, without cache (a temporary cache directory):

- serial (``jobs=1``),
- joblib ``--jobs 2`` (loky),
- a ``dask.distributed.LocalCluster`` with 2 single-threaded workers on 127.0.0.1,

checks that the three result lists are identical, and prints wall times and speed-ups.
Usage: ``python benchmarks/sweep.py [--small]`` (``--small``: k <= 12, one seed, for a smoke run).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time

import theory
from numerics.experiments import basri2019 as sb
from numerics.claims.basri2019_training import EPS, NORM
from numerics.verify.sweep import run_sweep


def quick_configs(small: bool = False) -> list[dict]:
    n, m, eta = 256, 2400, 10.0
    ks = (2, 4, 8, 12) if small else (2, 4, 8, 12, 16, 20)
    seeds = 1 if small else 2
    out = []
    for r in range(seeds):
        for k in ks:
            lam = float(theory.eigenvalue("basri", 2, k, mode="float"))
            steps = int(2 * sb.predicted_time(lam, eta, EPS) / eta) + 10
            out.append(dict(d=2, k=k, n=n, m=m, eta=eta, eps=EPS, steps=steps, kernel="basri",
                            seed=[0, 21, k, r], stop=True, norm=NORM))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="fewer runs (smoke test)")
    args = ap.parse_args()
    configs = quick_configs(args.small)
    times, results = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        results["serial"] = run_sweep(sb.learning_run, configs, cache=False, directory=tmp,
                                      progress=False, cost=sb.run_cost)
        times["serial"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        results["jobs=2"] = run_sweep(sb.learning_run, configs, jobs=2, cache=False, directory=tmp,
                                      progress=False, cost=sb.run_cost)
        times["jobs=2"] = time.perf_counter() - t0
        from dask.distributed import LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            t0 = time.perf_counter()
            results["dask LocalCluster(2)"] = run_sweep(
                sb.learning_run, configs, scheduler=cluster.scheduler_address, cache=False,
                directory=tmp, progress=False, cost=sb.run_cost)
            times["dask LocalCluster(2)"] = time.perf_counter() - t0
    ref = json.dumps(results["serial"], sort_keys=True)
    print(f"quick learning-time sweep: {len(configs)} runs "
          f"({sum(r['steps_run'] for r in results['serial'])} GD steps in total)")
    for name, t in times.items():
        same = json.dumps(results[name], sort_keys=True) == ref
        print(f"  {name:22s} {t:8.2f} s   speed-up over serial {times['serial'] / t:5.2f}x   "
              f"results identical to serial: {same}")


if __name__ == "__main__":
    main()
