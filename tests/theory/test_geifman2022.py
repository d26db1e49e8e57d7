"""theory.geifman2022: the decay law is derived, not typed."""
import sympy

import theory.geifman2022 as tg


def test_decay_law_is_raabe_of_the_closed_form():
    ratio, p = tg.decay_law()
    k, s = sympy.Symbol("k", integer=True, positive=True), sympy.Symbol("s", positive=True)
    zeta = sympy.Symbol("zeta", positive=True)
    assert sympy.simplify(p - (2 * s + zeta - 1)) == 0
    assert tg.decay_exponent(3, "ntk") == 3 and tg.decay_exponent(2, "gp", 3) == 6


def test_single_pixel_derivation_checks_hold():
    d = tg.derive_decay_single_pixel()
    assert d.verified, d.checks
    assert sympy.simplify(d.results["exponent GP"] - sympy.Symbol("zeta", positive=True) - 2) == 0


def test_empirical_limit_exponent_is_minus_half():
    d = tg.derive_empirical_limit()
    assert d.verified and d.results["error exponent"] == sympy.Rational(-1, 2)
