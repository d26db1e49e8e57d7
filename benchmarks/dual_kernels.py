"""Benchmark of theory.network_kernel (issue 14): float evaluation speed and the series spectrum.

Prints (1) the wall and CPU time of 10^6 kernel values in float mode for several activations and
depths, (2) lambda_0..lambda_K of the depth-3 tanh NTK in d = 3 by the series route with the trusted
digits stated by the certified tail bound.  Run: ``python benchmarks/dual_kernels.py [K]``.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from theory.dual import network_kernel


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(K: int = 200) -> None:
    T = np.random.default_rng(0).uniform(-1, 1, 10**6)
    for name, depth, b in (("relu", 1, 0.0), ("relu", 3, 0.5), ("erf", 2, 0.5), ("tanh", 3, 0.0), ("gelu", 2, 0.3)):
        k = network_kernel(name, depth=depth, b_std=b)
        k(T[:10])                                             # build the series / lambdify once
        _, wall, cpu = _timed(lambda: k(T))
        print(f"10^6 values  {name:<5} L={depth} b={b}: wall {wall:.3f} s, cpu {cpu:.3f} s")
    k = network_kernel("tanh", depth=3)
    ev, wall, cpu = _timed(lambda: k.eigenvalues(3, range(K + 1), mode="float"))
    print(f"tanh depth-3 NTK, d=3, lambda_0..lambda_{K} (series route, float): wall {wall:.1f} s, cpu {cpu:.1f} s")
    odd = [e for e in ev if e.k % 2]                          # tanh is odd: even lambda_k are exact zeros
    print(f"  even k: max |lambda_k| = {max(abs(e.value) for e in ev if e.k % 2 == 0):.1e} (exact zeros)")
    for e in odd[:: max(1, len(odd) // 12)]:
        print(f"  k={e.k:<4} lambda={e.value:.15e} trusted digits {e.trusted_digits}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
