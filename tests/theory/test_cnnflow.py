"""Tests of theory.cnnflow: every derivation's checks hold and its results are the expected ones."""
import pytest
import sympy as sp

from theory import cnnflow as gf

p = sp.Symbol("p", positive=True)


@pytest.fixture(scope="module")
def conservation():
    return gf.conservation()


def test_conservation_checks_hold_and_weights_are_one_over_p(conservation):
    assert all(conservation.checks.values()), [k for k, v in conservation.checks.items() if not v]
    assert sp.simplify(conservation.results["c_w"] - 1 / p) == 0
    assert sp.simplify(conservation.results["c_b"] - 1 / p) == 0
    assert conservation.results["gd_drift_order"] == 1


def test_conserved_weights_are_unique_and_depend_on_p():
    q = sp.Symbol("q", positive=True)
    assert gf._conserved_coefficients(q) == (1 / q, 1 / q)


def test_energy_identity_results():
    d = gf.energy_identity()
    assert all(d.checks.values()), [k for k, v in d.checks.items() if not v]
    assert d.results["dL_dt_coefficient"] == -1
    assert d.results["gd_threshold"] == 2


def test_gd_drift_results():
    d = gf.gd_drift()
    assert all(d.checks.values()), [k for k, v in d.checks.items() if not v]
    assert d.results["coef_ga"] == 1
    assert sp.simplify(d.results["coef_gw"] + 1 / p) == 0
    assert sp.simplify(d.results["coef_gb"] + 1 / p) == 0
    assert d.results["drift_order"] == 1


def test_drift_coefficients_for_symbolic_p():
    eta = sp.Symbol("eta", positive=True)
    assert gf._drift_coefficients(eta, p) == (1, -1 / p, -1 / p)


def test_coefficient_ode_results():
    d = gf.coefficient_ode()
    assert all(d.checks.values()), [k for k, v in d.checks.items() if not v]
    assert d.results["velocity_G"] == -1 and d.results["velocity_b"] == 1
