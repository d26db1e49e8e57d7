"""The measurements behind the claims of Zhou et al. 2023 (numerics/claims/zhou2023.py), float64.

Each function runs one experiment from a root ``seed`` (generators ``default_rng([seed, salt])``,
the salts of :meth:`numerics.verify.config.Config.rng`) and returns plain numbers and arrays; the
claims only judge them (against values read from :mod:`theory.zhou2023`) and draw figures.
Arguments are hashable so that a claim, its controls and its probes share one run
(``cfg.cached``).  Recipes: docs/zhou2023.md §2 (linear solution), §3 (rate), §5 (alignment,
multichannel).
"""
from __future__ import annotations

import numpy as np

from numerics.data import images
from numerics.experiments import zhou2023 as cd

__all__ = ["pair_error", "linear_solution_errors", "condensation_run", "gap_runs", "fitted_gap_rate",
           "preprocessing_table", "judged_direction"]

DELTA = 0.01        # T_lin: first time with R <= (1 - DELTA) * mean(y^2)/2 (docs/zhou2023.md §5)


def _rng(seed, *salt):
    return np.random.default_rng([int(seed), *[int(s) for s in salt]])


def pair_error(p, q):
    """Relative distance of the pair ``p = (W, Aout)`` from ``q``."""
    return float(np.sqrt((np.sum((p[0] - q[0]) ** 2) + np.sum((p[1] - q[1]) ** 2))
                         / (np.sum(q[0] ** 2) + np.sum(q[1] ** 2))))


def linear_solution_errors(seed, n, M, s, a_scale=1.0, sign=1.0, T=1.0, eta=0.005, steps=200):
    """The three comparisons of ``zhou2023.linear-solution`` on digits with ``s x s`` filters.

    (i) the CNN's gradient at ``eps = 1e-6`` (tanh, dense head) against the block system with
    ``A * a_scale``; (ii) DOP853 integration of ``[[0, A], [sign A^T, 0]]`` to ``T`` (returned, to
    be compared with the closed form by the claim); (iii) ``steps`` GD steps of size ``eta``.

    Returns
    -------
    dict with ``A`` (d, |P|), ``W0`` (M, d), ``A0`` (M, |P|), ``err_grad`` (float), ``flow`` and
    ``gd`` (pairs of arrays (M, d), (M, |P|)), ``rank``, ``frozen_share``, ``frozen_drift``
    (``||(W(T) - W0) Q|| / ||W0 Q||`` with ``Q`` the projector on ``ker A^T``), ``T``, ``eta``, ``steps``.
    """
    from numerics.nets.cnn import CNN

    X, y = images.digits(n, _rng(seed, 1))
    A = cd.data_matrix(X, y, s)
    eps = 1e-6
    net = CNN(2, 1, M, s, "valid", False, "tanh", "dense", seed=_rng(seed, 2), input_size=(8, 8),
              w_std=eps, a_std=eps)
    _, g = net.loss_and_grad(X, y)
    W0, A0 = net.params["w"].reshape(M, -1), net.params["a"].reshape(M, -1)
    vel = np.concatenate([-g["w"].reshape(M, -1), -g["a"].reshape(M, -1)], axis=1)
    lin = np.concatenate([A0 @ (a_scale * A).T, W0 @ (a_scale * A)], axis=1)
    rng = _rng(seed, 3)
    W0, A0 = 1e-3 * rng.standard_normal((M, A.shape[0])), 1e-3 * rng.standard_normal((M, A.shape[1]))
    flow = cd.simulate_flow(A, W0, A0, T, sign=sign)
    U, sig, _ = cd.svd(A)
    rank = int(np.sum(sig > 1e-13 * sig[0]))
    Q = np.eye(A.shape[0]) - U[:, :rank] @ U[:, :rank].T
    return {"A": A, "W0": W0, "A0": A0, "err_grad": float(np.linalg.norm(vel - lin) / np.linalg.norm(lin)),
            "flow": flow, "gd": cd.simulate_gd(A, W0, A0, eta, steps, sign=sign), "rank": rank,
            "frozen_share": cd.frozen_share(A, W0),
            "frozen_drift": float(np.linalg.norm((flow[0] - W0) @ Q) / np.linalg.norm(W0 @ Q)),
            "sig": sig, "T": T, "eta": eta, "steps": steps}


def condensation_run(seed, n, M, gamma, activation="tanh", eps=None, eta=None, labels="digit/9",
                     h=0.02, data="digits"):
    """GD of the CNN from small init to T_lin (docs/zhou2023.md §5): the numbers the alignment and
    multichannel claims judge.

    ``data``: ``"digits"`` (1 channel, ``labels`` as :func:`numerics.data.images.digits`) or
    ``"rgb"`` (:func:`numerics.data.images.synthetic_rgb`, 3 channels; ``labels="shuffled"``
    permutes the labels).

    Returns
    -------
    dict: ``r`` (the :func:`numerics.experiments.zhou2023.train` record), ``reached`` (bool),
    ``W`` (M, d) at T_lin (or at the end), ``U`` (d, r) left singular vectors of ``A``,
    ``direction`` (d,) the kernels' principal direction, ``T_lin`` (interpolated), ``S``
    (sum_k (C+_k1)^2 of the initialisation), ``ybar2``, ``channels``.
    """
    if data == "digits":
        X, y = images.digits(n, _rng(seed, 1), labels=labels)
        channels = 1
    else:
        X, y = images.synthetic_rgb(n, _rng(seed, 1))
        if labels == "shuffled":
            y = _rng(seed, 4).permutation(y)
        channels = 3
    e = cd.small_init_eps(M, gamma) if eps is None else eps
    r = cd.train(X, y, M, e, activation=activation, seed=_rng(seed, 2), eta=eta, h=h, record_every=5,
                 channels=channels)
    reached = r["T_lin"] is not None
    W = r["W_lin"] if reached else r["W_end"]
    U, _, _ = cd.svd(r["A"])
    _, S = cd.c_plus_sum(r["A"], r["W0"], r["A0"])
    return {"r": r, "reached": reached, "W": W, "U": U, "direction": cd.principal_direction(W),
            "T_lin": r["T_lin_interp"] if reached else float(r["t"][-1]), "S": S,
            "ybar2": 2 * r["L0"], "channels": channels, "eps": e}


def judged_direction(U, direction="u1", degrees=0.0, channels=1):
    """The direction a check judges the kernels against: ``u1`` (the claim), ``u2``, ``u1`` turned
    by ``degrees`` toward ``u2``, or ``"equal-channels"`` (``u1`` with every channel block rescaled
    to the same norm: the channel gains dropped).  Shape (d,), unit norm."""
    if direction == "u2":
        return U[:, 1]
    u = cd.rotated(U[:, 0], U[:, 1], degrees)
    if direction == "equal-channels":
        b = u.reshape(channels, -1)
        u = (b / np.linalg.norm(b, axis=1, keepdims=True)).ravel()
    elif direction != "u1":
        raise ValueError(f"`direction` must be 'u1', 'u2' or 'equal-channels'; got {direction!r}")
    return u / np.linalg.norm(u)


def gap_runs(seed, n, M, gamma=12.0, bs=(1 / 12, 1 / 24)):
    """Runs of ``zhou2023.gap-rate``: images ``y_i (1/6 + b checkerboard) + 0.05 noise`` (8x8),
    CNN (tanh, dense), ``eps = M^(-gamma/2)``, GD ``eta = 0.02/sigma1`` to T_lin, every step recorded.

    Returns a list of ``(b, record)`` (records of :func:`numerics.experiments.zhou2023.train`).
    """
    out = []
    ii, jj = np.indices((8, 8))
    for i, b in enumerate(bs):
        T = (1 / 6 + b * (-1.0) ** (ii + jj))[None]
        X, y = images.template_images(n, _rng(seed, 10, i), T, noise=0.05)
        out.append((b, cd.train(X, y, M, cd.small_init_eps(M, gamma), seed=_rng(seed, 11, i), record_every=1)))
    return out


def fitted_gap_rate(r):
    """Rate of ``log m(t)`` (m = misalignment tangent) fitted on ``t in [3/sigma2, T_lin - 1/sigma1]``
    (the u2 term dominates the other modes and the C- parts have decayed; docs/zhou2023.md §3).

    Returns ``(rate, (lo, hi), sel)``: the fitted decay rate (NaN with fewer than 5 points), the
    window and the boolean mask of the recorded times used.
    """
    from numerics.verify.fits import semilog_slope

    sig = r["sig"]
    lo, hi = 3 / sig[1], (r["T_lin"] if r["T_lin"] is not None else r["t"][-1]) - 1 / sig[0]
    sel = (r["t"] >= lo) & (r["t"] <= hi)
    rate = -semilog_slope(r["t"][sel], r["tangent"][sel]) if sel.sum() >= 5 else float("nan")
    return rate, (float(lo), float(hi)), sel


def preprocessing_table(seed, draws, n=300, s=3):
    """|<u1, 1/s>| and sigma1/sigma2 of the digits' data matrix under four preprocessings
    (docs/zhou2023.md §5 table), over ``draws`` draws of ``n`` images; a list of row dicts."""
    rows = []
    for label, kw in (("raw pixels, y = digit/9", {}), ("standardised pixels", {"pixels": "standardised"}),
                      ("centred labels", {"labels": "centred"}), ("labels +-1, digits 0/1", {"labels": "pm1-01"})):
        c, q = [], []
        for i in range(draws):
            X, y = images.digits(n, _rng(seed, 50, i), **kw)
            U, sig, _ = cd.svd(cd.data_matrix(X, y, s))
            c.append(abs(U[:, 0].sum()) / s)
            q.append(sig[0] / sig[1])
        rows.append({"preprocessing": label, "|<u1, 1/3>| mean": float(np.mean(c)),
                     "|<u1, 1/3>| std": float(np.std(c)), "sigma1/sigma2 mean": float(np.mean(q))})
    return rows
