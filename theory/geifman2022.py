"""Convolutional GP/NTK kernels on the multisphere MS(zeta, d), exactly (SymPy).

Geifman, Galun, Jacobs, Basri, "On the spectral bias of convolutional neural tangent and Gaussian
process kernels", NeurIPS 2022 (arXiv:2203.09255).  Notes: ``docs/geifman2022.md``.  The
paper's theorem text was not available; what is reconstructed here is marked "derived here".

- :func:`window`, :func:`path_counts`: filter offsets and the numbers ``N_j`` of paths from the Eq
  output to the pixel at offset ``j`` (coefficients of ``(sum_w z^w)^(L-1)``, docs/geifman2022.md §3.5).
- :func:`eq_kernel`: the CGPK/CNTK recursion of docs/geifman2022.md §2.2 restricted to the diagonal (Eq head),
  a SymPy expression in the per-pixel cosines, built from :func:`theory.arccos.kappa0`/``kappa1``.
- :func:`mu_funk_hecke` (``int t^n P_k`` against the sphere weight, integrated by SymPy) and
  :func:`mu_closed` (its Gamma closed form); :func:`eigenvalue_from_series` (docs/geifman2022.md §3.2).
- :func:`kappa_taylor`, :func:`polynomial_eq_kernel`: the recursion with ``kappa`` replaced by
  exact Taylor polynomials, whose multi-index coefficients ``b_n`` feed the series formula.
- :func:`singular_funk_hecke`, :func:`decay_law`: Funk-Hecke coefficients of ``(1-t)^s`` on
  ``S^(zeta-1)`` in closed form (Rodrigues + ``k`` integrations by parts + a Beta integral) and their
  decay exponent (Raabe's limit), docs/geifman2022.md §3.4.
- ``derive_*``: the derivations attached to the ``geifman2022.*`` claims.
"""
from __future__ import annotations

import functools

import mpmath
import sympy

from theory.arccos import kappa0, kappa1
from theory.derivation import Derivation
from theory.funk_hecke.gauss_sums import monomial_eigenvalue
from theory.spherical import legendre_P, multiplicity
from theory.validate import check_int

__all__ = ["window", "path_counts", "receptive_field", "eq_kernel", "tr_kernel", "closed_form_L2",
           "mu_funk_hecke", "mu_closed", "mu_wrong",
           "eigenvalue_from_series", "kappa_taylor", "polynomial_eq_kernel", "singularity_exponent",
           "singular_funk_hecke", "decay_law", "decay_exponent", "support_receptive_field", "derive_product_eigenfunctions", "derive_eigen_series",
           "derive_decay_single_pixel", "derive_decay_support", "derive_locality",
           "derive_empirical_limit"]

_theta = sympy.Symbol("theta", real=True)
_tt = sympy.Symbol("t", real=True)
_z = sympy.Symbol("z")


def window(q: int) -> list[int]:
    """Filter offsets ``-(q-1)/2 .. (q-1)/2`` (odd ``q``) or ``0 .. q-1`` (even ``q``), docs/geifman2022.md §1.1."""
    check_int("q", q, 1)
    return list(range(-(q - 1) // 2, (q - 1) // 2 + 1)) if q % 2 else list(range(q))


def path_counts(q: int, L: int) -> dict[int, int]:
    """``N_j = [z^j] (sum_{w in window(q)} z^w)^(L-1)``: paths from the Eq output to pixel offset ``j``.

    Exact integers from SymPy's polynomial expansion (shifted to non-negative powers).
    """
    check_int("L", L, 2)
    offs = window(q)
    lo = min(offs)
    poly = sympy.Poly(sum(_z ** (w - lo) for w in offs) ** (L - 1), _z)
    return {int(m[0]) + lo * (L - 1): int(c) for m, c in zip(poly.monoms(), poly.coeffs())}


def receptive_field(q: int, L: int) -> list[int]:
    """Offsets (relative to the Eq pixel) reached by at least one path, ascending; size ``(L-1)(q-1)+1``."""
    return sorted(path_counts(q, L))


def eq_kernel(q: int, L: int, kind: str = "ntk", kappas=(kappa0, kappa1)):
    """The Eq-head kernel as a SymPy expression in the cosines of its receptive field.

    Runs the recursion of docs/geifman2022.md §2.2 on the diagonal ``a = b`` only (it never leaves it), starting
    from symbols ``t_j`` for the offsets ``j`` of :func:`receptive_field`.

    Returns
    -------
    (expr, symbols) : sympy.Expr, dict of int to sympy.Symbol
    """
    if kind not in ("ntk", "gp"):
        raise ValueError(f"`kind` must be 'ntk' or 'gp'; got {kind!r}")
    k0, k1 = kappas
    offs = window(q)
    rf = receptive_field(q, L)
    syms = {j: sympy.Symbol(f"t_{j}" if j >= 0 else f"t_m{-j}", real=True) for j in rf}
    sig = dict(syms)
    th = dict(syms)
    for layer in range(2, L + 1):
        # layer-`layer` units needed: offsets reached by L - layer further window steps
        reach = [0] if layer == L else receptive_field(q, L - layer + 1)
        nsig, nth = {}, {}
        for j in reach:
            nsig[j] = sum(k1(sig[j + w]) for w in offs) / q
            if kind == "ntk":
                nth[j] = sum(k0(sig[j + w]) * th[j + w] + k1(sig[j + w]) for w in offs) / q
        sig, th = nsig, nth
    s0 = sig[0]
    expr = k1(s0) if kind == "gp" else k0(s0) * th[0] + k1(s0)
    return expr, syms


def tr_kernel(q: int, L: int, d: int, kind: str = "ntk"):
    """Tr-head kernel on ``d`` pixels: ``(1/d) sum_a K^Eq`` with offsets taken mod ``d`` (SymPy)."""
    check_int("d", d, 1)
    expr, syms = eq_kernel(q, L, kind)
    t = sympy.symbols(f"t0:{d}", real=True)
    total = sum(expr.subs({s: t[(a + j) % d] for j, s in syms.items()}, simultaneous=True) for a in range(d))
    return total / d, t


def closed_form_L2(q: int, kind: str = "ntk"):
    """docs/geifman2022.md §2.3 for ``L = 2``, assembled from kappa0/kappa1 (to be compared with :func:`eq_kernel`)."""
    offs = window(q)
    t = {w: sympy.Symbol(f"t_{w}" if w >= 0 else f"t_m{-w}", real=True) for w in offs}
    u = sum(kappa1(t[w]) for w in offs) / q
    if kind == "gp":
        return kappa1(u), t
    return kappa0(u) * sum(t[w] * kappa0(t[w]) + kappa1(t[w]) for w in offs) / q + kappa1(u), t


# ---------------------------------------------------------------------------- Funk-Hecke
@functools.lru_cache(maxsize=None)
def _moment(j: int, zeta: int):
    """``E[t^j]`` for ``t = <x, e>``, x uniform on S^(zeta-1): SymPy integral over the polar angle."""
    w = sympy.sin(_theta) ** (zeta - 2)
    num = sympy.integrate(sympy.cos(_theta) ** j * w, (_theta, 0, sympy.pi))
    den = sympy.integrate(w, (_theta, 0, sympy.pi))
    return sympy.nsimplify(sympy.simplify(num / den))


@functools.lru_cache(maxsize=None)
def mu_funk_hecke(n: int, k: int, zeta: int):
    """``mu_zeta(n, k) = E[t^n P~_k(t)]`` (Funk-Hecke eigenvalue of the kernel ``t^n``), integrated by SymPy."""
    poly = sympy.Poly(legendre_P(zeta, k), _tt)
    return sympy.nsimplify(sum(c * _moment(n + m[0], zeta) for m, c in zip(poly.monoms(), poly.coeffs())))


def mu_closed(n: int, k: int, zeta: int, shift=0):
    """``mu_zeta(n, k) = n! G(zeta/2) / (2^n ((n-k)/2)! G((n+k+zeta)/2))`` (docs/geifman2022.md §3.2), 0 unless
    ``n >= k`` and ``n - k`` even: the monomial Funk-Hecke coefficient of the spectrum engine
    (:func:`theory.funk_hecke.gauss_sums.monomial_eigenvalue`), exact.  ``shift`` adds to the last
    Gamma argument (a wrong formula, for the negative control only)."""
    return monomial_eigenvalue(n, k, zeta, "t", shift=shift)


def mu_wrong(n: int, k: int, zeta: int):
    """Negative control: ``mu_closed`` with the Gamma argument ``(n+k+zeta+1)/2``."""
    return mu_closed(n, k, zeta, shift=sympy.Rational(1, 2))


def eigenvalue_from_series(b: dict, kvec: tuple, zeta: int, mu=mu_closed):
    """``lambda_k = sum_{n >= k, n = k mod 2} b_n prod_i mu_zeta(n_i, k_i)`` (docs/geifman2022.md §3.2), exact.

    Parameters
    ----------
    b : dict of tuple to sympy number
        Multi-index coefficients of ``K(t) = sum b_n t^n`` (a polynomial: finitely many).
    kvec : tuple of int
        Degrees ``k_i`` per pixel, same length as the keys of ``b``.
    """
    total = sympy.Integer(0)
    for n, c in b.items():
        term = c
        for ni, ki in zip(n, kvec):
            if ni < ki or (ni - ki) % 2:
                term = 0
                break
            term = term * mu(ni, ki, zeta)
        total += term
    return total


@functools.lru_cache(maxsize=None)
def kappa_taylor(P: int):
    """Degree-``P`` Taylor polynomials of ``kappa0``, ``kappa1`` at 0: ``sum_j f^(j)(0) t^j / j!`` by SymPy."""
    check_int("P", P, 1)
    polys = [sum(sympy.simplify(sympy.diff(f(_tt), _tt, j).subs(_tt, 0) / sympy.factorial(j)) * _tt ** j
                 for j in range(P + 1)) for f in (kappa0, kappa1)]
    return sympy.Lambda(_tt, polys[0]), sympy.Lambda(_tt, polys[1])


def polynomial_eq_kernel(q: int, L: int, kind: str, P: int):
    """Eq kernel with kappa0/kappa1 replaced by their degree-``P`` Taylor polynomials.

    Returns ``(b, symbols)``: ``b`` maps exponent tuples (ordered as the receptive field) to exact
    coefficients.  A polynomial multi-dot-product kernel with the recursion's structure, whose
    eigenvalues the series formula gives exactly (claim ``cntk.eigen-series``).
    """
    p0, p1 = kappa_taylor(P)
    expr, syms = eq_kernel(q, L, kind, kappas=(p0, p1))
    gens = [syms[j] for j in sorted(syms)]
    poly = sympy.Poly(sympy.expand(expr), *gens)
    return dict(zip(poly.monoms(), poly.coeffs())), syms


@functools.lru_cache(maxsize=None)
def singularity_exponent(which: int):
    """Exponent ``s`` of the leading non-analytic term ``(1-u)^s`` of kappa_which at ``u = 1``.

    The first derivative of ``kappa(1 - e)`` that is unbounded as ``e -> 0`` (order ``m``) grows
    like ``e^a`` with ``a = lim log|f^(m)| / log e`` (SymPy limits); ``s = m + a``: 1/2 for kappa0,
    3/2 for kappa1.
    """
    e, u = sympy.Symbol("e", positive=True), sympy.Symbol("u")
    f = (kappa0 if check_int("which", which, 0, 1) == 0 else kappa1)(u)
    for m in range(1, 4):
        fm = sympy.diff(f, u, m).subs(u, 1 - e)
        if sympy.limit(fm, e, 0).is_infinite:
            return m + sympy.limit(sympy.log(sympy.Abs(fm)) / sympy.log(e), e, 0)
    raise ValueError(f"kappa{which} has no singular derivative of order <= 3 at u = 1")


_s = sympy.Symbol("s", positive=True)
_k = sympy.Symbol("k", integer=True, positive=True)
_b = sympy.Symbol("b", positive=True)          # (zeta - 1) / 2 = alpha + 1
_zeta = sympy.Symbol("zeta", positive=True)


def singular_funk_hecke(s=_s, b=_b, k=_k):
    """``E[(1-t)^s P~_k(t)]`` on ``S^(zeta-1)``, ``b = (zeta-1)/2``, in closed form (docs/geifman2022.md §3.4).

    Rodrigues' formula ``P~_k (1-t^2)^a = (-1)^k / (2^k (a+1)_k) d^k/dt^k (1-t^2)^(k+a)``,
    ``a = b - 1``, then ``k`` integrations by parts (no boundary terms for ``a > -1``) and the Beta
    integral: ``2^s (-s)_k B(s+b, k+b) / ((b)_k B(b, b))``.
    """
    return 2 ** s * sympy.rf(-s, k) * sympy.beta(s + b, k + b) / (sympy.rf(b, k) * sympy.beta(b, b))


@functools.lru_cache(maxsize=None)
def decay_law():
    """``(ratio, p)``: ``lambda_(k+1)/lambda_k`` of :func:`singular_funk_hecke` (a rational function
    of ``k`` by SymPy) and the decay exponent ``p = lim k (1 - ratio) = 2s + 2b`` (Raabe), in ``s, zeta``."""
    lam = singular_funk_hecke()
    ratio = sympy.simplify(sympy.gammasimp(sympy.expand_func(lam.subs(_k, _k + 1) / lam)))
    p = sympy.limit(_k * (1 - ratio), _k, sympy.oo)
    return ratio, sympy.expand(p.subs(_b, (_zeta - 1) / 2))


def decay_exponent(zeta, kind: str, r: int = 1):
    """Decay exponent of ``lambda_k`` for a support covered by a receptive field of ``r`` pixels.

    The exponent ``p(s, zeta)`` of :func:`decay_law` with ``s`` the singularity exponent of kappa0
    (NTK) or kappa1 (GP) and, for ``r > 1``, the local dimension ``r (zeta - 1)`` of the ``r`` pixels
    in place of ``zeta - 1`` (docs/geifman2022.md §3.4 rule 2: a conjecture, not derived).
    """
    s = singularity_exponent(0 if kind == "ntk" else 1)
    zeta = sympy.sympify(zeta)
    return decay_law()[1].subs({_s: s, _zeta: r * (zeta - 1) + 1}, simultaneous=True)


def support_receptive_field(span: int, q: int, L: int) -> int:
    """``r(S)``: size ``(l-1)(q-1)+1`` of the smallest single-unit receptive field (layer ``l <= L``)
    covering ``span`` consecutive pixels (docs/geifman2022.md §3.4 rule 2, derived here)."""
    check_int("span", span, 1)
    for l in range(1, L + 1):
        r = (l - 1) * (q - 1) + 1
        if r >= span:
            return r
    raise ValueError(f"`span` {span} exceeds the receptive field {(L - 1) * (q - 1) + 1} of (q={q}, L={L})")


# ---------------------------------------------------------------------------- derivations
def derive_product_eigenfunctions() -> Derivation:
    """Eq/Tr are multi-dot-product kernels (the recursion stays on the diagonal); L = 2 closed form."""
    d = Derivation("CNTK/CGPK of Eq/Tr heads as multi-dot-product kernels")
    for q in (2, 3):
        for kind in ("ntk", "gp"):
            rec, syms = eq_kernel(q, 2, kind)
            d.step(f"Recursion (docs/geifman2022.md §2.2), L=2, q={q}, {kind}: Eq kernel in the cosines of its window", rec)
            cf, t = closed_form_L2(q, kind)
            diff = sympy.simplify(rec - cf.subs({t[w]: syms[w] for w in t}, simultaneous=True))
            d.check(f"L=2 closed form (docs/geifman2022.md §2.3) equals the recursion, q={q}, {kind}", diff == 0)
    expr, syms = eq_kernel(2, 3, "ntk")
    d.step("Eq CNTK, q=2, L=3: a function of the per-pixel cosines t_j only (multi-dot-product)", expr)
    d.check("normalisation Theta(x,x) = L + 1 = 4 (q=2, L=3)",
            sympy.simplify(expr.subs({s: 1 for s in syms.values()}) - 4) == 0)
    gp, gs = eq_kernel(2, 3, "gp")
    d.check("normalisation K(x,x) = 1 (q=2, L=3)", sympy.simplify(gp.subs({s: 1 for s in gs.values()}) - 1) == 0)
    d.results["multiplicity N(3,k)"] = sympy.Tuple(*[multiplicity(3, k) for k in range(5)])
    d.check("N(3,k) = 2k+1 and N(2,k) = 2 (k >= 1)",
            all(multiplicity(3, k) == 2 * k + 1 and multiplicity(2, k) == 2 for k in range(1, 8)))
    d.results["Theta_Eq(q=2,L=2)"] = eq_kernel(2, 2, "ntk")[0]
    return d


def derive_eigen_series() -> Derivation:
    """mu_zeta(n, k) from the Funk-Hecke integral, matched to the Gamma closed form."""
    d = Derivation("Product Funk-Hecke: eigenvalues from power-series coefficients")
    n, k = sympy.symbols("n k", integer=True, nonnegative=True)
    zeta = sympy.Symbol("zeta", positive=True)
    d.step("Definition: mu_zeta(n,k) = E[t^n P~_k(t)], t the polar cosine on S^(zeta-1)",
           sympy.Eq(sympy.Function("mu")(n, k),
                    sympy.Integral(_tt ** n * sympy.Function("P_k")(_tt) * (1 - _tt ** 2) ** ((zeta - 3) / 2), (_tt, -1, 1))))
    closed = (sympy.factorial(n) * sympy.gamma(zeta / 2)
              / (2 ** n * sympy.factorial((n - k) / 2) * sympy.gamma((n + k + zeta) / 2)))
    d.step("Gamma closed form compared with (docs/geifman2022.md §3.2)", closed)
    for z in (2, 3, 4, 5):
        ok = all(sympy.simplify(mu_funk_hecke(nn, kk, z) - mu_closed(nn, kk, z)) == 0
                 for nn in range(7) for kk in range(nn + 1))
        d.check(f"SymPy Funk-Hecke integral == Gamma closed form, zeta={z}, n<=6, all k<=n", ok)
    d.step("Example: mu_3(4, 2) integrated by SymPy", mu_funk_hecke(4, 2, 3))
    d.check("mu_2(n,k) = 2^-n binom(n, (n-k)/2)",
            all(mu_closed(nn, kk, 2) == sympy.binomial(nn, (nn - kk) // 2) / 2 ** nn
                for nn in range(9) for kk in range(nn % 2, nn + 1, 2)))
    # series formula vs a direct product Funk-Hecke integral for a small polynomial kernel (zeta=3)
    t1, t2 = sympy.symbols("t1 t2", real=True)
    K = sympy.expand((1 + t1 + t2) ** 3 + t1 ** 2 * t2 ** 3)
    poly = sympy.Poly(K, t1, t2)
    b = dict(zip(poly.monoms(), poly.coeffs()))
    ok = True
    for kv in [(0, 0), (1, 0), (2, 1), (1, 3), (2, 3)]:
        direct = sympy.integrate(K * legendre_P(3, kv[0], t1) * legendre_P(3, kv[1], t2) / 4,
                                 (t1, -1, 1), (t2, -1, 1))
        ok &= sympy.simplify(direct - eigenvalue_from_series(b, kv, 3)) == 0
    d.check("series formula == direct product Funk-Hecke integral, zeta=3, K=(1+t1+t2)^3+t1^2 t2^3", bool(ok))
    d.results["mu_zeta(n,k)"] = closed
    return d


def _rodrigues_holds(zmax: int = 5, kmax: int = 4) -> bool:
    """Rodrigues' formula for ``P~_k`` (:func:`singular_funk_hecke`) for ``zeta <= zmax``, ``k <= kmax``."""
    ok = True
    for z in range(2, zmax + 1):
        a = sympy.Rational(z - 3, 2)
        for kk in range(kmax + 1):
            rod = (-1) ** kk / (2 ** kk * sympy.rf(a + 1, kk)) * sympy.diff((1 - _tt ** 2) ** (kk + a), _tt, kk)
            ok &= sympy.simplify(legendre_P(z, kk) - rod / (1 - _tt ** 2) ** a) == 0
    return bool(ok)


def _closed_form_matches_quadrature() -> bool:
    """:func:`singular_funk_hecke` against mpmath quadrature of the defining integral (30 digits)."""
    mpmath.mp.dps = 30
    ok = True
    for z, s, kk in ((2, sympy.Rational(1, 2), 3), (3, sympy.Rational(1, 2), 4), (4, sympy.Rational(3, 2), 5),
                     (3, sympy.Rational(3, 2), 2)):
        a = mpmath.mpf(z - 3) / 2
        P = sympy.lambdify(_tt, legendre_P(z, kk), "mpmath")
        num = (mpmath.quad(lambda x: (1 - x) ** mpmath.mpf(s) * P(x) * (1 - x * x) ** a, [-1, 0, 1])
               / mpmath.quad(lambda x: (1 - x * x) ** a, [-1, 0, 1]))
        ref = sympy.N(singular_funk_hecke(s, sympy.Rational(z - 1, 2), kk), 30)
        ok &= abs(num - mpmath.mpf(str(ref))) < mpmath.mpf(10) ** -15
    return bool(ok)


def derive_decay_single_pixel() -> Derivation:
    """Single-pixel decay exponents ``zeta - 1 + 2s`` from the singularity of kappa at 1 (docs §3.4 rule 1)."""
    d = Derivation("Single-pixel decay exponents zeta - 1 + 2s")
    u = sympy.Symbol("u")
    d.step("kappa0'(u): unbounded at u = 1 like (1-u)^(-1/2)", sympy.simplify(sympy.diff(kappa0(u), u)))
    d.step("kappa1''(u) (kappa1' = kappa0): the same", sympy.simplify(sympy.diff(kappa1(u), u, 2)))
    s0, s1 = singularity_exponent(0), singularity_exponent(1)
    d.check("s = 1/2 (kappa0, NTK) and 3/2 (kappa1, GP)", s0 == sympy.Rational(1, 2) and s1 == sympy.Rational(3, 2))
    d.step("One nonzero pixel j: lambda_{k e_j} is the Funk-Hecke coefficient of the marginal kernel "
           "E_{t_i, i != j} K(t) in t_j, whose least smooth terms are c_+ (1-t_j)^s + c_- (1+t_j)^s "
           "(kappa0 or kappa1 of the first layer, docs/geifman2022.md §2.3); (1+t)^s has the coefficients "
           "(-1)^k of (1-t)^s, so both decay alike")
    d.check("Rodrigues' formula for P~_k, zeta <= 5, k <= 4", _rodrigues_holds())
    lam = d.step("k integrations by parts and a Beta integral: E[(1-t)^s P~_k(t)], b = (zeta-1)/2",
                 singular_funk_hecke())
    d.check("closed form == mpmath quadrature of E[(1-t)^s P~_k] (4 cases, 1e-15)", _closed_form_matches_quadrature())
    ratio, p = decay_law()
    d.step("lambda_(k+1) / lambda_k (SymPy gammasimp)", ratio)
    d.step("Raabe: exponent p = lim k (1 - lambda_(k+1)/lambda_k)", p)
    d.results["exponent(s, zeta)"] = p
    zeta = _zeta
    d.results["exponent NTK"] = decay_exponent(zeta, "ntk", 1)
    d.results["exponent GP"] = decay_exponent(zeta, "gp", 1)
    d.check("NTK exponent = zeta, GP exponent = zeta + 2",
            sympy.simplify(d.results["exponent NTK"] - zeta) == 0
            and sympy.simplify(d.results["exponent GP"] - zeta - 2) == 0)
    return d


def derive_decay_support() -> Derivation:
    """Rule 2 of docs/geifman2022.md §3.4 (a conjecture): exponent ``2s + r(S)(zeta - 1)``."""
    d = Derivation("Decay for a support S: exponent 2s + r(S)(zeta-1) (conjecture, not the paper's theorem)")
    zeta, r = _zeta, sympy.Symbol("r", positive=True, integer=True)
    d.step("Not derived: a unit whose receptive field has r pixels sees them near x = z as a point of "
           "R^(r(zeta-1)) where the kernel behaves like |x - z|^(2s); the single-pixel exponent "
           "p(s, zeta) is taken with the local dimension r(zeta - 1) in place of zeta - 1",
           decay_law()[1])
    d.results["alpha NTK"] = decay_exponent(zeta, "ntk", r)
    d.results["alpha GP"] = decay_exponent(zeta, "gp", r)
    d.check("r = 1 recovers the single-pixel exponents", sympy.simplify(decay_exponent(zeta, "ntk", 1) - zeta) == 0)
    d.check("r(S) for q=3, L=2: spans 1,2,3 -> 1,3,3",
            [support_receptive_field(sp_, 3, 2) for sp_ in (1, 2, 3)] == [1, 3, 3])
    d.check("r(S) for q=2, L=3: spans 1,2,3 -> 1,2,3",
            [support_receptive_field(sp_, 2, 3) for sp_ in (1, 2, 3)] == [1, 2, 3])
    return d


def derive_locality() -> Derivation:
    """Path counts N_j and the zero pattern of Eq/Tr eigenvalues."""
    d = Derivation("Path counts of the receptive field and locality")
    for q, L in ((2, 3), (3, 3), (3, 4)):
        N = path_counts(q, L)
        d.step(f"N_j = [z^j](sum_w z^w)^(L-1), q={q}, L={L}", sympy.Tuple(*[N[j] for j in sorted(N)]))
        d.check(f"sum_j N_j = q^(L-1) (q={q}, L={L})", sum(N.values()) == q ** (L - 1))
        d.check(f"receptive field size (L-1)(q-1)+1 (q={q}, L={L})", len(N) == (L - 1) * (q - 1) + 1)
    expr, syms = eq_kernel(2, 2, "ntk")
    d.check("Eq kernel (q=2, L=2) depends on t_0, t_1 only: lambda_k = 0 if supp k leaves the field",
            expr.free_symbols == set(syms.values()) and len(syms) == 2)
    d.results["N (q=2, L=3)"] = sympy.Tuple(*[path_counts(2, 3)[j] for j in range(3)])
    return d


def derive_empirical_limit() -> Derivation:
    """Normalisations of the limit kernels, and the m^(-1/2) law of a mean of m i.i.d. terms."""
    d = Derivation("Infinite-width limits: K(x,x) = 1, Theta(x,x) = L + 1; fluctuations ~ m^(-1/2)")
    for q, L in ((3, 2), (3, 3)):
        th, syms = eq_kernel(q, L, "ntk")
        val = sympy.simplify(th.subs({s: 1 for s in syms.values()}))
        d.step(f"Theta^Eq(1,...,1), q={q}, L={L}", val)
        d.check(f"Theta(x,x) = L+1 (q={q}, L={L})", val == L + 1)
    m, sigma2 = sympy.Symbol("m", positive=True, integer=True), sympy.Symbol("sigma2", positive=True)
    i = sympy.Symbol("i", integer=True, positive=True)
    var = d.step("Assumption: each entry of the empirical NTK is a mean over m channels of terms that are "
                 "i.i.d. to leading order (Jacot et al. 2018, Arora et al. 2019). Var of the mean = "
                 "m^-2 sum_i Var(X_i) (independent: no cross terms), Var(X_i) = sigma2",
                 sympy.Sum(sigma2, (i, 1, m)).doit() / m ** 2)
    expo = d.step("exponent of the standard deviation: d log sqrt(Var) / d log m",
                  sympy.simplify(m * sympy.diff(sympy.log(sympy.sqrt(var)), m)))
    d.check("Var of a mean of m i.i.d. terms = sigma2/m", sympy.simplify(var - sigma2 / m) == 0)
    d.results["error exponent"] = expo
    d.results["mean limit"] = sympy.Integer(1)
    d.step("E[Theta_m] -> Theta: the mean over networks of the empirical NTK, divided by the analytic "
           "CNTK, tends to 1", d.results["mean limit"])
    return d
