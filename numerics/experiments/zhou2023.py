"""Initial condensation of two-layer CNN kernels at small initialisation (float64).

Zhou, Zhou, Li, Xu, "Understanding the Initial Condensation of Convolutional Neural Networks",
arXiv 2305.09947 (2023), appendix C (44)-(53), (67), (73) and appendix D (88); formulas as
rebuilt in ``docs/zhou2023.md`` and derived in :mod:`theory.zhou2023`.

Conventions: kernels ``w_k`` are flattened in ``(c, j1, j2)`` order (``d = C s^2``), readouts
``a_k`` in row-major position order (``|P| = (H-s+1)(W-s+1)``, padding "valid"), so ``W`` has
shape (M, d) and ``Aout`` (the a's) shape (M, |P|).  The linearised flow is
``d/dt [w_k; a_k] = [[0, A], [A^T, 0]] [w_k; a_k]`` for every kernel ``k``.
"""
from __future__ import annotations

import math
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from theory.validate import check_int, check_real

__all__ = ["data_matrix", "svd", "small_init_eps", "propagate", "frozen_share", "closed_form",
           "gd_closed_form", "simulate_flow", "simulate_gd", "cosines", "pairwise_cosines",
           "relative_change", "norm_weighted_ratio", "misalignment", "t_delta", "c_plus_sum",
           "principal_direction", "angle_deg", "rotated", "sign_split", "train"]


def _arr(name, v, ndim):
    v = np.asarray(v)
    if not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
        raise TypeError(f"`{name}` must be a real numeric array; got dtype {v.dtype}")
    if v.ndim != ndim:
        raise ValueError(f"`{name}` must have {ndim} axes; got shape {v.shape}")
    v = v.astype(np.float64)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"`{name}` contains non-finite values")
    return v


def data_matrix(X, y, kernel_size):
    """The data matrix ``A`` of the linear stage, docs/zhou2023.md §2, eqs. (44) and (88).

    ``A[(c, j1, j2), (p1, p2)] = (1/n) sum_i y_i x_i[c, p1 + j1, p2 + j2]`` (valid positions).

    Parameters
    ----------
    X : array_like, shape (n, C, H, W)
    y : array_like, shape (n,)
    kernel_size : int, 1 <= s <= min(H, W)

    Returns
    -------
    A : ndarray, shape (C s^2, (H-s+1)(W-s+1))
    """
    X = _arr("X", X, 4)
    y = _arr("y", y, 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"`y` must have one label per image ({X.shape[0]}); got {y.shape[0]}")
    s = kernel_size
    if not (isinstance(s, (int, np.integer)) and 1 <= s <= min(X.shape[2:])):
        raise ValueError(f"`kernel_size` must be an int in [1, {min(X.shape[2:])}]; got {s!r}")
    mean_img = np.tensordot(y, X, axes=(0, 0)) / X.shape[0]          # (C, H, W)
    win = sliding_window_view(mean_img, (s, s), axis=(1, 2))          # (C, P1, P2, s, s)
    C, P1, P2 = win.shape[:3]
    return np.ascontiguousarray(win.transpose(0, 3, 4, 1, 2)).reshape(C * s * s, P1 * P2)


def svd(A):
    """Thin SVD ``A = U diag(sig) V^T`` (scipy), signs fixed so that ``sum(U[:, j]) >= 0``.

    Returns ``U`` (d, r), ``sig`` (r,), ``V`` (|P|, r) with ``r = min(d, |P|)``.
    """
    from scipy.linalg import svd as _svd

    A = _arr("A", A, 2)
    U, sig, Vt = _svd(A, full_matrices=False)
    flip = np.where(U.sum(axis=0) < 0, -1.0, 1.0)
    return U * flip, sig, Vt.T * flip


def small_init_eps(M, gamma):
    """Initial scale ``eps = M^(-gamma/2)`` (so ``eps^2 = M^-gamma``; theorems need gamma > 1)."""
    check_int("M", M, 1, what="number of kernels")
    check_real("gamma", gamma, 0)
    return float(M) ** (-gamma / 2.0)


def _modes(A, W0, A0):
    U, sig, V = svd(A)
    keep = sig > sig[0] * 1e-13 if sig.size and sig[0] > 0 else np.zeros(sig.shape, bool)
    U, sig, V = U[:, keep], sig[keep], V[:, keep]
    W0 = _arr("W0", W0, 2)
    A0 = _arr("A0", A0, 2)
    if W0.shape[1] != A.shape[0] or A0.shape[1] != A.shape[1] or W0.shape[0] != A0.shape[0]:
        raise ValueError(f"`W0` must have shape (M, {A.shape[0]}) and `A0` shape (M, {A.shape[1]}); "
                         f"got {W0.shape} and {A0.shape}")
    om, al = W0 @ U, A0 @ V                                          # (M, r)
    return U, sig, V, om, al, W0 - om @ U.T, A0 - al @ V.T           # frozen parts last


def propagate(A, W0, A0, cosh_like, sinh_like, frozen=1.0):
    """``W, Aout`` from the SVD modes of ``A`` with per-mode coefficients (Prop. 1 (52)-(53) form).

    ``w_k = sum_j [c(sig_j) omega_kj + s(sig_j) alpha_kj] u_j + frozen * (I - U_r U_r^T) w_k(0)``
    and ``a_k`` likewise with ``c`` and ``s`` swapped on the ``v_j``.

    Parameters
    ----------
    A : ndarray, shape (d, |P|)
    W0 : ndarray, shape (M, d);  A0 : ndarray, shape (M, |P|)
    cosh_like, sinh_like : callable, array (r,) -> array (r,)
        The mode propagator's entries as functions of the singular values (``cosh(sig t)``,
        ``sinh(sig t)`` for the flow; the GD powers for GD).
    frozen : float
        Weight of the frozen (null-space) parts; 1 in Prop. 1, 0 = the term dropped.

    Returns
    -------
    W, Aout : ndarrays, shapes (M, d) and (M, |P|)
    """
    U, sig, V, om, al, Wf, Af = _modes(A, W0, A0)
    c, s = np.asarray(cosh_like(sig), float), np.asarray(sinh_like(sig), float)
    return (om * c + al * s) @ U.T + frozen * Wf, (om * s + al * c) @ V.T + frozen * Af


def frozen_share(A, W0):
    """``||(I - U_r U_r^T) W0|| / ||W0||``: the share of the kernels in ``ker A^T`` (frozen), with
    ``r = rank A`` (singular values above ``1e-13 sig1``); 0 when ``rank A = d``."""
    U = _modes(A, W0, np.zeros((np.shape(W0)[0], np.shape(A)[1])))[0]
    W0 = np.asarray(W0, float)
    return float(np.linalg.norm(W0 - W0 @ U @ U.T) / np.linalg.norm(W0))


def closed_form(A, W0, A0, t):
    """Proposition 1, (52)-(53): the exact solution of the linearised flow at time ``t``
    (:func:`propagate` with ``cosh(sig t)``, ``sinh(sig t)``).  Shapes as :func:`propagate`."""
    return propagate(A, W0, A0, lambda sg: np.cosh(sg * t), lambda sg: np.sinh(sg * t))


def gd_closed_form(A, W0, A0, eta, k):
    """Gradient-descent analogue after ``k`` steps of size ``eta``: each mode pair is multiplied by
    ``[[1, eta sig_j], [eta sig_j, 1]]`` per step, so cosh -> ((1+eta sig)^k + (1-eta sig)^k)/2 and
    sinh -> ((1+eta sig)^k - (1-eta sig)^k)/2.  Shapes as :func:`propagate`."""
    check_int("k", k, 0, what="number of steps")
    return propagate(A, W0, A0, lambda sg: ((1 + eta * sg) ** k + (1 - eta * sg) ** k) / 2,
                     lambda sg: ((1 + eta * sg) ** k - (1 - eta * sg) ** k) / 2)


def simulate_flow(A, W0, A0, t, sign=1.0, rtol=1e-13):
    """Integrate ``d/dt [W, Aout] = [Aout A^T, sign * W A]`` numerically (scipy DOP853).

    ``sign=-1`` is the wrong-sign block matrix ``[[0, A], [-A^T, 0]]`` (the control).
    Returns ``W(t), Aout(t)`` with the shapes of ``W0, A0``.
    """
    from scipy.integrate import solve_ivp

    A = _arr("A", A, 2)
    W0, A0 = _arr("W0", W0, 2), _arr("A0", A0, 2)
    M, d = W0.shape

    def rhs(_, z):
        Wt, At = z[:M * d].reshape(M, d), z[M * d:].reshape(M, -1)
        return np.concatenate([(At @ A.T).ravel(), (sign * (Wt @ A)).ravel()])

    z0 = np.concatenate([W0.ravel(), A0.ravel()])
    sol = solve_ivp(rhs, (0.0, float(t)), z0, method="DOP853", rtol=rtol,
                    atol=rtol * 1e-3 * float(np.abs(z0).max()))
    if not sol.success:
        raise RuntimeError(f"linear flow integration failed at t={sol.t[-1]}: {sol.message}")
    z = sol.y[:, -1]
    return z[:M * d].reshape(M, d), z[M * d:].reshape(M, -1)


def simulate_gd(A, W0, A0, eta, k, sign=1.0):
    """``k`` simultaneous GD steps on the linearised loss: ``W += eta Aout A^T``,
    ``Aout += eta sign W A``.  Returns ``W, Aout``."""
    A = _arr("A", A, 2)
    W, Ao = _arr("W0", W0, 2).copy(), _arr("A0", A0, 2).copy()
    for _ in range(int(k)):
        W, Ao = W + eta * (Ao @ A.T), Ao + eta * sign * (W @ A)
    return W, Ao


def cosines(W, u, channels=1):
    """Cosine of each kernel with ``u``; per channel block when ``channels > 1``.

    Parameters
    ----------
    W : ndarray, shape (M, d) with ``d = channels * s^2``
    u : ndarray, shape (d,)
    channels : int

    Returns
    -------
    ndarray, shape (M,) for channels=1, else (M, channels): ``cos(w_k[c], u[c])``.
    """
    W = _arr("W", W, 2)
    u = _arr("u", u, 1)
    if W.shape[1] != u.shape[0] or W.shape[1] % channels:
        raise ValueError(f"`W` (M, d) and `u` (d,) must agree and d divide by `channels`={channels}; "
                         f"got {W.shape}, {u.shape}")
    Wc = W.reshape(W.shape[0], channels, -1)
    uc = u.reshape(channels, -1)
    num = np.einsum("mcj,cj->mc", Wc, uc)
    den = np.linalg.norm(Wc, axis=2) * np.linalg.norm(uc, axis=1)
    out = num / np.where(den > 0, den, 1.0)
    return out[:, 0] if channels == 1 else out


def pairwise_cosines(W, order=None):
    """Matrix of cosines between kernels, shape (M, M); rows/columns permuted by ``order``."""
    W = _arr("W", W, 2)
    if order is not None:
        W = W[np.asarray(order)]
    Wn = W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-300)
    return Wn @ Wn.T


def relative_change(W, W0):
    """``RD = ||theta_W - theta_W(0)|| / ||theta_W(0)||`` (Theorem 1, (69))."""
    return float(np.linalg.norm(W - W0) / np.linalg.norm(W0))


def norm_weighted_ratio(W, u):
    """``||theta_{W,u1}|| / ||theta_W||`` (Theorem 1, (70)); ``u`` of unit norm."""
    return float(np.linalg.norm(W @ u) / np.linalg.norm(W))


def misalignment(W, u):
    """Norm-weighted tangent ``||(I - u u^T) theta_W|| / ||theta_W u||`` (Theorem 1), ``u`` of unit norm.

    Computed from the orthogonal part directly, not as ``sqrt(1 - ratio^2) / ratio``: that form
    cancels catastrophically once the ratio is within 1e-8 of 1 (tangent below ~1e-8).
    """
    on = W @ u
    return float(np.linalg.norm(W - np.outer(on, u)) / np.linalg.norm(on))


def t_delta(A, W0, A0, ybar2, delta=0.01, eta=None):
    """End of the linear stage: the time at which the loss has dropped by a fraction ``delta``.

    ``T = log(delta ybar2 / (2 sig1 S)) / (2 sig1)``, ``S = sum_k (C+_k1)^2`` (:func:`c_plus_sum`),
    the ``T_delta`` of :func:`theory.zhou2023.alignment`.  With ``eta`` the GD analogue
    ``T_delta_gd``: ``e^(2 sig1 t)`` replaced by ``(1 + eta sig1)^(2 t / eta)``.  Claims read the
    formula from the derivation; this copy is for exploration and tests.
    """
    sig1, S = c_plus_sum(A, W0, A0)
    L = math.log(delta * ybar2 / (2 * sig1 * S))
    rate = 2 * sig1 if eta is None else 2 * math.log1p(eta * sig1) / eta
    return L / rate


def c_plus_sum(A, W0, A0):
    """``(sig1, S)`` with ``S = sum_k (C+_k1)^2``, ``C+_k1 = (<w_k, u1> + <a_k, v1>) / 2`` (eq. (51))."""
    U, sig, V = svd(A)
    cp = 0.5 * (np.asarray(W0) @ U[:, 0] + np.asarray(A0) @ V[:, 0])
    return float(sig[0]), float(np.sum(cp ** 2))


def principal_direction(W):
    """Top right singular vector of the row-normalised kernels ``W`` (M, d): the common direction
    of the kernels up to sign, each kernel weighted equally; shape (d,), unit norm."""
    W = _arr("W", W, 2)
    Wn = W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-300)
    return np.linalg.svd(Wn, full_matrices=False)[2][0]


def angle_deg(v, u):
    """Angle in degrees between the lines of ``v`` and ``u`` (sign ignored), in [0, 90]."""
    c = abs(float(np.dot(v, u))) / (np.linalg.norm(v) * np.linalg.norm(u))
    return math.degrees(math.acos(min(1.0, c)))


def rotated(u1, u2, degrees):
    """``cos(theta) u1 + sin(theta) u2`` for orthonormal ``u1, u2``: u1 turned toward u2."""
    th = math.radians(check_real("degrees", degrees, -180, 180))
    return math.cos(th) * np.asarray(u1, float) + math.sin(th) * np.asarray(u2, float)


def sign_split(c, threshold=0.99):
    """Fractions of the kernels with cosine ``c > threshold`` and ``c < -threshold``."""
    c = np.asarray(c, float)
    return float(np.mean(c > threshold)), float(np.mean(c < -threshold))


def _start(X, y, M, eps, activation, kernel_size, seed, eta, h, u):
    """Network, data matrix and run state of :func:`train`."""
    from numerics.nets.cnn import CNN

    X, y = _arr("X", X, 4), _arr("y", y, 1)
    A = data_matrix(X, y, kernel_size)
    U, sig, _ = svd(A)
    net = CNN(2, X.shape[1], M, kernel_size, "valid", False, activation, "dense", seed=seed,
              input_size=X.shape[2:], w_std=eps, a_std=eps)
    W0, A0 = net.params["w"].reshape(M, -1).copy(), net.params["a"].reshape(M, -1).copy()
    st = {"A": A, "sig": sig, "u1": U[:, 0] if u is None else np.asarray(u, float) / np.linalg.norm(u),
          "eta": h / sig[0] if eta is None else float(eta), "W0": W0, "A0": A0,
          "modes": _modes(A, W0, A0), "L0": 0.5 * float(np.mean(y ** 2)), "k": 0, "T_lin": None,
          "T_lin_interp": None, "W_lin": None, "cos_lin": None, "t_stop": None, "prev": None,
          "rec": {key: [] for key in ("t", "loss", "rd", "ratio", "tangent", "frac", "median", "lin_err")}}
    return X, y, net, st


def _lin_err(st, W, Ao):
    """Relative distance of ``(W, Ao)`` from the GD closed form at step ``k`` (modes precomputed)."""
    U, sig, V, om, al, Wf, Af = st["modes"]
    p, m = (1 + st["eta"] * sig) ** st["k"], (1 - st["eta"] * sig) ** st["k"]
    c, s = (p + m) / 2, (p - m) / 2
    Wl, Al = (om * c + al * s) @ U.T + Wf, (om * s + al * c) @ V.T + Af
    return math.sqrt((np.sum((W - Wl) ** 2) + np.sum((Ao - Al) ** 2)) / (np.sum(Wl ** 2) + np.sum(Al ** 2)))


def _observe(net, st, loss, record_every, channels, t_after):
    """Record the diagnostics of step ``k``, detect ``T_lin``; True when the run should stop."""
    M, k, eta = net.params["w"].shape[0], st["k"], st["eta"]
    W = net.params["w"].reshape(M, -1)
    reached = st["T_lin"] is None and loss <= 0.99 * st["L0"]
    if k % record_every == 0 or reached:
        c = cosines(W, st["u1"], channels)
        ca = np.abs(c) if channels == 1 else np.abs(c).min(axis=1)
        for key, v in (("t", k * eta), ("loss", loss), ("rd", relative_change(W, st["W0"])),
                       ("ratio", norm_weighted_ratio(W, st["u1"])), ("tangent", misalignment(W, st["u1"])),
                       ("frac", float(np.mean(ca > 0.99))), ("median", float(np.median(ca))),
                       ("lin_err", _lin_err(st, W, net.params["a"].reshape(M, -1)))):
            st["rec"][key].append(v)
    if reached:
        st.update(T_lin=k * eta, W_lin=W.copy(), cos_lin=cosines(W, st["u1"], channels))
        prev = st["prev"] if st["prev"] is not None else loss
        frac = (prev - 0.99 * st["L0"]) / (prev - loss) if prev > loss else 1.0
        st.update(T_lin_interp=(k - 1 + frac) * eta if k else 0.0, t_stop=k * eta + t_after)
    st["prev"] = loss
    return st["t_stop"] is not None and k * eta >= st["t_stop"] - 1e-12


def train(X, y, M, eps, activation="tanh", kernel_size=3, seed=0, eta=None, h=0.02,
          t_after=0.0, max_steps=20000, record_every=1, channels=1, u=None):
    """Full-batch GD of the two-layer CNN (``numerics.nets.cnn.CNN``, dense head, no bias) from
    ``w, a ~ N(0, eps^2)`` until the end of the linear stage ``T_lin`` (first time with
    ``R <= 0.99 * mean(y^2)/2``), then ``t_after`` more time.

    Parameters
    ----------
    X : ndarray, shape (n, C, H, W);  y : ndarray, shape (n,)
    M : int, number of kernels;  eps : float, init scale
    eta : float, optional
        Step; default ``h / sig1(A)`` (``h`` growth per step of the top mode).
    u : ndarray, shape (d,), optional
        Direction for the cosines (default ``u1`` of ``A``).
    channels : int
        Cosines per channel block when > 1.

    Returns
    -------
    dict with ``t`` (recorded times), ``loss``, ``rd``, ``ratio``, ``tangent``, ``frac`` (|cos| >
    0.99; all channel blocks for channels > 1), ``median``, ``lin_err`` (relative error against the
    GD closed form), ``T_lin`` (None if not reached), ``T_lin_interp`` (the crossing of 0.99 L0
    interpolated linearly in the loss between the two steps), ``W0``, ``A0``, ``W_lin``, ``W_end``,
    ``cos_lin`` (cosines at T_lin), ``eta``, ``steps``, ``seconds``, ``sig``, ``u1``, ``A``, ``L0``.

    Raises
    ------
    FloatingPointError
        If the loss becomes non-finite or exceeds 1e12 L0 (GD diverged).
    """
    X, y, net, st = _start(X, y, M, eps, activation, kernel_size, seed, eta, h, u)
    t0 = time.perf_counter()
    while st["k"] <= max_steps:
        loss, g = net.loss_and_grad(X, y)
        if not math.isfinite(loss) or loss > 1e12 * max(st["L0"], 1e-300):
            raise FloatingPointError(f"GD diverged at step {st['k']} (t = {st['k'] * st['eta']:.4g}): "
                                     f"loss = {loss!r}")
        if _observe(net, st, loss, record_every, channels, t_after):
            break
        for key in g:
            net.params[key] -= st["eta"] * g[key]
        st["k"] += 1
    out = {key: np.asarray(v) for key, v in st["rec"].items()}
    out.update({key: st[key] for key in ("T_lin", "T_lin_interp", "W0", "A0", "W_lin", "cos_lin", "eta",
                                         "sig", "u1", "A", "L0")})
    out.update(W_end=net.params["w"].reshape(M, -1).copy(), steps=st["k"], seconds=time.perf_counter() - t0)
    return out
