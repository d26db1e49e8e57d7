"""Spherical harmonics on S^{d-1}: multiplicities N(d, k) and normalised Legendre polynomials P_k(d; t).

These are the two ingredients of the Mercer / Funk-Hecke expansion
``K(t) = sum_k N(d, k) lambda_k P_k(d; t)`` (docs/basri2019.md §2); the eigenvalues lambda_k live in
:mod:`theory.funk_hecke`.

References
----------
.. [AH12] K. Atkinson, W. Han, *Spherical Harmonics and Approximations on the Unit Sphere*, ch. 2
   (dimension of the space of spherical harmonics, Legendre polynomials of dimension d).
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from theory.kernels import t
from theory.validate import D_MAX, K_MAX, check_int

__all__ = ["multiplicity", "log10_multiplicity", "legendre_P", "gegenbauer_coefficients", "chebyshev_coefficients", "MULTIPLICITY_MAX_DIGITS", "LEGENDRE_KMAX"]

MULTIPLICITY_MAX_DIGITS = 100_000
"""N(d, k) is returned as an exact integer only up to this many decimal digits (beyond: ValueError;
:func:`log10_multiplicity` gives its size)."""
LEGENDRE_KMAX = 5000
"""Largest degree of the symbolic :func:`legendre_P` (its coefficients have O(k) digits each)."""


def _dk(d, k):
    return check_int("d", d, 2, D_MAX, what="dimension"), check_int("k", k, 0, K_MAX, what="degree")


def log10_multiplicity(d: int, k: int) -> float:
    """``log10 N(d, k)`` from log-Gamma (no big integer): N = (2k+d-2) Gamma(k+d-2) / (k! Gamma(d-1)).

    Accurate to about 1e-12 relative; ``d`` in [2, D_MAX], ``k`` in [0, K_MAX].
    """
    d, k = _dk(d, k)
    if k == 0:
        return 0.0
    if d == 2:
        return math.log10(2)
    ln = (math.log(2 * k + d - 2) + math.lgamma(k + d - 2) - math.lgamma(k + 1) - math.lgamma(d - 1))
    return ln / math.log(10)


def multiplicity(d: int, k: int) -> int:
    """Dimension N(d, k) of the degree-k spherical harmonics on S^{d-1} (exact integer).

    ``N(d,0) = 1``, ``N(d,k) = (2k+d-2)(k+d-3)! / (k! (d-2)!)``; ``N(2,k) = 2``, ``N(3,k) = 2k+1``.
    ``d`` in [2, D_MAX], ``k`` in [0, K_MAX], and N(d, k) at most ``MULTIPLICITY_MAX_DIGITS`` digits
    (checked up front with :func:`log10_multiplicity`, so no input hangs in ``math.comb``).
    """
    d, k = _dk(d, k)
    if k == 0:
        return 1
    if d == 2:
        return 2
    if d == 3:
        return 2 * k + 1
    digits = log10_multiplicity(d, k)
    if digits > MULTIPLICITY_MAX_DIGITS:
        raise ValueError(f"N(d, k) for `d`={d}, `k`={k} has about {digits:.4g} digits; exact multiplicities are "
                         f"supported up to {MULTIPLICITY_MAX_DIGITS} digits (log10_multiplicity gives the size)")
    num = (2 * k + d - 2) * math.comb(k + d - 3, k)
    q, r = divmod(num, d - 2)
    assert r == 0
    return q


def gegenbauer_coefficients(k: int, a: Fraction) -> list[Fraction]:
    """Coefficients of t^(k-2m), m = 0..k//2, of C_k^a(t) / C_k^a(1), a > 0 (AH12 ch. 2):
    ``C_k^a(t) = sum_m (-1)^m (a)_{k-m} / (m! (k-2m)!) (2t)^{k-2m}``, ``C_k^a(1) = (2a)_k / k!``."""
    c = Fraction(2) ** k
    for i in range(k):                                  # (a)_k / k! * 2^k
        c = c * (a + i) / (i + 1)
    norm = Fraction(1)
    for i in range(k):                                  # (2a)_k / k!
        norm = norm * (2 * a + i) / (i + 1)
    out = [c / norm]
    for m in range(1, k // 2 + 1):                      # ratio of consecutive terms
        n = k - 2 * m
        out.append(-out[-1] * (n + 2) * (n + 1) / (4 * m * (a + k - m)))
    return out


def chebyshev_coefficients(k: int) -> list[Fraction]:
    """Coefficients of t^(k-2m) of T_k(t): ``T_k = (k/2) sum_m (-1)^m (k-m-1)! / (m! (k-2m)!) (2t)^{k-2m}``."""
    if k == 0:
        return [Fraction(1)]
    out = [Fraction(2) ** (k - 1)]
    for m in range(1, k // 2 + 1):
        n = k - 2 * m
        out.append(-out[-1] * (n + 2) * (n + 1) / (4 * m * (k - m)))
    return out


def legendre_P(d: int, k: int, t=t) -> sympy.Expr:
    """Legendre polynomial P_k(d; t) of dimension d, normalised ``P_k(d; 1) = 1``.

    Gegenbauer ``C_k^{(d-2)/2}(t) / C_k^{(d-2)/2}(1)`` for ``d >= 3``, Chebyshev ``T_k(t)`` for
    ``d = 2``; built from the explicit coefficient formulas in exact rationals (O(k) operations,
    milliseconds at k = 2000), ``k <= LEGENDRE_KMAX``.
    """
    d = check_int("d", d, 2, D_MAX, what="dimension")
    k = check_int("k", k, 0, LEGENDRE_KMAX, what="degree of the symbolic polynomial")
    cs = chebyshev_coefficients(k) if d == 2 else gegenbauer_coefficients(k, Fraction(d - 2, 2))
    terms = {(k - 2 * m,): sympy.Rational(c.numerator, c.denominator) for m, c in enumerate(cs)}
    return sympy.Add(*[c * t**e for (e,), c in terms.items()])
