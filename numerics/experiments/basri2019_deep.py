"""Basri et al. 2019, deep and residual fully connected nets: learning time of a frequency-k target.

Protocol (docs/basri2019.md §8): ``n`` equispaced points on the circle of radius ``sqrt 2`` (the
neural-tangents convention ``||x||^2 = d``, so kernels are functions of ``t = <x, x'>/d``), the
target ``cos k(theta - theta_0)`` scaled to norm ``norm``, a depth-``L`` :class:`~numerics.nets.mlp.MLP`
(plain or residual, all layers trained) whose initial output ``f_0`` is subtracted (the fit is of
``y + f_0``: the same dynamics as a net with ``f_0 = 0``), full-batch gradient descent on the
``1/(2n)`` loss until the residual falls below ``eps`` of its start.

The linearised prediction uses the empirical NTK ``Theta`` of the net at initialisation: on the
equispaced grid ``Theta`` is circulant and ``cos k theta`` an exact eigenvector, with eigenvalue
``lambda_k`` of the GD operator ``Theta / n`` at infinite width.  At finite width ``Theta`` is only
nearly circulant, so the prediction runs the linearised dynamics on the full spectrum of the
initial empirical NTK (:func:`linear_crossing_time`, with the per-eigenvalue decay factor of
``theory.basri2019_training``).
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from numerics.data import sphere
from numerics.experiments.basri2019 import crossing_time, train
from numerics.nets.mlp import MLP
from theory.validate import check_int, check_real

__all__ = ["circle_data", "sphere_data", "deep_learning_run", "linear_crossing_time"]


def circle_data(n: int, k: int, rng: np.random.Generator, norm: float = 1.0):
    """Equispaced circle points of radius ``sqrt 2`` at a random phase and the frequency-``k`` target.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        ``norm * cos(k theta) / ||cos(k theta)||``.
    """
    n = check_int("n", n, 4, what="number of points")
    k = check_int("k", k, 0, n // 2 - 1, what="frequency")
    phase = float(rng.uniform(0, 2 * np.pi))
    X = sphere.circle_grid(n, phase)
    y = np.cos(k * sphere.angles(X))
    return math.sqrt(2.0) * X, norm * y / np.linalg.norm(y)


def sphere_data(n: int, d: int, k: int, rng: np.random.Generator, norm: float = 1.0):
    """``n`` uniform points on the sphere of radius ``sqrt d`` in R^d and the zonal harmonic of degree ``k``.

    Returns
    -------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)
        ``norm * P_k(d; <x, e>/sqrt d)`` normalised on the sample, pole ``e`` uniform.
    """
    k = check_int("k", k, 0, what="degree")
    U = sphere.uniform(check_int("n", n, 4, what="number of points"), d, rng)
    y = sphere.normalise(sphere.zonal_harmonic(U, k, sphere.pole(d, rng)), "unit-norm")
    return math.sqrt(d) * U, norm * y


def deep_learning_run(k: int, n: int, m: int, depth: int, eta_scale: float, eps: float, steps: int,
                      b_std: float = 0.0, residual: bool = False, seed: Sequence[int] = (0,),
                      norm: float = 0.1, d: int = 2) -> dict:
    """One run: learning time of frequency ``k`` by a deep (residual) ReLU net, and its prediction.

    Parameters
    ----------
    k, n, m, depth : int
        Frequency, number of points, width, number of hidden layers.
    eta_scale, eps : float
        GD step in units of ``1 / lambda_max`` (in (0, 2)); relative residual threshold.
    steps : int
        Cap on the number of GD steps.
    b_std : float >= 0
        Bias scale (0: no bias).
    residual : bool
        Skip connections.
    seed : sequence of int
        Seeds the phase of the grid and the net.
    norm : float > 0
        Norm of the target on the sample.
    d : int >= 2
        Ambient dimension: 2 is the equispaced circle (:func:`circle_data`), more is uniform points
        on the sphere with a zonal target (:func:`sphere_data`).

    Returns
    -------
    dict
        ``time`` (crossing time, NaN if the cap is reached first), ``eta``, ``lam`` (eigenvalues of the
        GD operator ``Theta / n`` of the initial empirical NTK, shape (n,)), ``c2`` (squared
        coefficients of the target on their eigenvectors, divided by ``||y||^2``), ``final`` (last
        relative residual), ``steps_run``.  The step is ``eta = eta_scale / lambda_max``.
    """
    eta_scale = check_real("eta_scale", eta_scale, 0.0, 2.0, lo_open=True)
    eps = check_real("eps", eps, 0.0, 1.0, lo_open=True)
    rng = np.random.default_rng(list(seed))
    X, y = circle_data(n, k, rng, norm) if d == 2 else sphere_data(n, d, k, rng, norm)
    net = MLP(d, m, depth, "relu", b_std=b_std, residual=residual, seed=rng)
    lam, V = np.linalg.eigh(net.empirical_ntk(X) / n)
    c2 = (V.T @ y) ** 2 / (y @ y)
    eta = eta_scale / lam[-1]
    rel = train(net, X, y + net.forward(X), eta, steps, eps, trained=net.keys)
    return {"time": crossing_time(rel, eps, eta), "eta": float(eta), "lam": lam, "c2": c2,
            "final": float(rel[-1]), "steps_run": int(rel.size - 1)}


def linear_crossing_time(decay: Callable, lam: np.ndarray, c2: np.ndarray, eta: float,
                         eps: float, s_max: float = 1e9) -> float:
    """First time ``eta s`` at which the linearised residual falls to ``eps`` of its start.

    The residual of the linearised dynamics is ``||r_s||^2 / ||r_0||^2 = sum_j c2_j decay(lam_j, eta, s)^2``
    with ``decay`` the per-eigenvalue factor of the derivation (``(1 - eta lambda)^s`` for GD); it
    decreases in ``s`` when every ``eta lam_j`` lies in ``[0, 2)``, so bisection on a continuous
    ``s`` finds the crossing (relative accuracy 1e-9).  ``inf`` if not reached by ``s_max``.
    """
    lam, c2 = np.asarray(lam, dtype=float), np.asarray(c2, dtype=float)

    def res(s):
        return math.sqrt(float(np.sum(c2 * decay(lam, eta, s) ** 2)))

    lo, hi = 0.0, 1.0
    while res(hi) > eps:
        lo, hi = hi, 2 * hi
        if hi > s_max:
            return math.inf
    while hi - lo > 1e-9 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if res(mid) > eps else (lo, mid)
    return eta * hi
