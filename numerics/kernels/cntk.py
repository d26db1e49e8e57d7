"""Analytic convolutional GP (CGPK) and NTK (CNTK) kernels on the multisphere, float64.

Network (docs/geifman2022.md §1.1, Geifman et al. 2022 Table 1 as reconstructed):
a 1x1 convolution, then ``L - 1`` circular stride-1 convolutions with filter size ``q``, ReLU, and one
of three heads (``eq``: output at pixel 0; ``tr``: dense layer on top; ``gap``: global average pool).
Recursion (docs/geifman2022.md §2.2, Arora et al. 2019 form, window average ``1/q`` per spatial axis)::

    Sigma1_ab = Theta1_ab = <x_a, z_b>
    Sigma_l_ab = mean_w kappa1(Sigma_{l-1}_{a+w, b+w})
    Theta_l_ab = mean_w [kappa0(Sigma_{l-1}) Theta_{l-1} + kappa1(Sigma_{l-1})]_{a+w, b+w}
    readout  K_ab = kappa1(Sigma_L_ab),  Theta_ab = kappa0(Sigma_L_ab) Theta_L_ab + kappa1(Sigma_L_ab)
    heads    eq: [0, 0];  tr: mean_a [a, a];  gap: mean_{a, b} [a, b]

With unit-norm pixels ``K(x, x) = 1`` and ``Theta(x, x) = L + 1``.  Eq and Tr only use the
diagonal ``a = b`` (multi-dot-product kernels, functions of the per-pixel cosines ``t_a``);
GAP needs every pixel pair.  ``kappa0``/``kappa1`` are the float twins of
:func:`theory.arccos.kappa0` / :func:`theory.arccos.kappa1` (tested equal in
``tests/numerics/kernels/test_cntk.py``).

Evaluation (:mod:`numerics.kernels.recursion`): blocks of input pairs (``i <= j`` only for a
symmetric Gram: the pair symmetry), pixel-major, the recursion carried in halved complements
``(1 -+ Sigma)/2`` with one ``arctan`` per entry and layer, window sums of shifted views with
``1/q^nsp`` folded into the arc-cosine maps.  GAP runs on pixel pairs in coordinates
``(a, delta = b - a)``: the window shifts ``a`` and ``b`` together, so only ``a`` moves (the shift
symmetry), and its readout is summed without being formed.  Eq runs on its receptive field only
(valid windows).  Memory: one block (about ``_CHUNK`` entries per array) plus a shifted copy of at
most ``block_bytes`` of ``X2``; never ``n1 n2 P^2`` at once.

References
----------
.. [G22] A. Geifman, M. Galun, D. Jacobs, R. Basri, "On the spectral bias of convolutional neural
   tangent and Gaussian process kernels", NeurIPS 2022, arXiv:2203.09255.
.. [A19] S. Arora et al., "On exact computation with an infinitely wide neural net", NeurIPS 2019.
"""
from __future__ import annotations


import numpy as np

from numerics.kernels import recursion
from theory.geifman2022 import window

__all__ = ["HEADS", "KINDS", "kappa0", "kappa1", "window", "multidot", "gram", "fc_multidot"]

HEADS = ("eq", "tr", "gap")
KINDS = ("ntk", "gp")
_BLOCK_BYTES = 2**26          # upper bound (bytes) of one working array of a block
_CHUNK = 2**15                # entries per working array: ~256 kB, so that a block stays in cache
_EXACT = 1e-2                 # |Sigma_1| above 1 - _EXACT: complements from differences (exact)
_TINY = 1e-300


def kappa0(u: np.ndarray) -> np.ndarray:
    """``1 - arccos(u)/pi`` elementwise (``u`` clipped to [-1, 1] against rounding)."""
    return 1.0 - np.arccos(np.clip(u, -1.0, 1.0)) / np.pi


def kappa1(u: np.ndarray) -> np.ndarray:
    """``(sqrt(1 - u^2) + (pi - arccos u) u) / pi`` elementwise (``u`` clipped to [-1, 1])."""
    u = np.clip(u, -1.0, 1.0)
    return (np.sqrt(1.0 - u * u) + (np.pi - np.arccos(u)) * u) / np.pi


def _check(head, depth, filter_size, kind):
    if head not in HEADS:
        raise ValueError(f"`head` must be one of {list(HEADS)}; got {head!r}")
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {list(KINDS)}; got {kind!r}")
    if not (isinstance(depth, (int, np.integer)) and depth >= 2):
        raise ValueError(f"`depth` (number of layers L, 1x1 layer included) must be an int >= 2; got {depth!r}")
    window(filter_size)


def multidot(T: np.ndarray | None = None, *, head: str, depth: int, filter_size: int, kind: str,
             nsp: int = 1, delta: np.ndarray | None = None) -> np.ndarray:
    """Eq or Tr kernel as a function of the per-pixel cosines (a multi-dot-product kernel).

    Parameters
    ----------
    T : ndarray, shape (..., d) or (..., H, W)
        Per-pixel inner products ``t_a = <x_a, z_a>`` in [-1, 1]; ``nsp`` trailing spatial axes.
    head : {"eq", "tr"}
    depth, filter_size : int
        ``L >= 2`` and ``q >= 1``.
    kind : {"ntk", "gp"}
    nsp : {1, 2}
        Number of spatial axes (1-D signals or 2-D images).
    delta : ndarray, optional
        ``1 - T`` given directly instead of ``T`` (full accuracy near ``t = 1``; e.g.
        ``2 sin^2(phi/2)`` on the torus).

    Returns
    -------
    K : ndarray, shape (...)
        ``K^Eq(t)`` (readout at pixel 0) or ``K^Tr(t)`` (mean of the diagonal readouts).
    """
    _check(head, depth, filter_size, kind)
    if head == "gap":
        raise ValueError("`head` 'gap' is not a multi-dot-product kernel; use `gram`")
    if (T is None) == (delta is None):
        raise ValueError("give exactly one of `T` (cosines) and `delta` (1 - cosines)")
    D = 1.0 - np.asarray(T, dtype=np.float64) if delta is None else np.asarray(delta, dtype=np.float64)
    q, depth = int(filter_size), int(depth)
    crop = _eq_crop(D.shape[D.ndim - nsp:], q, depth) if head == "eq" else None
    if crop is not None:
        D = D[(Ellipsis,) + np.ix_(*crop)]
    lead, sp = D.shape[:D.ndim - nsp], D.shape[D.ndim - nsp:]
    npix = int(np.prod(sp))
    Dt = D.reshape(-1, npix).T.reshape(sp + (-1,))                  # pixel-major (*sp, N)
    out = np.empty(Dt.shape[-1])
    block = max(1, _CHUNK // npix)
    spaces = {}
    for j0 in range(0, out.size, block):
        D = Dt[..., j0:j0 + block]
        shape = (2 if kind == "ntk" else 1,) + D.shape
        ws = spaces.get(shape) or spaces.setdefault(shape, recursion.Workspace(shape, window(q), nsp))
        h = ws.state[0]
        np.clip(D, 0.0, 2.0, out=h)
        h *= 0.5
        np.subtract(1.0, h, out=ws.e)
        if kind == "ntk":
            np.subtract(ws.e, h, out=ws.state[1])
            ws.state[1] *= 0.5
        np.maximum(ws.e, _TINY, out=ws.e)
        R = _finish(ws, kind, depth, crop is None)
        out[j0:j0 + block] = R[(0,) * nsp] if head == "eq" else R.reshape(npix, -1).mean(axis=0)
    return out.reshape(lead)


def _eq_crop(sp: tuple[int, ...], q: int, depth: int) -> list[np.ndarray] | None:
    """Pixel indices of the Eq head's receptive field per spatial axis (offsets ``(L-1) min w`` to
    ``(L-1) max w``, docs/geifman2022.md §2.2), or ``None`` when it does not fit into some axis
    (then the full circular recursion is run).  On the crop the recursion runs with valid windows.
    """
    offs = window(q)
    r = np.arange((depth - 1) * min(offs), (depth - 1) * max(offs) + 1)
    if any(r.size > n for n in sp):
        return None
    return [r % n for n in sp]


def _finish(ws, kind: str, depth: int, circular: bool) -> np.ndarray:
    """Recursion and per-entry readout from layer 1 in the workspace (:func:`recursion.run_block`);
    valid windows (Eq on its receptive field) run on copies with shrinking spatial axes."""
    if circular:
        return recursion.run_block(ws, depth)
    V = ws.state[1].copy() if kind == "ntk" else None
    h, e, V = recursion.run(ws.state[0].copy(), ws.e.copy(), V, depth, ws.offs, ws.nsp, False)
    return recursion.readout(h, e, V)


def fc_multidot(T: np.ndarray, *, kind: str = "ntk", depth: int = 2) -> np.ndarray:
    """FC kernel (``depth - 1`` hidden ReLU layers on ``x / sqrt d``) as a function of the cosines.

    ``rho = mean_a t_a``; NTK/GP recursion of a fully connected ReLU net with the same
    normalisation as :func:`multidot` (``K(x,x) = 1``, ``Theta(x,x) = depth``). The negative
    control of the locality claims (docs/geifman2022.md §5): multi-dot-product, no locality.

    Parameters
    ----------
    T : ndarray, shape (..., d)
    """
    T = np.asarray(T, dtype=np.float64)
    sig = T.mean(axis=-1)
    th = sig.copy()
    for _ in range(depth - 1):
        k1 = kappa1(sig)
        th = kappa0(sig) * th + k1
        sig = k1
    return th if kind == "ntk" else sig


def _pixels(X, name):
    X = np.asarray(X)
    if X.dtype.kind not in "fiu":
        raise TypeError(f"`{name}` must be a real array; got dtype {X.dtype}")
    X = X.astype(np.float64, copy=False)
    if X.ndim not in (3, 4):
        raise ValueError(f"`{name}` must have shape (n, zeta, d) or (n, zeta, H, W); got shape {X.shape}")
    nrm = np.sqrt((X * X).sum(axis=1))
    if X.size and np.max(np.abs(nrm - 1.0)) > 1e-8:
        raise ValueError(f"every pixel of `{name}` must have unit norm over the channel axis (axis 1); "
                         f"max | ||x_a|| - 1 | = {np.max(np.abs(nrm - 1.0)):.3g}")
    return X




def _offset_index(sp: tuple[int, ...]) -> np.ndarray:
    """Flat pixel index of ``b = a + delta`` (circular), shape (P, P) over flat ``(a, delta)``."""
    grids = np.meshgrid(*[np.arange(n) for n in sp] * 2, indexing="ij")
    nsp = len(sp)
    b = [(grids[i] + grids[nsp + i]) % n for i, n in enumerate(sp)]
    npix = int(np.prod(sp))
    return np.ravel_multi_index(b, sp).reshape(npix, npix)


def _shifted(X: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
    """``Z[a, c, j, delta] = X[j, c, a + delta]`` (GAP, ``idx`` from :func:`_offset_index`) or
    ``Z[a, c, j, 0] = X[j, c, a]`` (``idx`` None); X: (n, zeta, P) -> Z: (P, zeta, n, P or 1)."""
    if idx is None:
        return np.ascontiguousarray(X.transpose(2, 1, 0)[..., None])
    return np.ascontiguousarray(X[:, :, idx].transpose(2, 1, 0, 3))


def _layer1(ws, X1: np.ndarray, Z: np.ndarray, i: np.ndarray, j: np.ndarray, kind: str) -> None:
    """Layer 1 of a block of pairs into the workspace: ``h = (1 - Sigma_1)/2``, ``e = (1 + Sigma_1)/2``, ``V = Sigma_1/2``.

    X1 : (n1, P, zeta); Z : (P, zeta, nz, Pd), shifted ``X2`` pixels (:func:`_shifted`);
    i, j : (m,) the pairs, ``j`` indexing ``Z``, in runs of equal ``i`` with consecutive ``j``.
    ``Sigma_1 = <x_a, z_b>`` by one einsum over the channels per run of ``i``; where ``|Sigma_1| > 1 - _EXACT`` the
    complements are recomputed as ``||x_a -+ z_b||^2 / 4`` (no cancellation at ``Sigma_1 = +-1``,
    where the arc-cosine maps have square-root singularities).
    """
    P, zeta, _, pd = Z.shape
    m = i.size
    g = ws.r.reshape(P, m, pd)
    cuts = np.flatnonzero(np.diff(i)) + 1
    for k0, k1 in zip(np.r_[0, cuts], np.r_[cuts, m]):
        np.einsum("ac,acjd->ajd", X1[i[k0]], Z[:, :, j[k0]:j[k0] + k1 - k0], out=g[:, k0:k1])
    h, e = ws.state[0].reshape(P, m, pd), ws.e.reshape(P, m, pd)
    half = ws.state[1].reshape(P, m, pd) if kind == "ntk" else e      # V = Sigma_1 / 2
    np.multiply(g, 0.5, out=half)
    np.subtract(0.5, half, out=h)
    np.add(0.5, half, out=e)
    np.abs(g, out=g)
    near = np.flatnonzero(g > 1.0 - _EXACT)
    if near.size:
        a, k, d = np.unravel_index(near, (P, m, pd))
        xa, zb = X1[i[k], a], Z[a, :, j[k], d]                             # (nnear, zeta)
        h.reshape(-1)[near] = 0.25 * ((xa - zb) ** 2).sum(axis=1)
        ws.e.reshape(-1)[near] = np.maximum(0.25 * ((xa + zb) ** 2).sum(axis=1), _TINY)


def _pairs(n1: int, c0: int, c1: int, sym: bool) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` with ``c0 <= j < c1`` (and ``i <= j`` when ``sym``), row by row."""
    if not sym:
        i, j = np.divmod(np.arange(n1 * (c1 - c0)), c1 - c0)
        return i, j + c0
    i, j = np.triu_indices(c1)
    keep = j >= c0
    return i[keep], j[keep]


def gram(X1, X2=None, *, head: str, depth: int, filter_size: int, kind: str,
         block_bytes: int = _BLOCK_BYTES) -> np.ndarray:
    """Analytic CNTK / CGPK Gram matrix between two sets of multisphere points [G22].

    Input pairs are processed in blocks of ``m`` pairs (only ``i <= j`` when ``X2`` is omitted:
    the pair symmetry ``K(x, z) = K(z, x)``), each block pixel-major (see
    :mod:`numerics.kernels.recursion`).  GAP runs on pixel pairs in coordinates
    ``(a, delta = b - a)``: the recursion shifts ``a`` and ``b`` together, so only ``a`` moves
    (the shift symmetry).  Eq runs on its receptive field only.

    Parameters
    ----------
    X1 : ndarray, shape (n1, zeta, d) or (n1, zeta, H, W)
        Inputs with unit-norm pixels (norm over the channel axis); circular padding.
    X2 : ndarray, shape (n2, zeta, d) or (n2, zeta, H, W), optional
        Defaults to ``X1`` (then only the pairs ``i <= j`` are computed).
    head : {"eq", "tr", "gap"}
    depth : int
        ``L >= 2``: the 1x1 layer plus ``L - 1`` convolutions.
    filter_size : int
        ``q >= 1`` (per spatial axis: ``q x q`` filters for 2-D inputs).
    kind : {"ntk", "gp"}
    block_bytes : int
        Upper bound of one working array; blocks are also capped at about 256 kB for cache.

    Returns
    -------
    K : ndarray, shape (n1, n2), float64
        ``K(x, x) = 1`` (gp) and ``Theta(x, x) = L + 1`` (ntk).
    """
    _check(head, depth, filter_size, kind)
    sym = X2 is None
    X1 = _pixels(X1, "X1")
    X2 = X1 if sym else _pixels(X2, "X2")
    if X1.shape[1:] != X2.shape[1:]:
        raise ValueError(f"`X1` and `X2` must have the same (zeta, spatial) shape; got {X1.shape[1:]} and {X2.shape[1:]}")
    q, depth = int(filter_size), int(depth)
    nsp = X1.ndim - 2
    crop = _eq_crop(X1.shape[2:], q, depth) if head == "eq" else None
    if crop is not None:
        X1, X2 = (X[(slice(None), slice(None)) + np.ix_(*crop)] for X in (X1, X2))
    sp = X1.shape[2:]
    npix = int(np.prod(sp))
    n1, n2, zeta = X1.shape[0], X2.shape[0], X1.shape[1]
    X1f, X2f = X1.reshape(n1, zeta, npix), X2.reshape(n2, zeta, npix)
    idx = _offset_index(sp) if head == "gap" else None
    pd = npix if head == "gap" else 1
    per_pair = npix * pd
    m = max(1, min(_CHUNK, int(block_bytes) // 8) // per_pair)             # pairs per block
    cols = max(m, int(block_bytes) // (8 * zeta * per_pair))                # X2 inputs per shifted copy
    out = np.empty((n1, n2))
    offs, spaces, X1t = window(q), {}, X1f.transpose(0, 2, 1)
    for c0 in range(0, n2, cols):
        c1 = min(n2, c0 + cols)
        Z = _shifted(X2f[c0:c1], idx)
        I, J = _pairs(n1, c0, c1, sym)
        for k in range(0, I.size, m):
            i, j = I[k:k + m], J[k:k + m]
            val = _block(X1t, Z, i, j - c0, kind, depth, offs, sp, crop is None, head, spaces)
            out[i, j] = val
            if sym:
                out[j, i] = val
    return out


def _block(X1, Z, i, j, kind, depth, offs, sp, circular, head, spaces) -> np.ndarray:
    """Kernel values of the pairs ``(X1[i], Z[..., j, :])`` of one block, shape (m,)."""
    P, pd, m = Z.shape[0], Z.shape[3], i.size
    nsp = len(sp)
    shape = (2 if kind == "ntk" else 1,) + tuple(sp) + (m * pd,)
    ws = spaces.get(shape)
    if ws is None:
        ws = spaces[shape] = recursion.Workspace(shape, offs, nsp)
    _layer1(ws, X1, Z, i, j, kind)
    if head == "gap":
        return recursion.run_block(ws, depth, groups=(P, m, pd))
    R = _finish(ws, kind, depth, circular)
    if head == "tr":
        return R.reshape(P, m).mean(axis=0)
    return R.reshape(-1, m)[0]
