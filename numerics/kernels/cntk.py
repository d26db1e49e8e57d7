"""Analytic convolutional GP (CGPK) and NTK (CNTK) kernels on the multisphere, float64.

Network (formula sheet ``multisphere_cntk.md`` §1.1, Geifman et al. 2022 Table 1 as reconstructed):
a 1x1 convolution, then ``L - 1`` circular stride-1 convolutions with filter size ``q``, ReLU, and one
of three heads (``eq``: output at pixel 0; ``tr``: dense layer on top; ``gap``: global average pool).
Recursion (sheet §2.2, Arora et al. 2019 form, window average ``1/q`` per spatial axis)::

    Sigma1_ab = Theta1_ab = <x_a, z_b>
    Sigma_l_ab = mean_w kappa1(Sigma_{l-1}_{a+w, b+w})
    Theta_l_ab = mean_w [kappa0(Sigma_{l-1}) Theta_{l-1} + kappa1(Sigma_{l-1})]_{a+w, b+w}
    readout  K_ab = kappa1(Sigma_L_ab),  Theta_ab = kappa0(Sigma_L_ab) Theta_L_ab + kappa1(Sigma_L_ab)
    heads    eq: [0, 0];  tr: mean_a [a, a];  gap: mean_{a, b} [a, b]

With unit-norm pixels ``K(x, x) = 1`` and ``Theta(x, x) = L + 1``.  Eq and Tr only use the
diagonal ``a = b`` (multi-dot-product kernels, functions of the per-pixel cosines ``t_a``);
GAP needs every pixel pair.  ``kappa0``/``kappa1`` are the float twins of
:func:`theory.arccos.kappa0` / :func:`theory.arccos.kappa1` (tested equal in ``tests/test_cntk.py``).

References
----------
.. [G22] A. Geifman, M. Galun, D. Jacobs, R. Basri, "On the spectral bias of convolutional neural
   tangent and Gaussian process kernels", NeurIPS 2022, arXiv:2203.09255.
.. [A19] S. Arora et al., "On exact computation with an infinitely wide neural net", NeurIPS 2019.
"""
from __future__ import annotations


import numpy as np

from theory.geifman2022 import window

__all__ = ["HEADS", "KINDS", "kappa0", "kappa1", "window", "multidot", "gram", "fc_multidot"]

HEADS = ("eq", "tr", "gap")
KINDS = ("ntk", "gp")
_BLOCK_BYTES = 2**26          # ~64 MB per working array of a block


def kappa0(u: np.ndarray) -> np.ndarray:
    """``1 - arccos(u)/pi`` elementwise (``u`` clipped to [-1, 1] against rounding)."""
    return 1.0 - np.arccos(np.clip(u, -1.0, 1.0)) / np.pi


def kappa1(u: np.ndarray) -> np.ndarray:
    """``(sqrt(1 - u^2) + (pi - arccos u) u) / pi`` elementwise (``u`` clipped to [-1, 1])."""
    u = np.clip(u, -1.0, 1.0)
    return (np.sqrt(1.0 - u * u) + (np.pi - np.arccos(u)) * u) / np.pi


def _kappas_delta(D: np.ndarray, E: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(kappa0(1 - D), 1 - kappa1(1 - D))`` from the complements ``D = 1 - u`` and ``E = 1 + u``.

    Working with ``D`` and ``E`` keeps full accuracy near ``u = 1`` and ``u = -1``, where the
    arc-cosine functions have square-root singularities that would turn a rounding error ``eps`` of
    ``u`` into ``sqrt(eps)``: ``theta = arccos u = 2 atan2(sqrt D, sqrt E)``,
    ``sin theta = sqrt(D E)`` and ``1 - kappa1 = (pi D + theta (1 - D) - sin theta) / pi``.
    ``E`` defaults to ``2 - D`` (exact enough when ``u >= 0``, as in every layer after the first).
    """
    D = np.clip(D, 0.0, 2.0)
    E = 2.0 - D if E is None else np.clip(E, 0.0, 2.0)
    sD, sE = np.sqrt(D), np.sqrt(E)
    theta = np.arctan2(sD, sE)
    theta *= 2.0
    c1 = 1.0 - D
    c1 *= theta
    c1 -= sD * sE
    c1 *= 1.0 / np.pi
    c1 += D
    k0 = theta
    k0 *= -1.0 / np.pi
    k0 += 1.0
    return k0, c1


def _check(head, depth, filter_size, kind):
    if head not in HEADS:
        raise ValueError(f"`head` must be one of {list(HEADS)}; got {head!r}")
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {list(KINDS)}; got {kind!r}")
    if not (isinstance(depth, (int, np.integer)) and depth >= 2):
        raise ValueError(f"`depth` (number of layers L, 1x1 layer included) must be an int >= 2; got {depth!r}")
    window(filter_size)


def _shift_avg(A: np.ndarray, offs: list[int], axes: tuple[int, ...]) -> np.ndarray:
    """``mean_w A[..., a + w, ...]`` over the (product) window, circular, on each axis of ``axes``.

    The ``q^nsp`` window is a product of 1-D windows, so the average is taken one axis at a time
    (``nsp q`` strided views instead of ``q^nsp``), each from one circular pad of that axis.
    """
    lo, hi = -min(offs), max(offs)
    out = A
    for ax in axes:
        n = out.shape[ax]
        if lo or hi:
            pad = [(0, 0)] * out.ndim
            pad[ax] = (lo, hi)
            P = np.pad(out, pad, mode="wrap")
        else:
            P = out
        acc = None
        for w in offs:
            idx = [slice(None)] * out.ndim
            idx[ax] = slice(lo + w, lo + w + n)
            view = P[tuple(idx)]
            if acc is None:
                acc = view.copy()
            else:
                acc += view
        acc *= 1.0 / len(offs)
        out = acc
    return out


def _recursion(D: np.ndarray, depth: int, q: int, kind: str, axes: tuple[int, ...],
               E: np.ndarray | None = None) -> np.ndarray:
    """Run the recursion from the layer-1 complements ``D = 1 - Sigma1`` and return the readout.

    ``axes`` are the pixel axes ``a`` that the window shifts; any other axes are carried along
    (pairs of inputs, and for GAP the pixel offsets ``delta = b - a``: since the recursion shifts
    ``a`` and ``b`` together, in coordinates ``(a, delta)`` only ``a`` moves).
    The GP covariance is carried as its complement ``1 - Sigma`` (see :func:`_kappas_delta`);
    window averages commute with ``1 - .``.  ``E = 1 + Sigma1`` (optional) is used in layer 1.
    """
    offs = window(q)
    Th = (1.0 - D) if kind == "ntk" else None
    for layer in range(depth - 1):
        k0, c1 = _kappas_delta(D, E if layer == 0 else None)
        if kind == "ntk":
            Th = _shift_avg(k0 * Th + (1.0 - c1), offs, axes)
        D = _shift_avg(c1, offs, axes)
    k0, c1 = _kappas_delta(D)
    if kind == "gp":
        return 1.0 - c1
    return k0 * Th + (1.0 - c1)


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
    R = _recursion(D, int(depth), int(filter_size), kind, tuple(range(D.ndim - nsp, D.ndim)))
    sp = tuple(range(-nsp, 0))
    if head == "eq":
        return R[(Ellipsis,) + (0,) * nsp]
    return R.mean(axis=sp)


def fc_multidot(T: np.ndarray, *, kind: str = "ntk", depth: int = 2) -> np.ndarray:
    """FC kernel (``depth - 1`` hidden ReLU layers on ``x / sqrt d``) as a function of the cosines.

    ``rho = mean_a t_a``; NTK/GP recursion of a fully connected ReLU net with the same
    normalisation as :func:`multidot` (``K(x,x) = 1``, ``Theta(x,x) = depth``). The negative
    control of the locality claims (sheet §5): multi-dot-product, no locality.

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


def _half_sqdist(A: np.ndarray, B: np.ndarray, pair: bool, sign: float = -1.0) -> np.ndarray:
    """``||x_a - z_b||^2 / 2 = 1 - <x_a, z_b>`` (``sign=-1``) or ``||x_a + z_b||^2 / 2 = 1 + <x_a, z_b>``
    (``sign=+1``) for unit pixels, without cancellation.

    A: (n1, zeta, *sp), B: (n2, zeta, *sp) -> (n1, n2, *sp) for ``b = a``, or with ``pair``
    (n1, n2, *sp_a, *sp_delta) for ``b = a + delta`` (circular).
    """
    nsp = A.ndim - 2
    if pair:
        idx = []
        for i, n in enumerate(B.shape[2:]):
            ar = np.arange(n)
            ix = (ar[:, None] + ar[None, :]) % n                                  # (a, delta)
            shape = [1] * (2 * nsp)
            shape[i], shape[nsp + i] = n, n
            idx.append(ix.reshape(shape))
        B = B[(slice(None), slice(None)) + tuple(idx)]                            # (n2, zeta, *a, *delta)
    out = None
    for c in range(A.shape[1]):
        a, b = A[:, c], B[:, c]
        a = a[:, None]
        if pair:
            a = a.reshape(a.shape + (1,) * nsp)
        b = b[None, :]
        diff = a + sign * b
        diff *= diff
        out = diff if out is None else out.__iadd__(diff)
    return 0.5 * out


def gram(X1, X2=None, *, head: str, depth: int, filter_size: int, kind: str,
         block_bytes: int = _BLOCK_BYTES) -> np.ndarray:
    """Analytic CNTK / CGPK Gram matrix between two sets of multisphere points [G22].

    Parameters
    ----------
    X1 : ndarray, shape (n1, zeta, d) or (n1, zeta, H, W)
        Inputs with unit-norm pixels (norm over the channel axis); circular padding.
    X2 : ndarray, shape (n2, zeta, d) or (n2, zeta, H, W), optional
        Defaults to ``X1`` (then only the upper block triangle is computed).
    head : {"eq", "tr", "gap"}
    depth : int
        ``L >= 2``: the 1x1 layer plus ``L - 1`` convolutions.
    filter_size : int
        ``q >= 1`` (per spatial axis: ``q x q`` filters for 2-D inputs).
    kind : {"ntk", "gp"}
    block_bytes : int
        Memory bound of one working array; rows of ``X1`` are processed in blocks so that no
        array larger than about this many bytes is formed (never ``n1 n2 d^2`` at once).

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
    nsp = X1.ndim - 2
    npix = int(np.prod(X1.shape[2:]))
    n1, n2 = X1.shape[0], X2.shape[0]
    per_pair = (npix * npix if head == "gap" else npix) * 3
    budget = max(1, int(block_bytes // (8 * per_pair)))      # pairs per block
    if sym:                   # square blocks, so that the lower block triangle can be skipped
        rows = cols = max(1, min(n1, int(np.sqrt(budget))))
    else:
        rows = max(1, min(n1, budget // max(1, n2)))
        cols = n2 if rows > 1 else max(1, min(n2, budget))
    out = np.empty((n1, n2))
    sp = tuple(range(-nsp, 0))
    for i0 in range(0, n1, rows):
        A = X1[i0:i0 + rows]
        for j0 in range(0, n2, cols):
            if sym and j0 + cols <= i0:
                continue          # lower block: filled by symmetry below
            B = X2[j0:j0 + cols]
            if head == "gap":
                S = _half_sqdist(A, B, pair=True)
                R = _recursion(S, int(depth), int(filter_size), kind, tuple(range(2, 2 + nsp)),
                               E=_half_sqdist(A, B, pair=True, sign=1.0))
                val = R.mean(axis=tuple(range(2, 2 + 2 * nsp)))
            else:
                S = _half_sqdist(A, B, pair=False)
                R = _recursion(S, int(depth), int(filter_size), kind, tuple(range(2, 2 + nsp)),
                               E=_half_sqdist(A, B, pair=False, sign=1.0))
                val = R[(Ellipsis,) + (0,) * nsp] if head == "eq" else R.mean(axis=sp)
            out[i0:i0 + rows, j0:j0 + cols] = val
    if sym:                   # mirror the computed upper blocks into the skipped lower ones
        done = np.zeros((n1, n1), dtype=bool)
        for i0 in range(0, n1, rows):
            for j0 in range(0, n2, cols):
                done[i0:i0 + rows, j0:j0 + cols] = not (j0 + cols <= i0)
        out = np.where(done, out, out.T)
    return out
