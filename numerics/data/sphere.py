"""Seeded points on the sphere S^{d-1} and single-harmonic targets (Basri et al. 2019 experiments).

Conventions (``docs/basri2019.md`` §0, §2): ``d`` is the **ambient** dimension,
points lie on ``S^{d-1} ⊂ R^d`` (circle: ``d = 2``); ``sigma`` is the uniform probability measure.

Targets are **zonal** harmonics ``P_k(d; <x, e>)`` around a pole ``e``:

- ``d = 2``: ``P_k(2; cos θ) = T_k(cos θ) = cos kθ`` (θ the angle between ``x`` and ``e``), so the
  circle target is ``cos kθ``;
- ``d >= 3``: ``P_k(d; t) = C_k^{((d-2)/2)}(t) / C_k^{((d-2)/2)}(1)`` (Gegenbauer, via
  :func:`scipy.special.eval_gegenbauer`); Legendre ``P_k`` for ``d = 3``.

They satisfy ``P_k(d; 1) = 1`` and ``E_sigma[P_k(d; <x, e>)^2] = 1 / N(d, k)``.  The experiment
rescales the sampled vector (:func:`normalise`): B19 use unit Euclidean norm ``||y||_2 = 1``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from theory.validate import check_int

__all__ = ["uniform", "circle_grid", "angles", "pole", "zonal_harmonic", "legendre_P", "normalise",
           "abs_cosine"]


def _check_d(d: Any) -> int:
    return check_int("d", d, 2, 64, what="ambient dimension; points on S^(d-1)")


def _check_X(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ValueError(f"`X` must have shape (n, d) with d >= 2; got shape {X.shape}")
    return X


def uniform(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` i.i.d. points, uniform on ``S^{d-1}`` (normalised standard Gaussians).

    Parameters
    ----------
    n : int >= 1
    d : int in [2, 64]
        Ambient dimension.
    rng : numpy.random.Generator
        The only source of randomness (seeded by the caller, e.g. ``cfg.rng(salt)``).

    Returns
    -------
    X : ndarray, shape (n, d)
        Unit rows, float64.
    """
    n, d = check_int("n", n, 1, what="number of points"), _check_d(d)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy.random.Generator; got {type(rng).__name__}")
    G = rng.standard_normal((n, d))
    norms = np.linalg.norm(G, axis=1, keepdims=True)
    while np.any(norms == 0):               # probability zero; redraw to stay exact
        bad = norms[:, 0] == 0
        G[bad] = rng.standard_normal((int(bad.sum()), d))
        norms = np.linalg.norm(G, axis=1, keepdims=True)
    return G / norms


def circle_grid(n: int, phase: float = 0.0) -> np.ndarray:
    """``n`` equispaced points ``(cos θ_j, sin θ_j)``, ``θ_j = phase + 2πj/n`` on the circle.

    The equispaced rule integrates every trigonometric polynomial of degree < n exactly, so the
    Gram matrix of a zonal kernel on it is circulant and ``cos kθ`` is an exact eigenvector.

    Returns
    -------
    X : ndarray, shape (n, 2)
    """
    n = check_int("n", n, 1, what="number of points")
    th = float(phase) + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(th), np.sin(th)], axis=1)


def angles(X: np.ndarray) -> np.ndarray:
    """Polar angle ``θ = atan2(x_2, x_1) ∈ (-π, π]`` of points on the circle, shape (n,)."""
    X = _check_X(X)
    if X.shape[1] != 2:
        raise ValueError(f"`X` must be points on the circle, shape (n, 2); got shape {X.shape}")
    return np.arctan2(X[:, 1], X[:, 0])


def pole(d: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """The pole ``e`` of a zonal harmonic: ``e_d = (0, ..., 0, 1)`` or, with ``rng``, a uniform one."""
    d = _check_d(d)
    if rng is None:
        e = np.zeros(d)
        e[-1] = 1.0
        return e
    return uniform(1, d, rng)[0]


def zonal_harmonic(X: np.ndarray, k: int, e: np.ndarray | None = None) -> np.ndarray:
    """Zonal harmonic ``P_k(d; <x, e>)`` sampled at the rows of ``X`` (``P_k(d; 1) = 1``).

    ``d = 2``: Chebyshev ``T_k(<x, e>) = cos kθ``; ``d >= 3``: normalised Gegenbauer
    ``C_k^{(d-2)/2}(t) / C_k^{(d-2)/2}(1)``.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Unit vectors.
    k : int >= 0
        Degree.
    e : ndarray, shape (d,), optional
        Unit pole; default ``(0, ..., 0, 1)``.

    Returns
    -------
    y : ndarray, shape (n,)
    """
    X = _check_X(X)
    k = check_int("k", k, 0, 10_000, what="harmonic degree")
    d = X.shape[1]
    e = pole(d) if e is None else np.asarray(e, dtype=np.float64)
    if e.shape != (d,) or not math.isclose(float(np.linalg.norm(e)), 1.0, rel_tol=1e-12):
        raise ValueError(f"`e` (pole) must be a unit vector of shape ({d},); got shape {e.shape}")
    return legendre_P(d, k, np.clip(X @ e, -1.0, 1.0))


def legendre_P(d: int, k: int, t) -> np.ndarray:
    """Float twin of :func:`theory.spherical.legendre_P`: ``P_k(d; t)``, normalised ``P_k(d; 1) = 1``.

    ``d = 2``: Chebyshev ``T_k``; ``d = 3``: Legendre; ``d >= 4``: Gegenbauer
    ``C_k^{(d-2)/2}(t) / C_k^{(d-2)/2}(1)`` (scipy.special, float64).

    Parameters
    ----------
    d : int >= 2
        Ambient dimension (the sphere is S^{d-1}).
    k : int >= 0
    t : array_like
        Inner products in [-1, 1].

    Returns
    -------
    ndarray, shape of ``t``
    """
    d = check_int("d", d, 2, what="ambient dimension")
    k = check_int("k", k, 0, what="degree")
    if d == 2:
        return special.eval_chebyt(k, t)
    if d == 3:
        return special.eval_legendre(k, t)
    alpha = (d - 2) / 2
    return special.eval_gegenbauer(k, alpha, t) / special.eval_gegenbauer(k, alpha, 1.0)


def abs_cosine(X: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """The non-harmonic target ``|<x, e>|`` (``|cos θ|``), shape (n,): a sum of all even degrees."""
    X = _check_X(X)
    e = pole(X.shape[1]) if e is None else np.asarray(e, dtype=np.float64)
    return np.abs(X @ e)


def normalise(y: np.ndarray, how: str = "unit-norm") -> np.ndarray:
    """Rescale a sampled target.

    Parameters
    ----------
    y : ndarray, shape (n,)
    how : {"unit-norm", "rms"}
        ``"unit-norm"``: ``||y||_2 = 1`` (Basri et al. 2019's code; keeps a wide net in the lazy
        regime); ``"rms"``: ``mean(y^2) = 1``.

    Returns
    -------
    ndarray, shape (n,)
    """
    y = np.asarray(y, dtype=np.float64)
    norm = float(np.linalg.norm(y))
    if norm == 0:
        raise ValueError("`y` is zero on the sample; cannot normalise (use another pole or more points)")
    if how == "unit-norm":
        return y / norm
    if how == "rms":
        return y / (norm / math.sqrt(y.size))
    raise ValueError(f"`how` must be 'unit-norm' or 'rms'; got {how!r}")
