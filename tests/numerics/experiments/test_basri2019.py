"""Unit and property tests of numerics.data.sphere and numerics.experiments.basri2019 (small sizes)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import theory
from numerics.data import sphere
from numerics.experiments import basri2019 as sb
from numerics.nets.ntk import empirical_ntk
from theory import basri2019_training as lt


# --------------------------------------------------------------------------- sphere
@given(d=st.integers(2, 6), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_uniform_points_are_unit_and_seeded(d, seed):
    X = sphere.uniform(50, d, np.random.default_rng(seed))
    assert X.shape == (50, d)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(X, sphere.uniform(50, d, np.random.default_rng(seed)))


def test_uniform_points_have_mean_zero():
    X = sphere.uniform(20000, 3, np.random.default_rng(1))
    assert np.abs(X.mean(axis=0)).max() < 4 / math.sqrt(3 * 20000)     # Var x_j = 1/d


@given(k=st.integers(0, 25), theta=st.floats(-math.pi, math.pi))
@example(k=0, theta=0.0)
@settings(max_examples=30, deadline=None)
def test_circle_harmonic_is_cos_k_theta(k, theta):
    X = np.array([[math.sin(theta), math.cos(theta)]])        # angle theta from the pole e_2
    assert sphere.zonal_harmonic(X, k)[0] == pytest.approx(math.cos(k * theta), abs=1e-12)


@pytest.mark.parametrize("d,k", [(3, 2), (3, 5), (4, 3), (5, 4)])
def test_zonal_harmonic_normalisation_and_norm(d, k):
    e = sphere.pole(d)
    assert sphere.zonal_harmonic(e[None, :], k)[0] == pytest.approx(1.0)
    # E_sigma[P_k^2] = 1 / N(d, k) (Monte Carlo, 200k points)
    X = sphere.uniform(200_000, d, np.random.default_rng(d * 10 + k))
    ms = np.mean(sphere.zonal_harmonic(X, k) ** 2)
    N = theory.multiplicity(d, k)
    assert ms == pytest.approx(1 / N, rel=0.05)


def test_grid_harmonics_orthogonal_and_normalise():
    X = sphere.circle_grid(64, 0.3)
    Y = np.stack([sphere.zonal_harmonic(X, k) for k in range(5)])
    G = Y @ Y.T / 64
    np.testing.assert_allclose(G, np.diag([1, .5, .5, .5, .5]), atol=1e-12)
    y = sphere.normalise(Y[2])
    assert np.linalg.norm(y) == pytest.approx(1.0)
    assert np.mean(sphere.normalise(Y[2], "rms") ** 2) == pytest.approx(1.0)


def test_sphere_bad_input():
    with pytest.raises(ValueError, match="`d`"):
        sphere.uniform(5, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`k`"):
        sphere.zonal_harmonic(np.eye(3), -1)
    with pytest.raises(TypeError, match="`rng`"):
        sphere.uniform(5, 3, 0)
    with pytest.raises(ValueError, match="`how`"):
        sphere.normalise(np.ones(3), "max")
    with pytest.raises(ValueError, match="zero"):
        sphere.normalise(np.zeros(3))


# --------------------------------------------------------------------------- the net
@pytest.mark.parametrize("kernel", sb.NET_KERNELS)
def test_paired_net_starts_at_zero(kernel):
    rng = np.random.default_rng(0)
    X = sphere.uniform(30, 3, rng)
    net = sb.make_net(3, 40, kernel, rng)
    assert np.abs(net.forward(sb.inputs(X, kernel))).max() < 1e-14
    assert set(np.unique(net.params["a"])) == {-1.0, 1.0}
    if kernel == "basri-bias":
        assert np.all(net.params["w"][:, 0, -1] == 0)                  # b(0) = 0


@pytest.mark.parametrize("kernel,d", [("basri", 2), ("basri", 3), ("basri-bias", 2)])
def test_empirical_kernel_matches_theory(kernel, d):
    """Wide paired net: empirical NTK (first layer) ≈ the named kernel (Monte-Carlo tolerance)."""
    rng = np.random.default_rng(5)
    X = sphere.uniform(12, d, rng)
    m = 40000
    net = sb.make_net(d, m, kernel, rng)
    K = empirical_ntk(net, sb.inputs(X, kernel), wrt=("w",))
    T = np.clip(X @ X.T, -1, 1)
    ref = np.vectorize(lambda t: float(theory.kernel_value(kernel, t)))(T)
    assert np.abs(K - ref).max() < 2.5 / math.sqrt(m / 2)        # 5 sd of a Bernoulli mean


def test_training_decays_at_predicted_rate_small():
    """Small circle run: k = 2 residual crosses 10^-1/2 within 15% of the linearised time."""
    eps, eta = 10 ** -0.5, 10.0
    out = sb.learning_run(d=2, k=2, n=200, m=1000, eta=eta, eps=eps, steps=40, seed=[3])
    pred = sb.predicted_time(float(theory.eigenvalue("basri", 2, 2, mode="float")), eta, eps)
    assert out["time"] == pytest.approx(pred, rel=0.15)
    assert out["curve_r"][0] == 1.0 and out["final"] < eps


def test_odd_target_stalls_without_bias():
    out = sb.learning_run(d=2, k=3, n=200, m=400, eta=10.0, eps=0.3, steps=30, seed=[4], stop=False)
    assert out["final"] > 0.9 and math.isnan(out["time"])


def test_train_only_updates_w():
    rng = np.random.default_rng(2)
    X = sphere.uniform(20, 2, rng)
    net = sb.make_net(2, 10, "basri", rng)
    a0 = net.params["a"].copy()
    sb.train(net, sb.inputs(X, "basri"), sb.target(X, 2), 5.0, 3)
    np.testing.assert_array_equal(net.params["a"], a0)


def test_divergence_raises_with_step():
    rng = np.random.default_rng(2)
    X = sphere.uniform(50, 2, rng)
    net = sb.make_net(2, 200, "basri", rng)
    y = sb.target(X, 1)
    with pytest.raises(FloatingPointError, match="step"):
        sb.train(net, sb.inputs(X, "basri"), y, 400.0, 200)


# --------------------------------------------------------------------------- time helpers
def test_crossing_time_interpolates_geometric_decay():
    q, eta, eps = 0.8, 2.0, 0.3
    rel = q ** np.arange(20)
    exact = eta * math.log(eps) / math.log(q)
    assert sb.crossing_time(rel, eps, eta) == pytest.approx(exact, rel=1e-12)
    assert math.isnan(sb.crossing_time(np.ones(5), eps, eta))


@given(lam=st.floats(1e-5, 0.09), eta=st.floats(0.01, 10.0), eps=st.floats(0.01, 0.9))
@settings(max_examples=30, deadline=None)
def test_predicted_time_is_derived_formula(lam, eta, eps):
    t = sb.predicted_time(lam, eta, eps)
    assert t == pytest.approx(eta * math.log(eps) / math.log(1 - eta * lam), rel=1e-12)
    assert t <= math.log(1 / eps) / lam * (1 + 1e-12)          # -ln(1 - x) >= x: GD is never slower


def test_learning_time_derivation_checks():
    D = lt.learning_time()
    assert D.checks and D.verified


# --------------------------------------------------------------------------- spectrum measurements
from numerics.experiments import basri2019_spectrum as xs   # noqa: E402


@pytest.mark.parametrize("d", [2, 3, 10])
def test_gegenbauer_quadrature_matches_the_engine(d):
    got = xs.gegenbauer_quadrature("ntk", d, [1, 2, 3, 4], dps=20)
    for k, (v, e) in zip([1, 2, 3, 4], got):
        ref = float(theory.eigenvalue("ntk", d, k, mode="float"))
        assert v == pytest.approx(ref, rel=1e-12, abs=1e-18)
        assert e < 1e-15


def test_gegenbauer_quadrature_sees_a_small_odd_term():
    from theory.kernels import KERNELS, t
    (v, _), = xs.gegenbauer_quadrature(KERNELS["basri"] + t**3 / 1000, 3, [3], dps=20)
    assert v == pytest.approx(float(theory.eigenvalue(t**3, 3, 3)) / 1000, rel=1e-10)


def test_kernel_in_angle_refuses_bias_kernels():
    with pytest.raises(ValueError, match="`kernel`"):
        xs.kernel_in_angle("ntk-bias")


def test_mercer_sum_bound_and_scaled_lambda():
    r = xs.mercer_sum("ntk", 3, 100)
    assert 0 <= r["bound"] < 3e-3 and r["max_err"] <= r["bound"] + 1e-12
    assert xs.mercer_sum("ntk", 3, 100, lam_factor=1.01)["bound"] < 0


# --------------------------------------------------------------------------- eigenvector tests
def test_fourier_t_statistic_finds_the_mixed_frequency():
    X, grams = sb.grid_grams(64, 400, 8, 0)
    t_h, _ = sb.fourier_t_statistic(grams, sb.target(X, 2))
    t_m, j = sb.fourier_t_statistic(grams, sb.target(X, 2, "mixed"))
    assert t_m > 3 * t_h and j in (2, 4)


def test_mixed_target_and_bad_kind():
    X = sphere.circle_grid(32, 0.0)
    y = sb.target(X, 2, "mixed", mix=0.5)
    assert np.linalg.norm(y) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="`kind`"):
        sb.target(X, 2, "other")


def test_learning_times_count_censored_runs():
    """An odd target (it stalls) capped at the k = 2 time never crosses: NaN, counted, not dropped."""
    lam = float(theory.eigenvalue("basri", 2, 2, mode="float"))
    out = sb.learning_times(2, (2, 3), 64, 200, 10.0, 10 ** -0.5, 0.1, 1, 0, 1, (lam, lam), cache=False)
    assert out["censored"] == 1 and math.isnan(out["T"][0, 1]) and math.isfinite(out["T"][0, 0])
