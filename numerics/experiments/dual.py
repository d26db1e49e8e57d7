"""Measurements of the dual claims (docs/dual.md §6): the CNN in its fully connected case against
:func:`theory.network_kernel`.

Fully connected case of :class:`numerics.nets.cnn.CNN`: ``padding="valid"``, ``kernel_size = d``,
``head="map"`` (one output), ``output_scale = 1/sqrt(m)``, ``w ~ N(0, I)``, ``b ~ N(0, b_std^2)``,
``a ~ N(0, 1)``.  For ``x`` on the unit sphere this is neural-tangents' depth-1 net with
``W_std = 1`` and ``b_std`` on the hidden layer, except that it has no readout bias and its bias is
trained as a plain parameter (standard parameterisation: the gradient in ``b`` is not scaled by
``b_std``).  Its NTK is therefore ``F(q, S) + (t + 1) G(q, S)`` with ``S = t + b_std^2``,
``q = 1 + b_std^2`` and the duals ``F``, ``G`` of sigma, sigma' -- equal to
``network_kernel(sigma, b_std=1)(t) - 1`` at ``b_std = 1`` (docs/dual.md §1).
"""
from __future__ import annotations

import math

import numpy as np

from numerics.data import sphere
from numerics.nets.cnn import CNN
from numerics.nets.ntk import empirical_ntk
from numerics.verify.fits import loglog_slope
from theory.dual import named, network_kernel

__all__ = ["make_net", "analytic_ntk", "ntk_errors", "parity_training"]


def make_net(d: int, m: int, activation: str, b_std: float, rng, paired: bool = False) -> CNN:
    """Fully connected two-layer net of width ``m`` on S^{d-1} (module docstring).

    ``paired``: neurons come in pairs ``(w, b, a)``, ``(w, b, -a)`` so that ``f_0 = 0`` (m even).
    """
    bias = b_std > 0
    net = CNN(1, 1, int(m), d, "valid", bias, activation, "map", seed=rng, output_scale=1 / math.sqrt(m),
              w_std=1.0, b_std=b_std if bias else None, a_std=1.0)
    if paired:
        h = m // 2
        for key in ("w", "b") if bias else ("w",):
            net.params[key] = np.concatenate([net.params[key][:h]] * 2, axis=0)
        net.params["a"] = np.concatenate([net.params["a"][:h], -net.params["a"][:h]])
    return net


def analytic_ntk(activation: str, b_std: float, T: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The CNN's infinite-width NTK on Gram ``T`` of inner products (module docstring), times
    ``scale`` (a control's perturbation), from the duals of :func:`theory.network_kernel`."""
    k = network_kernel(named(activation), W_std=1, b_std=b_std, kind="ntk")
    q, S = 1.0 + b_std**2, T + b_std**2
    bias = 1.0 if b_std > 0 else 0.0
    return scale * (k.dual.value(q, S) + (T + bias) * k.dual.derivative.value(q, S))


def ntk_errors(activation: str, b_std: float, d: int, n: int, ms, R: int, seed: int,
               scale: float = 1.0, kernel_b_std: float | None = None) -> dict:
    """RMS over ``R`` nets of ``||Theta_m - Theta||_F / ||Theta||_F`` at each width, and the slope.

    Returns ``{"m": [...], "error": [...], "slope": float}``.
    """
    rng0 = np.random.default_rng([seed, 90])
    X = sphere.uniform(n, d, rng0)
    T = np.clip(X @ X.T, -1.0, 1.0)
    K = analytic_ntk(activation, b_std if kernel_b_std is None else kernel_b_std, T, scale)
    err = []
    for m in ms:
        e2 = []
        for r in range(R):
            net = make_net(d, int(m), activation, b_std, np.random.default_rng([seed, 91, int(m), r]))
            Km = empirical_ntk(net, X[:, None, :])
            e2.append((np.linalg.norm(Km - K) / np.linalg.norm(K)) ** 2)
        err.append(math.sqrt(float(np.mean(e2))))
    return {"m": [int(m) for m in ms], "error": err, "slope": loglog_slope(ms, err)}


def parity_training(activation: str, b_std: float, d: int, k: int, n: int, m: int, eta: float,
                    steps: int, seed: int) -> dict:
    """Train the paired net (both layers, and the bias if any) on the zonal harmonic of degree ``k``.

    The sample is antipodally symmetric (``x`` and ``-x``), the target ``P_k(d; <x, e_d>)`` with unit
    norm.  Returns the measured relative residual ``||r_S|| / ||y||`` and the linearised prediction
    ``||(I - eta Theta / n)^S y|| / ||y||`` with the analytic NTK ``Theta``.
    """
    rng = np.random.default_rng([seed, 92])
    half = sphere.uniform(n // 2, d, rng)
    X = np.concatenate([half, -half])
    y = sphere.normalise(sphere.zonal_harmonic(X, k), "unit-norm")
    net = make_net(d, m, activation, b_std, np.random.default_rng([seed, 93]), paired=True)
    batch = net.prepare(X[:, None, :], y[:, None])
    for _ in range(steps):
        _, grads = batch.loss_and_grad()
        for key, g in grads.items():
            net.params[key] -= eta * g
    loss, _ = batch.loss_and_grad()
    measured = math.sqrt(2 * len(y) * loss) / np.linalg.norm(y)
    T = np.clip(X @ X.T, -1, 1)
    Theta = analytic_ntk(activation, b_std, T)
    lam, V = np.linalg.eigh(Theta / len(y))
    r = V @ ((1 - eta * lam) ** steps * (V.T @ y))
    return {"measured": float(measured), "predicted": float(np.linalg.norm(r) / np.linalg.norm(y))}


def eigen_at(activation: str, kind: str, depth: int, d: int, ks: tuple) -> list[float]:
    """lambda_k (float) of the depth-``depth`` network kernel, W_std = 1, b_std = 0: Gauss-Legendre in
    theta for closed forms (about 10 digits at k <= 64, stated by the route), the series otherwise."""
    k = network_kernel(named(activation), depth=depth, kind=kind)
    route = "theta" if k.closed_form else "series"
    return [e.value for e in k.eigenvalues(d, list(ks), mode="float", route=route)]


def extrapolated_slope(activation: str, kind: str, depth: int, d: int, k0: int) -> dict:
    """Local log-log slopes of lambda_k on (k0, k1) and (k1, k2), ``k1 = 2 k0 + (k0 % 2)``,
    ``k2 = 2 k1 + (k1 % 2)`` (parity kept), extrapolated as ``s(k) = s_inf + c / k`` at the pairs'
    geometric means; ``spread`` = |limit - last local slope| (the error scale of the estimate)."""
    k1 = 2 * k0 + k0 % 2
    ks = (k0, k1, 2 * k1 + k1 % 2)
    lam = eigen_at(activation, kind, depth, d, ks)
    s = [math.log(lam[i + 1] / lam[i]) / math.log(ks[i + 1] / ks[i]) for i in (0, 1)]
    g = [math.sqrt(ks[i] * ks[i + 1]) for i in (0, 1)]
    lim = (s[1] * g[1] - s[0] * g[0]) / (g[1] - g[0])
    return {"k": list(ks), "lambda": lam, "slopes": s, "limit": lim, "spread": abs(lim - s[1])}


def extrapolated_ratio(num: list, den: list) -> dict:
    """``num/den`` at (k0, 2 k0), Richardson-extrapolated in 1/k (order 1); spread as above."""
    r = [a / b for a, b in zip(num, den)]
    lim = 2 * r[1] - r[0]
    return {"ratios": r, "limit": lim, "spread": abs(lim - r[1])}


def extrapolated_ratio_sequence(ks, lam) -> dict:
    """``lambda_{k+2}/lambda_k`` for consecutive ``ks`` (same parity), extrapolated to k -> oo by a
    quadratic fit in ``1/(k+1)``; ``spread`` = |quadratic - linear fit of the last three| (error scale)."""
    r = np.array([lam[i + 1] / lam[i] for i in range(len(ks) - 1)])
    h = 1.0 / (np.array(ks[:-1], dtype=float) + 1)
    a2 = float(np.polyfit(h, r, 2)[-1])
    a1 = float(np.polyfit(h[-3:], r[-3:], 1)[-1])
    return {"ratios": r.tolist(), "limit": a2, "spread": abs(a2 - a1)}
