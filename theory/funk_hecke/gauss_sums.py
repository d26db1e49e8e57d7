"""Funk-Hecke series of one kernel atom, summed exactly as positive Gauss sums (docs/basri2019.md §2).

Every atom (see :mod:`theory.funk_hecke.atoms`) has nonnegative Taylor coefficients ``c_j`` at powers
``n_j``, and every monomial has a nonnegative closed-form Funk-Hecke coefficient (Rodrigues' formula
+ Beta integral):

    mu_d(n, k) = n! Gamma(d/2) / (2^n ((n-k)/2)! Gamma((n+k+d)/2))            (s = t, n-k even >= 0)
    nu_d(n, k) = 2^(d-2) Gamma(d/2) n! Gamma(n+(d-1)/2) / (sqrt(pi) (n-k)! Gamma(n+k+d-1))   (s = u)

so ``lambda_k = sum_j c_j mu_d(n_j, k)`` is a series of positive terms whose term ratio SymPy
derives (:func:`series_parameters`) as a rational function of ``j`` -- a generalised hypergeometric
series at argument 1.  Contiguous parameters are split exactly (``(b+1)_m/(b)_m = 1 + m/b``, again
positive), and a remaining ``2F1(a, b; c; 1)`` is summed by Gauss' theorem
``Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b))``.  :func:`atom_eigenvalue` evaluates the resulting
short sum of positive Gamma products with the number primitives of :mod:`theory.funk_hecke.arith`.

References
----------
.. [AH12] K. Atkinson, W. Han, *Spherical Harmonics and Approximations on the Unit Sphere*, ch. 2.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import sympy

from theory.funk_hecke.arith import Arith

__all__ = ["series_parameters", "projection", "term", "start", "atom_eigenvalue", "monomial_eigenvalue",
           "NotGauss"]

_j, _k, _d = sympy.symbols("j k d", positive=True)

# An atom is (var, family, p): var "t" or "u"; family "poly" (s^p), "asin" (s^p arcsin s),
# "B1" (sqrt(1-s^2) + s arcsin s - 1, p = 0).  Taylor data: n_j = 2j + e, c_j as (rational, gammas).
_FAMILY_E = {"asin": 1, "B1": 2}


# A product is (r: Fraction, p2: exponent of 2 (Fraction), gammas: tuple of (e, x)) meaning
# r * 2**p2 * prod Gamma(x)**e.  term builds it for integers or SymPy symbols alike.
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


def projection(var, n, k, d):
    """Funk-Hecke coefficient of s^n: mu_d(n, k) (s = t) or nu_d(n, k) (s = u)."""
    _, h = _unit(n, k, d)
    if var == "t":
        return 1, -n, ((1, n + 1), (1, d * h), (-1, (n - k) * h + 1), (-1, (n + k + d) * h))
    return 1, d - 2, ((-1, h), (1, d * h), (1, n + 1), (1, n + (d - 1) * h), (-1, n - k + 1),
                      (-1, n + k + d - 1))


def monomial_eigenvalue(n, k, d, var="t", arith=None, shift=0):
    """Funk-Hecke eigenvalue of the monomial ``s^n``: ``mu_d(n, k)`` (``s = t``) or ``nu_d(n, k)``
    (``s = u = (1+t)/2``), the formulas in the module docstring; 0 where it vanishes
    (``n < k``, or ``n - k`` odd for ``s = t``).

    ``arith`` (:class:`theory.funk_hecke.arith.Arith`) chooses the number system; default exact
    SymPy.  ``shift`` adds to the argument of the last Gamma function: a deliberately wrong formula,
    for negative controls only.
    """
    if arith is None:
        arith = Arith("exact", 30)
    if n < k or (var == "t" and (n - k) % 2):
        return arith.zero()
    r, p2, g = projection(var, n, k, d)
    g = [(e, Fraction(x)) for e, x in g]
    if shift:
        e, x = g[-1]
        g[-1] = (e, x + Fraction(shift))
    return arith.prod(Fraction(r), Fraction(p2), g)


def term(var, family, p, j, k, d):
    r0, g0 = _coef(family, j)
    n = 2 * j + _FAMILY_E[family] + p
    r1, p2, g1 = projection(var, n, k, d)
    return r0 * r1, p2, g0 + g1


@functools.lru_cache(maxsize=None)
def series_parameters(var: str, family: str, p: int):
    """SymPy-derived hypergeometric parameters of the atom series in its summation index.

    Returns ``(num, den)``: lists of ``(alpha, beta_k, beta_d)`` (Fractions) such that the term
    ratio is ``T(j+1)/T(j) = prod_num (j + a) / prod_den (j + b)`` with ``a = alpha + beta_k k +
    beta_d d``; the overall constant is checked to be 1 (argument z = 1).
    """
    r, p2, g = term(var, family, p, _j, _k, _d)
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


def start(var, family, p, k):
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


class NotGauss(Exception):
    """The atom series does not reduce to Gauss sums (bias kernels in u = (1+t)/2)."""



def atom_eigenvalue(ar, atom, k, d):
    var, family, p = atom
    if family == "poly":
        return monomial_eigenvalue(p, k, d, var, ar)
    j0 = start(var, family, p, k)
    if j0 is None:
        return ar.zero()
    r, p2, g = term(var, family, p, j0, k, d)
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
            raise NotGauss(f"atom {atom}: pFq([{', '.join(map(str, A2))}]; [{', '.join(map(str, B2))}]; 1) "
                            f"is not a Gauss sum")
    return total

