"""Condensation of two-layer CNN kernels under other losses (float64): MSE and cross-entropy.

Zhou, Zhou, Li, Xu, "Understanding the Initial Condensation of Convolutional Neural Networks",
arXiv 2305.09947 (2023), Fig. 5; linear stage as in ``docs/zhou2023.md`` §2 with the data matrix
of the transformed labels ``A_g`` (``docs/zhou2023_variants.md`` §1, :mod:`theory.zhou2023_variants`).

Conventions of :mod:`numerics.experiments.zhou2023`: kernels ``W`` of shape (M, d), ``d = C s^2``.
"""
from __future__ import annotations

import math
import time

import numpy as np
from scipy.special import expit

from numerics.data import images
from theory.validate import check_choice, check_int, check_real

__all__ = ["offset_template_data", "output_gradient", "train_loss", "linear_stage", "rotated",
           "shifted_linear_gd", "shifted_stage"]

LOSSES = ("mse", "bce")


def offset_template_data(n, seed, offset=1.0, amp=0.5, rough=0.5, noise=0.1, size=8, smooth=1.0):
    """Images ``x_i = offset + s_i T + noise xi_i`` with labels ``y_i = (s_i + 1)/2`` in {0, 1}.

    ``T = amp (checkerboard + rough * G)``, ``G`` a smoothed white-noise field (periodic Gaussian
    blur of width ``smooth``, unit std, drawn from ``seed``): the checkerboard makes the class
    contrast nearly orthogonal to the mean patch, ``G`` a seed-dependent spectrum below it;
    ``s_i = +-1`` balanced (:func:`numerics.data.images.template_images`).
    The offset puts a mean patch ``offset * 1`` into the raw-label data matrix only
    (docs/zhou2023_variants.md §1).

    Returns
    -------
    X : ndarray, shape (n, 1, size, size);  y : ndarray, shape (n,), entries 0 or 1
    """
    from scipy.ndimage import gaussian_filter

    check_real("offset", offset)
    check_real("smooth", smooth, 0)
    check_int("size", size, 3)
    rng = np.random.default_rng(seed)
    T = gaussian_filter(rng.standard_normal((size, size)), smooth, mode="wrap")
    T = (T - T.mean()) / T.std()
    T = amp * ((-1.0) ** np.add.outer(np.arange(size), np.arange(size)) + rough * T)
    X, s = images.template_images(n, rng, T[None], noise=noise)
    return X + offset, (s + 1.0) / 2.0


def output_gradient(out, y, loss):
    """``dl/df`` per sample for ``loss``: MSE ``f - y``; BCE on logits ``sigmoid(f) - y``.

    Parameters
    ----------
    out, y : ndarray, shape (n,);  loss : {"mse", "bce"}

    Returns
    -------
    (float, ndarray of shape (n,)): the mean loss and ``dl/df``.
    """
    check_choice("loss", loss, LOSSES)
    if loss == "mse":
        r = out - y
        return float(0.5 * np.mean(r * r)), r
    return float(np.mean(np.logaddexp(0.0, out) - y * out)), expit(out) - y


def train_loss(X, y, M, eps, eta, loss="bce", activation="tanh", kernel_size=3, seed=0,
               delta=0.01, max_steps=20000):
    """Full-batch GD of the two-layer CNN (``numerics.nets.cnn.CNN``, dense head, no bias) under
    ``loss`` from ``w, a ~ N(0, eps^2)`` until the end of the linear stage: the first step with
    ``R <= (1 - delta) R_0``, ``R_0`` the loss at ``f = 0`` (docs/zhou2023.md §3).

    The gradient of any loss is the MSE gradient at the targets ``f - dl/df``
    (``CNN.loss_and_grad`` is MSE: its output gradient is ``(f - Y)/n``).

    Parameters
    ----------
    X : ndarray, shape (n, C, H, W);  y : ndarray, shape (n,)
    M : int;  eps : float > 0;  eta : float > 0 (step)
    loss : {"mse", "bce"}

    Returns
    -------
    dict with ``W0`` (M, d), ``A0`` (M, |P|), ``W_lin`` (M, d), ``A_lin`` (M, |P|), ``T_lin`` (time), ``steps``,
    ``eta``, ``R0``, ``seconds``.
    """
    from numerics.nets.cnn import CNN

    check_choice("loss", loss, LOSSES)
    check_real("eta", eta, 0, lo_open=True)
    check_real("eps", eps, 0, lo_open=True)
    check_int("max_steps", max_steps, 1)
    net = CNN(2, X.shape[1], M, kernel_size, "valid", False, activation, "dense", seed=seed,
              input_size=X.shape[2:], w_std=eps, a_std=eps)
    W0 = net.params["w"].reshape(M, -1).copy()
    A0 = net.params["a"].reshape(M, -1).copy()
    R0, t0 = output_gradient(np.zeros_like(y), y, loss)[0], time.perf_counter()
    for k in range(max_steps + 1):
        out = net.forward(X)
        R, r = output_gradient(out, y, loss)
        if not math.isfinite(R):
            raise FloatingPointError(f"GD diverged at step {k}: loss = {R!r}")
        if R <= (1.0 - delta) * R0:
            return {"W0": W0, "A0": A0, "eta": float(eta), "W_lin": net.params["w"].reshape(M, -1).copy(),
                    "A_lin": net.params["a"].reshape(M, -1).copy(), "T_lin": k * eta,
                    "steps": k, "R0": R0, "seconds": time.perf_counter() - t0}
        _, g = net.loss_and_grad(X, out - r)
        for key in g:
            net.params[key] -= eta * g[key]
    raise RuntimeError(f"the linear stage did not end within max_steps={max_steps} (loss {R:.6g}, R0 {R0:.6g})")


def rotated(u, v, degrees):
    """Unit vector ``cos(t) u + sin(t) v'`` with ``v'`` the unit part of ``v`` orthogonal to ``u``
    (a direction at ``degrees`` from ``u``; used for probes).  ``u, v``: shape (d,)."""
    u = np.asarray(u, float) / np.linalg.norm(u)
    v = np.asarray(v, float) - u * float(np.dot(u, v))
    v /= np.linalg.norm(v)
    t = math.radians(float(degrees))
    return math.cos(t) * u + math.sin(t) * v


def linear_stage(loss, n, M, gamma, seed, h=0.05, delta=0.01, offset=0.3, amp=0.1, rough=0.25):
    """One run of :func:`train_loss` on :func:`offset_template_data` (noise ``0.2 amp``, 3x3
    filters), step ``h / sigma1(A_g)`` with ``A_g`` the data matrix of ``g = -dl/df|_{f=0}``
    (docs/zhou2023_variants.md §1); data seeded by ``(seed, 1)``, init by ``(seed, 2)``.

    Returns
    -------
    dict of :func:`train_loss` plus ``X`` (n, 1, 8, 8) and ``y`` (n,).
    """
    from numerics.experiments.zhou2023 import data_matrix, small_init_eps, svd

    check_choice("loss", loss, LOSSES)
    X, y = offset_template_data(n, np.random.default_rng([seed, 1]), offset=offset, amp=amp,
                                rough=rough, noise=0.2 * amp)
    g = -output_gradient(np.zeros_like(y), y, loss)[1]
    sig1 = svd(data_matrix(X, g, 3))[1][0]
    r = train_loss(X, y, M, small_init_eps(M, gamma), h / sig1, loss=loss,
                   seed=np.random.default_rng([seed, 2]), delta=delta)
    r.update(X=X, y=y)
    return r


def shifted_linear_gd(A, W0, A0, eta, k, rate, common, forcing=0.0):
    """``k`` simultaneous GD steps of the linear stage with ``sigma(0) != 0``
    (docs/zhou2023_variants.md §3, :func:`theory.zhou2023_variants.shifted_activation`):
    ``W += eta rate Aout A^T``, ``Aout += eta (rate W A + forcing - common * sum(Aout))``.

    Parameters
    ----------
    A : ndarray, shape (d, |P|);  W0 : (M, d);  A0 : (M, |P|)
    eta : float > 0;  k : int >= 0
    rate : float (``sigma'(0)``);  common : float (``sigma(0)^2``);  forcing : float (``sigma(0) ybar``)

    Returns
    -------
    W, Aout : ndarrays, shapes (M, d) and (M, |P|)
    """
    check_int("k", k, 0, what="number of steps")
    W, Ao = np.array(W0, dtype=np.float64), np.array(A0, dtype=np.float64)
    for _ in range(k):
        W, Ao = W + eta * rate * (Ao @ A.T), Ao + eta * (rate * (W @ A) + forcing - common * Ao.sum())
    return W, Ao


def shifted_stage(activation, n, M, gamma, seed, h=0.05, delta=0.01, amp=0.1, rough=0.25):
    """MSE run of :func:`train_loss` with a ``sigma(0) != 0`` activation on centred images
    (:func:`offset_template_data` with offset 0, labels ``s = +-1`` balanced, so ``ybar = 0``).

    Step ``min(h / (sigma'(0) sigma1), 1 / (sigma(0)^2 M |P|))``: half the GD stability bound of
    the readouts' common mode (docs/zhou2023_variants.md §3); ``sigma(0)``, ``sigma'(0)`` read
    numerically off the activation.  Data seeded by ``(seed, 1)``, init by ``(seed, 2)``.

    Returns
    -------
    dict of :func:`train_loss` plus ``X`` (n, 1, 8, 8), ``y`` (n,) and ``A`` (9, 36).
    """
    from numerics.experiments.zhou2023 import data_matrix, small_init_eps, svd
    from numerics.nets.activations import get

    X, y = offset_template_data(n, np.random.default_rng([seed, 1]), offset=0.0, amp=amp,
                                rough=rough, noise=0.2 * amp)
    y = 2.0 * y - 1.0
    A = data_matrix(X, y, 3)
    act, z = get(activation), np.zeros(1)
    c0, c1 = float(act.value(z)[0]), float(act.derivative(z)[0])
    eta = min(h / (c1 * svd(A)[1][0]), 1.0 / (c0 * c0 * M * A.shape[1]))
    r = train_loss(X, y, M, small_init_eps(M, gamma), eta, loss="mse", activation=activation,
                   seed=np.random.default_rng([seed, 2]), delta=delta)
    r.update(X=X, y=y, A=A)
    return r
