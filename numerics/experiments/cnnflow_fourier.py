"""Fourier-side numerics of two-layer CNN training: kernel spectra, frozen-kernel/NTK Grams,
per-frequency residuals and retrieval times, the quadrature rates ``lambda_xi`` (float64).

Conventions as in :mod:`theory.cnnflow_fourier`: ``np.fft.fft`` is the unnormalised DFT of docs/cnnflow.md §0
``v^(xi) = sum_l v_l e^{-2 pi i l xi / N}``.  Single-image regression ``x_0 -> y_0`` (docs/cnnflow.md §5 (b)):
``x_0[l] = rho cos(theta_l)``, ``theta_l = 2 pi l / N``; the map-head CNN's features
``Phi[l, k] = sigma(z_k[l])`` come from :class:`numerics.nets.cnn.CNN`; with kernels frozen and ``a(0) = 0``
the residual obeys ``r(t) = exp(-Phi Phi^T t) r(0)`` (loss ``1/2 ||Phi a - y_0||^2``), so every time
follows from one ``eigh`` (no ODE).  Lazy NTK: ``Theta = Phi Phi^T + (S S^T) o (Pt Pt^T + 1_bias)``,
``S[l, k] = a_k sigma'(z_k[l])``.

References: ``docs/cnnflow.md`` §5, §6, §8.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from scipy import stats
from scipy.optimize import brentq

import theory.cnnflow_fourier as tf
from numerics.nets.activations import get as get_activation
from numerics.nets.cnn import CNN
from theory.validate import check_int

__all__ = ["dft", "random_kernels", "kernel_power", "sup_deviation", "power_moments", "lln_curve",
           "tone", "multi_tone_target",
           "frozen_net", "features", "frozen_gram", "ntk_gram", "Spectral", "retrieval_times",
           "residual_spectrum", "relu_hp", "harmonics_fft", "expected_h2", "lambda_xi"]


# --------------------------------------------------------------------------- random kernels (§6)
def dft(v: np.ndarray) -> np.ndarray:
    """Unnormalised DFT along the last axis (docs/cnnflow.md §0), complex array, same shape."""
    return np.fft.fft(np.asarray(v, dtype=float), axis=-1)


def random_kernels(M: int, N: int, q: int, s: float, rng: np.random.Generator) -> np.ndarray:
    """``M`` kernels ``w ~ N(0, s^2 I_q)`` zero-padded to length ``N``: ndarray, shape (M, N)."""
    check_int("M", M, 1), check_int("N", N, 1)
    if not (isinstance(q, (int, np.integer)) and 1 <= q <= N):
        raise ValueError(f"`q` (kernel length) must be an int in [1, N={N}]; got {q!r}")
    W = np.zeros((M, N))
    W[:, :q] = s * rng.standard_normal((M, q))
    return W


def kernel_power(W: np.ndarray) -> np.ndarray:
    """``|w^(xi)|^2`` for every row of ``W`` (M, N): ndarray, shape (M, N)."""
    F = dft(W)
    return F.real**2 + F.imag**2


def sup_deviation(power: np.ndarray, q: int, s: float) -> float:
    """``sup_xi |S_m(xi)/(q s^2) - 1|`` with ``S_m`` the mean over the rows of ``power`` (m, N)."""
    return float(np.max(np.abs(power.mean(axis=0) / (q * s * s) - 1.0)))


def power_moments(M: int, N: int, q: int, seed: int, exp_at=(), chunk: int = 50000) -> dict:
    """Monte-Carlo moments and laws of ``X(xi) = |w^(xi)|^2`` over ``M`` kernels ``w ~ N(0, I_q)`` (docs/cnnflow.md §6).

    Drawn in chunks of ``chunk`` kernels from ``default_rng([seed, 901])``.  Returns dict: ``mean``,
    ``var`` (shape (N,)), their standard errors ``se_mean`` = sd/sqrt(M) and ``se_var`` =
    sqrt((mu_4 - var^2)/M), ``plancherel`` (max relative error of ``||w||^2 = sum|w^|^2/N``),
    ``ks_chi2`` (KS p-value of ``X(0)`` against ``q chi2_1``) and ``ks_exp`` {xi: KS p-value of
    ``X(xi)`` against ``Exp(q)``} for every xi in ``exp_at``.
    """
    check_int("M", M, 2)
    rng = np.random.default_rng([int(seed), 901])
    raw = np.zeros((4, N))
    planch, kept = 0.0, {int(x): [] for x in {0, *exp_at}}
    for start in range(0, M, chunk):
        W = random_kernels(min(chunk, M - start), N, q, 1.0, rng)
        X = kernel_power(W)
        e = (W**2).sum(1)
        planch = max(planch, float(np.max(np.abs(e - X.sum(1) / N) / e)))
        X2 = X * X
        raw += [X.sum(0), X2.sum(0), (X2 * X).sum(0), (X2 * X2).sum(0)]
        for x in kept:
            kept[x].append(X[:, x])
    m1, m2, m3, m4 = raw / M
    var = m2 - m1**2
    mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1**2 - 3 * m1**4
    ks = {x: float(stats.kstest(np.concatenate(v), stats.expon(scale=q).cdf, method="asymp").pvalue) for x, v in kept.items() if x in exp_at}
    return {"mean": m1, "var": var * M / (M - 1), "se_mean": np.sqrt(var / M),
            "se_var": np.sqrt(np.maximum(mu4 - var**2, 0) / M), "plancherel": planch,
            "ks_chi2": float(stats.kstest(np.concatenate(kept[0]), stats.chi2(1, scale=q).cdf, method="asymp").pvalue), "ks_exp": ks}


def lln_curve(ms: tuple, reps: int, N: int, q: int, seed: int, chunk: int = 16) -> np.ndarray:
    """``sup_xi |S_m(xi)/q - 1|`` for nested ``m`` in ``ms`` and ``reps`` independent repetitions.

    Each repetition draws ``max(ms)`` kernels ``w ~ N(0, I_q)`` and reads ``S_m`` off the running
    mean (docs/cnnflow.md §6 (vi)); ``xi`` over ``0..N/2`` (the rest by conjugate symmetry).
    Returns ndarray, shape (reps, len(ms)).
    """
    ms = np.asarray(ms, dtype=int)
    rng = np.random.default_rng([int(seed), 902])
    out = np.empty((reps, ms.size))
    for r0 in range(0, reps, chunk):
        R = min(chunk, reps - r0)
        w = rng.standard_normal((R, int(ms.max()), q))
        F = np.fft.rfft(w, n=N, axis=-1)
        S = np.cumsum(F.real**2 + F.imag**2, axis=1)[:, ms - 1, :] / ms[None, :, None]
        out[r0:r0 + R] = np.max(np.abs(S / q - 1.0), axis=-1)
    return out


# --------------------------------------------------------------------------- data (§5)
def tone(N: int, rho: float = 1.0) -> np.ndarray:
    """``x_0[l] = rho cos(2 pi l / N)``: ndarray, shape (N,)."""
    check_int("N", N, 4)
    return rho * np.cos(2 * np.pi * np.arange(N) / N)


def multi_tone_target(N: int, rng: np.random.Generator, amplitude: float = 1.0) -> np.ndarray:
    """``y_0[l] = amplitude * sum_{xi=1}^{N/2-1} cos(xi theta_l + phi_xi)``, random phases: shape (N,)."""
    th = 2 * np.pi * np.arange(N) / N
    xis = np.arange(1, N // 2)
    ph = rng.uniform(0, 2 * np.pi, size=xis.size)
    return amplitude * np.cos(np.outer(th, xis) + ph).sum(axis=1)


def frozen_net(N: int, q: int, m: int, activation: str, rng: np.random.Generator,
               b_std: float = 0.0, a_std: float = 0.0, output_scale: float = 1.0) -> CNN:
    """Map-head circular 1-D CNN with ``w ~ N(0, 1/q)``, ``b ~ N(0, b_std^2)`` (no bias if 0)."""
    bias = b_std > 0
    return CNN(dim=1, in_channels=1, channels=m, kernel_size=q, padding="circular", bias=bias,
               activation=activation, head="map", seed=rng, output_scale=output_scale,
               w_std=1 / math.sqrt(q), b_std=b_std if bias else None, a_std=a_std)


def features(net: CNN, x0: np.ndarray) -> np.ndarray:
    """``Phi[l, k] = sigma(z_k[l])`` of ``net`` at the single input ``x0`` (N,): shape (N, m)."""
    return net.features(x0[None, None, :])[0].T


def frozen_gram(net: CNN, x0: np.ndarray) -> np.ndarray:
    """``Phi Phi^T`` (N, N): the residual generator with frozen kernels (docs/cnnflow.md §4-§5)."""
    Phi = features(net, x0)
    return Phi @ Phi.T


def ntk_gram(net: CNN, x0: np.ndarray) -> np.ndarray:
    """Empirical NTK ``J J^T`` (N, N) of the map-head net at ``x0`` (all layers, output scale included)."""
    Z = net.preactivations(x0[None, None, :])[0].T            # (N, m)
    a = net.params["a"]
    Phi = net.act.value(Z)
    S = net.act.derivative(Z) * a
    Pt, _ = net.patches(x0[None, None, :])                   # (N, q)
    G = Pt @ Pt.T + (1.0 if net.bias else 0.0)
    return net.output_scale**2 * (Phi @ Phi.T + (S @ S.T) * G)


# --------------------------------------------------------------------------- residual dynamics
class Spectral:
    """``r(t) = exp(-K t) r0`` in Fourier, from one ``eigh`` of the symmetric PSD ``K`` (N, N).

    ``self.hat(t)`` gives ``r^(xi, t)`` for an array of times: complex, shape (T, N).
    Eigenvalues below ``floor = N eps lambda_max`` are treated as 0 (unresolved directions).
    """

    def __init__(self, K: np.ndarray, r0: np.ndarray):
        lam, V = np.linalg.eigh(K)
        self.floor = K.shape[0] * np.finfo(float).eps * max(lam[-1], 0.0)
        self.lam = np.where(lam > self.floor, lam, 0.0)
        self.c = V.T @ r0
        self.FV = dft(V.T).T                                   # (N, N): DFT of each eigenvector
        self.r0hat = dft(r0)

    def hat(self, times) -> np.ndarray:
        E = np.exp(-np.outer(np.asarray(times, float), self.lam)) * self.c      # (T, N)
        return E @ self.FV.T


def residual_spectrum(K: np.ndarray, r0: np.ndarray, times) -> np.ndarray:
    """``|r^(xi, t)| / |r^(xi, 0)|``: ndarray, shape (T, N)."""
    sp_ = Spectral(K, r0)
    return np.abs(sp_.hat(times)) / np.abs(sp_.r0hat)


def retrieval_times(K: np.ndarray, r0: np.ndarray, xis, level: float = math.exp(-1),
                    t_max_factor: float = 1e3, grid: int = 800) -> np.ndarray:
    """First ``t`` with ``|r^(xi, t)| <= level |r^(xi, 0)|`` for each ``xi`` (``inf`` if not reached).

    Log grid from ``1e-3 / lambda_max`` to ``t_max_factor / lambda_min^+``, then ``brentq`` on the
    bracketing interval.  Times beyond the float64 eigenvalue floor come out ``inf`` (unresolved).
    """
    xis = np.asarray(xis, dtype=int)
    s = Spectral(K, r0)
    pos = s.lam[s.lam > 0]
    ts = np.concatenate([[0.0], np.geomspace(1e-3 / pos.max(), t_max_factor / pos.min(), grid)])
    R = np.abs(s.hat(ts)[:, xis]) / np.abs(s.r0hat[xis])
    out = np.full(xis.size, np.inf)
    for i, xi in enumerate(xis):
        below = np.nonzero(R[:, i] <= level)[0]
        if below.size == 0 or not np.isfinite(R[0, i]):
            continue
        j = below[0]
        f = lambda t: abs(s.hat([t])[0, xi]) / abs(s.r0hat[xi]) - level   # noqa: E731
        out[i] = brentq(f, ts[j - 1], ts[j], xtol=1e-14 * ts[j], rtol=1e-12)
    return out


# --------------------------------------------------------------------------- rates (§5)
@functools.lru_cache(maxsize=None)
def _relu_hp_fn():
    d = tf.relu_harmonics()
    A, t0, p = sp.Symbol("A", positive=True), sp.Symbol("theta_0", positive=True), sp.Symbol("p", integer=True, positive=True)
    return (sp.lambdify((A, t0, p), d.results["h_p"], "numpy"), sp.lambdify((A, t0), d.results["h_1"], "numpy"))


def relu_hp(A: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """ReLU ``h_p(A, b)`` from the SymPy closed form of :func:`theory.cnnflow_fourier.relu_harmonics` (p >= 1)."""
    hp, h1 = _relu_hp_fn()
    A = np.asarray(A, float)
    t0 = np.arccos(np.clip(-np.asarray(b, float) / A, -1.0, 1.0))
    return h1(A, t0) if p == 1 else hp(A, t0, p)


def harmonics_fft(activation: str, A: np.ndarray, b: np.ndarray, pmax: int, L: int = 2048) -> np.ndarray:
    """``h_p(A, b) = (1/pi) int sigma(A cos th + b) cos(p th) dth`` for p = 0..pmax by the FFT
    (trapezoid rule on the periodic integrand; spectrally accurate for analytic sigma).

    A, b : arrays of one shape S.  Returns ndarray, shape S + (pmax + 1,).
    """
    sig = get_activation(activation).value
    th = 2 * np.pi * np.arange(L) / L
    A, b = np.broadcast_arrays(np.asarray(A, float), np.asarray(b, float))
    vals = sig(A[..., None] * np.cos(th) + b[..., None])
    return (2.0 / L) * np.fft.rfft(vals, axis=-1).real[..., :pmax + 1]


def expected_h2(activation: str, pmax: int, sigma_A: float = 1.0, s_b: float = 0.0,
                nA: int = 2000, nb: int = 32) -> np.ndarray:
    """``E h_p(A, b)^2`` for p = 0..pmax, ``A^2 ~ Exp(sigma_A^2)``, ``b ~ N(0, s_b^2)`` (float64).

    Quadrature: ``u = A^2/sigma_A^2`` on a trapezoid grid over [0, 60] (weight e^{-u}), Gauss-Hermite
    in ``b``.  ReLU uses the SymPy closed form, other activations :func:`harmonics_fft`.
    Cached: returns a read-only array, shape (pmax + 1,).
    """
    return _expected_h2(str(activation), int(pmax), float(sigma_A), float(s_b), int(nA), int(nb))


@functools.lru_cache(maxsize=64)
def _expected_h2(activation, pmax, sigma_A, s_b, nA, nb):
    u = np.linspace(0, 60, nA)[1:]
    wu = np.exp(-u) * (u[1] - u[0])
    A = sigma_A * np.sqrt(u)
    if s_b > 0:
        xb, wb = np.polynomial.hermite_e.hermegauss(nb)
        bb, wb = s_b * xb, wb / wb.sum()
    else:
        bb, wb = np.zeros(1), np.ones(1)
    AA, BB = np.meshgrid(A, bb, indexing="ij")
    W = np.outer(wu, wb)
    out = np.zeros(pmax + 1)
    if activation == "relu":
        for p in range(1, pmax + 1):
            out[p] = np.sum(W * relu_hp(AA, BB, p)**2)
    else:
        L = max(1024, 4 * (pmax + 1))
        for i in range(0, AA.shape[0], 100):                      # chunks: bounded memory
            H = harmonics_fft(activation, AA[i:i + 100], BB[i:i + 100], pmax, L)
            out += np.einsum("ij,ijp->p", W[i:i + 100], H**2)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=None)
def _prefactor():
    """``(N, m) -> N m / 4``: the prefactor of lambda_xi as derived by :func:`theory.cnnflow_fourier.mode_rate`."""
    N, m = sp.symbols("N m", positive=True, integer=True)
    return sp.lambdify((N, m), tf.mode_rate().results["lambda_prefactor"], "math")


def lambda_xi(N: int, m: int, xis, activation: str, sigma_A: float = 1.0, s_b: float = 0.0,
              aliases: int = 3) -> np.ndarray:
    """``lambda_xi = (N m / 4) sum_{p >= 1, p = +-xi mod N} E h_p^2`` (docs/cnnflow.md §5), p up to ``aliases*N``.

    The prefactor is the derived one (:func:`theory.cnnflow_fourier.mode_rate`).  Returns shape (len(xis),).
    """
    pmax = aliases * N
    Eh2 = expected_h2(activation, pmax, sigma_A, s_b)
    pref = _prefactor()(N, m)
    out = []
    for xi in np.atleast_1d(xis):
        ps = [p for p in range(1, pmax + 1) if (p - xi) % N == 0 or (p + xi) % N == 0]
        out.append(pref * Eh2[ps].sum())
    return np.array(out)
