"""Tests of theory.zhou2023_variants: label transforms of the losses at f = 0 (docs/zhou2023_variants.md §1)."""
import pytest
import sympy as sp

import theory.zhou2023_variants as tv


def test_label_transforms_and_curvatures():
    assert tv.label_transform("mse") == (tv.y, 1)
    g, c = tv.label_transform("bce")
    assert sp.simplify(g - (tv.y - sp.Rational(1, 2))) == 0 and c == sp.Rational(1, 4)
    g, _ = tv.label_transform("logistic")
    assert sp.simplify(g - tv.s / 2) == 0


def test_bad_loss_names_the_argument():
    with pytest.raises(ValueError, match="`loss`"):
        tv.label_transform("hinge")


def test_cross_entropy_derivation_checks_hold():
    d = tv.cross_entropy()
    assert d.verified and len(d.checks) == 6
    assert set(d.results) >= {"g_mse", "g_bce", "g_logistic", "curvature_bce"}


def test_toy_leading_order_is_linear_in_the_other_layer():
    toy = tv.toy_leading_order_loss("bce")
    for e in toy["wdot"]:
        assert sp.Poly(e, *toy["abar"]).total_degree() == 1


def test_shifted_activation_derivation():
    d = tv.shifted_activation()
    assert d.verified and len(d.checks) == 3
    assert d.results["sigma0_softplus"] == sp.log(2) and d.results["dsigma0_softplus"] == sp.Rational(1, 2)
    assert d.results["sigma0_sigmoid"] == sp.Rational(1, 2) and d.results["dsigma0_sigmoid"] == sp.Rational(1, 4)
