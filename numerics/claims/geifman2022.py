"""Claims of Geifman, Galun, Jacobs, Basri (NeurIPS 2022): spectral bias of CNTK / CGPK on the multisphere.

Notes: ``docs/geifman2022.md``.  Only the abstract, claims list and
preliminaries of the paper could be read; every ``source`` says whether the statement is the
paper's ("paper, abstract/claims list") or a rule reconstructed and checked here ("derived here").

Kernels are evaluated by :mod:`numerics.kernels.cntk` (float64); spectra by tensor Gauss quadrature in the
polar angles (:func:`numerics.kernels.multisphere.quadrature_spectrum`; for ``zeta = 2`` also the
torus FFT); exact references by :mod:`theory.geifman2022` (SymPy).
"""
from __future__ import annotations

import functools
import itertools

import numpy as np

import theory.geifman2022 as tms
from numerics.kernels.cntk import fc_multidot, gram, multidot
from numerics.nets.deep_cnn import DeepCNN
from numerics.kernels.multisphere import quadrature_rule, quadrature_spectrum, torus_spectrum
from numerics.verify.fits import local_slope, loglog_slope
from numerics.verify.registry import Evidence, Figure, Series, at_least, at_most, claim, close

SRC = "Geifman, Galun, Jacobs, Basri 2022 (NeurIPS), arXiv:2203.09255"


# ----------------------------------------------------------------------------- helpers
def _kfun(kernel: str, head: str, q: int, L: int, kind: str):
    """Kernel as a callable of ``delta = 1 - t`` (..., d): the CNTK/CGPK or the FC control."""
    if kernel == "fc":
        return lambda D: fc_multidot(1.0 - D, kind=kind, depth=L)
    if kernel != "cntk":
        raise ValueError(f"`kernel` must be 'cntk' or 'fc'; got {kernel!r}")
    return lambda D: multidot(head=head, depth=L, filter_size=q, kind=kind, delta=D)


@functools.lru_cache(maxsize=64)
def _spectrum(kernel, head, q, L, kind, zeta, d, n, kmax):
    return quadrature_spectrum(_kfun(kernel, head, q, L, kind), zeta, d, n, kmax)


# ----------------------------------------------------------------------------- 1. eigenfunctions
def _torus_points(d, N):
    ang = 2 * np.pi * np.arange(N) / N
    grid = np.stack(np.meshgrid(*([ang] * d), indexing="ij"), axis=-1).reshape(-1, d)   # (N^d, d)
    X = np.stack([np.cos(grid), np.sin(grid)], axis=1)                                    # (N^d, 2, d)
    return grid, X


def _rayleigh_residual(G, f, gnorm):
    """``||G f - r f|| / (||G||_2 ||f||)`` with ``r`` the Rayleigh quotient; ``gnorm = ||G||_2``."""
    Gf = G @ f
    r = f @ Gf / (f @ f)
    return float(np.linalg.norm(Gf - r * f) / (gnorm * np.linalg.norm(f)))


def _torus_candidates(grid, d, kmax, head, candidate):
    """Test functions on the torus grid: products cos(k.theta) (Eq/Tr), orbit sums (GAP), or mixed ones."""
    ks = list(itertools.product(range(kmax + 1), repeat=d))
    fs = []
    for k in ks:
        k = np.array(k)
        if candidate == "mixed" and head == "gap":
            fs.append(np.cos(grid @ k))           # a single product: not shift-invariant unless k is
        elif candidate == "mixed":
            fs.append(np.cos(grid[:, 0]) + np.cos(2 * grid[:, 0]) * np.cos(grid[:, 1] + (k[2] if d > 2 else 0) * grid[:, -1]))
        elif head == "gap":
            fs.append(sum(np.cos(grid @ np.roll(k, s)) for s in range(d)))
        else:
            fs.append(np.cos(grid @ k))
    return fs


def _sphere_ratio_spread(candidate, n_theta, rng):
    """zeta = 3, d = 2, q = 2, L = 2 Eq CNTK: spread of (T f)(z) / f(z) over 6 random z.

    ``T f(z) = E_x[K(x, z) f(x)]`` by a pole-aligned rule per pixel (Gauss in the polar angle about
    ``z_i``, ``n_phi`` equispaced azimuths, exact for the azimuthal trigonometric polynomials).
    ``f`` is a sum of separable terms ``prod_i P_{k_i}(<x_i, a_i>)`` with random axes ``a_i``.
    """
    from scipy.special import eval_legendre
    theta, w = quadrature_rule(3, n_theta)
    delta = 2 * np.sin(theta / 2) ** 2
    D = np.stack(np.meshgrid(delta, delta, indexing="ij"), axis=-1)
    Kq = multidot(head="eq", depth=2, filter_size=2, kind="ntk", delta=D)        # (n, n)
    terms = {"product": [[(1, 0)], [(2, 1)], [(3, 2)], [(0, 3)]],
             "mixed": [[(1, 0), (2, 1)]]}[candidate]
    axes = rng.standard_normal((2, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    nphi = 8
    phi = 2 * np.pi * np.arange(nphi) / nphi
    spreads, ratios_all = [], []
    for fn in terms:
        ratios = []
        for _ in range(6):
            z = rng.standard_normal((2, 3))
            z /= np.linalg.norm(z, axis=1, keepdims=True)
            ybar, yz = [], []
            for i in range(2):
                e1 = np.cross(z[i], rng.standard_normal(3))
                e1 /= np.linalg.norm(e1)
                e2 = np.cross(z[i], e1)
                x = (np.cos(theta)[:, None, None] * z[i] + np.sin(theta)[:, None, None]
                     * (np.cos(phi)[None, :, None] * e1 + np.sin(phi)[None, :, None] * e2))   # (n, nphi, 3)
                c = x @ axes[i]
                ybar.append({k: eval_legendre(k, c).mean(axis=1) for k in range(5)})
                yz.append({k: eval_legendre(k, z[i] @ axes[i]) for k in range(5)})
            Tf = sum((w * ybar[0][k1]) @ Kq @ (w * ybar[1][k2]) for k1, k2 in fn)
            fz = sum(yz[0][k1] * yz[1][k2] for k1, k2 in fn)
            ratios.append(Tf / fz)
        ratios = np.array(ratios)
        spreads.append(float((ratios.max() - ratios.min()) / np.abs(ratios).mean()))
        ratios_all.append(ratios.tolist())
    return max(spreads), ratios_all, terms


@claim(id="geifman2022.product-eigenfunctions", cost=1, aliases=("cntk.product-eigenfunctions",),
       source=f"{SRC}, claims list (a) [paper]; GAP orbit sums derived here (docs/geifman2022.md §3.1, §3.3)",
       statement=r"T_{K}\prod_i Y_{k_i}(x_i)=\lambda_{\mathbf k}\prod_i Y_{k_i}(x_i)\ (\mathrm{Eq},\mathrm{Tr});"
                 r"\ T_{K^{GAP}}\sum_{s}Y_{s\mathbf k}=\lambda\sum_s Y_{s\mathbf k}",
       derive=tms.derive_product_eigenfunctions)
def product_eigenfunctions(cfg, candidate="product"):
    """Products of per-pixel harmonics diagonalise Eq/Tr; shift-orbit sums diagonalise GAP.

    Torus (zeta = 2, d = 3, q = 3, L = 2, CNTK): the Gram matrix of :func:`numerics.kernels.cntk.gram` on the
    grid ``(2 pi j / N)^3`` applied to each test function; the Rayleigh residual relative to
    ``||G||_2`` is measured (off-diagonal mass).  Sphere (zeta = 3, d = 2, q = 2, L = 2, Eq CNTK):
    ``(T f)(z) / f(z)`` at 6 random ``z`` by quadrature; its relative spread is measured.
    """
    N, kmax = cfg.pick(quick=(6, 2), full=(12, 3))
    d = 3
    grid, X = _torus_points(d, N)
    res = {}
    for head in ("eq", "tr", "gap"):
        G = gram(X, head=head, depth=2, filter_size=3, kind="ntk")
        fs = _torus_candidates(grid, d, kmax, head, candidate)
        gnorm = float(np.linalg.eigvalsh(G)[-1])
        res[head] = max(_rayleigh_residual(G, f, gnorm) for f in fs)
    n_theta = cfg.pick(quick=160, full=320)
    spread, ratios, terms = _sphere_ratio_spread(candidate, n_theta, cfg.rng(1))
    crit = [at_most("torus Eq: max Rayleigh residual / ||G||", res["eq"], 1e-10),
            at_most("torus Tr: max Rayleigh residual / ||G||", res["tr"], 1e-10),
            at_most("torus GAP: max Rayleigh residual / ||G||", res["gap"], 1e-10),
            at_most("S^2 x S^2 Eq: relative spread of (Tf)(z)/f(z) over 6 z", spread, 1e-6)]
    return Evidence(crit, kind="float64", sizes={"torus N": N, "d": d, "kmax": kmax, "n_theta": n_theta},
                    data={"candidate": candidate, "sphere terms (k1,k2)": terms, "sphere ratios": ratios},
                    notes="Gram matrices from numerics.kernels.cntk.gram on exact torus grid points; sphere: "
                          "pole-aligned Gauss quadrature in the polar angle, 8 azimuths.")


product_eigenfunctions.control("mixed-degree function Y1(x1)+Y2(x1)Y1(x2) (Eq/Tr) and a single "
                               "non-invariant product (GAP) taken as eigenfunctions", candidate="mixed")


# ----------------------------------------------------------------------------- 2. eigen-series
@functools.lru_cache(maxsize=8)
def _poly_kernel(q, L, kind, P):
    b, syms = tms.polynomial_eq_kernel(q, L, kind, P)
    return b, len(syms)


@claim(id="geifman2022.eigen-series", cost=1, aliases=("cntk.eigen-series",),
       source=f"{SRC}, preliminaries (power series) [paper]; mu_zeta(n,k) derived here by Funk-Hecke",
       statement=r"\lambda_{\mathbf k}=\sum_{\mathbf n\ge\mathbf k,\ \mathbf n\equiv\mathbf k}b_{\mathbf n}"
                 r"\prod_i\mu_\zeta(n_i,k_i),\ \mu_\zeta(n,k)=\frac{n!\,\Gamma(\zeta/2)}{2^n(\frac{n-k}2)!\,"
                 r"\Gamma(\frac{n+k+\zeta}2)}",
       derive=tms.derive_eigen_series)
def eigen_series(cfg, mu="closed"):
    """The power-series eigenvalue formula equals FFT (zeta=2) and quadrature (zeta=3, 4) eigenvalues.

    Kernel: the Eq CNTK (q = 2, L = 2) with kappa0, kappa1 replaced by exact Taylor polynomials
    of degree P (a polynomial multi-dot-product kernel with exact coefficients b_n, so the series
    is finite).  Error = max |lambda_series - lambda_numeric| / max |lambda| over k in [0, 5]^2.
    """
    import sympy
    P = cfg.pick(quick=3, full=5)
    b, d = _poly_kernel(2, 2, "ntk", P)
    bf = {n: float(c) for n, c in b.items()}
    kmax = 5
    mufun = {"closed": tms.mu_closed, "wrong": tms.mu_wrong}[mu]

    def kfun(D):
        T = 1.0 - D
        return sum(c * np.prod([T[..., i] ** n[i] for i in range(d)], axis=0) for n, c in bf.items())

    crit, table = [], {}
    deg = max(sum(n) for n in b)
    for zeta in (2, 3, 4):
        ser = np.array([[float(sympy.N(tms.eigenvalue_from_series(b, (k1, k2), zeta, mu=mufun), 30))
                         for k2 in range(kmax + 1)] for k1 in range(kmax + 1)])
        if zeta == 2:
            lam, imag = torus_spectrum(kfun, d, 2 * deg + 2)
            num = lam[:kmax + 1, :kmax + 1]
        else:
            num = quadrature_spectrum(kfun, zeta, d, deg + 8, kmax)
        err = float(np.max(np.abs(ser - num)) / np.max(np.abs(num)))
        table[f"zeta={zeta}"] = {"series": ser[:3, :3].tolist(), "numeric": num[:3, :3].tolist(), "rel err": err}
        crit.append(at_most(f"zeta={zeta}: max |series - {'FFT' if zeta == 2 else 'quadrature'}| / max lambda",
                            err, 1e-12))
    return Evidence(crit, kind="exact series (SymPy) vs float64", sizes={"P": P, "degree": deg, "kmax": kmax},
                    data=table, notes=f"mu = {mu}; FFT grid 2*degree+2 (no aliasing); Gauss nodes degree+8.")


eigen_series.control("mu_zeta with the wrong Gamma argument (n+k+zeta+1)/2", mu="wrong")


# ----------------------------------------------------------------------------- 3. single-pixel decay
@claim(id="geifman2022.decay-single-pixel", cost=12, aliases=("cntk.decay-single-pixel",),
       source=f"{SRC}, abstract (rate depends on zeta, not on d or q) [paper]; exponents derived here "
              "(docs/geifman2022.md §3.4 rule 1)",
       statement=r"\lambda_{k\mathbf e_i}\asymp k^{-\zeta}\ (\mathrm{CNTK}),\ k^{-(\zeta+2)}\ (\mathrm{CGPK}),"
                 r"\ \zeta=2,3,4,\ \text{any } d,q,L",
       derive=tms.derive_decay_single_pixel)
def decay_single_pixel(cfg, kernel="cntk"):
    """One nonzero pixel: local log-log slope of lambda_{k e_0} at the largest k vs -(zeta - 1 + 2s).

    Quadrature in the polar angles (Gauss, n nodes per pixel); configurations (d, q, L) varied.
    Tolerance: |slope - predicted| <= 0.15 (slopes converge from above like 1/k).
    """
    quick = cfg.profile == "quick"
    configs = [(2, 2, 2), (3, 3, 2), (3, 2, 3)]
    crit, figs, table = [], [], {}
    for zeta in (2, 3, 4):
        series = []
        for (d, q, L) in (configs if zeta == 2 or not quick else configs[:1]):
            n, kmax = (400, 128) if d == 2 else ((56, 32) if quick else (96, 64))
            for kind in ("ntk", "gp"):
                lam = _spectrum(kernel, "eq", q, L, kind, zeta, d, n, kmax)
                ks = np.array([kmax // 8, kmax // 4, kmax // 2, kmax])
                vals = np.array([lam[(k,) + (0,) * (d - 1)] for k in ks])
                sl = local_slope(ks, vals)
                pred = float(tms.decay_exponent(zeta, kind, 1))
                crit.append(close(f"zeta={zeta} {kind} d={d} q={q} L={L}: slope at k={ks[-2]}->{ks[-1]}",
                                  sl, -pred, atol=0.15))
                table[f"zeta={zeta} {kind} (d,q,L)=({d},{q},{L})"] = {"k": ks.tolist(), "lambda": vals.tolist(),
                                                                       "slope": sl, "predicted": -pred}
                if (d, q, L) == (2, 2, 2):
                    series.append(Series(ks, vals, f"{kind} measured", "points"))
                    series.append(Series(ks, vals[-1] * (ks / ks[-1]) ** (-pred), f"{kind} $k^{{-{pred:g}}}$", "dashed"))
        figs.append(Figure(f"decay-single-zeta{zeta}", f"single-pixel eigenvalues, zeta={zeta} ({kernel})", "k",
                           r"$\lambda_{k e_0}$", series, xscale="log", yscale="log",
                           caption="Measured points follow the dashed k^-zeta (NTK) and k^-(zeta+2) (GP) lines."))
    return Evidence(crit, kind="float64", sizes={"configs (d,q,L)": configs}, data=table, figures=figs,
                    notes=f"kernel={kernel}; Gauss-Legendre in theta with weight sin^(zeta-2), P~_k Gegenbauer.")


decay_single_pixel.control("the FC-NTK/GP (rho = mean_i t_i) held to the CNTK single-pixel law", kernel="fc")


# ----------------------------------------------------------------------------- 4. support decay
@claim(id="geifman2022.decay-support", cost=10, aliases=("cntk.decay-support",),
       source="derived here (docs/geifman2022.md §3.4 rule 2; the paper's theorem text was not available)",
       statement=r"\lambda_{\mathbf k}\asymp\|\mathbf k\|^{-(2s+r(S)(\zeta-1))},\ s=\tfrac12\ (\mathrm{NTK}),"
                 r"\ \tfrac32\ (\mathrm{GP}),\ r(S)=\text{smallest receptive field}\supseteq\mathrm{supp}\,\mathbf k",
       derive=tms.derive_decay_support)
def decay_support(cfg, law="receptive"):
    """Several nonzero pixels growing together: diagonal slope vs -(2s + r(S)(zeta - 1)).

    ``law="product"`` holds the same slopes to the product of single-pixel rates
    ``-|S| (zeta - 1 + 2s)`` (not a two-sided law, docs/geifman2022.md §3.4 rule 4). Tolerance 0.15.
    """
    quick = cfg.profile == "quick"
    cases = [  # zeta, d, q, L, support pattern
        (2, 2, 2, 2, (1, 1)), (3, 2, 2, 2, (1, 1)),
        (2, 3, 3, 2, (1, 1, 0)), (2, 3, 3, 2, (1, 0, 1)), (2, 3, 3, 2, (1, 1, 1)),
        (2, 3, 2, 3, (1, 0, 1))]
    crit, table, figs = [], {}, []
    for zeta, d, q, L, pat in cases:
        n, kmax = (400, 128) if d == 2 else ((56, 32) if quick else (96, 64))
        span = max(i for i, p in enumerate(pat) if p) - min(i for i, p in enumerate(pat) if p) + 1
        r = tms.support_receptive_field(span, q, L)
        for kind in ("ntk", "gp"):
            lam = _spectrum("cntk", "eq", q, L, kind, zeta, d, n, kmax)
            ks = np.array([kmax // 8, kmax // 4, kmax // 2, kmax])
            vals = np.array([lam[tuple(k * p for p in pat)] for k in ks])
            sl = local_slope(ks, vals)
            if law == "receptive":
                pred = float(tms.decay_exponent(zeta, kind, r))
            else:
                pred = float(sum(pat) * tms.decay_exponent(zeta, kind, 1))
            name = f"zeta={zeta} {kind} (d,q,L)=({d},{q},{L}) k={pat}, r={r}"
            crit.append(close(name + f": slope at k={ks[-2]}->{ks[-1]}", sl, -pred, atol=0.15))
            table[name] = {"k": ks.tolist(), "lambda": vals.tolist(), "slope": sl, "predicted": -pred}
    # eigenvalue maps (zeta = 2, d = 2, q = 2, L = 2): Eq, Tr (shift average), GAP (orbit mean)
    lam = _spectrum("cntk", "eq", 2, 2, "ntk", 2, 2, 400, 128)[:33, :33]
    tr = 0.5 * (lam + lam.T)
    for name, M in (("eq", lam), ("tr", tr), ("gap", tr)):
        figs.append(Figure(f"torus-map-{name}", f"log10 lambda_(k1,k2), {name.upper()} CNTK, zeta=2, q=2, L=2",
                           "k2", "k1", kind="heatmap", z=np.log10(np.maximum(M, 1e-300)).tolist(),
                           extent=[0, 32, 0, 32],
                           caption="Eigenvalues fall fastest along the diagonal (two pixels) than along the axes."))
    return Evidence(crit, kind="float64", sizes={"cases": [c[:4] for c in cases]}, data=table, figures=figs,
                    notes=f"law={law}; r(S) = smallest (l-1)(q-1)+1 >= span(S), l <= L.")


decay_support.control("product of single-pixel rates prod_i k_i^-(zeta-1+2s) as a two-sided law", law="product")


# ----------------------------------------------------------------------------- 5. locality
@claim(id="geifman2022.locality", cost=1, aliases=("cntk.locality",),
       source=f"{SRC}, abstract and claims list (d) [paper: qualitative]; path-count ratios N_j/N_j' and "
              "exact zeros derived here (docs/geifman2022.md §3.3, §3.5)",
       statement=r"\lambda^{Eq}_{k\mathbf e_j}/\lambda^{Eq}_{k\mathbf e_{j'}}\to N_j/N_{j'};\ "
                 r"\lambda^{Tr}_{\text{adjacent}}\gg\lambda^{Tr}_{\text{far}};\ \lambda^{Tr}_{\mathbf k}=0"
                 r"\text{ beyond one receptive field}",
       derive=tms.derive_locality)
def locality(cfg, kernel="cntk"):
    """Eq: centre/edge single-pixel ratio vs path counts; Tr: adjacent vs far pairs, zero beyond the field.

    Eq: zeta = 2, d = 3, q = 2, L = 3 (N = 1, 2, 1), ratio lambda_{k e_1} / lambda_{k e_0} at the
    largest k, tolerance 5 % of N_1/N_0 = 2.  Tr: zeta = 2, d = 6, q = 2, L = 3 on the torus by FFT,
    pairs (k, k) at distance 1, 2 (inside the 3-pixel field) and 3 (beyond): distance1/distance2 >= 4
    ("much larger"; the FC control gives exactly 1) and |lambda(distance 3)| / lambda_0 <= 1e-13.
    """
    quick = cfg.profile == "quick"
    Nj = tms.path_counts(2, 3)
    kmax = 32 if quick else 64
    crit, table = [], {}
    bars = []
    for kind in ("ntk", "gp"):
        lam = _spectrum(kernel, "eq", 2, 3, kind, 2, 3, 56 if quick else 96, kmax)
        ks = np.array([4, 8, 16, 32] + ([64] if not quick else []))
        ratio = np.array([lam[0, k, 0] / lam[k, 0, 0] for k in ks])
        crit.append(close(f"Eq {kind}: centre/edge ratio at k={ks[-1]} vs N_1/N_0", ratio[-1], Nj[1] / Nj[0], rtol=0.05))
        table[f"Eq {kind} centre/edge"] = {"k": ks.tolist(), "ratio": ratio.tolist(), "N_1/N_0": Nj[1] / Nj[0]}
        bars.append(Series(ks, ratio, f"{kind} centre/edge", "points"))
    Nt, k = (8, 3) if quick else (16, 6)
    d = 6
    fun = ((lambda D: multidot(head="tr", depth=3, filter_size=2, kind="ntk", delta=D)) if kernel == "cntk"
           else (lambda D: fc_multidot(1.0 - D, kind="ntk", depth=3)))
    lam, imag = torus_spectrum(fun, d, Nt)
    pairs = {dist: lam[(k,) + (0,) * (dist - 1) + (k,) + (0,) * (d - dist - 1)] for dist in (1, 2, 3)}
    crit.append(at_least(f"Tr: lambda(distance 1) / lambda(distance 2), k={k}", pairs[1] / pairs[2], 4.0))
    crit.append(at_most("Tr: |lambda(distance 3)| / lambda_0 (beyond the receptive field)",
                        abs(pairs[3]) / lam[(0,) * d], 1e-13))
    table["Tr pairs (k,k) by distance"] = {str(dd): v for dd, v in pairs.items()}
    fig1 = Figure("locality-eq", "Eq: centre/edge single-pixel eigenvalue ratio", "k", "ratio", bars +
                  [Series(ks, np.full(len(ks), Nj[1] / Nj[0]), "N_1/N_0 = 2", "dashed")], xscale="log",
                  caption="The centre pixel (2 paths) vs the edge pixel (1 path): the ratio tends to 2.")
    fig2 = Figure("locality-tr", "Tr: pair eigenvalue by pixel distance", "distance", r"$|\lambda|$",
                  [Series([1, 2, 3], [max(abs(pairs[i]), 1e-18) for i in (1, 2, 3)], "measured", "bar")],
                  yscale="log", caption="Adjacent pairs dominate; beyond the 3-pixel field the eigenvalue is 0.")
    return Evidence(crit, kind="float64", sizes={"Eq (d,q,L)": (3, 2, 3), "Tr (d,q,L)": (d, 2, 3), "torus N": Nt},
                    data=table, figures=[fig1, fig2], notes=f"kernel={kernel}; FFT imaginary part {imag:.2e}.")


locality.control("the FC-NTK on the same multisphere (no locality)", kernel="fc")


# ----------------------------------------------------------------------------- 6. empirical limit
@functools.lru_cache(maxsize=4)
def _empirical_ntks(seed, widths, seeds, n):
    """Empirical NTKs of GAP-head DeepCNNs (zeta=3, d=6, L=3, q=3) on n fixed inputs, per width and seed."""
    rng = np.random.default_rng([int(seed), 6])
    X = rng.standard_normal((n, 3, 6))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ntks = [[DeepCNN(3, 6, m, 3, 3, "gap", seed=int(seed) * 1000003 + 17 * m + s).ntk(X) for s in range(seeds)]
            for m in widths]
    return X, ntks


@claim(id="geifman2022.empirical-limit", cost=1, aliases=("cntk.empirical-limit",),
       source="Jacot et al. 2018 / Arora et al. 2019 (NTK limit); network of " + SRC + " docs/geifman2022.md §1.1; rate derived here",
       statement=r"\|\hat\Theta_m-\Theta\|_F/\|\Theta\|_F\propto m^{-1/2}",
       derive=tms.derive_empirical_limit)
def empirical_limit(cfg, head_ref=None):
    """Empirical NTK of the NumPy CNN (GAP head, L = 3, q = 3) converges to gram: fitted slope -0.5 +- 0.1.

    Median over seeds of the relative Frobenius error on n = 12 inputs (zeta = 3, d = 6); the median
    (robust to the heavy tail of squared errors) scales like the error's own m^(-1/2) law.  Least-squares
    slope of log error against log width.  ``head_ref`` compares with the gram of another head.
    """
    widths = tuple(cfg.pick(quick=[16, 32, 64, 128, 256], full=[32, 64, 128, 256, 512, 1024]))
    seeds = cfg.pick(quick=40, full=64)
    X, ntks = _empirical_ntks(cfg.seed, widths, seeds, 12)
    K = gram(X, head=head_ref or "gap", depth=3, filter_size=3, kind="ntk")
    errs = [float(np.median([np.linalg.norm(T - K) / np.linalg.norm(K) for T in row])) for row in ntks]
    slope = loglog_slope(widths, errs)
    fig = Figure("empirical-ntk", "empirical NTK vs analytic CNTK (GAP)", "width m", "median relative error",
                 [Series(widths, errs, "measured", "points"),
                  Series(widths, errs[0] * (np.array(widths) / widths[0]) ** -0.5, "$m^{-1/2}$", "dashed")],
                 xscale="log", yscale="log", caption="The error falls like m^-1/2.")
    return Evidence([close("fitted slope of log median error vs log width", slope, -0.5, atol=0.1)], kind="float64",
                    sizes={"widths": list(widths), "seeds": seeds, "n": 12, "zeta": 3, "d": 6, "L": 3, "q": 3},
                    data={"median relative error": errs}, figures=[fig],
                    notes=f"reference head {head_ref or 'gap'}; network head gap.")


empirical_limit.control("compared with the Eq head's gram (wrong head)", head_ref="eq")
