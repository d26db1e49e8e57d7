"""Argument and data validation of :class:`numerics.nets.cnn.CNN`.

Every check raises ``TypeError``/``ValueError`` naming the argument, the allowed values and the value
received (README.md, conventions).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from theory.validate import check_int

__all__ = ["check_int", "check_std", "check_size", "check_X", "check_Y"]


def check_std(name: str, v: Any, default: float) -> float:
    """A finite standard deviation >= 0 (``default`` when ``v`` is None)."""
    if v is None:
        return float(default)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a real number >= 0 or None; got {v!r}") from None
    if not (math.isfinite(f) and f >= 0):
        raise ValueError(f"`{name}` must be a finite real number >= 0; got {v!r}")
    return f


def check_size(size, dim: int, padding: str, q: int) -> tuple[int, ...]:
    """``input_size`` as a tuple of ``dim`` positive ints (>= ``q`` for valid padding)."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size),) * dim
    try:
        size = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"`input_size` must be an int or a tuple of {dim} ints; got {size!r}") from None
    if len(size) != dim or min(size) < 1:
        raise ValueError(f"`input_size` must have {dim} positive entries; got {size!r}")
    if padding == "valid" and min(size) < q:
        raise ValueError(f"with padding='valid' the input size must be >= kernel_size="
                         f"{q} on every axis; got `input_size`={size}")
    return size


def check_X(X, dim: int, in_channels: int, input_size, padding: str, q: int, dtype) -> np.ndarray:
    """``X`` as a finite array of ``dtype``, shape (n, C, L) or (n, C, H, W), n >= 1."""
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise TypeError(f"`X` must be a real numeric array; got dtype {X.dtype}")
    want = 2 + dim
    if X.ndim != want:
        shape = "(n, C, L)" if dim == 1 else "(n, C, H, W)"
        raise ValueError(f"`X` must have shape {shape} ({want} axes) for dim={dim}; got {X.shape}")
    if X.shape[1] != in_channels:
        raise ValueError(f"`X` has {X.shape[1]} channels on axis 1; the net expects "
                         f"in_channels={in_channels}")
    if X.shape[0] < 1:
        raise ValueError(f"`X` must hold at least one sample; got shape {X.shape}")
    size = tuple(X.shape[2:])
    if input_size is not None and size != input_size:
        raise ValueError(f"`X` has spatial shape {size}; the net was built for input_size={input_size}")
    check_size(size, dim, padding, q)
    X = X.astype(dtype, copy=False)
    if not np.all(np.isfinite(X)):
        raise ValueError("`X` contains non-finite values (nan or inf)")
    return X


def check_Y(Y, out_shape: tuple[int, ...], dtype) -> np.ndarray:
    """``Y`` as a finite array of ``dtype`` and shape ``out_shape`` ((n, 1) accepted for (n,))."""
    Y = np.asarray(Y)
    if not np.issubdtype(Y.dtype, np.number) or np.iscomplexobj(Y):
        raise TypeError(f"`Y` must be a real numeric array; got dtype {Y.dtype}")
    if Y.shape != out_shape:
        if len(out_shape) == 1 and Y.shape == out_shape + (1,):
            Y = Y[:, 0]
        else:
            raise ValueError(f"`Y` must have shape {out_shape} (the output shape for these X); got {Y.shape}")
    Y = Y.astype(dtype, copy=False)
    if not np.all(np.isfinite(Y)):
        raise ValueError("`Y` contains non-finite values (nan or inf)")
    return Y
