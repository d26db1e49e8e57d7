"""Benchmark (not a test): analytic CNTK Gram matrix, GAP head, 2-D inputs (issue 8 §4).

n = 200 inputs of 8x8 pixels x 3 channels, depth 3, filter 3x3, circular padding, float64.
Ours: :func:`numerics.kernels.cntk.gram` (blocked).  Peer: neural-tangents ``stax`` kernel_fn of the same
network (mapping in ``multisphere_cntk.md`` §2.2) when importable by ``--nt-python`` (a Python with
``neural_tangents`` and ``jax``; e.g. a venv made for the ``bench`` extra), else a direct NumPy
evaluation (all n^2 d^2 pixel pairs at once, unblocked).  Each side runs in a fresh subprocess;
time = wall time of the kernel call (neural-tangents: the second, jitted call; the first call,
compilation included, is printed too), memory = peak RSS (VmHWM) minus RSS before the call.
Prints both ratios (ours / peer).  Peak memory of neural-tangents grows like n^2 d^2 (no batching);
at n = 200 it exceeds 11 GB, so watch the machine before running it at that size.

Usage: ``python benchmarks/cntk.py [--n 200] [--nt-python /path/to/python] [--batch 25]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

_COMMON = textwrap.dedent("""
    import json, resource, time, sys, numpy as np
    def rss_mb():
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS'):
                    return int(line.split()[1]) / 1024
    def peak_mb():
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM'):
                    return int(line.split()[1]) / 1024
    def reset_peak():
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
        except OSError:
            pass
    rng = np.random.default_rng(0)
    n, zeta, H, W, L, q = {n}, 3, 8, 8, 3, 3
    X = rng.standard_normal((n, zeta, H, W))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
""")

_OURS = _COMMON + textwrap.dedent("""
    sys.path.insert(0, {root!r})
    from numerics.kernels.cntk import gram
    reset_peak(); base = rss_mb()
    t = time.perf_counter()
    K = gram(X, head='gap', depth=L, filter_size=q, kind='ntk')
    dt = time.perf_counter() - t
    np.save({out!r}, K)
    print(json.dumps({{'time': dt, 'mem': peak_mb() - base}}))
""")

_DIRECT = _COMMON + textwrap.dedent("""
    sys.path.insert(0, {root!r})
    from numerics.kernels.cntk import _recursion, _half_sqdist
    reset_peak(); base = rss_mb()
    t = time.perf_counter()
    S = _half_sqdist(X, X, pair=True)            # (n, n, H, W, H, W) at once, no blocking
    E = _half_sqdist(X, X, pair=True, sign=1.0)
    K = _recursion(S, L, q, 'ntk', (2, 3), E=E).mean(axis=(2, 3, 4, 5))
    dt = time.perf_counter() - t
    np.save({out!r}, K)
    print(json.dumps({{'time': dt, 'mem': peak_mb() - base}}))
""")

_NT = _COMMON + textwrap.dedent("""
    import jax
    jax.config.update('jax_enable_x64', True)
    from neural_tangents import stax
    layers = [stax.Conv(1, (1, 1), padding='CIRCULAR', W_std=np.sqrt(zeta))]
    for _ in range(L - 1):
        layers += [stax.Relu(), stax.Conv(1, (q, q), padding='CIRCULAR', W_std=np.sqrt(2))]
    layers += [stax.Relu(), stax.GlobalAvgPool(), stax.Dense(1, W_std=np.sqrt(2))]
    _, _, kernel_fn = stax.serial(*layers)
    Xn = np.transpose(X, (0, 2, 3, 1))          # NHWC
    kernel_fn = jax.jit(kernel_fn, static_argnames='get')
    reset_peak(); base = rss_mb()
    t = time.perf_counter()
    K = np.asarray(kernel_fn(Xn, None, get='ntk'))
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    K = np.asarray(kernel_fn(Xn, None, get='ntk'))
    dt = time.perf_counter() - t
    np.save({out!r}, K)
    print(json.dumps({{'time': dt, 'time_first_call': t1, 'mem': peak_mb() - base}}))
""")


def _run(python: str, code: str) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    import numpy as np
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--nt-python", default=os.environ.get("NT_PYTHON", sys.executable),
                    help="Python interpreter with neural_tangents installed")
    a = ap.parse_args(argv)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = f"/tmp/sbcheck_bench_{os.getpid()}"
    ours = _run(sys.executable, _OURS.format(n=a.n, root=root, out=tmp + "_ours.npy"))
    print(f"ours (numerics.kernels.cntk.gram, blocked): n={a.n}, 8x8x3, L=3, q=3, GAP, NTK: "
          f"time {ours['time']:.2f} s, peak memory {ours['mem']:.0f} MB")
    has_nt = subprocess.run([a.nt_python, "-c", "import neural_tangents"], capture_output=True).returncode == 0
    if has_nt:
        peer = _run(a.nt_python, _NT.format(n=a.n, out=tmp + "_peer.npy"))
        name = f"neural-tangents ({a.nt_python})"
        print(f"{name}: time {peer['time']:.2f} s (first call incl. JIT {peer['time_first_call']:.2f} s), "
              f"peak memory {peer['mem']:.0f} MB")
    else:
        peer = _run(sys.executable, _DIRECT.format(n=a.n, root=root, out=tmp + "_peer.npy"))
        name = "direct NumPy (unblocked)"
        print(f"{name}: time {peer['time']:.2f} s, peak memory {peer['mem']:.0f} MB  (neural-tangents not importable)")
    K1, K2 = np.load(tmp + "_ours.npy"), np.load(tmp + "_peer.npy")
    print(f"max |K_ours - K_peer| = {np.max(np.abs(K1 - K2)):.3e}  (max |K| = {np.max(np.abs(K1)):.3f})")
    print(f"time ratio ours/peer   = {ours['time'] / peer['time']:.3f}")
    print(f"memory ratio ours/peer = {max(ours['mem'], 1e-9) / max(peer['mem'], 1e-9):.3f}")
    for f in (tmp + "_ours.npy", tmp + "_peer.npy"):
        os.remove(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
