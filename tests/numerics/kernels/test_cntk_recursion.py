"""Tests of numerics.kernels.recursion and of the blocked CNTK/CGPK Gram against explicit references
(2-D pixel-pair loops, high-precision values at Sigma = +-1)."""

import itertools

import mpmath
import numpy as np
import pytest

from numerics.kernels.cntk import gram, kappa0, kappa1, multidot, window
from numerics.kernels.recursion import window_sum


def _points(rng, n, zeta, *sp):
    X = rng.standard_normal((n, zeta, *sp))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _direct_2d(X1, X2, head, depth, q, kind):
    """Reference: loops over input pairs; the recursion on the full (H, W, H, W) pixel-pair array,
    the window shifting both pixels of a pair together (np.roll on a and b axes)."""
    offs = window(q)
    out = np.empty((len(X1), len(X2)))
    for i, x in enumerate(X1):
        for j, z in enumerate(X2):
            S = np.einsum("chw,cuv->hwuv", x, z)
            T = S.copy()
            for _ in range(depth - 1):
                k1 = kappa1(S)
                G = kappa0(S) * T + k1
                T = sum(np.roll(G, (-u, -v, -u, -v), axis=(0, 1, 2, 3)) for u in offs for v in offs) / q**2
                S = sum(np.roll(k1, (-u, -v, -u, -v), axis=(0, 1, 2, 3)) for u in offs for v in offs) / q**2
            R = kappa1(S) if kind == "gp" else kappa0(S) * T + kappa1(S)
            H, W = S.shape[:2]
            diag = R.reshape(H * W, H * W).diagonal()
            out[i, j] = {"eq": R[0, 0, 0, 0], "tr": diag.mean(), "gap": R.mean()}[head]
    return out


@pytest.mark.parametrize("offs", [[0], [-1, 0, 1], [0, 1], [0, 1, 2, 3], [-2, -1, 0, 1, 2], [0, 1, 2, 3, 4, 5, 6]])
def test_window_sum_circular_and_valid(offs):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 3, 4))
    for axis in range(3):
        ref = sum(np.roll(A, -w, axis=axis) for w in offs)
        np.testing.assert_allclose(window_sum(A, offs, axis), ref, atol=1e-13)
        out = np.empty_like(A)
        assert window_sum(A, offs, axis, out=out) is out
        np.testing.assert_allclose(out, ref, atol=1e-13)
        n = A.shape[axis]
        if max(offs) - min(offs) < n:
            valid = window_sum(A, offs, axis, circular=False)
            keep = np.take(ref, np.arange(-min(offs), n - max(offs)), axis=axis)
            np.testing.assert_allclose(valid, keep, atol=1e-13)


@pytest.mark.parametrize("head,kind", list(itertools.product(["eq", "tr", "gap"], ["ntk", "gp"])))
def test_gram_2d_matches_pixel_pair_loops(head, kind):
    rng = np.random.default_rng(7)
    X, Z = _points(rng, 4, 3, 4, 5), _points(rng, 3, 3, 4, 5)
    for q, depth in [(3, 3), (2, 2), (1, 4), (3, 4)]:
        ref = _direct_2d(X, Z, head, depth, q, kind)
        np.testing.assert_allclose(gram(X, Z, head=head, depth=depth, filter_size=q, kind=kind), ref,
                                   rtol=1e-13, atol=1e-13)
        ref_sym = _direct_2d(X, X, head, depth, q, kind)
        K = gram(X, head=head, depth=depth, filter_size=q, kind=kind)
        off = ~np.eye(4, dtype=bool)        # the reference's arccos loses sqrt(eps) at Sigma = 1
        np.testing.assert_allclose(K[off], ref_sym[off], rtol=1e-13, atol=1e-13)


def test_gram_blocks_do_not_change_numbers():
    rng = np.random.default_rng(2)
    X, Z = _points(rng, 7, 3, 3, 4), _points(rng, 5, 3, 3, 4)
    for head in ("eq", "tr", "gap"):
        K = gram(X, Z, head=head, depth=3, filter_size=3, kind="ntk")
        Ks = gram(X, head=head, depth=3, filter_size=3, kind="ntk")
        for bb in (8, 8 * 12 * 3, 8 * 144 * 5):
            np.testing.assert_allclose(gram(X, Z, head=head, depth=3, filter_size=3, kind="ntk", block_bytes=bb),
                                       K, rtol=1e-14, atol=1e-14)
            np.testing.assert_allclose(gram(X, head=head, depth=3, filter_size=3, kind="ntk", block_bytes=bb),
                                       Ks, rtol=1e-14, atol=1e-14)


def _mp_head_at(sigma1, depth, kind):
    """Eq/Tr value when every pixel pair has cosine ``sigma1`` (windows average constants), mpmath."""
    mpmath.mp.dps = 40
    k0 = lambda u: 1 - mpmath.acos(u) / mpmath.pi
    k1 = lambda u: (mpmath.sqrt(1 - u * u) + (mpmath.pi - mpmath.acos(u)) * u) / mpmath.pi
    S = T = mpmath.mpf(sigma1)
    for _ in range(depth - 1):
        S, T = k1(S), k0(S) * T + k1(S)
    return float(k1(S) if kind == "gp" else k0(S) * T + k1(S))


@pytest.mark.parametrize("kind", ["ntk", "gp"])
def test_exact_at_sigma_plus_minus_one(kind):
    """Duplicated and antipodal inputs: Sigma_1 = +-1 at every pixel, where kappa0/kappa1 have
    square-root singularities; the complements keep full accuracy (1e-14, not sqrt(eps))."""
    rng = np.random.default_rng(4)
    X = _points(rng, 3, 3, 4, 4)
    for depth in (2, 3, 4):
        for head in ("eq", "tr"):
            K = gram(X, np.concatenate([X, -X]), head=head, depth=depth, filter_size=3, kind=kind)
            np.testing.assert_allclose(np.diag(K[:, :3]), _mp_head_at(1, depth, kind), rtol=1e-14)
            np.testing.assert_allclose(np.diag(K[:, 3:]), _mp_head_at(-1, depth, kind), rtol=1e-14)
            T = np.array([[1.0] * 5, [-1.0] * 5])
            np.testing.assert_allclose(multidot(T, head=head, depth=depth, filter_size=3, kind=kind),
                                       [_mp_head_at(1, depth, kind), _mp_head_at(-1, depth, kind)], rtol=1e-14)


def test_tr_is_mean_of_eq_over_shifts():
    """Tr = mean over pixels a of the readout at (a, a) = mean of Eq over the cyclic shifts of the input:
    ties the cropped Eq path (receptive field, valid windows) to the full circular Tr path."""
    rng = np.random.default_rng(5)
    T = rng.uniform(-1, 1, (6, 9, 11))
    for q, depth in [(3, 3), (2, 4), (4, 3), (3, 6)]:      # (3, 6): the field exceeds the 9-pixel axis
        tr = multidot(T, head="tr", depth=depth, filter_size=q, kind="ntk", nsp=2)
        eqs = [multidot(np.roll(T, (-a, -b), axis=(1, 2)), head="eq", depth=depth, filter_size=q,
                        kind="ntk", nsp=2) for a in range(9) for b in range(11)]
        np.testing.assert_allclose(np.mean(eqs, axis=0), tr, rtol=1e-13)
