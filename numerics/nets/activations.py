"""Activation functions of the two-layer CNN: value, derivative and homogeneity degree.

One entry per activation in :data:`ACTIVATIONS`.  Every function maps an ndarray to an ndarray of
the same shape and dtype (float32 stays float32).  ``degree`` is ``p`` when ``sigma`` is positively
``p``-homogeneous (``sigma(lambda z) = lambda^p sigma(z)`` for ``lambda > 0``, so Euler's relation
``z sigma'(z) = p sigma(z)`` holds at every ``z``, including the kink with the convention below), and
``None`` otherwise.  With degree ``p`` the channel quantity ``a_k^2 - (||w_k||^2 + b_k^2) / p`` is
conserved by gradient flow (``../shared/theory/cnn_gradient_flow.md`` §1).

Conventions
-----------
- ``relu'(0) = 0`` and ``leaky_relu'(0) = NEGATIVE_SLOPE`` (any value in [slope, 1] gives the same
  conservation law; both sides of Euler's relation vanish at 0).
- ``leaky_relu(z) = max(z, 0.1 z)``: slope :data:`NEGATIVE_SLOPE` ``= 0.1`` (as in the formula sheet).
- ``xtanh(z) = z tanh z``, ``softplus(z) = log(1 + e^z)`` (computed as ``logaddexp(0, z)``),
  ``relu2(z) = max(z, 0)^2`` (2-homogeneous).

This module is imported by :mod:`numerics.nets.cnn` and by other network modules; its names are stable.
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
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    degree: int | None


def _relu(z):
    return np.maximum(z, 0)


def _relu_d(z):
    return (z > 0).astype(z.dtype)


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
    "relu": Activation("relu", _relu, _relu_d, 1),
    "leaky_relu": Activation("leaky_relu", _leaky, _leaky_d, 1),
    "tanh": Activation("tanh", np.tanh, _tanh_d, None),
    "linear": Activation("linear", _linear, _linear_d, 1),
    "xtanh": Activation("xtanh", _xtanh, _xtanh_d, None),
    "softplus": Activation("softplus", _softplus, _softplus_d, None),
    "relu2": Activation("relu2", _relu2, _relu2_d, 2),
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
