"""The derived expectations of the Fourier claims (theory.cnnflow_fourier): values read by the checks."""
import math

import sympy as sp

import theory.cnnflow_fourier as tf


def test_mode_rate_prefactor_and_time():
    d = tf.mode_rate()
    assert d.verified, {k: v for k, v in d.checks.items() if not v}
    N, m = sp.symbols("N m", positive=True, integer=True)
    assert sp.simplify(d.results["lambda_prefactor"] - N * m / 4) == 0
    assert d.results["t_lambda"] == 1


def test_frozen_rate_exponents_are_derived():
    d = tf.frozen_rate()
    assert d.verified, {k: v for k, v in d.checks.items() if not v}
    r = d.results
    assert (r["frozen_time_exponent"], r["ntk_time_exponent"]) == (4, 2)
    assert (r["relu_exponent"], r["ntk_exponent"]) == (-4, -2)
    assert r["stretched_power"] == sp.Rational(2, 3)
    assert abs(float(r["stretched_coefficient"]) - 3 * (math.pi / 2)**(2 / 3)) < 1e-12


def test_white_spectrum_lln_and_variance():
    d = tf.white_spectrum()
    assert d.results["lln_exponent"] == sp.Rational(-1, 2)
    P, C = sp.Symbol("P", real=True), sp.Symbol("C")
    var = d.results["variance"].subs({P: 3, C: 1 + 1j})
    assert abs(complex(var) - 11) < 1e-12          # 3^2 + |1 + i|^2


def test_band_edge_and_b3_null_set():
    d = tf.band_theorems()
    p, K = sp.symbols("p K", positive=True, integer=True)
    assert d.results["band_edge"].subs({p: 2, K: 3}) == 6
    hp = d.results["h_p_relu_b0"]
    ps = next(s for s in hp.free_symbols if s.name == "p")
    null = [x for x in range(1, 17) if sp.simplify(hp.subs(ps, x)) == 0]
    assert null == [3, 5, 7, 9, 11, 13, 15]
