"""Power series of the dual activations and of the network kernel in t, with certified tails
(docs/dual.md §3-§4).

- :func:`arccos_series` -- exact Taylor coefficients of ``K_{s,r}(rho)`` from the Price data of
  :func:`theory.dual.gaussian.arccos_parts` (binomial series of ``(1 - rho^2)^alpha``, integrated
  ``r + 1`` times);
- :func:`compose` -- ``sum_n f_n (S(t)/q)^n`` truncated to ``M`` terms in ``t`` (Horner, float64 or
  mpmath object arrays).

Every coefficient involved is >= 0 (dual kernels have nonnegative Taylor coefficients, Daniely et al.
2016, Lemma 11), so dropping terms only lowers coefficients and the tail of the kernel's series in
``t`` on ``[-1, 1]`` is at most ``K(1) - sum_m kappa_m``.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

from theory.dual.gaussian import arccos_parts

__all__ = ["arccos_series", "compose", "polymul"]


def arccos_series(s: int, r: int, N: int, mp: bool = False):
    """Taylor coefficients ``[k_0..k_N]`` of ``K_{s,r}(rho) = E[max(z1,0)^s max(z2,0)^r]``.

    ``K^{(r+1)} = C (1 - rho^2)^alpha`` gives ``k_{2j+r+1} = C binom(alpha, j) (-1)^j (2j)! / (2j+r+1)!``;
    the first ``r + 1`` coefficients are ``K^{(i)}(0) / i!``.
    """
    if r > s:
        s, r = r, s
    C, alpha, init = arccos_parts(s, r)
    num = (lambda e: mpmath.mpf(sympy.N(e, mpmath.mp.dps + 5))) if mp else (lambda e: float(e))
    out = [num(0)] * (N + 1)
    for i, v in enumerate(init):
        if i <= N:
            out[i] = num(v / sympy.factorial(i))
    Cn, a = num(C), (mpmath.mpf(alpha.p) / alpha.q if mp else float(alpha))
    b = num(1)                                           # binom(alpha, j) (-1)^j, by recurrence
    j = 0
    while 2 * j + r + 1 <= N:
        n = 2 * j + r + 1
        fac = num(1)
        for m in range(2 * j + 1, n + 1):                # (2j)! / (2j + r + 1)!
            fac /= m
        out[n] = Cn * b * fac
        b = b * (j - a) / (j + 1)
        j += 1
    return np.array(out, dtype=object if mp else float)


def polymul(a, b, M):
    """Product of two coefficient arrays truncated to ``M + 1`` terms."""
    if a.dtype == object:
        out = np.array([mpmath.mpf(0)] * (M + 1), dtype=object)
        for i, ai in enumerate(a[:M + 1]):
            if ai:
                n = min(len(b), M + 1 - i)
                out[i:i + n] += ai * b[:n]
        return out
    return np.convolve(a, b)[:M + 1] if len(a) + len(b) - 1 > M + 1 else \
        np.pad(np.convolve(a, b), (0, M + 1 - (len(a) + len(b) - 1)))


def compose(f, S, q, M):
    """Coefficients in t of ``sum_n f[n] (S(t) / q)^n``, truncated to ``M + 1`` terms (Horner)."""
    x = S / q
    zero = np.zeros(M + 1, dtype=S.dtype)
    if S.dtype == object:
        zero = np.array([mpmath.mpf(0)] * (M + 1), dtype=object)
    out = zero.copy()
    out[0] = f[-1]
    for fn in f[-2::-1]:
        out = polymul(out, x, M)
        out[0] += fn
    return out
