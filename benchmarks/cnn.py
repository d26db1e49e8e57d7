"""Benchmark: forward + backward of the hand-written NumPy CNN against PyTorch on the CPU.

Architecture (issue 4 §6): 2-D CNN, n = 500 images 28 x 28, C = 1, m = 32 kernels 5 x 5, circular
padding, bias, ReLU, dense head; loss 1/(2n) sum (f - y)^2; one forward + backward = one
``CNN.loss_and_grad`` call, or ``loss.backward()`` in PyTorch (same architecture: circular
``F.pad`` + ``conv2d``, which is a cross-correlation as ours).

Each configuration runs in its own child process (so that peak memory is its own): one warm-up,
then ``--repeats`` timed runs; the children run in ``--rounds`` alternating rounds (ours, torch,
ours, torch, ...) so that a change in machine load hits every configuration alike, and the table
gives the median (and min) over all timed runs of a configuration.  Peak memory = peak resident
set size of the child (``VmHWM``, reset after the inputs were built) minus its resident size then.
The parent process never imports PyTorch (a forked child would inherit its resident size).
PyTorch is optional (``pip install torch==2.13.0``, the ``bench`` extra); without it only our
timings are printed.  Not a test: prints a table and the ratios ours / PyTorch.

Usage: ``python benchmarks/cnn.py [--repeats 7] [--rounds 3]``.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time

N, SIDE, C, M, Q = 500, 28, 1, 32, 5


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _reset_peak() -> int:
    """Reset the peak resident size (Linux ``clear_refs`` 5) and return the current one, KiB."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _rss_kib()


def _peak_kib() -> int:
    """Peak resident size since :func:`_reset_peak` (``VmHWM``), KiB; ``ru_maxrss`` as fallback."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _ours(dtype_name: str, repeats: int) -> dict:
    import numpy as np
    from numerics.nets.cnn import CNN
    dt = np.dtype(dtype_name)
    net = CNN(2, C, M, Q, "circular", True, "relu", "dense", seed=0, input_size=SIDE, dtype=dt)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((N, C, SIDE, SIDE)).astype(dt)
    Y = rng.standard_normal(N).astype(dt)
    base = _reset_peak()
    net.loss_and_grad(X, Y)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss, g = net.loss_and_grad(X, Y)
        ts.append(time.perf_counter() - t0)
    peak = _peak_kib()
    return {"times": ts, "peak_mib": (peak - base) / 1024,
            "loss": float(loss), "grad_w_norm": float(np.linalg.norm(g["w"].astype(np.float64)))}


def _torch(dtype_name: str, repeats: int) -> dict:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from numerics.nets.cnn import CNN
    dt = {"float32": torch.float32, "float64": torch.float64}[dtype_name]
    ref = CNN(2, C, M, Q, "circular", True, "relu", "dense", seed=0, input_size=SIDE)
    rng = np.random.default_rng(1)
    X = torch.tensor(rng.standard_normal((N, C, SIDE, SIDE)), dtype=dt)
    Y = torch.tensor(rng.standard_normal(N), dtype=dt)
    w = torch.tensor(ref.params["w"], dtype=dt, requires_grad=True)
    b = torch.tensor(ref.params["b"], dtype=dt, requires_grad=True)
    a = torch.tensor(ref.params["a"], dtype=dt, requires_grad=True)
    base = _reset_peak()

    def step():
        for p in (w, b, a):
            p.grad = None
        z = F.conv2d(F.pad(X, (0, Q - 1, 0, Q - 1), mode="circular"), w, b)   # (n, m, 28, 28)
        f = (torch.relu(z) * a).sum(dim=(1, 2, 3))
        loss = 0.5 * ((f - Y) ** 2).sum() / N
        loss.backward()
        return loss

    step()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss = step()
        ts.append(time.perf_counter() - t0)
    peak = _peak_kib()
    return {"times": ts, "peak_mib": (peak - base) / 1024,
            "loss": float(loss), "grad_w_norm": float(w.grad.double().norm()),
            "threads": torch.get_num_threads(), "version": torch.__version__}


def _child(kind: str, dtype_name: str, repeats: int) -> None:
    out = (_ours if kind == "ours" else _torch)(dtype_name, repeats)
    print(json.dumps(out))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "DTYPE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error(f"--repeats must be >= 1; got {args.repeats}")
    if args.rounds < 1:
        ap.error(f"--rounds must be >= 1; got {args.rounds}")
    if args.child:
        _child(args.child[0], args.child[1], args.repeats)
        return 0
    have_torch = importlib.util.find_spec("torch") is not None
    if not have_torch:
        print("PyTorch not importable: printing our timings only (pip install torch==2.13.0)", file=sys.stderr)
    res = {}
    runs = [("ours", "float64"), ("ours", "float32")]
    if have_torch:
        runs += [("torch", "float32"), ("torch", "float64")]
    for _ in range(args.rounds):
        for kind, dt in runs:
            p = subprocess.run([sys.executable, __file__, "--repeats", str(args.repeats), "--child", kind, dt],
                               capture_output=True, text=True, check=True)
            r = json.loads(p.stdout.strip().splitlines()[-1])
            if (kind, dt) in res:
                r["times"] += res[(kind, dt)]["times"]
                r["peak_mib"] = max(r["peak_mib"], res[(kind, dt)]["peak_mib"])
            res[(kind, dt)] = r
    for r in res.values():
        r["median_s"], r["min_s"] = statistics.median(r["times"]), min(r["times"])
    print(f"forward+backward, n={N}, {SIDE}x{SIDE}, C={C}, m={M}, q={Q}, circular, dense head, ReLU; "
          f"median of {args.rounds} x {args.repeats} runs; cpu count {os.cpu_count()}")
    print(f"{'impl':8s} {'dtype':8s} {'median s':>10s} {'min s':>8s} {'peak MiB':>9s} {'loss':>12s} {'|grad w|':>12s}")
    for (kind, dt), r in res.items():
        print(f"{kind:8s} {dt:8s} {r['median_s']:10.4f} {r['min_s']:8.4f} {r['peak_mib']:9.1f} "
              f"{r['loss']:12.6g} {r['grad_w_norm']:12.6g}")
    if have_torch:
        t32, t64 = res[("torch", "float32")]["median_s"], res[("torch", "float64")]["median_s"]
        print(f"torch {res[('torch', 'float32')]['version']}, {res[('torch', 'float32')]['threads']} threads")
        for dt, goal in (("float64", 0.25), ("float32", 0.15)):
            o = res[("ours", dt)]["median_s"]
            print(f"ratio ours {dt} / torch float32 = {o / t32:.3f} (goal <= {goal}); "
                  f"ours {dt} / torch float64 = {o / t64:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
