"""Experiments of the Fourier claims (docs/cnnflow.md §5, experiment E5): frozen-kernel and lazy-NTK
retrieval times from one ``eigh``, and trained two-layer CNNs (:mod:`numerics.nets.cnn` +
:mod:`numerics.dynamics.flow`) for the band theorems and the frequency principle.

Every function takes a ``numpy.random.Generator`` and returns plain arrays / dicts (float64).
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from numerics.dynamics import flow
from numerics.experiments import cnnflow_fourier as F
from numerics.nets.cnn import CNN

__all__ = ["single_thread", "retrieval_run", "retrieval_runs", "band_run", "fprinciple_run", "fprinciple_runs",
           "band_limited_signals", "above_band_move", "b3_run", "b3_null_ratio"]


def single_thread():
    """Limit BLAS to one thread (small matrices on a shared 2-core box: threads only contend)."""
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(1)
    except ImportError:                       # threadpoolctl ships with scikit-learn; optional
        return contextlib.nullcontext()


def retrieval_run(rng, N, q, m, activation, s_b, xis, kind="frozen"):
    """Retrieval times ``t_xi`` of the single-image regression ``rho cos(theta_l) -> y_0`` (docs/cnnflow.md §5 E5).

    Parameters
    ----------
    rng : numpy.random.Generator
    N, q, m : int
        Signal length, kernel length, number of kernels.
    activation : str
    s_b : float
        Bias standard deviation (0: no bias).
    xis : array_like of int
        Frequencies.
    kind : {"frozen", "ntk"}
        ``Phi Phi^T`` (kernels frozen, a(0) = 0) or the lazy NTK at init (a ~ N(0, 1), scale m^-1/2).

    Returns
    -------
    ndarray, shape (len(xis),): times (``inf`` = not retrieved / below the float64 floor).
    """
    if kind not in ("frozen", "ntk"):
        raise ValueError(f"`kind` must be 'frozen' or 'ntk'; got {kind!r}")
    x0 = F.tone(N)
    y0 = F.multi_tone_target(N, rng)
    if kind == "frozen":
        net = F.frozen_net(N, q, m, activation, rng, b_std=s_b)
        K = F.frozen_gram(net, x0)
    else:
        net = F.frozen_net(N, q, m, activation, rng, b_std=s_b, a_std=1.0, output_scale=1 / math.sqrt(m))
        K = F.ntk_gram(net, x0)
    return F.retrieval_times(K, -y0, xis)


def retrieval_runs(seed: int, salt: int, runs: int, N: int, q: int, m: int, activation: str, s_b: float,
                   xis: tuple, kind: str = "frozen") -> np.ndarray:
    """:func:`retrieval_run` for ``runs`` independent nets, run ``s`` seeded by ``default_rng([seed, salt, s])``
    (the lazy NTK adds 1 to the salt list).  Returns ndarray, shape (runs, len(xis)) (one BLAS thread)."""
    extra = (1,) if kind == "ntk" else ()
    with single_thread():
        return np.array([retrieval_run(np.random.default_rng([int(seed), int(salt), s, *extra]), N, q, m,
                                       activation, s_b, np.asarray(xis), kind) for s in range(runs)])


# --------------------------------------------------------------------------- trained nets
def band_limited_signals(n, N, K, rng):
    """``n`` real signals of length ``N`` with DFT support ``|xi| <= K``: shape (n, 1, N)."""
    th = 2 * np.pi * np.arange(N) / N
    X = np.zeros((n, N))
    for xi in range(K + 1):
        c, s = rng.standard_normal((2, n, 1))
        X += c * np.cos(xi * th) + (s * np.sin(xi * th) if xi else 0)
    return X[:, None, :] / math.sqrt(2 * K + 1)          # unit mean power per pixel


def _make_net(activation, N, q, m, rng, bias=True):
    return CNN(1, 1, m, q, "circular", bias, activation, "map", seed=rng)


def band_run(rng, activation, N=32, K=3, n=6, q=5, m=16, steps=400, eta=0.01):
    """Train a map-head CNN by GD on band-``K`` inputs and full-band targets (docs/cnnflow.md §5, B1/B2).

    ``eta`` is quartered (at most 3 times) when GD diverges, since the polynomial activation has no
    global Lipschitz gradient.  Returns dict with ``r0``, ``rT`` (n, N) residuals at start/end,
    ``loss`` (start, end), ``steps`` and the ``eta`` used.
    """
    X = band_limited_signals(n, N, K, rng)
    Y = rng.standard_normal((n, N))
    net = _make_net(activation, N, q, m, rng)
    r0 = net.forward(X) - Y
    for _ in range(4):                       # GD must be stable (docs/cnnflow.md §3): quarter the step until it is
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                traj = flow.simulate(net, X, Y, times=[0.0, steps * eta], method="gd", step=eta)
            break
        except flow.DivergenceError:
            eta /= 4
    else:
        raise flow.DivergenceError(f"band_run: GD diverged for every step down to eta={eta:.3g}")
    net.set_flat(traj.final)
    rT = net.forward(X) - Y
    return {"r0": r0, "rT": rT, "loss": (float(traj.loss[0]), float(traj.loss[-1])), "steps": steps,
            "eta": eta}


def above_band_move(r0, rT, cut):
    """``||P_{>cut}(rT - r0)|| / ||P_{>cut} r0||`` with ``P_{>cut}`` the DFT projector on |xi| > cut."""
    N = r0.shape[-1]
    f = np.minimum(np.arange(N), N - np.arange(N))
    mask = f > cut
    d0, dT = F.dft(r0)[..., mask], F.dft(rT)[..., mask]
    return float(np.linalg.norm(dT - d0) / np.linalg.norm(d0))


def b3_run(rng, b_std=0.0, N=32, m=64, steps=300, eta=0.01):
    """B3: GD on a pure tone ``cos(theta_l) -> y_0`` with a ReLU CNN (q = N/2, bias ~ N(0, b_std^2), none
    if 0); returns ``|u^(xi)| / max_xi |u^(xi)|`` of the trained output for xi = 0..N/2: shape (N/2 + 1,)."""
    x0 = F.tone(N)
    y0 = F.multi_tone_target(N, rng)
    net = CNN(1, 1, m, N // 2, "circular", b_std > 0, "relu", "map", seed=rng, b_std=b_std if b_std > 0 else None)
    X, Y = x0[None, None, :], y0[None, :]
    traj = flow.simulate(net, X, Y, times=[0.0, steps * eta], method="gd", step=eta)
    net.set_flat(traj.final)
    uh = np.abs(F.dft(net.forward(X)[0]))
    return uh[:N // 2 + 1] / uh.max()


def b3_null_ratio(spectrum: np.ndarray, null: tuple) -> float:
    """``max_{xi in null} |u^(xi)| / max |u^|`` from the output of :func:`b3_run`."""
    return float(np.max(np.asarray(spectrum)[list(null)]))


def fprinciple_runs(seed: int, runs: int, m: int) -> list:
    """:func:`fprinciple_run` for ``runs`` nets seeded by ``default_rng([seed, 909, s])`` (one BLAS thread)."""
    with single_thread():
        return [fprinciple_run(np.random.default_rng([int(seed), 909, s]), m=m) for s in range(runs)]


def fprinciple_run(rng, N=32, m=2000, activation="relu", s_b=0.5, amplitude=0.05, horizon=3.0,
                   xi_max=8, records=240):
    """Both layers trained by GD on ``rho cos(theta_l) -> y_0`` (antisymmetric init, u_0 = 0).

    Returns dict: ``times`` (T,), ``rhat`` (T, N) = |r^(xi, t)| / |r^(xi, 0)|, ``t_xi`` measured
    retrieval times for xi = 1..xi_max (``inf`` if not reached), ``lam`` NTK Fourier-diagonal rates
    (xi = 1..xi_max), ``eta``.
    """
    half = m // 2
    q = N // 2
    x0 = F.tone(N)
    y0 = F.multi_tone_target(N, rng, amplitude)
    net = CNN(1, 1, 2 * half, q, "circular", s_b > 0, activation, "map", seed=rng,
              output_scale=1 / math.sqrt(2 * half), w_std=1 / math.sqrt(q), b_std=s_b if s_b > 0 else None,
              a_std=1.0)
    p = net.params
    p["w"][half:] = p["w"][:half]
    p["a"][half:] = -p["a"][:half]
    if s_b > 0:
        p["b"][half:] = p["b"][:half]
    Theta = F.ntk_gram(net, x0)
    lam_max = np.linalg.eigvalsh(Theta)[-1]
    fxi = np.exp(2j * np.pi * np.outer(np.arange(N), np.arange(1, xi_max + 1)) / N)
    lam = np.real(np.einsum("lx,lk,kx->x", fxi.conj(), Theta, fxi)) / N
    eta = 0.5 / lam_max
    T = horizon / lam[-1]
    nsteps = int(math.ceil(T / eta))
    every = max(1, nsteps // records)
    times = eta * every * np.arange(0, nsteps // every + 1)
    X, Y = x0[None, None, :], y0[None, :]
    traj = flow.simulate(net, X, Y, times=times, method="gd", step=eta, record_params=True)
    R = np.empty((times.size, N))
    for i, th in enumerate(traj.theta):
        net.set_flat(th)
        R[i] = np.abs(F.dft(net.forward(X)[0] - y0))
    R = R / R[0]
    t_xi = np.full(xi_max, np.inf)
    for k in range(1, xi_max + 1):
        below = np.nonzero(R[:, k] <= math.exp(-1))[0]
        if below.size:
            j = below[0]
            l0, l1 = np.log(R[j - 1, k]), np.log(R[j, k])      # interpolate log|r^| linearly
            t_xi[k - 1] = times[j - 1] + (times[j] - times[j - 1]) * (l0 + 1) / (l0 - l1)
    return {"times": times, "rhat": R, "t_xi": t_xi, "lam": lam, "eta": eta, "steps": nsteps}
