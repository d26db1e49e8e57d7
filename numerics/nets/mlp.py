"""Deep fully connected networks, plain and residual, with hand-written backpropagation.

The parameterisation is the NTK one (Jacot et al. 2018; neural-tangents ``stax`` with
``parameterization="ntk"``): every weight is a standard normal number and each layer scales by
``W_std / sqrt(fan_in)``.  For inputs ``x`` (rows of ``X``, shape (n, d)) and depth ``L``::

    h^0 = x
    z^l = (W_std / sqrt(n_{l-1})) h^{l-1} W_l^T + b_std b_l            l = 1..L
    h^l = sigma(z^l)                                  (plain, and l = 1 of the residual net)
    h^l = h^{l-1} + alpha sigma(z^l)                  (residual, l >= 2: skip connections)
    f(x) = (W_std / sqrt(n_L)) h^L . a + b_std b_out

The loss is ``(1/(2n)) sum_i (f(x_i) - y_i)^2``, as for :class:`numerics.nets.cnn.CNN`.  All passes
are matrix products over the whole batch (no loop over samples); the only loop is over layers.
The empirical NTK is assembled from the per-layer backward signals
(:meth:`MLP.empirical_ntk`), never from a per-sample Jacobian.

Used by the Basri et al. 2019 deep- and residual-net experiments (docs/basri2019.md §8).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from numerics.nets.activations import Activation, get as get_activation
from numerics.nets.checks import check_std
from theory.validate import check_int, check_real

__all__ = ["MLP"]


class MLP:
    """Depth-``L`` fully connected net of width ``m`` (plain or residual), NTK parameterisation.

    Parameters
    ----------
    d : int >= 1
        Input dimension.
    width : int >= 1
        Hidden width ``m`` (every hidden layer).
    depth : int >= 1
        Number of hidden layers ``L`` (depth 1 is the two-layer net).
    activation : str or Activation
        A name of :data:`numerics.nets.activations.ACTIVATIONS` or an :class:`Activation`.
    W_std, b_std : float >= 0
        Weight and bias scales (``b_std = 0``: no bias parameters).
    residual : bool
        Skip connections ``h^l = h^{l-1} + alpha sigma(z^l)`` for ``l >= 2``.
    alpha : float > 0, optional
        Residual branch scale (default ``1/sqrt(L)``).
    seed : int or numpy.random.Generator
        Seeds the standard normal initial parameters.

    Attributes
    ----------
    params : dict of str -> ndarray
        ``"W1"`` (m, d), ``"W2"``..``"WL"`` (m, m), ``"b1"``..``"bL"`` (m,) when ``b_std > 0``,
        ``"a"`` (m,), ``"b_out"`` (1,) when ``b_std > 0``.
    act : Activation
    """

    def __init__(self, d, width, depth, activation="relu", *, W_std=1.0, b_std=0.0, residual=False,
                 alpha=None, seed=0):
        self.d = check_int("d", d, 1)
        self.width = check_int("width", width, 1)
        self.depth = check_int("depth", depth, 1)
        self.act = activation if isinstance(activation, Activation) else get_activation(activation)
        self.W_std = check_std("W_std", W_std, 1.0)
        self.b_std = check_std("b_std", b_std, 0.0)
        if not isinstance(residual, bool):
            raise TypeError(f"`residual` must be a bool; got {residual!r}")
        self.residual = residual
        self.alpha = (1.0 / math.sqrt(self.depth) if alpha is None
                      else check_real("alpha", alpha, 0.0, lo_open=True))
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        m = self.width
        self.params = {"W1": rng.standard_normal((m, self.d))}
        for l in range(2, self.depth + 1):
            self.params[f"W{l}"] = rng.standard_normal((m, m))
        if self.b_std > 0:
            for l in range(1, self.depth + 1):
                self.params[f"b{l}"] = rng.standard_normal(m)
        self.params["a"] = rng.standard_normal(m)
        if self.b_std > 0:
            self.params["b_out"] = rng.standard_normal(1)

    # ------------------------------------------------------------------ structure
    @property
    def keys(self) -> tuple[str, ...]:
        """Parameter names in flattening order."""
        return tuple(self.params)

    @property
    def num_params(self) -> int:
        return sum(v.size for v in self.params.values())

    def _scale(self, l: int) -> float:
        """``W_std / sqrt(fan_in)`` of layer ``l`` (``l = L + 1`` is the readout)."""
        return self.W_std / math.sqrt(self.d if l == 1 else self.width)

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.d or not np.all(np.isfinite(X)):
            raise ValueError(f"`X` must be a finite array of shape (n, {self.d}); got shape {X.shape}")
        return X

    # ------------------------------------------------------------------ passes
    def _forward(self, X):
        """Pre-activations ``z^l`` and layer outputs ``h^l`` (lists), and ``f`` (n,)."""
        p, zs, hs = self.params, [], [X]
        for l in range(1, self.depth + 1):
            z = (hs[-1] @ p[f"W{l}"].T) * self._scale(l)
            if self.b_std > 0:
                z += self.b_std * p[f"b{l}"]
            s = self.act.value(z)
            zs.append(z)
            hs.append(hs[-1] + self.alpha * s if (self.residual and l >= 2) else s)
        f = (hs[-1] @ p["a"]) * self._scale(self.depth + 1)
        if self.b_std > 0:
            f = f + self.b_std * p["b_out"][0]
        return zs, hs, f

    def forward(self, X) -> np.ndarray:
        """Outputs ``f(x_i)``, shape (n,)."""
        return self._forward(self._check_X(X))[2]

    def _backward(self, zs, hs, g_f):
        """Backward signals ``delta^l = d(sum_i g_f[i] f_i) / d z^l`` (list, each (n, m)).

        ``g_f`` of shape (n,) weights the samples; ``g_f = 1`` in a single row gives that sample's
        derivatives.
        """
        p, L = self.params, self.depth
        g_h = np.outer(g_f, p["a"]) * self._scale(L + 1)
        deltas = [None] * L
        for l in range(L, 0, -1):
            branch = self.alpha if (self.residual and l >= 2) else 1.0
            g_z = g_h * self.act.derivative(zs[l - 1])
            if branch != 1.0:
                g_z *= branch
            deltas[l - 1] = g_z
            if l > 1:
                back = (g_z @ p[f"W{l}"]) * self._scale(l)
                g_h = g_h + back if (self.residual and l >= 2) else back
        return deltas

    def loss_and_grad(self, X, Y) -> tuple[float, dict[str, np.ndarray]]:
        """Loss ``(1/(2n)) ||f - Y||^2`` and its gradient (dict keyed like :attr:`params`)."""
        X = self._check_X(X)
        Y = np.asarray(Y, dtype=np.float64).reshape(-1)
        if Y.shape != (X.shape[0],):
            raise ValueError(f"`Y` must have {X.shape[0]} entries (one per row of X); got {Y.shape}")
        zs, hs, f = self._forward(X)
        n = X.shape[0]
        r = f - Y
        g_f = r / n
        deltas = self._backward(zs, hs, g_f)
        grads = {}
        for l in range(1, self.depth + 1):
            grads[f"W{l}"] = (deltas[l - 1].T @ hs[l - 1]) * self._scale(l)
            if self.b_std > 0:
                grads[f"b{l}"] = self.b_std * deltas[l - 1].sum(axis=0)
        grads["a"] = (hs[-1].T @ g_f) * self._scale(self.depth + 1)
        if self.b_std > 0:
            grads["b_out"] = np.array([self.b_std * g_f.sum()])
        return float(0.5 * np.dot(r, r) / n), {k: grads[k] for k in self.keys}

    def loss(self, X, Y) -> float:
        """The loss alone (one forward pass)."""
        r = self.forward(X) - np.asarray(Y, dtype=np.float64).reshape(-1)
        return float(0.5 * np.dot(r, r) / r.size)

    def empirical_ntk(self, X, Z=None) -> np.ndarray:
        """``Theta(x_i, z_j) = sum_theta df(x_i)/dtheta df(z_j)/dtheta``, shape (n, n') (Jacot et al. 2018).

        Each layer contributes ``(delta^l(X) delta^l(Z)^T) * (s_l^2 h^{l-1}(X) h^{l-1}(Z)^T + b_std^2)``
        and the readout ``s_{L+1}^2 h^L(X) h^L(Z)^T + b_std^2``: products of Gram matrices, no
        per-sample Jacobian.
        """
        X = self._check_X(X)
        Z = X if Z is None else self._check_X(Z)
        parts = []
        for A in (X, Z):
            zs, hs, _ = self._forward(A)
            parts.append((hs, self._backward(zs, hs, np.ones(A.shape[0]))))
        (hx, dx), (hz, dz) = parts
        b2 = self.b_std ** 2
        K = self._scale(self.depth + 1) ** 2 * (hx[-1] @ hz[-1].T) + b2
        for l in range(1, self.depth + 1):
            K += (dx[l - 1] @ dz[l - 1].T) * (self._scale(l) ** 2 * (hx[l - 1] @ hz[l - 1].T) + b2)
        return K

    # ------------------------------------------------------------------ flat vector (flow.simulate)
    def get_flat(self) -> np.ndarray:
        """All parameters as one vector (order :attr:`keys`)."""
        return np.concatenate([v.ravel() for v in self.params.values()])

    def set_flat(self, theta) -> None:
        """Write ``theta`` (layout of :meth:`get_flat`) into :attr:`params` (copies)."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.num_params,):
            raise ValueError(f"`theta` must have shape ({self.num_params},); got {theta.shape}")
        i = 0
        for k, v in self.params.items():
            self.params[k] = theta[i:i + v.size].reshape(v.shape).copy()
            i += v.size

    def flatten(self, grads: dict[str, np.ndarray]) -> np.ndarray:
        """A gradient dict as one vector (layout of :meth:`get_flat`)."""
        return np.concatenate([grads[k].ravel() for k in self.keys])

    def prepare(self, X, Y) -> "MLPBatch":
        """Fixed training data, validated once."""
        return MLPBatch(self, X, Y)

    def __repr__(self) -> str:
        kind = "residual" if self.residual else "plain"
        return (f"MLP(d={self.d}, width={self.width}, depth={self.depth}, {self.act.name}, {kind}, "
                f"W_std={self.W_std:g}, b_std={self.b_std:g})")


class MLPBatch:
    """Training data of an :class:`MLP` (the interface the training loops use)."""

    def __init__(self, net: MLP, X, Y):
        self.net = net
        self.X = net._check_X(X)
        Y = np.asarray(Y, dtype=np.float64).reshape(-1)
        if Y.shape != (self.X.shape[0],):
            raise ValueError(f"`Y` must have {self.X.shape[0]} entries; got shape {Y.shape}")
        self.Y = Y
        self.n = self.X.shape[0]

    def loss_and_grad(self) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradient dict at the net's current parameters."""
        return self.net.loss_and_grad(self.X, self.Y)

    def flat(self, theta) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at the flat parameters ``theta``."""
        self.net.set_flat(theta)
        loss, g = self.loss_and_grad()
        return loss, self.net.flatten(g)
