"""Unit tests of numerics.experiments.cnnflow_flow (the measurements of claims C1-C4)."""
import numpy as np
import pytest
from scipy.linalg import expm

from numerics.experiments import cnnflow_flow as ex


def test_problem_is_seeded_and_shaped():
    net, X, Y = ex.problem(3, "relu", 5)
    net2, X2, Y2 = ex.problem(3, "relu", 5)
    assert X.shape == (8, 1, 16) and Y.shape == (8, 16)
    assert np.array_equal(X, X2) and np.array_equal(net.get_flat(), net2.get_flat())
    assert not np.array_equal(X, ex.problem(4, "relu", 5)[1])
    _, _, Yg = ex.problem(3, "relu", 5, head="gap")
    assert Yg.shape == (8,)


@pytest.mark.parametrize("bad", [-1, 1.5, "0"])
def test_problem_rejects_bad_seed(bad):
    with pytest.raises((ValueError, TypeError), match="seed"):
        ex.problem(bad, "relu", 0)


@pytest.mark.parametrize("bias", [True, False])
def test_channel_terms_reproduce_channel_quantities(bias):
    net, _, _ = ex.problem(0, "relu2", 1, bias=bias)
    t = ex.channel_terms(net, net.get_flat()[None])
    p = net.act.degree
    assert t.shape == (3, 1, net.channels)
    np.testing.assert_allclose(t[0, 0] - (t[1, 0] + t[2, 0]) / p, net.channel_quantities(), rtol=1e-14)
    if not bias:
        assert np.all(t[2] == 0)


def test_euler_terms_satisfy_euler_relation_for_relu_not_tanh():
    rows = ex.euler_terms(0, ("relu",))
    assert len(rows) == 12
    for r in rows:
        ag, wg, bg = r["terms"]
        np.testing.assert_allclose(ag, wg + bg, rtol=1e-11, atol=1e-14)
    ag, wg, bg = ex.euler_terms(0, ("tanh",))[0]["terms"]
    assert np.max(np.abs(ag - wg - bg)) > 1e-3


def test_gd_steps_drift_is_eta_squared_formula():
    Q, g2, scale = ex.gd_steps(0, "relu", 30, 0.01, 20)
    pred = 0.01 ** 2 * (g2[0] - g2[1] - g2[2])
    assert np.max(np.abs(np.diff(Q, axis=0) - pred)) / scale < 1e-13


def test_closed_form_matches_expm_and_solves_the_ode():
    rng = np.random.default_rng(0)
    Phi = rng.standard_normal((3, 5))                       # rank 3 < 5: singular G
    G, b, a0 = Phi.T @ Phi, Phi.T @ rng.standard_normal(3), rng.standard_normal(5)
    times = np.array([0.0, 0.3, 2.0])
    a, rank = ex.closed_form(G, b, a0, times)
    assert rank == 3
    for t, at in zip(times, a):                             # Van Loan block exponential
        M = np.zeros((6, 6))
        M[:5, :5], M[:5, 5] = -G, b
        E = expm(M * t)
        np.testing.assert_allclose(at, E[:5, :5] @ a0 + E[:5, 5], rtol=1e-10, atol=1e-12)
    a_pert, _ = ex.closed_form(G, b, a0, times, v_G=-1.05)
    assert np.max(np.abs(a_pert[1:] - a[1:])) > 1e-3


def test_closed_form_rejects_growing_velocity():
    with pytest.raises(ValueError, match="v_G"):
        ex.closed_form(np.eye(2), np.ones(2), np.ones(2), [0.0], v_G=0.0)


def test_frozen_gd_threshold_is_two_over_lambda_max():
    assert ex.frozen_gd_rise(0, 60, 1.99, steps=200) == 0.0
    assert ex.frozen_gd_rise(0, 60, 2.02, steps=400) > 1e-6
    with pytest.raises(ValueError, match="eta_lambda"):
        ex.frozen_gd_rise(0, 60, 0.0)


def test_loss_derivative_matches_minus_gradient_squared():
    dLdt, g2, rise, L = ex.loss_derivative(0, "tanh", 41, 1.0, centres=5)
    assert rise <= 1e-10 and L.shape == (201,)
    assert np.max(np.abs(dLdt + g2)) / np.max(g2) < 1e-5
