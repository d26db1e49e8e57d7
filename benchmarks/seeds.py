"""Benchmark (not a test): every claim over seeds 0-9, the spread table of its measured numbers.

For each claim: the verdict at every seed, whether every control was rejected at every seed, and for
each criterion the mean, SD, min and max of the measured number over the seeds, next to the
criterion's tolerance, so a reader sees how much room each tolerance leaves (issue 13: tolerances at
most ~3x the seed-to-seed SD).  Runs through the same runner as ``sbcheck check --seeds``.

Usage: ``python benchmarks/seeds.py [--seeds 0:10] [--jobs N] [--profile quick] [IDS ...] [--json OUT]``
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from numerics.claims import load_all  # noqa: E402
from numerics.verify.registry import Config, dumps, select  # noqa: E402
from numerics.verify.runner import default_jobs, run_claims  # noqa: E402


def _fmt(x) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.4g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--seeds", default="0:10")
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--profile", default="quick", choices=["quick", "full"])
    ap.add_argument("--json", default=None, help="also write the full per-seed JSON here")
    a = ap.parse_args(argv)
    lo, hi = (int(x) for x in a.seeds.split(":"))
    load_all()
    claims = select(a.ids)
    print(f"{len(claims)} claims x seeds {lo}..{hi - 1}, profile {a.profile}, {a.jobs} jobs, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    t0 = time.perf_counter()
    res = run_claims(claims, Config(profile=a.profile), seeds=range(lo, hi), jobs=a.jobs,
                     on_result=lambda r: print(f"  done {r.claim.id} seed {r.seed} "
                                               f"{'ok' if r.ok else 'NOT OK'} {r.wall_time:.1f}s", flush=True))
    wall = time.perf_counter() - t0
    bad = 0
    print(f"\n{'claim':<34} {'pass':>5} {'ctrl':>5}  criterion: mean ± sd [min, max]  (tolerance)")
    for sr in res:
        n = len(sr.results)
        npass = sum(r.verdict == "PASS" for r in sr.results)
        nctrl = sum(all(ev.verdict == "FAIL" and ev.error is None for _, ev in r.controls) for r in sr.results)
        bad += (npass < n) + (nctrl < n)
        print(f"{sr.claim.id:<34} {npass:>2}/{n:<2} {nctrl:>2}/{n:<2}")
        tol = sr.results[0].evidence.tolerance
        for name, s in sr.spread().items():
            print(f"    {name[:60]:<60} {_fmt(s['mean'])} ± {_fmt(s['sd'])} [{_fmt(s['min'])}, {_fmt(s['max'])}]"
                  f"  ({tol.get(name, '')})")
    print(f"\nwall {wall:.0f} s; load {os.getloadavg()[0]:.2f}; "
          f"{'every claim PASS and every control rejected at every seed' if not bad else f'{bad} failures'}")
    if a.json:
        with open(a.json, "w") as fh:
            fh.write(dumps([sr.to_json() for sr in res]))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
