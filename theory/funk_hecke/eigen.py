"""Funk-Hecke eigenvalues lambda_k(d) of zonal kernels on S^{d-1}, uniform probability measure.

Convention (docs/basri2019.md §2): ``K(t) = sum_k N(d, k) lambda_k P_k(d; t)`` with ``P_k(d; 1) = 1`` and

    lambda_k = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) * int_{-1}^{1} K(t) P_k(d; t) (1-t^2)^((d-3)/2) dt.

Method (one code path, three number systems; one job per module). Each named kernel is split by
SymPy into *atoms* ``s^p``, ``s^p arcsin(s)`` and ``B(s) - 1 = sqrt(1-s^2) + s arcsin(s) - 1`` with
``s = t`` or ``s = u = (1+t)/2`` (the bias gate) and **positive** coefficients (the split is
verified symbolically). Every atom's Funk-Hecke series is a generalised hypergeometric series of
positive terms at argument 1 (monomial coefficients from Rodrigues' formula + Beta integral),
reduced exactly to Gauss sums (:mod:`theory.funk_hecke.gauss_sums` states the formulas). Result: lambda_k is a
short sum of positive products of Gamma functions -- no cancellation at any ``k`` or ``d`` --
evaluated with exact SymPy Gammas (rationals and pi), mpmath Gammas (``dps`` + 10 guard digits) or
float64 ``lgamma``.
For the bias kernels ``ntk-bias``, ``nngp-bias`` the series (in ``u``) does not reduce to Gauss
sums (SymPy finds a non-contiguous 3F2/5F4 at 1); mpmath and float modes then integrate with
``mpmath.quad`` in ``theta`` (the integrand is analytic in ``theta``), twice at precisions 10 digits
apart to state the trustworthy digits; exact mode integrates with SymPy for odd ``d`` and
``k <= EXACT_INTEGRAL_KMAX`` (seconds per k) and otherwise raises ValueError saying so.

Modules: :mod:`theory.spherical` (N(d, k), P_k(d; t)), :mod:`theory.funk_hecke.atoms` (the split into
atoms), :mod:`theory.funk_hecke.gauss_sums` (series parameters, Gauss sums), :mod:`theory.funk_hecke.arith` (number
primitives of each mode), :mod:`theory.funk_hecke.quadrature` (quadrature / SymPy-integral fallbacks); this
module assembles them and re-exports their public names.

Kernels given as arbitrary SymPy expressions: polynomials are exact; anything else is integrated by
``mpmath.quad`` (mpmath/float modes only, digits estimated by repeating at higher precision).

References
----------
.. [B19] Basri et al., NeurIPS 2019, arXiv:1906.00425.  .. [BM19] Bietti & Mairal, arXiv:1905.12173.
.. [AH12] K. Atkinson, W. Han, *Spherical Harmonics and Approximations on the Unit Sphere*, ch. 2
   (Funk-Hecke formula, Rodrigues formula for P_k(d; t)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import mpmath
import sympy

from theory.funk_hecke.quadrature import EXACT_INTEGRAL_KMAX, quad_eigenvalue, sympy_integral
from theory.funk_hecke.arith import Arith, check_mode
from theory.funk_hecke.gauss_sums import NotGauss, atom_eigenvalue, series_parameters
from theory.funk_hecke.atoms import decompose_expr, kernel_expr, decompose
from theory.spherical import legendre_P, multiplicity
from theory.validate import check_int

__all__ = ["multiplicity", "legendre_P", "eigenvalue", "eigenvalues", "Eigen", "decompose",
           "series_parameters", "EXACT_DIGITS", "EXACT_INTEGRAL_KMAX"]

EXACT_DIGITS = None
"""``Eigen.trusted_digits`` in exact mode: ``None`` means *exact* (every digit is right)."""


# --------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class Eigen:
    """One Funk-Hecke eigenvalue.

    Attributes
    ----------
    k, multiplicity : int
        Degree and N(d, k).
    value : sympy.Expr or mpmath.mpf or float
        lambda_k in the number system of ``mode``.
    mode : str
        "exact", "mpmath" or "float".
    digits_str : str
        Decimal string with every computed digit (mpmath: ``dps`` significant digits; float: 17;
        exact: 30-digit decimal of the exact value).
    trusted_digits : int or None
        Significant digits that are right.  None = exact (``EXACT_DIGITS``).  mpmath: ``dps``
        when the eigenvalue is a sum of positive Gamma products computed with 10 guard digits
        (minus the digits lost where a finite head is subtracted, k < 3 only), else (quadrature
        fallback) the agreement of two evaluations 10 digits apart.  float: from an error model of
        the log-Gamma evaluation, ``-log10(eps * sum |log Gamma| * cancellation)``: 13-15 digits
        for k <= 100, about 10 digits at k = 10^4 (use mpmath mode for more).
    """

    k: int
    value: Any
    multiplicity: int
    mode: str
    digits_str: str
    trusted_digits: int | None


def _one(expr, atoms, d, k, mode, dps) -> Eigen:
    ar = Arith(mode, dps)
    if atoms is None:                       # not a sum of atoms (polynomials always are)
        val = quad_eigenvalue(ar, expr, k, d)
    else:
        try:
            val = ar.zero()
            for atom, c in atoms:
                val += ar.coef(c) * atom_eigenvalue(ar, atom, k, d)
        except NotGauss as exc:
            if mode == "exact" and d % 2 == 1 and k <= EXACT_INTEGRAL_KMAX:
                val = sympy_integral(expr, d, k)
                return Eigen(k, val, multiplicity(d, k), mode, str(sympy.N(val, 30)), EXACT_DIGITS)
            if mode == "exact":
                raise ValueError(f"mode='exact' is not available for this kernel in d={d}, k={k}: "
                                 f"its Funk-Hecke series does not reduce to Gauss sums ({exc}) and direct "
                                 f"SymPy integration is offered only for odd d and k <= "
                                 f"{EXACT_INTEGRAL_KMAX}; use mode='mpmath' (quadrature, digits stated)") from None
            ar = Arith(mode, dps)
            val = quad_eigenvalue(ar, expr, k, d)
    if mode == "exact":
        val = val if val.is_Rational else sympy.factor(sympy.simplify(val))
        digits = sympy.N(val, 30)
        return Eigen(k, val, multiplicity(d, k), mode, str(digits), EXACT_DIGITS)
    lost = math.log10(ar.cancel)                            # digits lost to the head subtraction
    if mode == "mpmath":
        trusted = dps if ar.hyper_digits is None else min(dps, ar.hyper_digits)
        trusted = min(trusted, int(dps + 10 - lost))
        return Eigen(k, +val, multiplicity(d, k), mode,
                     mpmath.nstr(val, dps, strip_zeros=False, min_fixed=-6, max_fixed=dps)
                     if val else "0", trusted)
    trusted = int(max(0, min(15, -math.log10(ar.err * ar.cancel)))) if ar.err else 15
    if ar.hyper_digits is not None:
        trusted = min(trusted, ar.hyper_digits, 15)
    return Eigen(k, float(val), multiplicity(d, k), mode, repr(float(val)), trusted)


def eigenvalues(kernel: Any, d: int, ks: Iterable[int], mode: str = "exact", dps: int = 30) -> list[Eigen]:
    """lambda_k for every k in ``ks`` (see :class:`Eigen`); cost O(1) Gamma products per k.

    Parameters
    ----------
    kernel : str or sympy.Expr or theory.dual.NetworkKernel
        A name from :data:`theory.kernels.KERNELS`, an expression in :data:`theory.kernels.t`, or a
        network kernel (dispatched to :func:`theory.dual.spectrum.eigenvalues`).
    d : int, >= 2
        Ambient dimension (data on S^{d-1} in R^d).
    ks : iterable of int >= 0
    mode : {"exact", "mpmath", "float"}
    dps : int >= 5
        mpmath decimal digits (mode "mpmath").
    """
    if hasattr(kernel, "eigenvalues") and not isinstance(kernel, (str, sympy.Basic)):
        return kernel.eigenvalues(d, ks, mode=mode, dps=dps)    # theory.dual network kernels
    d = check_int("d", d, 2)
    mode = check_mode(mode)
    dps = check_int("dps", dps, 5)
    if isinstance(ks, (int, bool)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"`ks` must be an iterable of integers >= 0; got {ks!r}")
    ks = [check_int("k", k, 0) for k in ks]
    expr = kernel_expr(kernel)
    atoms = decompose_expr(expr)
    out = []
    with mpmath.workdps(dps + 10):
        for k in ks:
            out.append(_one(expr, atoms, d, k, mode, dps))
    return out


def eigenvalue(kernel: Any, d: int, k: int, mode: str = "exact", dps: int = 30):
    """lambda_k(d) of a zonal kernel on S^{d-1}, uniform probability measure.

    Returns a SymPy number (exact: rationals and pi), an mpmath.mpf (``dps`` digits) or a float.

    Examples
    --------
    >>> eigenvalue("basri", 2, 2)
    5/(9*pi**2)
    >>> eigenvalue("ntk", 3, 6)
    23/32768
    """
    k = check_int("k", k, 0)
    return eigenvalues(kernel, d, [k], mode=mode, dps=dps)[0].value     # network kernels too
