"""Claims of Zhou, Zhou, Li, Xu (2023) beyond MSE + GD + tanh: the cross-entropy loss.

Z. Zhou, H. Zhou, Y. Li, Z.-Q. J. Xu, "Understanding the Initial Condensation of Convolutional
Neural Networks", arXiv 2305.09947 (2023), Fig. 5; statements in ``docs/zhou2023_variants.md``,
derived in :mod:`theory.zhou2023_variants`, measured with :mod:`numerics.experiments.zhou2023_variants`
on the hand-written :class:`numerics.nets.cnn.CNN`.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

import theory.zhou2023_variants as tv
from numerics.experiments import zhou2023 as cd
from numerics.experiments import zhou2023_variants as ex
from numerics.verify.registry import Evidence, at_least, at_most, claim, close

SRC = "Zhou, Zhou, Li, Xu 2023 (arXiv 2305.09947)"
OTHER = {"bce": "mse", "mse": "bce"}
# SD over seeds 0-4 of (measured - linear-model) common-mode share of the softplus readouts,
# quick profile (docs/zhou2023_variants.md §3); the tolerance is 3 of them.
COMMON_MODE_SD = 2.4e-5


def _transform(cfg, loss):
    """The derived label transform ``g(y) = -dl/df|_{f=0}`` of ``loss`` as a NumPy function."""
    return sp.lambdify(tv.y, cfg.derived(f"g_{loss}") + 0 * tv.y, "numpy")


@claim(id="zhou2023.cross-entropy-data-matrix", cost=6, derive=tv.cross_entropy,
       source=f"{SRC}, Fig. 5 (cross-entropy); App. C (32)-(34), (44); docs/zhou2023_variants.md §1-§2",
       statement=r"\ell=\log(1+e^f)-yf:\ \frac{d}{dt}\begin{bmatrix}w_k\\a_k\end{bmatrix}="
                 r"\begin{bmatrix}0&A_g\\A_g^\top&0\end{bmatrix}\begin{bmatrix}w_k\\a_k\end{bmatrix},\ "
                 r"A_g=\tfrac1n\sum_i g(y_i)x_i^{(p)},\ g=-\partial_f\ell|_{f=0}=y-\tfrac12\ "
                 r"(\text{MSE: }g=y);\ w_k\to\pm u_1(A_g)")
def cross_entropy_data_matrix(cfg, swap=False, shift=0.0, rate_factor=1.0):
    """Under BCE the kernels follow the linear stage of the centred-label data matrix
    A_g (g = y - 1/2), under MSE that of the raw-label one (g = y), and condense onto its +-u1.

    Images x_i = 0.3 + s_i T + noise (T a checkerboard plus a seeded smooth field, labels
    y = (s+1)/2 in {0, 1}): the offset puts a mean patch into the raw-label A only, so the two
    losses' u1 are nearly orthogonal (|cos| ~ 0.13).  For each loss: full-batch GD of the CNN
    (tanh, dense head, 3x3, eps = M^(-gamma/2), gamma = 4, step 0.05/sigma1(A_g)) to the end of
    the linear stage T_lin (R <= (1 - delta) R(f=0), delta = 0.01); measured: the relative
    distance of the kernels from the GD closed form of the block system with A_g (same init, same
    steps), and the norm-weighted ratio ||W u1(A_g)|| / ||W|| against that of the closed form.
    Tolerance delta: the stage ends when the dropped terms are a fraction delta of the loss.
    ``swap`` judges each loss with the other's transform; ``shift`` adds a constant to g;
    ``rate_factor`` scales A_g.
    """
    n, M = cfg.pick(quick=60, full=200), cfg.pick(quick=64, full=256)
    gamma, delta = 4.0, 0.01
    crit, data = [], {}
    for loss in ("bce", "mse"):
        r = cfg.cached(ex.linear_stage, loss, n, M, gamma, cfg.seed, delta=delta)
        g = _transform(cfg, OTHER[loss] if swap else loss)
        A = cd.data_matrix(r["X"], g(r["y"]) + shift, 3) * rate_factor
        u1 = cd.svd(A)[0][:, 0]
        Wp = cd.gd_closed_form(A, r["W0"], r["A0"], r["eta"], r["steps"])[0]
        err = float(np.linalg.norm(r["W_lin"] - Wp) / np.linalg.norm(Wp))
        ratio, ratio_p = cd.norm_weighted_ratio(r["W_lin"], u1), cd.norm_weighted_ratio(Wp, u1)
        crit += [at_most(f"{loss}: ||W(T_lin) - W_closed_form(A_g)|| / ||W_closed_form||", err, delta),
                 at_least(f"{loss}: ||W u1(A_g)||/||W|| at T_lin, vs closed form's minus delta",
                          ratio, ratio_p - delta)]
        data[loss] = {"steps": r["steps"], "T_lin": r["T_lin"], "ratio": ratio, "ratio closed form": ratio_p,
                      "relative distance": err, "seconds": r["seconds"]}
    Xr, yr = r["X"], r["y"]
    data["|cos(u1(A_bce), u1(A_mse))|"] = float(abs(
        cd.svd(cd.data_matrix(Xr, yr - 0.5, 3))[0][:, 0] @ cd.svd(cd.data_matrix(Xr, yr, 3))[0][:, 0]))
    return Evidence(crit, kind="float64", data=data,
                    sizes={"n": n, "M": M, "gamma": gamma, "delta": delta, "kernel_size": 3, "image": "1x8x8"},
                    notes="Both losses from the same images and init scale; g from the derivation "
                          "(theory.zhou2023_variants.cross_entropy).")


cross_entropy_data_matrix.control("each loss judged by the other loss's transform (BCE by raw labels, MSE by "
                                  "centred labels)", kind="near-miss", label="other loss's A", swap=True)
cross_entropy_data_matrix.control("A_g scaled x1.05 (rate constant x1.05)", kind="near-miss",
                                  label="A x1.05", rate_factor=1.05)
cross_entropy_data_matrix.control("g shifted by +0.05 (a 10% share of the mean-label term mixed in)",
                                  kind="near-miss", label="g + 0.05", shift=0.05)
cross_entropy_data_matrix.probe("A_g scaled x1.02", label="A x1.02", rate_factor=1.02)
cross_entropy_data_matrix.probe("A_g scaled x1.01", label="A x1.01", rate_factor=1.01)
cross_entropy_data_matrix.probe("g shifted by +0.02", label="g + 0.02", shift=0.02)
cross_entropy_data_matrix.probe("g shifted by +0.01", label="g + 0.01", shift=0.01)


@claim(id="zhou2023.softplus-linear-stage", cost=7, derive=tv.shifted_activation,
       source=f"{SRC}, Figs. 4/10 (other activations); App. C (32)-(34); docs/zhou2023.md §1; "
              "docs/zhou2023_variants.md §3",
       statement=r"\sigma(0)=c_0\ne0:\ \dot w_k=c_1Aa_k,\ \dot a_{kp}=c_1(A^\top w_k)_p+c_0\bar y/\varepsilon"
                 r"-c_0^2\textstyle\sum_{k'p'}a_{k'p'},\ c_1=\sigma'(0);\ \text{softplus: }c_0=\log2,\ c_1=\tfrac12")
def softplus_linear_stage(cfg, rate_factor=1.0, common_factor=1.0):
    """Softplus kernels at small init follow the linear stage with rate sigma'(0) sigma_j and the
    readouts' common mode damped at sigma(0)^2 (centred labels, so the O(1/eps) drift c0 ybar is 0).

    Images of claim zhou2023.cross-entropy-data-matrix without offset, labels +-1 (ybar = 0);
    CNN with softplus, MSE, dense head, 3x3, M = 16, eps = M^(-gamma/2), gamma = 4, GD step
    min(0.05/(c1 sigma1), 1/(c0^2 M |P|)) (half the common mode's stability bound) to the end of
    the linear stage (R <= 0.99 R(f=0)).  Measured: relative distance of the kernels W and of the
    readouts a from the derived linear GD map (same init, same steps); tolerance delta = 0.01 (the
    stage ends when the dropped terms are a fraction delta of the loss); and the readouts'
    common-mode share sum(a)/(||a|| sqrt(M|P|)) against the linear model's, within 3 seed SD.
    ``rate_factor`` scales sigma'(0); ``common_factor`` scales the sigma(0)^2 term (0: dropped).
    """
    n, M = cfg.pick(quick=60, full=200), cfg.pick(quick=16, full=64)
    gamma, delta = 4.0, 0.01
    r = cfg.cached(ex.shifted_stage, "softplus", n, M, gamma, cfg.seed, delta=delta)
    c0 = cfg.derived_value("sigma0_softplus")
    rate = cfg.derived_value("rate_factor", c1=cfg.derived_value("dsigma0_softplus")) * rate_factor
    common = cfg.derived_value("common_mode", c0=c0) * common_factor
    Wp, Ap = ex.shifted_linear_gd(r["A"], r["W0"], r["A0"], r["eta"], r["steps"], rate, common,
                                  forcing=c0 * float(np.mean(r["y"])))
    errW = float(np.linalg.norm(r["W_lin"] - Wp) / np.linalg.norm(Wp))
    errA = float(np.linalg.norm(r["A_lin"] - Ap) / np.linalg.norm(Ap))
    u1 = cd.svd(r["A"])[0][:, 0]
    scale = np.linalg.norm(r["A_lin"]) * np.sqrt(r["A_lin"].size)
    return Evidence(
        [at_most("||W(T_lin) - W_linear|| / ||W_linear||", errW, delta),
         at_most("||a(T_lin) - a_linear|| / ||a_linear||", errA, delta),
         close("common-mode share sum(a) / (||a|| sqrt(M|P|)) at T_lin vs linear model",
               float(r["A_lin"].sum() / scale), float(Ap.sum() / scale), atol=3 * COMMON_MODE_SD)],
        kind="float64", sizes={"n": n, "M": M, "gamma": gamma, "delta": delta, "kernel_size": 3},
        data={"steps": r["steps"], "eta": r["eta"], "T_lin": r["T_lin"],
              "ratio ||W u1||/||W||": cd.norm_weighted_ratio(r["W_lin"], u1), "seconds": r["seconds"]})


softplus_linear_stage.control("common-mode term sigma(0)^2 sum a dropped (the sigma'(0)-scaled block system)",
                              kind="near-miss", label="sigma(0)^2 term dropped", common_factor=0.0)
softplus_linear_stage.control("rate sigma'(0) x1.05", kind="near-miss", label="sigma'(0) x1.05", rate_factor=1.05)
softplus_linear_stage.control("tanh's linear stage (rate 1, no sigma(0) term)", kind="strawman",
                              label="tanh rates", rate_factor=2.0, common_factor=0.0)
softplus_linear_stage.probe("rate sigma'(0) x1.02", label="sigma'(0) x1.02", rate_factor=1.02)
softplus_linear_stage.probe("rate sigma'(0) x1.01", label="sigma'(0) x1.01", rate_factor=1.01)
softplus_linear_stage.probe("sigma(0)^2 term x0.5", label="sigma(0)^2 x0.5", common_factor=0.5)
