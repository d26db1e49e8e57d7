"""The six named kernels of two-layer ReLU networks on the sphere, built from kappa0 and kappa1.

``t = <x, x'>`` for unit ``x, x'``; ``u = (1 + t)/2`` is the cosine seen by a gate whose bias is
drawn N(0, 1) together with ``w ~ N(0, I)`` (input ``(x, 1)``; docs/basri2019.md §1).

=============  ==========================================  ==============================================
name           construction (from the arc-cosine functions)  network
=============  ==========================================  ==============================================
``basri``      ``t kappa0(t) / 2``                           first layer trained, ``a = +-1`` fixed [Du18, B19]
``basri-bias`` ``<(x,1),(x',1)>/2 * kappa0(t) / 2``          B19's bias: input ``(x,1)/sqrt 2``, ``b(0) = 0``
``ntk``        ``(t kappa0(t) + kappa1(t)) / 2``             both layers trained, no bias
``ntk-bias``   ``kappa1(u) + (1 + t) kappa0(u) / 2``         both layers, bias ``~ N(0, 1)``
``nngp``       ``kappa1(t) / 2``                             Gaussian-process (output covariance) kernel
``nngp-bias``  ``kappa1(u)``                                 with bias ``~ N(0, 1)``
=============  ==========================================  ==============================================

Each kernel is a SymPy expression in the real symbol :data:`t`, composed from
:func:`theory.arccos.kappa0` / :func:`theory.arccos.kappa1` (never typed in as a final formula).
NTK = (gradient w.r.t. first layer) + (gradient w.r.t. second layer); the second-layer part is the
NNGP kernel, the first-layer part is ``<x~, x~'> E[sigma'(w.x~) sigma'(w.x~')]``.

References
----------
.. [B19] R. Basri, D. Jacobs, Y. Kasten, S. Kritchman, NeurIPS 2019, arXiv:1906.00425.
.. [Du18] S. Du, X. Zhai, B. Poczos, A. Singh, arXiv:1810.02054 (the Gram matrix H^infinity).
.. [CS09] Y. Cho, L. K. Saul, NeurIPS 2009.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import sympy

from theory.arccos import kappa0, kappa1, to_number
from theory.validate import shown

__all__ = ["t", "KERNELS", "SPECS", "KernelSpec", "spec", "kernel", "kernel_description", "kernel_value", "first_layer_part",
           "second_layer_part", "has_bias"]

t = sympy.Symbol("t", real=True)
_half = sympy.Rational(1, 2)
_u = (1 + t) / 2          # gate cosine with a N(0,1) bias: (t + 1) / (1 + 1)


@dataclass(frozen=True)
class KernelSpec:
    """One named kernel: its construction and its properties as fields.

    Attributes
    ----------
    name : str
    first_layer, second_layer : sympy.Expr
        Contributions of the first-layer weights (and bias) and of the readout weights (= the NNGP
        part) to the kernel, expressions in :data:`t`.
    bias : bool
        Whether the network has a bias (changes the null space of the spectrum).
    trained : {"first", "both", "none"}
        Which layers are trained: ``"none"`` is a Gaussian-process (NNGP) kernel.
    description : str
    """

    name: str
    first_layer: sympy.Expr
    second_layer: sympy.Expr
    bias: bool
    trained: str
    description: str

    @property
    def expr(self) -> sympy.Expr:
        return self.first_layer + self.second_layer


def _specs() -> dict[str, KernelSpec]:
    gate, gate_b = kappa0(t) / 2, kappa0(_u) / 2          # E[sigma'(.) sigma'(.)]
    relu, relu_b = kappa1(t) / 2, kappa1(_u) / 2          # E[sigma(.) sigma(.)] for unit inputs
    xx, xx_b = t, 1 + t                                   # <x, x'> and <(x,1), (x',1)>
    zero = sympy.Integer(0)
    specs = [
        KernelSpec("basri", xx * gate, zero, False, "first",
                   "first layer trained, second layer a=+-1 fixed, no bias (Du et al. 2018; Basri et al. 2019)"),
        KernelSpec("basri-bias", xx_b * _half * gate, zero, True, "first",
                   "Basri et al. 2019 bias: input (x,1)/sqrt(2), bias initialised at 0, a fixed"),
        KernelSpec("ntk", xx * gate, relu, False, "both", "NTK, both layers trained, no bias"),
        KernelSpec("ntk-bias", xx_b * gate_b, 2 * relu_b, True, "both",
                   "NTK, both layers trained, bias ~ N(0,1) (input norm sqrt 2 doubles the ReLU part)"),
        KernelSpec("nngp", zero, relu, False, "none", "NNGP (Gaussian-process) kernel, no bias"),
        KernelSpec("nngp-bias", zero, 2 * relu_b, True, "none", "NNGP kernel with bias ~ N(0,1)"),
    ]
    return {k.name: k for k in specs}


SPECS: dict[str, KernelSpec] = _specs()
KERNELS: dict[str, sympy.Expr] = {n: k.expr for n, k in SPECS.items()}


def _name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"`name` (kernel name) must be a str, one of {sorted(KERNELS)}; got {shown(name)}")
    if name not in KERNELS:
        raise ValueError(f"unknown kernel `name` {shown(name)}; allowed: {', '.join(KERNELS)}")
    return name


def spec(name: str) -> KernelSpec:
    """The :class:`KernelSpec` of the kernel ``name``."""
    return SPECS[_name(name)]


def kernel(name: str) -> sympy.Expr:
    """The kernel ``name`` as a SymPy expression in :data:`t`."""
    return KERNELS[_name(name)]


def first_layer_part(name: str) -> sympy.Expr:
    """Contribution of the first-layer weights (and bias) to the NTK ``name``."""
    return spec(name).first_layer


def second_layer_part(name: str) -> sympy.Expr:
    """Contribution of the second-layer weights (= the NNGP kernel) to ``name``."""
    return spec(name).second_layer


def has_bias(name: str) -> bool:
    """Whether the network of kernel ``name`` has a bias (the field :attr:`KernelSpec.bias`)."""
    return spec(name).bias


def kernel_description(name: str) -> str:
    return spec(name).description


def kernel_value(name: str, t_value: Any, mode: str = "float"):
    """Value of kernel ``name`` at ``t_value`` in ``[-1, 1]``.

    Parameters
    ----------
    name : str
        One of :data:`KERNELS`.
    t_value : float, int, str or SymPy number
        Inner product; in exact mode strings like ``"1/3"`` stay exact.
    mode : {"exact", "mpmath", "float"}
        Number system (mpmath uses the caller's ``mpmath.mp.dps``).
    """
    expr = kernel(name)
    x = to_number(t_value, mode)
    if mode == "exact":
        return sympy.simplify(expr.subs(t, x))
    return _numeric(name, mode)(x)


@functools.lru_cache(maxsize=None)
def _numeric(name: str, mode: str):
    """The SymPy expression compiled once for ``mode`` ("mpmath" or "float")."""
    return sympy.lambdify(t, KERNELS[name], modules="mpmath" if mode == "mpmath" else "math")
