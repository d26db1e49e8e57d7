"""Unit and property tests of theory.funk_hecke: reference values (docs/basri2019.md §7), bad input,
agreement of the three number systems, Mercer sums, positivity."""
import math

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.funk_hecke import Eigen, eigenvalue, eigenvalues, legendre_P, multiplicity
from theory.kernels import KERNELS, kernel_value, t

pi = sympy.pi
R = sympy.Rational

# docs/basri2019.md §7, uniform probability measure, k = 0..8
REFERENCE = {
    ("basri", 2): [1 / pi**2, R(1, 8), 5 / (9 * pi**2), 0, 17 / (225 * pi**2), 0, 37 / (1225 * pi**2), 0,
                   65 / (3969 * pi**2)],
    ("basri-bias", 2): [(4 + pi**2) / (8 * pi**2), (8 + pi**2) / (16 * pi**2), 5 / (18 * pi**2), 1 / (18 * pi**2),
                        17 / (450 * pi**2), 1 / (50 * pi**2), 37 / (2450 * pi**2), 1 / (98 * pi**2),
                        65 / (7938 * pi**2)],
    ("ntk", 2): [3 / pi**2, R(1, 4), 7 / (9 * pi**2), 0, 19 / (225 * pi**2), 0, 39 / (1225 * pi**2), 0,
                 67 / (3969 * pi**2)],
    ("basri", 3): [R(1, 16), R(1, 12), R(7, 256), 0, R(7, 3072), 0, R(43, 65536), 0, R(73, 262144)],
    ("basri-bias", 3): [R(5, 32), R(7, 96), R(7, 512), R(1, 512), R(7, 6144), R(1, 2048), R(43, 131072),
                        R(25, 131072), R(73, 524288)],
    ("ntk", 3): [R(1, 4), R(1, 6), R(5, 128), 0, R(1, 384), 0, R(23, 32768), 0, R(19, 65536)],
    ("nngp", 2): [2 / pi**2, R(1, 8), 2 / (9 * pi**2), 0, 2 / (225 * pi**2), 0, 2 / (1225 * pi**2), 0,
                  2 / (3969 * pi**2)],
    ("nngp", 3): [R(3, 16), R(1, 12), R(3, 256), 0, R(1, 3072), 0, R(3, 65536), 0, R(3, 262144)],
}


@pytest.mark.parametrize("name,d", list(REFERENCE))
def test_reference_values_exact(name, d):
    got = [e.value for e in eigenvalues(name, d, range(9), mode="exact")]
    for k, (g, ref) in enumerate(zip(got, REFERENCE[(name, d)])):
        assert sympy.simplify(g - ref) == 0, (name, d, k, g, ref)


def test_bias_kernels_exact_odd_d():
    # docs/basri2019.md §7: nngp-bias d=3, k=0..2 exact (SymPy integration path for odd d)
    got = [e.value for e in eigenvalues("nngp-bias", 3, range(3), mode="exact")]
    ref = [R(5, 8), (3 * pi + 16) / (72 * pi), (21 * pi - 64) / (96 * pi)]
    assert all(sympy.simplify(g - r) == 0 for g, r in zip(got, ref))
    assert sympy.simplify(eigenvalue("ntk-bias", 3, 1) - (3 * pi - 2) / (9 * pi)) == 0


def test_bias_kernels_mpmath_reference():
    # docs/basri2019.md §7: ntk-bias d=3 exact forms, d=2 15 digits; nngp-bias d=3 and d=2
    with mpmath.workdps(40):
        ref3 = [1, (3 * mpmath.pi - 2) / (9 * mpmath.pi), (32 - 9 * mpmath.pi) / (48 * mpmath.pi),
                (225 * mpmath.pi - 704) / (240 * mpmath.pi), (9664 - 3075 * mpmath.pi) / (720 * mpmath.pi)]
        got = eigenvalues("ntk-bias", 3, range(5), mode="mpmath", dps=20)
        for e, r in zip(got, ref3):
            assert e.trusted_digits >= 18
            assert abs(e.value - r) <= abs(r) * mpmath.mpf(10)**(-18)
    ref2 = [1.03413191642010, 0.400770154644748, 0.0498381683455229, 0.0104048700389971, 0.00535554446246657]
    for e, r in zip(eigenvalues("ntk-bias", 2, range(5), mode="float"), ref2):
        assert e.value == pytest.approx(r, rel=1e-13)
    ref = [0.633361761775351, 0.169231164037112, 0.0124696582250022]
    for e, r in zip(eigenvalues("nngp-bias", 2, range(3), mode="float"), ref):
        assert e.value == pytest.approx(r, rel=1e-13)


def test_multiplicity():
    assert [multiplicity(2, k) for k in range(5)] == [1, 2, 2, 2, 2]
    assert [multiplicity(3, k) for k in range(5)] == [1, 3, 5, 7, 9]
    assert [multiplicity(4, k) for k in range(5)] == [1, 4, 9, 16, 25]
    # dimension of harmonic polynomials = C(k+d-1, d-1) - C(k+d-3, d-1)
    for d in (5, 10, 1000):
        for k in (0, 1, 7, 100):
            assert multiplicity(d, k) == math.comb(k + d - 1, d - 1) - (math.comb(k + d - 3, d - 1) if k >= 2 else 0)


def test_legendre_P():
    assert legendre_P(3, 2) == sympy.expand((3 * t**2 - 1) / 2)
    assert legendre_P(2, 3) == 4 * t**3 - 3 * t
    for d in (2, 3, 7):
        for k in range(6):
            P = legendre_P(d, k)
            assert P.subs(t, 1) == 1
            assert sympy.expand(P.subs(t, -t) - (-1)**k * P) == 0


def test_eigen_record_fields():
    e = eigenvalues("ntk", 3, [4], mode="mpmath", dps=25)[0]
    assert isinstance(e, Eigen) and e.k == 4 and e.multiplicity == 9 and e.mode == "mpmath"
    assert e.trusted_digits == 25 and e.digits_str.startswith("0.00260416666666666666666")
    ex = eigenvalues("ntk", 3, [4], mode="exact")[0]
    assert ex.trusted_digits is None and ex.value == R(1, 384)


def test_far_out_no_cancellation():
    # k = 10^4, d = 1000: mpmath value agrees with exact Gamma products (d = 3) and between precisions
    e30 = eigenvalue("ntk", 1000, 10000, mode="mpmath", dps=30)
    e50 = eigenvalue("ntk", 1000, 10000, mode="mpmath", dps=50)
    assert abs(e30 - e50) <= abs(e50) * mpmath.mpf(10)**-29
    ex = eigenvalue("basri", 3, 10000, mode="exact")
    mp = eigenvalue("basri", 3, 10000, mode="mpmath", dps=30)
    assert abs(sympy.N(ex, 40) - sympy.Float(mpmath.nstr(mp, 35), 40)) <= abs(sympy.N(ex, 40)) * 1e-29


def test_polynomial_kernel_and_expression():
    # lambda_k of t^2 on S^2: 1/3 (k=0), 0, 2/15 (k=2)
    vals = [eigenvalue(t**2, 3, k) for k in range(3)]
    assert vals == [R(1, 3), 0, R(2, 15)]
    # an arbitrary expression: quadrature fallback with stated digits
    e = eigenvalues(sympy.exp(t), 3, [2], mode="mpmath", dps=20)[0]
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda x: mpmath.exp(x) * (3 * x**2 - 1) / 2, [-1, 1]) / 2
    assert e.trusted_digits >= 15 and abs(e.value - ref) < abs(ref) * 1e-15


@pytest.mark.parametrize("bad,exc,word", [
    (dict(kernel="basri", d=1, k=0), ValueError, "`d`"),
    (dict(kernel="basri", d=2.0, k=0), TypeError, "`d`"),
    (dict(kernel="basri", d=3, k=-1), ValueError, "`k`"),
    (dict(kernel="basri", d=3, k=1.5), TypeError, "`k`"),
    (dict(kernel="relu", d=3, k=1), ValueError, "kernel"),
    (dict(kernel=3, d=3, k=1), TypeError, "kernel"),
    (dict(kernel="basri", d=3, k=1, mode="fast"), ValueError, "`mode`"),
    (dict(kernel=t * sympy.Symbol("x"), d=3, k=1), ValueError, "kernel"),
    (dict(kernel="ntk-bias", d=2, k=1, mode="exact"), ValueError, "mpmath"),
    (dict(kernel="ntk-bias", d=3, k=398, mode="exact"), ValueError, "mpmath"),
        (dict(kernel="ntk-bias", d=3, k=98, mode="mpmath"), ValueError, r"`k` \+ `d` <= 100"),
        (dict(kernel="ntk", d=3, k=10**13, mode="float"), ValueError, "`k`"),
        (dict(kernel="ntk", d=3, k=1, dps=10**8, mode="mpmath"), ValueError, "`dps`"),
])
def test_bad_input(bad, exc, word):
    with pytest.raises(exc, match=word):
        eigenvalue(**bad)


def test_bad_input_multiplicity_and_range():
    with pytest.raises(ValueError, match="`d`"):
        multiplicity(1, 0)
    with pytest.raises(TypeError, match="`ks`"):
        eigenvalues("basri", 3, 5)


KERNEL_NAMES_T = ["basri", "basri-bias", "ntk", "nngp"]


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(KERNEL_NAMES_T), d=st.integers(2, 60), k=st.integers(0, 300))
def test_three_modes_agree(name, d, k):
    ex = eigenvalues(name, d, [k], mode="exact")[0].value
    mp = eigenvalues(name, d, [k], mode="mpmath", dps=30)[0]
    fl = eigenvalues(name, d, [k], mode="float")[0]
    ref = sympy.N(ex, 45)
    if ref == 0:
        assert mp.value == 0 and fl.value == 0
        return
    assert abs(sympy.Float(mpmath.nstr(mp.value, 40), 45) - ref) <= abs(ref) * sympy.Float(10)**(-mp.trusted_digits)
    assert abs(fl.value - float(ref)) <= abs(float(ref)) * 10.0**(-fl.trusted_digits)
    assert fl.trusted_digits >= 10


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(sorted(KERNELS)), d=st.integers(2, 12), k=st.integers(0, 40))
def test_eigenvalues_nonnegative(name, d, k):
    if name in ("ntk-bias", "nngp-bias"):
        k = k % 9                                     # quadrature path: keep the test fast
    e = eigenvalues(name, d, [k], mode="float")[0]
    assert e.value >= 0
    if name.endswith("bias"):
        assert e.value > 0


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(KERNEL_NAMES_T), d=st.sampled_from([2, 3, 5]),
       x=st.floats(-1, 1, allow_nan=False))
def test_mercer_sum_at_random_t(name, d, x):
    import numpy as np
    from scipy.special import eval_chebyt, eval_gegenbauer
    K = 300
    ev = eigenvalues(name, d, range(K + 1), mode="float")
    ks = np.arange(K + 1)
    if d == 2:
        P = eval_chebyt(ks, x)
    else:
        a = (d - 2) / 2
        P = eval_gegenbauer(ks, a, x) / eval_gegenbauer(ks, a, 1.0)
    w = np.array([e.multiplicity * e.value for e in ev])
    S, trace = float(w @ P), float(w.sum())
    tail = kernel_value(name, 1.0) - trace            # rigorous bound: N lambda_k >= 0, |P_k| <= 1
    assert tail >= -1e-12
    assert abs(kernel_value(name, x) - S) <= tail + 1e-12
