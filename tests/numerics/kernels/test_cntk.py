"""Unit and property tests of numerics.kernels.cntk, numerics.nets.deep_cnn, numerics.kernels.multisphere and
theory.geifman2022 (the claims themselves are run by tests/test_claims.py)."""

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import theory.geifman2022 as tms
from numerics.kernels.cntk import gram, kappa0, kappa1, multidot, window
from numerics.kernels.recursion import kappa_step, window_sum
from numerics.nets.deep_cnn import DeepCNN
from numerics.kernels.multisphere import quadrature_spectrum, torus_spectrum
from theory.arccos import kappa0 as k0_theory, kappa1 as k1_theory


def _points(rng, n, zeta, *sp):
    X = rng.standard_normal((n, zeta, *sp))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _direct(X1, X2, head, depth, q, kind):
    """Unblocked reference: loops over pairs, the recursion of docs/geifman2022.md on full d x d pixel matrices."""
    offs = window(q)
    d = X1.shape[2]
    out = np.empty((len(X1), len(X2)))
    for i, x in enumerate(X1):
        for j, z in enumerate(X2):
            S = x.T @ z
            T = S.copy()
            for _ in range(depth - 1):
                k1 = kappa1(S)
                T = sum(np.roll(kappa0(S) * T + k1, (-w, -w), axis=(0, 1)) for w in offs) / q
                S = sum(np.roll(k1, (-w, -w), axis=(0, 1)) for w in offs) / q
            R = kappa1(S) if kind == "gp" else kappa0(S) * T + kappa1(S)
            out[i, j] = {"eq": R[0, 0], "tr": np.trace(R) / d, "gap": R.mean()}[head]
    return out


def test_kappas_match_theory():
    for u in np.linspace(-1, 1, 21):
        assert kappa0(np.array(u)) == pytest.approx(float(k0_theory(float(u), mode="float")), abs=1e-15)
        assert kappa1(np.array(u)) == pytest.approx(float(k1_theory(float(u), mode="float")), abs=1e-15)
        h, e = np.array([(1 - u) / 2]), np.array([max((1 + u) / 2, 1e-300)])
        c, V, k0 = kappa_step(h, e, np.array([0.5]), 1.0)
        assert k0[0] == pytest.approx(kappa0(np.array(u)), abs=1e-14)
        assert 1 - 2 * c[0] == pytest.approx(kappa1(np.array(u)), abs=1e-14)
        assert 2 * V[0] + 1 == pytest.approx(kappa0(np.array(u)) + kappa1(np.array(u)), abs=1e-14)


@settings(deadline=None, max_examples=15)
@example(head="gap", kind="ntk", q=3, depth=3, d=5, seed=0)
@given(head=st.sampled_from(["eq", "tr", "gap"]), kind=st.sampled_from(["ntk", "gp"]),
       q=st.integers(1, 4), depth=st.integers(2, 4), d=st.integers(2, 6), seed=st.integers(0, 2**31))
def test_gram_properties(head, kind, q, depth, d, seed):
    rng = np.random.default_rng(seed)
    X = _points(rng, 5, 3, d)
    Z = _points(rng, 3, 3, d)
    K = gram(X, head=head, depth=depth, filter_size=q, kind=kind)
    np.testing.assert_allclose(K, K.T, atol=1e-14)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    Ksym_blocked = gram(X, head=head, depth=depth, filter_size=q, kind=kind, block_bytes=8 * 2 * d * d * 4)
    np.testing.assert_allclose(Ksym_blocked, K, atol=1e-14)
    ref = _direct(X, Z, head, depth, q, kind)
    blocked = gram(X, Z, head=head, depth=depth, filter_size=q, kind=kind, block_bytes=64)
    np.testing.assert_allclose(blocked, ref, atol=1e-9, rtol=1e-9)
    if head != "gap":
        diag = np.diag(K)
        np.testing.assert_allclose(diag, 1.0 if kind == "gp" else depth + 1.0, atol=1e-13)
    # shift equivariance: Tr and GAP are invariant under a common cyclic shift of both inputs
    if head in ("tr", "gap"):
        s = int(rng.integers(0, d))
        Ks = gram(np.roll(X, s, axis=2), np.roll(Z, s, axis=2), head=head, depth=depth, filter_size=q, kind=kind)
        np.testing.assert_allclose(Ks, gram(X, Z, head=head, depth=depth, filter_size=q, kind=kind), atol=1e-12)
    if head == "gap":   # GAP is invariant under shifting one input alone
        Ks = gram(X, np.roll(Z, 1, axis=2), head=head, depth=depth, filter_size=q, kind=kind)
        np.testing.assert_allclose(Ks, gram(X, Z, head=head, depth=depth, filter_size=q, kind=kind), atol=1e-12)


def test_gram_2d_matches_1d_when_H_is_1():
    rng = np.random.default_rng(3)
    X = _points(rng, 4, 3, 7)
    for head in ("eq", "tr", "gap"):
        K1 = gram(X, head=head, depth=3, filter_size=1, kind="ntk")
        K2 = gram(X[:, :, None, :], head=head, depth=3, filter_size=1, kind="ntk")
        np.testing.assert_allclose(K1, K2, atol=1e-13)
    X2 = _points(rng, 4, 2, 3, 4)
    K = gram(X2, head="eq", depth=3, filter_size=3, kind="ntk")
    np.testing.assert_allclose(np.diag(K), 4.0, atol=1e-13)


def test_gram_bad_input():
    X = _points(np.random.default_rng(0), 2, 3, 4)
    with pytest.raises(ValueError, match="head"):
        gram(X, head="max", depth=2, filter_size=2, kind="ntk")
    with pytest.raises(ValueError, match="depth"):
        gram(X, head="eq", depth=1, filter_size=2, kind="ntk")
    with pytest.raises(ValueError, match="unit norm"):
        gram(2 * X, head="eq", depth=2, filter_size=2, kind="ntk")


def test_multidot_equals_symbolic_recursion():
    expr, syms = tms.eq_kernel(3, 3, "ntk")
    T = np.array([0.3, -0.2, 0.5, 0.1, 0.7])
    val = multidot(T, head="eq", depth=3, filter_size=3, kind="ntk")
    ref = float(expr.subs({s: sympy.Float(T[j % 5], 30) for j, s in syms.items()}))
    assert val == pytest.approx(ref, abs=1e-14)


def test_path_counts():
    assert tms.path_counts(2, 3) == {0: 1, 1: 2, 2: 1}
    assert tms.path_counts(3, 3) == {-2: 1, -1: 2, 0: 3, 1: 2, 2: 1}
    assert sum(tms.path_counts(3, 5).values()) == 3 ** 4


def test_mu_closed_matches_funk_hecke():
    for zeta in (3, 4):
        for n in range(5):
            for k in range(n + 1):
                assert sympy.simplify(tms.mu_funk_hecke(n, k, zeta) - tms.mu_closed(n, k, zeta)) == 0


def test_torus_fft_equals_quadrature_zeta2():
    f = lambda D: multidot(head="eq", depth=2, filter_size=2, kind="gp", delta=D)
    lam_fft, imag = torus_spectrum(f, 2, 256)
    lam_q = quadrature_spectrum(f, 2, 2, 200, 6)
    assert imag < 1e-15
    np.testing.assert_allclose(lam_fft[:7, :7], lam_q, atol=1e-9)


@settings(deadline=None, max_examples=6)
@given(head=st.sampled_from(["eq", "tr", "gap"]), q=st.integers(1, 3), depth=st.integers(2, 3),
       seed=st.integers(0, 2**31))
def test_deep_cnn_gradients_by_finite_differences(head, q, depth, seed):
    rng = np.random.default_rng(seed)
    X = _points(rng, 3, 2, 5)
    net = DeepCNN(2, 5, 4, depth, q, head, seed=seed)
    J = net.jacobian(X)
    eps = 1e-6
    for name, p in net.params.items():
        idx = tuple(int(rng.integers(0, s)) for s in p.shape)
        old = p[idx]
        p[idx] = old + eps
        fp = net.forward(X)
        p[idx] = old - eps
        fm = net.forward(X)
        p[idx] = old
        np.testing.assert_allclose((fp - fm) / (2 * eps), J[name][(slice(None),) + idx], atol=1e-6)
    Jflat = np.concatenate([J[k].reshape(3, -1) for k in J], axis=1)
    np.testing.assert_allclose(net.ntk(X), Jflat @ Jflat.T, atol=1e-12)
    Y = rng.standard_normal(3)
    loss, grads = net.loss_and_grad(X, Y)
    f = net.forward(X)
    assert loss == pytest.approx(0.5 * np.mean((f - Y) ** 2))
    np.testing.assert_allclose(grads["v"], np.tensordot((f - Y) / 3, J["v"], axes=1), atol=1e-14)


def test_deep_cnn_ntk_near_gram_at_width_512():
    rng = np.random.default_rng(5)
    X = _points(rng, 3, 3, 5)
    K = gram(X, head="tr", depth=3, filter_size=3, kind="ntk")
    err = np.linalg.norm(DeepCNN(3, 5, 512, 3, 3, "tr", seed=1).ntk(X) - K) / np.linalg.norm(K)
    assert err < 0.25
