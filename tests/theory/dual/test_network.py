"""network_kernel: the named ReLU kernels at depth 1, closed forms against 2-D Gauss-Hermite
quadrature of the Gaussian integrals (independent of the SymPy derivation), bad input."""
import math


import numpy as np
import pytest
import sympy
from scipy import integrate
from scipy.special import roots_hermitenorm

import theory
from theory.dual import network_kernel, named
from theory.dual.gaussian import x

T = np.linspace(-1, 1, 9)


def gh_kernel(sigma, dsigma, depth, W, b, kind, t, nodes=120):
    """Depth recursion with every expectation by 2-D Gauss-Hermite quadrature (float64)."""
    z, w = roots_hermitenorm(nodes)
    w = w / w.sum()
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    WW = np.outer(w, w)
    S = W**2 * t + b**2
    q = W**2 + b**2
    Th = S
    for _ in range(depth):
        r = np.clip(S / q, -1, 1)
        out_s, out_d = [], []
        for ri in np.atleast_1d(r):
            u = math.sqrt(q) * Z1
            v = math.sqrt(q) * (ri * Z1 + math.sqrt(max(1 - ri * ri, 0)) * Z2)
            out_s.append(np.sum(WW * sigma(u) * sigma(v)))
            out_d.append(np.sum(WW * dsigma(u) * dsigma(v)))
        S_new = W**2 * np.array(out_s) + b**2
        Th = S_new + Th * W**2 * np.array(out_d)
        q = W**2 * np.sum(w * sigma(math.sqrt(q) * z) ** 2) + b**2
        S = S_new
    return Th if kind == "ntk" else S


def test_depth1_relu_is_the_named_pair():
    for kind, name in (("ntk", "ntk"), ("nngp", "nngp")):
        k = network_kernel("relu", kind=kind)
        assert sympy.simplify((k.expr - theory.kernel(name)).rewrite(sympy.asin)) == 0
        np.testing.assert_allclose(k(T), [theory.kernel_value(name, v) for v in T], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["erf", "sin", "cos", "tanh", "gelu", "cube"])
@pytest.mark.parametrize("depth", [1, 2])
def test_smooth_against_gauss_hermite(name, depth):
    sig = named(name)
    f = sympy.lambdify(x, sig, ["numpy", "scipy"])
    df = sympy.lambdify(x, sympy.diff(sig, x), ["numpy", "scipy"])
    F = lambda z: np.broadcast_to(f(z), z.shape)
    dF = lambda z: np.broadcast_to(df(z), z.shape)
    for kind in ("ntk", "nngp"):
        k = network_kernel(sig, depth=depth, W_std=1.2, b_std=0.5, kind=kind)
        ref = gh_kernel(F, dF, depth, 1.2, 0.5, kind, T, nodes=400)
        np.testing.assert_allclose(k(T), ref, rtol=1e-10, atol=1e-12)


def quad_expect(f, g, q, c):
    """E[f(u) g(v)], (u, v) ~ N(0, [[q, c], [c, q]]): nested scipy quad split at the kinks (at 0)."""
    r = c / q
    s, sq = math.sqrt(max(1 - r * r, 0.0)), math.sqrt(q)
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    if s == 0:
        return integrate.quad(lambda z: f(sq * z) * g(sq * z) * phi(z), -np.inf, np.inf, epsabs=1e-13)[0]

    def inner(z1):
        kink = -r * z1 / s
        h = lambda z2: g(sq * (r * z1 + s * z2)) * phi(z2)
        return (integrate.quad(h, -np.inf, kink, epsabs=1e-14, epsrel=1e-13)[0]
                + integrate.quad(h, kink, np.inf, epsabs=1e-14, epsrel=1e-13)[0])
    out = lambda z1: f(sq * z1) * phi(z1) * inner(z1)
    return (integrate.quad(out, -np.inf, 0, epsabs=1e-14, epsrel=1e-13)[0]
            + integrate.quad(out, 0, np.inf, epsabs=1e-14, epsrel=1e-13)[0])


def quad_kernel(f, df, depth, W, b, t):
    S, q = W**2 * t + b**2, W**2 + b**2
    Th = S
    for _ in range(depth):
        S_new = W**2 * quad_expect(f, f, q, S) + b**2
        Th = S_new + Th * W**2 * quad_expect(df, df, q, S)
        q, S = W**2 * quad_expect(f, f, q, q) + b**2, S_new
    return Th


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "abs", "relu2"])
def test_kinked_against_quadrature(name):
    """Kinked integrands: nested scipy quadrature split at the kink, depth 2, b_std = 0.5."""
    f = {"relu": lambda z: max(z, 0), "leaky_relu": lambda z: z if z > 0 else z / 10, "abs": abs,
         "relu2": lambda z: max(z, 0)**2}[name]
    df = {"relu": lambda z: 1 if z > 0 else 0, "leaky_relu": lambda z: 1 if z > 0 else 0.1,
          "abs": lambda z: 1 if z > 0 else -1, "relu2": lambda z: 2 * max(z, 0)}[name]
    k = network_kernel(named(name), depth=2, W_std=1.0, b_std=0.5, kind="ntk")
    for tv in (-0.6, 0.3):
        ref = quad_kernel(f, df, 2, 1.0, 0.5, tv)
        assert abs(k(np.array(tv)) - ref) < 1e-9 * abs(ref)


def test_exact_and_mpmath_agree_with_float():
    k = network_kernel("erf", depth=2, b_std=0.5, kind="nngp")
    assert abs(float(k.value("3/10", "exact")) - k.value(0.3)) < 1e-14
    assert abs(float(k.value(0.3, "mpmath")) - k.value(0.3)) < 1e-14


def test_hermite_tail_certificate():
    from theory.dual.hermite import hermite_series
    s = hermite_series(sympy.tanh(x), 1.0, 40)
    assert 1e-9 < s.tail < 1e-7                 # docs/dual.md §3: 1.1e-8 after 40 terms
    assert s.digits >= 14


@pytest.mark.parametrize("bad, err", [(sympy.Symbol("y") * x, ValueError), (sympy.exp(x**2 / 4), ValueError),
                                      (sympy.exp(x**2), ValueError), ("not an expr", ValueError),
                                      (3.5j, TypeError)])
def test_bad_activation(bad, err):
    with pytest.raises(err):
        network_kernel(bad)


def test_bad_std_and_kind():
    with pytest.raises(ValueError, match="W_std"):
        network_kernel("relu", W_std=-1)
    with pytest.raises(ValueError, match="b_std"):
        network_kernel("relu", b_std=-0.1)
    with pytest.raises(ValueError, match="kind"):
        network_kernel("relu", kind="cntk")
    with pytest.raises(ValueError, match="jumps"):
        network_kernel("step", kind="ntk")
    with pytest.raises(ValueError, match="depth"):
        network_kernel("relu", depth=0)
