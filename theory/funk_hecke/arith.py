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

__all__ = ["Arith", "check_mode", "gamma_exact"]


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
        self.underflow = False      # float mode: a term underflowed float64

    def prod(self, r, p2, gammas):
        r = Fraction(r)
        if self.mode == "exact":
            return _exact_prod(r, Fraction(p2), gammas)
        if self.mode == "mpmath":
            out = mpmath.mpf(r.numerator) / r.denominator * mpmath.power(
                2, mpmath.mpf(p2.numerator) / p2.denominator)
            for e, x in gammas:
                out *= mpmath.gamma(mpmath.mpf(x.numerator) / x.denominator)**e
            return out
        return self._float_prod(r, Fraction(p2), gammas)

    def _float_prod(self, r, p2, gammas):
        """float64 from ``math.lgamma``; where that would leave fewer than 8 digits (arguments beyond
        about 1e8), the log-Gamma sum is taken in mpmath at enough digits to survive its cancellation."""
        if r == 0:
            return 0.0
        sign = 1.0 if r > 0 else -1.0
        mag = abs(math.log(abs(r))) + abs(float(p2)) * math.log(2) + sum(
            abs(e) * abs(math.lgamma(float(x))) for e, x in gammas)
        if mag * 2.3e-16 < 1e-8:
            lg = math.log(abs(r)) + float(p2) * math.log(2) + sum(e * math.lgamma(float(x)) for e, x in gammas)
            self.err += mag * 2.3e-16 + 4e-16
        else:
            with mpmath.workdps(25 + int(math.log10(mag))):
                lg = mpmath.log(abs(r.numerator)) - mpmath.log(r.denominator) + mpmath.mpf(p2.numerator) / \
                    p2.denominator * mpmath.log(2)
                for e, x in gammas:
                    lg += e * mpmath.loggamma(mpmath.mpf(x.numerator) / x.denominator)
                lg = float(lg)
            self.err += 4e-16
        if lg < -745.0:                          # below the smallest float64: 0.0, no digit right
            self.underflow = True
        return sign * math.exp(lg) if lg < 709.0 else sign * math.inf

    def zero(self):
        return sympy.S.Zero if self.mode == "exact" else (mpmath.mpf(0) if self.mode == "mpmath" else 0.0)

    def coef(self, c):
        """A kernel coefficient (SymPy number, may contain pi) in this mode."""
        if self.mode == "exact":
            return c
        return _coef_num(c, self.mode, mpmath.mp.dps)


def gamma_exact(x: Fraction) -> tuple[Fraction, int]:
    """Gamma(x) = q * sqrt(pi)**m for an integer or half-integer x (not a pole): ``(q, m)``."""
    if x.denominator == 1:
        n = int(x)
        if n <= 0:
            raise ZeroDivisionError(f"Gamma pole at {x}")
        return Fraction(math.factorial(n - 1)), 0
    n = int(x - Fraction(1, 2))                      # x = n + 1/2
    if n >= 0:
        return Fraction(math.factorial(2 * n), 4**n * math.factorial(n)), 1
    n = -n                                           # x = 1/2 - n
    return Fraction((-4)**n * math.factorial(n), math.factorial(2 * n)), 1


def _exact_prod(r: Fraction, p2: Fraction, gammas) -> sympy.Expr:
    """``r 2**p2 prod Gamma(x)**e`` as ``Rational * pi**(m/2) * 2**(p2 fraction)`` without building
    SymPy Gamma objects (integer and half-integer arguments; any other falls back to ``sympy.gamma``)."""
    q, m, rest = r, 0, sympy.S.One
    for e, x in gammas:
        x = Fraction(x)
        if x.denominator in (1, 2):
            g, mm = gamma_exact(x)
            q *= g**e
            m += mm * e
        else:
            rest *= sympy.gamma(sympy.Rational(x.numerator, x.denominator))**e
    whole = p2.numerator // p2.denominator
    q *= Fraction(2)**whole
    frac = p2 - whole
    out = sympy.Rational(q.numerator, q.denominator) * sympy.pi**sympy.Rational(m, 2) * rest
    return out * sympy.Integer(2)**sympy.Rational(frac.numerator, frac.denominator) if frac else out


@functools.lru_cache(maxsize=256)
def _coef_num(c, mode, dps):
    if mode == "mpmath":
        return mpmath.mpf(sympy.N(c, dps + 5))
    return float(c)

