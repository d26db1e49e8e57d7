"""Number primitives of the three modes ("exact", "mpmath", "float") for Funk-Hecke eigenvalues.

:class:`Arith` evaluates a product ``r * 2**p2 * prod Gamma(x)**e`` (r, p2, x Fractions) as an exact
SymPy number, an mpmath number at the current precision, or a float64 from ``math.lgamma`` with an
error model; :mod:`theory.funk_hecke.gauss_sums` and :mod:`theory.basri2019` write each formula once and pass
an ``Arith`` to choose the number system (one formula, three number systems, as :func:`theory.arccos.ops`).
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from theory.arccos import MODES

__all__ = ["Arith", "check_mode"]


def check_mode(mode: Any) -> str:
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {list(MODES)}; got {mode!r}")
    return mode


class Arith:
    """Number primitives of one mode: products of Gammas, and a pFq(1) for what Gauss can't sum."""

    def __init__(self, mode, dps):
        self.mode, self.dps = mode, dps
        self.err = 0.0          # float mode: accumulated |log| magnitudes (error model)
        self.cancel = 1.0       # max (sum |terms|) / |sum| of an atom (1 = no cancellation)
        self.hyper_digits = None    # digits of a numerical (quadrature) fallback, if used

    def prod(self, r, p2, gammas):
        r = Fraction(r)
        if self.mode == "exact":
            out = sympy.Rational(r.numerator, r.denominator) * sympy.Integer(2)**sympy.Rational(
                p2.numerator, p2.denominator)
            for e, x in gammas:
                out *= sympy.gamma(sympy.Rational(x.numerator, x.denominator))**e
            return out
        if self.mode == "mpmath":
            out = mpmath.mpf(r.numerator) / r.denominator * mpmath.power(
                2, mpmath.mpf(p2.numerator) / p2.denominator)
            for e, x in gammas:
                out *= mpmath.gamma(mpmath.mpf(x.numerator) / x.denominator)**e
            return out
        if r == 0:
            return 0.0
        sign = 1.0 if r > 0 else -1.0
        lg = math.log(abs(r)) + float(p2) * math.log(2)
        mag = abs(lg)
        for e, x in gammas:
            v = math.lgamma(float(x))
            lg += e * v
            mag += abs(v)
        self.err += mag * 2.3e-16 + 4e-16
        return sign * math.exp(lg)

    def zero(self):
        return sympy.S.Zero if self.mode == "exact" else (mpmath.mpf(0) if self.mode == "mpmath" else 0.0)

    def coef(self, c):
        """A kernel coefficient (SymPy number, may contain pi) in this mode."""
        if self.mode == "exact":
            return c
        return _coef_num(c, self.mode, mpmath.mp.dps)


@functools.lru_cache(maxsize=256)
def _coef_num(c, mode, dps):
    if mode == "mpmath":
        return mpmath.mpf(sympy.N(c, dps + 5))
    return float(c)

