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

import sympy

from theory.kernels import t
from theory.validate import check_int

__all__ = ["multiplicity", "legendre_P"]


def multiplicity(d: int, k: int) -> int:
    """Dimension N(d, k) of the degree-k spherical harmonics on S^{d-1} (exact integer).

    ``N(d,0) = 1``, ``N(d,k) = (2k+d-2)(k+d-3)! / (k! (d-2)!)``; ``N(2,k) = 2``, ``N(3,k) = 2k+1``.
    """
    d, k = check_int("d", d, 2), check_int("k", k, 0)
    if k == 0:
        return 1
    if d == 2:
        return 2
    num = (2 * k + d - 2) * math.comb(k + d - 3, k)
    q, r = divmod(num, d - 2)
    assert r == 0
    return q


def legendre_P(d: int, k: int, t=t) -> sympy.Expr:
    """Legendre polynomial P_k(d; t) of dimension d, normalised ``P_k(d; 1) = 1``.

    Gegenbauer ``C_k^{(d-2)/2}(t) / C_k^{(d-2)/2}(1)`` for ``d >= 3``, Chebyshev ``T_k(t)`` for
    ``d = 2``.
    """
    d, k = check_int("d", d, 2), check_int("k", k, 0)
    if d == 2:
        return sympy.expand(sympy.chebyshevt(k, t))
    a = sympy.Rational(d - 2, 2)
    return sympy.expand(sympy.gegenbauer(k, a, t) / sympy.gegenbauer(k, a, 1))

