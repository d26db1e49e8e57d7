"""Unit and property tests of the condensation modules (theory, numerics, images)."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import theory.zhou2023 as tc
from numerics.experiments import zhou2023 as cd
from numerics.data import images
from numerics.nets.cnn import CNN


def _problem(seed, d_rows=4, P=6, M=3, scale=1.0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d_rows, P))
    return A, scale * rng.standard_normal((M, d_rows)), scale * rng.standard_normal((M, P))


# ---------------------------------------------------------------- data matrix
def test_data_matrix_matches_loop_definition():
    rng = np.random.default_rng(0)
    X, y = rng.random((5, 2, 6, 5)), rng.standard_normal(5)
    A = cd.data_matrix(X, y, 3)
    assert A.shape == (2 * 9, 4 * 3)
    for c in range(2):
        for j1 in range(3):
            for j2 in range(3):
                for p1 in range(4):
                    for p2 in range(3):
                        want = np.mean(y * X[:, c, p1 + j1, p2 + j2])
                        assert A[c * 9 + j1 * 3 + j2, p1 * 3 + p2] == pytest.approx(want, rel=1e-13, abs=1e-15)


def test_data_matrix_is_the_cnn_small_init_velocity():
    rng = np.random.default_rng(1)
    X, y = rng.random((7, 3, 6, 6)), rng.standard_normal(7)
    A = cd.data_matrix(X, y, 3)
    net = CNN(2, 3, 4, 3, "valid", False, "tanh", "dense", seed=2, input_size=(6, 6), w_std=1e-7, a_std=1e-7)
    _, g = net.loss_and_grad(X, y)
    W, Ao = net.params["w"].reshape(4, -1), net.params["a"].reshape(4, -1)
    np.testing.assert_allclose(-g["w"].reshape(4, -1), Ao @ A.T, rtol=1e-8)
    np.testing.assert_allclose(-g["a"].reshape(4, -1), W @ A, rtol=1e-8)


@pytest.mark.parametrize("bad, exc", [({"kernel_size": 0}, ValueError), ({"kernel_size": 9}, ValueError),
                                      ({"y": np.zeros(3)}, ValueError), ({"X": np.zeros((4, 8, 8))}, ValueError),
                                      ({"X": np.full((4, 1, 8, 8), np.nan)}, ValueError),
                                      ({"X": np.array([["a"]])}, TypeError)])
def test_data_matrix_rejects_bad_input(bad, exc):
    kw = {"X": np.zeros((4, 1, 8, 8)), "y": np.zeros(4), "kernel_size": 3} | bad
    with pytest.raises(exc):
        cd.data_matrix(kw["X"], kw["y"], kw["kernel_size"])


# ---------------------------------------------------------------- closed forms
@settings(deadline=None, max_examples=25)
@example(seed=0, t=0.0)
@given(seed=st.integers(0, 2**31), t=st.floats(0.0, 2.0))
def test_closed_form_semigroup_and_invariant(seed, t):
    A, W0, A0 = _problem(seed)
    W1, A1 = cd.closed_form(A, W0, A0, t)
    W2, A2 = cd.closed_form(A, W1, A1, 0.5)
    W3, A3 = cd.closed_form(A, W0, A0, t + 0.5)
    scale = np.abs(W3).max() + np.abs(A3).max()
    np.testing.assert_allclose(W2, W3, atol=1e-10 * scale)
    np.testing.assert_allclose(A2, A3, atol=1e-10 * scale)
    # ||w_k||^2 - ||a_k||^2 is conserved by the flow, per kernel
    q0 = np.sum(W0 ** 2, 1) - np.sum(A0 ** 2, 1)
    q1 = np.sum(W1 ** 2, 1) - np.sum(A1 ** 2, 1)
    np.testing.assert_allclose(q1, q0, atol=1e-9 * (1 + np.sum(W1 ** 2 + 0) + np.sum(A1 ** 2)))


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**31), k=st.integers(0, 60), eta=st.floats(1e-3, 0.1))
def test_gd_closed_form_equals_iteration(seed, k, eta):
    A, W0, A0 = _problem(seed, d_rows=5, P=3)          # d > |P|: a frozen kernel component
    Wg, Ag = cd.simulate_gd(A, W0, A0, eta, k)
    Wc, Ac = cd.gd_closed_form(A, W0, A0, eta, k)
    s = np.abs(Wg).max() + np.abs(Ag).max()
    np.testing.assert_allclose(Wc, Wg, atol=1e-11 * s)
    np.testing.assert_allclose(Ac, Ag, atol=1e-11 * s)


def test_closed_form_matches_ode_and_wrong_sign_does_not():
    A, W0, A0 = _problem(3)
    Wc, _ = cd.closed_form(A, W0, A0, 0.7)
    Wo, _ = cd.simulate_flow(A, W0, A0, 0.7)
    assert np.linalg.norm(Wo - Wc) / np.linalg.norm(Wc) < 1e-9
    Wm, _ = cd.simulate_flow(A, W0, A0, 0.7, sign=-1.0)
    assert np.linalg.norm(Wm - Wc) / np.linalg.norm(Wc) > 0.1


def test_frozen_component_stays():
    A, W0, A0 = _problem(4, d_rows=5, P=3)
    U, _, _ = cd.svd(A)
    W, _ = cd.closed_form(A, W0, A0, 1.3)
    Q = np.eye(5) - U @ U.T
    np.testing.assert_allclose(W @ Q, W0 @ Q, atol=1e-12)


def test_gd_closed_form_rejects_bad_k_and_shapes():
    A, W0, A0 = _problem(5)
    with pytest.raises(ValueError, match="`k`"):
        cd.gd_closed_form(A, W0, A0, 0.1, -1)
    with pytest.raises(ValueError, match="W0"):
        cd.closed_form(A, W0[:, :2], A0, 1.0)


# ---------------------------------------------------------------- measurements
def test_cosines_and_ratios():
    u = np.ones(18) / np.sqrt(18)
    W = np.stack([np.ones(18), -2 * np.ones(18), np.r_[np.ones(9), np.zeros(9)]])
    c = cd.cosines(W, u)
    np.testing.assert_allclose(c[:2], [1, -1])
    cc = cd.cosines(W, u, channels=2)
    assert cc.shape == (3, 2)
    np.testing.assert_allclose(cc[2], [1, 0])
    P = cd.pairwise_cosines(W, order=[1, 0, 2])
    np.testing.assert_allclose(np.diag(P), 1)
    assert P[0, 1] == pytest.approx(-1)
    assert cd.norm_weighted_ratio(W[:2], u) == pytest.approx(1)
    assert cd.relative_change(2 * W, W) == pytest.approx(1)
    with pytest.raises(ValueError, match="channels"):
        cd.cosines(W, u, channels=4)


def test_small_init_eps():
    assert cd.small_init_eps(16, 4) == pytest.approx(16 ** -2)
    for bad in [(0, 4), (16, -1), (16, float("nan"))]:
        with pytest.raises(ValueError):
            cd.small_init_eps(*bad)
    with pytest.raises(TypeError, match="`M`"):        # not an int at all
        cd.small_init_eps(2.5, 4)


def test_t_delta_growth_in_log_m():
    A, _, _ = _problem(6)
    sig1 = cd.svd(A)[1][0]
    rng = np.random.default_rng(0)
    base = rng.standard_normal((1, 4)), rng.standard_normal((1, 6))
    T1 = cd.t_delta(A, 1e-3 * base[0], 1e-3 * base[1], 1.0)
    T2 = cd.t_delta(A, 1e-4 * base[0], 1e-4 * base[1], 1.0)
    assert T2 - T1 == pytest.approx(np.log(100) / (2 * sig1))


def test_train_stops_at_t_lin_and_is_reproducible():
    X, y = images.digits(20, 0)
    r1 = cd.train(X, y, 8, 1e-4, seed=3)
    r2 = cd.train(X, y, 8, 1e-4, seed=3)
    assert r1["T_lin"] is not None and r1["loss"][-1] <= 0.99 * r1["L0"] < r1["loss"][-2]
    np.testing.assert_array_equal(r1["W_end"], r2["W_end"])


# ---------------------------------------------------------------- images
def test_digits_and_synthetic_images():
    X, y = images.digits(50, 0)
    assert X.shape == (50, 1, 8, 8) and 0 <= X.min() and X.max() <= 1 and set(np.round(y * 9)) <= set(range(10))
    X2, y2 = images.digits(50, 0, labels="pm1-01")
    assert set(y2) <= {-1.0, 1.0}
    Xs, _ = images.digits(50, 0, pixels="standardised")
    assert abs(Xs.mean()) < 1e-12
    Xr, yr = images.synthetic_rgb(40, 1)
    assert Xr.shape == (40, 3, 8, 8) and yr.sum() == 0
    np.testing.assert_array_equal(images.synthetic_rgb(40, 1)[0], Xr)
    Xt, yt = images.template_images(10, 2, np.ones((1, 5, 5)), noise=0.0)
    np.testing.assert_array_equal(Xt[:, 0, 0, 0], yt)


@pytest.mark.parametrize("call", [lambda: images.digits(0, 0), lambda: images.digits(10, 0, labels="x"),
                                  lambda: images.digits(10, 0, pixels="x"), lambda: images.synthetic_rgb(7, 0),
                                  lambda: images.synthetic_rgb(8, 0, gains=(1, 2)),
                                  lambda: images.template_images(4, 0, np.ones((5, 5)))])
def test_images_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------- theory (fast parts)
def test_theory_pieces():
    Q = tc.cayley([[0, sp.Rational(1, 2)], [-sp.Rational(1, 2), 0]])
    assert Q * Q.T == sp.eye(2)
    with pytest.raises(ValueError):
        tc.cayley([[0, 1], [1, 0]])
    assert tc.multiplicity(sp.tanh(tc.x)) == 1 and tc.multiplicity(tc.x ** 2 * sp.tanh(tc.x)) == 3
    sol, (s1, S_, dl, yb, T) = tc.t_delta_formula()
    assert sp.simplify(s1 * S_ * sp.exp(2 * s1 * sol[0]) - dl * yb / 2) == 0
    w, a = tc.mode_solution()
    assert sp.simplify(sp.diff(w, tc.t) - tc.lam * a) == 0


def test_misalignment_has_no_cancellation_floor():
    """The tangent is read off the orthogonal part: 1e-12 stays 1e-12 (sqrt(1 - ratio^2) would give ~1e-8 or 0)."""
    from numerics.experiments.zhou2023 import misalignment
    u = np.zeros(9)
    u[0] = 1.0
    v = np.zeros(9)
    v[3] = 1.0
    for delta in (1e-3, 1e-8, 1e-12):
        W = np.stack([u + delta * v, -2 * u + 2 * delta * v])
        assert misalignment(W, u) == pytest.approx(delta, rel=1e-9)


# ---------------------------------------------------------------- issue 13: frozen term, directions, derived forms
def test_propagate_frozen_term_matters_when_rank_deficient():
    A, W0, A0 = _problem(7, d_rows=6, P=3)            # rank A = 3 < d = 6
    assert cd.frozen_share(A, W0) > 0.3
    Wo, Ao = cd.simulate_flow(A, W0, A0, 0.8)
    full = cd.propagate(A, W0, A0, lambda g: np.cosh(0.8 * g), lambda g: np.sinh(0.8 * g))
    dropped = cd.propagate(A, W0, A0, lambda g: np.cosh(0.8 * g), lambda g: np.sinh(0.8 * g), frozen=0.0)
    assert np.linalg.norm(full[0] - Wo) / np.linalg.norm(Wo) < 1e-10
    assert np.linalg.norm(dropped[0] - Wo) / np.linalg.norm(Wo) > 1e-2
    A2, W2, _ = _problem(8, d_rows=3, P=6)            # rank A = d: nothing frozen
    assert cd.frozen_share(A2, W2) < 1e-12


def test_principal_direction_angle_and_rotation():
    rng = np.random.default_rng(0)
    u1, u2 = np.eye(9)[0], np.eye(9)[1]
    W = np.outer(rng.choice([-1.0, 1.0], 200), u1) + 0.01 * rng.standard_normal((200, 9))
    v = cd.principal_direction(W)
    assert cd.angle_deg(v, u1) < 0.2
    u = cd.rotated(u1, u2, 3.0)
    assert cd.angle_deg(u, u1) == pytest.approx(3.0)
    assert cd.angle_deg(v, u) == pytest.approx(3.0, abs=0.2)
    assert cd.sign_split(np.array([0.995, -0.999, 0.5, 0.991])) == (0.5, 0.25)
    with pytest.raises(ValueError, match="degrees"):
        cd.rotated(u1, u2, 400)


def test_judged_direction_equal_channels_drops_the_gains():
    from numerics.experiments import zhou2023_runs as zr
    g = np.repeat([1.0, 0.8, 0.6], 9)
    U = np.linalg.qr(np.column_stack([g, np.random.default_rng(1).standard_normal((27, 3))]))[0]
    U[:, 0] *= np.sign(U[:, 0].sum())
    eq = zr.judged_direction(U, "equal-channels", channels=3)
    np.testing.assert_allclose(np.linalg.norm(eq.reshape(3, -1), axis=1), np.full(3, 1 / np.sqrt(3)))
    assert cd.angle_deg(eq, U[:, 0]) == pytest.approx(np.degrees(np.arccos(2.4 / np.sqrt(6.0))), abs=1e-9)
    np.testing.assert_allclose(zr.judged_direction(U, "u2"), U[:, 1])
    with pytest.raises(ValueError, match="direction"):
        zr.judged_direction(U, "u3")


def test_t_lin_interpolated_between_steps():
    X, y = images.digits(20, 0)
    r = cd.train(X, y, 8, 1e-4, seed=3)
    assert r["T_lin"] - r["eta"] <= r["T_lin_interp"] <= r["T_lin"]


def test_derived_t_delta_matches_numeric_copy():
    A, W0, A0 = _problem(9)
    W0, A0 = 1e-3 * W0, 1e-3 * A0
    d = tc.alignment()
    sig1, S = cd.c_plus_sum(A, W0, A0)
    subs = {"sigma_1": sig1, "S": S, "delta": 0.01, "ybar2": 1.0, "eta": 0.01}
    for name, eta in (("T_delta", None), ("T_delta_gd", 0.01)):
        expr = d.results[name]
        val = float(expr.subs({s: subs[s.name] for s in expr.free_symbols}))
        assert val == pytest.approx(cd.t_delta(A, W0, A0, 1.0, eta=eta), rel=1e-12)
    assert d.results["P(C+>0)"] == sp.Rational(1, 2)
    assert all(d.checks.values())


def test_linear_solution_derivation_results():
    d = tc.linear_solution()
    assert all(d.checks.values()) and d.results["frozen factor"] == 1
    lam, t = sp.Symbol("lambda", positive=True), sp.Symbol("t", real=True)
    assert sp.simplify(d.results["cosh_t"] - sp.cosh(lam * t)) == 0
