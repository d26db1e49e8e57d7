"""Unit and property tests of theory.cnnflow_fourier, numerics.experiments.cnnflow_fourier and numerics.experiments.cnnflow_retrieval."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings, strategies as st

import theory.cnnflow_fourier as tf
from numerics.experiments import cnnflow_fourier as F
from numerics.experiments import cnnflow_retrieval as FR


# --------------------------------------------------------------------------- theory
@pytest.mark.parametrize("fn", [tf.plancherel, tf.white_spectrum, tf.band_theorems, tf.relu_harmonics])
def test_derivations_verified(fn):
    d = fn()
    assert d.checks and d.verified, {k: v for k, v in d.checks.items() if not v}


def test_pseudo_variance_exact_values():
    assert tf.pseudo_variance(12, 5, 3) == 1                    # 1 - 1 + 1 - 1 + 1
    assert tf.pseudo_variance(16, 16, 3) == 0
    assert tf.pseudo_variance(16, 3, 0) == 3                    # xi = 0: q s^2
    mu = tf.law_weights(16, 16, 3)
    assert mu == (8, 8)


def test_pseudo_variance_rejects_bad_input():
    with pytest.raises(ValueError, match="`q`"):
        tf.pseudo_variance(8, 9, 1)
    with pytest.raises(ValueError, match="`xi`"):
        tf.pseudo_variance(8, 3, 8)


@settings(max_examples=30, deadline=None)
@example(N=12, q=5, xi=3)
@given(N=st.integers(2, 24), q=st.integers(1, 24), xi=st.integers(0, 23))
def test_pseudo_variance_matches_float_sum(N, q, xi):
    q, xi = min(q, N), xi % N
    c = complex(tf.pseudo_variance(N, q, xi))
    ref = np.exp(-4j * np.pi * np.arange(q) * xi / N).sum()
    assert abs(c - ref) <= 1e-12 * max(1, q)
    assert (abs(ref) < 1e-9) == tf.circular_condition(N, q, xi)


def test_relu_hp_b0_closed_form():
    hp = tf.band_theorems().results["h_p_relu_b0"]
    for p in range(2, 6):
        assert sp.simplify(hp.subs({sp.Symbol("A", positive=True): 1, sp.Symbol("p", integer=True, positive=True): p})
                           - tf.relu_hp_b0(p)) == 0


def test_stretched_coefficient():
    assert abs(float(tf.stretched_exponent_coefficient(1)) - 3 * (math.pi / 2)**(2 / 3)) < 1e-12
    # sigma_A scaling: c(sigma) = c(1) sigma^(-2/3)
    assert abs(float(tf.stretched_exponent_coefficient(8)) - float(tf.stretched_exponent_coefficient(1)) / 4) < 1e-12


# --------------------------------------------------------------------------- numerics: spectra
@settings(max_examples=25, deadline=None)
@given(N=st.integers(2, 40), q=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_plancherel_property(N, q, seed):
    q = min(q, N)
    W = F.random_kernels(5, N, q, 0.7, np.random.default_rng(seed))
    P = F.kernel_power(W)
    np.testing.assert_allclose(P.sum(1) / N, (W**2).sum(1), rtol=1e-12, atol=1e-300)


def test_dft_convention():
    N = 7
    v = np.random.default_rng(0).standard_normal(N)
    ref = [sum(v[l] * np.exp(-2j * np.pi * l * xi / N) for l in range(N)) for xi in range(N)]
    np.testing.assert_allclose(F.dft(v), ref, atol=1e-12)


def test_random_kernels_rejects_long_kernel():
    with pytest.raises(ValueError, match="`q`"):
        F.random_kernels(3, 8, 9, 1.0, np.random.default_rng(0))


# --------------------------------------------------------------------------- numerics: harmonics and rates
def test_relu_hp_closed_form_vs_fft():
    A = np.array([0.5, 1.0, 2.0])
    b = np.array([-0.3, 0.0, 0.7])
    H = F.harmonics_fft("relu", A, b, 12, L=1 << 16)
    for p in range(1, 13):
        np.testing.assert_allclose(F.relu_hp(A, b, p), H[:, p], atol=2e-8)


def test_relu_b0_odd_harmonics_vanish():
    A = np.linspace(0.1, 3, 7)
    for p in (3, 5, 7, 9):
        assert np.max(np.abs(F.relu_hp(A, 0 * A, p))) < 1e-15


def test_lambda_relu_b0_closed_form():
    """lambda_xi = (N m / 4) E A^2 (2/(pi (xi^2 - 1)))^2 for even xi, no aliasing correction is tiny."""
    N, m = 64, 10
    lam = F.lambda_xi(N, m, [2, 4, 6], "relu", aliases=1)
    pred = [N * m / 4 * (2 / (math.pi * (x * x - 1)))**2 for x in (2, 4, 6)]
    np.testing.assert_allclose(lam, pred, rtol=2e-3)     # trapezoid quadrature of E A^2 = 1


def test_features_match_cnn_forward():
    rng = np.random.default_rng(3)
    net = F.frozen_net(16, 8, 5, "relu", rng, b_std=0.5)
    net.params["a"] = rng.standard_normal(5)
    x0 = F.tone(16)
    np.testing.assert_allclose(F.features(net, x0) @ net.params["a"], net.forward(x0[None, None])[0], atol=1e-12)


def test_ntk_gram_matches_jacobian():
    rng = np.random.default_rng(4)
    N, m = 12, 6
    net = F.frozen_net(N, 4, m, "tanh", rng, b_std=0.5, a_std=1.0, output_scale=0.3)
    x0 = F.tone(N)
    X = x0[None, None]
    th0 = net.get_flat()
    J = np.empty((N, th0.size))
    h = 1e-6
    for i in range(th0.size):
        e = np.zeros_like(th0)
        e[i] = h
        net.set_flat(th0 + e)
        up = net.forward(X)[0]
        net.set_flat(th0 - e)
        J[:, i] = (up - net.forward(X)[0]) / (2 * h)
    net.set_flat(th0)
    np.testing.assert_allclose(F.ntk_gram(net, x0), J @ J.T, rtol=1e-6, atol=1e-8)


def test_retrieval_time_of_pure_mode():
    """A circulant K with eigenvalue lam on mode xi retrieves it at exactly 1/lam."""
    N = 16
    th = 2 * np.pi * np.arange(N) / N
    lam = {1: 3.0, 2: 0.5, 3: 0.01}
    K = sum(l * 2 / N * np.cos(x * (th[:, None] - th[None, :])) for x, l in lam.items())
    r0 = sum(np.cos(x * th + 0.3 * x) for x in lam)
    t = F.retrieval_times(K, r0, [1, 2, 3])
    np.testing.assert_allclose(t, [1 / lam[x] for x in (1, 2, 3)], rtol=1e-9)


def test_retrieval_time_null_mode_is_inf():
    N = 16
    th = 2 * np.pi * np.arange(N) / N
    K = np.cos(th[:, None] - th[None, :])
    t = F.retrieval_times(K, np.cos(th) + np.cos(3 * th), [1, 3])
    assert np.isfinite(t[0]) and np.isinf(t[1])


# --------------------------------------------------------------------------- trained nets
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_b1_linear_band_never_moves(seed):
    r = FR.band_run(np.random.default_rng(seed), "linear", steps=50)
    assert FR.above_band_move(r["r0"], r["rT"], 3) <= 1e-12
    assert r["loss"][1] < r["loss"][0]


def test_band_limited_signals_support():
    X = FR.band_limited_signals(4, 32, 3, np.random.default_rng(0))[:, 0]
    f = np.minimum(np.arange(32), 32 - np.arange(32))
    assert np.max(np.abs(F.dft(X)[:, f > 3])) < 1e-12
    assert np.min(np.max(np.abs(F.dft(X)[:, f == 3]), axis=1)) > 1e-3


@pytest.mark.parametrize("name, p", [("square", 2), ("cube", 3)])
def test_polynomial_activations(name, p):
    from numerics.nets.activations import get
    act = get(name)
    z = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(act.value(z), z**p)
    np.testing.assert_allclose(act.derivative(z), p * z ** (p - 1))
    assert act.degree == p


def test_retrieval_run_bad_kind():
    with pytest.raises(ValueError, match="`kind`"):
        FR.retrieval_run(np.random.default_rng(0), 16, 8, 10, "relu", 0.0, [1], kind="lazy")


# --------------------------------------------------------------------------- issue 13: shared measurements
def test_power_moments_match_direct_computation():
    M, N, q = 3000, 8, 5
    r = F.power_moments(M, N, q, 7, exp_at=(1,), chunk=700)
    rng = np.random.default_rng([7, 901])
    X = np.concatenate([F.kernel_power(F.random_kernels(min(700, M - s), N, q, 1.0, rng)) for s in range(0, M, 700)])
    np.testing.assert_allclose(r["mean"], X.mean(0), rtol=1e-12)
    np.testing.assert_allclose(r["var"], X.var(0, ddof=1), rtol=1e-9)
    np.testing.assert_allclose(r["se_mean"], X.std(0) / math.sqrt(M), rtol=1e-9)
    assert r["plancherel"] < 1e-13 and set(r["ks_exp"]) == {1} and 0 <= r["ks_chi2"] <= 1


def test_lln_curve_nested_running_means():
    S = F.lln_curve((1, 4, 10), 5, 8, 3, 0, chunk=2)
    assert S.shape == (5, 3) and np.all(S >= 0)
    rng = np.random.default_rng([0, 902])
    w = rng.standard_normal((2, 10, 3))
    P = np.abs(np.fft.rfft(w, n=8, axis=-1))**2
    np.testing.assert_allclose(S[:2, 2], np.max(np.abs(P.mean(1) / 3 - 1), axis=-1), rtol=1e-12)


def test_lambda_xi_uses_derived_prefactor():
    lam = F.lambda_xi(16, 3, [2, 4], "relu", aliases=1)
    Eh2 = F.expected_h2("relu", 16)
    np.testing.assert_allclose(lam, [16 * 3 / 4 * (Eh2[2] + Eh2[14]), 16 * 3 / 4 * (Eh2[4] + Eh2[12])], rtol=1e-12)


def test_retrieval_runs_seeded_and_shaped():
    a = FR.retrieval_runs(3, 906, 2, 16, 8, 50, "relu", 0.0, (2, 4))
    b = FR.retrieval_runs(3, 906, 2, 16, 8, 50, "relu", 0.0, (2, 4))
    assert a.shape == (2, 2) and np.array_equal(a, b)


def test_b3_null_ratio_zero_without_bias():
    spec = FR.b3_run(np.random.default_rng(1), steps=20)
    assert spec.shape == (17,) and FR.b3_null_ratio(spec, (3, 5, 7)) < 1e-12
    assert FR.b3_null_ratio(spec, (4,)) > 1e-6
