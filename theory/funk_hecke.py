"""Funk-Hecke eigenvalues lambda_k(d) of zonal kernels on S^{d-1}, uniform probability measure.

Convention (basri sheet §2): ``K(t) = sum_k N(d, k) lambda_k P_k(d; t)`` with ``P_k(d; 1) = 1`` and

    lambda_k = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) * int_{-1}^{1} K(t) P_k(d; t) (1-t^2)^((d-3)/2) dt.

Method (one code path, three number systems).  Each named kernel is split by SymPy into *atoms*
``s^p``, ``s^p arcsin(s)`` and ``B(s) - 1 = sqrt(1-s^2) + s arcsin(s) - 1`` with ``s = t`` or
``s = u = (1+t)/2`` (the bias gate) and **positive** coefficients (the split is verified
symbolically).  Every atom has nonnegative Taylor coefficients ``c_j`` at powers ``n_j``, and every
monomial has a nonnegative closed-form Funk-Hecke coefficient (Rodrigues' formula + Beta integral):

    mu_d(n, k) = n! Gamma(d/2) / (2^n ((n-k)/2)! Gamma((n+k+d)/2))            (s = t, n-k even >= 0)
    nu_d(n, k) = 2^(d-2) Gamma(d/2) n! Gamma(n+(d-1)/2) / (sqrt(pi) (n-k)! Gamma(n+k+d-1))   (s = u)

so ``lambda_k = sum_j c_j mu_d(n_j, k)`` is a series of positive terms whose term ratio SymPy
derives (:func:`series_parameters`) as a rational function of ``j`` -- a generalised hypergeometric
series at argument 1.  Contiguous parameters are split exactly (``(b+1)_m/(b)_m = 1 + m/b``, again
positive), and a remaining ``2F1(a, b; c; 1)`` is summed by Gauss' theorem
``Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b))``.  Result: lambda_k is a short sum of positive
products of Gamma functions -- no cancellation at any ``k`` or ``d`` -- evaluated with exact SymPy
Gammas (rationals and pi), mpmath Gammas (``dps`` + 10 guard digits) or float64 ``lgamma``.
For the bias kernels ``ntk-bias``, ``nngp-bias`` the series (in ``u``) does not reduce to Gauss
sums (SymPy finds a non-contiguous 3F2/5F4 at 1); mpmath and float modes then integrate with
``mpmath.quad`` in ``theta`` (the integrand is analytic in ``theta``), twice at precisions 10 digits
apart to state the trustworthy digits; exact mode integrates with SymPy for odd ``d`` and
``k <= EXACT_INTEGRAL_KMAX`` (seconds per k) and otherwise raises ValueError saying so.

Kernels given as arbitrary SymPy expressions: polynomials are exact; anything else is integrated by
``mpmath.quad`` (mpmath/float modes only, digits estimated by repeating at higher precision).

References
----------
.. [B19] Basri et al., NeurIPS 2019, arXiv:1906.00425.  .. [BM19] Bietti & Mairal, arXiv:1905.12173.
.. [AH12] K. Atkinson, W. Han, *Spherical Harmonics and Approximations on the Unit Sphere*, ch. 2
   (Funk-Hecke formula, Rodrigues formula for P_k(d; t)).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable

import mpmath
import sympy

from theory.arccos import MODES
from theory.kernels import KERNELS, t

__all__ = ["multiplicity", "legendre_P", "eigenvalue", "eigenvalues", "Eigen", "decompose",
           "series_parameters", "EXACT_DIGITS"]

EXACT_DIGITS = None
"""``Eigen.trusted_digits`` in exact mode: ``None`` means *exact* (every digit is right)."""

_u = sympy.Symbol("u", real=True)
_j, _k, _d = sympy.symbols("j k d", positive=True)


# --------------------------------------------------------------------------- argument checks
def _check_int(name: str, value: Any, lo: int, hi: str = "infinity") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, sympy.Integer)) and not (
            hasattr(value, "__index__") and not isinstance(value, float)):
        raise TypeError(f"`{name}` must be an integer in [{lo}, {hi}]; got {value!r}")
    value = int(value)
    if value < lo:
        raise ValueError(f"`{name}` must be an integer in [{lo}, {hi}]; got {value!r}")
    return value


def _check_mode(mode: Any) -> str:
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {list(MODES)}; got {mode!r}")
    return mode


# --------------------------------------------------------------------------- N(d,k) and P_k(d;t)
def multiplicity(d: int, k: int) -> int:
    """Dimension N(d, k) of the degree-k spherical harmonics on S^{d-1} (exact integer).

    ``N(d,0) = 1``, ``N(d,k) = (2k+d-2)(k+d-3)! / (k! (d-2)!)``; ``N(2,k) = 2``, ``N(3,k) = 2k+1``.
    """
    d, k = _check_int("d", d, 2), _check_int("k", k, 0)
    if k == 0:
        return 1
    if d == 2:
        return 2
    num = (2 * k + d - 2) * math.comb(k + d - 3, k)
    q, r = divmod(num, d - 2)
    assert r == 0
    return q


def legendre_P(d: int, k: int, t=t) -> sympy.Expr:
    """Legendre polynomial P_k(d; t) of dimension d, normalised ``P_k(d; 1) = 1``.

    Gegenbauer ``C_k^{(d-2)/2}(t) / C_k^{(d-2)/2}(1)`` for ``d >= 3``, Chebyshev ``T_k(t)`` for
    ``d = 2``.
    """
    d, k = _check_int("d", d, 2), _check_int("k", k, 0)
    if d == 2:
        return sympy.expand(sympy.chebyshevt(k, t))
    a = sympy.Rational(d - 2, 2)
    return sympy.expand(sympy.gegenbauer(k, a, t) / sympy.gegenbauer(k, a, 1))


# --------------------------------------------------------------------------- atoms of a kernel
# An atom is (var, family, p): var "t" or "u"; family "poly" (s^p), "asin" (s^p arcsin s),
# "B1" (sqrt(1-s^2) + s arcsin s - 1, p = 0).  Taylor data: n_j = 2j + e, c_j as (rational, gammas).
_FAMILY_E = {"asin": 1, "B1": 2}


def _atom_expr(var, family, p):
    s = t if var == "t" else (1 + t) / 2
    if family == "poly":
        return s**p
    if family == "asin":
        return s**p * sympy.asin(s)
    return sympy.sqrt(1 - s**2) + s * sympy.asin(s) - 1


@functools.lru_cache(maxsize=None)
def _decompose_cached(expr: sympy.Expr) -> tuple | None:
    e = expr.rewrite(sympy.asin)                       # acos x = pi/2 - asin x
    e = sympy.expand(e)
    for var in ("t", "u"):
        s_expr = t if var == "t" else _u
        ee = sympy.expand(e.subs(t, 2 * _u - 1)) if var == "u" else e
        ee = sympy.expand(ee.replace(lambda x: isinstance(x, sympy.Pow) and x.exp == sympy.S.Half,
                                     lambda x: sympy.sqrt(sympy.expand(x.base))))
        sq, asn = sympy.sqrt(1 - s_expr**2), sympy.asin(s_expr)
        rest = ee
        P1 = sympy.expand(rest.coeff(asn)) if rest.has(asn) else sympy.S.Zero
        rest = sympy.expand(rest - P1 * asn)
        P2 = sympy.expand(rest.coeff(sq)) if rest.has(sq) else sympy.S.Zero
        rest = sympy.expand(rest - P2 * sq)
        if rest.has(sympy.asin) or rest.has(sympy.acos) or P2.has(s_expr) or P1.has(sympy.asin):
            continue
        if not (rest.is_polynomial(s_expr) and P1.is_polynomial(s_expr)):
            continue
        if P2.has(t) or (var == "u" and (P1.has(t) or rest.has(t))):
            continue
        # c sqrt(1-s^2) = c (B1 + 1) - c s asin(s)
        P1 = sympy.expand(P1 - P2 * s_expr)
        rest = sympy.expand(rest + P2)
        atoms = []
        if P2 != 0:
            atoms.append(((var, "B1", 0), P2))
        for (pw,), c in sympy.Poly(P1, s_expr).terms() if P1 != 0 else []:
            atoms.append(((var, "asin", int(pw)), c))
        for (pw,), c in sympy.Poly(rest, s_expr).terms() if rest != 0 else []:
            atoms.append(((var, "poly", int(pw)), c))
        if var == "u" and not any(a[0][1] != "poly" for a in atoms):
            continue                                   # a polynomial: expand in t instead
        rebuilt = sum(c * _atom_expr(*a) for a, c in atoms)
        if sympy.simplify(sympy.expand((rebuilt - expr).rewrite(sympy.asin))) != 0:
            continue
        return tuple(sorted(atoms, key=lambda a: (a[0][1], a[0][2])))
    return None


def decompose(kernel: Any) -> tuple | None:
    """Split a kernel into atoms ``((var, family, p), coefficient)``; None if it does not split.

    The split is checked: SymPy rebuilds the kernel from the atoms and simplifies the difference
    to zero.  For the six named kernels every coefficient is positive (so is every eigenvalue of
    every atom), which is what makes the eigenvalue sums cancellation-free.
    """
    return _decompose_cached(_kernel_expr(kernel))


def _kernel_expr(kernel: Any) -> sympy.Expr:
    if isinstance(kernel, str):
        if kernel not in KERNELS:
            raise ValueError(f"unknown `kernel` {kernel!r}; allowed: {', '.join(KERNELS)} "
                             f"or a SymPy expression in theory.kernels.t")
        return KERNELS[kernel]
    if isinstance(kernel, sympy.Expr):
        if kernel.free_symbols - {t}:
            raise ValueError(f"`kernel` expression may only contain the symbol t; got "
                             f"free symbols {sorted(map(str, kernel.free_symbols))}")
        return kernel
    raise TypeError(f"`kernel` must be a kernel name ({', '.join(KERNELS)}) or a SymPy expression "
                    f"in theory.kernels.t; got {kernel!r}")


# --------------------------------------------------------------------------- series terms
# A product is (r: Fraction, p2: exponent of 2 (Fraction), gammas: tuple of (e, x)) meaning
# r * 2**p2 * prod Gamma(x)**e.  _term builds it for integers or SymPy symbols alike.
def _coef(family, j):
    """Taylor coefficient c_j of the family at power n_j = 2j + e (+ p): (rational, gammas)."""
    # (1/2)_j / j! = Gamma(j+1/2) / (Gamma(1/2) Gamma(j+1))
    one, h = _unit(j)
    g = ((1, j + h), (-1, h), (-1, j + 1))
    if family == "asin":
        return one / (2 * j + 1), g
    return one / ((2 * j + 1) * (2 * j + 2)), g


def _unit(*xs):
    """(1, 1/2) as Fractions for integer arguments, as SymPy numbers for symbols."""
    if all(isinstance(x, int) for x in xs):
        return Fraction(1), Fraction(1, 2)
    return sympy.S.One, sympy.S.Half


def _proj(var, n, k, d):
    """Funk-Hecke coefficient of s^n: mu_d(n, k) (s = t) or nu_d(n, k) (s = u)."""
    _, h = _unit(n, k, d)
    if var == "t":
        return 1, -n, ((1, n + 1), (1, d * h), (-1, (n - k) * h + 1), (-1, (n + k + d) * h))
    return 1, d - 2, ((-1, h), (1, d * h), (1, n + 1), (1, n + (d - 1) * h), (-1, n - k + 1),
                      (-1, n + k + d - 1))


def _term(var, family, p, j, k, d):
    r0, g0 = _coef(family, j)
    n = 2 * j + _FAMILY_E[family] + p
    r1, p2, g1 = _proj(var, n, k, d)
    return r0 * r1, p2, g0 + g1


@functools.lru_cache(maxsize=None)
def series_parameters(var: str, family: str, p: int):
    """SymPy-derived hypergeometric parameters of the atom series in its summation index.

    Returns ``(num, den)``: lists of ``(alpha, beta_k, beta_d)`` (Fractions) such that the term
    ratio is ``T(j+1)/T(j) = prod_num (j + a) / prod_den (j + b)`` with ``a = alpha + beta_k k +
    beta_d d``; the overall constant is checked to be 1 (argument z = 1).
    """
    r, p2, g = _term(var, family, p, _j, _k, _d)
    expr = sympy.Rational(1) * r * 2**p2 * sympy.Mul(*[sympy.gamma(x)**e for e, x in g])
    ratio = sympy.factor(sympy.gammasimp(sympy.expand_func(expr.subs(_j, _j + 1) / expr)))
    num, den = sympy.fraction(ratio)
    out, const = [], sympy.S.One
    for poly, sign in ((num, 1), (den, -1)):
        c, facs = sympy.factor_list(poly, _j)
        const *= c**sign
        lst = []
        for f, mult in facs:
            P = sympy.Poly(f, _j)
            if P.degree() != 1:
                raise RuntimeError(f"non-linear factor {f} in the term ratio of {var, family, p}")
            c1, c0 = P.all_coeffs()
            const *= c1**(sign * mult)
            a = sympy.expand(c0 / c1)
            Q = sympy.Poly(a, _k, _d)
            triple = (Fraction(str(Q.coeff_monomial(1))), Fraction(str(Q.coeff_monomial(_k))),
                      Fraction(str(Q.coeff_monomial(_d))))
            lst += [triple] * mult
        out.append(lst)
    if sympy.simplify(const - 1) != 0:
        raise RuntimeError(f"term ratio of {var, family, p} is not at argument 1: {const}")
    return out[0], out[1]


def _start(var, family, p, k):
    """First summation index j0 with n_j >= k (and parity of n_j = k for s = t); None if none."""
    e = _FAMILY_E[family] + p
    if var == "t" and (e - k) % 2:
        return None
    return max(0, -((e - k) // 2))


# --------------------------------------------------------------------------- pFq(1) reduction
def _poch(x: Fraction, n: int) -> Fraction:
    out = Fraction(1)
    for i in range(n):
        out *= x + i
    return out


def _gauss_split(A, B):
    """Write S(A,B) = sum_m prod(A)_m / prod(B)_m as ``(items, const)``: sum coef*S(A',B') + const.

    Exact Fraction arithmetic on the parameters.  Rules: cancel equal parameters; a contiguous
    pair a = b + 1 gives (b+1)_m/(b)_m = 1 + m/b (two series of positive terms); with no 1 among
    the lower parameters but an integer b >= 2, shift the index by b - 1 (the first b - 1 terms
    of the shifted series are subtracted: exact rationals).
    """
    A, B = list(A), list(B)
    for a in list(A):                                   # cancel equal parameters
        if a in B:
            A.remove(a)
            B.remove(a)
    one = Fraction(1)
    for i, a in enumerate(A):                            # (b+1)_m/(b)_m = 1 + m/b
        b = a - 1
        if b > 0 and b in B:
            B2 = list(B)
            B2.remove(b)
            if one not in B2:
                continue
            A2 = A[:i] + A[i + 1:]
            B3 = list(B2)
            B3.remove(one)
            c = one / b
            for x in A2:
                c *= x
            for x in B3:
                c /= x
            it1, c1 = _gauss_split(A2, B2)
            it2, c2 = _gauss_split([x + 1 for x in A2], [x + 1 for x in B3] + [one])
            return it1 + [(c * cc, AA, BB) for cc, AA, BB in it2], c1 + c * c2
    if one not in B:
        ints = sorted(b for b in B if b.denominator == 1 and b >= 2)
        if ints:
            b = ints[0]
            s = int(b) - 1
            B2 = list(B)
            B2.remove(b)
            As, Bs = [a - s for a in A], [x - s for x in B2]
            fac = _poch(one, s)
            for x in Bs:
                fac *= _poch(x, s)
            for x in As:
                fac /= _poch(x, s)
            head = Fraction(0)
            for M in range(s):
                term = one / _poch(one, M)
                for x in As:
                    term *= _poch(x, M)
                for x in Bs:
                    term /= _poch(x, M)
                head += term
            items, const = _gauss_split(As, Bs + [one])
            return [(fac * c, AA, BB) for c, AA, BB in items], fac * (const - head)
    return [(one, tuple(A), tuple(B))], Fraction(0)


class _NotGauss(Exception):
    """The atom series does not reduce to Gauss sums (bias kernels in u = (1+t)/2)."""


# --------------------------------------------------------------------------- number systems
class _Arith:
    """Number primitives of one mode: products of Gammas, and a pFq(1) for what Gauss can't sum."""

    def __init__(self, mode, dps):
        self.mode, self.dps = mode, dps
        self.err = 0.0          # float mode: accumulated |log| magnitudes (error model)
        self.cancel = 1.0       # max (sum |terms|) / |sum| of an atom (1 = no cancellation)
        self.hyper_digits = None    # digits of a numerical (quadrature) fallback, if used

    def prod(self, r, p2, gammas):
        r = Fraction(r)
        if self.mode == "exact":
            out = sympy.Rational(r.numerator, r.denominator) * sympy.Integer(2)**sympy.Rational(
                p2.numerator, p2.denominator)
            for e, x in gammas:
                out *= sympy.gamma(sympy.Rational(x.numerator, x.denominator))**e
            return out
        if self.mode == "mpmath":
            out = mpmath.mpf(r.numerator) / r.denominator * mpmath.ldexp(1, 0) * mpmath.power(
                2, mpmath.mpf(p2.numerator) / p2.denominator)
            for e, x in gammas:
                out *= mpmath.gamma(mpmath.mpf(x.numerator) / x.denominator)**e
            return out
        if r == 0:
            return 0.0
        sign = 1.0 if r > 0 else -1.0
        lg = math.log(abs(r)) + float(p2) * math.log(2)
        mag = abs(lg)
        for e, x in gammas:
            v = math.lgamma(float(x))
            lg += e * v
            mag += abs(v)
        self.err += mag * 2.3e-16 + 4e-16
        return sign * math.exp(lg)

    def zero(self):
        return sympy.S.Zero if self.mode == "exact" else (mpmath.mpf(0) if self.mode == "mpmath" else 0.0)

    def coef(self, c):
        """A kernel coefficient (SymPy number, may contain pi) in this mode."""
        if self.mode == "exact":
            return c
        return _coef_num(c, self.mode, mpmath.mp.dps)



@functools.lru_cache(maxsize=256)
def _coef_num(c, mode, dps):
    if mode == "mpmath":
        return mpmath.mpf(sympy.N(c, dps + 5))
    return float(c)


def _atom_eigen(ar: _Arith, atom, k, d):
    var, family, p = atom
    if family == "poly":
        n = p
        if n < k or (var == "t" and (n - k) % 2):
            return ar.zero()
        r, p2, g = _proj(var, n, k, d)
        return ar.prod(Fraction(r), Fraction(p2), [(e, Fraction(x)) for e, x in g])
    j0 = _start(var, family, p, k)
    if j0 is None:
        return ar.zero()
    r, p2, g = _term(var, family, p, j0, k, d)
    p2, g = Fraction(p2), [(e, Fraction(x)) for e, x in g]
    num, den = series_parameters(var, family, p)
    A = [al + bk * k + bd * d + j0 for al, bk, bd in num]
    B = [al + bk * k + bd * d + j0 for al, bk, bd in den]
    items, const = _gauss_split(A, B)
    total = ar.prod(r * const, p2, g) if const else ar.zero()
    for c, A2, B2 in items:
        A2, B2 = list(A2), list(B2)
        if len(A2) == 2 and len(B2) == 2 and Fraction(1) in B2:
            B2.remove(Fraction(1))
            (a1, a2), (c1,) = A2, B2
            if c1 - a1 - a2 <= 0:
                raise ArithmeticError(f"divergent Gauss sum for atom {atom}, d={d}, k={k}")
            total += ar.prod(r * c, p2, g + [(1, c1), (1, c1 - a1 - a2), (-1, c1 - a1), (-1, c1 - a2)])
        elif not A2 and B2 == [Fraction(1)]:
            total += ar.prod(r * c, p2, g)
        else:
            raise _NotGauss(f"atom {atom}: pFq([{', '.join(map(str, A2))}]; [{', '.join(map(str, B2))}]; 1) "
                            f"is not a Gauss sum")
    return total


EXACT_INTEGRAL_KMAX = 12
"""Largest k for which exact mode integrates a non-Gauss kernel (bias kernels, odd d) with SymPy."""


def _sympy_integral(expr, d, k):
    """Exact Funk-Hecke integral by SymPy (odd d: the weight (1-t^2)^((d-3)/2) is a polynomial).

    Used for ``ntk-bias``/``nngp-bias`` in exact mode; seconds per k (about 6 s at k = 4, d = 3).
    """
    c = sympy.gamma(sympy.Rational(d, 2)) / (sympy.sqrt(sympy.pi) * sympy.gamma(sympy.Rational(d - 1, 2)))
    integrand = sympy.expand(expr * legendre_P(d, k) * (1 - t**2)**((d - 3) // 2))
    return sympy.factor(sympy.simplify(c * sympy.integrate(integrand, (t, -1, 1))))


def _quad_eigen(ar: _Arith, expr, k, d):
    """Fallback for kernels that do not split into atoms: mpmath.quad in theta (digits estimated)."""
    if ar.mode == "exact":
        raise ValueError("mode='exact' needs a named kernel, a polynomial, or a kernel built from "
                         "t, arcsin/arccos(t or (1+t)/2), sqrt(1-t^2); use mode='mpmath'")
    f = sympy.lambdify(t, expr, modules="mpmath")
    base = ar.dps if ar.mode == "mpmath" else 17
    a = mpmath.mpf(d - 2) / 2
    vals = []
    for extra in (5, 15):
        with mpmath.workdps(base + extra):
            if d == 2:
                def g(th):
                    return f(mpmath.cos(th)) * mpmath.cos(k * th) / mpmath.pi
            else:
                c = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
                norm = mpmath.gegenbauer(k, a, 1)

                def g(th):
                    x = mpmath.cos(th)
                    return c * f(x) * mpmath.gegenbauer(k, a, x) / norm * mpmath.sin(th)**(d - 2)
            pts = mpmath.linspace(0, mpmath.pi, max(2, min(k + 2, 200)))
            vals.append(mpmath.quad(g, pts))
    diff = abs(vals[1] - vals[0])
    scale = max(abs(vals[1]), mpmath.mpf(10)**(-base))
    dig = int(min(base + 5, -mpmath.log10(diff / scale) if diff else base + 5))
    ar.hyper_digits = dig if ar.hyper_digits is None else min(ar.hyper_digits, dig)
    return vals[1] if ar.mode == "mpmath" else float(vals[1])


# --------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class Eigen:
    """One Funk-Hecke eigenvalue.

    Attributes
    ----------
    k, multiplicity : int
        Degree and N(d, k).
    value : sympy.Expr or mpmath.mpf or float
        lambda_k in the number system of ``mode``.
    mode : str
        "exact", "mpmath" or "float".
    digits_str : str
        Decimal string with every computed digit (mpmath: ``dps`` significant digits; float: 17;
        exact: 30-digit decimal of the exact value).
    trusted_digits : int or None
        Significant digits that are right.  None = exact (``EXACT_DIGITS``).  mpmath: ``dps``
        when the eigenvalue is a sum of positive Gamma products computed with 10 guard digits
        (minus the digits lost where a finite head is subtracted, k < 3 only), else (quadrature
        fallback) the agreement of two evaluations 10 digits apart.  float: from an error model of
        the log-Gamma evaluation, ``-log10(eps * sum |log Gamma| * cancellation)``: 13-15 digits
        for k <= 100, about 10 digits at k = 10^4 (use mpmath mode for more).
    """

    k: int
    value: Any
    multiplicity: int
    mode: str
    digits_str: str
    trusted_digits: int | None


def _one(expr, atoms, d, k, mode, dps) -> Eigen:
    ar = _Arith(mode, dps)
    if atoms is None:                       # not a sum of atoms (polynomials always are)
        val = _quad_eigen(ar, expr, k, d)
    else:
        try:
            val = ar.zero()
            for atom, c in atoms:
                val += ar.coef(c) * _atom_eigen(ar, atom, k, d)
        except _NotGauss as exc:
            if mode == "exact" and d % 2 == 1 and k <= EXACT_INTEGRAL_KMAX:
                val = _sympy_integral(expr, d, k)
                return Eigen(k, val, multiplicity(d, k), mode, str(sympy.N(val, 30)), EXACT_DIGITS)
            if mode == "exact":
                raise ValueError(f"mode='exact' is not available for this kernel in d={d}, k={k}: "
                                 f"its Funk-Hecke series does not reduce to Gauss sums ({exc}) and direct "
                                 f"SymPy integration is offered only for odd d and k <= "
                                 f"{EXACT_INTEGRAL_KMAX}; use mode='mpmath' (quadrature, digits stated)") from None
            ar = _Arith(mode, dps)
            val = _quad_eigen(ar, expr, k, d)
    if mode == "exact":
        val = val if val.is_Rational else sympy.factor(sympy.simplify(val))
        digits = sympy.N(val, 30)
        return Eigen(k, val, multiplicity(d, k), mode, str(digits), EXACT_DIGITS)
    lost = math.log10(ar.cancel)                            # digits lost to the head subtraction
    if mode == "mpmath":
        trusted = dps if ar.hyper_digits is None else min(dps, ar.hyper_digits)
        trusted = min(trusted, int(dps + 10 - lost))
        return Eigen(k, +val, multiplicity(d, k), mode,
                     mpmath.nstr(val, dps, strip_zeros=False, min_fixed=-6, max_fixed=dps)
                     if val else "0", trusted)
    trusted = int(max(0, min(15, -math.log10(ar.err * ar.cancel)))) if ar.err else 15
    if ar.hyper_digits is not None:
        trusted = min(trusted, ar.hyper_digits, 15)
    return Eigen(k, float(val), multiplicity(d, k), mode, repr(float(val)), trusted)


def eigenvalues(kernel: Any, d: int, ks: Iterable[int], mode: str = "exact", dps: int = 30) -> list[Eigen]:
    """lambda_k for every k in ``ks`` (see :class:`Eigen`); cost O(1) Gamma products per k.

    Parameters
    ----------
    kernel : str or sympy.Expr
        A name from :data:`theory.kernels.KERNELS` or an expression in :data:`theory.kernels.t`.
    d : int, >= 2
        Ambient dimension (data on S^{d-1} in R^d).
    ks : iterable of int >= 0
    mode : {"exact", "mpmath", "float"}
    dps : int >= 5
        mpmath decimal digits (mode "mpmath").
    """
    d = _check_int("d", d, 2)
    mode = _check_mode(mode)
    dps = _check_int("dps", dps, 5)
    if isinstance(ks, (int, bool)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"`ks` must be an iterable of integers >= 0; got {ks!r}")
    ks = [_check_int("k", k, 0) for k in ks]
    expr = _kernel_expr(kernel)
    atoms = _decompose_cached(expr)
    out = []
    with mpmath.workdps(dps + 10):
        for k in ks:
            out.append(_one(expr, atoms, d, k, mode, dps))
    return out


def eigenvalue(kernel: Any, d: int, k: int, mode: str = "exact", dps: int = 30):
    """lambda_k(d) of a zonal kernel on S^{d-1}, uniform probability measure.

    Returns a SymPy number (exact: rationals and pi), an mpmath.mpf (``dps`` digits) or a float.

    Examples
    --------
    >>> eigenvalue("basri", 2, 2)
    5/(9*pi**2)
    >>> eigenvalue("ntk", 3, 6)
    23/32768
    """
    k = _check_int("k", k, 0)
    return eigenvalues(kernel, d, [k], mode=mode, dps=dps)[0].value
