"""Tests of numerics.dynamics.flow (gradient flow / descent) and theory.cnnflow."""
import numpy as np
import pytest

from numerics.nets.cnn import CNN
from numerics.dynamics.flow import DivergenceError, simulate


def problem(activation="linear", bias=True, head="map", seed=0):
    net = CNN(1, 1, 3, 3, "circular", bias, activation, head, seed=seed, input_size=8)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((5, 1, 8))
    Y = 0.5 * np.roll(X[:, 0], -1, axis=-1) + 0.2
    if head != "map":
        Y = Y.mean(axis=1)
    return net, X, Y


def test_gd_matches_hand_written_steps():
    net, X, Y = problem("relu")
    eta, K = 0.05, 7
    tr = simulate(net, X, Y, eta * np.arange(K + 1), method="gd", step=eta, record_params=True)
    ref = net.get_flat()
    work, batch = problem("relu")[0], None
    work.set_flat(ref)
    batch = work.prepare(X, Y)
    for j in range(K + 1):
        np.testing.assert_array_equal(tr.theta[j], work.get_flat())
        loss, g = batch.loss_and_grad()
        assert tr.loss[j] == loss
        np.testing.assert_allclose(tr.Q[j], work.channel_quantities(), rtol=1e-15)
        assert tr.grad_norm[j] == pytest.approx(np.linalg.norm(work.flatten(g)), rel=1e-15)
        work.set_flat(work.get_flat() - eta * work.flatten(g))
    np.testing.assert_array_equal(net.get_flat(), ref)        # the caller's net is untouched


def test_adaptive_and_rk4_agree_on_smooth_flow():
    net, X, Y = problem("tanh")
    times = np.linspace(0, 1, 5)
    a = simulate(net, X, Y, times, method="DOP853", rtol=1e-12, atol=1e-12, record_params=True)
    b = simulate(net, X, Y, times, method="rk4", step=1 / 512, record_params=True)
    np.testing.assert_allclose(b.theta, a.theta, atol=1e-8)
    assert "DOP853" in a.notes and "RK4" in b.notes


def test_homogeneous_flow_conserves_and_loss_decreases():
    net, X, Y = problem("relu2")
    tr = simulate(net, X, Y, np.linspace(0, 1, 11), rtol=1e-12, atol=1e-12)
    assert tr.method == "DOP853" and tr.p == 2
    assert np.max(tr.drift) <= 1e-10
    assert np.all(np.diff(tr.loss) <= 1e-12 * tr.loss[0])


def test_auto_uses_fixed_step_for_relu():
    net, X, Y = problem("relu")
    with pytest.raises(ValueError, match="`step`"):
        simulate(net, X, Y, [0, 1])
    assert simulate(net, X, Y, [0, 1], step=0.25).method == "rk4"


def test_divergence_raises_with_step_and_time():
    net, X, Y = problem("linear")
    with pytest.raises(DivergenceError, match=r"step \d+, time"):
        simulate(net, X, Y, [0, 200.0], method="gd", step=20.0)


def test_ascent_control_increases_loss():
    net, X, Y = problem("tanh")
    tr = simulate(net, X, Y, [0, 0.1, 0.2], method="rk4", step=0.05, sign=-1.0)
    assert np.all(np.diff(tr.loss) > 0)


@pytest.mark.parametrize("kwargs,text", [
    (dict(times=[1.0, 0.5]), "`times`"),
    (dict(times=[-1.0]), "`times`"),
    (dict(method="euler"), "`method`"),
    (dict(method="gd", step=0.3, times=[0, 0.5]), "multiple of `step`"),
    (dict(method="gd", step=-1.0), "`step`"),
])
def test_bad_arguments(kwargs, text):
    net, X, Y = problem("linear")
    args = dict(times=[0, 1.0], method="gd", step=0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=text):
        simulate(net, X, Y, **args)


def test_reproducible():
    net, X, Y = problem("relu", seed=4)
    a = simulate(net, X, Y, [0, 0.5, 1.0], method="gd", step=0.05)
    b = simulate(problem("relu", seed=4)[0], X, Y, [0, 0.5, 1.0], method="gd", step=0.05)
    np.testing.assert_array_equal(a.final, b.final)
    np.testing.assert_array_equal(a.Q, b.Q)


def test_symbolic_check_rejects_wrong_degree():
    """The Euler-substitution check is able to say no: with degree p the law for 2p fails."""
    import sympy as sp
    from theory import cnnflow as gf
    model = gf.channel_model("map", True)
    p = sp.Symbol("p", positive=True)
    qd = gf._Qdot(model, 2 * p)
    assert not gf._is_zero(gf._euler_subs(qd, model, p))


# ------------------------------------------------------------------ issue 17, items 14-15
import time  # noqa: E402

from hypothesis import example, given, strategies as st  # noqa: E402

from numerics.dynamics.flow import EvaluationLimitError, LOSS_GROWTH  # noqa: E402


@pytest.mark.parametrize("method, step, T", [("gd", 1e3, 5e3), ("rk4", 1e6, 5e6)])
def test_exploding_descent_raises_divergence(method, step, T):
    net, X, Y = problem("tanh")
    with pytest.raises(DivergenceError, match="grew more than|non-finite|overflowing"):
        simulate(net, X, Y, [0, T], method=method, step=step)


def test_stiff_adaptive_flow_stops_at_the_evaluation_cap():
    net, X, Y = problem("xtanh")
    t0 = time.process_time()
    with pytest.raises(EvaluationLimitError, match=r"stopped after 500 gradient evaluations at time"):
        simulate(net, 1e3 * X, Y, [0, 50.0], method="auto", max_nfev=500)
    assert time.process_time() - t0 < 10


def test_bad_max_nfev():
    net, X, Y = problem()
    with pytest.raises(ValueError, match="`max_nfev`"):
        simulate(net, X, Y, [0, 1], max_nfev=0)


@given(act=st.sampled_from(["linear", "tanh", "relu", "xtanh"]), method=st.sampled_from(["gd", "rk4"]),
       log_step=st.integers(-2, 6), log_scale=st.integers(0, 3))
@example(act="tanh", method="gd", log_step=3, log_scale=0)
@example(act="tanh", method="rk4", log_step=6, log_scale=0)
def test_fuzz_flow_descent_never_explodes_silently(act, method, log_step, log_scale):
    """Either a DivergenceError, or every recorded loss within LOSS_GROWTH of the start, in bounded time."""
    net, X, Y = problem(act)
    step = 10.0 ** log_step
    t0 = time.process_time()
    try:
        tr = simulate(net, 10.0 ** log_scale * X, Y, step * np.arange(6), method=method, step=step)
    except DivergenceError:
        pass
    else:
        assert np.all(np.isfinite(tr.loss)) and np.all(tr.loss <= LOSS_GROWTH * max(tr.loss[0], 1e-8))
    assert time.process_time() - t0 < 5
