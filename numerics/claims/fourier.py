"""Claims: the Fourier view of two-layer CNN training (gradient-flow note, seed 000, sections
"Spectral Bias in Frequency Retrieval", "Fourier Representation", "Notes").

Precise statements, protocol and observed numbers: ``../shared/theory/cnn_gradient_flow.md`` §5-§8.
Central finding: the note's "training time that scales exponentially with the gap" is **refuted for
ReLU** (a power law: ``xi^4`` with frozen kernels, ``xi^2`` in the lazy NTK regime) and **holds for
analytic sigma** (tanh: stretched exponential ``log t_xi ~ 3 (pi xi / 2 sigma_A)^(2/3)``).  The same
discriminator, ``slope of log(t_{2 xi}/t_xi) vs xi`` (bounded for a power law, growing for any
super-polynomial law), decides both.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

import theory.fourier as tf
from numerics import fourier as F
from numerics import frequency_retrieval as FR
from numerics.registry import Evidence, Figure, Series, at_least, at_most, claim, close, within

NOTE_GAP = ("The transition from a frequency band to [a higher one] requires a training time that scales "
            "exponentially with the gap.")
NOTE_LLN = ("The distribution of the coefficients is governed by the Law of Large Numbers for high bandwidth, "
            "ensuring that the initial spectrum covers the necessary data bandwidth.")
NOTE_FP = ("The spectral bias observed here is a specific instance of the F-Principle where neural networks "
           "fit low frequencies before high frequencies.")
SRC = "Gradient-flow note (seed 000), "


def _spread(a):
    a = np.asarray(a, float)
    return {"median": float(np.median(a)), "min": float(np.min(a)), "max": float(np.max(a)),
            "per_seed": a.tolist()}


# --------------------------------------------------------------------------- §6 white spectrum
@claim(id="fourier.white-spectrum", source=SRC + "'Fourier Representation'; sheet §6 (i)-(iv), derived here",
       statement=r"\mathbb E|\hat w(\xi)|^2=qs^2\ \forall\xi,\quad \operatorname{Var}|\hat w(\xi)|^2=(qs^2)^2+|C(\xi)|^2,"
                 r"\quad |\hat w(\xi)|^2\sim\mathrm{Exp}(qs^2)\iff C(\xi)=0",
       derive=tf.white_spectrum)
def white_spectrum(cfg, N=16, q=16, xi_exp=3):
    """Random Gaussian kernels are white on average; exact variance; exponential law iff C(xi) = 0.

    Monte Carlo over M kernels w ~ N(0, s^2 I_q) zero-padded to N (s = 1): Plancherel per kernel,
    z-scores of the mean and of the variance against the exact values at every xi, and a KS test of
    |w^(xi_exp)|^2 against Exp(q s^2) (the claimed law where C(xi_exp) = 0) and of |w^(0)|^2 against
    q s^2 chi^2_1.  Note's sentence: "The initial kernels are viewed as random Gaussian fields ... the
    initial spectrum covers the necessary data bandwidth" -- precise version (ii)-(iv) of sheet §6.
    """
    M = cfg.pick(quick=40000, full=400000)
    rng = cfg.rng(901)
    W = F.random_kernels(M, N, q, 1.0, rng)
    Pw = F.kernel_power(W)
    planch = np.max(np.abs((W**2).sum(1) - Pw.sum(1) / N) / (W**2).sum(1))
    mean_pred = float(q)
    var_pred = np.array([float(mean_pred**2 + abs(complex(tf.pseudo_variance(N, q, xi)))**2) for xi in range(N)])
    mean, var = Pw.mean(0), Pw.var(0)
    z_mean = np.abs(mean - mean_pred) / (Pw.std(0) / math.sqrt(M))
    m4 = ((Pw - mean)**4).mean(0)
    z_var = np.abs(var - var_pred) / np.sqrt((m4 - var**2) / M)
    p_exp = stats.kstest(Pw[:, xi_exp], stats.expon(scale=mean_pred).cdf).pvalue
    p_chi = stats.kstest(Pw[:, 0], stats.chi2(1, scale=mean_pred).cdf).pvalue
    Cabs = [abs(complex(tf.pseudo_variance(N, q, xi))) for xi in range(N)]
    return Evidence(
        [at_most("Plancherel max rel. error", planch, 1e-12),
         at_most("max_xi |z| of mean vs q s^2", float(z_mean.max()), 5.0),
         at_most("max_xi |z| of variance vs (q s^2)^2+|C|^2", float(z_var.max()), 5.0),
         at_least(f"KS p-value, |w^({xi_exp})|^2 ~ Exp(q s^2)", p_exp, 1e-3),
         at_least("KS p-value, |w^(0)|^2 ~ q s^2 chi2_1", p_chi, 1e-3)],
        kind="float64 Monte Carlo; exact C(xi) (SymPy)", sizes={"M": M, "N": N, "q": q, "xi_exp": xi_exp},
        data={"|C(xi)|/(q s^2)": [c / q for c in Cabs], "Var/(q s^2)^2 measured": (var / q**2).tolist(),
              "Var/(q s^2)^2 exact": (var_pred / q**2).tolist(), "C(xi_exp)=0": tf.circular_condition(N, q, xi_exp)},
        figures=[Figure("variance", "Variance of |w^(xi)|^2: Monte Carlo vs Isserlis", r"$\xi$",
                        r"Var$/(qs^2)^2$", [Series(range(N), var / q**2, "Monte Carlo", "points"),
                                            Series(range(N), var_pred / q**2, "(qs^2)^2+|C|^2", "dashed")],
                        caption="Exponential law (variance ratio 1) exactly where C(xi)=0.")],
        notes="z-scores use the sample s.d. of the estimator (variance: fourth central moment). "
              "The exponential law needs C(xi)=0, i.e. 2q xi/N integer and 2 xi/N not (sheet §6 (iv)).")


white_spectrum.control("exponential law claimed for a short kernel with C(xi) != 0 (N=16, q=3, xi=1)",
                       q=3, xi_exp=1)


# --------------------------------------------------------------------------- §6 (vi) LLN
@claim(id="fourier.lln-coverage", source=SRC + "'Fourier Representation' (LLN sentence); sheet §6 (vi)",
       statement=r"\mathbb E\sup_\xi|S_m(\xi)/(qs^2)-1|\asymp m^{-1/2},\ S_m=\tfrac1m\sum_k|\hat w_k(\xi)|^2",
       derive=tf.white_spectrum)
def lln_coverage(cfg, slope=-0.5, N=16, q=3):
    """The averaged kernel spectrum covers every frequency at the LLN rate m^(-1/2).

    Note's sentence: "%s"  Precise version: S_m(xi) has mean q s^2 and variance ((q s^2)^2+|C|^2)/m,
    so sup_xi |S_m/(q s^2) - 1| = O_P(sqrt(log N / m)); measured: least-squares slope of
    log E sup vs log m, m = 10 .. 10^4, against the claimed exponent (tolerance 0.1).
    """
    ms = np.array([10, 30, 100, 300, 1000, 3000, 10000])
    reps = cfg.pick(quick=120, full=1000)
    rng = cfg.rng(902)
    sups = np.empty((ms.size, reps))
    for i, m in enumerate(ms):
        for r in range(reps):
            sups[i, r] = F.sup_deviation(F.kernel_power(F.random_kernels(int(m), N, q, 1.0, rng)), q, 1.0)
    E = sups.mean(1)
    fitted = F.fit_loglog(ms, E)
    m_band = 1000
    S = F.kernel_power(F.random_kernels(m_band, N, q, 1.0, rng)).mean(0) / q
    sd = np.array([math.sqrt(1 + abs(complex(tf.pseudo_variance(N, q, xi)))**2 / q**2) for xi in range(N)]) / math.sqrt(m_band)
    return Evidence(
        [close("fitted exponent of E sup_xi |S_m/(q s^2)-1| vs m", fitted, slope, atol=0.1)],
        kind="float64 Monte Carlo", sizes={"N": N, "q": q, "m": ms.tolist(), "repetitions": reps},
        data={"note's sentence": NOTE_LLN,
              "precise version": "E|w^(xi)|^2 = q s^2 at every xi; sup_xi |S_m/(q s^2) - 1| = O_P(sqrt(log N / m))",
              "E sup": E.tolist(), "sqrt(m) E sup": (E * np.sqrt(ms)).tolist()},
        figures=[Figure("lln", "Coverage of the averaged kernel spectrum", "m", r"$E\sup_\xi|S_m/(qs^2)-1|$",
                        [Series(ms, E, "measured", "points"),
                         Series(ms, E[0] * (ms / ms[0])**slope, f"m^{slope}", "dashed")], "log", "log"),
                 Figure("spectrum", f"Averaged kernel spectrum S_m/(q s^2), m={m_band}, with its LLN band",
                        r"$\xi$", r"$S_m(\xi)/(qs^2)$",
                        [Series(range(N), S, "S_m/(q s^2)", "points"),
                         Series(range(N), 1 + 3 * sd, "1 + 3 sd", "dashed"),
                         Series(range(N), 1 - 3 * sd, "1 - 3 sd", "dashed")],
                        caption="White on average: every xi within the band 1 +- 3 sqrt((1+|C|^2/(qs^2)^2)/m).")],
        notes=f"Each E sup is a mean over {reps} independent draws.")


lln_coverage.fn.__doc__ = lln_coverage.fn.__doc__ % NOTE_LLN
lln_coverage.doc = lln_coverage.fn.__doc__.strip()
lln_coverage.control("LLN exponent -1 (the rate of a mean of squares, not of a mean)", slope=-1.0)


# --------------------------------------------------------------------------- §5 B1-B3
@claim(id="fourier.band-limits", source=SRC + "'Spectral Bias in Frequency Retrieval'; sheet §5 B1-B3, derived here",
       statement=r"\sigma\ \text{affine}\Rightarrow\hat r(\xi,t)=\hat r(\xi,0)\ (|\xi|>K);\ \sigma=z^2\Rightarrow"
                 r"\text{same for }|\xi|>2K;\ \text{ReLU, no bias, pure tone}\Rightarrow\hat u(\xi)=0\ (\xi\ \text{odd}\ge3)",
       derive=tf.band_theorems)
def band_limits(cfg, act_b1="linear", act_b2="square", b3_bias=False):
    """Band theorems on trained CNNs: no training moves the residual above K (affine), above 2K (square).

    GD (numerics.flow, method "gd") on a map-head circular CNN (m=16, q=5, bias) with n=6 inputs
    band-limited to K=3 and full-band random targets, N=32.  Measured: relative change of the residual's
    DFT above the band (tolerance 1e-12: rounding), the loss drop (training did happen), and for B3 the
    output's largest odd-xi>=3 DFT magnitude relative to its largest one after GD on a pure tone.
    """
    seeds = cfg.pick(quick=1, full=3)
    K = 3
    moves1, moves2, drops, b3, etas = [], [], [], [], []
    for s in range(seeds):
        with FR.single_thread():
            r = FR.band_run(cfg.rng(903, s), act_b1, K=K)
        moves1.append(FR.above_band_move(r["r0"], r["rT"], K))
        drops.append(1 - r["loss"][1] / r["loss"][0])
        r = FR.band_run(cfg.rng(904, s), act_b2, K=K)
        moves2.append(FR.above_band_move(r["r0"], r["rT"], 2 * K))
        etas.append(r["eta"])
        drops.append(1 - r["loss"][1] / r["loss"][0])
        b3.append(FR.b3_run(cfg.rng(905, s), bias=b3_bias))
    return Evidence(
        [at_most(f"B1 ({act_b1}): max rel. move of residual above K=3", max(moves1), 1e-12),
         at_most(f"B2 ({act_b2}): max rel. move of residual above 2K=6", max(moves2), 1e-12),
         at_most("B3 (ReLU, pure tone): max |u^(odd xi>=3)| / max |u^| after GD", max(b3), 1e-12),
         at_least("min relative loss drop (training happened)", min(drops), 0.1)],
        kind="float64 (GD)", sizes={"N": 32, "K": K, "n": 6, "m": 16, "q": 5, "steps": 400, "eta (B1)": 0.01, "seeds": seeds},
        data={"B1 moves": moves1, "B2 moves": moves2, "B3 odd ratios": b3, "loss drops": drops, "B2 GD step eta": etas},
        notes="B2 uses sigma(z)=z^2 (2-homogeneous polynomial; attached to the CNN instance when "
              "numerics.activations has no 'square').  B3 net: relu, no bias, q=N/2, m=64, 300 GD steps.")


band_limits.control("ReLU in place of the affine / polynomial activation: the band is left", act_b1="relu",
                    act_b2="relu")
band_limits.control("B3 with a bias: odd harmonics >= 3 appear", b3_bias=True)


# --------------------------------------------------------------------------- §5 rate formula
@claim(id="fourier.rate-formula", source="Sheet §5 (frozen kernels, K=1), derived here",
       statement=r"t_\xi\lambda_\xi\approx1,\ \lambda_\xi=\tfrac{Nm}{4}\sum_{p\equiv\pm\xi\,(N)}\mathbb E h_p(A,b)^2"
                 r"\ \ (2q/N\in\mathbb Z)",
       derive=tf.frozen_rate)
def rate_formula(cfg, q=None, N=64, activation="relu"):
    """Measured retrieval times with frozen kernels match 1/lambda_xi (ReLU h_p from SymPy).

    r(t) = exp(-Phi Phi^T t) r(0) from one eigh; t_xi = first t with |r^(xi,t)| <= e^-1 |r^(xi,0)|;
    lambda_xi from the SymPy closed form h_p(A, 0) averaged over A^2 ~ Exp(1).  Even xi = 2..20 (odd
    xi >= 3 are never retrieved, B3).  Tolerance [0.7, 1.4] on the per-xi median over seeds
    (O(m^-1/2) fluctuations and mixing of near-degenerate modes).  Needs C(1) = 0 (2q/N integer).
    """
    q = N // 2 if q is None else q
    m = cfg.pick(quick=4000, full=8000)
    seeds = cfg.pick(quick=3, full=6)
    xis = np.arange(2, 21, 2)
    lam = F.lambda_xi(N, m, xis, activation)
    with FR.single_thread():
        T = np.array([FR.retrieval_run(cfg.rng(906, s), N, q, m, activation, 0.0, xis) for s in range(seeds)])
    ratio = T * lam
    med = np.median(ratio, axis=0)
    return Evidence(
        [within("min_xi median_seeds t_xi lambda_xi", float(med.min()), 0.7, 1.4),
         within("max_xi median_seeds t_xi lambda_xi", float(med.max()), 0.7, 1.4)],
        kind="float64 (eigh); h_p closed form from SymPy", sizes={"N": N, "q": q, "m": m, "seeds": seeds},
        data={"xi": xis.tolist(), "median ratio": med.tolist(), "ratio per seed": ratio.tolist(),
              "C(1)=0": tf.circular_condition(N, q, 1)},
        figures=[Figure("rate", "Frozen-kernel retrieval times vs 1/lambda_xi", r"$\xi$", r"$t_\xi$",
                        [Series(xis, np.median(T, 0), "measured (median)", "points"),
                         Series(xis, 1 / lam, r"$1/\lambda_\xi$", "dashed")], "log", "log")],
        notes="Predicted rate assumes psi uniform (C(1)=0); with q=5 the phase is not uniform and the "
              "Fourier modes do not decouple.")


rate_formula.control("q = 5 (2q/N not an integer, C(1) != 0)", q=5)


# --------------------------------------------------------------------------- gap time: ReLU
def _gap_relu_data(cfg, N, m, seeds, s_b):
    xs = np.arange(1, 49)
    out = {}
    with FR.single_thread():
        for kind in ("frozen", "ntk"):
            out[kind] = np.array([FR.retrieval_run(cfg.rng(907, s, kind == "ntk"), N, N // 2, m, "relu", s_b, xs, kind)
                                  for s in range(seeds)])
    return xs, out


@claim(id="fourier.gap-time-relu",
       source=SRC + "'Spectral Bias in Frequency Retrieval' (exponential in the gap); sheet §5 -- REFUTED for ReLU",
       statement=r"\text{ReLU: } t_\xi\propto\xi^{4}\ (\text{frozen}),\ \xi^{2}\ (\text{lazy NTK});\ "
                 r"\text{slope}_\xi\log(t_{2\xi}/t_\xi)<0.2\ \text{(not exponential)}",
       derive=tf.frozen_rate)
def gap_time_relu(cfg, law="power", frozen_exponent=4.0, ntk_exponent=2.0):
    """For ReLU the time to retrieve frequency xi grows as a power law, not exponentially in the gap.

    Note's sentence: "%s"  Verdict for ReLU: refuted (power law).  Measured from eigh of Phi Phi^T
    (frozen) and of the empirical NTK J J^T (all layers, lazy) on x_0 = cos(theta_l) -> multi-tone y_0,
    bias ~ N(0, 0.5^2), q = N/2.  Exponent: least-squares slope of log t_xi vs log xi on xi in [8, 48]
    (<= N/5: no aliasing); discriminator: slope of log(t_{2 xi}/t_xi) vs xi on xi in [3, 12]
    (bounded ratio 2^alpha for a power law; >= 0.2 for exponential or faster).
    law="exponential" judges the note's literal statement with the same numbers.
    """
    N = 256
    m = cfg.pick(quick=6000, full=12000)
    seeds = cfg.pick(quick=3, full=6)
    xs, T = _gap_relu_data(cfg, N, m, seeds, 0.5)
    fit_x = np.arange(8, 49)
    dx = np.arange(3, 13)
    res = {}
    for kind in T:
        ex = [F.fit_loglog(fit_x, t[fit_x - 1]) for t in T[kind]]
        sl = [F.doubling_slope(dx, lambda x, t=t: t[np.asarray(x) - 1])[0] for t in T[kind]]
        res[kind] = (ex, sl)
    disc = max(max(res["frozen"][1]), max(res["ntk"][1]))
    if law == "power":
        crit = [close("frozen exponent (median over seeds)", float(np.median(res["frozen"][0])), frozen_exponent, atol=0.3),
                close("lazy-NTK exponent (median over seeds)", float(np.median(res["ntk"][0])), ntk_exponent, atol=0.3),
                at_most("max discriminator slope (frozen, NTK, all seeds)", disc, 0.2)]
    elif law == "exponential":
        crit = [at_least("min discriminator slope (frozen, NTK, all seeds)",
                         min(min(res["frozen"][1]), min(res["ntk"][1])), 0.2)]
    else:
        raise ValueError(f"`law` must be 'power' or 'exponential'; got {law!r}")
    med_f, med_n = np.median(T["frozen"], 0), np.median(T["ntk"], 0)
    return Evidence(
        crit, kind="float64 (eigh)", sizes={"N": N, "m": m, "q": N // 2, "s_b": 0.5, "seeds": seeds},
        data={"note's sentence": NOTE_GAP,
              "precise version (ReLU)": "t_xi ~ xi^4 (frozen kernels), xi^2 (lazy NTK): a power law",
              "note's sentence for ReLU, judged by the discriminator (slope >= 0.2 = exponential)":
                  "holds" if disc >= 0.2 else "refuted",
              "frozen exponent": _spread(res["frozen"][0]), "ntk exponent": _spread(res["ntk"][0]),
              "frozen discriminator slope": _spread(res["frozen"][1]), "ntk discriminator slope": _spread(res["ntk"][1]),
              "frozen R(xi)=t_2xi/t_xi, xi=3..12 (median)": (med_f[2 * dx - 1] / med_f[dx - 1]).tolist(),
              "ntk R(xi) (median)": (med_n[2 * dx - 1] / med_n[dx - 1]).tolist()},
        figures=[Figure("relu-loglog", "ReLU retrieval time vs frequency (log-log)", r"$\xi$", r"$t_\xi$",
                        [Series(xs, med_f, "frozen kernels", "points"), Series(xs, med_n, "lazy NTK", "points"),
                         Series(fit_x, med_f[7] * (fit_x / 8.0)**4, r"$\xi^4$", "dashed"),
                         Series(fit_x, med_n[7] * (fit_x / 8.0)**2, r"$\xi^2$", "dashed")], "log", "log",
                        caption="Straight lines on log-log axes: power laws."),
                 Figure("relu-semilog", "ReLU retrieval time vs frequency (semi-log)", r"$\xi$", r"$t_\xi$",
                        [Series(xs, med_f, "frozen kernels", "points"), Series(xs, med_n, "lazy NTK", "points")],
                        "linear", "log", caption="Concave on semi-log axes: slower than exponential.")],
        notes="The note's literal 'exponential in the gap' is the control law='exponential': rejected.")


gap_time_relu.fn.__doc__ = gap_time_relu.fn.__doc__ % NOTE_GAP
gap_time_relu.doc = gap_time_relu.fn.__doc__.strip()
gap_time_relu.control("the note's literal statement for ReLU: training time exponential in the gap",
                      law="exponential")
gap_time_relu.control("swapped exponents (frozen xi^2, lazy NTK xi^4)", frozen_exponent=2.0, ntk_exponent=4.0)


# --------------------------------------------------------------------------- gap time: tanh
@claim(id="fourier.gap-time-smooth",
       source=SRC + "'Spectral Bias in Frequency Retrieval' (exponential in the gap); sheet §5 -- HOLDS for tanh",
       statement=r"\tanh:\ \text{slope}_\xi\log(t_{2\xi}/t_\xi)\ge0.2,\ \ \log t_\xi\approx3\,(\pi\xi/2\sigma_A)^{2/3}",
       derive=tf.frozen_rate)
def gap_time_smooth(cfg, activation="tanh"):
    """For tanh the retrieval time grows faster than any power: the note's exponential statement holds.

    Note's sentence: "%s"  Verdict for analytic sigma: holds (stretched exponential with Gaussian
    kernels).  t_xi = 1/lambda_xi from the quadrature E h_p(A, b)^2 (A^2 ~ Exp(1), b ~ N(0, 0.5^2),
    h_p by FFT of sigma(A cos th + b)); discriminator slope on xi in [3, 12] >= 0.2; slope of
    log t_xi vs xi^(2/3) on [8, 20] within 10%% of 3 (pi/2)^(2/3) (SymPy, Laplace method).  The
    quadrature is tied to finite nets by the measured t_xi lambda_xi on xi <= 5 (N=64, m=4000; beyond
    xi ~ 6 finite-m times exceed 1/lambda_xi: E h_p^2 is carried by rare large-A kernels).
    """
    Eh2 = F.expected_h2(activation, 48, 1.0, 0.5)
    Eh2_relu = F.expected_h2("relu", 48, 1.0, 0.5)           # reference curve for the figures
    tq = 1 / Eh2[1:]
    t_of = lambda x: tq[np.asarray(x) - 1]          # noqa: E731
    dx = np.arange(3, 13)
    disc, R = F.doubling_slope(dx, t_of)
    law_x = np.arange(8, 21)
    law = F.stretched_slope(law_x, t_of(law_x))
    pred = float(tf.stretched_exponent_coefficient(1))
    N, m = 64, cfg.pick(quick=4000, full=8000)
    seeds = cfg.pick(quick=3, full=6)
    xm = np.arange(1, 6)
    lam = F.lambda_xi(N, m, xm, activation, 1.0, 0.5)
    with FR.single_thread():
        T = np.array([FR.retrieval_run(cfg.rng(908, s), N, N // 2, m, activation, 0.5, xm) for s in range(seeds)])
    med = np.median(T * lam, 0)
    xs = np.arange(1, 25)
    return Evidence(
        [at_least("discriminator slope of log(t_2xi/t_xi), xi in [3,12]", disc, 0.2),
         close("slope of log t_xi vs xi^(2/3) on [8,20]", law, pred, rtol=0.1),
         within("min_xi<=5 median t_xi lambda_xi (finite nets)", float(med.min()), 0.7, 1.4),
         within("max_xi<=5 median t_xi lambda_xi (finite nets)", float(med.max()), 0.7, 1.4)],
        kind="float64 quadrature + eigh", sizes={"N": N, "m": m, "seeds": seeds, "sigma_A": 1.0, "s_b": 0.5},
        data={"note's sentence": NOTE_GAP,
              "precise version (analytic sigma)": "log t_xi ~ 3 (pi xi / 2 sigma_A)^(2/3): stretched exponential",
              f"note's sentence for {activation}, judged by the discriminator (slope >= 0.2 = exponential)":
                  "holds" if disc >= 0.2 else "refuted",
              "R(xi)=t_2xi/t_xi, xi=3..12": R.tolist(), "stretched slope": law, "predicted": pred,
              "measured t_xi lambda_xi, xi=1..5 (median)": med.tolist(), "per seed": (T * lam).tolist()},
        figures=[Figure(f"{activation}-semilog", f"{activation}: t_xi = 1/lambda_xi (semi-log)", r"$\xi$", r"$t_\xi$ (rel.)",
                        [Series(xs, t_of(xs) / t_of(1), f"{activation} quadrature", "line"),
                         Series(xs, (1 / Eh2_relu[xs]) / (1 / Eh2_relu[1]), "relu quadrature", "line"),
                         Series(xm, np.median(T, 0) * (N * m / 4) / t_of(1), "measured, finite nets", "points")],
                        "linear", "log", caption="Straight or convex on semi-log axes: exponential or faster."),
                 Figure(f"{activation}-loglog", f"{activation}: t_xi = 1/lambda_xi (log-log)", r"$\xi$", r"$t_\xi$ (rel.)",
                        [Series(xs, t_of(xs) / t_of(1), f"{activation} quadrature", "line"),
                         Series(xs, (1 / Eh2_relu[xs]) / (1 / Eh2_relu[1]), "relu quadrature", "line"),
                         Series(law_x, np.exp(pred * law_x**(2 / 3)) * t_of(8) / t_of(1) / math.exp(pred * 8**(2 / 3)),
                                r"$\exp(3(\pi\xi/2)^{2/3})$", "dashed")], "log", "log",
                        caption="Upward-curving on log-log axes: faster than any power.")],
        notes="Measured times are compared with 1/lambda_xi only for xi <= 5 (sheet §5).")


gap_time_smooth.fn.__doc__ = gap_time_smooth.fn.__doc__ % NOTE_GAP
gap_time_smooth.doc = gap_time_smooth.fn.__doc__.strip()
gap_time_smooth.control("ReLU in place of tanh: same discriminator and law", activation="relu")


# --------------------------------------------------------------------------- F-principle
@claim(id="fourier.f-principle", source=SRC + "'Notes' (F-Principle); Xu et al. 2019/2020; sheet §5",
       statement=r"\text{trained CNN: } t_\xi\ \text{increasing in }\xi,\ \text{ordered as }1/\lambda^{\rm NTK}_\xi",
       derive=tf.frozen_rate)
def f_principle(cfg, order="low-first"):
    """Trained two-layer CNN fits low frequencies first, in the order of the predicted NTK rates.

    Note's sentence: "%s"  Both layers trained by GD (numerics.flow, eta = 0.5/lambda_max(NTK)) on
    x_0 = cos(theta_l) -> 0.05 x multi-tone, N = 32, m = 2000, ReLU with bias, antisymmetric init
    (u_0 = 0).  Measured: per-frequency retrieval times t_xi (xi = 1..8); predicted order: the NTK's
    Fourier diagonal lambda_xi at init.  Criteria: Spearman correlation of t_xi with the claimed order
    >= 0.9 and fraction of concordant pairs (xi < xi' retrieved first) >= 0.9.
    """
    seeds = cfg.pick(quick=1, full=3)
    with FR.single_thread():
        runs = [FR.fprinciple_run(cfg.rng(909, s), m=cfg.pick(quick=2000, full=8000)) for s in range(seeds)]
    sp_, conc = [], []
    for r in runs:
        t = np.where(np.isfinite(r["t_xi"]), r["t_xi"], 1e300)
        pred = 1 / r["lam"]
        xi = np.arange(1, t.size + 1)
        if order == "low-first":
            ref, claim_rank = pred, xi
        elif order == "reversed":
            ref, claim_rank = -pred, -xi
        else:
            raise ValueError(f"`order` must be 'low-first' or 'reversed'; got {order!r}")
        sp_.append(float(stats.spearmanr(t, ref).statistic))
        i, j = np.triu_indices(t.size, 1)
        conc.append(float(np.mean(np.sign(t[j] - t[i]) == np.sign(claim_rank[j] - claim_rank[i]))))
    r = runs[0]
    ok = np.isfinite(r["t_xi"])
    idx = np.unique(np.searchsorted(r["times"], np.geomspace(r["times"][1], r["times"][-1], 160)).clip(1, r["times"].size - 1))
    return Evidence(
        [at_least("min Spearman(t_xi, claimed order)", min(sp_), 0.9),
         at_least("min fraction of concordant pairs", min(conc), 0.9)],
        kind="float64 (GD on numerics.cnn)", sizes={"N": 32, "m": cfg.pick(quick=2000, full=8000), "seeds": seeds,
                                                     "GD steps": r["steps"], "eta": r["eta"]},
        data={"note's sentence": NOTE_FP,
              "precise version": "spatial-frequency retrieval times of the trained CNN increase with xi, "
                                 "ordered as 1/lambda_xi of the NTK at init (K = 1: input = phase on a circle)",
              "t_xi (seed 0)": r["t_xi"].tolist(), "NTK lambda_xi": r["lam"].tolist(),
              "t_xi lambda_xi": (r["t_xi"] * r["lam"]).tolist(), "spearman": sp_, "concordance": conc},
        figures=[Figure("residual-heatmap", "Per-frequency residual log10 |r^(xi,t)|/|r^(xi,0)| during training",
                        r"$\log_{10} t$", r"$\xi$", kind="heatmap",
                        z=np.clip(np.log10(np.maximum(r["rhat"][idx, 1:13].T, 1e-16)), -3, 0.5).tolist(),
                        extent=[float(np.log10(r["times"][idx[0]])), float(np.log10(r["times"][-1])), 0.5, 12.5],
                        caption="log10 of the relative residual: low xi go dark first."),
                 Figure("ftimes", "Measured t_xi vs NTK prediction", r"$\xi$", r"$t_\xi$",
                        [Series(np.arange(1, 9)[ok], r["t_xi"][ok], "trained", "points"),
                         Series(np.arange(1, 9), 1 / r["lam"], r"$1/\lambda_\xi^{NTK}$", "dashed")], "log", "log")],
        notes="Unretrieved frequencies (t = inf) rank last. Beyond xi ~ 5 training leaves the lazy regime "
              "(t_xi lambda_xi > 1, sheet §5), so only the order is judged.")


f_principle.fn.__doc__ = f_principle.fn.__doc__ % NOTE_FP
f_principle.doc = f_principle.fn.__doc__.strip()
f_principle.control("reversed order: high frequencies first", order="reversed")
