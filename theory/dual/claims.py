"""Derivations of the dual claims (stem ``dual``; docs/dual.md §6-§9).

Each function returns a :class:`theory.derivation.Derivation`; the checks use only SymPy on the
closed forms of :mod:`theory.dual.gaussian` / :func:`theory.dual.network_kernel`.
"""
from __future__ import annotations

import functools

import sympy

from theory.derivation import Derivation
from theory.dual import gaussian as ga
from theory.dual.activations import named
from theory.dual.network import network_kernel
from theory.kernels import kernel, t

__all__ = ["parity", "decay", "depth", "empirical_limit", "singular_coefficient", "ODD", "KINKED"]

ODD = ("tanh", "erf", "sin")
KINKED = ("relu", "leaky_relu", "abs")
d_sym = sympy.Symbol("d", positive=True, integer=True)
_e = sympy.Symbol("epsilon", positive=True)
_z = sympy.Symbol("z", real=True)


def _linear_part(sigma):
    """``l`` with ``sigma - l x`` even, or None (checked on the two half lines)."""
    pc = ga.pieces(sigma)
    if pc is None:
        return None
    a1, b1 = pc.get(1, (0, 0))
    l = (a1 - b1) / 2                            # odd part of a1 max(x,0) + b1 max(-x,0) is (a1-b1)x/2
    rest = sigma - l * x_()
    ok = sympy.simplify(sympy.piecewise_fold((rest.subs(ga.x, ga._xp) - rest.subs(ga.x, -ga._xp)))) == 0
    return l if ok else None


def x_():
    return ga.x


@functools.lru_cache(maxsize=None)
def parity() -> Derivation:
    """Hermite parity -> null spaces: odd sigma kills every even k; sigma = l x + even kills odd k >= 3."""
    dv = Derivation("Parity of sigma and the zero set of the spectrum (no bias)")
    n_max = 6
    ok = all(sympy.expand(sympy.hermite_prob(n, -_z) - (-1)**n * sympy.hermite_prob(n, _z)) == 0
             for n in range(n_max + 1))
    dv.step("He_n(-z) = (-1)^n He_n(z): an odd sigma has A_n = E[sigma(sqrt(q) z) h_n(z)] = 0 for even n, "
            "so its dual F(q, c) = sum A_n^2 (c/q)^n is odd in c", sympy.Eq(sympy.hermite_prob(3, -_z),
                                                                           -sympy.hermite_prob(3, _z)))
    dv.check("He_n parity, n <= 6", ok)
    for name in ODD:
        s = named(name)
        dv.check(f"{name} is odd", sympy.simplify(s.subs(ga.x, -ga.x) + s) == 0)
    for name in ("erf", "sin"):
        F = network_kernel(name, kind="nngp").dual.F
        dv.check(f"dual of {name} is odd in c", sympy.simplify(F.subs(ga.c, -ga.c) + F) == 0)
    dv.step("No bias: Sigma_1 = W^2 t is odd, odd duals keep it odd, Sigmadot (dual of the even sigma') is "
            "even, so Theta = Sigma + Theta Sigmadot is odd at every depth: lambda_k = 0 for every even k")
    for name in KINKED:
        s = named(name)
        l = _linear_part(s)
        dv.check(f"{name} = {l} x + even", l is not None)
        F = network_kernel(name, kind="nngp").dual.F
        odd = sympy.simplify((F - F.subs(ga.c, -ga.c)).rewrite(sympy.asin) - 2 * l**2 * ga.c)
        dv.check(f"odd part of the dual of {name} is l^2 c", odd == 0)
        K = network_kernel(name, kind="ntk").expr
        oddK = sympy.simplify((K - K.subs(t, -t)).rewrite(sympy.asin) - 4 * l**2 * t)
        dv.check(f"odd part of the depth-1 NTK of {name} is 2 l^2 t", oddK == 0)
    dv.step("sigma = l x + e(x), e even: E[sigma(u) sigma(v)] = l^2 c + E[e(u) e(v)] (cross terms vanish "
            "by the symmetry (u, v) -> (-u, -v)); the depth-1 NTK's odd part is 2 l^2 t, a degree-1 "
            "polynomial: lambda_k = 0 for odd k >= 3")
    dv.results["lambda_even_odd_sigma"] = sympy.S.Zero
    dv.results["lambda_odd_k_ge_3_kinked"] = sympy.S.Zero
    return dv


def singular_coefficient(expr, at: int = 1, order: int = 1):
    """``(nu, a)``: the first half-integer power ``e^(2 nu)`` of ``expr(at - at e^2)`` and its coefficient."""
    ser = sympy.series(expr.subs(t, at * (1 - _e**2)), _e, 0, 2 * order + 4).removeO()
    ser = sympy.expand(sympy.simplify(ser))
    for p in range(1, 2 * order + 4, 2):
        co = sympy.simplify(ser.coeff(_e, p))
        if co != 0:
            return sympy.Rational(p, 2), co
    return None, sympy.S.Zero


@functools.lru_cache(maxsize=None)
def decay() -> Derivation:
    """Decay of lambda_k from the dual's singularity at t = 1 (ReLU^s) and radius of analyticity (erf)."""
    dv = Derivation("Eigenvalue decay from the kernel's singularity (depth 1, W_std = 1, b_std = 0)")
    dv.step("A dot-product kernel with K(1 - e^2) = analytic + a e^(2 nu) + ..., 2 nu odd, has "
            "lambda_k ~ k^-(d - 1 + 2 nu) (Bietti & Mairal 2019; Bietti & Bach 2021, Thm 1)")
    for s in (1, 2):
        for kind in ("nngp", "ntk"):
            K = network_kernel(f"relu{s}" if s > 1 else "relu", kind=kind).expr
            nu, a = singular_coefficient(K)
            dv.step(f"ReLU^{s} {kind}: leading half-integer power of (1 - t)", sympy.Eq(sympy.Symbol("nu"), nu))
            dv.results[f"exponent relu{s} {kind}"] = d_sym - 1 + 2 * nu
    dv.check("ReLU^s NNGP exponent d + 2s, NTK d + 2s - 2 (s = 1, 2)",
             all(sympy.simplify(dv.results[f"exponent relu{s} {k}"] - (d_sym + 2 * s - (2 if k == "ntk" else 0))) == 0
                 for s in (1, 2) for k in ("nngp", "ntk")))
    F = network_kernel("erf", kind="nngp").expr
    arg = [a.args[0] for a in F.atoms(sympy.asin)][0]
    R = sympy.solve(sympy.Eq(arg, 1), t)[0]
    dv.step("erf NNGP: (2/pi) asin(2 t / 3) is analytic for |t| < R, the branch point of asin", sympy.Eq(sympy.Symbol("R"), R))
    dv.results["erf radius"] = R
    rho = dv.step("Gegenbauer coefficients of a function analytic inside the Bernstein ellipse through the "
                  "singularity decay like rho^-k, rho = R + sqrt(R^2 - 1) (not R^-k)",
                  sympy.Eq(sympy.Symbol("rho"), R + sympy.sqrt(R**2 - 1)))
    dv.results["erf ratio"] = sympy.simplify((R + sympy.sqrt(R**2 - 1))**-2)     # lambda_{k+2}/lambda_k
    return dv


def _sqrt_coef(expr, var):
    """Coefficient of ``var^(1/2)`` in ``expr`` at ``var -> 0+`` (SymPy series of a one-layer dual)."""
    e2 = sympy.Symbol("e2", positive=True)
    ser = sympy.series(expr.subs(var, e2**2), e2, 0, 2).removeO()
    return sympy.simplify(ser.coeff(e2, 1))


@functools.lru_cache(maxsize=None)
def depth() -> Derivation:
    """Deep ReLU NTK: the same k^-d rate at every depth, constants from the singular coefficients."""
    dv = Derivation("Depth-L ReLU NTK: singular coefficients at t = +-1 (W_std = 1, b_std = 0)")
    dv.step("lambda_k ~ c_d k^-d (a_+ + (-1)^k a_-) where K(1 - e) = K(1) + a_+ e^(1/2) + ..., "
            "K(-1 + e) = K(-1) + a_- e^(1/2) + ... (Bietti & Bach 2021, Thm 1; reflection t -> -t "
            "multiplies lambda_k by (-1)^k)")
    dual = network_kernel("relu", kind="ntk").dual
    F, G = dual.F, dual.derivative.F
    e = sympy.Symbol("e", positive=True)
    q, al = sympy.Symbol("q_l", positive=True), sympy.Symbol("alpha_l", positive=True)
    # one layer, near rho = 1: rho = 1 - alpha e  ->  Sigmadot = G(q, q) + s(alpha) e^(1/2) + ...
    s_plus = dv.step("one layer at t = 1: e^(1/2) coefficient of G(q, q (1 - alpha e))",
                     _sqrt_coef(G.subs({ga.q: q, ga.c: q * (1 - al * e)}), e))
    s_minus = dv.step("layer 1 at t = -1: e^(1/2) coefficient of G(q, -q (1 - e))",
                      _sqrt_coef(G.subs({ga.q: q, ga.c: -q * (1 - e)}), e))
    dF = sympy.diff(F, ga.c)
    dv.check("F(q, c) is C^1 at c = q (no e^(1/2) term in Sigma)",
             _sqrt_coef(F.subs({ga.q: q, ga.c: q * (1 - al * e)}), e) == 0)
    qs, Th1, alpha, a_p = sympy.S.One, sympy.S.One, sympy.S.One, sympy.S.Zero
    S_m, a_m = -sympy.S.One, None                     # Sigma_l(-1); a_- after layer 1
    for L in (1, 2, 3, 4):
        Gd = sympy.simplify(G.subs({ga.q: qs, ga.c: qs}))                    # Sigmadot_{L+1}(1)
        a_p = sympy.simplify(s_plus.subs({q: qs, al: alpha}) * Th1 + a_p * Gd)
        if L == 1:
            a_m = sympy.simplify(-s_minus.subs(q, qs))                       # Theta_1(-1) = -1
        else:
            a_m = sympy.simplify(a_m * G.subs({ga.q: qs, ga.c: S_m}))
        q_next = sympy.simplify(F.subs({ga.q: qs, ga.c: qs}))
        Th1 = sympy.simplify(q_next + Th1 * Gd)
        alpha = sympy.simplify(alpha * dF.subs({ga.q: qs, ga.c: qs}) * qs / q_next)
        S_m = sympy.simplify(F.subs({ga.q: qs, ga.c: S_m}))
        qs = q_next
        even = sympy.nsimplify(sympy.simplify(a_p + a_m))
        dv.step(f"L={L}: a_+ + a_- (even k)", even)
        if L == 1:
            base = even
            dv.check("L=1: a_+ = a_- (odd lambda_k >= 3 vanish)", sympy.simplify(a_p - a_m) == 0)
        dv.results[f"ratio L={L}"] = sympy.simplify(even / base)
    dv.step("Sigma_l(-1) stays inside (-q_l, q_l) for l >= 2, so only layer 1 makes t = -1 singular; "
            "every layer keeps nu = 1/2 at t = 1: the exponent is d - 1 + 2 nu = d at every depth")
    dv.results["exponent"] = d_sym
    return dv


@functools.lru_cache(maxsize=None)
def empirical_limit() -> Derivation:
    """The CNN's NTK (no readout bias) is network_kernel - b_std^2; Monte-Carlo error ~ m^-1/2."""
    dv = Derivation("Infinite-width limit of the fully connected CNN's empirical NTK")
    K = network_kernel("relu", W_std=1, b_std=1, kind="ntk").expr - 1
    dv.check("relu, b_std = 1: network_kernel - b^2 is the named ntk-bias kernel",
             sympy.simplify((K - kernel("ntk-bias")).rewrite(sympy.asin)) == 0)
    m, s2 = sympy.symbols("m sigma2", positive=True)
    rate = sympy.simplify(sympy.diff(sympy.log(sympy.sqrt(s2 / m)), m) * m)
    dv.step("Theta_m is a mean of m i.i.d. neuron terms: its RMS error is sqrt(Var / m)",
            sympy.Eq(sympy.Symbol("rate"), rate))
    dv.results["rate"] = rate
    return dv
