"""Split a zonal kernel into *atoms* with nonnegative Taylor coefficients (docs/basri2019.md §2).

An atom is ``(var, family, p)``: ``var`` "t" or "u" (``s = t`` or the bias gate ``s = u = (1+t)/2``);
``family`` "poly" (``s^p``), "asin" (``s^p arcsin s``) or "B1" (``sqrt(1-s^2) + s arcsin s - 1``,
``p = 0``).  :func:`decompose` writes a kernel as a sum of atoms with coefficients, verified by
SymPy (the kernel is rebuilt from the atoms and the difference simplifies to zero).  The Funk-Hecke
series of each atom is summed in :mod:`theory.funk_hecke.gauss_sums`.

References
----------
.. [B19] Basri et al., NeurIPS 2019, arXiv:1906.00425.  .. [BM19] Bietti & Mairal, arXiv:1905.12173.
"""
from __future__ import annotations

import functools
from typing import Any

import sympy

from theory.kernels import KERNELS, t

__all__ = ["decompose", "decompose_expr", "kernel_expr"]

_u = sympy.Symbol("u", real=True)


def _atom_expr(var, family, p):
    s = t if var == "t" else (1 + t) / 2
    if family == "poly":
        return s**p
    if family == "asin":
        return s**p * sympy.asin(s)
    return sympy.sqrt(1 - s**2) + s * sympy.asin(s) - 1


@functools.lru_cache(maxsize=None)
def decompose_expr(expr: sympy.Expr) -> tuple | None:
    e = expr.rewrite(sympy.asin)                       # acos x = pi/2 - asin x
    e = sympy.expand(e)
    for var in ("t", "u"):
        s_expr = t if var == "t" else _u
        ee = sympy.expand(e.subs(t, 2 * _u - 1)) if var == "u" else e
        ee = sympy.expand(ee.replace(lambda x: isinstance(x, sympy.Pow) and x.exp == sympy.S.Half,
                                     lambda x: sympy.sqrt(sympy.expand(x.base))))
        sq, asn = sympy.sqrt(1 - s_expr**2), sympy.asin(s_expr)
        rest = ee
        P1 = sympy.expand(rest.coeff(asn)) if rest.has(asn) else sympy.S.Zero
        rest = sympy.expand(rest - P1 * asn)
        P2 = sympy.expand(rest.coeff(sq)) if rest.has(sq) else sympy.S.Zero
        rest = sympy.expand(rest - P2 * sq)
        if rest.has(sympy.asin) or rest.has(sympy.acos) or P2.has(s_expr) or P1.has(sympy.asin):
            continue
        if not (rest.is_polynomial(s_expr) and P1.is_polynomial(s_expr)):
            continue
        if P2.has(t) or (var == "u" and (P1.has(t) or rest.has(t))):
            continue
        # c sqrt(1-s^2) = c (B1 + 1) - c s asin(s)
        P1 = sympy.expand(P1 - P2 * s_expr)
        rest = sympy.expand(rest + P2)
        atoms = []
        if P2 != 0:
            atoms.append(((var, "B1", 0), P2))
        for (pw,), c in sympy.Poly(P1, s_expr).terms() if P1 != 0 else []:
            atoms.append(((var, "asin", int(pw)), c))
        for (pw,), c in sympy.Poly(rest, s_expr).terms() if rest != 0 else []:
            atoms.append(((var, "poly", int(pw)), c))
        if var == "u" and not any(a[0][1] != "poly" for a in atoms):
            continue                                   # a polynomial: expand in t instead
        rebuilt = sum(c * _atom_expr(*a) for a, c in atoms)
        if sympy.simplify(sympy.expand((rebuilt - expr).rewrite(sympy.asin))) != 0:
            continue
        return tuple(sorted(atoms, key=lambda a: (a[0][1], a[0][2])))
    return None


def decompose(kernel: Any) -> tuple | None:
    """Split a kernel into atoms ``((var, family, p), coefficient)``; None if it does not split.

    The split is checked: SymPy rebuilds the kernel from the atoms and simplifies the difference
    to zero.  For the six named kernels every coefficient is positive (so is every eigenvalue of
    every atom), which is what makes the eigenvalue sums cancellation-free.
    """
    return decompose_expr(kernel_expr(kernel))


def kernel_expr(kernel: Any) -> sympy.Expr:
    if isinstance(kernel, str):
        if kernel not in KERNELS:
            raise ValueError(f"unknown `kernel` {kernel!r}; allowed: {', '.join(KERNELS)} "
                             f"or a SymPy expression in theory.kernels.t")
        return KERNELS[kernel]
    if isinstance(kernel, sympy.Expr):
        if kernel.free_symbols - {t}:
            raise ValueError(f"`kernel` expression may only contain the symbol t; got "
                             f"free symbols {sorted(map(str, kernel.free_symbols))}")
        return kernel
    raise TypeError(f"`kernel` must be a kernel name ({', '.join(KERNELS)}) or a SymPy expression "
                    f"in theory.kernels.t; got {kernel!r}")

