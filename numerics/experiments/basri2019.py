"""Spectral-bias experiment of Basri et al. 2019: learning time of single harmonics by a wide net.

Protocol (``docs/basri2019.md`` §5, B19's shallow-net code):

- ``n`` i.i.d. uniform points on ``S^{d-1}`` (:func:`numerics.data.sphere.uniform`); target the zonal
  harmonic ``P_k(d; <x, e_d>)`` (circle: ``cos kθ``) scaled to Euclidean norm ``norm`` on the
  sample (B19: ``||y||_2 = 1``; a small target keeps a finite net near the linearised regime).
- Two-layer ReLU net ``f(x) = m^{-1/2} sum_r a_r relu(w_r . x)``: the fully connected case of
  :class:`numerics.nets.cnn.CNN` (``padding="valid"``, ``kernel_size = d``, ``head="map"``,
  ``output_scale = 1/sqrt(m)``).  ``w_r(0) ~ N(0, I)``; ``a_r = ±1`` fixed (its gradient is
  ignored); neurons come in pairs ``(w, +1), (w, -1)`` so ``f_0 ≡ 0``.  Kernel: ``basri``.
- ``kernel="basri-bias"`` (B19's bias): input ``x̄ = (x, 1)/sqrt 2``, ``w̄ = (w, b)`` with
  ``b(0) = 0`` trained together with ``w``; implemented as the bias-free net on ``x̄`` with the last
  weight column set to 0 at initialisation.
- Full-batch gradient descent on ``L = 1/(2n) sum_i r_i^2`` with step ``eta``; the residual
  ``||r_s|| / ||r_0||`` is recorded at every step (``||r|| = sqrt(2 n L)``, no extra pass); the
  learning time is the time ``eta s`` at which it first falls below ``epsilon``, interpolated
  log-linearly between the two steps around the crossing.
- Prediction (linearised, :mod:`theory.basri2019_training`): ``eta ln(epsilon)/ln(1 - eta lambda_k)``
  (-> ``ln(1/epsilon)/lambda_k``) with the exact Funk-Hecke ``lambda_k`` of the net's kernel.

The run functions are top-level and take only JSON parameters, for :func:`numerics.verify.sweep.run_sweep`.
"""
from __future__ import annotations

import contextlib
import math
from typing import Sequence

import numpy as np

from numerics.data import sphere
from numerics.nets.cnn import CNN

__all__ = ["NET_KERNELS", "make_net", "inputs", "target", "train", "learning_run",
           "predicted_time", "crossing_time", "run_cost", "run_many", "learning_times", "empirical_ntks",
           "grid_grams", "infinite_width_residual", "fourier_t_statistic"]

NET_KERNELS = ("basri", "basri-bias")


def _check_kernel(kernel: str) -> str:
    if kernel not in NET_KERNELS:
        raise ValueError(f"`kernel` must be one of {list(NET_KERNELS)}; got {kernel!r}")
    return kernel


def inputs(X: np.ndarray, kernel: str) -> np.ndarray:
    """Network input of shape (n, 1, d) (``basri``) or (n, 1, d + 1) (``basri-bias``: ``(x, 1)/sqrt 2``)."""
    _check_kernel(kernel)
    X = np.asarray(X, dtype=np.float64)
    if kernel == "basri-bias":
        X = np.concatenate([X, np.ones((X.shape[0], 1))], axis=1) / math.sqrt(2.0)
    return X[:, None, :]


def make_net(d: int, m: int, kernel: str, rng: np.random.Generator) -> CNN:
    """Paired two-layer ReLU net of width ``m`` (even) on ``S^{d-1}``, ``f_0 ≡ 0``.

    Parameters
    ----------
    d : int >= 2
        Ambient dimension of the data.
    m : int, even, >= 2
        Number of neurons (``m/2`` independent directions, each with ``a = +1`` and ``a = -1``).
    kernel : {"basri", "basri-bias"}
    rng : numpy.random.Generator

    Returns
    -------
    CNN
        ``params["w"]`` shape (m, 1, d) or (m, 1, d + 1) (last column 0), ``params["a"]`` (m,) ``±1``,
        ``output_scale = 1/sqrt(m)``.
    """
    _check_kernel(kernel)
    if not (isinstance(m, (int, np.integer)) and m >= 2 and m % 2 == 0):
        raise ValueError(f"`m` (width) must be an even int >= 2 (neurons are paired); got {m!r}")
    q = d + (kernel == "basri-bias")
    net = CNN(dim=1, in_channels=1, channels=int(m), kernel_size=q, padding="valid", bias=False,
              activation="relu", head="map", seed=rng, output_scale=1.0 / math.sqrt(m))
    h = m // 2
    W = np.zeros((h, 1, q))
    W[:, 0, :d] = rng.standard_normal((h, d))
    net.params["w"] = np.concatenate([W, W], axis=0)
    net.params["a"] = np.concatenate([np.ones(h), -np.ones(h)])
    return net


def target(X: np.ndarray, k: int, kind: str = "zonal", mix: float = 0.2) -> np.ndarray:
    """Unit-norm target on the sample: ``"zonal"`` ``P_k(d; <x, e_d>)``, ``"abs"`` ``|<x, e_d>|`` or
    ``"mixed"`` ``P_k + mix P_{k+2}`` (a neighbouring frequency mixed in); shape (n,)."""
    if kind == "zonal":
        y = sphere.zonal_harmonic(X, k)
    elif kind == "abs":
        y = sphere.abs_cosine(X)
    elif kind == "mixed":
        y = sphere.zonal_harmonic(X, k) + mix * sphere.zonal_harmonic(X, k + 2)
    else:
        raise ValueError(f"`kind` (target) must be 'zonal', 'abs' or 'mixed'; got {kind!r}")
    return sphere.normalise(y, "unit-norm")


def train(net: CNN, Xin: np.ndarray, y: np.ndarray, eta: float, steps: int,
          eps: float | None = None, trained: Sequence[str] = ("w",)) -> np.ndarray:
    """Full-batch gradient descent; returns the relative residual ``||r_s||/||r_0||``, s = 0..S.

    Stops after ``steps`` steps, or at the first ``s`` with residual ``< eps`` (if given).  Only the
    groups in ``trained`` are updated (``a`` is held fixed by ignoring its gradient).

    Raises
    ------
    FloatingPointError
        If the residual becomes non-finite or exceeds 1e3 times its start (step and time named).
    """
    batch = net.prepare(Xin, y[:, None])
    n = Xin.shape[0]
    r0 = None
    rel = np.empty(steps + 1)
    for s in range(steps + 1):
        loss, grads = batch.loss_and_grad()
        r = math.sqrt(2.0 * n * loss)
        if r0 is None:
            r0 = r if r > 0 else 1.0
        rel[s] = r / r0
        if not math.isfinite(rel[s]) or rel[s] > 1e3:
            raise FloatingPointError(f"gradient descent diverged at step {s} (time {s * eta:g}, "
                                     f"eta={eta:g}): residual {rel[s]:.3g}; lower `eta`")
        if (eps is not None and rel[s] < eps) or s == steps:
            return rel[: s + 1].copy()
        for key in trained:
            net.params[key] -= eta * grads[key]
    return rel


def run_cost(params: dict) -> float:
    """Estimated cost of :func:`learning_run` (``steps x n x m``), for longest-first dispatch."""
    return float(params["steps"]) * float(params["n"]) * float(params["m"])


def crossing_time(rel: np.ndarray, eps: float, eta: float) -> float:
    """Time at which ``rel`` first falls below ``eps``, log-linear between steps (NaN if never)."""
    rel = np.asarray(rel, dtype=float)
    below = np.nonzero(rel < eps)[0]
    if below.size == 0:
        return float("nan")
    s = int(below[0])
    if s == 0:
        return 0.0
    a, b = rel[s - 1], rel[s]
    frac = math.log(a / eps) / math.log(a / b) if b > 0 else 0.0
    return float(eta * (s - 1 + frac))


def learning_run(d: int, k: int, n: int, m: int, eta: float, eps: float, steps: int,
                 kernel: str = "basri", seed: Sequence[int] = (0,), stop: bool = True,
                 kind: str = "zonal", keep: int = 200, norm: float = 1.0) -> dict:
    """One run: train on a degree-``k`` harmonic; learning time and residual curve.

    Parameters
    ----------
    d, k, n, m : int
        Ambient dimension, degree, number of points, width (even).
    eta, eps : float
        GD step on the ``1/(2n)`` loss; residual threshold (relative).
    steps : int
        Cap on the number of steps (the run stops earlier at the crossing when ``stop``).
    kernel : {"basri", "basri-bias"}
    seed : sequence of int
        Seeds ``numpy.random.default_rng(seed)``: points, then net.
    stop : bool
        Stop at the first crossing of ``eps`` (learning time) or run all ``steps`` (stall test).
    kind : {"zonal", "abs"}
    keep : int
        At most this many points of the residual curve are returned (log-spaced steps).
    norm : float > 0
        Euclidean norm of the target on the sample (B19: 1).  The linearised dynamics do not depend
        on it; a smaller target moves the weights less, i.e. keeps a finite net closer to the
        linearised regime (the deviation is proportional to ``norm / sqrt(m)``).

    Returns
    -------
    dict
        ``time`` (interpolated crossing time, NaN if none), ``steps_run``, ``final`` (last relative
        residual), ``curve_t``, ``curve_r`` (subsampled curve: times and relative residuals).
    """
    rng = np.random.default_rng(list(seed))
    X = sphere.uniform(n, d, rng)
    if not (isinstance(norm, (int, float)) and norm > 0 and math.isfinite(norm)):
        raise ValueError(f"`norm` (target norm) must be a finite float > 0; got {norm!r}")
    y = norm * target(X, k, kind)
    net = make_net(d, m, kernel, rng)
    with _one_blas_thread():
        rel = train(net, inputs(X, kernel), y, eta, steps, eps if stop else None)
    S = rel.size - 1
    idx = np.unique(np.concatenate([[0, S], np.round(np.geomspace(1, max(S, 1), keep)).astype(int)]))
    idx = idx[idx <= S]
    return {"time": crossing_time(rel, eps, eta), "steps_run": int(S), "final": float(rel[-1]),
            "curve_t": (eta * idx).tolist(), "curve_r": rel[idx].tolist()}


def _one_blas_thread():
    """One BLAS thread for the training loop: its products have inner dimension d (2 or 3), where
    threads only add overhead (measured: 2.3x less CPU per step at n=384, m=1500)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: results are the same, only slower
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def predicted_time(lam: float, eta: float, eps: float) -> float:
    """Linearised GD time ``eta ln(eps)/ln(1 - eta lam)`` (formula derived in
    :func:`theory.basri2019_training.gd_time`, lambdified); ``inf`` when ``lam <= 0``."""
    if lam <= 0:
        return float("inf")
    if eta * lam >= 1:
        raise ValueError(f"`eta * lambda_k` must be < 1 for a monotone decay; got {eta * lam:g}")
    return float(_gd_time_fn()(lam, eta, eps))


_GD = None


def _gd_time_fn():
    global _GD
    if _GD is None:
        import sympy
        from theory import basri2019_training as lt
        sy = lt.symbols()
        _GD = sympy.lambdify((sy["lambda_k"], sy["eta"], sy["epsilon"]), lt.gd_time(), "math")
    return _GD


# --------------------------------------------------------------------------- sweeps for the claims
def run_many(configs: list, jobs: int = 1, scheduler=None, cache: bool = True) -> list:
    """:func:`learning_run` over ``configs`` through :func:`numerics.verify.sweep.run_sweep`."""
    from numerics.verify.sweep import run_sweep
    return run_sweep(learning_run, configs, jobs=jobs, scheduler=scheduler, cache=cache, cost=run_cost)


def learning_times(d: int, ks: tuple, n: int, m: int, eta: float, eps: float, norm: float, reps: int,
                   seed: int, salt: int, lams: tuple, jobs: int = 1, scheduler=None, cache: bool = True) -> dict:
    """Learning times of the degree-k harmonics, ``reps`` independent runs (points and net) per k.

    Each run is capped at ``2 t_pred / eta + 10`` steps (``t_pred`` from :func:`predicted_time`
    with the eigenvalue ``lams[i]``); a run that does not reach ``eps`` has time NaN and is counted.

    Returns
    -------
    dict
        ``T`` (reps, len(ks)) learning times, ``pred`` (len(ks),) linearised GD times,
        ``censored`` (number of NaN times), ``curves`` (replicate 0: list of (t, r) per k).
    """
    pred = [predicted_time(float(lv), eta, eps) for lv in lams]
    configs = [dict(d=d, k=k, n=n, m=m, eta=eta, eps=eps, steps=int(2 * p / eta) + 10, kernel="basri",
                    seed=[int(seed), salt, k, r], stop=True, norm=norm)
               for r in range(reps) for k, p in zip(ks, pred)]
    res = run_many(configs, jobs, scheduler, cache)
    T = np.array([[res[r * len(ks) + i]["time"] for i in range(len(ks))] for r in range(reps)], float)
    return {"T": T, "pred": np.array(pred), "censored": int(np.sum(~np.isfinite(T))),
            "curves": [(res[i]["curve_t"], res[i]["curve_r"]) for i in range(len(ks))]}


def empirical_ntks(n: int, d: int, ms: tuple, reps: int, bias: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Empirical NTKs of the two-layer net (fully connected CNN: valid padding, q = d, map head,
    output scale m^(-1/2), a, w, b ~ N(0, 1); docs/basri2019.md §1.3-1.4) on n i.i.d. points of S^{d-1}.

    Returns
    -------
    X : ndarray (n, d)
        The points (``default_rng([seed, 80])``).
    grams : ndarray (len(ms), reps, n, n)
        ``reps`` independent nets per width (``default_rng([seed, 81, m, r])``).
    """
    from numerics.nets.ntk import empirical_ntk
    X = sphere.uniform(n, d, np.random.default_rng([int(seed), 80]))
    out = np.empty((len(ms), reps, n, n))
    for i, m in enumerate(ms):
        for r in range(reps):
            net = CNN(1, 1, int(m), d, "valid", bias, "relu", "map",
                      seed=np.random.default_rng([int(seed), 81, int(m), r]),
                      output_scale=1 / math.sqrt(m), w_std=1.0, b_std=1.0, a_std=1.0)
            out[i, r] = empirical_ntk(net, X[:, None, :])
    return X, out


def grid_grams(n: int, m_group: int, groups: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """First-layer empirical NTK Grams of ``groups`` independent paired `basri` nets of width
    ``m_group`` on ``n`` equispaced points of the circle (random phase); returns (X (n, 2),
    grams (groups, n, n))."""
    from numerics.nets.ntk import empirical_ntk
    phase = float(np.random.default_rng([int(seed), 61]).uniform(0, 2 * np.pi))
    X = sphere.circle_grid(n, phase)
    Xin = inputs(X, "basri")
    grams = np.stack([empirical_ntk(make_net(2, m_group, "basri", np.random.default_rng([int(seed), 62, g])),
                                    Xin, wrt=("w",)) for g in range(groups)])
    return X, grams


def infinite_width_residual(grams: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Bias-corrected ``||P K_inf y||^2 / ||K_inf y||^2`` from G independent Grams, and its jackknife SE.

    ``P = I - y y^T / y^T y``; ``v_g = P K_g y`` (linear in the Gram), ``v = mean_g v_g``.  Since
    ``E ||v||^2 = ||v_inf||^2 + tr Cov(v_g) / G`` and ``s^2 = sum_g ||v_g - v||^2 / (G - 1)`` is
    unbiased for ``tr Cov``, ``||v||^2 - s^2 / G`` estimates the infinite-width residual without the
    finite-width part.  Zero for an exact eigenvector; the jackknife over the G nets gives its SE.

    Parameters
    ----------
    grams : ndarray (G, n, n)
    y : ndarray (n,)
    """
    G = grams.shape[0]
    Ky = grams @ y                                          # (G, n)
    V = Ky - np.outer(Ky @ y / (y @ y), y)                  # P K_g y

    def est(idx):
        v, kb = V[idx].mean(axis=0), Ky[idx].mean(axis=0)
        s2 = float(((V[idx] - v) ** 2).sum()) / (len(idx) - 1)
        return (float(v @ v) - s2 / len(idx)) / float(kb @ kb)

    full = est(np.arange(G))
    loo = np.array([est(np.delete(np.arange(G), g)) for g in range(G)])
    se = math.sqrt((G - 1) / G * float(((loo - loo.mean()) ** 2).sum()))
    return full, max(se, 1e-300)


def fourier_t_statistic(grams: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Largest |t| of the Fourier coefficients of ``P K y`` over the G nets (equispaced grid).

    ``V_g = P K_g y`` (``P = I - y y^T / y^T y``) is linear in the Gram, so its mean over the G
    independent nets estimates the infinite-width ``P K y`` without bias.  On the grid the real
    Fourier modes cos(j theta), sin(j theta) are orthogonal; for each mode the t statistic is
    ``|mean_g c_gj| / (sd_g c_gj / sqrt G)``.  A harmonic leaves only width noise spread over all
    modes (|t| of order 1, max over the n modes of order 4-6 for G = 16); a neighbouring frequency
    mixed into y concentrates in one mode.

    Parameters
    ----------
    grams : ndarray (G, n, n)
    y : ndarray (n,)

    Returns
    -------
    (float, int)
        The largest |t| and the frequency j where it occurs.
    """
    G = grams.shape[0]
    Ky = grams @ y
    V = Ky - np.outer(Ky @ y / (y @ y), y)
    C = np.fft.rfft(V, axis=1)
    C = np.concatenate([C.real, C.imag], axis=1)                         # (G, 2 (n/2 + 1))
    freq = np.concatenate([np.arange(C.shape[1] // 2)] * 2)
    se = C.std(axis=0, ddof=1) / math.sqrt(G)
    floor = 1e-12 * float(np.sqrt(np.mean(np.abs(np.fft.rfft(Ky.mean(axis=0))) ** 2)))
    tstat = np.abs(C.mean(axis=0)) / np.maximum(se, floor)
    j = int(np.argmax(tstat))
    return float(tstat[j]), int(freq[j])
