"""Tests of numerics.experiments.zhou2023_variants (docs/zhou2023_variants.md §1-§2)."""
import numpy as np
import pytest
from scipy.special import expit

from numerics.experiments import zhou2023 as cd
from numerics.experiments import zhou2023_variants as ex


def test_data_labels_and_offset():
    X, y = ex.offset_template_data(20, 0, offset=0.3)
    assert X.shape == (20, 1, 8, 8) and set(np.unique(y)) == {0.0, 1.0} and y.mean() == 0.5
    assert abs(X.mean() - 0.3) < 0.05
    X2, y2 = ex.offset_template_data(20, 0, offset=0.3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_output_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    f, y = rng.standard_normal(7), (rng.random(7) > 0.5).astype(float)
    for loss in ex.LOSSES:
        R, r = ex.output_gradient(f, y, loss)
        h = 1e-6
        fd = [(ex.output_gradient(f + h * e, y, loss)[0] - ex.output_gradient(f - h * e, y, loss)[0]) / (2 * h)
              for e in np.eye(7)]
        assert np.allclose(np.asarray(fd) * 7, r, atol=1e-7)
    assert np.allclose(ex.output_gradient(f, y, "bce")[1], expit(f) - y)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`loss`"):
        ex.output_gradient(np.zeros(2), np.zeros(2), "hinge")
    X, y = ex.offset_template_data(4, 0)
    with pytest.raises(ValueError, match="`eta`"):
        ex.train_loss(X, y, 2, 0.1, -1.0)


def test_bce_linear_stage_follows_centred_label_matrix():
    r = ex.linear_stage("bce", 40, 16, 4.0, 0)
    A = cd.data_matrix(r["X"], r["y"] - 0.5, 3)
    Wp = cd.gd_closed_form(A, r["W0"], r["A0"], r["eta"], r["steps"])[0]
    assert np.linalg.norm(r["W_lin"] - Wp) / np.linalg.norm(Wp) < 0.01
    Araw = cd.data_matrix(r["X"], r["y"], 3)
    Wq = cd.gd_closed_form(Araw, r["W0"], r["A0"], r["eta"], r["steps"])[0]
    assert np.linalg.norm(r["W_lin"] - Wq) / np.linalg.norm(Wq) > 0.5


def test_rotated_angle():
    u = ex.rotated([1.0, 0, 0], [1.0, 1.0, 0], 30)
    assert np.isclose(np.linalg.norm(u), 1) and np.isclose(u[0], np.cos(np.radians(30)))


def test_shifted_linear_gd_reduces_to_scaled_block_system():
    rng = np.random.default_rng(1)
    A, W0, A0 = rng.standard_normal((9, 36)), rng.standard_normal((4, 9)), rng.standard_normal((4, 36))
    W, Ao = ex.shifted_linear_gd(A, W0, A0, 0.01, 30, 0.5, 0.0)
    Wc, Ac = cd.gd_closed_form(0.5 * A, W0, A0, 0.01, 30)
    assert np.allclose(W, Wc, rtol=1e-10, atol=1e-10) and np.allclose(Ao, Ac, rtol=1e-10, atol=1e-10)
    _, Ad = ex.shifted_linear_gd(A, W0, A0, 1.0 / (4 * 36), 200, 0.0, 1.0)
    assert abs(Ad.sum()) < 1e-8 * abs(A0.sum())          # common mode damped at rate M|P|


def test_softplus_stage_follows_the_shifted_linear_model():
    r = ex.shifted_stage("softplus", 40, 8, 4.0, 0)
    W, Ao = ex.shifted_linear_gd(r["A"], r["W0"], r["A0"], r["eta"], r["steps"], 0.5, np.log(2) ** 2)
    assert np.linalg.norm(r["W_lin"] - W) / np.linalg.norm(W) < 0.01
    assert np.linalg.norm(r["A_lin"] - Ao) / np.linalg.norm(Ao) < 0.01
