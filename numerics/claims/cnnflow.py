"""Claims on the gradient flow of two-layer CNNs and on the empirical NTK.

Notes: ``docs/cnnflow.md`` §1-4 and §8 (conservation law C1, exact GD
drift C2, monotone loss C3, coefficient ODE C4), docs/basri2019.md §1.3-1.4 (NTK scales).
Networks: :class:`numerics.nets.cnn.CNN`; flows: :func:`numerics.dynamics.flow.simulate`; NTK:
:func:`numerics.nets.ntk.empirical_ntk`.  Derivations: :mod:`theory.cnnflow`.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.integrate import solve_ivp

from numerics.nets.cnn import CNN
from numerics.dynamics.flow import simulate
from numerics.verify.fits import fitted_order
from numerics.verify.registry import Evidence, Figure, Series, at_most, claim, within
from theory import cnnflow as gf

SOURCE = "Note on gradient flow of a two-layer CNN; docs/cnnflow.md"


# --------------------------------------------------------------------------- shared setting
def _problem(cfg, activation, salt, bias=True, head="map", dim=1, n=8, N=16, q=3, m=4, scale=1.0):
    """Sheet §1 setting: n signals of length N, circular CNN, circulant affine target ``h * x + c``."""
    rng = cfg.rng(salt)
    X = rng.standard_normal((n, 1) + (N,) * dim)
    h = rng.standard_normal(3) / 2
    c = rng.standard_normal()
    Yc = sum(h[j] * np.roll(X[:, 0], -j, axis=-1) for j in range(3)) + c
    net = CNN(dim, 1, m, q, "circular", bias, activation, head, seed=cfg.rng(salt, 1),
              input_size=N, output_scale=scale)
    if head == "map":
        Y = Yc
    else:
        Y = Yc.reshape(n, -1).mean(axis=1)
    return net, X, Y


def _q_scale(net):
    """``max(1, max_k |Q_k|)``: the scale that drifts are measured against."""
    return max(1.0, float(np.max(np.abs(net.channel_quantities()))))


# --------------------------------------------------------------------------- flow.conservation
def _euler_defect(net, X, Y):
    """max_k |a_k.g_a - (<w_k, g_w> + b_k g_b)/p| / (|a_k.g_a| + (|<w_k,g_w>| + |b_k g_b|)/p)."""
    _, g = net.loss_and_grad(X, Y)
    m, p = net.channels, (net.act.degree or 1)
    a = net.params["a"].reshape(m, -1)
    lhs = np.sum(a * g["a"].reshape(m, -1), axis=1)
    ww = np.sum(net.params["w"].reshape(m, -1) * g["w"].reshape(m, -1), axis=1)
    bb = net.params["b"] * g["b"] if net.bias else 0 * ww
    den = np.abs(lhs) + (np.abs(ww) + np.abs(bb)) / p
    return float(np.max(np.abs(lhs - (ww + bb) / p) / np.maximum(den, 1e-300)))


@claim(id="cnnflow.conservation", cost=9, aliases=("flow.conservation",), source=SOURCE + " §1 (C1); Du, Hu & Lee 2018",
       statement=r"\sigma \text{ positively } p\text{-homogeneous} \Rightarrow "
                 r"\tfrac{d}{dt}\big(\|a_k\|^2-(\|w_k\|^2+b_k^2)/p\big)=0",
       derive=gf.conservation)
def conservation(cfg, euler=("relu", "leaky_relu", "linear"), smooth=("linear", "relu2"),
                 kinked="relu"):
    """Channel quantities a_k^2 - (|w_k|^2 + b_k^2)/p are conserved by gradient flow.

    (i) Euler identity a_k dL/da_k = (<w_k, grad_w L> + b_k dL/db_k)/p by backprop at random
    parameter points (1-D/2-D, every head, with/without bias); (ii) drift along DOP853 flows of
    smooth homogeneous activations; (iii) drift of ReLU gradient descent extrapolated to step 0
    (Romberg: orders 1 and 2 eliminated from steps T/2^11, T/2^12, T/2^13).
    """
    # (i) Euler identity
    worst, rows = 0.0, []
    for i, (act, dim, head, bias) in enumerate(itertools.product(euler, (1, 2), ("map", "gap", "dense"),
                                                                  (False, True))):
        rng = cfg.rng(1, i)
        L = 7 if dim == 1 else 6
        net = CNN(dim, 2, 5, 3, "circular" if i % 2 else "valid", bias, act, head, seed=rng,
                  input_size=L, b_std=1.0)
        X = rng.standard_normal((6, 2) + (L,) * dim)
        Y = rng.standard_normal(net.forward(X).shape)
        e = _euler_defect(net, X, Y)
        worst = max(worst, e)
        rows.append({"activation": act, "dim": dim, "head": head, "bias": bias, "defect": e})
    # (ii) smooth homogeneous flows
    T = cfg.pick(quick=2.0, full=5.0)
    smooth_drift, curves = 0.0, []
    for j, act in enumerate(smooth):
        net, X, Y = _problem(cfg, act, 10 + j)
        tr = simulate(net, X, Y, np.linspace(0, T, 21), method="DOP853", rtol=1e-12, atol=1e-12)
        d = float(np.max(tr.drift)) / _q_scale(net)
        smooth_drift = max(smooth_drift, d)
        curves.append(Series(tr.times, np.max(np.abs(tr.Q - tr.Q[0]), axis=1) + 1e-18, f"{act} (DOP853)"))
    # (iii) kinked flow: GD drift extrapolated to step 0
    Tk = 0.5
    Ns = cfg.pick(quick=(2 ** 11, 2 ** 12, 2 ** 13), full=(2 ** 12, 2 ** 13, 2 ** 14))
    net, X, Y = _problem(cfg, kinked, 20)
    D = np.array([simulate(net, X, Y, [0, Tk], method="gd", step=Tk / N).Q[-1]
                  - net.channel_quantities() for N in Ns])
    R1 = 2 * D[1:] - D[:-1]                  # order-1 term removed
    R2 = (4 * R1[1] - R1[0]) / 3             # order-2 term removed
    extrap = float(np.max(np.abs(R2))) / _q_scale(net)
    raw_order = fitted_order(Tk / np.array(Ns), np.max(np.abs(D), axis=1))
    return Evidence(
        [at_most("Euler identity: max relative defect at random points", worst, 1e-12),
         at_most("smooth homogeneous flows: max_t |Q_k - Q_k(0)| / max(1,|Q0|)", smooth_drift, 1e-10),
         within(f"{kinked} GD: fitted order in eta of the drift over T={Tk}", raw_order, 0.95, 1.05),
         at_most(f"{kinked} GD drift extrapolated to step 0 (/ max(1,|Q0|))", extrap, 1e-7)],
        kind="float64",
        sizes={"euler_nets": len(rows), "flow": "n=8, N=16, q=3, m=4, circular 1-D, bias, map head",
               "T_smooth": T, "T_kinked": Tk, "gd_steps": list(Ns)},
        data={"euler": rows, "gd_drift_by_steps": {str(N): float(np.max(np.abs(d))) for N, d in zip(Ns, D)},
              "gd_drift_fitted_order": raw_order, "richardson_order1": np.max(np.abs(R1), axis=1).tolist()},
        figures=[Figure("drift", "Drift of the channel quantities along smooth flows", "t",
                        r"$\max_k|Q_k(t)-Q_k(0)|$", curves, yscale="log",
                        caption="Conserved to rounding for homogeneous activations.")],
        notes="(ii) scipy DOP853 rtol=atol=1e-12; (iii) gradient descent (adaptive solvers stall on the "
              "ReLU kink, docs/cnnflow.md §8), Romberg extrapolation in the step.")


conservation.control("tanh instead of the homogeneous activations: Q_k drifts", euler=("tanh",),
                     smooth=("tanh",), kinked="tanh")


# --------------------------------------------------------------------------- flow.gd-drift
@claim(id="cnnflow.gd-drift", cost=3, aliases=("flow.gd-drift",), source=SOURCE + " §2 (C2)",
       statement=r"Q_k^{t+1}-Q_k^t=\eta^2\big(|\partial_{a_k}L|^2-\|\nabla_{w_k}L\|^2-|\partial_{b_k}L|^2\big),"
                 r"\quad Q_k(T)-Q_k(0)=O(\eta)",
       derive=gf.gd_drift)
def gd_drift(cfg, order=1.0, activation="relu"):
    """Gradient descent moves Q_k by exactly eta^2 (|g_a|^2 - |g_w|^2 - g_b^2) per step: first order in eta.

    Per-step and cumulative drift compared with the predicted sum; drift over T = 5 for
    eta = 0.02 ... 0.00125 (halving; 0.04 is near the GD stability limit), fitted order compared with ``order``.
    """
    net, X, Y = _problem(cfg, activation, 30)
    m, p = net.channels, (net.act.degree or 1)
    eta, K = 0.01, cfg.pick(quick=300, full=2000)
    tr = simulate(net, X, Y, eta * np.arange(K + 1), method="gd", step=eta, record_params=True)
    batch = net.prepare(X, Y)
    saved = net.get_flat()
    pred = np.empty((K, m))
    for j in range(K):
        net.set_flat(tr.theta[j])
        _, g = batch.loss_and_grad()
        gw = np.sum(g["w"].reshape(m, -1) ** 2, axis=1) + (g["b"] ** 2 if net.bias else 0)
        pred[j] = eta ** 2 * (np.sum(g["a"].reshape(m, -1) ** 2, axis=1) - gw / p)
    net.set_flat(saved)
    scale = max(1.0, float(np.max(np.abs(tr.Q))) + 2 * float(np.max(np.abs(tr.theta))) ** 2)
    per_step = float(np.max(np.abs(np.diff(tr.Q, axis=0) - pred))) / scale
    cumul = float(np.max(np.abs(tr.Q[-1] - tr.Q[0] - pred.sum(0)))) / scale
    T = 5.0
    etas = np.array([0.02, 0.01, 0.005, 0.0025, 0.00125])
    drifts = np.array([np.max(np.abs(simulate(net, X, Y, [0, T], method="gd", step=float(e)).Q[-1]
                                     - net.channel_quantities())) for e in etas])
    fit = fitted_order(etas, drifts)
    local = [math.log(drifts[i] / drifts[i + 1]) / math.log(2) for i in range(len(etas) - 1)]
    return Evidence(
        [at_most("per-step |dQ - eta^2(...)| / scale", per_step, 1e-12),
         at_most("cumulative |Q(T)-Q(0) - sum of predictions| / scale", cumul, 1e-12),
         within(f"fitted order of the drift over T={T} in eta (claimed {order:g})", fit, order - 0.05, order + 0.05)],
        kind="float64",
        sizes={"steps": K, "eta": eta, "T": T, "etas": etas.tolist(), "scale": scale},
        data={"drift_by_eta": dict(zip(map(str, etas), drifts.tolist())), "local_orders": local},
        figures=[Figure("order", "GD drift of Q over a fixed time", r"$\eta$", r"$\max_k|Q_k(T)-Q_k(0)|$",
                        [Series(etas, drifts, "measured", "points"),
                         Series(etas, drifts[-1] * (etas / etas[-1]) ** order, f"order {order:g}", "dashed")],
                        xscale="log", yscale="log", caption="First order in the step.")],
        notes="scale = max(1, max|Q| + 2 max|theta|^2) bounds the size of every term of Q.")


gd_drift.control("the drift claimed to be second order in eta", order=2.0)


# --------------------------------------------------------------------------- flow.monotone-loss
def _frozen(net, X, Y):
    """Features matrix of the frozen problem: G (m, m), forcing b (m,), from backprop of the net."""
    batch = net.prepare(X, Y)
    a0 = net.params["a"].copy()
    net.params["a"] = np.zeros_like(a0)
    _, g0 = batch.loss_and_grad()
    b = -g0["a"]
    M = net.features(X)                                        # (n, m, *P)
    M = np.moveaxis(M, 1, -1).reshape(-1, net.channels) * net.output_scale
    G = M.T @ M / X.shape[0]
    net.params["a"] = a0
    return batch, G, b


@claim(id="cnnflow.monotone-loss", cost=7, aliases=("flow.monotone-loss",), source=SOURCE + " §3 (C3)",
       statement=r"\tfrac{d}{dt}L=-\|\nabla L\|^2\le 0;\ \text{GD: } L \text{ non-increasing for } "
                 r"\eta\le 2/\lambda_{\max}",
       derive=gf.energy_identity)
def monotone_loss(cfg, eta_factor=1.9):
    """The loss never increases along gradient flow (smooth and ReLU) nor along stable GD.

    Smooth activations: DOP853 (rtol 1e-12) on 201 times, max rise / L0 <= 100 rtol. ReLU: GD has no
    global Lipschitz constant, a step may rise by O(eta) (docs/cnnflow.md §3): max rise <= eta L0. Frozen-kernel GD with step
    eta_factor / lambda_max(G) (lambda_max measured): max rise / L0 <= 1e-12.
    """
    rtol = 1e-12
    T = cfg.pick(quick=2.0, full=5.0)
    rises, curves = {}, []
    for j, act in enumerate(("linear", "tanh", "softplus", "relu2")):
        net, X, Y = _problem(cfg, act, 40 + j)
        tr = simulate(net, X, Y, np.linspace(0, T, 201), method="DOP853", rtol=rtol, atol=1e-12)
        rises[act] = float(max(np.max(np.diff(tr.loss)), 0.0)) / tr.loss[0]
        curves.append(Series(tr.times, tr.loss, act))
    net, X, Y = _problem(cfg, "relu", 50)
    etas = np.array([0.04, 0.02, 0.01, 0.005])
    relu_rise, relu_L0 = [], []
    for e in etas:
        tr = simulate(net, X, Y, e * np.arange(int(round(2.0 / e)) + 1), method="gd", step=float(e))
        relu_rise.append(max(float(np.max(np.diff(tr.loss))), 0.0))
        relu_L0.append(float(tr.loss[0]))
    relu_slack = max(r / (e * tr0) for r, e, tr0 in zip(relu_rise, etas, relu_L0))
    # frozen kernels: quadratic loss in a
    net, X, Y = _problem(cfg, "relu", 60, m=20)
    batch, G, b = _frozen(net, X, Y)
    lam_max = float(np.linalg.eigvalsh(G)[-1])
    eta = eta_factor / lam_max
    L = [batch.loss_and_grad()[0]]
    for _ in range(200):
        _, g = batch.loss_and_grad()
        net.params["a"] = net.params["a"] - eta * g["a"]
        L.append(batch.loss_and_grad()[0])
    L = np.array(L)
    frozen_rise = float(max(np.max(np.diff(L)), 0.0)) / L[0]
    return Evidence(
        [at_most("smooth GF: max rise / L0 (100 x solver rtol)", max(rises.values()), 100 * rtol),
         at_most("ReLU GD: max single-step rise / (eta L0), eta = 0.04 ... 0.005", relu_slack, 1.0),
         at_most(f"frozen-kernel GD, eta = {eta_factor:g}/lambda_max: max rise / L0", frozen_rise, 1e-12)],
        kind="float64",
        sizes={"T": T, "grid": 201, "relu_etas": etas.tolist(), "frozen_m": 20, "frozen_steps": 200},
        data={"smooth_rise": rises, "relu_rise": relu_rise, "lambda_max": lam_max,
              "frozen_loss_first_last": [float(L[0]), float(L[-1])]},
        figures=[Figure("loss", "Loss along gradient flows", "t", "L", curves, yscale="log",
                        caption="Non-increasing along every flow.")],
        notes="DOP853 rtol=atol=1e-12 for smooth activations; ReLU by gradient descent (docs/cnnflow.md §8).")


monotone_loss.control("GD step 2.1/lambda_max (above the stability limit 2/lambda_max)", eta_factor=2.1)


# --------------------------------------------------------------------------- flow.coefficient-ode
RTOL_C4, ATOL_C4 = 1e-10, 1e-12


def _closed_form(G, b, a0, times):
    lam, V = np.linalg.eigh(G)
    cut = lam.max() * G.shape[0] * np.finfo(float).eps * 10
    inv = np.where(lam > cut, 1 / np.where(lam > cut, lam, 1), 0.0)
    c0, cb = V.T @ a0, V.T @ b
    out = []
    for t in times:
        e = np.exp(-np.clip(lam, 0, None) * t)
        # G^+(I - e^{-Gt}) b; on ker G the forcing component vanishes (range lemma)
        out.append(V @ (e * c0 + inv * (1 - e) * cb))
    return np.array(out), int(np.sum(lam > cut)), lam


@claim(id="cnnflow.coefficient-ode", cost=8, aliases=("flow.coefficient-ode",), source=SOURCE + " §4 (C4); Van Loan 1978",
       statement=r"\dot a=-Ga+b\ \Rightarrow\ a(t)=e^{-Gt}a(0)+G^{+}(I-e^{-Gt})b,\ \text{also for singular }G",
       derive=gf.coefficient_ode)
def coefficient_ode(cfg, sign=1.0):
    """With kernels frozen the readout follows the closed form of a' = -G a + b (also rank-deficient G).

    a(t) is simulated by Radau (rtol 1e-10, exact Jacobian) on the network's own backprop gradient
    (velocity -sign * G a + b, G a = grad(a) - grad(0)); compared with the eigen closed form.
    """
    errs, ranks, lemma = {}, {}, 0.0
    for name, (n, N, q, m) in {"full-rank": (8, 16, 3, 6), "rank-deficient": (2, 6, 3, 20)}.items():
        net, X, Y = _problem(cfg, "relu", 70 if name == "full-rank" else 71, n=n, N=N, q=q, m=m)
        batch, G, b = _frozen(net, X, Y)
        a0 = net.params["a"].copy()
        times = np.concatenate([[0.0], np.geomspace(0.01, 20.0, 25)])

        def grad_a(a):
            net.params["a"] = a
            return batch.loss_and_grad()[1]["a"]

        def fun(t, a):
            return -sign * (grad_a(a) + b) + b

        cap = 1e6 * max(1.0, float(np.linalg.norm(a0)), float(np.linalg.norm(np.linalg.pinv(G) @ b)))

        def blowup(t, a):                     # stop a diverging (sign-flipped) run at |a| = cap
            return float(np.linalg.norm(a)) - cap
        blowup.terminal = True

        sol = solve_ivp(fun, (0, times[-1]), a0, method="Radau", t_eval=times, rtol=RTOL_C4, atol=ATOL_C4,
                        jac=-sign * G, events=blowup)
        net.params["a"] = a0
        ref, rank, lam = _closed_form(G, b, a0, times[: sol.y.shape[1]])
        err = float(np.max(np.linalg.norm(sol.y.T - ref, axis=1) / np.maximum(np.linalg.norm(ref, axis=1), 1e-300)))
        errs[name], ranks[name] = err, f"{rank}/{m}"
        Gp = np.linalg.pinv(G, rcond=1e-10, hermitian=True)
        lemma = max(lemma, float(np.linalg.norm(b - G @ (Gp @ b)) / np.linalg.norm(b)))
    return Evidence(
        [at_most("full-rank G: max_t |a_sim - a_closed| / |a_closed|", errs["full-rank"], 1e-8),
         at_most("rank-deficient G: max_t |a_sim - a_closed| / |a_closed|", errs["rank-deficient"], 1e-8),
         at_most("range lemma |(I - G G^+) b| / |b|", lemma, 1e-10)],
        kind="float64", sizes={"times": "0 and 25 log-spaced in [0.01, 20]", "ranks": ranks},
        data={"errors": errs},
        notes=f"scipy Radau rtol={RTOL_C4:g} atol={ATOL_C4:g} with Jacobian -sign*G (run stopped once |a| > 1e6 max(1, |a0|, |G^+ b|)); closed form via eigh, G^+ with "
              "cutoff 10 m eps lambda_max.")


coefficient_ode.control("a' = +G a + b (sign of the Gram term flipped)", sign=-1.0)
