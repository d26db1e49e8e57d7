"""Patch extraction (im2col) and the per-block layer algebra of the two-layer CNN.

Model and notation: :mod:`numerics.nets.cnn` (docs/cnnflow.md §0).  This
module holds the array work only; :class:`numerics.nets.cnn.CNN` validates input and owns parameters.

Layouts (``F = C q^dim`` patch length, ``F1 = F + 1`` with the bias row of ones, ``|P|`` output
positions, ``k`` samples of one block):

- ``cols`` : ``(F1, k, |P|)`` with ``cols[(c, j), i, p] = x_i[c, p + j]`` (mod L for circular
  padding).  A block ``cols[:, s0:s1]`` of a larger array is a view whose per-sample matrices
  ``(F1, |P|)`` BLAS reads in place: the convolution of a block is one batched matmul of ``k``
  GEMMs ``(m, F1) @ (F1, |P|)`` written straight into ``Z`` (measured faster than a single
  ``(m, F1) @ (F1, k |P|)`` GEMM); its kernel gradient is one GEMM ``dZ @ cols.T`` (map head) or
  ``k`` per-sample products weighted by ``dL/df_i`` (gap, dense).
- ``Z, H, dZ`` : ``(m, k, |P|)`` (pre-activations, features, ``dL/dz``), matching ``a``'s
  ``(m, *P)`` for the dense head.

Samples are processed in blocks of a few images so that ``cols``, ``Z`` and ``dZ`` of one block stay
in the CPU cache between the forward GEMM, the activation, the head and the backward GEMM (memory
traffic, not arithmetic, bounds this layer); the loop over blocks is the only Python loop.
The blocks are shared between as many threads as BLAS is allowed (NumPy releases the GIL in ufuncs
and BLAS), each running single-threaded BLAS: threaded BLAS on these small GEMMs is several times
slower than one thread per block on a loaded machine.  Inside ``threadpool_limits(1)`` one thread
runs every block; partial sums are kept per lane (:data:`LANES`), so the bits of the result do not
depend on the number of threads.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["windows", "patches", "cols_into", "block_size", "head_forward", "head_backward",
           "head_dH", "kernel_grad", "run_blocks"]

#: Blocks are dealt round-robin to this many lanes, each with its own partial sums, added in lane
#: order: the result is bit-for-bit the same whether 1, 2, 3 or 4 threads run the lanes.
LANES = 4

#: Target bytes of one block's ``Z`` array (about the L2 cache of one core; measured: 0.5 MiB is
#: slower, 1-8 MiB alike within noise on the 2-core machine).
BLOCK_BYTES = 2 << 20


def windows(X: np.ndarray, q: int, padding: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """Sliding-window view of ``X`` (no copy beyond the circular wrap).

    Parameters
    ----------
    X : ndarray, shape (n, C, *L)
    q : int
        Kernel side.
    padding : {"circular", "valid"}

    Returns
    -------
    win : ndarray view, shape (n, C, *P, *(q,) * dim)
        ``win[i, c, p, j] = x_i[c, p + j]``.
    P : tuple of int
        Spatial output shape.
    """
    d = X.ndim - 2
    if padding == "circular" and q > 1:
        X = np.pad(X, [(0, 0), (0, 0)] + [(0, q - 1)] * d, mode="wrap")
    win = sliding_window_view(X, (q,) * d, axis=tuple(range(2, 2 + d)))
    return win, tuple(win.shape[2:2 + d])


def patches(X: np.ndarray, q: int, padding: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """Row-per-patch im2col matrix.

    Returns
    -------
    Pt : ndarray, shape (n |P|, C q^dim)
        Row ``(i, p)`` is the patch ``x_i[c, p + j]`` flattened in ``(c, j)`` order, so that
        ``z = Pt @ w.reshape(m, -1).T``.
    P : tuple of int
    """
    win, P = windows(X, q, padding)
    d = len(P)
    n, C = X.shape[:2]
    win = np.moveaxis(win, 1, 1 + d)                         # (n, *P, C, *q)
    return np.ascontiguousarray(win).reshape(n * math.prod(P), C * q ** d), P


def cols_into(win: np.ndarray, out: np.ndarray, s0: int = 0, ones_row: bool = False) -> np.ndarray:
    """Copy the patches of samples ``s0 .. s0 + k - 1`` into ``out`` (layout ``(F1, k, |P|)``).

    Parameters
    ----------
    win : ndarray, shape (n, C, *P, *q)    (from :func:`windows`)
    out : ndarray, shape (F (+1), k, |P|)
        Destination (a block of a larger array is fine: only its last two axes must be adjacent).
    ones_row : bool
        Fill ``out[F] = 1`` (the bias acts as one more kernel column).

    Returns
    -------
    out
    """
    d = (win.ndim - 2) // 2
    k = out.shape[1]
    F = out.shape[0] - int(bool(ones_row))
    blk = win[s0:s0 + k]
    # (C, *q, k, *P): the innermost axis is a spatial row, contiguous in source and destination
    src = blk.transpose((1,) + tuple(range(2 + d, 2 + 2 * d)) + (0,) + tuple(range(2, 2 + d)))
    np.copyto(out[:F].reshape(src.shape), src)
    if ones_row:
        out[F] = 1
    return out


def block_size(n: int, m: int, nP: int, itemsize: int) -> int:
    """Samples per block: ``Z`` of one block about :data:`BLOCK_BYTES`, at least 1, at most ``n``."""
    return max(1, min(n, BLOCK_BYTES // max(1, m * nP * itemsize)))


def head_forward(head: str, H: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Head output before ``output_scale``.

    Parameters
    ----------
    head : {"map", "gap", "dense"}
    H : ndarray, shape (m, k, |P|)
        Features ``sigma(z)`` of one block.
    a : ndarray, shape (m,) or (m, |P|) (dense)

    Returns
    -------
    ndarray, shape (k, |P|) for map, (k,) for gap and dense.
    """
    m, k, nP = H.shape
    if head == "map":
        return (a @ H.reshape(m, k * nP)).reshape(k, nP)
    if head == "gap":
        return (a @ H.sum(axis=2)) / nP
    return np.matmul(H, a[:, :, None]).sum(axis=0)[:, 0]       # sum_k sum_p a_kp H_kip


def head_backward(head: str, H: np.ndarray, a: np.ndarray, G: np.ndarray) -> np.ndarray:
    """This block's contribution to ``dL/da``.

    Parameters
    ----------
    head : {"map", "gap", "dense"}
    H : ndarray, shape (m, k, |P|)
    a : ndarray, shape (m,) or (m, |P|) (dense)
    G : ndarray, shape (k, |P|) (map) or (k,)
        ``dL/d(head output before output_scale)`` of each sample.

    Returns
    -------
    ndarray, shape of ``a``.
    """
    m, k, nP = H.shape
    if head == "map":
        return H.reshape(m, k * nP) @ G.reshape(-1)
    if head == "gap":
        return H.sum(axis=2) @ (G / nP)
    return np.matmul(G[None, None, :], H)[:, 0, :]               # sum_i g_i H_kip


def head_dH(head: str, a: np.ndarray, G: np.ndarray, nP: int) -> np.ndarray:
    """``dL/dH`` (map) or the sample-independent ``d(head output)/dH`` (gap, dense), broadcastable
    to ``(m, k, |P|)``.

    For gap and dense the sample weight ``G_i`` is applied later, inside the kernel-gradient GEMM
    (:func:`kernel_grad`), which saves a full pass over ``(m, k, |P|)``.
    """
    if head == "map":
        return a[:, None, None] * G[None]                           # (m, k, |P|)
    if head == "gap":
        return (a / nP)[:, None, None]
    return a[:, None, :]


def kernel_grad(head: str, dZ: np.ndarray, c: np.ndarray, G: np.ndarray) -> np.ndarray:
    """This block's ``dL/dW = sum_{i,p} dL/dz_kip cols_f,ip``: shape (m, F1).

    ``dZ`` (m, k, |P|) is ``sigma'(z)`` times :func:`head_dH`; ``c`` (F1, k, |P|).
    For map one GEMM; for gap and dense the per-sample weights ``G_i`` are applied to the ``k``
    per-sample products ``dZ_i @ c_i^T`` (a batched GEMM, cheaper than scaling ``dZ``).
    """
    m, k, nP = dZ.shape
    if head == "map":
        return dZ.reshape(m, k * nP) @ c.reshape(-1, k * nP).T
    T = np.matmul(dZ.transpose(1, 0, 2), c.transpose(1, 2, 0))    # (k, m, F1)
    return (G @ T.reshape(k, -1)).reshape(m, -1)


_POOL: tuple[int, ThreadPoolExecutor] | None = None      # (pid that made it, pool)
_BLAS = None


def _blas():
    """threadpoolctl controller of the loaded BLAS (None when threadpoolctl is missing)."""
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
            _BLAS = ThreadpoolController().select(user_api="blas")
        except ImportError:                                    # pragma: no cover
            _BLAS = False
    return _BLAS or None


def _threads() -> int:
    """Threads to use: the number BLAS may currently use (1 inside ``threadpool_limits(1)``)."""
    c = _blas()
    if c is None or not c.lib_controllers:
        return 1
    return max(1, min(os.cpu_count() or 1, min(lc.num_threads for lc in c.lib_controllers)))


def run_blocks(W, a, head, act, s, P, n, Y=None, win=None, cols=None, buffer=None):
    """Forward pass (and backward pass when ``Y`` is given) over all samples, block by block.

    Parameters
    ----------
    W : ndarray, shape (m, F (+1))
        Kernels ``w.reshape(m, -1)``, with the bias as last column when ``cols`` has a ones row.
    a : ndarray, shape (m,) or (m, |P|) (dense)
    head : {"map", "gap", "dense"}
    act : numerics.nets.activations.Activation
        With ``derivative_from_value`` set, ``z`` is overwritten by ``sigma(z)`` and ``sigma'`` is
        read off the features (one memory pass less).
    s : float
        ``output_scale``.
    P : tuple of int
    n : int
        Number of samples.
    Y : ndarray, shape (n, |P|) or (n,) (or (n, *P)), optional
    win : ndarray, shape (n, C, *P, *q), optional
        Sliding-window view (:func:`windows`); the patches of each block are built from it.
    cols : ndarray, shape (F (+1), n, |P|), optional
        Precomputed patches (used instead of ``win``).
    buffer : callable (name, shape) -> ndarray, optional
        Supplies reusable work arrays.

    Returns
    -------
    out : ndarray, shape (n, |P|) (map) or (n,)
    loss : float or None
        ``1/(2n) sum_i ||out_i - y_i||^2`` accumulated in float64.
    gw : ndarray, shape of W, or None
        ``dL/dW``.
    ga : ndarray, shape of a, or None
        ``dL/da``.
    """
    job = _Job(W, a, head, act, s, P, n, Y, win, cols, buffer)
    done = _run_lanes(job)
    if job.Yf is None:
        return job.out, None, None, None
    return (job.out,) + _reduce(done, job.nw, n)


class _Job:
    """Shapes, block plan, output and work buffers of one :func:`run_blocks` call."""

    def __init__(self, W, a, head, act, s, P, n, Y, win, cols, buffer):
        self.W, self.a, self.head, self.act, self.s, self.n = W, a, head, act, s, n
        self.win, self.cols = win, cols
        self.m, self.F1 = W.shape
        self.nP = math.prod(P)
        dt = self.dt = W.dtype
        if buffer is None:
            def buffer(name, shape):
                return np.empty(shape, dtype=dt)
        self.ones = win is not None and self.F1 > win.shape[1] * math.prod(win.shape[2 + len(P):])
        self.B = block_size(n, self.m, self.nP, dt.itemsize)
        self.starts = list(range(0, n, self.B))
        self.nw = min(_threads(), len(self.starts), LANES)
        self.out = np.empty((n, self.nP) if head == "map" else (n,), dtype=dt)
        self.Yf = None if Y is None else Y.reshape(self.out.shape)
        m, B, nP, F1 = self.m, self.B, self.nP, self.F1
        # buffers are created here, not in the threads (the buffer store is a plain dict)
        self.bufs = [(buffer(f"Z{j}", (m * B * nP,)),
                      buffer(f"cols{j}", (F1 * B * nP,)) if cols is None else None,
                      buffer(f"dZ{j}", (m * B * nP,)) if Y is not None else None) for j in range(self.nw)]

    def block_cols(self, s0, k, cbuf):
        """Patches of samples ``s0 .. s0 + k - 1``: shape (F1, k, |P|)."""
        if self.cols is not None:
            return self.cols[:, s0:s0 + k]
        return cols_into(self.win, cbuf[:self.F1 * k * self.nP].reshape(self.F1, k, self.nP), s0, self.ones)


def _block(job, s0, k, c, zbuf, dbuf, acc):
    """Forward (and backward) pass of one block; adds its loss and gradients to ``acc``."""
    m, nP, act = job.m, job.nP, job.act
    Z = zbuf[:m * k * nP].reshape(m, k, nP)
    # k per-sample GEMMs (m, F1) @ (F1, |P|) (measured faster than one (F1, k |P|) GEMM)
    np.matmul(job.W, c.transpose(1, 0, 2), out=Z.transpose(1, 0, 2))
    inplace = act.derivative_from_value is not None
    H = act.value_inplace(Z) if inplace else act.value(Z)          # in place: Z is overwritten
    o = job.out[s0:s0 + k]
    np.multiply(head_forward(job.head, H, job.a), job.s, out=o)
    if job.Yf is None:
        return
    R = o - job.Yf[s0:s0 + k]
    R64 = R.astype(np.float64, copy=False)
    acc[0] += float(np.vdot(R64, R64))
    G = np.multiply(R, job.s / job.n, dtype=job.dt)                # dL/d(head output / s)
    dZ = dbuf[:m * k * nP].reshape(m, k, nP)
    acc[2] += head_backward(job.head, H, job.a, G)
    f = head_dH(job.head, job.a, G, nP)
    if inplace:                                                     # dZ = sigma'(z) * f
        np.multiply(act.derivative_from_value(H, dZ), f, out=dZ)
    else:
        np.multiply(act.derivative(Z), f, out=dZ)
    acc[1] += kernel_grad(job.head, dZ, c, G)


def _lane(job, j, zbuf, cbuf, dbuf):
    """Every block of lane ``j`` (blocks ``j, j + LANES, ...``): its partial loss and gradients."""
    acc = [0.0, np.zeros((job.m, job.F1), dtype=job.dt), np.zeros(job.a.shape, dtype=job.dt)]
    for s0 in job.starts[j::LANES]:
        k = min(job.B, job.n - s0)
        _block(job, s0, k, job.block_cols(s0, k, cbuf), zbuf, dbuf, acc)
    return tuple(acc)


def _run_lanes(job):
    """Run the lanes on ``job.nw`` threads (thread t runs lanes t, t + nw, ...), BLAS single-threaded."""
    global _POOL
    nw = job.nw

    def work(t):
        return [_lane(job, j, *job.bufs[t]) for j in range(t, LANES, nw)]

    c = _blas()
    with (c.limit(limits=1) if c is not None else nullcontext()):
        if nw == 1:
            return [work(0)]
        if _POOL is None or _POOL[0] != os.getpid() or _POOL[1]._max_workers < nw:
            # a forked child inherits the pool object but not its threads: make a new one
            _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=max(nw, os.cpu_count() or 1),
                                                     thread_name_prefix="numerics.nets.blocks"))
        return list(_POOL[1].map(work, range(nw)))


def _reduce(done, nw, n):
    """Partial sums added in lane order, whatever thread ran the lane: same bits for any thread count."""
    parts = [None] * LANES
    for t, res in enumerate(done):
        for j, r in zip(range(t, LANES, nw), res):
            parts[j] = r
    parts = [p for p in parts if p is not None]
    loss = 0.5 * sum(p[0] for p in parts) / n
    gw, ga = parts[0][1], parts[0][2]
    for p in parts[1:]:
        gw += p[1]
        ga += p[2]
    return loss, gw, ga
