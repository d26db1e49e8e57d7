"""Named activations as SymPy expressions in ``x`` (names of neural-tangents' ``stax`` and of the
CNN's :mod:`numerics.nets.activations`; docs/dual.md §5).  ``leaky_relu`` has slope 1/10 as the CNN."""
from __future__ import annotations

import sympy

from theory.dual.gaussian import x
from theory.validate import shown

__all__ = ["NAMED", "named"]

_relu = sympy.Max(x, 0)
NAMED: dict[str, sympy.Expr] = {
    "relu": _relu,
    "leaky_relu": sympy.Max(x, 0) + sympy.Min(x, 0) / 10,
    "abs": sympy.Abs(x),
    "relu2": _relu**2,
    "relu3": _relu**3,
    "step": sympy.Heaviside(x, 0),
    "erf": sympy.erf(x),
    "sin": sympy.sin(x),
    "cos": sympy.cos(x),
    "linear": x,
    "square": x**2,
    "cube": x**3,
    "tanh": sympy.tanh(x),
    "xtanh": x * sympy.tanh(x),
    "softplus": sympy.log(1 + sympy.exp(x)),
    "sigmoid": 1 / (1 + sympy.exp(-x)),
    "gelu": x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2,
    "silu": x / (1 + sympy.exp(-x)),
}


def named(name: str) -> sympy.Expr:
    """The activation ``name``; ValueError listing the names otherwise."""
    if name not in NAMED:
        raise ValueError(f"unknown `activation` {shown(name)}; names: {', '.join(NAMED)} "
                         f"(or an expression in x)")
    return NAMED[name]
