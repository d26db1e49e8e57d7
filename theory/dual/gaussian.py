"""Dual activations in closed form, derived by SymPy from the Gaussian integrals (docs/dual.md §2).

For ``(u, v) ~ N(0, [[q, c], [c, q]])`` the *dual* of ``sigma`` is ``F(q, c) = E[sigma(u) sigma(v)]``
(Daniely, Frostig, Singer 2016, Sec. 5).  Three routes, chosen by the form of ``sigma``:

``"piecewise"``
    ``sigma`` is a polynomial on ``x > 0`` and on ``x < 0`` (ReLU, leaky ReLU, abs, any
    ``a min(x,0) + b max(x,0)``, ReLU^s, step).  ``sigma = sum_s alpha_s b_s(x) + beta_s b_s(-x)``
    with ``b_s(x) = max(x, 0)^s``.  Price's theorem ``d/dc E[f(u) g(v)] = E[f'(u) g'(v)]`` applied
    ``r + 1`` times to ``K_{s,r}(rho) = E[b_s(z1) b_r(z2)]`` (unit variances, correlation rho,
    ``s >= r``) ends at a Gaussian density on a line: ``K^{(r+1)}_{s,r} = C_{s,r} (1 - rho^2)^((s-r-1)/2)``;
    SymPy computes ``C_{s,r}`` and the values at ``rho = 0`` (products of one-dimensional moments)
    from their integrals and integrates ``r + 1`` times (Cho & Saul 2009's arc-cosine kernels result).
``"mgf"``
    ``sigma = sum_i p_i(x) exp(a_i x)`` with polynomials ``p_i`` and complex ``a_i`` (polynomials, sin,
    cos, sinh, cosh, exp): ``E[u^m e^{a u} v^n e^{b v}]`` is a derivative of the Gaussian moment
    generating function ``M(alpha, beta) = exp(q (alpha^2 + beta^2)/2 + c alpha beta)``.
``"gauss"``
    ``sigma = C exp(-gamma x^2)`` (the derivative of erf): the Gaussian integral below.
``"gauss-derivative"``
    ``sigma' = C exp(-gamma x^2)`` (erf(a x)): Price once, the Gaussian integral
    ``E[exp(-gamma (u^2 + v^2))] = det(I + 2 gamma Sigma)^(-1/2)``, then SymPy integrates in ``c``
    from ``c = 0`` where ``F = E[sigma(u)]^2``.

Any other ``sigma`` has no closed form here (:mod:`theory.dual.hermite` takes over).
"""
from __future__ import annotations

import functools

import mpmath
import sympy

from theory.validate import shown

__all__ = ["x", "q", "c", "rho", "check_activation", "pieces", "route", "dual", "arccos_kernel",
           "arccos_parts", "moment", "derivative"]

x = sympy.Symbol("x", real=True)
q = sympy.Symbol("q", positive=True)
c = sympy.Symbol("c", real=True)
rho = sympy.Symbol("rho", real=True)
_xp = sympy.Symbol("x_p", positive=True)
_z = sympy.Symbol("z", real=True)


def check_activation(sigma) -> sympy.Expr:
    """``sigma`` as a SymPy expression in :data:`x` alone; ValueError/TypeError otherwise.

    Also rejects growth at least ``exp(x^2/4)`` (the Gaussian integral ``E[sigma(u)^2]`` of the first
    layer diverges), judged by ``lim log|sigma(x)| / x^2`` at ``x -> +-oo``.
    """
    if isinstance(sigma, str) or not isinstance(sigma, (sympy.Basic, int, float)):
        raise TypeError(f"`activation` must be a SymPy expression in x; got {shown(sigma)}")
    sigma = sympy.sympify(sigma)
    names = {s.name for s in sigma.free_symbols}
    if names - {"x"}:
        raise ValueError(f"`activation` must be a function of x alone; it also depends on "
                         f"{sorted(names - {'x'})}")
    sigma = sigma.subs({s: x for s in sigma.free_symbols})
    if sigma.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not sigma.free_symbols:
        if not sigma.is_finite:
            raise ValueError(f"`activation` must be finite; got {shown(sigma)}")
    for side in (1, -1):
        rate = growth_rate(sigma, side)
        if rate >= sympy.Rational(1, 4) - sympy.Rational(1, 1000):
            raise ValueError(f"`activation` grows like exp({rate} x^2) at x -> {'+' if side > 0 else '-'}oo: "
                             f"allowed is slower than a polynomial times exp(x^2/4) (the Gaussian "
                             f"integral diverges); got {shown(sigma)}")
    return sigma


def growth_rate(sigma, side: int = 1, X: int = 1000):
    """Estimate of ``lim log|sigma(x)| / x^2`` at ``x -> side * oo``: ``log|sigma(side X)| / X^2``
    (mpmath, 30 digits; the error of a polynomial factor is ``O(log X / X^2)``, about 1e-5)."""
    if not sigma.free_symbols:
        return sympy.S.Zero
    f = sympy.lambdify(x, sigma, "mpmath")
    with mpmath.workdps(30):
        try:
            val = f(mpmath.mpf(side * X))
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ValueError(f"`activation` cannot be evaluated at x = {side * X}: {exc}") from None
        if isinstance(val, mpmath.mpc) and abs(val.imag) > 1e-20 * (1 + abs(val.real)):
            raise ValueError(f"`activation` must be real on the real line; got {shown(sigma)}")
        val = abs(mpmath.re(val))
        return sympy.Float(float(mpmath.log(val + mpmath.mpf(10)**-300) / X**2)) if val else sympy.S.Zero


def pieces(sigma) -> dict[int, tuple] | None:
    """``{s: (alpha_s, beta_s)}`` with ``sigma = sum alpha_s max(x,0)^s + beta_s max(-x,0)^s``, or None
    when ``sigma`` is not a polynomial on each half line."""
    out = {}
    for i, side in enumerate((1, -1)):
        piece = sympy.simplify(sympy.piecewise_fold(sigma.subs(x, side * _xp)))
        if piece.has(sympy.Piecewise) or not piece.is_polynomial(_xp):
            return None
        for (s,), a in sympy.Poly(piece, _xp).terms():
            out.setdefault(int(s), [sympy.S.Zero, sympy.S.Zero])[i] = a
    return {s: tuple(v) for s, v in sorted(out.items())}


def _exp_terms(sigma):
    """``[(coef, m, a)]`` with ``sigma = sum coef x^m exp(a x)``, or None."""
    e = sympy.expand(sympy.powsimp(sympy.expand(sigma.rewrite(sympy.exp))))
    out = []
    for term in sympy.Add.make_args(e):
        coef, m, a = sympy.S.One, 0, sympy.S.Zero
        for f in sympy.Mul.make_args(term):
            if not f.has(x):
                coef *= f
            elif f == x:
                m += 1
            elif f.is_Pow and f.base == x and f.exp.is_Integer and f.exp > 0:
                m += int(f.exp)
            elif isinstance(f, sympy.exp) and _linear_in_x(f.args[0]):
                a += sympy.diff(f.args[0], x)
            else:
                return None
        out.append((coef, m, a))
    return out


def _linear_in_x(arg) -> bool:
    """``arg = a x`` with ``a`` free of x."""
    return arg.is_polynomial(x) and sympy.degree(arg, x) == 1 and arg.subs(x, 0) == 0


def route(sigma) -> str:
    """``"mgf"``, ``"piecewise"``, ``"gauss"``
    ``sigma = C exp(-gamma x^2)`` (the derivative of erf): the Gaussian integral below.
``"gauss-derivative"`` or ``"hermite"`` (no closed form here)."""
    if sigma.is_polynomial(x) or _exp_terms(sigma) is not None:
        return "mgf"
    if pieces(sigma) is not None:
        return "piecewise"
    if sigma.has(sympy.exp) and _gauss_rate(sigma) is not None:
        return "gauss"
    if not sigma.has(sympy.erf):                       # the only sigma with sigma' = C exp(-g x^2) here
        return "hermite"
    d1 = sympy.simplify(sympy.diff(sigma, x))
    ratio = sympy.simplify(sympy.log(d1 / d1.subs(x, 0)) / x**2) if d1.subs(x, 0) != 0 else None
    if ratio is not None and ratio.is_number and ratio.is_negative:
        return "gauss-derivative"
    return "hermite"


def _gauss_rate(sigma):
    """``gamma > 0`` when ``sigma = sigma(0) exp(-gamma x^2)``, else None."""
    s0 = sigma.subs(x, 0)
    if s0 == 0 or not s0.is_number:
        return None
    g = -sympy.simplify(sympy.log(sympy.simplify(sigma / s0)) / x**2)
    return g if (g.is_number and g.is_positive) else None


def _gauss_expectation(C0, gamma):
    """``C0^2 E[exp(-gamma (u^2 + v^2))]`` from the Gaussian integral
    ``E[exp(-z^T A z / 2)] = det(I + Sigma A)^(-1/2)`` with ``A = 2 gamma I``."""
    S = sympy.Matrix([[q, c], [c, q]])
    return C0**2 / sympy.sqrt(sympy.factor((sympy.eye(2) + 2 * gamma * S).det()))


def moment(p: int):
    """``E[max(z, 0)^p]`` for ``z ~ N(0, 1)``, by SymPy's integral."""
    return sympy.integrate(_z**p * sympy.exp(-_z**2 / 2) / sympy.sqrt(2 * sympy.pi), (_z, 0, sympy.oo))


@functools.lru_cache(maxsize=None)
def arccos_parts(s: int, r: int):
    """Price data of ``K_{s,r}(rho) = E[b_s(z1) b_r(z2)]`` (``s >= r``): ``(C, alpha, init)`` with
    ``K^{(r+1)} = C (1 - rho^2)^alpha`` and ``init[j] = K^{(j)}(0)``, ``j = 0..r``; each from its integral.

    ``E[f(z1) delta(z2)] = phi(0) E[f(w)]``, ``w ~ N(0, 1 - rho^2)`` (the conditional law on ``z2 = 0``);
    at ``rho = 0`` the two arguments are independent.
    """
    if not (0 <= r <= s):
        raise ValueError(f"arccos_parts needs 0 <= r <= s; got s={s}, r={r}")
    phi0 = 1 / sympy.sqrt(2 * sympy.pi)
    ff = lambda n, j: sympy.factorial(n) / sympy.factorial(n - j)       # d^j x^n = ff x^(n-j)
    init = tuple(ff(s, j) * ff(r, j) * moment(s - j) * moment(r - j) for j in range(r + 1))
    p = s - r
    if p == 0:       # d/drho E[H H] = bivariate density at (0, 0)
        C = sympy.factorial(s)**2 * phi0**2
        return C, sympy.Rational(-1, 2), init
    # d/drho E[b_p(z1) H(z2)] = p phi(0) E[b_{p-1}(w)], E[b_{p-1}(w)] = (1-rho^2)^((p-1)/2) m_{p-1}
    C = ff(s, r) * sympy.factorial(r) * p * phi0 * moment(p - 1)
    return sympy.simplify(C), sympy.Rational(p - 1, 2), init


@functools.lru_cache(maxsize=None)
def arccos_kernel(s: int, r: int) -> sympy.Expr:
    """``K_{s,r}(rho) = E[max(z1,0)^s max(z2,0)^r]`` (unit variances, correlation rho), integrated by
    SymPy from :func:`arccos_parts` (Price's theorem)."""
    if r > s:
        return arccos_kernel(r, s)
    C, alpha, init = arccos_parts(s, r)
    expr = C * (1 - rho**2)**alpha
    for j in range(r, -1, -1):                          # integrate r+1 times, K^{(j)}(0) = init[j]
        expr = sympy.integrate(expr, (rho, 0, rho)) + init[j]
    return sympy.simplify(expr)


def _dual_piecewise(sigma):
    pc = pieces(sigma)
    r = c / q
    F = sympy.S.Zero
    for s, (a_s, b_s) in pc.items():
        for t_, (a_t, b_t) in pc.items():
            K = arccos_kernel(s, t_)
            same, cross = a_s * a_t + b_s * b_t, a_s * b_t + b_s * a_t
            F += q**sympy.Rational(s + t_, 2) * (same * K.subs(rho, r) + cross * K.subs(rho, -r))
    return F


def _dual_mgf(sigma):
    terms = _exp_terms(sigma)
    al, be = sympy.symbols("alpha beta")
    M = sympy.exp(q * (al**2 + be**2) / 2 + c * al * be)
    F = sympy.S.Zero
    for c1, m1, a1 in terms:
        for c2, m2, a2 in terms:
            F += c1 * c2 * sympy.diff(M, al, m1, be, m2).subs({al: a1, be: a2})
    return F


def _dual_gauss_derivative(sigma):
    d1 = sympy.simplify(sympy.diff(sigma, x))
    C0 = d1.subs(x, 0)
    gamma = -sympy.simplify(sympy.log(d1 / C0) / x**2)
    cc = sympy.Symbol("c_", real=True)
    dE = _gauss_expectation(C0, gamma).subs(c, cc)          # Price: dF/dc = E[sigma'(u) sigma'(v)]
    mean = sympy.integrate(sigma.subs(x, sympy.sqrt(q) * _z) * sympy.exp(-_z**2 / 2)
                           / sympy.sqrt(2 * sympy.pi), (_z, -sympy.oo, sympy.oo))
    F = sympy.integrate(dE, (cc, 0, c)) + mean**2
    return sympy.simplify(F)


def dual(sigma) -> sympy.Expr | None:
    """``E[sigma(u) sigma(v)]`` for ``(u, v) ~ N(0, [[q, c], [c, q]])`` as a SymPy expression in
    :data:`q`, :data:`c`, or None when no closed-form route applies (module docstring)."""
    kind = route(sigma)
    if kind == "mgf":
        return sympy.simplify(_dual_mgf(sigma))
    if kind == "piecewise":
        return _dual_piecewise(sigma)
    if kind == "gauss":
        return sympy.simplify(_gauss_expectation(sigma.subs(x, 0), _gauss_rate(sigma)))
    if kind == "gauss-derivative":
        return _dual_gauss_derivative(sigma)
    return None


def derivative(sigma) -> sympy.Expr:
    """``sigma'`` as a SymPy expression; for the piecewise route rebuilt from :func:`pieces` (a jump
    of ``sigma`` makes ``sigma'`` a delta: ValueError, the NTK is infinite)."""
    pc = pieces(sigma) if route(sigma) == "piecewise" else None
    if pc is None:
        return sympy.diff(sigma, x)
    a0, b0 = pc.get(0, (0, 0))
    if sympy.simplify(a0 - b0) != 0:
        raise ValueError(f"`activation` {shown(sigma)} jumps at 0: sigma' has a delta and the NTK is "
                         f"infinite (use kind='nngp')")
    return _rebuild(pc)


def _rebuild(pc):
    """``sigma'`` from the pieces: ``d/dx max(+-x, 0)^s = +-s max(+-x, 0)^(s-1)`` (``H(0) = 0``)."""
    out = sympy.S.Zero
    for s, (a, b) in pc.items():
        if s == 1:
            out += a * sympy.Heaviside(x, 0) - b * sympy.Heaviside(-x, 0)
        elif s >= 2:
            out += s * a * sympy.Max(x, 0)**(s - 1) - s * b * sympy.Max(-x, 0)**(s - 1)
    return out
