"""Derivations of theory.basri2019 and theory.basri2019_training (the pieces the claims read)."""
from __future__ import annotations

import math

import pytest
import sympy

import theory
import theory.basri2019 as tb
from theory import basri2019_training as lt
from theory.kernels import KERNELS, t


def test_bias_split_rebuilds_the_bias_kernel():
    sp = tb.bias_split()
    total = sympy.simplify((sp["t"] + sp["bias"] - KERNELS["basri-bias"]).rewrite(sympy.asin))
    assert total == 0
    # the bias term alone has no even eigenvalue k >= 2; the weight term no odd k >= 3
    assert theory.eigenvalue(sp["bias"], 3, 4) == 0 and theory.eigenvalue(sp["t"], 3, 5) == 0


@pytest.mark.parametrize("fn", [tb.bias_restores, tb.circle_spectrum, tb.sphere_decay])
def test_spectrum_derivations_hold_and_give_exponents(fn):
    D = fn()
    assert D.verified, {k: v for k, v in D.checks.items() if not v}
    if fn is not tb.bias_restores:
        assert "decay_exponent" in D.results


def test_circle_decay_exponent_is_two():
    assert tb.circle_spectrum().results["decay_exponent"] == 2


def test_finite_range_slope_of_a_pure_power_law_is_d():
    """lambda_k = C k^-d with tiny eta: the GD time is the flow time, slope d exactly."""
    ks = (4, 8, 16)
    lams = [sympy.Rational(1, 10) * sympy.Integer(k) ** -3 for k in ks]
    assert lt.finite_range_slope(lt.gd_time(), lams, ks, 1e-8, 0.3) == pytest.approx(3.0, abs=1e-6)
    assert lt.finite_range_slope(lt.flow_time(), lams, ks, 1.0, 0.3) == pytest.approx(3.0, abs=1e-12)


def test_finite_range_slope_bad_input():
    with pytest.raises(ValueError, match="`lams`"):
        lt.finite_range_slope(lt.gd_time(), [1], [2], 1.0, 0.3)


def test_ntk_variance_is_summed_not_typed():
    D = lt.ntk_limit()
    assert D.verified and D.results["fluctuation_slope"] == sympy.Rational(-1, 2)
    assert any("Var Theta_m = v/m" in k for k in D.checks)
