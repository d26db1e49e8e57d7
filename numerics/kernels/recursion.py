"""The CNTK / CGPK layer recursion on pixel-major blocks, float64 (the engine of :mod:`numerics.kernels.cntk`).

Recursion (docs/geifman2022.md §2.2, Arora et al. 2019 form, window average ``1/q`` per spatial axis)::

    Sigma_l = mean_w kappa1(Sigma_{l-1})_{a+w},   Theta_l = mean_w [kappa0(Sigma_{l-1}) Theta_{l-1} + kappa1(Sigma_{l-1})]_{a+w}

It is carried in halved complements, which keep full accuracy at ``Sigma = +-1`` and remove
constant factors from the inner loop::

    h = (1 - Sigma) / 2,   e = (1 + Sigma) / 2 = 1 - h,   V = Theta / 2,
    t = theta / 2 = atan(sqrt(h / e)),   s' = sin(theta) / 2 = sqrt(h / e) e,
    kappa0 = 1 - 2 t / pi,   c = (1 - kappa1) / 2 = h kappa0 + (t - s') / pi,
    h_l = mean_w c_{a+w},    V_l = mean_w (kappa0 V - c)_{a+w} + 1/2.

One ``arctan``, one ``sqrt`` and one division per entry and layer (``atan`` of the ratio is well
conditioned on all of ``[0, inf]``, so no ``arctan2`` is needed); the window average ``1/q^nsp`` is
folded into ``kappa0`` and ``c`` before the window sums, and each window sum is ``q`` adds of
shifted views per spatial axis (no padded copies).

Layout: the spatial axes that the window shifts come first, everything else (pairs of inputs,
pixel offsets ``b - a`` of the GAP head, quadrature points) is flattened into one trailing batch
axis, so that every shift moves contiguous runs of the batch ("pixel-major").  Blocks of the batch
are sized by the caller to stay in cache.

References
----------
.. [G22] A. Geifman, M. Galun, D. Jacobs, R. Basri, NeurIPS 2022, arXiv:2203.09255, Table 1.
.. [A19] S. Arora et al., "On exact computation with an infinitely wide neural net", NeurIPS 2019, eqs. (7)-(9).
"""
from __future__ import annotations

import numpy as np

__all__ = ["window_sum", "kappa_step", "run", "readout"]

_INV_PI = 1.0 / np.pi
_TINY = 1e-300


def _sl(ndim: int, axis: int, lo: int, hi: int) -> tuple:
    idx = [slice(None)] * ndim
    idx[axis] = slice(lo, hi)
    return tuple(idx)


def _plan(n: int, offs: list[int], ndim: int, axis: int) -> list[tuple]:
    """Circular window sum along ``axis`` as a list of ``(first, out_slice, src_slice[, src2_slice])``.

    ``first`` entries write ``A[src] + A[src2]`` (or a copy of ``A[src]`` for a one-point window);
    the others add ``A[src]``; the segments are those on which the shifted sources are contiguous.
    """
    shifts = [w % n for w in offs]
    plan = []
    if len(shifts) == 1:
        s = shifts[0]
        cuts = sorted({0, n - s, n})
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            a = (lo + s) % n
            plan.append((True, _sl(ndim, axis, lo, hi), _sl(ndim, axis, a, a + hi - lo), None))
        return plan
    s1, s2 = shifts[0], shifts[1]
    cuts = sorted({0, n - s1, n - s2, n})
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        if hi > lo:
            a1, a2 = (lo + s1) % n, (lo + s2) % n
            plan.append((True, _sl(ndim, axis, lo, hi), _sl(ndim, axis, a1, a1 + hi - lo),
                         _sl(ndim, axis, a2, a2 + hi - lo)))
    for s in shifts[2:]:
        plan.append((False, _sl(ndim, axis, 0, n - s), _sl(ndim, axis, s, n), None))
        if s:
            plan.append((False, _sl(ndim, axis, n - s, n), _sl(ndim, axis, 0, s), None))
    return plan


def _apply(plan: list[tuple], A: np.ndarray, out: np.ndarray) -> np.ndarray:
    for first, o, s1, s2 in plan:
        if first and s2 is None:
            out[o] = A[s1]
        elif first:
            np.add(A[s1], A[s2], out=out[o])
        else:
            out[o] += A[s1]
    return out


def window_sum(A: np.ndarray, offs: list[int], axis: int, circular: bool = True,
               out: np.ndarray | None = None) -> np.ndarray:
    """``out_a = sum_{w in offs} A_{a + w}`` along ``axis`` (no ``1/q``).

    Parameters
    ----------
    A : ndarray, shape (..., n, ...)
    offs : list of int
        Window offsets (e.g. ``[-1, 0, 1]``).
    axis : int
    circular : bool
        ``True``: indices mod ``n``, output length ``n``.  ``False`` ("valid"): output length
        ``n - (max(offs) - min(offs))``, entry ``i`` sits at input position ``i - min(offs)``.
    out : ndarray, optional
        Output buffer (circular only), not overlapping ``A``.

    Returns
    -------
    out : ndarray, same shape as ``A`` (circular) or shortened along ``axis`` (valid)
    """
    n, nd = A.shape[axis], A.ndim
    if not circular:
        lo = min(offs)
        m = n - (max(offs) - lo)
        out = A[_sl(nd, axis, offs[0] - lo, offs[0] - lo + m)].copy()
        for w in offs[1:]:
            out += A[_sl(nd, axis, w - lo, w - lo + m)]
        return out
    return _apply(_plan(n, offs, nd, axis), A, np.empty_like(A) if out is None else out)


class Workspace:
    """Buffers and window-sum plans for blocks of one shape ``(k, *sp, B)`` (``k = 2``: ``h`` and
    ``V`` stacked, NTK; ``k = 1``: GP), so that the layer loop allocates nothing.
    """

    def __init__(self, shape: tuple[int, ...], offs: list[int], nsp: int):
        self.state = np.empty(shape)
        self.swap = np.empty(shape)
        self.e = np.empty(shape[1:])
        self.r = np.empty(shape[1:])
        self.offs, self.nsp = offs, nsp
        self.plans = [_plan(shape[1 + ax], offs, len(shape), 1 + ax) for ax in range(nsp)]

    def window_average_sum(self) -> None:
        """``state <- window sums of state`` over every spatial axis (ping-pong with ``swap``)."""
        for plan in self.plans:
            _apply(plan, self.state, self.swap)
            self.state, self.swap = self.swap, self.state


def kappa_step(h: np.ndarray, e: np.ndarray, V: np.ndarray | None, scale: float,
               r: np.ndarray | None = None):
    """One layer's arc-cosine maps, in place: ``h <- scale c``, ``V <- scale (kappa0 V - c)``.

    Parameters
    ----------
    h, e : ndarray, same shape
        ``(1 - Sigma)/2`` and ``(1 + Sigma)/2`` (overwritten; ``e`` is scratch afterwards).
    V : ndarray or None
        ``Theta/2`` (NTK) or ``None`` (GP); overwritten.
    scale : float
        Factor folded in (``1/q^nsp`` before a window sum, ``1`` at the readout).
    r : ndarray, optional
        Scratch buffer of the same shape.

    Returns
    -------
    h, V, k0 : the updated arrays and ``scale kappa0`` (in ``r``).
    """
    r = np.divide(h, e, out=r)
    np.sqrt(r, out=r)
    e *= r                                   # s' = sin(theta)/2
    np.arctan(r, out=r)                      # t = theta/2
    np.subtract(r, e, out=e)
    e *= scale * _INV_PI                     # scale (t - s')/pi
    r *= -2.0 * scale * _INV_PI
    r += scale                               # scale kappa0
    h *= r
    h += e                                   # scale c
    if V is not None:
        V *= r
        V -= h
    return h, V, r


def run_block(ws: Workspace, depth: int, groups: tuple[int, int, int] | None = None) -> np.ndarray:
    """Recursion and readout on a block prepared in ``ws.state`` (``[h, V]`` of layer 1) and ``ws.e``.

    Returns the per-entry readout, shape (*sp, B): ``Theta = kappa0(Sigma_L) Theta_L + kappa1(Sigma_L)``
    (NTK) or ``kappa1(Sigma_L)`` (GP), a view of a workspace buffer valid until its next use; or,
    with ``groups = (P, m, Pd)`` (the block seen as (P, m, Pd)), its mean over axes 0 and 2, shape (m,).
    """
    scale = 1.0 / len(ws.offs) ** ws.nsp
    ntk = ws.state.shape[0] == 2
    for layer in range(depth):
        h = ws.state[0]
        if layer:
            np.subtract(1.0, h, out=ws.e)
        last = layer == depth - 1
        if last and groups is not None:
            return _readout_mean(ws, ntk, groups)
        kappa_step(h, ws.e, ws.state[1] if ntk else None, 1.0 if last else scale, ws.r)
        if not last:
            ws.window_average_sum()
            if ntk:
                ws.state[1] += 0.5
    out = ws.state[1] if ntk else ws.state[0]
    out *= 2.0 if ntk else -2.0
    out += 1.0                               # NTK 2 (kappa0 V - c) + 1;  GP 1 - 2 c
    return out


def _readout_mean(ws: Workspace, ntk: bool, groups: tuple[int, int, int]) -> np.ndarray:
    """Group means of the readout without forming it: with ``c = h kappa0 + (t - s')/pi``,
    NTK ``2 (kappa0 V - c) + 1 = 2 kappa0 (V - h) - 2 (t - s')/pi + 1``, GP ``1 - 2 c``."""
    h, e, r = ws.state[0], ws.e, ws.r
    np.divide(h, e, out=r)
    np.sqrt(r, out=r)
    e *= r
    np.arctan(r, out=r)
    np.subtract(r, e, out=e)                 # t - s'
    r *= -2.0 * _INV_PI
    r += 1.0                                 # kappa0
    count = groups[0] * groups[2]
    ts = e.reshape(groups).sum(axis=(0, 2)) * _INV_PI
    if ntk:
        V = ws.state[1]
        V -= h
        s = np.einsum("amd,amd->m", r.reshape(groups), V.reshape(groups), optimize=False)
        return (2.0 * (s - ts) + count) * (1.0 / count)
    s = np.einsum("amd,amd->m", r.reshape(groups), h.reshape(groups), optimize=False)
    return (count - 2.0 * (s + ts)) * (1.0 / count)


def run(h: np.ndarray, e: np.ndarray, V: np.ndarray | None, depth: int, offs: list[int],
        nsp: int, circular: bool = True):
    """The ``depth - 1`` convolution layers from layer 1; returns ``(h_L, e_L, V_L)`` before the readout.

    Parameters
    ----------
    h, e : ndarray, shape (*sp, B)
        Layer-1 ``(1 -+ Sigma_1)/2`` (overwritten); ``nsp`` leading spatial axes.
    V : ndarray, shape (*sp, B), or None
        ``Theta_1 / 2 = Sigma_1 / 2`` (NTK) or ``None`` (GP).
    circular : bool
        Circular padding (``True``) or valid windows (``False``: each layer shortens the
        spatial axes by ``q - 1``; used for the receptive field of the Eq head).
    """
    scale = 1.0 / len(offs) ** nsp
    np.maximum(e, _TINY, out=e)              # Sigma_1 = -1 exactly: atan(h / tiny) = pi/2, s' = 0
    for _ in range(depth - 1):
        h, V, _ = kappa_step(h, e, V, scale)
        for ax in range(nsp):
            h = window_sum(h, offs, ax, circular)
            if V is not None:
                V = window_sum(V, offs, ax, circular)
        if V is not None:
            V += 0.5
        e = np.subtract(1.0, h)
    return h, e, V


def readout(h: np.ndarray, e: np.ndarray, V: np.ndarray | None) -> np.ndarray:
    """Per-entry readout ``Theta = kappa0(Sigma_L) Theta_L + kappa1(Sigma_L)`` (NTK) or ``kappa1(Sigma_L)`` (GP).

    Overwrites its arguments; returns an array of their shape.
    """
    h, V, _ = kappa_step(h, e, V, 1.0)
    if V is None:
        h *= -2.0
        h += 1.0                             # kappa1 = 1 - 2c
        return h
    V *= 2.0
    V += 1.0                                 # 2 (kappa0 V - c) + 1
    return V
