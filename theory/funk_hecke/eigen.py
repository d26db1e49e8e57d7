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
sums (SymPy finds a non-contiguous 3F2/5F4 at 1); mpmath and float modes then integrate in ``theta``
with a fixed panel Gauss-Legendre rule and an error estimate (:mod:`theory.funk_hecke.quadrature`,
``k + d <= QUAD_KMAX[mode]``); exact mode sums closed-form moments for odd ``d`` and
``k + d <= EXACT_INTEGRAL_KMAX`` (:mod:`theory.funk_hecke.moments`) and otherwise raises ValueError
saying so.  Supported ranges (``theory.validate``): ``2 <= d <= D_MAX``, ``0 <= k <= K_MAX``,
``DPS_MIN <= dps <= DPS_MAX``; exact mode ``k <= EXACT_KMAX``; all checked before any work.

Modules: :mod:`theory.spherical` (N(d, k), P_k(d; t)), :mod:`theory.funk_hecke.atoms` (the split into
atoms), :mod:`theory.funk_hecke.gauss_sums` (series parameters, Gauss sums), :mod:`theory.funk_hecke.arith` (number
primitives of each mode), :mod:`theory.funk_hecke.quadrature` (quadrature / SymPy-integral fallbacks); this
module assembles them and re-exports their public names.

Kernels given as arbitrary SymPy expressions: polynomials are exact; anything else is integrated by
the same quadrature, cut at its kinks and jumps (mpmath/float modes only, digits stated).

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

from theory.funk_hecke.moments import EXACT_INTEGRAL_KMAX, bias_eigenvalue_exact
from theory.funk_hecke.quadrature import QUAD_KMAX, check_quad_range, quad_eigenvalues
from theory.funk_hecke.arith import Arith, check_mode
from theory.funk_hecke.gauss_sums import NotGauss, atom_eigenvalue, series_parameters
from theory.funk_hecke.atoms import decompose_expr, kernel_expr, decompose
from theory.spherical import legendre_P, multiplicity
from theory.validate import D_MAX, K_MAX, check_dps, check_int, shown

__all__ = ["multiplicity", "legendre_P", "eigenvalue", "eigenvalues", "Eigen", "decompose",
           "series_parameters", "EXACT_DIGITS", "EXACT_INTEGRAL_KMAX", "EXACT_KMAX", "QUAD_KMAX"]

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
        fallback) the smaller of the agreement of two Gauss rules and the digits left by
        cancellation, minus one.  float: from an error model of the log-Gamma evaluation,
        ``-log10(eps * sum |log Gamma| * cancellation)`` (arguments beyond ~1e8 summed in mpmath);
        0 when the value underflows float64.
    """

    k: int
    value: Any
    multiplicity: int
    mode: str
    digits_str: str
    trusted_digits: int | None


EXACT_KMAX = 20000
"""Largest ``k`` of exact mode for kernels summed in Gamma products (seconds per k beyond)."""


class _NeedsQuadrature(Exception):
    """The kernel's series at this k is not a sum of Gauss sums (or the kernel has no atoms)."""


def _record(k, val, d, mode, dps, trusted) -> Eigen:
    if mode == "exact":
        return Eigen(k, val, multiplicity(d, k), mode, str(val.evalf(30, maxn=200000)), EXACT_DIGITS)
    if mode == "mpmath":
        return Eigen(k, +val, multiplicity(d, k), mode,
                     mpmath.nstr(val, dps, strip_zeros=False, min_fixed=-6, max_fixed=dps) if val else "0", trusted)
    return Eigen(k, float(val), multiplicity(d, k), mode, repr(float(val)), trusted)


def _one(expr, atoms, d, k, mode, dps) -> Eigen:
    """lambda_k as a short sum of positive Gamma products (gauss_sums); _NeedsQuadrature otherwise."""
    if atoms is None:                       # not a sum of atoms (polynomials always are)
        raise _NeedsQuadrature
    ar = Arith(mode, dps)
    try:
        val = ar.zero()
        for atom, c in atoms:
            val += ar.coef(c) * atom_eigenvalue(ar, atom, k, d)
    except NotGauss:
        raise _NeedsQuadrature from None
    if mode == "exact":
        return _record(k, val if val.is_Rational else sympy.factor(val), d, mode, dps, EXACT_DIGITS)
    lost = math.log10(ar.cancel)                            # digits lost to the head subtraction
    if mode == "mpmath":
        return _record(k, val, d, mode, dps, min(dps, int(dps + 10 - lost)))
    trusted = int(max(0, min(15, -math.log10(ar.err * ar.cancel)))) if ar.err else 15
    return _record(k, val, d, mode, dps, 0 if ar.underflow else trusted)


def _quadrature(expr, atoms, d, ks, mode, dps) -> dict[int, Eigen]:
    """The eigenvalues of a kernel that needs quadrature: exact moments (odd d) or panel Gauss rules."""
    if mode == "exact":
        ok = atoms is not None and d % 2 == 1 and all(a[0][0] == "u" for a in atoms)
        if not ok or max(ks) + d > EXACT_INTEGRAL_KMAX:
            raise ValueError(f"mode='exact' is available for this kernel only for odd `d` with `k` + `d` <= "
                             f"{EXACT_INTEGRAL_KMAX} (named kernels and kernels built from t, arcsin/arccos of t or "
                             f"(1+t)/2, sqrt(1-t^2)); got d={d}, k={max(ks)}; use mode='mpmath' or 'float'")
        return {k: _record(k, bias_eigenvalue_exact(atoms, d, k), d, mode, dps, EXACT_DIGITS) for k in ks}
    vals = quad_eigenvalues(expr, ks, d, mode, dps)
    return {k: _record(k, v, d, mode, dps, dig) for k, (v, dig) in vals.items()}


def _check_ks(ks) -> list[int]:
    if isinstance(ks, (int, bool, str, bytes)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"`ks` must be an iterable of integers in [0, {K_MAX}]; got {shown(ks)}")
    return [check_int("k", k, 0, K_MAX, what="degree") for k in ks]


def _probe(expr, atoms, d, kmax, mode, dps) -> bool:
    """Whether the kernel needs quadrature at ``kmax`` (decided before the loop, so a refusal is up front)."""
    try:
        with mpmath.workdps(dps + 10):
            _one(expr, atoms, d, kmax, mode if mode != "exact" else "float", dps)
        return False
    except _NeedsQuadrature:
        return True


def eigenvalues(kernel: Any, d: int, ks: Iterable[int], mode: str = "exact", dps: int = 30) -> list[Eigen]:
    """lambda_k for every k in ``ks`` (see :class:`Eigen`); cost O(1) Gamma products per k.

    Parameters
    ----------
    kernel : str or sympy.Expr or theory.dual.NetworkKernel
        A name from :data:`theory.kernels.KERNELS`, an expression in :data:`theory.kernels.t`, or a
        network kernel (dispatched to :func:`theory.dual.spectrum.eigenvalues`).
    d : int in [2, D_MAX]
        Ambient dimension (data on S^{d-1} in R^d).
    ks : iterable of int in [0, K_MAX]
        (exact mode: k <= ``EXACT_KMAX``; kernels computed by quadrature: ``k + d <= QUAD_KMAX[mode]``,
        exact ``k + d <= EXACT_INTEGRAL_KMAX``, odd d.)
    mode : {"exact", "mpmath", "float"}
    dps : int in [DPS_MIN, DPS_MAX]
        mpmath decimal digits (mode "mpmath").

    Raises
    ------
    ValueError, TypeError
        One line naming the argument and its supported range (checked before any work is done).
    """
    if hasattr(kernel, "eigenvalues") and not isinstance(kernel, (str, sympy.Basic)):
        return kernel.eigenvalues(d, ks, mode=mode, dps=dps)    # theory.dual network kernels
    d = check_int("d", d, 2, D_MAX, what="dimension")
    mode = check_mode(mode)
    dps = check_dps("dps", dps)
    ks = _check_ks(ks)
    expr = kernel_expr(kernel)
    if not ks:
        return []
    kmax = max(ks)
    multiplicity(d, kmax)                                   # refuses N(d, k) beyond its digit bound
    if mode == "exact" and kmax > EXACT_KMAX:
        raise ValueError(f"mode='exact' supports `k` <= {EXACT_KMAX} (exact rationals grow like k digits); "
                         f"got k={kmax}; use mode='mpmath' or 'float'")
    atoms = decompose_expr(expr)
    quad = _probe(expr, atoms, d, kmax, mode, dps)
    if quad and mode != "exact":
        check_quad_range(kmax, d, mode)
    out: dict[int, Eigen] = {}
    todo = []
    with mpmath.workdps(dps + 10):
        for k in dict.fromkeys(ks):
            try:
                out[k] = _one(expr, atoms, d, k, mode, dps)
            except _NeedsQuadrature:
                todo.append(k)
        if todo:
            out.update(_quadrature(expr, atoms, d, todo, mode, dps))
    return [out[k] for k in ks]


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
    k = check_int("k", k, 0, K_MAX, what="degree")
    return eigenvalues(kernel, d, [k], mode=mode, dps=dps)[0].value     # network kernels too
