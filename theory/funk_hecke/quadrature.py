"""Fallbacks of the Funk-Hecke eigenvalues when a kernel's series is not a sum of Gauss sums.

``mpmath.quad`` in ``theta`` (mpmath/float modes; twice at precisions 10 digits apart to state the
trustworthy digits) and exact SymPy integration for odd ``d`` and ``k <= EXACT_INTEGRAL_KMAX``
(exact mode, bias kernels).  Convention and normalisation as in :mod:`theory.funk_hecke`.
"""
from __future__ import annotations

import mpmath
import sympy

from theory.kernels import t
from theory.spherical import legendre_P

__all__ = ["EXACT_INTEGRAL_KMAX", "quad_eigenvalue", "sympy_integral"]


EXACT_INTEGRAL_KMAX = 12
"""Largest k for which exact mode integrates a non-Gauss kernel (bias kernels, odd d) with SymPy."""


def sympy_integral(expr, d, k):
    """Exact Funk-Hecke integral by SymPy (odd d: the weight (1-t^2)^((d-3)/2) is a polynomial).

    Used for ``ntk-bias``/``nngp-bias`` in exact mode; seconds per k (about 6 s at k = 4, d = 3).
    """
    c = sympy.gamma(sympy.Rational(d, 2)) / (sympy.sqrt(sympy.pi) * sympy.gamma(sympy.Rational(d - 1, 2)))
    integrand = sympy.expand(expr * legendre_P(d, k) * (1 - t**2)**((d - 3) // 2))
    return sympy.factor(sympy.simplify(c * sympy.integrate(integrand, (t, -1, 1))))


def quad_eigenvalue(ar, expr, k, d):
    """Fallback for kernels that do not split into atoms: mpmath.quad in theta (digits estimated)."""
    if ar.mode == "exact":
        raise ValueError("mode='exact' needs a named kernel, a polynomial, or a kernel built from "
                         "t, arcsin/arccos(t or (1+t)/2), sqrt(1-t^2); use mode='mpmath'")
    f = sympy.lambdify(t, expr, modules="mpmath")
    base = ar.dps if ar.mode == "mpmath" else 17
    a = mpmath.mpf(d - 2) / 2
    vals = []
    for extra in (5, 15):
        with mpmath.workdps(base + extra):
            if d == 2:
                def g(th):
                    return f(mpmath.cos(th)) * mpmath.cos(k * th) / mpmath.pi
            else:
                c = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
                norm = mpmath.gegenbauer(k, a, 1)

                def g(th):
                    x = mpmath.cos(th)
                    return c * f(x) * mpmath.gegenbauer(k, a, x) / norm * mpmath.sin(th)**(d - 2)
            pts = mpmath.linspace(0, mpmath.pi, max(2, min(k + 2, 200)))
            vals.append(mpmath.quad(g, pts))
    diff = abs(vals[1] - vals[0])
    scale = max(abs(vals[1]), mpmath.mpf(10)**(-base))
    dig = int(min(base + 5, -mpmath.log10(diff / scale) if diff else base + 5))
    ar.hyper_digits = dig if ar.hyper_digits is None else min(ar.hyper_digits, dig)
    return vals[1] if ar.mode == "mpmath" else float(vals[1])

