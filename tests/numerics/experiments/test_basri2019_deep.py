"""The deep-net learning-time experiment: the linearised crossing time and one short run."""
import math

import numpy as np
import pytest

from numerics.experiments import basri2019_deep as ex


def _gd(lam, eta, s):
    return (1 - eta * lam) ** s


def test_linear_crossing_time_of_one_mode_is_the_gd_formula():
    lam, eta, eps = 0.3, 0.5, 0.1
    t = ex.linear_crossing_time(_gd, np.array([lam, 0.9]), np.array([1.0, 0.0]), eta, eps)
    assert t == pytest.approx(eta * math.log(eps) / math.log(1 - eta * lam), rel=1e-8)
    assert ex.linear_crossing_time(_gd, np.array([0.0]), np.array([1.0]), eta, eps, s_max=1e4) == math.inf


def test_circle_data_and_a_short_run_are_reproducible():
    X, y = ex.circle_data(16, 3, np.random.default_rng(0), norm=0.5)
    assert np.allclose(np.sum(X ** 2, axis=1), 2.0) and np.linalg.norm(y) == pytest.approx(0.5)
    a = ex.deep_learning_run(2, 16, 32, 2, 0.8, 0.3, 500, seed=(1,))
    s3 = ex.deep_learning_run(1, 16, 32, 2, 0.8, 0.3, 500, seed=(1,), d=3)
    assert np.isfinite(s3["time"]) and s3["lam"].shape == (16,)
    b = ex.deep_learning_run(2, 16, 32, 2, 0.8, 0.3, 500, seed=(1,))
    assert a["time"] == b["time"] and np.isfinite(a["time"])
    pred = ex.linear_crossing_time(_gd, np.clip(a["lam"], 0, None), a["c2"], a["eta"], 0.3)
    assert abs(a["time"] / pred - 1) < 0.05
    with pytest.raises(ValueError, match="frequency"):
        ex.circle_data(16, 8, np.random.default_rng(0))
