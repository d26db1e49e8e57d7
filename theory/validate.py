"""Argument validators: the one copy used by ``theory``, ``numerics`` and ``reports``.

Each returns the cleaned value or raises ``TypeError`` (wrong kind of value) / ``ValueError`` (out of
range) with a one-line message that names the argument, says what it is, gives the allowed range
and the value received (shortened: a 5,000-character input is not echoed whole).  Pure Python: no
SymPy, NumPy or mpmath is needed to call them (NumPy and SymPy integers are accepted).
"""
from __future__ import annotations

import math
import operator
from typing import Any, Iterable

__all__ = ["check_int", "check_real", "check_choice", "check_dps", "shown", "D_MAX", "K_MAX", "DPS_MIN",
           "DPS_MAX"]

_MAX_SHOWN = 60

# Supported ranges of the theory API and the CLI (README "Supported ranges"): beyond them a result
# could not be delivered with the digits it states within seconds, so the input is refused up front.
D_MAX = 10**6
"""Largest ambient dimension ``d`` (data on S^{d-1})."""
K_MAX = 10**12
"""Largest degree ``k``."""
DPS_MIN, DPS_MAX = 5, 1000
"""Range of mpmath decimal digits ``dps``."""


def shown(value: Any) -> str:
    """``repr(value)``, cut to about 60 characters (``...`` and the full length when cut)."""
    try:
        r = repr(value)
    except Exception:                         # a broken __repr__ must not hide the real error
        r = f"<{type(value).__name__}>"
    if len(r) <= _MAX_SHOWN:
        return r
    return f"{r[:_MAX_SHOWN - 3]}... ({len(r)} characters)"


def _label(name: str, what: str | None) -> str:
    return f"`{name}`" + (f" ({what})" if what else "")


def _range(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"in [{lo}, {hi}]"
    if lo is not None:
        return f">= {lo}"
    if hi is not None:
        return f"<= {hi}"
    return ""


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None, *,
              what: str | None = None) -> int:
    """``value`` as a Python ``int`` in ``[lo, hi]`` (either bound may be None).

    Integers of any library that implement ``__index__`` (NumPy, SymPy) are accepted; ``bool``,
    floats (even integral ones) and strings are not.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If it lies outside ``[lo, hi]``.
    """
    rng = _range(lo, hi)
    if isinstance(value, (bool, float, complex, str, bytes)) or not hasattr(value, "__index__"):
        raise TypeError(f"{_label(name, what)} must be an int {rng}; got {shown(value)}".replace("  ", " "))
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{_label(name, what)} must be an int {rng}; got {shown(value)}".replace("  ", " ")) from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{_label(name, what)} must be an int {rng}; got {shown(v)}")
    return v


def check_real(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
               what: str | None = None, lo_open: bool = False, finite: bool = True) -> float:
    """``value`` as a float in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``), finite unless ``finite=False``."""
    if isinstance(value, (bool, str, bytes, complex)):
        raise TypeError(f"{_label(name, what)} must be a real number; got {shown(value)}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{_label(name, what)} must be a real number; got {shown(value)}") from None
    bound = ("in " + ("(" if lo_open else "[") + f"{lo}, {hi}]" if lo is not None and hi is not None else
             (f"> {lo}" if lo_open else f">= {lo}") if lo is not None else f"<= {hi}" if hi is not None else "")
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{_label(name, what)} must be a finite real number {bound}; got {shown(value)}"
                         .replace("  ", " ").replace(" ;", ";"))
    if (lo is not None and (v < lo or (lo_open and v == lo))) or (hi is not None and v > hi):
        raise ValueError(f"{_label(name, what)} must be a real number {bound}; got {shown(value)}")
    return v


def check_dps(name: str, value: Any) -> int:
    """``value`` as an int in ``[DPS_MIN, DPS_MAX]`` (mpmath decimal digits)."""
    return check_int(name, value, DPS_MIN, DPS_MAX, what="mpmath decimal digits")


def check_choice(name: str, value: Any, choices: Iterable[Any], *, what: str | None = None) -> Any:
    """``value`` if it is one of ``choices`` (compared with ``==``), else ValueError listing them."""
    choices = list(choices)
    try:
        ok = value in choices
    except TypeError:                          # unhashable / uncomparable
        ok = False
    if not ok:
        raise ValueError(f"{_label(name, what)} must be one of {', '.join(map(repr, choices))}; "
                         f"got {shown(value)}")
    return value
