"""Deep circular 1-D CNN of Geifman et al. 2022 (sheet §1.1) with hand-written backprop and its empirical NTK.

Layers (NTK parameterisation, all weights i.i.d. N(0, 1), no biases, ReLU ``sigma``, indices mod d)::

    h1[:, i] = W1 x_i                                                W1: (m, zeta)   (1x1 conv)
    hl[:, i] = sqrt(2/(q m)) sum_{w in window} Wl[:, :, w] sigma(h_{l-1}[:, i + w])   Wl: (m, m, q), l = 2..L
    eq : f = sqrt(2/m)     v . sigma(hL[:, 0])                       v: (m,)
    tr : f = sqrt(2/(m d)) sum_i v[:, i] . sigma(hL[:, i])           v: (m, d)
    gap: f = sqrt(2/m)     v . mean_i sigma(hL[:, i])                v: (m,)

As the width ``m`` grows, the GP covariance of ``f`` tends to :func:`numerics.kernels.cntk.gram` with
``kind="gp"`` and the empirical NTK ``sum_theta df(x)/dtheta df(z)/dtheta`` to ``kind="ntk"``.
This module is separate from :mod:`numerics.nets.cnn` (the two-layer network of DESIGN.md, whose
interface is unchanged); it reuses :mod:`numerics.nets.activations` for ReLU.
"""
from __future__ import annotations

import numpy as np

from numerics.nets.activations import get as _activation
from theory.validate import check_int
from numerics.kernels.cntk import HEADS
from theory.geifman2022 import window

__all__ = ["DeepCNN"]


class DeepCNN:
    """Stack of a 1x1 conv and ``depth - 1`` circular convs of filter ``filter_size``, scalar head.

    Parameters
    ----------
    zeta : int
        Input channels (pixel dimension).
    d : int
        Number of pixels (signal length).
    width : int
        Channels ``m`` of every hidden layer.
    depth : int
        ``L >= 2``.
    filter_size : int
        ``q >= 1``; window offsets as :func:`theory.geifman2022.window`.
    head : {"eq", "tr", "gap"}
    seed : int

    Attributes
    ----------
    params : dict of ndarray
        ``"W1"`` (m, zeta), ``"W2"`` ... ``"WL"`` (m, m, q), ``"v"`` (m,) or (m, d) for ``tr``.
    """

    def __init__(self, zeta: int, d: int, width: int, depth: int, filter_size: int, head: str, seed: int = 0):
        for name, val, lo in (("zeta", zeta, 1), ("d", d, 1), ("width", width, 1), ("depth", depth, 2)):
            check_int(name, val, lo)
        if head not in HEADS:
            raise ValueError(f"`head` must be one of {list(HEADS)}; got {head!r}")
        self.offsets = window(filter_size)
        self.zeta, self.d, self.m, self.depth, self.q, self.head = zeta, d, width, depth, filter_size, head
        self.sigma = _activation("relu")
        rng = np.random.default_rng(seed)
        p = {"W1": rng.standard_normal((width, zeta))}
        for l in range(2, depth + 1):
            p[f"W{l}"] = rng.standard_normal((width, width, filter_size))
        p["v"] = rng.standard_normal((width, d) if head == "tr" else (width,))
        self.params = p

    # ------------------------------------------------------------------ forward
    def _patches(self, A: np.ndarray) -> np.ndarray:
        """(n, m, d) -> (n, m, q, d) with ``P[:, :, w, i] = A[:, :, i + offset_w]`` (circular)."""
        return np.stack([np.roll(A, -o, axis=-1) for o in self.offsets], axis=2)

    def _forward(self, X: np.ndarray):
        X = self._check_X(X)
        n = X.shape[0]
        h = np.einsum("kc,nci->nki", self.params["W1"], X)
        cache = [(None, h)]
        for l in range(2, self.depth + 1):
            A = self.sigma.value(h)
            P = self._patches(A)
            W = self.params[f"W{l}"]
            scale = np.sqrt(2.0 / (self.q * self.m))
            Pm = P.reshape(n, -1, self.d).transpose(1, 0, 2).reshape(-1, n * self.d)    # (m q, n d)
            h = scale * (W.reshape(self.m, -1) @ Pm).reshape(self.m, n, self.d).transpose(1, 0, 2)
            cache.append((P, h))
        A = self.sigma.value(h)
        v = self.params["v"]
        if self.head == "eq":
            f = np.sqrt(2.0 / self.m) * A[:, :, 0] @ v
        elif self.head == "tr":
            f = np.sqrt(2.0 / (self.m * self.d)) * np.einsum("nki,ki->n", A, v)
        else:
            f = np.sqrt(2.0 / self.m) * A.mean(axis=2) @ v
        return f, cache, A

    def _check_X(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[1:] != (self.zeta, self.d):
            raise ValueError(f"`X` must have shape (n, {self.zeta}, {self.d}); got {X.shape}")
        return X

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs ``f(x_i)``, shape (n,), for X of shape (n, zeta, d)."""
        return self._forward(X)[0]

    # ------------------------------------------------------------------ backward
    def _backward(self, X: np.ndarray):
        """Per-layer factors of the per-sample gradients.

        Returns a dict ``name -> (G, P)`` with ``df(x_n)/dW[k, c, w] = sum_i G[n, k, i] P[n, c, w, i]``
        (``G``: (n, m, d) backpropagated signal times the layer scale, ``P``: (n, c, w, d) input
        patches; for ``W1`` the patch axis ``w`` has length 1) and the head gradient under ``"v"``.
        """
        X = self._check_X(X)
        f, cache, A = self._forward(X)
        n, m, d = X.shape[0], self.m, self.d
        v = self.params["v"]
        out = {}
        if self.head == "eq":
            c = np.sqrt(2.0 / m)
            out["v"] = c * A[:, :, 0]
            gA = np.zeros_like(A)
            gA[:, :, 0] = c * v
        elif self.head == "tr":
            c = np.sqrt(2.0 / (m * d))
            out["v"] = c * A
            gA = np.broadcast_to(c * v, A.shape).copy()
        else:
            c = np.sqrt(2.0 / m)
            out["v"] = c * A.mean(axis=2)
            gA = np.broadcast_to((c / d) * v[:, None], A.shape).copy()
        for l in range(self.depth, 1, -1):
            P, h = cache[l - 1]
            gh = gA * self.sigma.derivative(h)                       # (n, m, d)
            scale = np.sqrt(2.0 / (self.q * m))
            out[f"W{l}"] = (scale * gh, P)
            W = self.params[f"W{l}"]
            ghm = gh.transpose(1, 0, 2).reshape(m, n * d)
            gP = scale * (W.reshape(m, -1).T @ ghm).reshape(m, self.q, n, d).transpose(2, 0, 1, 3)
            gA = sum(np.roll(gP[:, :, w], o, axis=-1) for w, o in enumerate(self.offsets))
        gh = gA * self.sigma.derivative(cache[0][1])
        out["W1"] = (gh, X[:, :, None, :])
        return out

    def jacobian(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Per-sample gradients ``df(x_i)/dtheta``: dict of arrays of shape (n, *param.shape)."""
        J = {}
        for k, val in self._backward(X).items():
            if k == "v":
                J[k] = val
                continue
            G, P = val
            n, c, w, d = P.shape
            Jk = np.matmul(G, P.reshape(n, c * w, d).transpose(0, 2, 1))      # (n, m, c*w)
            J[k] = Jk.reshape((n,) + self.params[k].shape)
        return J

    def loss_and_grad(self, X: np.ndarray, Y: np.ndarray):
        """``loss = 1/(2n) sum_i (f(x_i) - y_i)^2`` and its gradient (dict, keys of ``params``)."""
        f = self.forward(X)
        Y = np.asarray(Y, dtype=np.float64).reshape(f.shape)
        r = (f - Y) / f.shape[0]
        J = self.jacobian(X)
        return 0.5 * float(np.sum((f - Y) ** 2)) / f.shape[0], {k: np.tensordot(r, g, axes=1) for k, g in J.items()}

    def ntk(self, X1: np.ndarray, X2: np.ndarray | None = None) -> np.ndarray:
        """Empirical NTK ``sum_theta df(x)/dtheta df(z)/dtheta``, shape (n1, n2).

        Computed without forming per-sample gradients: for a conv layer,
        ``<dW(x), dW(z)> = sum_{i, i'} <G_x[:, i], G_z[:, i']> <P_x[..., i], P_z[..., i']>``.
        """
        B1 = self._backward(X1)
        B2 = B1 if X2 is None else self._backward(X2)
        out = 0.0
        for k in B1:
            if k == "v":
                a, b = B1[k], B2[k]
                out = out + a.reshape(a.shape[0], -1) @ b.reshape(b.shape[0], -1).T
                continue
            (G1, P1), (G2, P2) = B1[k], B2[k]
            n1, n2, d = G1.shape[0], G2.shape[0], G1.shape[2]
            g1 = G1.transpose(0, 2, 1).reshape(n1 * d, -1)
            g2 = G2.transpose(0, 2, 1).reshape(n2 * d, -1)
            p1 = P1.transpose(0, 3, 1, 2).reshape(n1 * d, -1)
            p2 = P2.transpose(0, 3, 1, 2).reshape(n2 * d, -1)
            prod = (g1 @ g2.T) * (p1 @ p2.T)                                   # (n1 d, n2 d)
            out = out + prod.reshape(n1, d, n2, d).sum(axis=(1, 3))
        return out
