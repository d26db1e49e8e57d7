"""Claims of Zhou, Zhou, Li, Xu (2023): initial condensation of two-layer CNN kernels.

Z. Zhou, H. Zhou, Y. Li, Z.-Q. J. Xu, "Understanding the Initial Condensation of Convolutional
Neural Networks", arXiv 2305.09947 (2023); formulas rebuilt in
``docs/zhou2023.md``, derived in :mod:`theory.zhou2023`,
measured with :mod:`numerics.experiments.zhou2023` on the hand-written :class:`numerics.nets.cnn.CNN`.

Controls: each claim's control re-runs the same check with one statement perturbed (wrong sign
of the block matrix, large initialisation / activations outside the theory / a small gap,
rate sigma1 instead of sigma1 - sigma2, shuffled labels).
"""
from __future__ import annotations

import functools

import numpy as np

import theory.zhou2023 as tc
from numerics.experiments import zhou2023 as cd
from numerics.data import images
from numerics.verify.registry import Evidence, Figure, Series, at_least, at_most, claim, close

SRC = "Zhou, Zhou, Li, Xu 2023 (arXiv 2305.09947)"
S = 3          # filter size s (3x3 filters on 8x8 images: d = 9 C, |P| = 36)


def _split(c, thr=0.99):
    """Fractions of kernels at +u1 and at -u1 (|cos| > thr)."""
    return float(np.mean(c > thr)), float(np.mean(c < -thr))


# ----------------------------------------------------------------------------- linear solution
@claim(id="zhou2023.linear-solution", cost=1, aliases=("condensation.linear-solution",), derive=tc.linear_solution,
       source=f"{SRC}, App. C (32)-(34), Prop. 1 (50)-(53); docs/zhou2023.md §2",
       statement=r"\frac{d}{dt}\begin{bmatrix}w_k\\a_k\end{bmatrix}=\begin{bmatrix}0&A\\A^\top&0\end{bmatrix}"
                 r"\begin{bmatrix}w_k\\a_k\end{bmatrix},\ w_k(t)=\sum_j[\cosh(\sigma_jt)\omega_{kj}+\sinh(\sigma_jt)"
                 r"\alpha_{kj}]u_j+(I-U_rU_r^\top)w_k(0);\ \text{GD: }(1\pm\eta\sigma_j)^k")
def linear_solution(cfg, sign=1.0):
    """The linearised flow and its GD analogue equal the SVD closed form; the CNN's small-init
    velocity is the block system.

    Digits (docs/zhou2023.md §5 preprocessing), A built from data; M kernels from N(0, eps^2).
    Three measurements against the block matrix [[0, A], [sign A^T, 0]]: (i) the CNN's rescaled
    gradient at eps = 1e-6 against (A a_k, sign A^T w_k); (ii) DOP853 integration (rtol 1e-13) of
    the block system to t = 1 against Prop. 1; (iii) 200 GD steps (eta = 0.005) of the block system
    against the (1 +- eta sigma_j)^k closed form.
    """
    from numerics.nets.cnn import CNN

    n, M = cfg.pick(quick=100, full=300), cfg.pick(quick=16, full=64)
    X, y = images.digits(n, cfg.rng(1))
    A = cd.data_matrix(X, y, S)
    U, sig, V = cd.svd(A)
    eps = 1e-6
    net = CNN(2, 1, M, S, "valid", False, "tanh", "dense", seed=cfg.rng(2), input_size=(8, 8),
              w_std=eps, a_std=eps)
    _, g = net.loss_and_grad(X, y)
    W0, A0 = net.params["w"].reshape(M, -1), net.params["a"].reshape(M, -1)
    vel = np.concatenate([-g["w"].reshape(M, -1), -g["a"].reshape(M, -1)], axis=1)
    lin = np.concatenate([A0 @ A.T, sign * (W0 @ A)], axis=1)
    err_grad = float(np.linalg.norm(vel - lin) / np.linalg.norm(lin))
    rng = cfg.rng(3)
    W0, A0 = 1e-3 * rng.standard_normal((M, A.shape[0])), 1e-3 * rng.standard_normal((M, A.shape[1]))
    T, eta, k = 1.0, 0.005, 200

    def rel(p, q):
        return float(np.sqrt((np.sum((p[0] - q[0]) ** 2) + np.sum((p[1] - q[1]) ** 2))
                             / (np.sum(q[0] ** 2) + np.sum(q[1] ** 2))))

    err_flow = rel(cd.simulate_flow(A, W0, A0, T, sign=sign), cd.closed_form(A, W0, A0, T))
    err_gd = rel(cd.simulate_gd(A, W0, A0, eta, k, sign=sign), cd.gd_closed_form(A, W0, A0, eta, k))
    frozen = float(np.linalg.norm(W0 - W0 @ U @ U.T) / np.linalg.norm(W0))
    return Evidence(
        [at_most("CNN velocity at eps=1e-6 vs block system, relative", err_grad, 1e-6),
         at_most("ODE (DOP853) vs closed form at t=1, relative", err_flow, 1e-8),
         at_most("200 GD steps vs (1 +- eta sigma_j)^k form, relative", err_gd, 1e-10)],
        kind="float64", sizes={"n": n, "M": M, "d": A.shape[0], "|P|": A.shape[1], "t": T,
                               "eta": eta, "steps": k},
        data={"sigma": sig.tolist(), "frozen kernel fraction (rank A = d => 0)": frozen, "sign": sign},
        notes="Block matrix [[0, A], [sign*A^T, 0]]; closed forms from the SVD of A "
              "(numerics.experiments.zhou2023.closed_form / gd_closed_form).")


linear_solution.control("wrong sign: d/dt a_k = -A^T w_k (block matrix [[0, A], [-A^T, 0]])", sign=-1.0)


# ----------------------------------------------------------------------------- alignment
def _heat(name, title, Z, caption):
    m = Z.shape[0]
    return Figure(name, title, "kernel (sorted by cos with u1 at T_lin)", "kernel", kind="heatmap",
                  z=Z.tolist(), extent=[0, m, 0, m], caption=caption)


def _preprocessing_table(cfg, draws):
    rows = []
    for label, kw in (("raw pixels, y = digit/9", {}), ("standardised pixels", {"pixels": "standardised"}),
                      ("centred labels", {"labels": "centred"}), ("labels +-1, digits 0/1", {"labels": "pm1-01"})):
        c, r = [], []
        for i in range(draws):
            X, y = images.digits(300, cfg.rng(50, i), **kw)
            U, sig, _ = cd.svd(cd.data_matrix(X, y, S))
            c.append(abs(U[:, 0].sum()) / 3.0)
            r.append(sig[0] / sig[1])
        rows.append({"preprocessing": label, "|<u1, 1/3>| mean": float(np.mean(c)),
                     "|<u1, 1/3>| std": float(np.std(c)), "sigma1/sigma2 mean": float(np.mean(r))})
    return rows


@claim(id="zhou2023.alignment", cost=170, aliases=("condensation.alignment",), derive=tc.alignment,
       source=f"{SRC}, Thm 1/3 (69)-(70), (67); docs/zhou2023.md §3, §5",
       statement=r"\gamma=4,\ M=512:\ \#\{k:|\cos(w_k(T_{\rm lin}),u_1)|>0.99\}\ge0.7M,\ \text{both signs},\ "
                 r"T_{\rm lin}\approx T_\delta=\tfrac{1}{2\sigma_1}\log\tfrac{\delta\overline{y^2}}{2\sigma_1\sum_k(C^+_{k1})^2}")
def alignment(cfg, gamma=4.0, activation="tanh", eps=None, eta=None, labels="digit/9", M=512):
    """At the end of the linear stage most kernels lie on +-u1 of the data matrix (digits, tanh).

    GD (step h/sigma1, h = 0.02, i.e. eta = 0.0052 on digits) of the CNN (dense head, no bias) from
    w, a ~ N(0, eps^2), eps = M^(-gamma/2), until T_lin (first R <= 0.99 mean(y^2)/2).  Measured:
    fraction of kernels with |cos(w_k, u1)| > 0.99 at T_lin, the smaller sign's share of the
    aligned kernels, and T_lin against T_delta (delta = 0.01, GD form, from the actual init).
    ``full``: width sweep M = 16 ... 1024 (fraction non-decreasing, >= 0.9 at 1024; slope of T_lin
    in log M vs (gamma - 1)/(2 sigma1), 10%).
    """
    n = 300                          # the paper-sized digit set in both profiles (issue: n = 300)
    X, y = images.digits(n, cfg.rng(1), labels=labels)
    e = cd.small_init_eps(M, gamma) if eps is None else eps
    r = cd.train(X, y, M, e, activation=activation, seed=cfg.rng(2), eta=eta, record_every=5)
    sig, u1 = r["sig"], r["u1"]
    U, _, _ = cd.svd(r["A"])
    reached = r["T_lin"] is not None
    W = r["W_lin"] if reached else r["W_end"]
    c = cd.cosines(W, u1)
    frac = float(np.mean(np.abs(c) > 0.99))
    pos, neg = _split(c)
    share = min(pos, neg) / max(pos + neg, 1e-300)
    Tl = r["T_lin"] if reached else float(r["t"][-1])
    Td = cd.t_delta(r["A"], r["W0"], r["A0"], 2 * r["L0"], eta=r["eta"])
    Wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    span12 = float(np.mean(np.linalg.norm(Wn @ U[:, :2], axis=1) > 0.99))
    crit = [at_least("linear stage ended (R <= 0.99 L0) within the step budget", float(reached), 1),
            at_least("fraction |cos(w_k,u1)|>0.99 at T_lin", frac, 0.7),
            at_least("smaller sign's share of the aligned kernels", share, 0.25),
            close("T_lin - T_delta (GD form, delta=0.01)", Tl - Td, 0.0, atol=0.05)]
    order = np.argsort(c)
    sub = order[:: max(1, M // 128)]
    figs = [_heat("cos-t0", "Pairwise cosines of kernels at t = 0", cd.pairwise_cosines(r["W0"], sub),
                  "Random start: cosines spread around 0."),
            _heat("cos-tlin", f"Pairwise cosines at T_lin = {Tl:.3g}", cd.pairwise_cosines(W, sub),
                  "Two blocks of cosine +-1: kernels condensed on +u1 and -u1."),
            Figure("singular-values", "Singular values of A", "j", "sigma_j", yscale="log",
                   series=[Series(np.arange(1, len(sig) + 1), sig, "sigma_j", "points"),
                           Series([1, len(sig)], [sig[1], sig[1]], f"sigma_2 (gap sigma1/sigma2 = {sig[0] / sig[1]:.3g})",
                                  "dashed")],
                   caption="A spectral gap separates sigma_1 from the rest."),
            Figure("u1-filter", "u1 as a 3x3 filter", "j2", "j1", kind="heatmap",
                   z=u1.reshape(S, -1)[:S].tolist() if u1.size == S * S else u1.reshape(-1, S).tolist(),
                   extent=[0, S, 0, S], caption="Nearly constant: u1 is close to the all-ones filter.")]
    data = {"sigma1": float(sig[0]), "sigma2": float(sig[1]), "sigma3": float(sig[2]),
            "|<u1, 1/3>|": float(abs(u1.sum()) / 3), "T_lin": Tl, "T_delta_gd": Td,
            "T_delta_flow": cd.t_delta(r["A"], r["W0"], r["A0"], 2 * r["L0"]),
            "fraction +u1": pos, "fraction -u1": neg, "fraction within 0.99 of span{u1,u2}": span12,
            "ratio (70) at T_lin": cd.norm_weighted_ratio(W, u1), "RD at T_lin": cd.relative_change(W, r["W0"]),
            "median |cos|": float(np.median(np.abs(c))), "median |cos| at t=0": float(r["median"][0]),
            "relative error vs linear GD at T_lin": float(r["lin_err"][-1]),
            "largest kernel's share of ||theta_W||^2": float(np.max(np.sum(W ** 2, 1)) / np.sum(W ** 2)),
            "eta": r["eta"], "steps": r["steps"]}
    runs = {M: r}
    sweep = cfg.pick(quick=[64], full=[16, 64, 256, 1024]) if eps is None and activation == "tanh" else []
    for m in sweep:
        try:
            runs[m] = cd.train(X, y, m, cd.small_init_eps(m, gamma), activation=activation,
                               seed=cfg.rng(3, m), eta=eta, record_every=5)
        except FloatingPointError as exc:   # a diverging width counts as not condensed, with its reason
            runs[m] = {"T_lin": None, "t": [], "frac": [], "steps": None, "diverged": str(exc)}
    table = []
    for m in sorted(runs):
        rm = runs[m]
        cm = cd.cosines(rm["W_lin"], u1) if rm["T_lin"] is not None else np.full(m, np.nan)
        table.append({"M": m, "T_lin": rm["T_lin"], "fraction": float(np.mean(np.abs(cm) > 0.99)),
                      "median |cos|": float(np.median(np.abs(cm))), "steps": rm["steps"],
                      **({"diverged": rm["diverged"]} if "diverged" in rm else {})})
    figs.append(Figure("fraction-vs-t", "Fraction of kernels with |cos(w_k,u1)| > 0.99", "t", "fraction",
                       series=[Series(runs[m]["t"], runs[m]["frac"], f"M = {m}") for m in sorted(runs)],
                       caption="Condensation sets in earlier in relative terms and goes further for larger M."))
    if cfg.profile == "full" and eps is None and activation == "tanh":
        ms = np.array([row["M"] for row in table], float)
        tl = np.array([row["T_lin"] for row in table], float)
        fr = np.array([row["fraction"] for row in table])
        slope = float(np.polyfit(np.log(ms), tl, 1)[0]) if np.all(np.isfinite(tl)) else float("nan")
        crit += [at_least("fraction at M = 1024", fr[-1], 0.9),
                 at_least("smallest increase of the fraction from one M to the next", float(np.min(np.diff(fr))), 0.0),
                 close("slope of T_lin in log M", slope, (gamma - 1) / (2 * sig[0]), rtol=0.1)]
        data["slope dT_lin/dlogM"] = slope
    data["width table"] = table
    data["preprocessing table (|<u1,1/3>|, sigma1/sigma2)"] = _preprocessing_table(cfg, cfg.pick(quick=3, full=50))
    return Evidence(crit, kind="float64", sizes={"n": n, "M": M, "gamma": gamma, "d": 9, "|P|": 36},
                    data=data, figures=figs,
                    notes=f"activation {activation}, eps {e:.3g}, eta {r['eta']:.4g}. T_lin is the first GD "
                          "time with R <= 0.99 mean(y^2)/2; T_delta from sum_k (C+_k1)^2 of the actual init.")


alignment.control("large initialisation gamma = 0.5 < 1 (lazy regime; M = 256 and eta = 2e-3, "
                  "the largest stable step found: GD diverges at M = 512 with this step)",
                  gamma=0.5, eta=2e-3, M=256)
alignment.control("x tanh x (multiplicity 2; docs/zhou2023.md §5 C2: eps = 1e-3, eta = 0.1, M = 128): one kernel runs "
                  "away, the others stay random", activation="xtanh", eps=1e-3, eta=0.1, M=128)
alignment.control("ReLU (outside the theory, docs/zhou2023.md §5 C3): condenses on one sign only", activation="relu")
alignment.control("small gap (labels +-1 on digits 0/1, docs/zhou2023.md §5 C4): kernels stay in span{u1, u2}",
                  labels="pm1-01")


# ----------------------------------------------------------------------------- gap rate
@functools.lru_cache(maxsize=4)
def _gap_runs(seed, profile):
    from numerics.verify.registry import Config
    cfg = Config(profile=profile, seed=seed)
    out = []
    for i, b in enumerate((1 / 12, 1 / 24)):
        ii, jj = np.indices((8, 8))
        T = (1 / 6 + b * (-1.0) ** (ii + jj))[None]
        X, y = images.template_images(cfg.pick(quick=100, full=300), cfg.rng(10, i), T, noise=0.05)
        M, gamma = cfg.pick(quick=64, full=256), 12.0
        r = cd.train(X, y, M, cd.small_init_eps(M, gamma), seed=cfg.rng(11, i), record_every=1)
        out.append((b, r))
    return out


@claim(id="zhou2023.gap-rate", cost=20, aliases=("condensation.gap-rate",), derive=tc.gap_rate,
       source=f"{SRC}, (73) and the Markov-chain remark; docs/zhou2023.md §3",
       statement=r"\frac{\|(I-u_1u_1^\top)\theta_W(t)\|}{\|\theta_{W,u_1}(t)\|}\propto e^{-(\sigma_1-\sigma_2)t}\ \text{(linear stage)}")
def gap_rate(cfg, rate="sigma1-sigma2"):
    """The misalignment of the kernels decays at the rate sigma1 - sigma2 (two controlled gaps).

    Images x_i = y_i T + 0.05 noise, y = +-1, T = 1/6 + b * checkerboard on 8x8, so A is nearly rank 2
    with sigma2/sigma1 set by b (b = 1/12, 1/24).  CNN (tanh, dense), gamma = 12 (a long linear
    stage), GD with eta = 0.02/sigma1.  The norm-weighted tangent m(t) = ||(I - u1 u1^T) theta_W|| /
    ||theta_W u1|| is fitted by log m = c - rate * t on t in [3/sigma2, T_lin - 1/sigma1] (the u2
    term dominates the other modes and the C- parts have decayed); the fitted rate is compared
    with ``rate`` ("sigma1-sigma2" = the claim, "sigma1" = the control), 10%.
    """
    crit, data, series = [], [], []
    for b, r in _gap_runs(int(cfg.seed), cfg.profile):
        sig = r["sig"]
        m = r["tangent"]
        lo, hi = 3 / sig[1], (r["T_lin"] if r["T_lin"] is not None else r["t"][-1]) - 1 / sig[0]
        sel = (r["t"] >= lo) & (r["t"] <= hi)
        fit = -float(np.polyfit(r["t"][sel], np.log(m[sel]), 1)[0]) if sel.sum() >= 5 else float("nan")
        pred = sig[0] - sig[1] if rate == "sigma1-sigma2" else sig[0]
        crit.append(close(f"fitted decay rate, b = {b:.4g} (predicted {rate} = {pred:.4g})", fit, pred, rtol=0.1))
        eta = r["eta"]
        data.append({"b": b, "sigma1": float(sig[0]), "sigma2": float(sig[1]), "sigma3": float(sig[2]),
                     "fitted rate": fit, "sigma1 - sigma2": float(sig[0] - sig[1]),
                     "GD rate log((1+eta s1)/(1+eta s2))/eta": float(np.log((1 + eta * sig[0]) / (1 + eta * sig[1])) / eta),
                     "window": [lo, hi], "points": int(sel.sum()), "T_lin": r["T_lin"], "eta": eta})
        series += [Series(r["t"], m, f"b = {b:.3g}", "line"),
                   Series(r["t"][sel], np.exp(np.log(m[sel][0]) - (sig[0] - sig[1]) * (r["t"][sel] - r["t"][sel][0])),
                          f"e^(-(s1 - s2) t), b = {b:.3g}", "dashed")]
    return Evidence(crit, kind="float64", sizes={"M": cfg.pick(quick=64, full=256), "gamma": 12},
                    data={"runs": data},
                    figures=[Figure("misalignment", "Misalignment of the kernels", "t",
                                    "||off-u1|| / ||on-u1||", series=series, yscale="log",
                                    caption="Straight lines in log scale with slope -(sigma1 - sigma2).")],
                    notes="Same runs for claim and control (cached); only the predicted rate differs.")


gap_rate.control("rate sigma1 (the growth rate of the top mode) instead of the gap", rate="sigma1")


# ----------------------------------------------------------------------------- multichannel
@claim(id="zhou2023.multichannel", cost=20, aliases=("condensation.multichannel",), derive=tc.multichannel,
       source=f"{SRC}, Thm 4, App. D (88), Fig. 7; docs/zhou2023.md §2, §4",
       statement=r"C=3:\ \#\{k:\min_c|\cos(w_k[c],u_1[c])|>0.99\}\ge0.7M\ \text{at }T_{\rm lin},\ \text{both signs}")
def multichannel(cfg, shuffle=False):
    """Synthetic RGB images: each kernel's channel blocks align with the blocks of u1.

    Images: grey field (white noise blurred 0.5 px, centred) times channel gains (1, 0.8, 0.6) plus
    noise 0.05; label +-1 = brightness above / below the median.  CNN (tanh, dense, 3x3x3 kernels,
    d = 27), gamma = 4, GD eta = 0.02/sigma1 to T_lin.  Measured: fraction of kernels with
    |cos(w_k, u1)| > 0.99 and every channel block |cos(w_k[c], u1[c])| > 0.99, the sign split;
    reported: <u1[c]/|u1[c]|, 1/3> per channel (the paper's Fig. 7 numbers).
    """
    n, M = cfg.pick(quick=100, full=300), 256
    X, y = images.synthetic_rgb(n, cfg.rng(1))
    if shuffle:
        y = cfg.rng(4).permutation(y)
    r = cd.train(X, y, M, cd.small_init_eps(M, 4.0), seed=cfg.rng(2), record_every=5, channels=3)
    sig, u1 = r["sig"], r["u1"]
    W = r["W_lin"] if r["T_lin"] is not None else r["W_end"]
    cc = cd.cosines(W, u1, channels=3)
    c = cd.cosines(W, u1)
    ok = (np.abs(c) > 0.99) & (np.abs(cc) > 0.99).all(axis=1)
    pos, neg = float(np.mean(ok & (c > 0))), float(np.mean(ok & (c < 0)))
    blocks = u1.reshape(3, -1)
    ones = [float(b.sum() / (np.linalg.norm(b) * 3)) for b in blocks]
    crit = [at_least("fraction with every channel block |cos| > 0.99 at T_lin", pos + neg, 0.7),
            at_least("smaller sign's share of the aligned kernels", min(pos, neg) / max(pos + neg, 1e-300), 0.25)]
    return Evidence(crit, kind="float64", sizes={"n": n, "M": M, "C": 3, "d": 27, "|P|": 36},
                    data={"sigma1": float(sig[0]), "sigma2": float(sig[1]), "sigma1/sigma2": float(sig[0] / sig[1]),
                          "<u1[c]/|u1[c]|, 1/3> per channel": ones,
                          "channel norms of u1": np.linalg.norm(blocks, axis=1).tolist(),
                          "T_lin": r["T_lin"], "T_delta_gd": cd.t_delta(r["A"], r["W0"], r["A0"], 2 * r["L0"], eta=r["eta"]),
                          "median min_c |cos| at T_lin": float(np.median(np.abs(cc).min(axis=1))),
                          "fraction +u1": pos, "fraction -u1": neg, "eta": r["eta"], "steps": r["steps"],
                          "shuffled labels": shuffle},
                    figures=[Figure("u1-channels", "u1 of the RGB data, channel blocks side by side", "j", "c",
                                    kind="heatmap", z=blocks.tolist(), extent=[0, 9, 0, 3],
                                    caption="Each channel block is nearly constant (all-ones), scaled by the gain.")],
                    notes="labels +-1 balanced: A has no mean-patch term; u1's direction comes from the class contrast.")


multichannel.control("shuffled labels: A is noise, no spectral gap", shuffle=True)
