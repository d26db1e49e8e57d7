"""Quadrature of the Funk-Hecke integral where a kernel's series is not a sum of Gauss sums.

In ``theta`` (``t = cos theta``) the eigenvalue of docs/basri2019.md §2 reads

    lambda_k = c_d int_0^pi K(cos theta) P_k(d; cos theta) sin(theta)^(d-2) d theta,
    c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)),

an analytic integrand for the bias kernels (``u = cos^2(theta/2)``, ``sqrt(1-u^2) = sin(theta/2)
sqrt(1+u)``) and, for a user's expression, on every piece between its kinks and jumps (found from
``Abs``/``sign``/``Heaviside``/``Max``/``Min``/``Piecewise``/``floor``/``ceiling``).  A fixed rule does it:
``[0, pi]`` is cut at the kinks and into panels holding about two periods of ``P_k``, each panel gets
Gauss-Legendre rules of ``q1`` (22 in float, ``0.8 dps + 8`` in mpmath) and ``q2 = 1.5 q1`` nodes, and ``P_k(d; x)`` comes from its three-term
recurrence at all nodes at once (float64 NumPy arrays, or mpmath numbers at ``dps + 10`` digits).

``trusted_digits`` is the smaller of the agreement of the two rules (an estimate of the error of the
coarser one, stated for the finer one) and the digits left by cancellation
(``work digits - log10(sum |w g| / |lambda_k|) - log10(k + 2)``), minus one digit of margin.
The cost is about ``(k + d)^2`` operations, so the supported range is ``k + d <= QUAD_KMAX[mode]``.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy

from theory.kernels import t

__all__ = ["QUAD_KMAX", "quad_eigenvalues", "breakpoints", "check_quad_range"]

QUAD_KMAX = {"float": 4000, "mpmath": 100}
"""Largest ``k + d`` of the quadrature path per mode (beyond it a result would take minutes)."""

_KINKED = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, sympy.floor, sympy.ceiling)


def check_quad_range(k: int, d: int, mode: str) -> None:
    """ValueError naming ``k``, ``d`` and the supported range of the quadrature path."""
    if k + d > QUAD_KMAX[mode]:
        raise ValueError(f"this kernel's eigenvalues come from quadrature, supported for `k` + `d` <= "
                         f"{QUAD_KMAX[mode]} in mode={mode!r} (float: <= {QUAD_KMAX['float']}); got k={k}, d={d}")


def _zeros(expr: sympy.Expr) -> list[sympy.Expr]:
    """Real zeros of ``expr`` (in t) inside (-1, 1), exact when SymPy can list them."""
    try:
        sol = sympy.solveset(expr, t, sympy.Interval.open(-1, 1))
    except Exception:                     # SymPy cannot solve it: no breakpoint (the error estimate shows it)
        return []
    if not isinstance(sol, sympy.FiniteSet):
        return []
    return [s for s in sol if s.is_real]


def breakpoints(expr: sympy.Expr) -> list[sympy.Expr]:
    """``t`` in (-1, 1) where ``expr`` may have a kink or a jump (exact SymPy numbers), descending."""
    ts = []
    for f in expr.atoms(*_KINKED, sympy.Piecewise):
        if isinstance(f, sympy.Piecewise):
            for _, cond in f.args:
                for rel in cond.atoms(sympy.core.relational.Relational):
                    ts += _zeros(rel.lhs - rel.rhs)
        elif isinstance(f, (sympy.Max, sympy.Min)):
            ts += [z for a in f.args for b in f.args if a != b for z in _zeros(a - b)]
        elif isinstance(f, (sympy.floor, sympy.ceiling)):
            lo, hi = _range(f.args[0])
            ts += [z for n in range(math.floor(lo), math.ceil(hi) + 1) if abs(n) < 50 for z in _zeros(f.args[0] - n)]
        else:
            ts += _zeros(f.args[0])
    return sorted(set(ts), key=lambda x: -float(x))


def _range(e):
    xs = np.linspace(-1, 1, 201)
    try:
        v = sympy.lambdify(t, e, "numpy")(xs) * np.ones_like(xs)
        return float(np.nanmin(v)), float(np.nanmax(v))
    except Exception:
        return 0.0, 0.0


def _panels(k: int, d: int, cuts: Sequence[sympy.Expr], acos, pi, periods) -> list[tuple[Any, Any]]:
    """Panels of ``[0, pi]`` cut at ``theta = acos(t_b)`` for the breakpoints ``cuts``, each at most
    about ``periods`` periods of ``cos((k + d) theta)`` (None: no further cut); edges in the backend's
    precision (``acos``, ``pi``)."""
    edges = [pi * 0, *[acos(c) for c in cuts], pi]
    width = 2 * periods * float(pi) / (k + d + 8) if periods else 2 * float(pi)
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        m = max(1, math.ceil(float(b - a) / width))
        out += [(a + (b - a) * i / m, a + (b - a) * (i + 1) / m) for i in range(m)]
    return out


class _Float:
    """float64 NumPy backend."""

    digits = 16

    def __init__(self, expr, d):
        self.f = sympy.lambdify(t, expr, "numpy")
        self.c = math.exp(math.lgamma(d / 2) - math.lgamma((d - 1) / 2)) / math.sqrt(math.pi)
        self.pi = math.pi

    @staticmethod
    def acos(x):
        return math.acos(float(x))

    def rules(self, k, d, cuts):
        """Panel Gauss-Legendre rules of q1 and 1.5 q1 nodes (panels of two periods)."""
        panels = _panels(k, d, cuts, self.acos, self.pi, 2)
        q1 = 22
        return [self.rule(q, panels) for q in (q1, math.ceil(1.5 * q1))]

    def rule(self, q, panels):
        x, w = np.polynomial.legendre.leggauss(q)
        a, b = np.array(panels).T
        th = ((b - a)[:, None] * (x[None, :] + 1) / 2 + a[:, None]).ravel()
        return th, ((b - a)[:, None] / 2 * w[None, :]).ravel()

    def base(self, th, wt, d):
        x = np.cos(th)
        with np.errstate(all="ignore"):
            kv = np.asarray(self.f(x), dtype=float) * np.ones_like(x)
        return x, self.c * wt * kv * np.sin(th) ** (d - 2)

    @staticmethod
    def dot(g, p):
        return float(np.dot(g, p)), float(np.dot(np.abs(g), np.abs(p)))


class _Mp:
    """mpmath backend at the current precision (lists of mpf)."""

    def __init__(self, expr, d):
        self.digits = mpmath.mp.dps
        self.f = sympy.lambdify(t, expr, "mpmath")
        self.c = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
        self.pi = +mpmath.pi

    @staticmethod
    def acos(x):
        return mpmath.acos(mpmath.mpf(sympy.N(x, mpmath.mp.dps + 5)))

    def rules(self, k, d, cuts):
        """Panel Gauss-Legendre rules of q1 = 0.8 dps + 8 and 1.5 q1 nodes (panels of two periods)."""
        panels = _panels(k, d, cuts, self.acos, self.pi, 2)
        q1 = max(16, math.ceil(0.8 * self.digits) + 8)
        return [self.rule(q, panels) for q in (q1, math.ceil(1.5 * q1))]

    def rule(self, q, panels):
        x, w = _mp_gauss(q, mpmath.mp.dps)
        th, wt = [], []
        for a, b in panels:
            h = (b - a) / 2
            th += [a + h * (xi + 1) for xi in x]
            wt += [h * wi for wi in w]
        return th, wt

    def base(self, th, wt, d):
        x = [mpmath.cos(v) for v in th]
        return x, [self.c * w * self.f(xi) * mpmath.sin(v) ** (d - 2) for xi, w, v in zip(x, wt, th)]

    @staticmethod
    def dot(g, p):
        return mpmath.fsum(a * b for a, b in zip(g, p)), mpmath.fsum(abs(a * b) for a, b in zip(g, p))


_GAUSS: dict = {}


def _float_nodes(q: int) -> np.ndarray:
    """Gauss-Legendre nodes to float precision: Tricomi's estimate, then Newton (vectorised)."""
    i = np.arange(1, q + 1)
    x = np.cos(np.pi * (i - 0.25) / (q + 0.5))
    for _ in range(100):
        p0, p1 = np.ones_like(x), x.copy()
        for n in range(1, q):
            p0, p1 = p1, ((2 * n + 1) * x * p1 - n * p0) / (n + 1)
        dx = p1 / (q * (x * p1 - p0) / (x * x - 1))
        x -= dx
        if np.max(np.abs(dx)) < 1e-15:
            break
    return x


def _mp_gauss(q: int, dps: int):
    """Gauss-Legendre nodes and weights on [-1, 1] at ``dps`` digits (Newton from the float nodes)."""
    if (q, dps) not in _GAUSS:
        x0 = _float_nodes(q)
        xs, ws = [], []
        for x in map(mpmath.mpf, x0):
            for _ in range(8):
                p0, p1 = mpmath.mpf(1), x
                for n in range(1, q):
                    p0, p1 = p1, ((2 * n + 1) * x * p1 - n * p0) / (n + 1)
                dp = q * (x * p1 - p0) / (x * x - 1)
                dx = p1 / dp
                x -= dx
                if abs(dx) < mpmath.mpf(10) ** (-dps - 2):
                    break
            xs.append(x)
            ws.append(2 / ((1 - x * x) * dp * dp))
        _GAUSS[(q, dps)] = (xs, ws)
    return _GAUSS[(q, dps)]


def _moments(bk, x, g, ks: Sequence[int], d: int) -> dict[int, tuple[Any, Any]]:
    """``{k: (sum g P_k(d; x), sum |g P_k|)}`` for every k in ``ks`` by the three-term recurrence
    ``P_{n+1} = ((2n + 2a) x P_n - n P_{n-1}) / (n + 2a)``, ``a = (d-2)/2`` (AH12 ch. 2)."""
    want, out = set(ks), {}
    a2 = d - 2
    vec = isinstance(x, np.ndarray)
    p_prev, p = (np.ones_like(x), x) if vec else ([mpmath.mpf(1)] * len(x), x)
    if 0 in want:
        out[0] = bk.dot(g, p_prev)
    for n in range(1, max(ks) + 1):
        if n in want:
            out[n] = bk.dot(g, p)
        if n == max(ks):
            break
        if vec:
            p_prev, p = p, ((2 * n + a2) * x * p - n * p_prev) / (n + a2)
        else:
            p_prev, p = p, [((2 * n + a2) * xi * pi - n * pp) / (n + a2) for xi, pi, pp in zip(x, p, p_prev)]
    return out


def quad_eigenvalues(expr: sympy.Expr, ks: Sequence[int], d: int, mode: str, dps: int) -> dict[int, tuple[Any, int]]:
    """``{k: (lambda_k, trusted_digits)}`` by the panel Gauss-Legendre rule of the module docstring.

    ``mode`` "float" (float64; at most 15 digits) or "mpmath" (call inside ``workdps(dps + 10)``;
    at most ``dps`` digits).  Raises ValueError beyond ``QUAD_KMAX`` (see :func:`check_quad_range`).
    """
    ks = sorted(set(ks))
    check_quad_range(ks[-1], d, mode)
    bk = _Float(expr, d) if mode == "float" else _Mp(expr, d)
    res = []
    for th, wt in bk.rules(ks[-1], d, breakpoints(expr)):
        x, g = bk.base(th, wt, d)
        res.append(_moments(bk, x, g, ks, d))
    cap = 15 if mode == "float" else dps
    out = {}
    for k in ks:
        (v1, _), (v2, absum) = res[0][k], res[1][k]
        out[k] = (v2, _trusted(v1, v2, absum, k, bk.digits, cap))
    return out


def _trusted(v1, v2, absum, k, work_digits, cap) -> int:
    """Digits of ``v2``: agreement with the coarser rule, cancellation, one digit of margin."""
    diff, val, absum = (abs(mpmath.mpf(v1) - mpmath.mpf(v2)), abs(mpmath.mpf(v2)), abs(mpmath.mpf(absum)))
    if not (mpmath.isfinite(val) and mpmath.isfinite(absum)) or val == 0:
        return 0
    agree = -mpmath.log10(diff / val) if diff > 0 else work_digits
    rounding = work_digits - mpmath.log10(max(absum / val, 1)) - math.log10(k + 2)
    return int(max(0, min(cap, math.floor(min(agree, rounding)) - 1)))
