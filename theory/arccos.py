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
from fractions import Fraction
from typing import Any

import mpmath
import sympy

__all__ = ["MODES", "ops", "to_number", "kappa0", "kappa1"]

MODES = ("exact", "mpmath", "float")


def _float_num(x: Any) -> float:
    if isinstance(x, str):
        return float(Fraction(x))
    return float(x)


def _mp_num(x: Any):
    if isinstance(x, str) and "/" in x:
        p, q = x.split("/")
        return mpmath.mpf(p) / mpmath.mpf(q)
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))
    return mpmath.mpf(x)


def _exact_num(x: Any):
    if isinstance(x, sympy.Basic):
        return x
    if isinstance(x, float):
        return sympy.Rational(x)          # the float's exact binary value
    return sympy.Rational(x) if isinstance(x, (str, int, Fraction)) else sympy.sympify(x)


_OPS = {  # number constructor, sqrt, acos, pi
    "exact": (_exact_num, sympy.sqrt, sympy.acos, sympy.pi),
    "mpmath": (_mp_num, mpmath.sqrt, mpmath.acos, None),
    "float": (_float_num, math.sqrt, math.acos, math.pi),
}


def ops(mode: str):
    """``(number, sqrt, acos, pi)`` for ``mode``; ValueError for an unknown mode."""
    if mode not in _OPS:
        raise ValueError(f"`mode` must be one of {list(MODES)}; got {mode!r}")
    num, sqrt, acos, pi = _OPS[mode]
    if mode == "mpmath":
        pi = +mpmath.pi      # at the current precision
    return num, sqrt, acos, pi


def to_number(t: Any, mode: str = "float", *, check_range: bool = True):
    """Convert ``t`` to ``mode``'s number type; ``t`` must lie in [-1, 1] when concrete."""
    num = ops(mode)[0]
    if isinstance(t, bool):
        raise TypeError(f"`t` must be a real number in [-1, 1]; got {t!r}")
    try:
        x = num(t)
    except (ValueError, TypeError, ZeroDivisionError, sympy.SympifyError) as exc:
        raise TypeError(f"`t` must be a real number in [-1, 1] (exact mode: e.g. '1/3'); got {t!r}") from exc
    if check_range:
        if isinstance(x, sympy.Basic) and not x.is_number:
            return x                      # symbolic: no range to check
        if not (-1 <= float(x) <= 1):
            raise ValueError(f"`t` (an inner product of unit vectors) must lie in [-1, 1]; got {t!r}")
    return x


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
