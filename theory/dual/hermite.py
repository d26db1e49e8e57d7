"""Hermite route: the dual of any sigma as a power series in the correlation, with a certified tail
(Daniely, Frostig, Singer 2016, Sec. 4-5; docs/dual.md §3).

With ``z ~ N(0, 1)`` and the normalised probabilists' Hermite polynomials ``h_n = He_n / sqrt(n!)``,
``sigma(sqrt(q) z) = sum_n A_n(q) h_n(z)`` with ``A_n(q) = E[sigma(sqrt(q) z) h_n(z)]``, and for
``(u, v) ~ N(0, [[q, c], [c, q]])``, ``rho = c / q``::

    E[sigma(u) sigma(v)] = sum_n A_n(q)^2 rho^n,
    E[sigma'(u) sigma'(v)] = sum_n (n + 1) A_{n+1}(q)^2 rho^n / q          (h_n' = sqrt(n) h_{n-1}).

Every coefficient is >= 0, so on ``|rho| <= 1`` the tail after ``N`` terms is at most its value at
``rho = 1``, which Parseval gives exactly: ``T_N = E[sigma(sqrt(q) z)^2] - sum_{n<=N} A_n^2``.

Quadrature: the trapezoidal rule on ``z = i h``, ``|z| <= Z`` (geometric convergence in ``1/h`` for an
integrand analytic in a strip; Trefethen & Weideman 2014, Sec. 5), with the Hermite functions
``psi_n = h_n e^{-z^2/4}`` from their stable three-term recurrence (no overflow).  Run twice, with
``h`` and ``h/2``; the agreement is the stated number of trustworthy digits.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

from theory.dual.gaussian import x
from theory.validate import check_int, check_real

__all__ = ["HermiteSeries", "hermite_series", "trapezoid_moments"]


@dataclass(frozen=True)
class HermiteSeries:
    """The dual's series at variance ``q``: ``coef[n]`` of ``rho^n`` for ``n = 0..N``.

    Attributes
    ----------
    q : float or mpmath.mpf
    coef : list of mpmath.mpf or ndarray, shape (N + 1,)
        ``A_n(q)^2`` (NNGP dual) or ``(n + 1) A_{n+1}^2 / q`` (derivative dual).
    total : number
        The series at ``rho = 1``: ``E[sigma(sqrt q z)^2]`` (or ``E[sigma'(sqrt q z)^2]``).
    tail : number >= 0
        ``total - sum(coef)``: bound on the truncation error for every ``|rho| <= 1``.
    digits : int
        Significant digits on which the two quadratures (``h``, ``h/2``) agree.
    """

    q: object
    coef: object
    total: object
    tail: object
    digits: int


def _nodes(h, Z, mp):
    n = int(Z / h)
    if mp:
        return [mpmath.mpf(i) * h for i in range(-n, n + 1)]
    return np.arange(-n, n + 1) * float(h)


def trapezoid_moments(f, df, q, N, h, Z, mp):
    """``A_n(q)`` for ``n = 0..N+1``, ``E[sigma^2]`` and ``E[sigma'^2]`` by the trapezoidal rule.

    ``f``, ``df``: sigma and sigma' (callables of one number / ndarray).  ``mp``: mpmath numbers at
    the current precision (object arrays), else float64.
    """
    z = _nodes(h, Z, mp)
    if mp:
        z = np.array(z, dtype=object)
        sq = mpmath.sqrt(q)
        fz = np.array([f(sq * zi) for zi in z], dtype=object)
        dfz = np.array([df(sq * zi) for zi in z], dtype=object)
        g = np.array([mpmath.exp(-zi * zi / 4) for zi in z], dtype=object)
        w = h / mpmath.sqrt(2 * mpmath.pi)
        sqrt = mpmath.sqrt
    else:
        sq = math.sqrt(q)
        fz, dfz, g = f(sq * z), df(sq * z), np.exp(-z * z / 4)
        w, sqrt = h / math.sqrt(2 * math.pi), math.sqrt
    A = []
    prev, cur = 0 * g, g                                   # psi_{-1} = 0, psi_0 = e^{-z^2/4}
    wf = fz * g * w
    for n in range(N + 2):
        A.append(np.sum(wf * cur))
        prev, cur = cur, (z * cur - sqrt(n) * prev) / sqrt(n + 1)
    E2 = np.sum(fz * fz * g * g * w)
    D2 = np.sum(dfz * dfz * g * g * w)
    return A, E2, D2


def _digits(a, b, scale):
    diff = max(abs(x1 - x2) for x1, x2 in zip(a, b))
    if diff == 0:
        return 99
    return max(0, int(-math.log10(float(diff / scale))))


@functools.lru_cache(maxsize=256)
def _callables(sigma, mp):
    d = sympy.diff(sigma, x)
    mod = "mpmath" if mp else ["numpy", "scipy"]
    f, df = sympy.lambdify(x, sigma, mod), sympy.lambdify(x, d, mod)
    if not mp:
        f0, df0 = f, df
        f = lambda z: np.broadcast_to(np.asarray(f0(z), dtype=float), np.shape(z))
        df = lambda z: np.broadcast_to(np.asarray(df0(z), dtype=float), np.shape(z))
    return f, df


def hermite_series(sigma, q, N: int, *, derivative: bool = False, mode: str = "float", dps: int = 30,
                   h: float | None = None) -> HermiteSeries:
    """The dual of ``sigma`` (or of ``sigma'``, ``derivative=True``) at variance ``q`` as a series in
    ``rho`` of ``N + 1`` terms, with Parseval's tail and the quadrature's trustworthy digits.

    Parameters
    ----------
    sigma : sympy.Expr in :data:`theory.dual.gaussian.x` (smooth: the trapezoidal rule needs it)
    q : float > 0
        Variance of each argument.
    N : int >= 0
    mode : {"float", "mpmath"}
        float64 (absolute accuracy about 1e-16 of ``E[sigma^2]``) or mpmath at ``dps`` digits (+10 guard).
    h : float, optional
        Trapezoid step (default in the code: for a strip of half-width ``1/sqrt(q)``), halved for the check.
    """
    N = check_int("N", N, 0)
    qf = check_real("q", q, 0, lo_open=True, what="variance")
    mp = mode == "mpmath"
    digits_goal = (dps + 10) if mp else 17
    Z = 2 * math.sqrt((digits_goal + 3) * math.log(10)) + 2
    # trapezoid error ~ exp(-2 pi tau / h + 2 tau sqrt(N)) for a strip of half-width tau (psi_n grows
    # like e^{|Im z| sqrt(n)} off the axis); tau = 1/sqrt(q) is below tanh's pi/(2 sqrt q)
    h = h or 2 * math.pi / (math.sqrt(qf) * (digits_goal * math.log(10) + 2 * math.sqrt(N)))
    ctx = mpmath.workdps(dps + 10) if mp else _null()
    with ctx:
        qn = mpmath.mpf(q) if mp and not isinstance(q, mpmath.mpf) else (q if mp else qf)
        f, df = _callables(sigma, mp)
        runs = [trapezoid_moments(f, df, qn, N, (mpmath.mpf(hh) if mp else hh), Z, mp) for hh in (h, h / 2)]
        (A1, E1, D1), (A, E2, D2) = runs
        scale = max(abs(E2), 1e-300) ** 0.5
        digits = min(_digits(A1, A, scale), _digits([E1], [E2], scale**2), 99 if mp else 16)
        if derivative:
            coef = [(n + 1) * A[n + 1] ** 2 / qn for n in range(N + 1)]
            total = D2
        else:
            coef = [A[n] ** 2 for n in range(N + 1)]
            total = E2
        tail = total - sum(coef)
        tail = tail if tail > 0 else 0 * tail
        if not mp:
            coef = np.array(coef, dtype=float)
        return HermiteSeries(qn, coef, total, tail, digits)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
