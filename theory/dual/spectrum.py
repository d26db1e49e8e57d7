"""Funk-Hecke eigenvalues of a network kernel (docs/dual.md §4).

Two routes:

``"engine"``
    a closed-form kernel (SymPy expression in t) goes to :func:`theory.funk_hecke.eigen.eigenvalues`:
    exact where it splits into the engine's atoms (depth-1 ReLU kernels), else ``mpmath.quad`` with
    its stated digits;
``"series"``
    ``K(t) = sum_m kappa_m t^m`` (all ``kappa_m >= 0``, :meth:`NetworkKernel.series`) and the monomial
    coefficients ``mu_d(m, k)`` of :func:`theory.funk_hecke.gauss_sums.monomial_eigenvalue`:
    ``lambda_k = sum_m kappa_m mu_d(m, k)``, a sum of positive terms.  The neglected part of the
    series is ``>= 0`` with ``sum <= tail = K(1) - sum kappa_m``, so
    ``0 <= lambda_k - lambda_k^(M) <= tail * max_m mu_d(m, k)``.  ``mu_d(., k)`` is unimodal in m
    (term ratio ``(m+1)(m+2) / ((m-k+2)(m+k+d))``): the maximum is at the first m of k's parity past
    ``(k^2 + (d-2)k - 2d + 2)/(d-1)``.  Trusted digits: ``-log10(bound / lambda_k)``.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy.special import eval_gegenbauer, roots_legendre

from theory.funk_hecke.arith import Arith
from theory.funk_hecke.eigen import Eigen, eigenvalues as engine_eigenvalues
from theory.funk_hecke.gauss_sums import monomial_eigenvalue
from theory.spherical import multiplicity
from theory.validate import check_choice, check_int

__all__ = ["eigenvalues", "series_eigenvalues", "mu_max"]


def mu_max(d: int, k: int, ar: Arith):
    """``max_{m >= k, m = k mod 2} mu_d(m, k)`` (module docstring)."""
    m = max(k, math.ceil((k * k + (d - 2) * k - 2 * d + 2) / (d - 1)) if d > 1 else k)
    m += (m - k) % 2
    return max(monomial_eigenvalue(mm, k, d, "t", ar) for mm in (m, m + 2) if mm >= k)


def series_eigenvalues(nk, d: int, ks, M: int, mode: str = "float", dps: int = 30) -> list[Eigen]:
    """lambda_k from the kernel's series of ``M + 1`` terms, with the certified truncation bound."""
    kappa, tail = nk.series(M, mode=mode, dps=dps)
    out = []
    with mpmath.workdps(dps + 10):
        ar = Arith(mode, dps)
        for k in ks:
            lam = ar.zero()
            for m in range(k, M + 1, 2):
                if kappa[m]:
                    lam += kappa[m] * monomial_eigenvalue(m, k, d, "t", ar)
            bound = tail * mu_max(d, k, ar)
            cap = 15 if mode == "float" else dps
            if lam == 0:
                digits = 0 if bound else cap
            else:
                digits = cap if bound == 0 else int(max(0, min(cap, -mpmath.log10(bound / lam))))
            s = repr(float(lam)) if mode == "float" else mpmath.nstr(lam, dps)
            out.append(Eigen(k, lam if mode == "mpmath" else float(lam), multiplicity(d, k), mode, s, digits))
    return out


def theta_eigenvalues(nk, d: int, ks, nodes: int = 1500) -> list[Eigen]:
    """float64 lambda_k by Gauss-Legendre in ``theta`` (the integrand of a ReLU-type kernel is smooth
    in theta although not in t), with ``nodes`` and ``2 nodes``: the agreement is the stated digits."""
    c = math.exp(math.lgamma(d / 2) - math.lgamma((d - 1) / 2)) / math.sqrt(math.pi)
    a = (d - 2) / 2
    vals = []
    for n in (nodes, 2 * nodes):
        z, w = roots_legendre(n)
        th = (z + 1) * math.pi / 2
        x = np.cos(th)
        if d == 2:                                    # (1/pi) int_0^pi K(cos th) cos(k th) dth
            base = w * nk(x) / 2
            row = [float(np.sum(base * np.cos(k * th))) for k in ks]
        else:
            base = c * (math.pi / 2) * w * nk(x) * np.sin(th) ** (d - 2)
            row = [float(np.sum(base * eval_gegenbauer(k, a, x)) / eval_gegenbauer(k, a, 1.0)) for k in ks]
        vals.append(row)
    out = []
    for k, v1, v2 in zip(ks, *vals):
        diff = abs(v2 - v1)
        digits = 15 if diff == 0 else int(max(0, min(15, -math.log10(diff / max(abs(v2), 1e-300)))))
        out.append(Eigen(k, v2, multiplicity(d, k), "float", repr(v2), digits))
    return out


def eigenvalues(nk, d: int, ks, mode: str = "float", dps: int = 30, route: str | None = None,
                M: int | None = None) -> list[Eigen]:
    """Eigenvalues of the network kernel ``nk`` on S^{d-1} for every k in ``ks`` (see module docstring).

    Parameters
    ----------
    nk : theory.dual.network.NetworkKernel
    d : int >= 2
    ks : iterable of int >= 0
    mode : {"exact", "mpmath", "float"}
    route : {"engine", "series", "theta"}, optional
        Default: ``"engine"`` for closed forms, ``"series"`` otherwise; ``"theta"``: float64
        Gauss-Legendre in theta (:func:`theta_eigenvalues`).
    M : int, optional
        Series terms (default ``max(2 max(ks) + 40, 200)``).
    """
    d = check_int("d", d, 2)
    ks = [check_int("k", k, 0, 10**4) for k in ks]
    route = route or ("engine" if nk.closed_form else "series")
    check_choice("route", route, ("engine", "series", "theta"))
    if route == "theta":
        if mode != "float":
            raise ValueError(f"route='theta' is float64 only; got mode={mode!r}")
        return theta_eigenvalues(nk, d, ks)
    if route == "engine":
        if not nk.closed_form:
            raise ValueError(f"route='engine' needs a closed-form kernel; {nk!r} has none")
        return engine_eigenvalues(nk.expr, d, ks, mode=mode, dps=dps)
    if mode == "exact":
        raise ValueError(f"mode='exact' is not available for the series route ({nk!r}); use 'mpmath' or 'float'")
    M = M or max(2 * max(ks, default=0) + 40, 200)
    return series_eigenvalues(nk, d, ks, M, mode, dps)
