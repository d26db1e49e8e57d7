"""Claims about the spectrum of two-layer ReLU kernels (Basri et al. 2019; Bietti & Mairal 2019).

Eigenvalues come from :mod:`theory.funk_hecke` (exact SymPy / mpmath Gauss sums of positive
terms); the Gram-matrix comparison uses NumPy (float64).  docs/basri2019.md §2-§4, §6.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

import theory.basri2019
from numerics.data import sphere
from numerics.verify.fits import loglog_slope
from numerics.verify.registry import Evidence, Figure, Series, at_least, at_most, claim, close, equal
from theory.funk_hecke import eigenvalues, multiplicity
from theory.kernels import kernel_value

SRC = "Basri et al. 2019 (NeurIPS), arXiv:1906.00425; Bietti & Mairal 2019; derived here"


def _exact(kernel, d, ks):
    return [e.value for e in eigenvalues(kernel, d, ks, mode="exact")]


# --------------------------------------------------------------------------- odd-null
@claim(id="basri2019.odd-null", cost=1, aliases=("basri.odd-null",), source=SRC + " (abstract)",
       statement=r"\lambda_k = 0 \text{ for every odd } k \ge 3 \text{ and every } d \ge 2 \text{ (no bias)}",
       derive=theory.basri2019.odd_null)
def odd_null(cfg, kernels=("basri", "ntk", "nngp")):
    """Without bias the odd eigenvalues k >= 3 vanish exactly.

    lambda_k computed exactly (SymPy Gauss sums) for odd 3 <= k <= 50 in d = 2, 3, 10; lambda_1 > 0.
    """
    K = cfg.pick(quick=50, full=50)
    odd = list(range(3, K + 1, 2))
    worst, lam1, table, figs = sympy.S.Zero, None, {}, []
    for name in kernels:
        for d in (2, 3, 10):
            vals = _exact(name, d, [1] + odd)
            l1, rest = vals[0], vals[1:]
            worst = max(worst, max(abs(v) for v in rest), key=lambda v: float(v))
            lam1 = l1 if lam1 is None else min(lam1, l1, key=float)
            table[f"{name} d={d}"] = {"lambda_1": str(l1), "max|lambda_odd>=3|": str(max(abs(v) for v in rest))}
    series = []
    for name in kernels:
        ev = eigenvalues(name, 3, range(1, K + 1), mode="float")
        series.append(Series([e.k for e in ev], [abs(e.value) + 1e-300 for e in ev], f"|lambda_k| {name}, d=3", "marker"))
    figs.append(Figure("odd_null", "|lambda_k| on S^2 (odd k >= 3 at the floor 1e-300 = exact zero)",
                       "k", "|lambda_k|", series, xscale="log", yscale="log"))
    return Evidence([equal("max |lambda_k| over odd 3<=k<=50, d in {2,3,10}", worst, 0),
                     at_least("min lambda_1 (must be > 0)", float(lam1), 1e-3)],
                    kind="exact", sizes={"k_max": K, "d": [2, 3, 10], "kernels": list(kernels)},
                    data=table, figures=figs, notes="exact SymPy values (rationals and pi)")


odd_null.control("bias kernel: odd eigenvalues no longer vanish", kernels=("basri-bias",))


# --------------------------------------------------------------------------- bias-restores
@claim(id="basri2019.bias-restores", cost=3, aliases=("basri.bias-restores",), source=SRC,
       statement=r"\text{with bias } \lambda_k > 0 \ \forall k",
       derive=theory.basri2019.bias_restores)
def bias_restores(cfg, kernels=("basri-bias", "ntk-bias", "nngp-bias")):
    """With bias every lambda_k is positive.

    ``basri-bias``: exact values for k <= 50 (d = 2, 3, 10).  Every kernel: a certified lower
    bound (first term of each positive Gauss/hypergeometric series, exact Gamma products) for
    k <= 50 (exact) and k <= 2000 (mpmath), whose minimum must be > 0.
    """
    K, Kbig = 50, cfg.pick(quick=400, full=2000)
    zeros, min_lb, table = 0, None, {}
    for name in kernels:
        for d in (2, 3, 10):
            if all(v == "t" for (v, f, p), c in theory.basri2019.decompose(name)):   # exact available
                vals = _exact(name, d, range(K + 1))
                zeros += sum(1 for v in vals if not v > 0)
                table[f"{name} d={d} exact min lambda_k"] = str(min(vals, key=float))
            lbs = [theory.basri2019.lower_bound(name, d, k) for k in range(0, K + 1)]        # exact
            with mpmath.workdps(30):
                lbs_big = [theory.basri2019.lower_bound(name, d, k, mode="mpmath") for k in range(K + 1, Kbig + 1)]
                zeros += sum(1 for x in lbs if not x > 0) + sum(1 for x in lbs_big if not x > 0)
                logs = [float(mpmath.log10(mpmath.mpf(str(sympy.N(x, 20))))) for x in lbs if x > 0] + \
                    [float(mpmath.log10(x)) for x in lbs_big if x > 0]
            m = min(logs) if logs else float("-inf")
            min_lb = m if min_lb is None else min(min_lb, m)
            table[f"{name} d={d} min log10 certified lower bound"] = m
    ks = list(range(1, 2001))
    fig_series = []
    for name in kernels[:1]:
        ev = eigenvalues(name, 3, ks, mode="float")
        for par, lab in ((0, "even k"), (1, "odd k")):
            fig_series.append(Series([e.k for e in ev if e.k % 2 == par], [max(e.value, 1e-300) for e in ev if e.k % 2 == par],
                                     f"{name}, d=3, {lab}", "marker"))
    C3 = 1 / (2 * math.pi)
    fig_series.append(Series(ks, [C3 / 2 * k**-3.0 for k in ks], "C(3)/2 k^-3 (docs/basri2019.md §4)", "dashed"))
    figs = [Figure("bias_spectrum", "with bias both parities decay like C(d)/2 k^-d (d=3)", "k", "lambda_k",
                   fig_series, xscale="log", yscale="log")]
    return Evidence([equal("number of k with exact lambda_k <= 0 (k <= 50) or certified lower bound <= 0 "
                           "(k <= k_bound)", zeros, 0)],
                    kind="exact (SymPy Gamma products) / mpmath lower bounds",
                    sizes={"k_exact": K, "k_bound": Kbig}, data=table, figures=figs,
                    notes="lower bound = first term of each atom's positive series (theory.basri2019.lower_bound)")


bias_restores.control("no-bias kernel: odd eigenvalues are 0", kernels=("basri",))


# --------------------------------------------------------------------------- circle
@claim(id="basri2019.circle-spectrum", cost=4, aliases=("basri.circle-spectrum",), source=SRC,
       statement=r"d=2:\ \lambda_k^{\rm basri}=\frac{k^2+1}{\pi^2(k^2-1)^2}\ (k\text{ even}),\ k^2\lambda_k\to\frac1{\pi^2}",
       derive=theory.basri2019.circle_spectrum)
def circle_spectrum(cfg, exponent=2):
    """SymPy's closed forms on the circle equal Funk-Hecke, and k^exponent lambda_k -> constant.

    Measures: max |closed form - Funk-Hecke| over k in [2, 50] (exact), the local log-log slope of
    the closed form over even k in [1000, 2000], and k^exponent lambda_k at k = 10^4 against the
    SymPy limit.
    """
    names = ("basri", "basri-bias", "ntk", "nngp")
    m = sympy.Symbol("m", integer=True, positive=True)
    diff = sympy.S.Zero
    for name in names:
        fh = _exact(name, 2, range(2, 51))
        for k, v in zip(range(2, 51), fh):
            cf = theory.basri2019.circle_closed_form(name, k % 2).subs(m, (k - k % 2) // 2)
            diff = max(diff, abs(sympy.expand(cf - v)), key=float)
    cf = theory.basri2019.circle_closed_form("basri", 0)
    f = sympy.lambdify(m, cf, "mpmath")
    ks = np.arange(1000, 2001, 2)
    with mpmath.workdps(30):
        lv = np.array([float(mpmath.log(f(int(k) // 2))) for k in ks])
    slope = float(np.polyfit(np.log(ks), lv, 1)[0])
    C = sympy.limit(cf * (2 * m)**exponent, m, sympy.oo)
    with mpmath.workdps(30):
        at = float(f(5000) * mpmath.mpf(10000)**exponent)
    kk = np.arange(2, 2001, 2)
    with mpmath.workdps(20):
        vals = [float(f(int(k) // 2)) for k in kk]
    fig = Figure("circle_decay", "basri on the circle: lambda_k (even k) and the k^-2 law", "k", "lambda_k",
                 [Series(kk.tolist(), vals, "closed form (SymPy)", "marker"),
                  Series(kk.tolist(), (kk.astype(float)**-2 / math.pi**2).tolist(), "k^-2 / pi^2", "dashed")],
                 xscale="log", yscale="log")
    return Evidence([equal("max |closed form - Funk-Hecke|, 4 kernels, 2<=k<=50", diff, 0),
                     close("log-log slope, even k in [1000,2000]", slope, -exponent, atol=0.01 * exponent),
                     close(f"k^{exponent} lambda_k at k=10^4 vs SymPy limit", at, float(C), rtol=1e-3)],
                    kind="exact (SymPy) / mpmath (dps=30)", sizes={"k_exact": 50, "k_slope": [1000, 2000]},
                    data={"limit": str(C), "closed_form_basri_even": str(cf)}, figures=[fig])


circle_spectrum.control("exponent 1 (intrinsic dimension) instead of 2", exponent=1)


# --------------------------------------------------------------------------- sphere decay
@claim(id="basri2019.sphere-decay", cost=2, aliases=("basri.sphere-decay",), source=SRC + "; Bietti & Mairal 2019",
       statement=r"\lambda_k \sim C(d)\,k^{-d},\ C(d)=\frac{2^{d-2}\Gamma(d/2)^2}{\pi^2}\ (k\text{ even})",
       derive=theory.basri2019.sphere_decay)
def sphere_decay(cfg, offset=0, kernel="ntk"):
    """Local log-log slope of lambda_k over even k in [500, 1000] equals -(d + offset).

    Tolerance 1% for d = 3, 5 and 3% for d = 10 (the law is asymptotic, correction O(d^2/k)).
    lambda_k k^d / C(d) reported at k = 10^3, 10^4 (mpmath, dps = 30).
    """
    Cd = theory.basri2019.decay_constant("basri")
    dsym = sorted(Cd.free_symbols, key=str)[0]
    crit, data, figs = [], {}, []
    step = cfg.pick(quick=10, full=2)
    for d, tol in ((3, 0.01), (5, 0.01), (10, 0.03)):
        ks = np.arange(500, 1001, step)
        ev = eigenvalues(kernel, d, ks.tolist(), mode="mpmath", dps=30)
        vals = np.array([float(e.value) for e in ev])
        s = loglog_slope(ks, vals)
        target = -(d + offset)
        crit.append(close(f"local slope d={d}, k in [500,1000]", s, target, rtol=tol))
        C = float(sympy.N(Cd.subs(dsym, d), 20))
        kr = [1000, 10000]
        ratio = [float(e.value) * k**d / C for e, k in zip(eigenvalues(kernel, d, kr, mode="mpmath", dps=30), kr)]
        crit.append(close(f"lambda_k k^d / C(d) at k=10^4, d={d}", ratio[1], 1.0, rtol=0.01 * d / 3))
        data[f"d={d}"] = {"slope": s, "ratio_k1e3": ratio[0], "ratio_k1e4": ratio[1], "C(d)": C}
        kk = np.unique(np.round(np.logspace(1, 4, 40) / 2).astype(int) * 2)
        ev2 = eigenvalues(kernel, d, kk.tolist(), mode="mpmath", dps=30)
        lv = np.array([float(mpmath.log(e.value)) for e in ev2])
        loc = np.diff(lv) / np.diff(np.log(kk))
        figs.append(Figure(f"local_slope_d{d}", f"local log-log slope of lambda_k, d={d}", "k", "slope",
                           [Series(np.sqrt(kk[1:] * kk[:-1]).tolist(), loc.tolist(), "measured", "line"),
                            Series([10, 10000], [-d, -d], f"-d = {-d}", "dashed")], xscale="log"))
    ks = np.arange(2, 3001, 2)
    ev = eigenvalues(kernel, 3, ks.tolist(), mode="float")
    C3 = float(sympy.N(Cd.subs(dsym, 3)))
    figs.insert(0, Figure("decay_d3", "lambda_k on S^2 (even k) vs C(3) k^-3", "k", "lambda_k",
                          [Series(ks.tolist(), [e.value for e in ev], kernel, "marker"),
                           Series(ks.tolist(), (C3 * ks.astype(float)**-3).tolist(), "C(3) k^-3", "dashed")],
                          xscale="log", yscale="log"))
    return Evidence(crit, kind="mpmath (dps=30)", sizes={"k": [500, 1000], "step": step, "d": [3, 5, 10]},
                    data=data, figures=figs)


sphere_decay.control("intrinsic-dimension exponent k^-(d-1)", offset=-1)


# --------------------------------------------------------------------------- Mercer + Gram
def _kernel_np(name, T):
    """Vectorised float64 kernel from the SymPy expression; T: array of inner products."""
    f = sympy.lambdify(theory.kernels.t, theory.kernels.KERNELS[name], "numpy")
    return f(np.clip(T, -1.0, 1.0))


@claim(id="basri2019.mercer", cost=1, aliases=("ntk.mercer",), source="Mercer/Funk-Hecke; docs/basri2019.md §2",
       statement=r"K(t)=\sum_k N(d,k)\lambda_k P_k(d;t);\ \operatorname{eig}(G/n)\to\lambda_k",
       derive=theory.basri2019.mercer)
def mercer(cfg, kernel="ntk", shift=0):
    """The Mercer sum reproduces the kernel and the Gram spectrum clusters at lambda_k.

    (a) d = 2, 3: max_t |K(t) - S_K(t)| over 201 points <= the rigorous bound K(1) - S_K(1)
    (N lambda_k >= 0, |P_k| <= 1), with K = 400 terms.  (b) n uniform points on S^2: eigenvalues of
    G/n grouped by multiplicity N(3,k) in the order of the predicted lambda_k; relative error of each
    cluster mean for the 5 largest distinct lambda_k within 5% (Monte Carlo).  ``shift`` uses
    lambda_{k+shift} in place of lambda_k (control).
    """
    from scipy.special import eval_chebyt, eval_gegenbauer
    Kt = cfg.pick(quick=400, full=2000)
    crit, data, figs = [], {}, []
    tt = np.linspace(-1, 1, 201)
    for d in (2, 3):
        lam = np.array([e.value for e in eigenvalues(kernel, d, range(shift, Kt + 1 + shift), mode="float")])
        N = np.array([multiplicity(d, k) for k in range(Kt + 1)], dtype=float)
        ks = np.arange(Kt + 1)
        if d == 2:
            P = eval_chebyt(ks[:, None], tt[None, :])
        else:
            P = eval_gegenbauer(ks[:, None], 0.5, tt[None, :])
        S = (N * lam) @ P
        err = np.abs(_kernel_np(kernel, tt) - S)
        bound = float(kernel_value(kernel, 1.0) - np.sum(N * lam))
        crit.append(at_most(f"d={d}: max_t |K - S_K| minus bound K(1)-S_K(1) (float64 round-off allowance 1e-12)",
                            float(err.max() - max(bound, 0.0)), 1e-12))
        crit.append(at_least(f"d={d}: truncation bound K(1)-S_K(1) >= 0, K={Kt}", bound, 0.0))
        crit.append(at_most(f"d={d}: truncation bound K(1)-S_K(1) small (tail ~ 0.16/K), K={Kt}", bound, 1e-3))
        data[f"d={d}"] = {"max_err": float(err.max()), "bound": bound}
        if d == 3:
            errs = []
            for KK in (10, 20, 50, 100, 200, 400):
                if KK <= Kt:
                    SS = (N[:KK + 1] * lam[:KK + 1]) @ P[:KK + 1]
                    errs.append((KK, float(np.abs(_kernel_np(kernel, tt) - SS).max())))
            figs.append(Figure("mercer_truncation", f"Mercer truncation error, {kernel}, d=3", "K terms",
                               "max_t |K - S_K|", [Series([a for a, _ in errs], [b for _, b in errs], "measured", "marker"),
                                                   Series([a for a, _ in errs], [0.3 / a for a, _ in errs], "~1/K", "dashed")],
                               xscale="log", yscale="log"))
    n = cfg.pick(quick=2000, full=4000)
    X = sphere.uniform(n, 3, cfg.rng(3))
    G = _kernel_np(kernel, X @ X.T) / n
    from scipy.sparse.linalg import eigsh        # top 60 eigenvalues by Lanczos (G is dense, PSD)
    ev = np.sort(eigsh(G, k=60, which="LA", v0=cfg.rng(4).standard_normal(n), tol=1e-10)[0])[::-1]
    kmax = 12
    lam = [e.value for e in eigenvalues(kernel, 3, range(shift, kmax + 1 + shift), mode="float")]
    pred = sorted([(lam[k], k) for k in range(kmax + 1) if lam[k] > 1e-12 or (lam[k] != 0 and shift)],
                  reverse=True)
    pos, rel, rows = 0, [], []
    for v, k in pred[:5]:
        Nk = multiplicity(3, k)
        mean = float(ev[pos:pos + Nk].mean())
        pos += Nk
        rel.append(abs(mean - v) / abs(v))
        rows.append({"k": k, "N": Nk, "lambda_k": v, "gram_cluster_mean": mean, "rel_err": rel[-1]})
    crit.append(at_most("max relative error of Gram cluster means (5 largest lambda_k), n=%d" % n, max(rel), 0.05))
    data["gram"] = rows
    figs.append(Figure("gram_spectrum", f"eigenvalues of G/n (n={n}, S^2) vs lambda_k with multiplicity",
                       "index", "eigenvalue",
                       [Series(list(range(1, 61)), ev[:60].tolist(), "Gram G/n", "marker"),
                        Series(list(range(1, 61)), [v for v, k in pred for _ in range(multiplicity(3, k))][:60],
                               "lambda_k (x N(3,k))", "dashed")], yscale="log"))
    return Evidence(crit, kind="float64 (Funk-Hecke float mode; NumPy Gram matrix)",
                    sizes={"K_terms": Kt, "n": n}, data=data, figures=figs)


mercer.control("shifted lambda: lambda_{k+1} used for lambda_k", shift=1)
