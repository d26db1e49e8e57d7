"""Evidence: what a check measured, the criteria that judge it, and figure data.

A check returns :class:`Evidence`; its verdict is computed here from the criteria (measured number,
expected value, stated tolerance): ``"PASS"`` iff there is at least one criterion and all hold.
Criteria are built only by :func:`close`, :func:`at_most`, :func:`at_least`, :func:`within`,
:func:`equal`, which compute ``ok`` from the numbers.  Figures are plain data rendered by ``reports``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from numerics.verify.jsonable import to_jsonable

__all__ = ["Criterion", "Evidence", "Figure", "Series", "close", "at_most", "at_least", "within",
           "equal", "to_jsonable"]

# --------------------------------------------------------------------------- criteria
def _num(x: Any) -> Any:
    """A JSON-friendly number: float for reals, with exact values kept as strings elsewhere."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


@dataclass(frozen=True)
class Criterion:
    """One measured number judged against a stated tolerance.

    Use the constructors :func:`close`, :func:`at_most`, :func:`at_least`, :func:`within`,
    :func:`equal`; ``ok`` is computed by them from the numbers, never passed in.
    """

    name: str
    measured: Any
    op: str                 # "close" | "<=" | ">=" | "in" | "=="
    expected: Any = None    # target value, bound, or (lo, hi)
    rtol: float = 0.0
    atol: float = 0.0
    ok: bool = False

    @property
    def tolerance(self) -> str:
        """The tolerance in words, e.g. ``|x - 2| <= 0.1 + 0*|2|``."""
        e = self.expected
        if self.op == "close":
            parts = []
            if self.atol:
                parts.append(f"{self.atol:.3g}")
            if self.rtol:
                parts.append(f"{self.rtol:.3g}*|expected|")
            return f"|measured - {_fmt(e)}| <= " + (" + ".join(parts) if parts else "0")
        if self.op == "<=":
            return f"measured <= {_fmt(e)}"
        if self.op == ">=":
            return f"measured >= {_fmt(e)}"
        if self.op == "in":
            return f"{_fmt(e[0])} <= measured <= {_fmt(e[1])}"
        return f"measured == {e} exactly"

    def to_json(self) -> dict[str, Any]:
        out = {"name": self.name, "measured": _num(self.measured), "op": self.op,
               "expected": ([_num(v) for v in self.expected] if isinstance(self.expected, tuple)
                            else _num(self.expected)),
               "tolerance": self.tolerance, "ok": bool(self.ok)}
        if self.op == "==":
            out["measured_exact"] = str(self.measured)
            out["expected_exact"] = str(self.expected)
        return out


def _fmt(x: Any) -> str:
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return str(x)


def _finite(name: str, x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"criterion {name!r}: measured value must be a real number; got {x!r}") from exc
    return v


def close(name: str, measured: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0) -> Criterion:
    """``|measured - expected| <= atol + rtol * |expected|`` (NaN never passes)."""
    if rtol < 0 or atol < 0 or (rtol == 0 and atol == 0):
        raise ValueError(f"criterion {name!r}: give a positive `rtol` and/or `atol`; got rtol={rtol}, atol={atol}")
    m, e = _finite(name, measured), _finite(name, expected)
    ok = bool(abs(m - e) <= atol + rtol * abs(e)) if math.isfinite(m) else False
    return Criterion(name, measured, "close", expected, rtol, atol, ok)


def at_most(name: str, measured: Any, bound: Any) -> Criterion:
    """``measured <= bound`` (NaN never passes)."""
    m, b = _finite(name, measured), _finite(name, bound)
    return Criterion(name, measured, "<=", bound, ok=bool(m <= b))


def at_least(name: str, measured: Any, bound: Any) -> Criterion:
    """``measured >= bound`` (NaN never passes)."""
    m, b = _finite(name, measured), _finite(name, bound)
    return Criterion(name, measured, ">=", bound, ok=bool(m >= b))


def within(name: str, measured: Any, lo: Any, hi: Any) -> Criterion:
    """``lo <= measured <= hi``."""
    m = _finite(name, measured)
    return Criterion(name, measured, "in", (lo, hi), ok=bool(float(lo) <= m <= float(hi)))


def equal(name: str, measured: Any, expected: Any) -> Criterion:
    """Exact equality (SymPy numbers, ints, Fractions): ``measured - expected == 0`` exactly.

    For SymPy objects the difference is simplified first; a result SymPy cannot decide is not equal.
    """
    try:
        import sympy
        diff = sympy.nsimplify(0) + sympy.simplify(sympy.sympify(measured) - sympy.sympify(expected))
        ok = bool(diff == 0)
    except Exception:  # non-SymPy values
        ok = bool(measured == expected)
    return Criterion(name, measured, "==", expected, ok=ok)


# --------------------------------------------------------------------------- figures
@dataclass
class Series:
    """One curve (or set of points / bars) of a figure; plain data, rendered by ``reports``.

    ``style``: ``"line"``, ``"points"``, ``"dashed"`` (a prediction), ``"bar"``.
    """

    x: list
    y: list
    label: str = ""
    style: str = "line"

    def __post_init__(self):
        self.x = [_num(v) for v in np.asarray(self.x, dtype=float).ravel()]
        self.y = [_num(v) for v in np.asarray(self.y, dtype=float).ravel()]


@dataclass
class Figure:
    """Figure data produced by a check (rendered to PNG/PDF by the report; no matplotlib here).

    Parameters
    ----------
    name : str
        File-name stem, unique within the claim (letters, digits, ``-``, ``_``).
    title, xlabel, ylabel : str
        Plain text (mathtext ``$...$`` allowed).
    series : list of Series
        Curves for ``kind="line"``.
    xscale, yscale : {"linear", "log", "symlog"}
    kind : {"line", "heatmap"}
        ``heatmap`` draws ``z`` (a 2-D list) with ``extent`` ``[x0, x1, y0, y1]``.
    caption : str
        One sentence saying what the reader should see.
    """

    name: str
    title: str
    xlabel: str = ""
    ylabel: str = ""
    series: list[Series] = field(default_factory=list)
    xscale: str = "linear"
    yscale: str = "linear"
    kind: str = "line"
    z: list | None = None
    extent: list | None = None
    caption: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "series": [vars(s) for s in self.series], "xscale": self.xscale,
                "yscale": self.yscale, "kind": self.kind,
                "z": None if self.z is None else np.asarray(self.z, dtype=float).tolist(),
                "extent": self.extent, "caption": self.caption}


# --------------------------------------------------------------------------- evidence
@dataclass
class Evidence:
    """What a check measured.  The verdict is computed, never given.

    Parameters
    ----------
    criteria : list of Criterion
        The judged numbers.  No criteria means ``"FAIL"``: nothing was shown.
    kind : str
        Number kind of the measurement: ``"exact"``, ``"mpmath (dps=50)"``, ``"float64"`` ...
    sizes : dict
        Problem sizes (n, m, k range, steps, ...).
    data : dict
        Further measured numbers (tables) the report prints; JSON-serialisable.
    figures : list of Figure
    notes : str
        Method notes (solver used, what was extrapolated, ...), plain text.
    """

    criteria: list[Criterion]
    kind: str = "float64"
    sizes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: str = ""
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None or not self.criteria:
            return "FAIL"
        return "PASS" if all(c.ok for c in self.criteria) else "FAIL"

    @property
    def measured(self) -> dict[str, Any]:
        return {c.name: _num(c.measured) for c in self.criteria}

    @property
    def tolerance(self) -> dict[str, str]:
        return {c.name: c.tolerance for c in self.criteria}

    def to_json(self) -> dict[str, Any]:
        return to_jsonable({
            "verdict": self.verdict, "kind": self.kind, "measured": self.measured,
            "tolerance": self.tolerance, "criteria": [c.to_json() for c in self.criteria],
            "sizes": self.sizes, "data": self.data, "notes": self.notes, "error": self.error,
        })
