"""Unit tests of numerics.experiments.geifman2022 (the claims themselves run in tests/test_claims.py)."""
import numpy as np
import pytest

from numerics.experiments import geifman2022 as ex


def test_extrapolate_removes_a_1_over_k_term():
    ks = np.array([8, 16, 32, 64])
    out = ex.extrapolate(ks, 2.0 + 0.3 / ks)
    assert out["value"] == pytest.approx(2.0, abs=1e-12) and out["spread"] < 1e-12


def test_asymptotic_slope_of_an_exact_power_law_with_correction():
    ks = np.array([8, 16, 32, 64, 128])
    vals = ks ** -3.0 * (1 + 0.5 / ks)
    fit = ex.asymptotic_slope(ks, vals)
    assert fit["slope"] == pytest.approx(-3.0, abs=2e-3) and fit["spread"] < 1e-2
    with pytest.raises(ValueError, match="ks"):
        ex.asymptotic_slope(ks[:3], vals[:3])


def test_rayleigh_residual_sees_a_mixed_in_harmonic():
    pure = ex.torus_residuals(6, 2, 1, "product", 0.0)
    mixed = ex.torus_residuals(6, 2, 1, "product", 1e-4)
    assert max(pure.values()) < 1e-12
    assert min(mixed.values()) > 1e-6


def test_singular_strength_ratio_is_not_the_path_count():
    r = ex.singular_strength("ntk", 3, 3, 2, 3, 1) / ex.singular_strength("ntk", 3, 3, 2, 3, 0)
    assert r == pytest.approx(2.0441, abs=2e-4)


def test_empirical_study_scale_moves_the_level_only():
    a = ex.empirical_ntk_study(0, (8, 16), (4, 6), 4, 1.0)
    b = ex.empirical_ntk_study(0, (8, 16), (4, 6), 4, 1.1)
    assert b["level"] == pytest.approx(a["level"] / 1.1, rel=1e-12)
    with pytest.raises(ValueError, match="scale"):
        ex.empirical_ntk_study(0, (8, 16), (4, 6), 4, -1.0)


def test_kernel_fun_rejects_unknown_kernel():
    with pytest.raises(ValueError, match="kernel"):
        ex.kernel_fun("rbf", "eq", 2, 2, "ntk")
