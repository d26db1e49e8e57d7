"""Measurements for the gradient-flow claims C1-C4 of ``docs/cnnflow.md`` §1-§4 (float64).

Every function takes the root ``seed`` (and a ``salt`` naming the sub-experiment) and returns plain
arrays, so a claim can share them between its controls and probes (``cfg.cached``): a control that
perturbs the statement (a coefficient of the conservation law, the drift constant, the Gram matrix)
re-judges the same measured numbers.  Networks: :class:`numerics.nets.cnn.CNN`; flows:
:func:`numerics.dynamics.flow.simulate`.
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import simpson, solve_ivp

from numerics.dynamics.flow import simulate
from numerics.nets.cnn import CNN
from theory.validate import check_int, check_real

__all__ = ["problem", "q_scale", "channel_terms", "euler_terms", "smooth_flow_terms", "kinked_gd_terms",
           "gd_steps", "gd_drifts", "flow_drift_integrals", "loss_derivative", "relu_energy", "relu_gd_slack",
           "gradient_squares", "frozen", "frozen_gd_rise", "closed_form", "coefficient_run",
           "C4_SETTINGS", "RTOL_C4", "ATOL_C4"]


# --------------------------------------------------------------------------- shared setting
def problem(seed, activation, salt, bias=True, head="map", dim=1, n=8, N=16, q=3, m=4, scale=1.0):
    """The setting of docs/cnnflow.md §0: n signals of length N, circular CNN, target ``h * x + c``.

    Parameters
    ----------
    seed, salt : int >= 0
        Data from ``default_rng([seed, salt])``, the network from ``default_rng([seed, salt, 1])``.
    activation, bias, head, dim, n, N, q, m, scale
        As in :class:`numerics.nets.cnn.CNN` (``m`` kernels of size ``q``, output scale ``scale``).

    Returns
    -------
    net : CNN
    X : ndarray, shape (n, 1, N) or (n, 1, N, N)
    Y : ndarray, shape (n, N) (map head) or (n,) (gap, dense heads)
    """
    seed = check_int("seed", seed, 0)
    salt = check_int("salt", salt, 0)
    rng = np.random.default_rng([seed, salt])
    X = rng.standard_normal((n, 1) + (N,) * dim)
    h = rng.standard_normal(3) / 2
    c = rng.standard_normal()
    Yc = sum(h[j] * np.roll(X[:, 0], -j, axis=-1) for j in range(3)) + c
    net = CNN(dim, 1, m, q, "circular", bias, activation, head, seed=np.random.default_rng([seed, salt, 1]),
              input_size=N, output_scale=scale)
    Y = Yc if head == "map" else Yc.reshape(n, -1).mean(axis=1)
    return net, X, Y


def q_scale(net):
    """``max(1, max_k |Q_k|)``: the scale that drifts of the channel quantities are measured against."""
    return max(1.0, float(np.max(np.abs(net.channel_quantities()))))


def channel_terms(net, theta):
    """The three terms of the conservation law, per channel, at parameter vectors ``theta``.

    Parameters
    ----------
    net : CNN
    theta : ndarray, shape (T, num_params)
        Flat parameters (layout of ``CNN.get_flat``).

    Returns
    -------
    ndarray, shape (3, T, m)
        ``||a_k||^2``, ``||w_k||^2``, ``b_k^2`` (zeros without bias).
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    m, i, out = net.channels, 0, {}
    for k in net.keys:
        size = net.params[k].size
        out[k] = theta[:, i:i + size].reshape(theta.shape[0], m, -1)
        i += size
    b2 = out["b"][..., 0] ** 2 if net.bias else np.zeros((theta.shape[0], m))
    return np.stack([np.sum(out["a"] ** 2, axis=2), np.sum(out["w"] ** 2, axis=2), b2])


# --------------------------------------------------------------------------- C1 conservation
def euler_terms(seed, activations, salt=1):
    """``(a_k g_a, <w_k, g_w>, b_k g_b)`` by backprop at random parameter points (docs/cnnflow.md §1, (E)).

    One network per (activation, 1-D/2-D, head, bias): 2 input channels, 5 kernels of size 3,
    circular and valid padding alternating, ``b_std = 1``, random targets.

    Returns
    -------
    rows : list of dict
        ``activation, dim, head, bias`` and ``terms``: ndarray, shape (3, m).
    """
    rows, i = [], 0
    for act in activations:
        for dim in (1, 2):
            for head in ("map", "gap", "dense"):
                for bias in (False, True):
                    rng = np.random.default_rng([seed, salt, i])
                    L = 7 if dim == 1 else 6
                    net = CNN(dim, 2, 5, 3, "circular" if i % 2 else "valid", bias, act, head, seed=rng,
                              input_size=L, b_std=1.0)
                    X = rng.standard_normal((6, 2) + (L,) * dim)
                    Y = rng.standard_normal(net.forward(X).shape)
                    _, g = net.loss_and_grad(X, Y)
                    m = net.channels
                    ag = np.sum(net.params["a"].reshape(m, -1) * g["a"].reshape(m, -1), axis=1)
                    wg = np.sum(net.params["w"].reshape(m, -1) * g["w"].reshape(m, -1), axis=1)
                    bg = net.params["b"] * g["b"] if bias else np.zeros(m)
                    rows.append({"activation": act, "dim": dim, "head": head, "bias": bias,
                                 "terms": np.stack([ag, wg, bg])})
                    i += 1
    return rows


def smooth_flow_terms(seed, activation, salt, T, points=21):
    """Conservation-law terms along a DOP853 flow (rtol = atol = 1e-12) of the §0 problem.

    Returns
    -------
    times : ndarray, shape (points,)
    terms : ndarray, shape (3, points, m)  (:func:`channel_terms`)
    scale : float  (:func:`q_scale` at time 0)
    """
    net, X, Y = problem(seed, activation, salt)
    tr = simulate(net, X, Y, np.linspace(0, T, points), method="DOP853", rtol=1e-12, atol=1e-12,
                  record_params=True)
    return tr.times, channel_terms(net, tr.theta), q_scale(net)


def kinked_gd_terms(seed, activation, salt, T, steps):
    """Conservation-law terms at times 0 and ``T`` of gradient descent with steps ``T/N``, N in ``steps``.

    Returns
    -------
    terms : ndarray, shape (len(steps), 3, 2, m)
    scale : float
    """
    net, X, Y = problem(seed, activation, salt)
    out = [channel_terms(net, simulate(net, X, Y, [0, T], method="gd", step=T / N, record_params=True).theta)
           for N in steps]
    return np.array(out), q_scale(net)


# --------------------------------------------------------------------------- C2 GD drift
def gd_steps(seed, activation, salt, eta, K):
    """``K`` GD steps: Q at every step and the squared gradient blocks the drift formula needs (§2).

    Returns
    -------
    Q : ndarray, shape (K + 1, m)
        ``a_k^2 - (||w_k||^2 + b_k^2)/p`` (p: the activation's degree).
    g2 : ndarray, shape (3, K, m)
        ``|g_a|^2, ||g_w||^2, g_b^2`` per channel at steps 0..K-1.
    scale : float
        ``max(1, max|Q| + 2 max|theta|^2)``, bounding every term of Q.
    """
    net, X, Y = problem(seed, activation, salt)
    tr = simulate(net, X, Y, eta * np.arange(K + 1), method="gd", step=eta, record_params=True)
    g2 = gradient_squares(net, X, Y, tr.theta[:-1])
    scale = max(1.0, float(np.max(np.abs(tr.Q))) + 2 * float(np.max(np.abs(tr.theta))) ** 2)
    return tr.Q, g2, scale


def gradient_squares(net, X, Y, thetas):
    """``|g_a|^2, ||g_w||^2, g_b^2`` per channel at each parameter vector: ndarray, shape (3, T, m)."""
    batch, saved, m = net.prepare(X, Y), net.get_flat(), net.channels
    out = np.zeros((3, len(thetas), m))
    for j, th in enumerate(thetas):          # one backprop per recorded time (not per sample)
        net.set_flat(th)
        _, g = batch.loss_and_grad()
        out[0, j] = np.sum(g["a"].reshape(m, -1) ** 2, axis=1)
        out[1, j] = np.sum(g["w"].reshape(m, -1) ** 2, axis=1)
        if net.bias:
            out[2, j] = g["b"] ** 2
    net.set_flat(saved)
    return out


def gd_drifts(seed, activation, salt, T, etas):
    """``Q_k(T) - Q_k(0)`` under GD with each step in ``etas``: ndarray, shape (len(etas), m)."""
    net, X, Y = problem(seed, activation, salt)
    q0 = net.channel_quantities()
    return np.array([simulate(net, X, Y, [0, T], method="gd", step=float(e)).Q[-1] - q0 for e in etas])


def flow_drift_integrals(seed, activation, salt, T, h):
    """``int_0^T (|g_a|^2, ||g_w||^2, g_b^2) dt`` along the flow (RK4, step ``h``; trapezoid rule).

    Returns
    -------
    ndarray, shape (3, m)
    """
    net, X, Y = problem(seed, activation, salt)
    times = h * np.arange(int(round(T / h)) + 1)
    tr = simulate(net, X, Y, times, method="rk4", step=h, record_params=True)
    return np.trapezoid(gradient_squares(net, X, Y, tr.theta), times, axis=1)


# --------------------------------------------------------------------------- C3 monotone loss
def loss_derivative(seed, activation, salt, T, centres=20, delta=5e-4, points=201):
    """dL/dt by finite differences of the loss along a DOP853 flow, and ||grad L||^2 at the same times.

    The flow (rtol = atol = 1e-12) is recorded on ``points`` equispaced times and on 5-point
    stencils ``t_i + delta (-2..2)`` around ``centres`` times in [0.05, T - 0.05]; dL/dt is the
    fourth-order central difference (error O(delta^4), rounding ~1e-12 L / delta).

    Returns
    -------
    dLdt, g2 : ndarray, shape (centres,)
    rise : float
        Largest increase of L between consecutive equispaced times, over L(0).
    loss : ndarray, shape (points,)  (for the figure)
    """
    net, X, Y = problem(seed, activation, salt)
    tc = np.linspace(0.05, T - 0.05, centres)
    st = tc[:, None] + delta * np.arange(-2, 3)
    grid = np.linspace(0, T, points)
    times = np.unique(np.concatenate([grid, st.ravel()]))
    tr = simulate(net, X, Y, times, method="DOP853", rtol=1e-12, atol=1e-12)
    Lw = tr.loss[np.searchsorted(times, st)]
    dLdt = (8 * (Lw[:, 3] - Lw[:, 1]) - (Lw[:, 4] - Lw[:, 0])) / (12 * delta)
    g2 = tr.grad_norm[np.searchsorted(times, tc)] ** 2
    Lg = tr.loss[np.searchsorted(times, grid)]
    return dLdt, g2, max(float(np.max(np.diff(Lg))), 0.0) / Lg[0], Lg


def relu_energy(seed, salt, T, h):
    """Energy identity of a ReLU flow: ``(L(0) - L(T), int_0^T ||grad L||^2 dt)``, RK4 step ``h``, Simpson."""
    net, X, Y = problem(seed, "relu", salt)
    tr = simulate(net, X, Y, h * np.arange(int(round(T / h)) + 1), method="rk4", step=h)
    return float(tr.loss[0] - tr.loss[-1]), float(simpson(tr.grad_norm ** 2, x=tr.times))


def relu_gd_slack(seed, salt, etas=(0.04, 0.02, 0.01, 0.005), T=2.0):
    """max over eta of (largest single-step rise of L along ReLU GD) / (eta L(0)), over time ``T``."""
    net, X, Y = problem(seed, "relu", salt)
    out = 0.0
    for e in etas:
        tr = simulate(net, X, Y, e * np.arange(int(round(T / e)) + 1), method="gd", step=e)
        out = max(out, max(float(np.max(np.diff(tr.loss))), 0.0) / (e * float(tr.loss[0])))
    return out


def frozen(net, X, Y):
    """The frozen-kernel problem of docs/cnnflow.md §4 from backprop of ``net``.

    Returns
    -------
    batch : numerics.nets.cnn.Batch
    G : ndarray, shape (m, m)
        Gram matrix ``E <H phi_j, H phi_k>`` (features times the output scale).
    b : ndarray, shape (m,)
        Forcing ``-dL/da`` at ``a = 0``.
    """
    batch = net.prepare(X, Y)
    a0 = net.params["a"].copy()
    net.params["a"] = np.zeros_like(a0)
    _, g0 = batch.loss_and_grad()
    b = -g0["a"]
    M = net.features(X)                                        # (n, m, *P)
    M = np.moveaxis(M, 1, -1).reshape(-1, net.channels) * net.output_scale
    net.params["a"] = a0
    return batch, M.T @ M / X.shape[0], b


def frozen_gd_rise(seed, salt, eta_lambda, steps=400, m=20):
    """Largest one-step rise of L / L(0) along frozen-kernel GD with step ``eta_lambda / lambda_max(G)``."""
    check_real("eta_lambda", eta_lambda, 0, None, lo_open=True)
    net, X, Y = problem(seed, "relu", salt, m=m)
    batch, G, _ = frozen(net, X, Y)
    eta = eta_lambda / float(np.linalg.eigvalsh(G)[-1])
    L = [batch.loss_and_grad()[0]]
    for _ in range(steps):
        _, g = batch.loss_and_grad()
        net.params["a"] = net.params["a"] - eta * g["a"]
        L.append(batch.loss_and_grad()[0])
    L = np.array(L)
    return max(float(np.max(np.diff(L))), 0.0) / L[0]


# --------------------------------------------------------------------------- C4 coefficient ODE
def closed_form(G, b, a0, times, v_G=-1.0, v_b=1.0):
    """``a(t) = e^{v_G G t} a0 + (-v_G G)^+ (I - e^{v_G G t}) v_b b`` by ``eigh`` (docs/cnnflow.md §4).

    Parameters
    ----------
    G : ndarray, shape (m, m), symmetric positive semi-definite
    b, a0 : ndarray, shape (m,)
    times : array_like, shape (T,), >= 0
    v_G, v_b : float
        Coefficients of the velocity ``v_G G a + v_b b`` (the derivation gives -1, +1); ``v_G < 0``.

    Returns
    -------
    a : ndarray, shape (T, m)
    rank : int
        Number of eigenvalues above the cutoff ``10 m eps lambda_max`` (the rest span ker G).
    """
    if check_real("v_G", v_G, None, 0) == 0:
        raise ValueError("`v_G` must be a real number < 0 (the velocity v_G G a + v_b b decays); got 0")
    lam, V = np.linalg.eigh(G)
    lam = -v_G * lam
    cut = lam.max() * G.shape[0] * np.finfo(float).eps * 10
    inv = np.where(lam > cut, 1 / np.where(lam > cut, lam, 1), 0.0)
    c0, cb = V.T @ a0, V.T @ (v_b * b)
    e = np.exp(-np.clip(lam, 0, None)[None, :] * np.asarray(times, float)[:, None])
    return (e * c0 + inv * (1 - e) * cb) @ V.T, int(np.sum(lam > cut))


RTOL_C4, ATOL_C4 = 1e-10, 1e-12
C4_SETTINGS = {"full-rank": (70, 8, 16, 3, 6), "rank-deficient": (71, 2, 6, 3, 20)}   # salt, n, N, q, m


def coefficient_run(seed, name, sign=1.0):
    """Radau solution of the frozen-kernel readout flow on the network's own backprop gradient (§4).

    The velocity is ``-sign * (G a - b) + b`` with ``G a - b = dL/da`` from backprop (``sign = 1``:
    gradient flow); scipy Radau, rtol 1e-10, atol 1e-12, exact Jacobian ``-sign G``; a diverging run
    (``sign < 0``) is stopped once ``|a| > 1e6 max(1, |a0|, |G^+ b|)``.

    Parameters
    ----------
    seed : int >= 0
    name : {"full-rank", "rank-deficient"}
        ``C4_SETTINGS``: 8 signals of length 16, 6 kernels (G of full rank) or 2 signals of length 6,
        20 kernels (rank of G at most 12).
    sign : float

    Returns
    -------
    dict with ``G`` (m, m), ``b`` (m,), ``a0`` (m,), ``times`` (T,), ``a`` (T', m) with T' <= T.
    """
    salt, n, N, q, m = C4_SETTINGS[name]
    net, X, Y = problem(seed, "relu", salt, n=n, N=N, q=q, m=m)
    batch, G, b = frozen(net, X, Y)
    a0 = net.params["a"].copy()
    times = np.concatenate([[0.0], np.geomspace(0.01, 20.0, 25)])

    def fun(t, a):
        net.params["a"] = a
        return -sign * (batch.loss_and_grad()[1]["a"] + b) + b

    cap = 1e6 * max(1.0, float(np.linalg.norm(a0)), float(np.linalg.norm(np.linalg.pinv(G) @ b)))

    def blowup(t, a):
        return float(np.linalg.norm(a)) - cap
    blowup.terminal = True

    sol = solve_ivp(fun, (0, times[-1]), a0, method="Radau", t_eval=times, rtol=RTOL_C4, atol=ATOL_C4,
                    jac=-sign * G, events=blowup)
    net.params["a"] = a0
    return {"G": G, "b": b, "a0": a0, "times": times, "a": sol.y.T}
