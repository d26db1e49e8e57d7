"""Claims C1-C4 on the gradient flow of two-layer CNNs (docs/cnnflow.md §1-§4).

Measurements: :mod:`numerics.experiments.cnnflow_flow`; derivations: :mod:`theory.cnnflow`.  Every
expected coefficient, order, constant and threshold is read from the derivation; the controls
perturb it (a coefficient of the conservation law x1.05 or dropped, the drift order x1.1, the drift
constant x1.1, the energy identity x1.05, the GD threshold x1.05, the Gram matrix x1.05, the forcing
dropped) and the same check must reject it.
"""
from __future__ import annotations

import numpy as np

from numerics.experiments import cnnflow_flow as ex
from numerics.nets.activations import get as activation
from numerics.verify.fits import fitted_order
from numerics.verify.registry import Evidence, Figure, Series, at_least, at_most, claim, close
from theory import cnnflow as gf

SOURCE = "Note on gradient flow of a two-layer CNN; docs/cnnflow.md"


def _degree(act):
    return activation(act).degree or 1


# --------------------------------------------------------------------------- C1 conservation
def _law(cfg, act, c_w_factor, c_b_factor):
    """The weights (1, c_w, c_b) of Q = a^2 - c_w ||w||^2 - c_b b^2 from the derivation, perturbed."""
    p = _degree(act)
    return np.array([1.0, cfg.derived_value("c_w", p=p) * c_w_factor, cfg.derived_value("c_b", p=p) * c_b_factor])


def _conserved(terms, c):
    """``a^2 - c_w ||w||^2 - c_b b^2`` from terms of shape (3, ...)."""
    return terms[0] - c[1] * terms[1] - c[2] * terms[2]


def _euler_worst(cfg, euler, c_w_factor, c_b_factor):
    """Largest relative dQ/dt = -2(a g_a - c_w <w, g_w> - c_b b g_b) over random nets, and one row per net
    (docs/cnnflow.md §1 (E))."""
    rows = []
    for row in cfg.cached(ex.euler_terms, cfg.seed, tuple(euler)):
        c, (ag, wg, bg) = _law(cfg, row["activation"], c_w_factor, c_b_factor), row["terms"]
        den = np.abs(ag) + c[1] * np.abs(wg) + c[2] * np.abs(bg)
        rows.append({k: row[k] for k in ("activation", "dim", "head", "bias")}
                    | {"defect": float(np.max(np.abs(ag - c[1] * wg - c[2] * bg) / np.maximum(den, 1e-300)))})
    return max(r["defect"] for r in rows), rows


def _kinked(cfg, kinked, Ns, c):
    """GD drift of the law over T = 0.5 for steps T/N: fitted order, Romberg limit / movement of a^2, data."""
    Tk = 0.5
    terms, _ = cfg.cached(ex.kinked_gd_terms, cfg.seed, kinked, 20, Tk, tuple(Ns))
    D = np.array([_conserved(t[:, 1], c) - _conserved(t[:, 0], c) for t in terms])      # (len(Ns), m)
    R1 = 2 * D[1:] - D[:-1]                  # order-1 term removed
    R2 = (4 * R1[1] - R1[0]) / 3             # order-2 term removed
    movement = float(np.max(np.abs(terms[-1][0, 1] - terms[-1][0, 0])))
    order = fitted_order(Tk / np.array(Ns), np.max(np.abs(D), axis=1) + 1e-300)
    data = {"gd_drift_by_steps": {str(N): float(np.max(np.abs(d))) for N, d in zip(Ns, D)},
            "gd_drift_fitted_order": order, "richardson_order1": np.max(np.abs(R1), axis=1).tolist(),
            "movement_a2": movement}
    return order, float(np.max(np.abs(R2))) / movement, data


@claim(id="cnnflow.conservation", cost=10, aliases=("flow.conservation",),
       source=SOURCE + " §1 (C1); Du, Hu & Lee 2018",
       statement=r"\sigma \text{ positively } p\text{-homogeneous} \Rightarrow "
                 r"\tfrac{d}{dt}\big(\|a_k\|^2-(\|w_k\|^2+b_k^2)/p\big)=0",
       derive=gf.conservation)
def conservation(cfg, euler=("relu", "leaky_relu", "linear"), smooth=("linear", "relu2"), kinked="relu",
                 c_w_factor=1.0, c_b_factor=1.0):
    """Channel quantities a_k^2 - (|w_k|^2 + b_k^2)/p are conserved by gradient flow.

    The weights c_w = c_b = 1/p are the derivation's (the unique ones making dQ/dt vanish).
    (i) Euler identity by backprop at random points (1-D/2-D, every head, with/without bias);
    (ii) drift along DOP853 flows of smooth homogeneous activations, relative to max(1, |Q|);
    (iii) ReLU gradient descent over T = 0.5 with steps T/2^11..T/2^13: the drift is of the derived
    order 1 in the step, and its Romberg limit (orders 1 and 2 removed) is small relative to how far
    the terms a_k^2 move (docs/cnnflow.md §1, §8).
    """
    worst, rows = _euler_worst(cfg, euler, c_w_factor, c_b_factor)
    T = cfg.pick(quick=2.0, full=5.0)
    smooth_drift, curves = 0.0, []
    for j, act in enumerate(smooth):
        times, terms, scale = cfg.cached(ex.smooth_flow_terms, cfg.seed, act, 10 + j, T)
        Q = _conserved(terms, _law(cfg, act, c_w_factor, c_b_factor))
        smooth_drift = max(smooth_drift, float(np.max(np.abs(Q - Q[0]))) / scale)
        curves.append(Series(times, np.max(np.abs(Q - Q[0]), axis=1) + 1e-18, f"{act} (DOP853)"))
    Ns = cfg.pick(quick=(2 ** 11, 2 ** 12, 2 ** 13), full=(2 ** 12, 2 ** 13, 2 ** 14))
    order, rel, kinked_data = _kinked(cfg, kinked, Ns, _law(cfg, kinked, c_w_factor, c_b_factor))
    return Evidence(
        [at_most("Euler identity: max relative dQ/dt at random points", worst, 1e-12),
         at_most("smooth homogeneous flows: max_t |Q_k - Q_k(0)| / max(1,|Q0|)", smooth_drift, 1e-10),
         close(f"{kinked} GD: fitted order in eta of the drift over T=0.5", order,
               cfg.derived_value("gd_drift_order"), atol=0.006),
         at_most(f"{kinked} GD drift extrapolated to step 0 / max_k |a_k^2(T) - a_k^2(0)|", rel, 1e-5)],
        kind="float64",
        sizes={"euler_nets": len(rows), "flow": "n=8, N=16, q=3, m=4, circular 1-D, bias, map head",
               "T_smooth": T, "T_kinked": 0.5, "gd_steps": list(Ns)},
        data={"euler": rows, **kinked_data, "law_factors": [c_w_factor, c_b_factor]},
        figures=[Figure("drift", "Drift of the channel quantities along smooth flows", "t",
                        r"$\max_k|Q_k(t)-Q_k(0)|$", curves, yscale="log",
                        caption="Conserved to rounding for homogeneous activations.")],
        notes="(ii) scipy DOP853 rtol=atol=1e-12; (iii) gradient descent (adaptive solvers stall on the ReLU "
              "kink, docs/cnnflow.md §8), Romberg extrapolation in the step; tolerances: docs/cnnflow.md §1.")


conservation.control("tanh instead of the homogeneous activations: Q_k drifts", euler=("tanh",),
                     smooth=("tanh",), kinked="tanh")
conservation.control("a_k^2 - 1.05 ||w_k||^2/p - b_k^2/p (kernel weight x1.05)", kind="near-miss",
                     label="c_w x1.05", c_w_factor=1.05)
conservation.control("a_k^2 - ||w_k||^2/p (bias part dropped)", kind="near-miss", label="b_k^2 term dropped",
                     c_b_factor=0.0)
conservation.probe("kernel weight x1.001", label="c_w x1.001", c_w_factor=1.001)
conservation.probe("kernel weight x(1 + 1e-6)", label="c_w x(1+1e-6)", c_w_factor=1 + 1e-6)
conservation.probe("kernel weight x(1 + 1e-10)", label="c_w x(1+1e-10)", c_w_factor=1 + 1e-10)
conservation.probe("kernel weight x(1 + 1e-13)", label="c_w x(1+1e-13)", c_w_factor=1 + 1e-13)
conservation.probe("bias weight x(1 + 1e-6)", label="c_b x(1+1e-6)", c_b_factor=1 + 1e-6)


# --------------------------------------------------------------------------- C2 GD drift
def _drift_coefficients(cfg, act, coef_w_factor):
    p = _degree(act)
    return np.array([cfg.derived_value("coef_ga", p=p), cfg.derived_value("coef_gw", p=p) * coef_w_factor,
                     cfg.derived_value("coef_gb", p=p)])


@claim(id="cnnflow.gd-drift", cost=3, aliases=("flow.gd-drift",), source=SOURCE + " §2 (C2)",
       statement=r"Q_k^{t+1}-Q_k^t=\eta^2\big(|\partial_{a_k}L|^2-\|\nabla_{w_k}L\|^2-|\partial_{b_k}L|^2\big),"
                 r"\quad Q_k(T)-Q_k(0)=\eta\int_0^T\big(|\partial_{a_k}L|^2-\|\nabla_{(w_k,b_k)}L\|^2\big)dt+O(\eta^2)",
       derive=gf.gd_drift)
def gd_drift(cfg, order_factor=1.0, constant_factor=1.0, coef_w_factor=1.0, activation="relu"):
    """Gradient descent moves Q_k by exactly eta^2 (|g_a|^2 - |g_w|^2 - g_b^2) per step: first order in eta.

    Per-step and cumulative drift against the derived eta^2 formula (eta = 0.01, 300 steps); over
    T = 2.5 with eta = 0.01 ... 0.000625 (halving) the Richardson-corrected drift 4 D(eta/2) - D(eta)
    has the derived order 1, and its eta -> 0 slope equals the derived constant: the integral of
    the eta^2 coefficient along the flow (RK4, step 0.0025, trapezoid rule).
    """
    coef = _drift_coefficients(cfg, activation, coef_w_factor)
    eta, K = 0.01, cfg.pick(quick=300, full=2000)
    Q, g2, scale = cfg.cached(ex.gd_steps, cfg.seed, activation, 30, eta, K)
    pred = eta ** 2 * np.tensordot(coef, g2, axes=1)                       # (K, m)
    per_step = float(np.max(np.abs(np.diff(Q, axis=0) - pred))) / scale
    cumul = float(np.max(np.abs(Q[-1] - Q[0] - pred.sum(0)))) / scale
    T = 2.5
    etas = 0.01 / 2.0 ** np.arange(5)
    D = cfg.cached(ex.gd_drifts, cfg.seed, activation, 30, T, tuple(etas))
    Dt = 4 * D[1:] - D[:-1]                                                # O(eta^2) term removed
    norms = np.linalg.norm(Dt, axis=1)
    order = fitted_order(etas[1:-1], norms[1:])
    slope = Dt[-1] / etas[-2]
    c1 = np.tensordot(coef, cfg.cached(ex.flow_drift_integrals, cfg.seed, activation, 30, T, 0.0025), axes=1)
    const_err = float(np.linalg.norm(slope - constant_factor * c1) / np.linalg.norm(constant_factor * c1))
    expected_order = cfg.derived_value("drift_order") * order_factor
    return Evidence(
        [at_most("per-step |dQ - eta^2(c_a|g_a|^2 + c_w|g_w|^2 + c_b g_b^2)| / scale", per_step, 1e-12),
         at_most("cumulative |Q(T)-Q(0) - sum of predictions| / scale", cumul, 1e-12),
         close(f"fitted order in eta of 4D(eta/2) - D(eta) over T={T} (eta = 0.005 ... 0.00125)", order,
               expected_order, atol=0.01),
         at_most("|lim D/eta - eta^2-coefficient integrated along the flow| / |integral|", const_err, 0.01)],
        kind="float64",
        sizes={"steps": K, "eta": eta, "T": T, "etas": etas.tolist(), "scale": scale, "flow_rk4_step": 0.0025},
        data={"drift_by_eta": dict(zip(map(str, etas), np.max(np.abs(D), axis=1).tolist())),
              "local_orders": np.log2(norms[:-1] / norms[1:]).tolist(), "limit_slope": slope.tolist(),
              "flow_integral": c1.tolist()},
        figures=[Figure("order", "GD drift of Q over a fixed time", r"$\eta$", r"$\|4D(\eta/2)-D(\eta)\|$",
                        [Series(etas[:-1], norms, "measured", "points"),
                         Series(etas[:-1], norms[-1] * (etas[:-1] / etas[-2]) ** expected_order,
                                f"order {expected_order:g}", "dashed")],
                        xscale="log", yscale="log", caption="First order in the step.")],
        notes="scale = max(1, max|Q| + 2 max|theta|^2) bounds the size of every term of Q; tolerances: "
              "docs/cnnflow.md §2.")


gd_drift.control("the drift claimed to be second order in eta", order_factor=2.0)
gd_drift.control("drift order x1.1", kind="near-miss", label="order x1.1", order_factor=1.1)
gd_drift.control("first-order drift constant x1.1", kind="near-miss", label="constant x1.1", constant_factor=1.1)
gd_drift.control("per-step formula with ||g_w||^2 x1.05", kind="near-miss", label="c_w x1.05", coef_w_factor=1.05)
gd_drift.probe("drift order x1.05", label="order x1.05", order_factor=1.05)
gd_drift.probe("drift order x1.02", label="order x1.02", order_factor=1.02)
gd_drift.probe("drift constant x1.05", label="constant x1.05", constant_factor=1.05)
gd_drift.probe("drift constant x1.02", label="constant x1.02", constant_factor=1.02)
gd_drift.probe("drift constant x1.01", label="constant x1.01", constant_factor=1.01)
gd_drift.probe("per-step ||g_w||^2 x(1 + 1e-6)", label="c_w x(1+1e-6)", coef_w_factor=1 + 1e-6)


# --------------------------------------------------------------------------- C3 monotone loss
def _smooth_energy(cfg, kappa, T):
    """Max rise / L0 and max_t |dL/dt - kappa ||grad L||^2| / max_t ||grad L||^2 over smooth flows."""
    rises, errs, curves = {}, {}, []
    for j, act in enumerate(("linear", "tanh", "softplus", "relu2")):
        dLdt, g2, rise, L = cfg.cached(ex.loss_derivative, cfg.seed, act, 40 + j, T)
        rises[act], errs[act] = rise, float(np.max(np.abs(dLdt - kappa * g2)) / np.max(g2))
        curves.append(Series(np.linspace(0, T, L.size), L, act))
    return rises, errs, curves


@claim(id="cnnflow.monotone-loss", cost=6, aliases=("flow.monotone-loss",), source=SOURCE + " §3 (C3)",
       statement=r"\tfrac{d}{dt}L=-\|\nabla L\|^2\le 0;\ \text{GD: } L \text{ non-increasing iff } "
                 r"\eta\le 2/\lambda_{\max}",
       derive=gf.energy_identity)
def monotone_loss(cfg, energy_factor=1.0, threshold_factor=1.0):
    """dL/dt = -||grad L||^2 along gradient flow (smooth and ReLU); frozen-kernel GD is monotone iff eta <= 2/lambda_max.

    Smooth activations: DOP853 (rtol 1e-12); dL/dt by a 5-point difference (step 5e-4) at 20 times
    against kappa ||grad L||^2 (kappa = -1 derived) at the same times; max rise / L0 on 201 times.
    ReLU: energy identity L(0) - L(T) = -kappa int ||grad L||^2 along RK4 (step 0.005, Simpson);
    GD rise <= eta L0 (docs/cnnflow.md §3).  Frozen kernels: GD with eta = (1 -+ 0.005) c/lambda_max,
    c the derived threshold 2: no rise below, a rise above.
    """
    kappa = cfg.derived_value("dL_dt_coefficient") * energy_factor
    T = cfg.pick(quick=2.0, full=5.0)
    rises, errs, curves = _smooth_energy(cfg, kappa, T)
    dL, integral = cfg.cached(ex.relu_energy, cfg.seed, 50, 2.0, 0.005)
    relu_err = abs(dL + kappa * integral) / dL
    relu_slack = cfg.cached(ex.relu_gd_slack, cfg.seed, 50)
    c = cfg.derived_value("gd_threshold") * threshold_factor
    below = cfg.cached(ex.frozen_gd_rise, cfg.seed, 60, c * 0.995)
    above = cfg.cached(ex.frozen_gd_rise, cfg.seed, 60, c * 1.005)
    return Evidence(
        [at_most("smooth GF: max rise / L0 (100 x solver rtol)", max(rises.values()), 1e-10),
         at_most("smooth GF: max_t |dL/dt - kappa ||grad L||^2| / max_t ||grad L||^2", max(errs.values()), 5e-5),
         at_most("ReLU GF: |L(0) - L(T) + kappa int ||grad L||^2 dt| / (L(0) - L(T))", relu_err, 1e-2),
         at_most("ReLU GD: max single-step rise / (eta L0), eta = 0.04 ... 0.005", relu_slack, 1.0),
         at_most(f"frozen-kernel GD, eta = 0.995 x {c:g}/lambda_max: max rise / L0", below, 1e-12),
         at_least(f"frozen-kernel GD, eta = 1.005 x {c:g}/lambda_max: max rise / L0", above, 1e-6)],
        kind="float64",
        sizes={"T": T, "grid": 201, "fd_centres": 20, "fd_step": 5e-4, "relu_rk4_step": 0.005, "frozen_m": 20,
               "frozen_steps": 400},
        data={"smooth_rise": rises, "smooth_dLdt_error": errs, "relu_energy_error": relu_err,
              "frozen_rise": {"below": below, "above": above}},
        figures=[Figure("loss", "Loss along gradient flows", "t", "L", curves, yscale="log",
                        caption="Non-increasing along every flow.")],
        notes="DOP853 rtol=atol=1e-12 for smooth activations; ReLU by RK4 and gradient descent "
              "(docs/cnnflow.md §8); tolerances: docs/cnnflow.md §3.")


monotone_loss.control("dL/dt = -||grad L||^2 / 2", energy_factor=0.5)
monotone_loss.control("dL/dt = -1.05 ||grad L||^2", kind="near-miss", label="dL/dt x1.05", energy_factor=1.05)
monotone_loss.control("GD monotone up to eta = 2.1/lambda_max (threshold x1.05)", kind="near-miss",
                      label="threshold x1.05", threshold_factor=1.05)
monotone_loss.control("GD monotone only up to eta = 2/(1.05 lambda_max) (threshold /1.05)", kind="near-miss",
                      label="threshold /1.05", threshold_factor=1 / 1.05)
monotone_loss.probe("dL/dt x1.001", label="dL/dt x1.001", energy_factor=1.001)
monotone_loss.probe("dL/dt x1.0001", label="dL/dt x1.0001", energy_factor=1.0001)
monotone_loss.probe("dL/dt x1.00001", label="dL/dt x1.00001", energy_factor=1.00001)
monotone_loss.probe("threshold x1.02", label="threshold x1.02", threshold_factor=1.02)
monotone_loss.probe("threshold x1.01", label="threshold x1.01", threshold_factor=1.01)


# --------------------------------------------------------------------------- C4 coefficient ODE
@claim(id="cnnflow.coefficient-ode", cost=8, aliases=("flow.coefficient-ode",),
       source=SOURCE + " §4 (C4); Van Loan 1978",
       statement=r"\dot a=-Ga+b\ \Rightarrow\ a(t)=e^{-Gt}a(0)+G^{+}(I-e^{-Gt})b,\ \text{also for singular }G",
       derive=gf.coefficient_ode)
def coefficient_ode(cfg, sign=1.0, gram_factor=1.0, forcing_factor=1.0):
    """With kernels frozen the readout follows the closed form of a' = -G a + b (also rank-deficient G).

    a(t) is simulated by Radau (rtol 1e-10, exact Jacobian) on the network's own backprop gradient
    (velocity -sign G a + b); compared with the closed form whose coefficients (-1 for G, +1 for b)
    come from the derivation.  Tolerance: the solver's rtol (docs/cnnflow.md §4).
    """
    v_G = cfg.derived_value("velocity_G") * gram_factor
    v_b = cfg.derived_value("velocity_b") * forcing_factor
    errs, ranks, lemma = {}, {}, 0.0
    for name in ex.C4_SETTINGS:
        run = cfg.cached(ex.coefficient_run, cfg.seed, name, float(sign))
        G, b, a = run["G"], run["b"], run["a"]
        ref, rank = ex.closed_form(G, b, run["a0"], run["times"][: a.shape[0]], v_G, v_b)
        errs[name] = float(np.max(np.linalg.norm(a - ref, axis=1) / np.maximum(np.linalg.norm(ref, axis=1), 1e-300)))
        ranks[name] = f"{rank}/{G.shape[0]}"
        Gp = np.linalg.pinv(G, rcond=1e-10, hermitian=True)
        lemma = max(lemma, float(np.linalg.norm(b - G @ (Gp @ b)) / np.linalg.norm(b)))
    tol = ex.RTOL_C4
    return Evidence(
        [at_most("full-rank G: max_t |a_sim - a_closed| / |a_closed|", errs["full-rank"], tol),
         at_most("rank-deficient G: max_t |a_sim - a_closed| / |a_closed|", errs["rank-deficient"], tol),
         at_most("range lemma |(I - G G^+) b| / |b|", lemma, 1e-10)],
        kind="float64", sizes={"times": "0 and 25 log-spaced in [0.01, 20]", "ranks": ranks},
        data={"errors": errs, "velocity": [v_G, v_b]},
        notes=f"scipy Radau rtol={ex.RTOL_C4:g} atol={ex.ATOL_C4:g} with Jacobian -sign*G (run stopped once "
              "|a| > 1e6 max(1, |a0|, |G^+ b|)); closed form via eigh, G^+ with cutoff 10 m eps lambda_max.")


coefficient_ode.control("a' = +G a + b (sign of the Gram term flipped)", sign=-1.0)
coefficient_ode.control("closed form with G x1.05", kind="near-miss", label="G x1.05", gram_factor=1.05)
coefficient_ode.control("closed form without the forcing b", kind="near-miss", label="forcing dropped",
                        forcing_factor=0.0)
coefficient_ode.probe("G x1.001", label="G x1.001", gram_factor=1.001)
coefficient_ode.probe("G x(1 + 1e-6)", label="G x(1+1e-6)", gram_factor=1 + 1e-6)
coefficient_ode.probe("G x(1 + 1e-9)", label="G x(1+1e-9)", gram_factor=1 + 1e-9)
coefficient_ode.probe("forcing x1.001", label="b x1.001", forcing_factor=1.001)
