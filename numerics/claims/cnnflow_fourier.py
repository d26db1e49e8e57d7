"""Claims: the Fourier view of two-layer CNN training, I -- random kernels, band limits, rates
(the note on gradient flow of a two-layer CNN, sections "Fourier Representation" and "Spectral Bias in Frequency
Retrieval"; ``docs/cnnflow.md`` §5-§6).

The training-time laws (power law for ReLU vs stretched exponential for tanh) and the F-principle are
in :mod:`numerics.claims.cnnflow_fourier_time`.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

import theory.cnnflow_fourier as tf
from numerics.experiments import cnnflow_fourier as F
from numerics.experiments import cnnflow_retrieval as FR
from numerics.verify.fits import loglog_slope
from numerics.verify.registry import Evidence, Figure, Series, at_least, at_most, claim, close, within

NOTE_GAP = ("The transition from a frequency band to [a higher one] requires a training time that scales "
            "exponentially with the gap.")
NOTE_LLN = ("The distribution of the coefficients is governed by the Law of Large Numbers for high bandwidth, "
            "ensuring that the initial spectrum covers the necessary data bandwidth.")
NOTE_FP = ("The spectral bias observed here is a specific instance of the F-Principle where neural networks "
           "fit low frequencies before high frequencies.")
SRC = "Note on gradient flow of a two-layer CNN, "


# --------------------------------------------------------------------------- §6 white spectrum
@claim(id="cnnflow.white-spectrum", cost=1, aliases=("fourier.white-spectrum",), source=SRC + "'Fourier Representation'; docs/cnnflow.md §6 (i)-(iv), derived here",
       statement=r"\mathbb E|\hat w(\xi)|^2=qs^2\ \forall\xi,\quad \operatorname{Var}|\hat w(\xi)|^2=(qs^2)^2+|C(\xi)|^2,"
                 r"\quad |\hat w(\xi)|^2\sim\mathrm{Exp}(qs^2)\iff C(\xi)=0",
       derive=tf.white_spectrum)
def white_spectrum(cfg, N=16, q=16, xi_exp=3):
    """Random Gaussian kernels are white on average; exact variance; exponential law iff C(xi) = 0.

    Monte Carlo over M kernels w ~ N(0, s^2 I_q) zero-padded to N (s = 1): Plancherel per kernel,
    z-scores of the mean and of the variance against the exact values at every xi, and a KS test of
    |w^(xi_exp)|^2 against Exp(q s^2) (the claimed law where C(xi_exp) = 0) and of |w^(0)|^2 against
    q s^2 chi^2_1.  Note's sentence: "The initial kernels are viewed as random Gaussian fields ... the
    initial spectrum covers the necessary data bandwidth" -- precise version (ii)-(iv) of docs/cnnflow.md §6.
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
              "The exponential law needs C(xi)=0, i.e. 2q xi/N integer and 2 xi/N not (docs/cnnflow.md §6 (iv)).")


white_spectrum.control("exponential law claimed for a short kernel with C(xi) != 0 (N=16, q=3, xi=1)",
                       q=3, xi_exp=1)


# --------------------------------------------------------------------------- §6 (vi) LLN
@claim(id="cnnflow.lln-coverage", cost=1, aliases=("fourier.lln-coverage",), source=SRC + "'Fourier Representation' (LLN sentence); docs/cnnflow.md §6 (vi)",
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
    fitted = loglog_slope(ms, E)
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
@claim(id="cnnflow.band-limits", cost=1, aliases=("fourier.band-limits",), source=SRC + "'Spectral Bias in Frequency Retrieval'; docs/cnnflow.md §5 B1-B3, derived here",
       statement=r"\sigma\ \text{affine}\Rightarrow\hat r(\xi,t)=\hat r(\xi,0)\ (|\xi|>K);\ \sigma=z^2\Rightarrow"
                 r"\text{same for }|\xi|>2K;\ \text{ReLU, no bias, pure tone}\Rightarrow\hat u(\xi)=0\ (\xi\ \text{odd}\ge3)",
       derive=tf.band_theorems)
def band_limits(cfg, act_b1="linear", act_b2="square", b3_bias=False):
    """Band theorems on trained CNNs: no training moves the residual above K (affine), above 2K (square).

    GD (numerics.dynamics.flow, method "gd") on a map-head circular CNN (m=16, q=5, bias) with n=6 inputs
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
              "numerics.nets.activations has no 'square').  B3 net: relu, no bias, q=N/2, m=64, 300 GD steps.")


band_limits.control("ReLU in place of the affine / polynomial activation: the band is left", act_b1="relu",
                    act_b2="relu")
band_limits.control("B3 with a bias: odd harmonics >= 3 appear", b3_bias=True)


# --------------------------------------------------------------------------- §5 rate formula
@claim(id="cnnflow.rate-formula", cost=1, aliases=("fourier.rate-formula",), source="Sheet §5 (frozen kernels, K=1), derived here",
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
