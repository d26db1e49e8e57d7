"""Tests of theory.kernels and theory.arccos: definitions, values, modes, bad input."""
import math

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.arccos import kappa0, kappa1, to_number
from theory.kernels import (KERNELS, first_layer_part, has_bias, kernel, kernel_description, kernel_value,
                            second_layer_part, t)


def test_six_kernels_and_parts():
    assert set(KERNELS) >= {"basri", "basri-bias", "ntk", "ntk-bias", "nngp", "nngp-bias"}   # the six of docs/basri2019.md §1
    for name in KERNELS:
        assert sympy.simplify(first_layer_part(name) + second_layer_part(name) - kernel(name)) == 0
        assert kernel(name).free_symbols <= {t}
        assert isinstance(kernel_description(name), str) and kernel_description(name)
        assert has_bias(name) == name.endswith("-bias")


def test_values_at_one_and_known_forms():
    # H(1) = 1/2 for basri (Du et al.), kappa0(1) = kappa1(1) = 1
    assert kernel_value("basri", 1, mode="exact") == sympy.Rational(1, 2)
    assert kernel_value("ntk", 1, mode="exact") == 1
    assert kernel_value("nngp", 1, mode="exact") == sympy.Rational(1, 2)
    assert kernel_value("ntk-bias", 1, mode="exact") == 2
    # basri = t/4 + t asin(t)/(2 pi)  (docs/basri2019.md §1.1)
    assert sympy.simplify((kernel("basri") - (t / 4 + t * sympy.asin(t) / (2 * sympy.pi))).rewrite(sympy.asin)) == 0
    assert kappa0(0) == sympy.Rational(1, 2) and kappa1(0) == 1 / sympy.pi


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(KERNELS)), x=st.fractions(-1, 1, max_denominator=50))
def test_modes_agree(name, x):
    ex = sympy.N(kernel_value(name, f"{x.numerator}/{x.denominator}", mode="exact"), 30)
    with mpmath.workdps(30):
        mp = kernel_value(name, f"{x.numerator}/{x.denominator}", mode="mpmath")
        assert abs(mp - mpmath.mpf(str(ex))) <= mpmath.mpf(10)**-25
    fl = kernel_value(name, float(x), mode="float")
    assert math.isclose(fl, float(ex), rel_tol=1e-13, abs_tol=1e-15)


@settings(max_examples=25, deadline=None)
@given(x=st.floats(-1, 1, allow_nan=False), y=st.floats(-1, 1, allow_nan=False))
def test_arccos_range_and_monotone(x, y):
    # kappa0, kappa1 take values in [0, 1] and are nondecreasing in t
    k0, k1 = kappa0(x, "float"), kappa1(x, "float")
    assert 0 <= k0 <= 1 and -1e-15 <= k1 <= 1 + 1e-15
    if x <= y:
        assert kappa0(x, "float") <= kappa0(y, "float") + 1e-15
        assert kappa1(x, "float") <= kappa1(y, "float") + 1e-15


def test_kappa1_derivative_is_kappa0():
    s = sympy.Symbol("s", real=True)
    assert sympy.simplify(sympy.diff(kappa1(s), s) - kappa0(s)) == 0


@pytest.mark.parametrize("call,exc,word", [
    (lambda: kernel("relu"), ValueError, "unknown kernel"),
    (lambda: kernel(3), TypeError, "must be a str"),
    (lambda: kernel_value("basri", 1.5), ValueError, r"\[-1, 1\]"),
    (lambda: kernel_value("basri", 0.5, mode="fast"), ValueError, "`mode`"),
    (lambda: to_number(True), TypeError, "`t`"),
    (lambda: kappa0("abc", "float"), TypeError, "`t`"),
])
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
