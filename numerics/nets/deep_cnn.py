"""Deep circular CNN of Geifman et al. 2022 (docs/geifman2022.md §1.1), 1-D or 2-D, any activation,
with hand-written backprop and its empirical NTK.

Pixels ``i`` run over a circular grid of shape ``(d,)`` or ``(H, W)`` (flattened, ``D`` pixels); a
filter has ``Q`` offsets (``q`` in 1-D, ``q x q`` in 2-D, each axis as :func:`theory.geifman2022.window`).
Layers (NTK parameterisation, all weights i.i.d. N(0, 1), no biases, indices mod the grid)::

    h1[:, i] = W1 x_i                                                    W1: (m, zeta)   (1x1 conv)
    hl[:, i] = sqrt(c/(Q m)) sum_{w} Wl[:, :, w] sigma(h_{l-1}[:, i + w])     Wl: (m, m, Q), l = 2..L
    eq : f = sqrt(c/m)     v . sigma(hL[:, 0])                           v: (m,)
    tr : f = sqrt(c/(m D)) sum_i v[:, i] . sigma(hL[:, i])               v: (m, D)
    gap: f = sqrt(c/m)     v . mean_i sigma(hL[:, i])                    v: (m,)

``c = c_sigma`` normalises the activation (``1 / E[sigma(z)^2]``, ``z ~ N(0, 1)``: 2 for ReLU, the
default; :func:`normalising_constant` computes it for any activation).  With ReLU, as the width ``m``
grows, the GP covariance of ``f`` tends to :func:`numerics.kernels.cntk.gram` with ``kind="gp"`` and the
empirical NTK ``sum_theta df(x)/dtheta df(z)/dtheta`` to ``kind="ntk"`` (1-D and 2-D alike).
This module is separate from :mod:`numerics.nets.cnn` (the two-layer network of DESIGN.md, whose
interface is unchanged); activations come from :mod:`numerics.nets.activations`.
"""
from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from scipy.integrate import quad

from numerics.kernels.cntk import HEADS
from numerics.nets.activations import Activation, get as _activation
from theory.geifman2022 import window
from theory.validate import check_int, check_real

__all__ = ["DeepCNN", "normalising_constant"]


@functools.lru_cache(maxsize=None)
def _second_moment(act: Activation) -> float:
    def integrand(z):
        return float(act.value(np.array([z]))[0]) ** 2 * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    # split at 0, where the kinked activations have their kink
    return quad(integrand, -np.inf, 0.0, epsabs=1e-14, epsrel=1e-13)[0] + \
        quad(integrand, 0.0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]


def normalising_constant(activation) -> float:
    """``c_sigma = 1 / E[sigma(z)^2]`` for ``z ~ N(0, 1)`` (scipy quadrature split at 0): the scale
    that keeps ``E[h^2]`` fixed from layer to layer (2 for ReLU)."""
    act = activation if isinstance(activation, Activation) else _activation(activation)
    m2 = _second_moment(act)
    if not m2 > 0:
        raise ValueError(f"activation {act.name!r} has E[sigma(z)^2] = 0; it cannot be normalised")
    return 1.0 / m2


def _neighbours(shape: tuple[int, ...], offsets: list[tuple[int, ...]]) -> np.ndarray:
    """``nbr[w, i]`` = flat index of pixel ``i + offsets[w]`` on the circular grid, shape (Q, D)."""
    grid = np.indices(shape).reshape(len(shape), -1)                  # (nsp, D)
    out = np.empty((len(offsets), grid.shape[1]), dtype=np.intp)
    for w, off in enumerate(offsets):
        moved = [(grid[a] + off[a]) % shape[a] for a in range(len(shape))]
        out[w] = np.ravel_multi_index(moved, shape)
    return out


class DeepCNN:
    """Stack of a 1x1 conv and ``depth - 1`` circular convs of filter ``filter_size``, scalar head.

    Parameters
    ----------
    zeta : int
        Input channels (pixel dimension).
    d : int or (int, int)
        Number of pixels (signal length), or the grid shape ``(H, W)`` of 2-D inputs.
    width : int
        Channels ``m`` of every hidden layer.
    depth : int
        ``L >= 2``.
    filter_size : int
        ``q >= 1``; window offsets as :func:`theory.geifman2022.window`.
    head : {"eq", "tr", "gap"}
    seed : int
    activation : str or Activation
        Any activation of :mod:`numerics.nets.activations` (default ReLU).
    c_sigma : float > 0
        Normalising constant (default 2, ReLU's; pass :func:`normalising_constant` for another sigma).

    Attributes
    ----------
    params : dict of ndarray
        ``"W1"`` (m, zeta), ``"W2"`` ... ``"WL"`` (m, m, Q), ``"v"`` (m,) or (m, D) for ``tr``.
    shape : tuple of int
        The pixel grid, ``(d,)`` or ``(H, W)``; ``d`` is the number of pixels ``D``.
    """

    def __init__(self, zeta: int, d, width: int, depth: int, filter_size: int, head: str, seed: int = 0,
                 activation="relu", c_sigma: float = 2.0):
        shape = tuple(d) if isinstance(d, (tuple, list)) else (d,)
        if len(shape) not in (1, 2):
            raise ValueError(f"`d` must be a number of pixels or a grid shape (H, W); got {d!r}")
        for name, val, lo in (("zeta", zeta, 1), ("width", width, 1), ("depth", depth, 2)):
            check_int(name, val, lo)
        for val in shape:
            check_int("d", val, 1, what="grid size")
        if head not in HEADS:
            raise ValueError(f"`head` must be one of {list(HEADS)}; got {head!r}")
        self.shape = tuple(int(v) for v in shape)
        self.offsets = list(itertools.product(window(filter_size), repeat=len(shape)))
        self.nbr = _neighbours(self.shape, self.offsets)
        self.inv = np.argsort(self.nbr, axis=1)                  # nbr[w, inv[w, j]] = j
        self.zeta, self.d, self.m, self.depth = zeta, math.prod(self.shape), width, depth
        self.q, self.head = filter_size, head
        self.Q = len(self.offsets)
        self.sigma = activation if isinstance(activation, Activation) else _activation(activation)
        self.c = check_real("c_sigma", c_sigma, 0.0, lo_open=True)
        rng = np.random.default_rng(seed)
        p = {"W1": rng.standard_normal((width, zeta))}
        for l in range(2, depth + 1):
            p[f"W{l}"] = rng.standard_normal((width, width, self.Q))
        p["v"] = rng.standard_normal((width, self.d) if head == "tr" else (width,))
        self.params = p

    # ------------------------------------------------------------------ forward
    def _patches(self, A: np.ndarray) -> np.ndarray:
        """(n, m, D) -> (n, m, Q, D) with ``P[:, :, w, i] = A[:, :, i + offset_w]`` (circular)."""
        return A[:, :, self.nbr]

    def _unpatch(self, gP: np.ndarray) -> np.ndarray:
        """Adjoint of :meth:`_patches`: (n, m, Q, D) -> (n, m, D), summing each pixel's uses."""
        return gP[:, :, np.arange(self.Q)[:, None], self.inv].sum(axis=2)

    def _forward(self, X: np.ndarray):
        """Forward pass on checked inputs of shape (n, zeta, D)."""
        n = X.shape[0]
        h = np.einsum("kc,nci->nki", self.params["W1"], X)
        cache = [(None, h)]
        for l in range(2, self.depth + 1):
            A = self.sigma.value(h)
            P = self._patches(A)
            W = self.params[f"W{l}"]
            scale = np.sqrt(self.c / (self.Q * self.m))
            Pm = P.reshape(n, -1, self.d).transpose(1, 0, 2).reshape(-1, n * self.d)    # (m q, n d)
            h = scale * (W.reshape(self.m, -1) @ Pm).reshape(self.m, n, self.d).transpose(1, 0, 2)
            cache.append((P, h))
        A = self.sigma.value(h)
        v = self.params["v"]
        if self.head == "eq":
            f = np.sqrt(self.c / self.m) * A[:, :, 0] @ v
        elif self.head == "tr":
            f = np.sqrt(self.c / (self.m * self.d)) * np.einsum("nki,ki->n", A, v)
        else:
            f = np.sqrt(self.c / self.m) * A.mean(axis=2) @ v
        return f, cache, A

    def _check_X(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 + len(self.shape) or X.shape[1:] != (self.zeta,) + self.shape:
            raise ValueError(f"`X` must have shape (n, {self.zeta}, {', '.join(map(str, self.shape))}); "
                             f"got {X.shape}")
        return X.reshape(X.shape[0], self.zeta, self.d)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs ``f(x_i)``, shape (n,), for X of shape (n, zeta, d) or (n, zeta, H, W)."""
        return self._forward(self._check_X(X))[0]

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
            c = np.sqrt(self.c / m)
            out["v"] = c * A[:, :, 0]
            gA = np.zeros_like(A)
            gA[:, :, 0] = c * v
        elif self.head == "tr":
            c = np.sqrt(self.c / (m * d))
            out["v"] = c * A
            gA = np.broadcast_to(c * v, A.shape).copy()
        else:
            c = np.sqrt(self.c / m)
            out["v"] = c * A.mean(axis=2)
            gA = np.broadcast_to((c / d) * v[:, None], A.shape).copy()
        for l in range(self.depth, 1, -1):
            P, h = cache[l - 1]
            gh = gA * self.sigma.derivative(h)                       # (n, m, d)
            scale = np.sqrt(self.c / (self.Q * m))
            out[f"W{l}"] = (scale * gh, P)
            W = self.params[f"W{l}"]
            ghm = gh.transpose(1, 0, 2).reshape(m, n * d)
            gP = scale * (W.reshape(m, -1).T @ ghm).reshape(m, self.Q, n, d).transpose(2, 0, 1, 3)
            gA = self._unpatch(gP)
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
