"""Derivations for Basri et al. 2019 (and Bietti & Mairal 2019): odd frequencies, bias, decay.

Every ``derive`` function returns a :class:`theory.derivation.Derivation` whose formulas SymPy
produces from the kernel definitions in :mod:`theory.kernels` (docs/basri2019.md §3-§4).

References
----------
.. [B19] R. Basri, D. Jacobs, Y. Kasten, S. Kritchman, NeurIPS 2019, arXiv:1906.00425 (abstract).
.. [BM19] A. Bietti, J. Mairal, NeurIPS 2019, arXiv:1905.12173.
"""
from __future__ import annotations

import functools

import mpmath
import sympy

from theory.derivation import Derivation
from theory.funk_hecke.arith import Arith, check_mode
from theory.funk_hecke.gauss_sums import start, term, series_parameters
from theory.funk_hecke import eigenvalue
from theory.funk_hecke.atoms import decompose
from theory.spherical import legendre_P, multiplicity
from theory.arccos import kappa0
from theory.kernels import KERNELS, t

__all__ = ["odd_null", "bias_restores", "bias_split", "circle_spectrum", "circle_closed_form",
           "sphere_decay", "decay_constant", "mercer"]

_th = sympy.Symbol("theta", real=True)
_kk = sympy.Symbol("k", integer=True, positive=True)
_m = sympy.Symbol("m", integer=True, positive=True)
_i = sympy.Symbol("i", integer=True, positive=True)
_dd = sympy.Symbol("d", integer=True, positive=True)
NO_BIAS = ("basri", "ntk", "nngp")


def _frac(x):
    return sympy.Rational(x.numerator, x.denominator)


def odd_null() -> Derivation:
    """Without bias, K(t) = c t + (even function of t), hence lambda_k = 0 for every odd k >= 3."""
    D = Derivation("Odd frequencies vanish without bias (every k, every d)")
    D.step("Funk-Hecke with P_k(d;-t) = (-1)^k P_k(d;t) (Rodrigues formula) and an even weight "
           "(1-t^2)^((d-3)/2): an even kernel has lambda_k = 0 for every odd k; t = P_1(d;t) "
           "contributes to k = 1 only.",
           sympy.Eq(sympy.Function("P_k")(-t), (-1)**_kk * sympy.Function("P_k")(t)))
    for name in NO_BIAS:
        K = KERNELS[name].rewrite(sympy.asin)
        odd = sympy.simplify((K - K.subs(t, -t)) / 2)
        D.step(f"odd part of `{name}` (SymPy, from kappa0/kappa1)", sympy.Eq(sympy.Symbol(f"K_odd[{name}]"), odd))
        D.check(f"{name}: odd part is linear (K - c t even)", bool(sympy.simplify(sympy.diff(odd, t, 2)) == 0))
        D.check(f"{name}: odd part nonzero (lambda_1 > 0)", bool(sympy.simplify(odd) != 0))
        D.results[f"odd_part_{name}"] = odd
    # the parity of P_k for symbolic d, via the Gegenbauer generating function (1-2tr+r^2)^(-a)
    r, a = sympy.symbols("r a", positive=True)
    gen = (1 - 2 * t * r + r**2)**(-a)
    D.check("generating function: G(-t, r) = G(t, -r), so C_k^a(-t) = (-1)^k C_k^a(t) for all k",
            bool(sympy.simplify(gen.subs(t, -t) - gen.subs(r, -r)) == 0))
    D.results["lambda_odd_k_ge_3"] = sympy.S.Zero
    return D


def lower_bound(name: str, d, k, mode: str = "exact"):
    """Certified lower bound of lambda_k: the first term of every atom's positive series.

    Every atom of a named kernel has a positive coefficient and a series of positive terms, so the
    sum of the first terms is a lower bound.  One formula, evaluated with the number primitives of
    ``mode`` (:class:`theory.funk_hecke.arith.Arith`): exact SymPy Gamma products (``"exact"``), mpmath
    at the current precision (``"mpmath"``) or float64 log-Gammas (``"float"``).
    """
    ar = Arith(check_mode(mode), mpmath.mp.dps)
    total = ar.zero()
    for (var, family, p), c in decompose(name):
        j0 = None if family == "poly" else start(var, family, p, k)
        if j0 is None:
            continue
        r, p2, g = term(var, family, p, j0, k, d)
        total += ar.coef(c) * ar.prod(r, p2, g)
    return total


def bias_restores() -> Derivation:
    """With bias every lambda_k > 0: positive atoms times positive Funk-Hecke coefficients."""
    D = Derivation("With bias every eigenvalue is positive (certified lower bound)")
    D.step("Each kernel splits (SymPy, verified) into s^p, s^p arcsin s and sqrt(1-s^2)+s arcsin s-1 "
           "with s = t or (1+t)/2; all Taylor coefficients of these are >= 0.")
    for name in ("basri-bias", "ntk-bias", "nngp-bias"):
        atoms = decompose(name)
        D.step(f"atoms of `{name}`", sympy.Matrix([[sympy.Symbol(f"{v}:{f}:{p}"), c] for (v, f, p), c in atoms]))
        D.check(f"{name}: every atom coefficient > 0", all(bool(c.is_positive) for _, c in atoms))
        D.check(f"{name}: an arcsin-type atom of each parity or in u (every k reached)",
                any(v == "u" for (v, f, p), _ in atoms) or
                {p for (v, f, p), _ in atoms if f == "asin"} == {0, 1})
    # the monomial coefficients are ratios of Gammas with positive arguments
    n, k, d = sympy.symbols("n k d", positive=True)
    for var in ("t", "u"):
        for fam in ("asin", "B1"):
            e0 = {"asin": 1, "B1": 2}[fam]
            q, mm = sympy.symbols("q m0", nonnegative=True)
            args = []
            for s in ((0,) if var == "t" else (0, 1)):     # k = e + 2q + s >= e; smaller k: j0 = 0
                kk = e0 + 2 * q + s
                r, p2, g = term(var, fam, 0, mm + q + s, kk, d)   # j = j0 + m, j0 = (k - e + s)/2
                args += [x for e, x in g]
            D.check(f"{var}:{fam}: Gamma arguments of the series terms positive (k >= e, m >= 0; "
                    f"k < e: finitely many, checked exactly by the claim)",
                    all(bool(sympy.simplify(a).is_positive) for a in args))
    D.step("Funk-Hecke coefficient of t^n (Rodrigues + Beta integral) and of u^n, both > 0:",
           sympy.Eq(sympy.Symbol(r"{\mu_d(n,k)}"), sympy.factorial(n) * sympy.gamma(d / 2) /
                    (2**n * sympy.factorial((n - k) / 2) * sympy.gamma((n + k + d) / 2))))
    sp = bias_split()
    D.step("B19's bias kernel H_b = (t + 1)/2 * A(t): weight term t A/2 plus bias term A/2",
           sympy.Eq(sympy.Symbol("A"), sp["gate"]))
    D.check("gate A = kappa0/2 (docs/basri2019.md §1.2)",
            bool(sympy.simplify((sp["gate"] - kappa0(t) / 2).rewrite(sympy.asin)) == 0))
    D.check("weight term t A/2 = H/2 (the no-bias kernel halved: its odd k >= 3 vanish)",
            bool(sympy.simplify((sp["t"] - KERNELS["basri"] / 2).rewrite(sympy.asin)) == 0))
    D.check("bias term minus its value at 0 is odd (it adds the odd k, and no even k >= 2)",
            bool(sympy.simplify((sp["bias"] + sp["bias"].subs(t, -t) - 2 * sp["bias"].subs(t, 0)).rewrite(sympy.asin)) == 0))
    D.results["weight_term"], D.results["bias_term"] = sp["t"], sp["bias"]
    lb = lower_bound("ntk-bias", 3, 4)
    D.results["lower_bound_ntk_bias_d3_k4"] = sympy.nsimplify(lb)
    D.check("ntk-bias d=3 k=4 lower bound positive", bool(sympy.N(lb) > 0))
    return D


def bias_split() -> dict[str, sympy.Expr]:
    """B19's bias kernel ``H_b = <x_bar, x_bar'> kappa0(t)/2`` with ``<x_bar, x_bar'> = (t + 1)/2``
    (docs/basri2019.md §1.2), split into its two terms: ``"t"`` (``t kappa0/4 = H/2``, the weight
    gradient) and ``"bias"`` (``kappa0/4``, the bias gradient).  The gate ``A = 2 H_b/(1 + t)`` is
    computed by SymPy from the kernel, not typed."""
    gate = sympy.simplify(2 * KERNELS["basri-bias"] / (1 + t))
    return {"gate": gate, "t": sympy.expand(gate * t / 2), "bias": gate / 2}


def circle_closed_form(name: str, parity: int | None = None) -> sympy.Expr:
    """(1/pi) int_0^pi K(cos th) cos(k th) dth for symbolic integer k (parity 0 even, 1 odd, k >= 2)."""
    return _circle(name, parity)


@functools.lru_cache(maxsize=None)
def _circle(name, parity):
    I = _circle_integral(name)
    if parity is None:
        return sympy.simplify(I)
    return sympy.factor(sympy.simplify(I.subs(_kk, 2 * _m + parity)))


@functools.lru_cache(maxsize=None)
def _circle_integral(name):
    K = KERNELS[name].rewrite(sympy.acos).subs(t, sympy.cos(_th))
    K = K.subs(sympy.acos(sympy.cos(_th)), _th).subs(sympy.sqrt(1 - sympy.cos(_th)**2), sympy.sin(_th))
    K = sympy.expand(K)
    I = sympy.S.Zero
    for part in sympy.Add.make_args(K):           # integrate each basis function once (cached)
        coeff, f = part.as_independent(_th)
        I += coeff * _basis_integral(f)
    I = sympy.simplify(I / sympy.pi)
    return I.args[0][0] if isinstance(I, sympy.Piecewise) else I    # generic branch k > 1


@functools.lru_cache(maxsize=None)
def _basis_integral(f):
    """int_0^pi f(theta) cos(k theta) dtheta for symbolic integer k >= 2 (generic branch)."""
    I = sympy.integrate(f * sympy.cos(_kk * _th), (_th, 0, sympy.pi))
    if isinstance(I, sympy.Piecewise):
        for expr, cond in I.args:             # the branch valid for k >= 2
            if cond is sympy.true or bool(cond.subs(_kk, 7)) and bool(cond.subs(_kk, 8)):
                return expr
        raise RuntimeError(f"no generic branch in {I}")
    return I


def circle_spectrum(exponent: int = 2) -> Derivation:
    """Closed form of every Fourier coefficient on the circle and lim k^2 lambda_k."""
    D = Derivation("Circle (d = 2): lambda_k in closed form for symbolic k", kind="exact")
    for name in ("basri", "basri-bias", "ntk", "nngp"):
        for par in (0, 1):
            f = circle_closed_form(name, par)
            D.results[f"{name}_{'even' if par == 0 else 'odd'}"] = f
            D.step(f"`{name}`, k = 2m + {par} >= 2: (1/pi) int_0^pi K(cos th) cos(k th) dth", f)
            kk = 2 * _m + par
            D.results[f"C_{name}_{'even' if par == 0 else 'odd'}"] = sympy.limit(f * kk**exponent, _m, sympy.oo)
    D.step(f"limits of lambda_k k^{exponent}", sympy.Matrix([[sympy.Symbol(n), v] for n, v in D.results.items()
                                                           if n.startswith("C_")]))
    even = D.results["basri_even"]
    rate = sympy.limit(-_m * sympy.diff(sympy.log(even), _m), _m, sympy.oo)
    D.step("decay exponent of the even basri coefficients: -lim m d/dm log lambda_{2m} (k = 2m)",
           sympy.Eq(sympy.Symbol("p"), rate))
    D.results["decay_exponent"] = rate
    D.check("the decay exponent is the one whose limit k^p lambda_k is finite and nonzero",
            bool(rate == exponent) and bool(D.results["C_basri_even"].is_positive))
    D.check("basri even: lim k^2 lambda_k = 1/pi^2 (docs/basri2019.md §3)",
            bool(sympy.simplify(D.results["C_basri_even"] - 1 / sympy.pi**2) == 0) if exponent == 2 else True)
    D.check("odd coefficients vanish without bias",
            all(D.results[f"{n}_odd"] == 0 for n in ("basri", "ntk", "nngp")))
    return D


def decay_constant(name: str = "basri") -> sympy.Expr:
    """C(d) = lim k^d lambda_k (even k) for symbolic d, from the Gauss-summed Funk-Hecke series."""
    return _decay(name)[0]


@functools.lru_cache(maxsize=None)
def _decay(name):
    d = _dd
    atoms = dict(decompose(name))
    c = atoms[("t", "asin", 1)]
    num, den = series_parameters("t", "asin", 1)
    j0 = _i - 1                                         # k = 2i >= 2
    A = [_frac(a) + _frac(bk) * 2 * _i + _frac(bd) * d + j0 for a, bk, bd in num]
    B = [_frac(a) + _frac(bk) * 2 * _i + _frac(bd) * d + j0 for a, bk, bd in den]
    B.remove(1)
    r, p2, g = term("t", "asin", 1, j0, 2 * _i, d)
    T0 = r * 2**p2 * sympy.Mul(*[sympy.gamma(x)**e for e, x in g])
    lam = sympy.gammasimp(c * T0 * sympy.hyperexpand(sympy.hyper(A, B, 1)))

    def lead(expr):          # Gamma(i + c) -> i^c Gamma(i): leading order as i -> oo
        return expr.replace(lambda x: isinstance(x, sympy.gamma) and x.args[0].has(_i),
                            lambda x: _i**(x.args[0] - _i) * sympy.gamma(_i))
    ratio = sympy.powsimp(sympy.expand_power_base(lead(sympy.expand_func(lam)) * (2 * _i)**d, force=True), force=True)
    C = sympy.simplify(sympy.limit(sympy.simplify(ratio), _i, sympy.oo))
    return C, lam


def sphere_decay() -> Derivation:
    """lambda_k ~ C(d) k^{-d} (even k) for `basri`; the kappa1 part of `ntk` is O(k^{-d-2})."""
    D = Derivation("Decay lambda_k ~ C(d) k^-d on S^(d-1) (even k)", kind="exact")
    C, lam = _decay("basri")
    D.step("lambda_k of the t arcsin(t) atom (k = 2i) as a Gauss-summed 3F2(1) (SymPy hyperexpand)", lam)
    D.step("leading order Gamma(i + c) ~ i^c Gamma(i), times k^d", sympy.Eq(sympy.Symbol("C(d)"), C))
    known = 2**(_dd - 2) * sympy.gamma(_dd / 2)**2 / sympy.pi**2
    D.check("C(d) = 2^(d-2) Gamma(d/2)^2 / pi^2 (docs/basri2019.md §4)", bool(sympy.simplify(sympy.gammasimp(C / known)) == 1))
    D.check("C(2) = 1/pi^2, C(3) = 1/(2 pi)", bool(sympy.simplify(C.subs(_dd, 2) - 1 / sympy.pi**2) == 0
                                                   and sympy.simplify(C.subs(_dd, 3) - 1 / (2 * sympy.pi)) == 0))
    D.check("d=2, k=2: the Gauss-summed form equals 5/(9 pi^2) (docs/basri2019.md §7)",
            bool(sympy.simplify(sympy.gammasimp(lam.subs({_dd: 2, _i: 1})) - 5 / (9 * sympy.pi**2)) == 0))
    D.check("d=3, k=6: the Gauss-summed form equals 43/65536 (docs/basri2019.md §7)",
            bool(sympy.simplify(sympy.gammasimp(lam.subs({_dd: 3, _i: 3})) - sympy.Rational(43, 65536)) == 0))
    D.check("C(d) finite and positive for d = 2..12: k^d is the decay rate (not a faster or slower power)",
            all(bool(sympy.N(C.subs(_dd, dv)) > 0) and bool(sympy.N(C.subs(_dd, dv)).is_finite) for dv in range(2, 13)))
    D.results["C(d)"] = C
    D.results["decay_exponent"] = _dd
    D.results["lambda_k(t arcsin t atom)"] = lam
    return D


def mercer() -> Derivation:
    """Mercer expansion on S^{d-1}: K(t) = sum_k N(d,k) lambda_k P_k(d;t); trace sum = K(1)."""
    D = Derivation("Mercer expansion K(t) = sum_k N(d,k) lambda_k P_k(d;t)")
    n = sympy.Symbol("n", integer=True, nonnegative=True)
    for dv in (2, 3):
        poly = t**4 + t**3
        S = sum(multiplicity(dv, k) * eigenvalue(poly, dv, k) * legendre_P(dv, k) for k in range(5))
        D.check(f"d={dv}: the expansion reproduces t^4 + t^3 exactly", bool(sympy.expand(S - poly) == 0))
    D.step("Truncation bound: |K(t) - S_K(t)| <= K(1) - S_K(1) since N lambda_k >= 0 and |P_k| <= 1",
           sympy.Symbol(r"{|K(t)-S_K(t)|}") <= sympy.Symbol(r"{K(1)-S_K(1)}"))
    del n
    return D
