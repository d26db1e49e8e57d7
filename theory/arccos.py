"""Arc-cosine functions of Cho & Saul (2009), normalised so that kappa(1) = 1.

For unit ``x, x'`` with ``t = <x, x'>`` and ``w ~ N(0, I_d)`` (docs/basri2019.md §1)::

    E[1{w.x >= 0} 1{w.x' >= 0}] = kappa0(t) / 2,    kappa0(t) = (pi - arccos t) / pi
    E[relu(w.x) relu(w.x')]     = kappa1(t) / 2,    kappa1(t) = (sqrt(1 - t^2) + t (pi - arccos t)) / pi

One formula per function, evaluated in one of three number systems chosen by ``mode``
(the orthopy pattern): ``"exact"`` (SymPy; ``t`` may be a SymPy expression or symbol),
``"mpmath"`` (the caller's ``mpmath.mp.dps``) or ``"float"`` (``math``, float64).

References
----------
.. [1] Y. Cho, L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009, eqs. (1)-(7):
   their ``k_n = (1/pi) J_n(theta)`` with ``J_0 = pi - theta``,
   ``J_1 = sin(theta) + (pi - theta) cos(theta)``.
"""
from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from theory.validate import check_choice, shown

__all__ = ["MODES", "ops", "to_number", "kappa0", "kappa1"]

MODES = ("exact", "mpmath", "float")


def _fraction(x: Any) -> Fraction | None:
    """``x`` as an exact Fraction (strings like '1/3', ints of any library, floats of any width);
    None for SymPy and mpmath objects (handled by the caller); TypeError otherwise."""
    if x is None or isinstance(x, bool) or type(x).__name__ == "bool_":
        raise TypeError("bool/None")
    if isinstance(x, str):
        if len(x) > 200:
            raise TypeError("string too long")
        return Fraction(x.strip())                 # ValueError for '', 'nan', 'inf', junk
    if isinstance(x, Fraction):
        return x
    if hasattr(x, "__index__") and not isinstance(x, (sympy.Basic, float)):
        return Fraction(operator.index(x))
    if isinstance(x, (sympy.Basic, mpmath.mpf)):
        return None
    if isinstance(x, numbers.Real):                   # float, np.float32/64: the exact binary value
        v = float(x)
        if not math.isfinite(v):
            raise ValueError("not finite")
        return Fraction(v)
    raise TypeError(type(x).__name__)


def _convert(x: Any, mode: str):
    """``x`` in ``mode``'s number type (exactly rounded from its exact value)."""
    f = _fraction(x)
    if f is not None:
        if mode == "exact":
            return sympy.Rational(f.numerator, f.denominator)
        if mode == "mpmath":
            return mpmath.mpf(f.numerator) / f.denominator
        return f.numerator / f.denominator             # correctly rounded, OverflowError if huge
    if isinstance(x, mpmath.mpf):
        x = sympy.Float(x, mpmath.mp.dps)
    if isinstance(x, sympy.Float):
        x = sympy.Rational(x)
    if mode == "exact":
        return x
    if mode == "mpmath":
        return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))
    return float(x)


_OPS = {  # sqrt, acos, pi
    "exact": (sympy.sqrt, sympy.acos, sympy.pi),
    "mpmath": (mpmath.sqrt, mpmath.acos, None),
    "float": (math.sqrt, math.acos, math.pi),
}


def ops(mode: str):
    """``(number, sqrt, acos, pi)`` for ``mode``; ValueError for an unknown mode."""
    mode = check_choice("mode", mode, MODES)
    sqrt, acos, pi = _OPS[mode]
    if mode == "mpmath":
        pi = +mpmath.pi      # at the current precision
    return (lambda x: _convert(x, mode)), sqrt, acos, pi


_T_RANGE = "a real number in [-1, 1] (an inner product of unit vectors; exact mode: e.g. '1/3')"


def _in_range(x: Any, f: Fraction | None) -> bool:
    if f is not None:
        return -1 <= f <= 1
    if isinstance(x, sympy.Basic):
        lo, hi = (x + 1).is_nonnegative, (1 - x).is_nonnegative
        if lo is not None and hi is not None:
            return bool(lo and hi)
        x = sympy.N(x, 30)
    return -1 <= float(x) <= 1


def to_number(t: Any, mode: str = "float", *, check_range: bool = True):
    """Convert ``t`` to ``mode``'s number type; ``t`` must lie in [-1, 1] when concrete.

    Accepted: Python/NumPy/SymPy integers and floats (their exact value), strings such as
    ``"1/3"`` or ``"0.25"``, mpmath numbers, real SymPy numbers (and, exact mode, symbols).
    TypeError/ValueError naming ``t`` and the range otherwise (never an OverflowError).
    """
    mode = check_choice("mode", mode, MODES)
    try:
        f = _fraction(t)
        if isinstance(t, sympy.Basic):
            if t.is_number and t.is_real is False or t.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise TypeError("not real")
        symbolic = isinstance(t, sympy.Basic) and not t.is_number
        ok = _in_range(t, f) if check_range and not symbolic else True
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, sympy.SympifyError):
        raise TypeError(f"`t` must be {_T_RANGE}; got {shown(t)}") from None
    if not ok:
        raise ValueError(f"`t` must be {_T_RANGE}; got {shown(t)}")
    if isinstance(t, sympy.Basic) and not t.is_number and mode != "exact":
        raise TypeError(f"`t` must be {_T_RANGE} (a symbol only in exact mode); got {shown(t)}")
    return _convert(t, mode)


def kappa0(t: Any, mode: str = "exact"):
    """Degree-0 arc-cosine function ``(pi - arccos t) / pi`` (step-function gate)."""
    num, sqrt, acos, pi = ops(mode)
    t = to_number(t, mode)
    return (pi - acos(t)) / pi


def kappa1(t: Any, mode: str = "exact"):
    """Degree-1 arc-cosine function ``(sqrt(1 - t^2) + t (pi - arccos t)) / pi`` (ReLU)."""
    num, sqrt, acos, pi = ops(mode)
    t = to_number(t, mode)
    return (sqrt(1 - t**2) + t * (pi - acos(t))) / pi
