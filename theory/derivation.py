"""The exact record of a derivation: the SymPy steps that produce a claim's formula.

A :class:`Derivation` is what ``derive()`` of every claim returns.  It holds SymPy objects (never
strings typed in as results): each step pairs a sentence with the expression SymPy produced, and
``results`` names the final formulas a user can ``import`` and reuse.  Rendering to LaTeX or JSON
happens here once, so the CLI and the report show the same text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

__all__ = ["Step", "Derivation"]


def _latex(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, bool):
        return r"\text{true}" if obj else r"\text{false}"
    return sympy.latex(obj)


@dataclass(frozen=True)
class Step:
    """One step of a derivation.

    Parameters
    ----------
    text : str
        What was done, in words (plain text; the report escapes it).
    expr : sympy.Basic or sympy.Eq or bool or str, optional
        What SymPy produced in this step.  A ``str`` is taken as LaTeX (use it only for
        notation, never for a result that SymPy should have produced).
    """

    text: str
    expr: Any = None

    @property
    def latex(self) -> str | None:
        return None if self.expr is None else _latex(self.expr)


@dataclass
class Derivation:
    """A derivation carried out by SymPy (or mpmath where exactness is too slow).

    Parameters
    ----------
    title : str
        Short name of what is derived.
    steps : list of Step
        The key steps, in order.
    results : dict of str to sympy object
        The derived formulas, by name (e.g. ``{"lambda_k": ...}``).
    kind : str
        Number kind of the results: ``"exact"`` (SymPy rationals and pi), ``"mpmath"`` or
        ``"float64"``.
    checks : dict of str to bool
        Identities verified symbolically during the derivation (``simplify(lhs - rhs) == 0``);
        a derivation whose checks are not all true is reported as such.
    """

    title: str
    steps: list[Step] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    kind: str = "exact"
    checks: dict[str, bool] = field(default_factory=dict)

    def step(self, text: str, expr: Any = None) -> Any:
        """Append a step and return ``expr`` (so a derivation reads as straight-line code)."""
        self.steps.append(Step(text, expr))
        return expr

    def check(self, name: str, ok: bool) -> bool:
        """Record a symbolic identity check (``ok`` must be a Python bool, not a SymPy relation)."""
        if not isinstance(ok, bool):
            raise TypeError(f"`ok` of check {name!r} must be a bool; got {type(ok).__name__}")
        self.checks[name] = ok
        return ok

    @property
    def verified(self) -> bool:
        """True when every recorded symbolic check holds."""
        return all(self.checks.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "steps": [{"text": s.text, "latex": s.latex} for s in self.steps],
            "results": {k: {"latex": _latex(v), "sympy": str(v)} for k, v in self.results.items()},
            "checks": dict(self.checks),
        }
