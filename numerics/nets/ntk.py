"""Empirical neural tangent kernel of the two-layer CNN of :mod:`numerics.nets.cnn`.

``Theta(x, x') = sum_theta d f(x)/d theta * d f(x')/d theta`` (Jacot et al. 2018), summed over the
parameter groups in ``wrt``; the sum splits exactly into blocks (``docs/cnnflow.md`` §4)::

    Theta = Theta_a + Theta_w + Theta_b .

Per-example parameter Jacobians are formed in closed form from the forward pass, vectorised:
with ``D[i, p, k] = d f(x_i) / d z_k[p]`` (head weight x ``sigma'(z_k[p])`` x output scale),

- ``d f / d w_k = sum_p D[i, p, k] P_p x_i``  (patches ``P_p x``),  ``d f / d b_k = sum_p D[i, p, k]``,
- ``d f / d a`` = ``s`` times the head applied to the features ``sigma(z)``.

For ``head="map"`` every output position is one output: the kernel is indexed by ``(i, p)``; there
``D`` is non-zero only at ``p`` itself, so ``Theta_w = (D D'^T) * (Pt Pt'^T)`` elementwise.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["empirical_ntk", "jacobian_blocks"]

_GROUPS = ("w", "b", "a")


def _parts(net, X):
    """Features, derivative factors and patches of ``X`` for the NTK blocks."""
    Pt, Z, P = net.patch_preactivations(X)
    n, a = Z.shape[0] // math.prod(P), net.params["a"]
    m, nP, s = net.channels, math.prod(P), net.output_scale
    H = net.act.value(Z)                                    # (n|P|, m)
    S = net.act.derivative(Z)                               # (n|P|, m)
    if net.head == "map":
        Ja = s * H                                          # rows (i, p)
        D = s * S * a                                       # (n|P|, m)
    elif net.head == "gap":
        Ja = (s / nP) * H.reshape(n, nP, m).sum(1)          # (n, m)
        D = (s / nP) * (S * a).reshape(n, nP, m)
    else:
        A = a.reshape(m, nP).T                              # (|P|, m)
        Ja = s * H.reshape(n, nP, m).transpose(0, 2, 1).reshape(n, m * nP)   # layout of a: (m, *P)
        D = s * S.reshape(n, nP, m) * A
    return Ja, D, Pt, P, n


def jacobian_blocks(net, X, wrt=_GROUPS):
    """Per-output Jacobian blocks, flattened: dict group -> ndarray, shape (outputs, group size).

    ``outputs`` is ``n`` for scalar heads and ``n |P|`` for ``head="map"`` (rows ``(i, p)``).
    For the map head the ``w`` block is returned dense (memory ``n |P| m C q^dim``), so prefer
    :func:`empirical_ntk` for large maps.
    """
    wrt = _check_wrt(net, wrt)
    Ja, D, Pt, P, n = _parts(net, X)
    out = {}
    scalar = net.head != "map"
    if "w" in wrt:
        if scalar:
            nP = math.prod(P)
            Jw = np.einsum("ipk,ipj->ikj", D, Pt.reshape(n, nP, -1), optimize=True)
        else:
            Jw = D[:, :, None] * Pt[:, None, :]
        out["w"] = Jw.reshape(Jw.shape[0], -1)
    if "b" in wrt:
        out["b"] = D.sum(1) if scalar else D
    if "a" in wrt:
        out["a"] = Ja
    return out


def _check_wrt(net, wrt):
    if isinstance(wrt, str):
        wrt = (wrt,)
    wrt = tuple(wrt)
    bad = [g for g in wrt if g not in _GROUPS]
    if bad or not wrt:
        raise ValueError(f"`wrt` must be a non-empty subset of {_GROUPS}; got {wrt!r}")
    if "b" in wrt and not net.bias:
        wrt = tuple(g for g in wrt if g != "b")              # a net without bias has no b block
        if not wrt:
            raise ValueError("`wrt`=('b',) but the net has no bias")
    return wrt


def empirical_ntk(net, X, Z=None, wrt=_GROUPS) -> np.ndarray:
    """Empirical NTK Gram matrix of ``net`` between inputs ``X`` and ``Z``.

    Parameters
    ----------
    net : numerics.nets.cnn.CNN
    X : array_like, shape (n, C, *L)
    Z : array_like, shape (p, C, *L), optional
        Defaults to ``X``.
    wrt : tuple of {"w", "b", "a"}
        Parameter groups whose gradients enter the kernel (``"b"`` is ignored for a net without bias).

    Returns
    -------
    K : ndarray, shape (n, p) for scalar outputs (gap, dense, or map with ``|P| = 1``);
        shape (n, *P, p, *P) for ``head="map"`` with ``|P| > 1``.
        ``K[i, j] = <grad_theta f(x_i), grad_theta f(z_j)>`` over the groups in ``wrt``.
    """
    wrt = _check_wrt(net, wrt)
    same = Z is None
    Ja, D, Pt, P, n = _parts(net, X)
    if same:
        Jb, E, Qt, n2 = Ja, D, Pt, n
    else:
        Jb, E, Qt, _, n2 = _parts(net, Z)
    nP = math.prod(P)
    K = 0
    if net.head == "map":
        if "a" in wrt:
            K = K + Ja @ Jb.T
        if "w" in wrt or "b" in wrt:
            DD = D @ E.T
            if "w" in wrt:
                K = K + DD * (Pt @ Qt.T)
            if "b" in wrt:
                K = K + DD
        K = np.asarray(K)
        if nP > 1:
            K = K.reshape((n,) + tuple(P) + (n2,) + tuple(P))
        return K
    if "a" in wrt:
        K = K + Ja @ Jb.T
    if "b" in wrt:
        K = K + D.sum(1) @ E.sum(1).T
    if "w" in wrt:
        Jw = np.einsum("ipk,ipj->ikj", D, Pt.reshape(n, nP, -1), optimize=True).reshape(n, -1)
        Kw = Jw if same else np.einsum("ipk,ipj->ikj", E, Qt.reshape(n2, nP, -1),
                                       optimize=True).reshape(n2, -1)
        K = K + Jw @ Kw.T
    return np.asarray(K)
