"""A two-layer convolutional network with hand-written, vectorised forward and backward passes.

Model (``../shared/theory/cnn_gradient_flow.md`` §0; interface ``../shared/DESIGN.md``)::

    z_k[p] = sum_c sum_j w_k[c, j] x[c, p + j] + b_k       (cross-correlation; 2-D: p, j pairs)
    map  : u(x)[p] = s * sum_k a_k sigma(z_k[p])            output shape P
    gap  : f(x)    = s * sum_k a_k mean_p sigma(z_k[p])     scalar
    dense: f(x)    = s * sum_k sum_p a_{k,p} sigma(z_k[p])  scalar

with ``s = output_scale``; indices ``p + j`` taken mod L for ``padding="circular"`` (P = L per
axis) and ``p = 0 .. L - q`` for ``padding="valid"`` (P = L - q + 1 per axis).
Loss ``L = 1/(2n) sum_i ||f(x_i) - y_i||^2``.

Implementation: im2col through :func:`numpy.lib.stride_tricks.sliding_window_view` (one copy of the
patches, layout ``(n, C q^dim, |P|)``), then batched BLAS matmuls for ``z = w @ cols`` (layout
``(n, m, |P|)``, matching ``a``'s ``(m, *P)``) and ``grad w``; no Python loop over samples, kernels
or positions.  Large work arrays are kept between calls and reused (page-faulting fresh memory
costs as much as the arithmetic here); :meth:`CNN.clear_workspace` releases them.  For ReLU the
activation is applied in place and ``relu'(z) = [relu(z) > 0]`` is read off the features.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from numerics import activations as _act

__all__ = ["CNN", "PADDINGS", "HEADS"]

PADDINGS = ("circular", "valid")
HEADS = ("map", "gap", "dense")


def _int(name: str, v: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int >= {lo}; got {v!r}")
    v = int(v)
    if v < lo or (hi is not None and v > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"`{name}` must be an int {rng}; got {v}")
    return v


def _std(name: str, v: Any, default: float) -> float:
    if v is None:
        return float(default)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a real number >= 0 or None; got {v!r}") from None
    if not (math.isfinite(f) and f >= 0):
        raise ValueError(f"`{name}` must be a finite real number >= 0; got {v!r}")
    return f


class CNN:
    """Two-layer CNN: one convolutional layer of ``m`` kernels, activation, fixed-shape head.

    Parameters
    ----------
    dim : {1, 2}
        Spatial dimension of the input.
    in_channels : int >= 1
        Number of input channels ``C``.
    channels : int >= 1
        Number of kernels ``m``.
    kernel_size : int >= 1
        Kernel side ``q`` (2-D kernels are ``q x q``).
    padding : {"circular", "valid"}
    bias : bool
        Whether each kernel has a trainable bias ``b_k``.
    activation : str
        One of :data:`numerics.activations.ACTIVATIONS` (relu, leaky_relu, tanh, linear, xtanh,
        softplus, relu2).
    head : {"map", "gap", "dense"}
    seed : int, sequence of int or numpy.random.Generator
        Seed of the initialisation (same seed, same parameters).
    output_scale : float, default 1
        ``s``, multiplies the output (``1/sqrt(m)`` gives the NTK parameterisation).
    dtype : numpy float dtype, default float64
        float64 or float32; parameters, activations and gradients use it.
    input_size : int or tuple of int, optional
        Spatial input shape ``L`` or ``(H, W)``.  Required for ``head="dense"`` (``a`` has shape
        ``(m, *P)``); when given, :meth:`forward` rejects inputs of another size.
    w_std, b_std, a_std : float, optional
        Standard deviations of the Gaussian initialisation.  Defaults: ``w_std = b_std =
        1/sqrt(C q^dim)`` (fan-in), ``a_std = 1/sqrt(m)`` (map, gap) or ``1/sqrt(m |P|)`` (dense).

    Attributes
    ----------
    params : dict of ndarray
        ``"w"`` (m, C, q) or (m, C, q, q); ``"b"`` (m,) only with bias; ``"a"`` (m,) for map/gap,
        (m, *P) for dense.  Read by every call: assigning into it changes the net.
    """

    def __init__(self, dim, in_channels, channels, kernel_size, padding, bias, activation, head,
                 seed, output_scale=1.0, dtype=np.float64, input_size=None, w_std=None, b_std=None,
                 a_std=None):
        self.dim = _int("dim", dim, 1, 2)
        self.in_channels = _int("in_channels", in_channels, 1)
        self.channels = _int("channels", channels, 1)
        self.kernel_size = _int("kernel_size", kernel_size, 1)
        if padding not in PADDINGS:
            raise ValueError(f"`padding` must be one of {list(PADDINGS)}; got {padding!r}")
        self.padding = padding
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"`bias` must be a bool; got {bias!r}")
        self.bias = bool(bias)
        self.act = _act.get(activation)
        self.activation = activation
        if head not in HEADS:
            raise ValueError(f"`head` must be one of {list(HEADS)}; got {head!r}")
        self.head = head
        try:
            self.output_scale = float(output_scale)
        except (TypeError, ValueError):
            raise TypeError(f"`output_scale` must be a real number; got {output_scale!r}") from None
        if not math.isfinite(self.output_scale):
            raise ValueError(f"`output_scale` must be finite; got {output_scale!r}")
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(f"`dtype` must be float64 or float32; got {dtype!r}")
        self.dtype = dt
        self.input_size = None if input_size is None else self._check_size(input_size)
        if head == "dense" and self.input_size is None:
            raise ValueError("`input_size` (spatial input shape, int or (H, W)) is required for "
                             "head='dense': the readout `a` has shape (m, *P)")
        m, C, q = self.channels, self.in_channels, self.kernel_size
        fan_in = C * q ** self.dim
        P = self.output_shape(self.input_size) if self.input_size is not None else None
        self.P = P
        nP = math.prod(P) if P is not None else 1
        ws = _std("w_std", w_std, 1 / math.sqrt(fan_in))
        bs = _std("b_std", b_std, 1 / math.sqrt(fan_in))
        as_ = _std("a_std", a_std, 1 / math.sqrt(m * (nP if head == "dense" else 1)))
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self._ws: dict[str, np.ndarray] = {}
        self.params: dict[str, np.ndarray] = {}
        self.params["w"] = (ws * rng.standard_normal((m, C) + (q,) * self.dim)).astype(dt)
        if self.bias:
            self.params["b"] = (bs * rng.standard_normal(m)).astype(dt)
        a_shape = (m,) + (tuple(P) if head == "dense" else ())
        self.params["a"] = (as_ * rng.standard_normal(a_shape)).astype(dt)

    # ------------------------------------------------------------------ shapes and validation
    def _check_size(self, size) -> tuple[int, ...]:
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
            size = (int(size),) * self.dim
        try:
            size = tuple(int(s) for s in size)
        except TypeError:
            raise TypeError(f"`input_size` must be an int or a tuple of {self.dim} ints; got {size!r}") from None
        if len(size) != self.dim or min(size) < 1:
            raise ValueError(f"`input_size` must have {self.dim} positive entries; got {size!r}")
        if self.padding == "valid" and min(size) < self.kernel_size:
            raise ValueError(f"with padding='valid' the input size must be >= kernel_size="
                             f"{self.kernel_size} on every axis; got `input_size`={size}")
        return size

    def output_shape(self, input_size) -> tuple[int, ...]:
        """Spatial output shape ``P`` for spatial input shape ``input_size`` (int or tuple)."""
        size = self._check_size(input_size)
        if self.padding == "circular":
            return size
        return tuple(s - self.kernel_size + 1 for s in size)

    @property
    def num_params(self) -> int:
        return sum(v.size for v in self.params.values())

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
            raise TypeError(f"`X` must be a real numeric array; got dtype {X.dtype}")
        want = 2 + self.dim
        if X.ndim != want:
            shape = "(n, C, L)" if self.dim == 1 else "(n, C, H, W)"
            raise ValueError(f"`X` must have shape {shape} ({want} axes) for dim={self.dim}; got {X.shape}")
        if X.shape[1] != self.in_channels:
            raise ValueError(f"`X` has {X.shape[1]} channels on axis 1; the net expects "
                             f"in_channels={self.in_channels}")
        if X.shape[0] < 1:
            raise ValueError(f"`X` must hold at least one sample; got shape {X.shape}")
        size = tuple(X.shape[2:])
        if self.input_size is not None and size != self.input_size:
            raise ValueError(f"`X` has spatial shape {size}; the net was built for input_size={self.input_size}")
        self._check_size(size)
        X = X.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("`X` contains non-finite values (nan or inf)")
        return X

    def _params(self):
        p = self.params
        w = p["w"]
        m, C, q = self.channels, self.in_channels, self.kernel_size
        if w.shape != (m, C) + (q,) * self.dim:
            raise ValueError(f"params['w'] must have shape {(m, C) + (q,) * self.dim}; got {w.shape}")
        b = p.get("b") if self.bias else None
        if self.bias and (b is None or b.shape != (m,)):
            raise ValueError(f"params['b'] must have shape ({m},); got {None if b is None else b.shape}")
        return w, b, p["a"]

    # ------------------------------------------------------------------ im2col
    def patches(self, X) -> tuple[np.ndarray, tuple[int, ...]]:
        """im2col matrix of ``X``.

        Returns
        -------
        Pt : ndarray, shape (n * |P|, C * q^dim)
            Row ``(i, p)`` is the patch ``x_i[c, p + j]`` flattened in ``(c, j)`` order, so that
            ``z = Pt @ w.reshape(m, -1).T``.
        P : tuple of int
            Spatial output shape.
        """
        X = self._check_X(X)
        q, d = self.kernel_size, self.dim
        axes = tuple(range(2, 2 + d))
        if self.padding == "circular":
            X = np.pad(X, [(0, 0), (0, 0)] + [(0, q - 1)] * d, mode="wrap")
        win = sliding_window_view(X, (q,) * d, axis=axes)       # (n, C, *P, *q)
        P = win.shape[2:2 + d]
        n, C = X.shape[:2]
        # (n, *P, C, *q): move channel axis after positions, then one contiguous copy
        win = np.moveaxis(win, 1, 1 + d)
        Pt = np.ascontiguousarray(win).reshape(n * math.prod(P), C * q ** d)
        return Pt, tuple(P)

    def cols(self, X, out: np.ndarray | None = None, ones_row: bool = False) -> tuple[np.ndarray, tuple[int, ...]]:
        """im2col in the layout used by the forward/backward pass.

        Parameters
        ----------
        X : array_like, shape (n, C, *L)
        out : ndarray, optional
            Array to reuse when it has the right shape and dtype.
        ones_row : bool
            Append a row of ones (``cols[:, -1, :] = 1``) so that the bias is one more column of
            the kernel matrix (bias and its gradient come out of the same BLAS calls).

        Returns
        -------
        cols : ndarray, shape (n, C * q^dim (+1), |P|)
            ``cols[i, (c, j), p] = x_i[c, p + j]`` (indices mod L for circular padding), so that
            ``z_i = w.reshape(m, -1) @ cols[i]`` (one batched BLAS matmul for all samples).
        P : tuple of int
        """
        X = self._check_X(X)
        q, d = self.kernel_size, self.dim
        if self.padding == "circular":
            X = np.pad(X, [(0, 0), (0, 0)] + [(0, q - 1)] * d, mode="wrap")
        win = sliding_window_view(X, (q,) * d, axis=tuple(range(2, 2 + d)))   # (n, C, *P, *q)
        P = tuple(win.shape[2:2 + d])
        n, C = X.shape[:2]
        src = win.transpose((0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d)))
        F = C * q ** d
        shape = (n, F + int(bool(ones_row)), math.prod(P))
        if out is None or out.shape != shape or out.dtype != self.dtype:
            out = np.empty(shape, dtype=self.dtype)
        np.copyto(out[:, :F].reshape(src.shape), src)
        if ones_row:
            out[:, F] = 1
        return out, P

    def _buffer(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable work array (avoids page-faulting fresh memory on every call)."""
        buf = self._ws.get(name)
        if buf is None or buf.shape != shape or buf.dtype != self.dtype:
            buf = np.empty(shape, dtype=self.dtype)
            self._ws[name] = buf
        return buf

    def clear_workspace(self) -> None:
        """Release the work arrays kept between calls of :meth:`loss_and_grad` / :meth:`forward`."""
        self._ws = {}

    def _pre(self, X):
        w, b, a = self._params()
        Pt, P = self.patches(X)
        Z = Pt @ w.reshape(self.channels, -1).T                  # (n|P|, m)
        if b is not None:
            Z += b
        n = Pt.shape[0] // math.prod(P)
        return Pt, Z, P, n, a

    def _check_a(self, a, P):
        want = (self.channels,) + (tuple(P) if self.head == "dense" else ())
        if a.shape != want:
            raise ValueError(f"params['a'] must have shape {want} for head={self.head!r}; got {a.shape}")

    # ------------------------------------------------------------------ public API
    def preactivations(self, X) -> np.ndarray:
        """``z_k[p]`` for every sample: ndarray, shape (n, m, *P)."""
        _, Z, P, n, _ = self._pre(X)
        return np.moveaxis(Z.reshape((n,) + tuple(P) + (self.channels,)), -1, 1)

    def features(self, X) -> np.ndarray:
        """``phi_k(x) = sigma(z_k)``: ndarray, shape (n, m, *P)."""
        return self.act.value(self.preactivations(X))

    def forward(self, X) -> np.ndarray:
        """Network output.

        Parameters
        ----------
        X : array_like, shape (n, C, L) or (n, C, H, W)

        Returns
        -------
        ndarray, shape (n, *P) for head="map", (n,) for "gap" and "dense".
        """
        cols, P = self.cols(X, out=self._ws.get("cols"), ones_row=self.bias)
        self._ws["cols"] = cols
        return self._core(cols, P, cols.shape[0])[0]

    __call__ = forward

    def _check_Y(self, Y, out_shape):
        Y = np.asarray(Y)
        if not np.issubdtype(Y.dtype, np.number) or np.iscomplexobj(Y):
            raise TypeError(f"`Y` must be a real numeric array; got dtype {Y.dtype}")
        if Y.shape != out_shape:
            if len(out_shape) == 1 and Y.shape == out_shape + (1,):
                Y = Y[:, 0]
            else:
                raise ValueError(f"`Y` must have shape {out_shape} (the output shape for these X); got {Y.shape}")
        Y = Y.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(Y)):
            raise ValueError("`Y` contains non-finite values (nan or inf)")
        return Y

    def loss_and_grad(self, X, Y) -> tuple[float, dict[str, np.ndarray]]:
        """Loss ``1/(2n) sum_i ||f(x_i) - y_i||^2`` and its gradient.

        Parameters
        ----------
        X : array_like, shape (n, C, L) or (n, C, H, W)
        Y : array_like, shape of ``forward(X)`` ((n, *P) for map, (n,) or (n, 1) otherwise)

        Returns
        -------
        loss : float
        grads : dict of ndarray with the keys and shapes of :attr:`params`
        """
        cols, P = self.cols(X, out=self._ws.get("cols"), ones_row=self.bias)
        self._ws["cols"] = cols
        n = cols.shape[0]
        Y = self._check_Y(Y, (n,) + (P if self.head == "map" else ()))
        return self._core(cols, P, n, Y)[1:]

    def prepare(self, X, Y) -> "Batch":
        """Validate ``X, Y`` once and build their patches: a :class:`Batch` for repeated calls.

        ``X`` is fixed during training, so the im2col matrix is computed once; ``Batch.loss_and_grad``
        then reads the current :attr:`params` on every call (used by :mod:`numerics.flow`).
        """
        return Batch(self, X, Y)

    def _core(self, cols, P, n, Y=None):
        """Forward pass on im2col data, and the backward pass when targets ``Y`` are given.

        Parameters
        ----------
        cols : ndarray, shape (n, C q^dim (+1 with bias: a row of ones), |P|)   (see :meth:`cols`)
        Y : ndarray of the output shape, or None

        Returns
        -------
        (out, loss, grads) ; loss and grads are None without ``Y``.
        """
        w, b, a = self._params()
        self._check_a(a, P)
        m, nP, s, F = self.channels, math.prod(P), self.output_scale, cols.shape[1]
        W = w.reshape(m, -1)
        if b is not None:                     # bias = kernel column acting on the row of ones
            W = np.concatenate([W, b[:, None]], axis=1)
        Z = np.matmul(W, cols, out=self._buffer("Z", (n, m, nP)))
        relu = self.activation == "relu"
        H = np.maximum(Z, 0, out=Z) if relu else self.act.value(Z)     # relu: Z is overwritten
        if self.head == "map":
            out = np.matmul(a, H)                                      # (n, |P|)
        elif self.head == "gap":
            Hs = H.sum(axis=2)                                         # (n, m)
            out = (Hs @ a) / nP
        else:
            out = H.reshape(n, m * nP) @ a.reshape(-1)
        out = s * out
        if self.head == "map":
            out = out.reshape((n,) + tuple(P))
        if Y is None:
            return out, None, None
        R = out - Y
        loss = float(0.5 * np.sum(R.astype(np.float64) ** 2) / n)
        G = ((s / n) * R).reshape(n, -1).astype(self.dtype, copy=False)   # dL/d(head output / s)
        dZ = self._buffer("dZ", (n, m, nP))
        if self.head == "map":
            np.multiply(G[:, None, :], a[None, :, None], out=dZ)
            ga = np.matmul(H, G[:, :, None]).sum(axis=0)[:, 0]
        elif self.head == "gap":
            g = G[:, 0] / nP
            np.multiply(g[:, None, None], a[None, :, None], out=dZ)
            ga = g @ Hs
        else:
            g = G[:, 0]
            np.multiply(g[:, None, None], a.reshape(1, m, nP), out=dZ)
            ga = (g @ H.reshape(n, m * nP)).reshape(a.shape)
        if relu:
            np.multiply(dZ, H > 0, out=dZ)
        else:
            dZ *= self.act.derivative(Z)
        if F <= nP:          # batched (m x |P|) @ (|P| x F) products, summed over samples
            gw = np.matmul(dZ, cols.transpose(0, 2, 1), out=self._buffer("GW", (n, m, F))).sum(axis=0)
        else:
            gw = np.tensordot(dZ, cols, axes=([0, 2], [0, 2]))
        grads = {"w": gw[:, :w[0].size].reshape(w.shape).astype(self.dtype, copy=False)}
        if self.bias:
            grads["b"] = gw[:, -1].astype(self.dtype, copy=True)
        grads["a"] = np.asarray(ga, dtype=self.dtype).reshape(a.shape)
        return out, loss, grads

    def loss(self, X, Y) -> float:
        """The loss alone (one forward pass)."""
        out = self.forward(X)
        Y = self._check_Y(Y, out.shape)
        R = (out - Y).astype(np.float64)
        return float(0.5 * np.sum(R * R) / out.shape[0])

    # ------------------------------------------------------------------ flat parameter vector
    @property
    def keys(self) -> tuple[str, ...]:
        """Parameter names in flattening order: ("w", "b", "a") or ("w", "a")."""
        return ("w", "b", "a") if self.bias else ("w", "a")

    def get_flat(self) -> np.ndarray:
        """All parameters as one vector (order :attr:`keys`, each C-order raveled)."""
        return np.concatenate([self.params[k].ravel() for k in self.keys])

    def set_flat(self, theta, copy: bool = True) -> None:
        """Write the vector ``theta`` (layout of :meth:`get_flat`) into :attr:`params`.

        With ``copy=False`` the parameters become views of ``theta`` when its dtype is the net's.
        """
        theta = np.asarray(theta)
        if theta.shape != (self.num_params,):
            raise ValueError(f"`theta` must have shape ({self.num_params},); got {theta.shape}")
        i = 0
        for k in self.keys:
            v = self.params[k]
            self.params[k] = theta[i:i + v.size].reshape(v.shape).astype(self.dtype, copy=copy)
            i += v.size

    def flatten(self, grads: dict[str, np.ndarray]) -> np.ndarray:
        """A gradient dict as one vector in the layout of :meth:`get_flat`."""
        return np.concatenate([np.asarray(grads[k]).ravel() for k in self.keys])

    def channel_quantities(self, p: float | None = None) -> np.ndarray:
        """``Q_k = ||a_k||^2 - (||w_k||^2 + b_k^2) / p`` for every kernel k: ndarray, shape (m,).

        ``p`` defaults to the activation's homogeneity degree (1 if it has none).  For the dense head
        ``a_k`` is the readout vector ``a[k]``.
        """
        if p is None:
            p = self.act.degree or 1
        m = self.channels
        w, b, a = self._params()
        a64 = a.reshape(m, -1).astype(np.float64)
        w64 = w.reshape(m, -1).astype(np.float64)
        inner = np.sum(w64 * w64, axis=1)
        if b is not None:
            inner = inner + b.astype(np.float64) ** 2
        return np.sum(a64 * a64, axis=1) - inner / p

    def __repr__(self) -> str:
        return (f"CNN(dim={self.dim}, in_channels={self.in_channels}, channels={self.channels}, "
                f"kernel_size={self.kernel_size}, padding={self.padding!r}, bias={self.bias}, "
                f"activation={self.activation!r}, head={self.head!r}, output_scale={self.output_scale}, "
                f"dtype={self.dtype.name}, input_size={self.input_size})")


class Batch:
    """Fixed training data ``X, Y`` of a :class:`CNN`, validated once, with its patches.

    Attributes
    ----------
    net : CNN
    cols : ndarray, shape (n, C q^dim, |P|)
        im2col array (:meth:`CNN.cols`).
    P : tuple of int
        Spatial output shape.
    n : int
        Number of samples.
    Y : ndarray
        Targets, shape of the output.
    """

    def __init__(self, net: CNN, X, Y):
        self.net = net
        self.cols, self.P = net.cols(X, ones_row=net.bias)
        self.n = self.cols.shape[0]
        out_shape = (self.n,) + (tuple(self.P) if net.head == "map" else ())
        self.Y = net._check_Y(Y, out_shape)

    def loss_and_grad(self) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradient dict at the net's current parameters."""
        return self.net._core(self.cols, self.P, self.n, self.Y)[1:]

    def flat(self, theta) -> tuple[float, np.ndarray]:
        """Loss and flat gradient (layout of :meth:`CNN.get_flat`) at the flat parameters ``theta``."""
        self.net.set_flat(theta, copy=False)
        loss, g = self.loss_and_grad()
        return loss, self.net.flatten(g)
