"""Activation functions of the networks: value, derivative and their properties as fields.

One entry per activation in :data:`ACTIVATIONS`; everything the code needs to know about an
activation is a field of its :class:`Activation`, never inferred from its name:

- ``degree``: ``p`` when ``sigma`` is positively ``p``-homogeneous (``sigma(lambda z) = lambda^p
  sigma(z)`` for ``lambda > 0``, so Euler's relation ``z sigma'(z) = p sigma(z)`` holds at every
  ``z``, the kink included with the convention below), else None.  With degree ``p`` the channel
  quantity ``a_k^2 - (||w_k||^2 + b_k^2) / p`` is conserved by gradient flow (docs/cnnflow.md §1).
- ``kinked``: ``sigma'`` jumps somewhere (ReLU-type); adaptive ODE solvers stall on such flows,
  so :func:`numerics.dynamics.flow.simulate` integrates them with fixed steps (docs/cnnflow.md §8).
- ``derivative_from_value``: ``sigma'(z)`` as a function of ``h = sigma(z)`` where that exists; the
  block engine (:mod:`numerics.nets.blocks`) then overwrites ``z`` by ``sigma(z)`` in place
  (``value_inplace``) and reads ``sigma'`` off the features, saving a pass over memory.

Every function maps an ndarray to an ndarray of the same shape and dtype (float32 stays float32).

Conventions
-----------
- ``relu'(0) = 0`` and ``leaky_relu'(0) = NEGATIVE_SLOPE`` (any value in [slope, 1] gives the same
  conservation law; both sides of Euler's relation vanish at 0).
- ``leaky_relu(z) = max(z, 0.1 z)``: slope :data:`NEGATIVE_SLOPE` ``= 0.1``.
- ``xtanh(z) = z tanh z``, ``softplus(z) = log(1 + e^z)`` (computed as ``logaddexp(0, z)``),
  ``relu2(z) = max(z, 0)^2`` (2-homogeneous), ``square(z) = z^2``, ``cube(z) = z^3``.

Adding an activation is one entry in :data:`ACTIVATIONS` (CONTRIBUTING.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

__all__ = ["Activation", "ACTIVATIONS", "NEGATIVE_SLOPE", "get"]

NEGATIVE_SLOPE = 0.1


@dataclass(frozen=True)
class Activation:
    """An elementwise activation.

    Attributes
    ----------
    name : str
    value : callable, ndarray -> ndarray
        ``sigma(z)``, same shape and dtype.
    derivative : callable, ndarray -> ndarray
        ``sigma'(z)``, same shape and dtype (at a kink: the convention in the module docstring).
    degree : int or None
        Positive homogeneity degree ``p`` (Euler: ``z sigma'(z) = p sigma(z)``), or None.
    kinked : bool
        ``sigma'`` is discontinuous (fixed-step integration of its flows).
    value_inplace : callable, ndarray -> ndarray, optional
        ``sigma(z)`` written over ``z`` (returns ``z``).
    derivative_from_value : callable, (h, out) -> out, optional
        ``sigma'(z)`` computed from ``h = sigma(z)`` into ``out`` (same shape and dtype).
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    degree: int | None
    kinked: bool = False
    value_inplace: Callable[[np.ndarray], np.ndarray] | None = None
    derivative_from_value: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def __post_init__(self):
        if (self.value_inplace is None) != (self.derivative_from_value is None):
            raise ValueError(f"activation {self.name!r}: give both `value_inplace` and "
                             f"`derivative_from_value`, or neither")


def _relu(z):
    return np.maximum(z, 0)


def _relu_d(z):
    return (z > 0).astype(z.dtype)


def _relu_inplace(z):
    return np.maximum(z, 0, out=z)


def _relu_d_from_value(h, out):
    """``relu'(z) = [relu(z) > 0]`` read off ``h = relu(z)`` (0 at z = 0, the convention above);
    the comparison writes floats directly (one pass)."""
    return np.greater(h, 0, out=out)


def _leaky(z):
    return np.where(z > 0, z, z * z.dtype.type(NEGATIVE_SLOPE))


def _leaky_d(z):
    one, s = z.dtype.type(1), z.dtype.type(NEGATIVE_SLOPE)
    return np.where(z > 0, one, s).astype(z.dtype, copy=False)


def _tanh_d(z):
    th = np.tanh(z)
    return 1 - th * th


def _linear(z):
    return z.copy()


def _linear_d(z):
    return np.ones_like(z)


def _xtanh(z):
    return z * np.tanh(z)


def _xtanh_d(z):
    th = np.tanh(z)
    return th + z * (1 - th * th)


def _softplus(z):
    return np.logaddexp(z.dtype.type(0), z)


def _softplus_d(z):
    return expit(z).astype(z.dtype, copy=False)


def _relu2(z):
    r = np.maximum(z, 0)
    return r * r


def _relu2_d(z):
    return 2 * np.maximum(z, 0)


def _square(z):
    return z * z


def _square_d(z):
    return 2 * z


def _cube(z):
    return z * z * z


def _cube_d(z):
    return 3 * z * z


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_d, 1, kinked=True, value_inplace=_relu_inplace,
                       derivative_from_value=_relu_d_from_value),
    "leaky_relu": Activation("leaky_relu", _leaky, _leaky_d, 1, kinked=True),
    "tanh": Activation("tanh", np.tanh, _tanh_d, None),
    "linear": Activation("linear", _linear, _linear_d, 1),
    "xtanh": Activation("xtanh", _xtanh, _xtanh_d, None),
    "softplus": Activation("softplus", _softplus, _softplus_d, None),
    "relu2": Activation("relu2", _relu2, _relu2_d, 2),      # sigma' continuous: not kinked
    "square": Activation("square", _square, _square_d, 2),   # z^2: degree-2 polynomial (band theorem B2)
    "cube": Activation("cube", _cube, _cube_d, 3),           # z^3: degree-3 polynomial
}


def get(name: str) -> Activation:
    """The activation called ``name``; ValueError/TypeError naming the allowed names otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"`activation` must be a str, one of {sorted(ACTIVATIONS)}; got {name!r}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown `activation` {name!r}; allowed: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]
