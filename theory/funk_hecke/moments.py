"""Exact Funk-Hecke eigenvalues of the bias kernels (odd ``d``) from closed-form moments.

For odd ``d`` the weight ``(1 - t^2)^((d-3)/2)`` is a polynomial, and with ``t = 2u - 1``
(docs/basri2019.md §2) the integral becomes ``int_0^1 A(u) Q(u) du`` with the kernel ``A`` a sum of the
atoms ``u^p``, ``u^p arcsin u`` and ``sqrt(1-u^2) + u arcsin u - 1`` (:mod:`theory.funk_hecke.atoms`) and
``Q(u) = 2 P_k(d; 2u-1) (4u(1-u))^((d-3)/2)`` a polynomial with rational coefficients.  Every
moment is a Beta integral (integration by parts for ``arcsin``), a number ``a + b pi`` with rationals
``a, b``:

    int_0^1 u^n sqrt(1-u^2) du = B((n+1)/2, 3/2) / 2,
    int_0^1 u^n arcsin(u) du  = pi / (2(n+1)) - B((n+2)/2, 1/2) / (2(n+1)).

The sum is exact (Fractions; no SymPy integration), about ``(k + d)^2`` big-rational operations.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import sympy

from theory.funk_hecke.arith import gamma_exact
from theory.spherical import chebyshev_coefficients, gegenbauer_coefficients

__all__ = ["beta_pi", "moment", "bias_eigenvalue_exact", "EXACT_INTEGRAL_KMAX"]

EXACT_INTEGRAL_KMAX = 400
"""Largest ``k + d`` of the exact moment path (its rationals grow like (k + d) digits)."""


def beta_pi(a: Fraction, b: Fraction) -> tuple[Fraction, Fraction]:
    """``B(a, b) = r * pi**(m/2)`` with m in {0, 2} here, returned as ``(rational part, pi part)``."""
    (ga, ma), (gb, mb), (gc, mc) = gamma_exact(a), gamma_exact(b), gamma_exact(a + b)
    m = ma + mb - mc
    r = ga * gb / gc
    if m == 0:
        return r, Fraction(0)
    if m == 2:
        return Fraction(0), r
    raise ValueError(f"B({a}, {b}) is not in Q + Q pi")


@functools.lru_cache(maxsize=None)
def moment(family: str, p: int, n: int) -> tuple[Fraction, Fraction]:
    """``int_0^1 u^n atom(u) du`` for the atom ``(family, p)`` as ``(a, b)``: ``a + b pi``."""
    half = Fraction(1, 2)
    if family == "poly":
        return Fraction(1, n + p + 1), Fraction(0)
    if family == "asin":
        m = n + p
        r, q = beta_pi(Fraction(m + 2, 2), half)
        return -r / (2 * (m + 1)), Fraction(1, 2 * (m + 1)) - q / (2 * (m + 1))
    # B1: sqrt(1-u^2) + u asin(u) - 1
    r1, q1 = beta_pi(Fraction(n + 1, 2), Fraction(3, 2))
    r2, q2 = moment("asin", 1, n)
    return r1 / 2 + r2 - Fraction(1, n + 1), q1 / 2 + q2


def _q_poly(d: int, k: int) -> list[Fraction]:
    """Coefficients (ascending powers of u) of ``Q(u) = 2 P_k(d; 2u-1) (4u(1-u))^((d-3)/2)``
    (integer arithmetic over one common denominator)."""
    cs = chebyshev_coefficients(k) if d == 2 else gegenbauer_coefficients(k, Fraction(d - 2, 2))
    den = math.lcm(*(c.denominator for c in cs))
    poly = [0] * (k + 1)                               # den * P_k(d; t), ascending in t
    for m, c in enumerate(cs):
        poly[k - 2 * m] = c.numerator * (den // c.denominator)
    out = [0]                                          # Horner in t = 2u - 1
    for c in reversed(poly):
        nxt = [0] * (len(out) + 1)
        for i, a in enumerate(out):
            nxt[i] -= a
            nxt[i + 1] += 2 * a
        nxt[0] += c
        out = nxt
    for _ in range((d - 3) // 2):                      # times 4u(1-u) = 4u - 4u^2
        nxt = [0] * (len(out) + 2)
        for i, a in enumerate(out):
            nxt[i + 1] += 4 * a
            nxt[i + 2] -= 4 * a
        out = nxt
    return [Fraction(2 * a, den) for a in out]


def bias_eigenvalue_exact(atoms, d: int, k: int) -> sympy.Expr:
    """lambda_k(d) of a kernel given by its ``u``-atoms, exactly, for odd ``d`` (module docstring)."""
    if d % 2 == 0:
        raise ValueError(f"exact moments need odd `d`; got d={d}")
    Q = _q_poly(d, k)
    c_d, m = gamma_exact(Fraction(d, 2))                  # Gamma(d/2) = c sqrt(pi) for odd d
    g2, _ = gamma_exact(Fraction(d - 1, 2))
    c = c_d / g2                                           # c_d / (sqrt(pi) Gamma((d-1)/2)): rational
    total = sympy.S.Zero
    for (var, family, p), coef in atoms:
        if var != "u":
            raise ValueError("exact moments need atoms in u = (1+t)/2")
        a = b = Fraction(0)
        for n, qn in enumerate(Q):
            if qn:
                ma, mb = moment(family, p, n)
                a += qn * ma
                b += qn * mb
        total += coef * (sympy.Rational(a.numerator, a.denominator) + sympy.Rational(b.numerator, b.denominator) * sympy.pi)
    return sympy.expand(sympy.Rational(c.numerator, c.denominator) * total)
