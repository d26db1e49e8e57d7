"""Benchmark (not a test): analytic CNTK Gram matrices against neural-tangents (issue 16, items 1 and 3).

Cases (all float64, circular padding, depth L = 3, filter q = 3 per axis, NTK, 3 channels):
``gap2d`` / ``eq2d`` / ``tr2d``: 8x8-pixel images with the GAP, Eq and Tr heads; ``gap1d`` /
``eq1d`` / ``tr1d``: 64-pixel signals.  Ours: :func:`numerics.kernels.cntk.gram`.  Peer:
neural-tangents ``stax`` ``kernel_fn`` of the same network (docs/geifman2022.md §2.2: a 1x1
convolution with ``W_std = sqrt(zeta)``, then ``L - 1`` times ReLU + ``q``-convolution with
``W_std = sqrt 2``, then ReLU and the head: GAP = ``GlobalAvgPool`` + ``Dense``, Tr = ``Flatten`` +
``Dense``, Eq = a 1x1 convolution read at pixel 0 with ``diagonal_spatial=True``), run by
``--nt-python`` (a Python with ``neural_tangents`` and ``jax``, e.g. a venv for the ``bench``
extra).  Without it only our numbers are printed.

Each side runs in a fresh subprocess.  Printed per case: wall and CPU time (process user + sys,
all threads) of the kernel call -- neural-tangents: the second, jitted call, and the first call
with compilation --, peak memory (VmHWM minus RSS before the call), the wall and CPU ratios
ours / peer, the memory ratio and the agreement ``max |K_ours - K_nt| / max |K_nt|``.  Then ours
alone at ``--n-big`` (default 1000; neural-tangents needs ``n^2 P^2`` floats at once and cannot run
it here).  The machine's load (``os.getloadavg``) is printed before and after: on a loaded machine
wall times are inflated, CPU times less so.

Usage: ``python benchmarks/cntk.py [--n 100] [--n-big 1000] [--nt-python PY] [--cases gap2d,eq2d]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

CASES = {   # name: (head, spatial shape)
    "gap2d": ("gap", (8, 8)), "eq2d": ("eq", (8, 8)), "tr2d": ("tr", (8, 8)),
    "gap1d": ("gap", (64,)), "eq1d": ("eq", (64,)), "tr1d": ("tr", (64,)),
}
ZETA, DEPTH, Q = 3, 3, 3

_COMMON = textwrap.dedent("""
    import json, os, resource, time, sys, numpy as np
    def _status(key):
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    def reset_peak():
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
        except OSError:
            pass
    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    def timed(f):
        reset_peak(); base = _status('VmRSS')
        w, c = time.perf_counter(), cpu()
        out = f()
        return out, time.perf_counter() - w, cpu() - c, _status('VmHWM') - base
    rng = np.random.default_rng(0)
    n, zeta, sp, L, q, head = {n}, {zeta}, {sp}, {depth}, {q}, {head!r}
    X = rng.standard_normal((n, zeta) + sp)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
""")

_OURS = _COMMON + textwrap.dedent("""
    sys.path.insert(0, {root!r})
    from numerics.kernels.cntk import gram
    K, wall, cpu_s, mem = timed(lambda: gram(X, head=head, depth=L, filter_size=q, kind='ntk'))
    np.save({out!r}, K)
    print(json.dumps({{'wall': wall, 'cpu': cpu_s, 'mem': mem}}))
""")

_NT = _COMMON + textwrap.dedent("""
    import jax
    jax.config.update('jax_enable_x64', True)
    from neural_tangents import stax
    k = (q,) * len(sp)
    layers = [stax.Conv(1, (1,) * len(sp), padding='CIRCULAR', W_std=np.sqrt(zeta))]
    for _ in range(L - 1):
        layers += [stax.Relu(), stax.Conv(1, k, padding='CIRCULAR', W_std=np.sqrt(2))]
    layers += [stax.Relu()]
    if head == 'gap':
        layers += [stax.GlobalAvgPool(), stax.Dense(1, W_std=np.sqrt(2))]
    elif head == 'tr':
        layers += [stax.Flatten(), stax.Dense(1, W_std=np.sqrt(2))]
    else:
        layers += [stax.Conv(1, (1,) * len(sp), padding='CIRCULAR', W_std=np.sqrt(2))]
    _, _, kernel_fn = stax.serial(*layers)
    Xn = np.moveaxis(X, 1, -1)                                  # channels last
    if head == 'eq':
        f = jax.jit(lambda x: kernel_fn(x, None, get='ntk', diagonal_spatial=True)[(Ellipsis,) + (0,) * len(sp)])
    else:
        f = jax.jit(lambda x: kernel_fn(x, None, get='ntk'))
    _, wall1, cpu1, _ = timed(lambda: np.asarray(f(Xn)))
    K, wall, cpu_s, mem = timed(lambda: np.asarray(f(Xn)))
    np.save({out!r}, K.reshape(n, n))
    print(json.dumps({{'wall': wall, 'cpu': cpu_s, 'mem': mem, 'wall_first': wall1, 'cpu_first': cpu1}}))
""")


def _run(python: str, code: str) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu")
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _load() -> str:
    return "load average %.2f %.2f %.2f on %d cores" % (os.getloadavg() + (os.cpu_count(),))


def _case(name: str, n: int, root: str, tmp: str, nt_python: str | None) -> None:
    import numpy as np
    head, sp = CASES[name]
    fmt = dict(n=n, zeta=ZETA, sp=sp, depth=DEPTH, q=Q, head=head)
    ours = _run(sys.executable, _OURS.format(root=root, out=tmp + "_ours.npy", **fmt))
    print(f"{name} n={n}: ours  wall {ours['wall']:7.2f} s  cpu {ours['cpu']:7.2f} s  "
          f"peak memory {ours['mem']:7.0f} MB")
    if nt_python:
        nt = _run(nt_python, _NT.format(out=tmp + "_nt.npy", **fmt))
        K1, K2 = np.load(tmp + "_ours.npy"), np.load(tmp + "_nt.npy")
        os.remove(tmp + "_nt.npy")
        print(f"{name} n={n}: neural-tangents jitted wall {nt['wall']:7.2f} s  cpu {nt['cpu']:7.2f} s  "
              f"peak memory {nt['mem']:7.0f} MB  (first call with compilation: wall {nt['wall_first']:.2f} s, "
              f"cpu {nt['cpu_first']:.2f} s)")
        off = ~np.eye(n, dtype=bool)
        rel = np.abs(K1 - K2) / np.max(np.abs(K2))
        print(f"{name} n={n}: ratio ours/nt  wall {ours['wall'] / nt['wall']:.3f}  cpu {ours['cpu'] / nt['cpu']:.3f}  "
              f"memory {max(ours['mem'], 1e-9) / max(nt['mem'], 1e-9):.4f}  agreement max|dK|/max|K|: "
              f"off the diagonal {rel[off].max():.2e}, on it {rel[~off].max():.2e}")
        if head != "gap":     # Theta(x, x) = L + 1 exactly; neural-tangents' arccos near 1 loses sqrt(eps)
            print(f"{name} n={n}: max |Theta(x, x) - (L + 1)|: ours {np.max(np.abs(np.diag(K1) - DEPTH - 1)):.1e}, "
                  f"neural-tangents {np.max(np.abs(np.diag(K2) - DEPTH - 1)):.1e}")
    os.remove(tmp + "_ours.npy")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--n-big", type=int, default=1000, help="our size alone (0: skip)")
    ap.add_argument("--nt-python", default=os.environ.get("NT_PYTHON", sys.executable),
                    help="Python interpreter with neural_tangents and jax installed")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {list(CASES)}")
    ap.add_argument("--big-cases", default="gap2d,eq2d,tr2d", help="cases run at --n-big")
    a = ap.parse_args(argv)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = f"/tmp/sbcheck_bench_cntk_{os.getpid()}"
    has_nt = subprocess.run([a.nt_python, "-c", "import neural_tangents"], capture_output=True).returncode == 0
    print(f"before: {_load()}; neural-tangents: {a.nt_python if has_nt else 'not importable (ours only)'}")
    for name in a.cases.split(","):
        _case(name, a.n, root, tmp, a.nt_python if has_nt else None)
    if a.n_big:
        for name in a.big_cases.split(","):
            _case(name, a.n_big, root, tmp, None)
    print(f"after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
