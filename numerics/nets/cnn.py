"""A two-layer convolutional network with hand-written, vectorised forward and backward passes.

Model (``docs/cnnflow.md`` §0; public interface in README.md, 'Python')::

    z_k[p] = sum_c sum_j w_k[c, j] x[c, p + j] + b_k       (cross-correlation; 2-D: p, j pairs)
    map  : u(x)[p] = s * sum_k a_k sigma(z_k[p])            output shape P
    gap  : f(x)    = s * sum_k a_k mean_p sigma(z_k[p])     scalar
    dense: f(x)    = s * sum_k sum_p a_{k,p} sigma(z_k[p])  scalar

with ``s = output_scale``; indices ``p + j`` taken mod L for ``padding="circular"`` (P = L per
axis) and ``p = 0 .. L - q`` for ``padding="valid"`` (P = L - q + 1 per axis).
Loss ``L = 1/(2n) sum_i ||f(x_i) - y_i||^2``.

Implementation: the array work lives in :mod:`numerics.nets.blocks` (im2col from a sliding-window view,
one GEMM per block of samples for ``z`` and one for the kernel gradient, the heads' algebra;
samples are processed in cache-sized blocks, shared between threads); argument checks in
:mod:`numerics.nets.checks`.  No Python loop over samples, kernels or positions.  Work arrays are
kept between calls and reused; :meth:`CNN.clear_workspace` releases them.
"""
from __future__ import annotations

import math

import numpy as np
from numerics.nets import activations as _act
from numerics.nets import checks as _chk
from numerics.nets import blocks as _conv

__all__ = ["CNN", "PADDINGS", "HEADS"]

PADDINGS = ("circular", "valid")
HEADS = ("map", "gap", "dense")


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
        One of :data:`numerics.nets.activations.ACTIVATIONS` (relu, leaky_relu, tanh, linear, xtanh,
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
        self.dim = _chk.check_int("dim", dim, 1, 2)
        self.in_channels = _chk.check_int("in_channels", in_channels, 1)
        self.channels = _chk.check_int("channels", channels, 1)
        self.kernel_size = _chk.check_int("kernel_size", kernel_size, 1)
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
        ws = _chk.check_std("w_std", w_std, 1 / math.sqrt(fan_in))
        bs = _chk.check_std("b_std", b_std, 1 / math.sqrt(fan_in))
        as_ = _chk.check_std("a_std", a_std, 1 / math.sqrt(m * (nP if head == "dense" else 1)))
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
        return _chk.check_size(size, self.dim, self.padding, self.kernel_size)

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
        return _chk.check_X(X, self.dim, self.in_channels, self.input_size, self.padding,
                            self.kernel_size, self.dtype)

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
        """im2col matrix of ``X``, one row per patch (:func:`numerics.nets.blocks.patches`).

        Returns
        -------
        Pt : ndarray, shape (n * |P|, C * q^dim)
            Row ``(i, p)`` is the patch ``x_i[c, p + j]`` flattened in ``(c, j)`` order, so that
            ``z = Pt @ w.reshape(m, -1).T``.
        P : tuple of int
            Spatial output shape.
        """
        return _conv.patches(self._check_X(X), self.kernel_size, self.padding)

    def cols(self, X, out: np.ndarray | None = None, ones_row: bool = False) -> tuple[np.ndarray, tuple[int, ...]]:
        """im2col in the layout used by the forward/backward pass (:func:`numerics.nets.blocks.cols_into`).

        Parameters
        ----------
        X : array_like, shape (n, C, *L)
        out : ndarray, optional
            Array to reuse when it has the right shape and dtype.
        ones_row : bool
            Append a row of ones (``cols[-1] = 1``) so that the bias is one more column of the
            kernel matrix (bias and its gradient come out of the same BLAS calls).

        Returns
        -------
        cols : ndarray, shape (C * q^dim (+1), n, |P|)
            ``cols[(c, j), i, p] = x_i[c, p + j]`` (indices mod L for circular padding), so that
            ``z = w.reshape(m, -1) @ cols.reshape(F, -1)`` is one GEMM for all samples.
        P : tuple of int
        """
        X = self._check_X(X)
        win, P = _conv.windows(X, self.kernel_size, self.padding)
        shape = (self.in_channels * self.kernel_size ** self.dim + int(bool(ones_row)), X.shape[0], math.prod(P))
        if out is None or out.shape != shape or out.dtype != self.dtype:
            out = np.empty(shape, dtype=self.dtype)
        return _conv.cols_into(win, out, 0, ones_row), P

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

    def patch_preactivations(self, X) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        """Patches and pre-activations in the row-per-patch layout (used by the empirical NTK).

        Parameters
        ----------
        X : array_like, shape (n, C, *L)

        Returns
        -------
        Pt : ndarray, shape (n |P|, C q^dim)
            :meth:`patches` of ``X``.
        Z : ndarray, shape (n |P|, m)
            ``Z[(i, p), k] = z_k[p]`` of sample ``i``, bias included.
        P : tuple of int
            Spatial output shape; ``params["a"]`` is checked against it.
        """
        w, b, a = self._params()
        Pt, P = self.patches(X)
        self._check_a(a, P)
        Z = Pt @ w.reshape(self.channels, -1).T                  # (n|P|, m)
        if b is not None:
            Z += b
        return Pt, Z, P

    def _check_a(self, a, P):
        want = (self.channels,) + (tuple(P) if self.head == "dense" else ())
        if a.shape != want:
            raise ValueError(f"params['a'] must have shape {want} for head={self.head!r}; got {a.shape}")

    # ------------------------------------------------------------------ public API
    def preactivations(self, X) -> np.ndarray:
        """``z_k[p]`` for every sample: ndarray, shape (n, m, *P)."""
        _, Z, P = self.patch_preactivations(X)
        n = Z.shape[0] // math.prod(P)
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
        X = self._check_X(X)
        win, P = _conv.windows(X, self.kernel_size, self.padding)
        return self._core(P, X.shape[0], win=win)[0]

    __call__ = forward

    def _check_Y(self, Y, out_shape):
        return _chk.check_Y(Y, out_shape, self.dtype)

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
        X = self._check_X(X)
        win, P = _conv.windows(X, self.kernel_size, self.padding)
        n = X.shape[0]
        Y = self._check_Y(Y, (n,) + (P if self.head == "map" else ()))
        return self._core(P, n, Y, win=win)[1:]

    def prepare(self, X, Y) -> "Batch":
        """Validate ``X, Y`` once and build their patches: a :class:`Batch` for repeated calls.

        ``X`` is fixed during training, so the im2col matrix is computed once; ``Batch.loss_and_grad``
        then reads the current :attr:`params` on every call (used by :mod:`numerics.dynamics.flow`).
        """
        return Batch(self, X, Y)

    def _core(self, P, n, Y=None, win=None, cols=None):
        """Forward pass (and backward pass when ``Y`` is given) by :func:`numerics.nets.blocks.run_blocks`.

        ``P`` output shape, ``n`` samples, ``Y`` targets or None; patches from the sliding-window
        view ``win`` (:func:`numerics.nets.blocks.windows`) or the precomputed ``cols`` (:meth:`cols`).
        Returns ``(out, loss, grads)``; loss and grads are None without ``Y``.
        """
        w, b, a = self._params()
        self._check_a(a, P)
        m, nP, s = self.channels, math.prod(P), self.output_scale
        W = w.reshape(m, -1)
        if b is not None:                     # bias = kernel column acting on the row of ones
            W = np.concatenate([W, b[:, None]], axis=1)
        W = W.astype(self.dtype, copy=False)
        a2 = a.reshape(m, nP) if self.head == "dense" else a
        out, loss, gw, ga = _conv.run_blocks(W, a2, self.head, self.act, s, P, n, Y, win, cols,
                                             self._buffer)
        if self.head == "map":
            out = out.reshape((n,) + tuple(P))
        if Y is None:
            return out, None, None
        grads = {"w": gw[:, :w[0].size].reshape(w.shape).copy()}
        if self.bias:
            grads["b"] = gw[:, -1].copy()
        grads["a"] = ga.reshape(a.shape)
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
    cols : ndarray, shape (C q^dim (+1 with bias), n, |P|)
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
        self.n = self.cols.shape[1]
        out_shape = (self.n,) + (tuple(self.P) if net.head == "map" else ())
        self.Y = net._check_Y(Y, out_shape)

    def loss_and_grad(self) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradient dict at the net's current parameters."""
        return self.net._core(self.P, self.n, self.Y, cols=self.cols)[1:]

    def flat(self, theta) -> tuple[float, np.ndarray]:
        """Loss and flat gradient (layout of :meth:`CNN.get_flat`) at the flat parameters ``theta``."""
        self.net.set_flat(theta, copy=False)
        loss, g = self.loss_and_grad()
        return loss, self.net.flatten(g)
