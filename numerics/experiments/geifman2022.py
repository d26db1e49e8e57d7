"""Measurements behind the Geifman et al. 2022 claims (CNTK / CGPK on the multisphere), float64.

Notes: ``docs/geifman2022.md``.  Kernels from :mod:`numerics.kernels.cntk`, spectra from
:mod:`numerics.kernels.multisphere`, fits from :mod:`numerics.verify.fits`.  The spectra are
deterministic (no seed), so they are cached for the process; anything random takes a seed.

- :func:`kernel_fun`: the Eq/Tr CNTK/CGPK or the FC control as a callable of ``delta = 1 - t``;
- :func:`torus_residuals`, :func:`sphere_ratio_spread`: how far test functions are from being
  eigenfunctions (docs/geifman2022.md §3.1);
- :func:`series_error`: power-series eigenvalues against FFT / quadrature (§3.2);
- :func:`single_pixel_eigenvalues`, :func:`diagonal_eigenvalues`, :func:`asymptotic_slope`: decay
  exponents read off local log-log slopes extrapolated in ``1/k`` (§3.4);
- :func:`tr_pair_eigenvalues`: Tr eigenvalues of pairs of pixels by distance (§3.5);
- :func:`empirical_ntk_study`: empirical NTK of the deep CNN against the analytic CNTK (§1.1).
"""
from __future__ import annotations

import functools
import itertools

import numpy as np
from scipy.special import eval_legendre

import theory.geifman2022 as tg
from numerics.kernels.cntk import fc_multidot, gram, multidot
from numerics.kernels.multisphere import (diagonal_spectrum, marginal_spectrum, quadrature_rule,
                                          quadrature_spectrum, torus_spectrum)
from numerics.nets.deep_cnn import DeepCNN
from numerics.verify.fits import local_slope, loglog_slope, richardson
from theory.validate import check_choice, check_int, check_real

__all__ = ["kernel_fun", "torus_residuals", "sphere_ratio_spread", "series_error",
           "single_pixel_eigenvalues", "diagonal_eigenvalues", "extrapolate", "asymptotic_slope",
           "singular_strength", "tr_pair_eigenvalues", "empirical_ntks", "empirical_ntk_study"]


def kernel_fun(kernel: str, head: str, q: int, L: int, kind: str):
    """Kernel as a callable of ``delta = 1 - t`` (..., d): the CNTK/CGPK (``"cntk"``) or the FC control."""
    check_choice("kernel", kernel, ("cntk", "fc"))
    if kernel == "fc":
        return lambda D: fc_multidot(1.0 - D, kind=kind, depth=L)
    return lambda D: multidot(head=head, depth=L, filter_size=q, kind=kind, delta=D)


# ----------------------------------------------------------------------------- eigenfunctions
def _rayleigh_residual(G: np.ndarray, f: np.ndarray) -> float:
    """``||G f - r f|| / (|r| ||f||)``, ``r`` the Rayleigh quotient: 0 for an eigenfunction, about
    ``eps |1 - lambda'/lambda|`` for one with a second eigenfunction mixed in at amplitude ``eps``."""
    Gf = G @ f
    r = f @ Gf / (f @ f)
    return float(np.linalg.norm(Gf - r * f) / (abs(r) * np.linalg.norm(f)))


def _torus_functions(grid: np.ndarray, kvec: np.ndarray, head: str, candidate: str, mix: float):
    """One test function on the torus grid (N^d, d) for the degrees ``kvec``.

    ``product``: ``cos(k.theta)`` (Eq/Tr) or the shift-orbit sum (GAP); ``mix`` adds the neighbouring
    harmonic ``k + e_0`` (its orbit sum for GAP) at amplitude ``mix``.  ``mixed``: the strawman of
    docs/geifman2022.md §5 (mixed degrees; a single non-invariant product for GAP).
    """
    d = grid.shape[1]
    if candidate == "mixed":
        if head == "gap":
            return np.cos(grid @ kvec)
        return np.cos(grid[:, 0]) + np.cos(2 * grid[:, 0]) * np.cos(grid[:, 1] + kvec[-1] * grid[:, -1])

    def harmonic(k):
        if head == "gap":
            return sum(np.cos(grid @ np.roll(k, s)) for s in range(d))
        return np.cos(grid @ k)
    return harmonic(kvec) + mix * harmonic(kvec + np.eye(d, dtype=int)[0])


@functools.lru_cache(maxsize=16)
def torus_residuals(N: int, d: int, kmax: int, candidate: str = "product", mix: float = 0.0) -> dict:
    """Max Rayleigh residual (:func:`_rayleigh_residual`) over ``k`` in ``[0, kmax]^d`` per head.

    Torus ``zeta = 2``, ``q = 3``, ``L = 2`` CNTK: the Gram matrix of :func:`numerics.kernels.cntk.gram`
    on the grid ``(2 pi j / N)^d`` (docs/geifman2022.md §3.1, §4).

    Returns
    -------
    dict
        ``{"eq": float, "tr": float, "gap": float}``.
    """
    ang = 2 * np.pi * np.arange(N) / N
    grid = np.stack(np.meshgrid(*([ang] * d), indexing="ij"), axis=-1).reshape(-1, d)      # (N^d, d)
    X = np.stack([np.cos(grid), np.sin(grid)], axis=1)                                        # (N^d, 2, d)
    out = {}
    for head in ("eq", "tr", "gap"):
        G = gram(X, head=head, depth=2, filter_size=3, kind="ntk")
        out[head] = max(_rayleigh_residual(G, _torus_functions(grid, np.array(k), head, candidate, mix))
                        for k in itertools.product(range(kmax + 1), repeat=d))
    return out


def _pole_averages(z: np.ndarray, axis: np.ndarray, theta: np.ndarray, rng, kmax: int = 5):
    """``mean over n_phi azimuths of P_k(<x, axis>)`` on the circle of polar angle ``theta`` about
    ``z`` (S^2), shape (kmax+1, n_theta); exact for the azimuthal trigonometric polynomials."""
    phi = 2 * np.pi * np.arange(8) / 8
    e1 = np.cross(z, rng.standard_normal(3))
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(z, e1)
    x = (np.cos(theta)[:, None, None] * z + np.sin(theta)[:, None, None]
         * (np.cos(phi)[None, :, None] * e1 + np.sin(phi)[None, :, None] * e2))                # (n, 8, 3)
    c = x @ axis
    return np.stack([eval_legendre(k, c).mean(axis=1) for k in range(kmax + 1)])


def sphere_ratio_spread(candidate: str, n_theta: int, seed: int, mix: float = 0.0) -> tuple[float, list]:
    """``zeta = 3, d = 2, q = 2, L = 2`` Eq CNTK: max over test functions of the relative spread of
    ``(T f)(z) / f(z)`` over 6 random ``z`` (0 for an eigenfunction).

    ``T f(z) = E_x[K(x, z) f(x)]`` by a pole-aligned rule per pixel (Gauss in the polar angle about
    ``z_i``).  ``f = prod_i P_{k_i}(<x_i, a_i>)`` with random axes ``a_i``, degrees (1,0), (2,1),
    (3,2), (0,3); ``mix`` adds the neighbouring harmonic ``(k_1 + 1, k_2)`` at amplitude ``mix``;
    ``candidate="mixed"`` is the strawman ``Y_1(x_1) + Y_2(x_1) Y_1(x_2)``.

    Returns
    -------
    (spread, ratios) : float, list of lists (per function, the 6 ratios)
    """
    rng = np.random.default_rng([int(seed), 1])
    theta, w = quadrature_rule(3, n_theta)
    D = np.stack(np.meshgrid(*([2 * np.sin(theta / 2) ** 2] * 2), indexing="ij"), axis=-1)
    Kq = multidot(head="eq", depth=2, filter_size=2, kind="ntk", delta=D)                      # (n, n)
    if candidate == "mixed":
        terms = [[(1, 0, 1.0), (2, 1, 1.0)]]
    else:
        terms = [[(k1, k2, 1.0), (k1 + 1, k2, mix)] for k1, k2 in ((1, 0), (2, 1), (3, 2), (0, 3))]
    axes = rng.standard_normal((2, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    zs = rng.standard_normal((6, 2, 3))
    zs /= np.linalg.norm(zs, axis=2, keepdims=True)
    ybar = [[_pole_averages(z[i], axes[i], theta, rng) for i in range(2)] for z in zs]
    spreads, ratios = [], []
    for fn in terms:
        r = np.array([sum(c * (w * yb[0][k1]) @ Kq @ (w * yb[1][k2]) for k1, k2, c in fn)
                      / sum(c * eval_legendre(k1, z[0] @ axes[0]) * eval_legendre(k2, z[1] @ axes[1])
                            for k1, k2, c in fn) for z, yb in zip(zs, ybar)])
        spreads.append(float((r.max() - r.min()) / np.abs(r).mean()))
        ratios.append(r.tolist())
    return max(spreads), ratios


# ----------------------------------------------------------------------------- eigen-series
@functools.lru_cache(maxsize=8)
def _poly_kernel(P: int):
    b, syms = tg.polynomial_eq_kernel(2, 2, "ntk", P)
    return b, len(syms)


def series_error(P: int, zeta: int, kmax: int, mu: str = "closed", coef_factor: float = 1.0,
                 mu_factor: float = 1.0) -> tuple[float, np.ndarray, np.ndarray]:
    """``max |lambda_series - lambda_numeric| / max |lambda|`` over ``k`` in ``[0, kmax]^2``.

    Kernel: the Eq CNTK (q = 2, L = 2) with kappa0, kappa1 replaced by their exact degree-``P``
    Taylor polynomials (exact coefficients ``b_n``; docs/geifman2022.md §3.2).  The series uses
    ``mu`` (``"closed"`` or the strawman ``"wrong"``), ``b_(1,0)`` times ``coef_factor`` and
    ``mu_zeta(n, n)`` times ``mu_factor``; numeric: FFT on ``2 deg + 2`` points (zeta = 2, no
    aliasing) or Gauss quadrature with ``deg + 40`` nodes.

    Returns
    -------
    (err, series, numeric) : float, ndarray (kmax+1, kmax+1), ndarray (kmax+1, kmax+1)
    """
    b, d = _poly_kernel(P)
    base = {"closed": tg.mu_closed, "wrong": tg.mu_wrong}[check_choice("mu", mu, ("closed", "wrong"))]
    mu_num = functools.lru_cache(maxsize=None)(
        lambda n, k: float(base(n, k, zeta)) * (mu_factor if n == k else 1.0))
    bf = {n: float(c) * (coef_factor if n == (1, 0) else 1.0) for n, c in b.items()}
    ser = np.zeros((kmax + 1, kmax + 1))
    for (n1, n2), c in bf.items():
        for k1 in range(n1 % 2, min(n1, kmax) + 1, 2):
            for k2 in range(n2 % 2, min(n2, kmax) + 1, 2):
                ser[k1, k2] += c * mu_num(n1, k1) * mu_num(n2, k2)
    bexact = {n: float(c) for n, c in b.items()}

    def kfun(D):
        T = 1.0 - D
        return sum(c * T[..., 0] ** n[0] * T[..., 1] ** n[1] for n, c in bexact.items())
    deg = max(sum(n) for n in b)
    if zeta == 2:
        num = torus_spectrum(kfun, d, 2 * deg + 2)[0][:kmax + 1, :kmax + 1]
    else:
        num = quadrature_spectrum(kfun, zeta, d, deg + 40, kmax)
    return float(np.max(np.abs(ser - num)) / np.max(np.abs(num))), ser, num


# ----------------------------------------------------------------------------- decay
@functools.lru_cache(maxsize=128)
def single_pixel_eigenvalues(kernel: str, zeta: int, d: int, q: int, L: int, kind: str, pixel: int,
                             ks: tuple, n_pixel: int = 400, n_rest: int = 32) -> np.ndarray:
    """``lambda_{k e_pixel}`` of the Eq kernel for ``k`` in ``ks`` (:func:`marginal_spectrum`), shape (len(ks),)."""
    return marginal_spectrum(kernel_fun(kernel, "eq", q, L, kind), zeta, d, pixel, list(ks), n_pixel, n_rest)


@functools.lru_cache(maxsize=64)
def diagonal_eigenvalues(zeta: int, d: int, q: int, L: int, kind: str, directions: tuple, ks: tuple,
                         n: int) -> np.ndarray:
    """``lambda_{k c}`` of the Eq CNTK/CGPK for each direction ``c`` (:func:`diagonal_spectrum`),
    shape (len(directions), len(ks))."""
    return diagonal_spectrum(kernel_fun("cntk", "eq", q, L, kind), zeta, d, list(directions), list(ks), n)


def extrapolate(ks, seq) -> dict:
    """Limit of a sequence measured at doubling ``ks``, extrapolated in ``1/k`` (docs/geifman2022.md §3.4).

    :func:`numerics.verify.fits.richardson` (order 1) of each pair of consecutive entries gives an
    estimate; the last is the value, and its change from the previous one is the spread (the
    extrapolation moved by that much when the range was halved).

    Returns
    -------
    dict
        ``{"raw": [...], "extrapolated": [...], "value": float, "spread": float}``.
    """
    ks, seq = np.asarray(ks, float), np.asarray(seq, float)
    if ks.size < 3 or seq.size != ks.size:
        raise ValueError(f"`ks` and `seq` need the same length >= 3; got {ks.size} and {seq.size}")
    ext = [richardson([1 / ks[i + 1], 1 / ks[i]], [seq[i + 1], seq[i]], order=1)[0] for i in range(ks.size - 1)]
    return {"raw": seq.tolist(), "extrapolated": ext, "value": ext[-1], "spread": abs(ext[-1] - ext[-2])}


def asymptotic_slope(ks, vals) -> dict:
    """Decay exponent: local log-log slopes between doubling ``ks`` (``fits.local_slope``), extrapolated
    by :func:`extrapolate` (they converge like ``1/k``); ``slope`` and ``spread`` are its value and spread."""
    ks, vals = np.asarray(ks, float), np.asarray(vals, float)
    if ks.size < 4:
        raise ValueError(f"`ks` needs at least 4 doubling degrees; got {ks.tolist()}")
    with np.errstate(invalid="ignore"):            # a sign change (the FC control) gives NaN: rejected
        local = [local_slope(ks[i:i + 2], vals[i:i + 2]) for i in range(ks.size - 1)]
    e = extrapolate(ks[1:], local)
    return {"local": local, "extrapolated": e["extrapolated"], "slope": e["value"], "spread": e["spread"]}


@functools.lru_cache(maxsize=16)
def singular_strength(kind: str, zeta: int, d: int, q: int, L: int, pixel: int, n_rest: int = 200) -> float:
    """``C_+ + C_-`` of pixel ``pixel`` (up to a factor common to all pixels), docs/geifman2022.md §3.5.

    The marginal ``Kbar(theta) = E_{others} K`` (Gauss, ``n_rest`` nodes per other pixel) behaves
    like ``C_+ (1-t)^s + C_- (1+t)^s`` plus smoother terms at ``t = +-1``; in the angle these are the
    odd powers ``theta^(2s)`` and ``(pi - theta)^(2s)``.  A degree ``2s + 3`` polynomial through
    ``2s + 4`` points ``theta = j h`` (and ``pi - j h``; ``h = 10^-3`` NTK, ``10^-2`` GP) gives their coefficients; the even-``k``
    eigenvalues ``lambda_{k e_j}`` are ``(C_+ + C_-)`` times a factor of ``k`` alone (rule 1), so
    their ratio between pixels tends to the ratio of these numbers.  Valid for ``zeta >= 3`` (for
    ``zeta = 2`` the marginal also has ``theta^2 log theta`` terms).
    """
    order = int(2 * tg.singularity_exponent(0 if kind == "ntk" else 1))
    fun = kernel_fun("cntk", "eq", q, L, kind)
    tho, wo = quadrature_rule(zeta, n_rest)
    do = 2.0 * np.sin(tho / 2) ** 2
    rest = np.stack(np.meshgrid(*([do] * (d - 1)), indexing="ij"), axis=-1).reshape(-1, d - 1)
    wr = np.prod(np.meshgrid(*([wo] * (d - 1)), indexing="ij"), axis=0).ravel()
    j = np.arange(order + 4)
    h = 1e-3 if order == 1 else 1e-2
    coef = []
    for th in (j * h, np.pi - j * h):
        D = np.empty((th.size, rest.shape[0], d))
        D[..., pixel] = (2.0 * np.sin(th / 2) ** 2)[:, None]
        D[..., [i for i in range(d) if i != pixel]] = rest[None]
        c = np.polyfit(th - th[0], fun(D) @ wr, order + 3)
        coef.append(c[-(order + 1)])
    return float(coef[0] - coef[1])


def tr_pair_eigenvalues(kernel: str, d: int, N: int, k: int) -> tuple[dict, float, float]:
    """Tr (q = 2, L = 3) NTK eigenvalues of the pairs ``(k, k)`` at pixel distance 1..d//2 on the torus.

    Returns
    -------
    (pairs, lambda_0, imag) : dict distance -> float, float, float (FFT imaginary part)
    """
    check_int("k", k, 1, N // 2)
    fun = kernel_fun(kernel, "tr", 2, 3, "ntk") if kernel == "fc" else (
        lambda D: multidot(head="tr", depth=3, filter_size=2, kind="ntk", delta=D))
    lam, imag = torus_spectrum(fun, d, N)
    pairs = {dist: float(lam[(k,) + (0,) * (dist - 1) + (k,) + (0,) * (d - dist - 1)])
             for dist in range(1, d // 2 + 1)}
    return pairs, float(lam[(0,) * d]), imag


# ----------------------------------------------------------------------------- empirical limit
def _bootstrap_slope_sd(widths, errs, rng, draws: int = 200) -> float:
    """SD of the least-squares log-log slope of the median errors over bootstrap resamples of the nets."""
    slopes = []
    for _ in range(draws):
        med = [np.median(e[rng.integers(0, e.size, e.size)]) for e in errs]
        slopes.append(loglog_slope(widths, med))
    return float(np.std(slopes, ddof=1))


@functools.lru_cache(maxsize=4)
def empirical_ntks(seed: int, widths: tuple, nets: tuple, n: int = 12):
    """Analytic CNTK and empirical NTKs of GAP-head DeepCNNs (zeta = 3, d = 6, L = 3, q = 3).

    ``nets[i]`` networks of width ``widths[i]`` on ``n`` random inputs, all seeded by ``seed``.

    Returns
    -------
    (X, ntks) : ndarray (n, 3, 6), list of ndarray (nets[i], n, n)
    """
    rng = np.random.default_rng([int(seed), 6])
    X = rng.standard_normal((n, 3, 6))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ntks = [np.stack([DeepCNN(3, 6, m, 3, 3, "gap", seed=int(seed) * 1000003 + 17 * m + s).ntk(X)
                      for s in range(S)]) for m, S in zip(widths, nets)]
    return X, ntks


def empirical_ntk_study(seed: int, widths: tuple, nets: tuple, n: int = 12, scale: float = 1.0,
                        head_ref: str = "gap") -> dict:
    """The empirical NTKs of :func:`empirical_ntks` against ``scale`` times the analytic CNTK
    (:func:`numerics.kernels.cntk.gram`) of the head ``head_ref`` (the networks have the GAP head).

    Returns
    -------
    dict
        ``median_error`` per width (relative Frobenius error, median over nets), ``slope`` (its
        log-log least-squares slope) and ``slope_sd`` (bootstrap over nets), ``level`` and
        ``level_se`` at the largest width: the mean over nets of ``<Theta_hat, Theta>/||Theta||^2``
        and its Monte-Carlo standard error.
    """
    check_real("scale", scale, 0.0, lo_open=True)
    X, ntks = empirical_ntks(seed, widths, nets, n)
    K = scale * gram(X, head=check_choice("head_ref", head_ref, ("eq", "tr", "gap")), depth=3, filter_size=3,
                     kind="ntk")
    nK2 = float(np.sum(K * K))
    errs = [np.sqrt(np.sum((T - K) ** 2, axis=(1, 2)) / nK2) for T in ntks]
    proj = np.sum(ntks[-1] * K, axis=(1, 2)) / nK2
    med = [float(np.median(e)) for e in errs]
    return {"median_error": med, "slope": loglog_slope(widths, med),
            "slope_sd": _bootstrap_slope_sd(widths, errs, np.random.default_rng([int(seed), 7])),
            "level": float(proj.mean()), "level_se": float(proj.std(ddof=1) / np.sqrt(proj.size))}
