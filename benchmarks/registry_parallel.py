"""Benchmark (not a test): the quick registry serial vs on every core (``sbcheck check --jobs N``).

Runs the selected claims twice through the same runner — one after another in this process, then in
``--jobs`` worker processes — prints both wall times, the ratio parallel/serial, the machine load at
start and end, and checks that the evidence JSON is identical (wall times aside).

Usage: ``python benchmarks/registry_parallel.py [--jobs N] [--no-cache] [IDS ...]``
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from numerics.claims import load_all  # noqa: E402
from numerics.verify.registry import Config, select  # noqa: E402
from numerics.verify.runner import default_jobs, run_claims  # noqa: E402


def _evidence(results) -> str:
    out = []
    for r in results:
        j = r.to_json()
        j.pop("wall_time")
        out.append(j)
    return json.dumps(out, sort_keys=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--jobs", type=int, default=default_jobs())
    a = ap.parse_args(argv)
    load_all()
    claims = select(a.ids)
    print(f"{len(claims)} claims, quick profile; load at start {os.getloadavg()}", flush=True)
    timings = {}
    for label, jobs in (("serial", 1), (f"{a.jobs} jobs", a.jobs)):
        os.environ["SBCHECK_CACHE"] = tempfile.mkdtemp(prefix="sbcheck-bench-")   # both start cold
        t0 = time.perf_counter()
        res = run_claims(claims, Config(), jobs=jobs)
        timings[label] = (time.perf_counter() - t0, _evidence(res))
        print(f"{label:>8}: {timings[label][0]:7.1f} s", flush=True)
    (ts, es), (tp, ep) = timings.values()
    print(f"parallel / serial = {tp / ts:.2f}  (goal <= 0.6 on 2 cores); evidence identical: {es == ep}")
    print(f"load at end {os.getloadavg()}")
    return 0 if es == ep else 1


if __name__ == "__main__":
    sys.exit(main())
