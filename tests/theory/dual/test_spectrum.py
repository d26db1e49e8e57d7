"""Spectra of network kernels: the engine route for closed forms, the series route with its bound."""
import pytest

import theory
from theory.dual import network_kernel


def test_relu_depth1_exact_equals_named():
    k = network_kernel("relu")
    assert [e.value for e in theory.eigenvalues(k, 3, range(6))] == \
        [e.value for e in theory.eigenvalues("ntk", 3, range(6))]


def test_series_route_agrees_with_quadrature_for_erf():
    k = network_kernel("erf", kind="nngp", b_std=0.5)
    quad = k.eigenvalues(3, range(8), mode="float", route="engine")
    ser = k.eigenvalues(3, range(8), mode="float", route="series", M=120)
    for a, b in zip(quad, ser):              # the series' stated digits hold against the quadrature
        assert b.trusted_digits >= 9
        assert abs(a.value - b.value) <= 10.0 ** -b.trusted_digits * abs(a.value)


def test_tanh_no_bias_even_null():
    k = network_kernel("tanh")
    ev = k.eigenvalues(3, range(8), mode="float", M=120)
    odd, even = [e.value for e in ev if e.k % 2], [e.value for e in ev if e.k % 2 == 0]
    assert min(odd) > 1e-7 and max(even) < 1e-25 * min(odd)


def test_series_bad_input():
    k = network_kernel("tanh")
    with pytest.raises(ValueError):
        k.eigenvalues(3, [2], mode="exact")
    with pytest.raises(ValueError):
        k.eigenvalues(3, [10**5])
