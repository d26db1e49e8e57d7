"""Tests of numerics.verify.fits: the one copy of each slope, order and extrapolation fit."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numerics.verify.fits import (doubling_slope, fitted_order, linear_slope, local_slope, loglog_slope,
                                  richardson, semilog_slope, stretched_slope)


@settings(deadline=None, max_examples=20)
@given(c0=st.floats(-5, 5), c1=st.floats(0.1, 5), c2=st.floats(-5, 5), order=st.sampled_from([1, 2]))
def test_richardson_removes_leading_term(c0, c1, c2, order):
    h = np.array([0.1, 0.05, 0.025])
    v = c0 + c1 * h ** order + c2 * h ** (order + 2)
    lim, p = richardson(h, v, order=order)
    assert abs(lim - c0) <= 2 * abs(c2) * 0.1 ** (order + 2) + 1e-12
    lim2, p2 = richardson(h, c0 + c1 * h ** order)
    assert p2 == pytest.approx(order, rel=1e-8) and lim2 == pytest.approx(c0, abs=1e-10)


def test_fitted_order_and_errors():
    h = np.array([0.1, 0.05, 0.025])
    assert fitted_order(h, 3 * h) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="`steps`"):
        fitted_order(h, -h)
    with pytest.raises(ValueError, match="geometric"):
        richardson([0.1, 0.05, 0.02], [1.0, 2.0, 3.0])


def test_fits():
    x = np.arange(2, 20)
    assert abs(loglog_slope(x, 3 * x**4.0) - 4) < 1e-12
    s, R = doubling_slope(np.arange(3, 9), lambda z: np.exp(0.5 * np.asarray(z, float)))
    assert abs(s - 0.5) < 1e-12
    s, R = doubling_slope(np.arange(3, 9), lambda z: np.asarray(z, float)**2)
    assert abs(s) < 1e-12 and np.allclose(R, 4)
    assert abs(stretched_slope(x, np.exp(2 * x**(2 / 3))) - 2) < 1e-12


def test_slopes_drop_points_they_cannot_use():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    y = 5 * x ** -2.0
    assert loglog_slope(x, y) == pytest.approx(-2.0, abs=1e-12)
    y_nan = y.copy()
    y_nan[1] = np.nan                       # a run that never crossed its threshold
    assert loglog_slope(x, y_nan) == pytest.approx(-2.0, abs=1e-12)
    assert np.isnan(loglog_slope(x[:1], y[:1]))
    assert local_slope(x, y) == pytest.approx(-2.0, abs=1e-12)
    assert semilog_slope(x, np.exp(-0.3 * x)) == pytest.approx(-0.3, abs=1e-12)
    assert linear_slope(x, 2 * x + 1) == pytest.approx(2.0, abs=1e-12)
    with pytest.raises(ValueError, match="same length"):
        loglog_slope(x, y[:2])
