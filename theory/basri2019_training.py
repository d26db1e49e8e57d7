"""Linearised learning time of a single harmonic (Basri et al. 2019; Arora et al. 2019, Thm 4.1).

Setting (``docs/basri2019.md`` §5): residual ``r = u - y``, ``u_i = f(x_i)``,
loss ``L = 1/(2n) sum_i r_i^2`` (this project's ``loss_and_grad``).  In the linearised (wide)
regime the Gram matrix ``G_ij = <grad f(x_i), grad f(x_j)>`` is fixed and ``G v = n lambda_k v`` for
a sampled degree-``k`` harmonic ``v`` (Funk-Hecke, uniform probability measure).  Everything below is
produced by SymPy (``dsolve``, ``rsolve``, ``solve``, ``limit``) from these definitions:

- gradient flow: ``r(t) = r(0) e^{-lambda_k t}``; time to shrink it by ``epsilon``:
  ``t_k = ln(1/epsilon) / lambda_k``;
- gradient descent, step ``eta``: ``r_s = (1 - eta lambda_k)^s r_0``; time ``eta s_k`` with
  ``s_k = ln(epsilon) / ln(1 - eta lambda_k)`` (-> ``t_k`` as ``eta -> 0``);
- ``lambda_k = C k^{-d}`` gives ``d ln t_k / d ln k = d``: learning time ``∝ k^d``;
- ``lambda_k = 0`` (odd ``k >= 3`` without bias) gives ``r(t) = r(0)``: the target is never fitted.

The closed forms are returned as SymPy expressions; :func:`gd_time` / :func:`flow_time` give them
with their symbols, so ``numerics`` can ``lambdify`` the derived formula instead of retyping it.
"""
from __future__ import annotations

import functools

import sympy

from theory import kernels as K
from theory.funk_hecke import eigenvalue
from theory.kernels import kernel, t as t_sym
from theory.derivation import Derivation

__all__ = ["symbols", "flow_time", "gd_time", "finite_range_slope", "learning_time", "odd_stall", "eigenfunctions", "ntk_limit"]

lam, eta, eps, t, C, d, k, n = sympy.symbols("lambda_k eta epsilon t C d k n", positive=True)
s = sympy.Symbol("s", integer=True, nonnegative=True)


def symbols() -> dict[str, sympy.Symbol]:
    """The symbols used by the formulas: ``lambda_k, eta, epsilon, t, C, d, k, n, s``."""
    return {"lambda_k": lam, "eta": eta, "epsilon": eps, "t": t, "C": C, "d": d, "k": k, "n": n,
            "s": s}


@functools.lru_cache(maxsize=None)
def _derive() -> tuple[Derivation, dict[str, sympy.Expr]]:
    D = Derivation("Linearised learning time of a degree-k harmonic", kind="exact")
    c = sympy.Function("c")
    D.step("Loss L = (1/2n) sum_i r_i^2; gradient flow d theta/dt = -grad L = -(1/n) J^T r, so "
           "dr/dt = J d theta/dt = -(G/n) r with G = J J^T.", sympy.Eq(sympy.Symbol("dr/dt"),
                                                                       -sympy.Symbol("G") / n * sympy.Symbol("r")))
    D.step("A sampled degree-k harmonic v satisfies G v = n lambda_k v (Funk-Hecke, probability "
           "measure); with r = c(t) v the flow is scalar:", sympy.Eq(c(t).diff(t), -(n * lam / n) * c(t)))
    sol = sympy.dsolve(sympy.Eq(c(t).diff(t), -(n * lam / n) * c(t)), c(t), ics={c(0): 1}).rhs
    D.step("Solution (dsolve, c(0) = 1):", sympy.Eq(c(t), sol))
    D.check("flow solution satisfies c' = -lambda_k c, c(0) = 1",
            sympy.simplify(sol.diff(t) + lam * sol) == 0 and sol.subs(t, 0) == 1)
    t_flow = sympy.solve(sympy.Eq(sol, eps), t)[0]
    D.step("First time with |r(t)| = epsilon |r(0)| (solve):", sympy.Eq(sympy.Symbol("t_k"), t_flow))
    D.check("t_k = ln(1/epsilon)/lambda_k", sympy.simplify(t_flow - sympy.log(1 / eps) / lam) == 0)

    cs = sympy.Function("c_s")
    rec = sympy.rsolve(cs(s + 1) - (1 - eta * lam) * cs(s), cs(s), {cs(0): 1})
    D.step("Gradient descent with step eta: c_{s+1} = (1 - eta lambda_k) c_s; rsolve gives",
           sympy.Eq(cs(s), rec))
    D.check("GD solution is (1 - eta lambda_k)^s", sympy.simplify(rec - (1 - eta * lam) ** s) == 0)
    s_k = sympy.log(eps) / sympy.log(1 - eta * lam)
    D.check("s_k solves (1 - eta lambda_k)^s = epsilon",
            sympy.simplify(sympy.expand_log(sympy.log((1 - eta * lam) ** s_k), force=True)
                           - sympy.log(eps)) == 0)
    t_gd = eta * s_k
    D.step("Steps to epsilon: s_k = ln(epsilon)/ln(1 - eta lambda_k); time eta s_k "
           "(valid for 0 < eta lambda_k < 1):", sympy.Eq(sympy.Symbol("t_k^{GD}"), t_gd))
    lim = sympy.limit(t_gd, eta, 0, "+")
    D.step("Small steps recover the flow (limit eta -> 0+):", sympy.Eq(sympy.Symbol("t_k"), lim))
    D.check("lim_{eta->0} eta s_k = t_k", sympy.simplify(lim - t_flow) == 0)

    un = sympy.dsolve(sympy.Eq(c(t).diff(t), -n * lam * c(t)), c(t), ics={c(0): 1}).rhs
    D.step("With the un-normalised loss (1/2) sum r_i^2 (Du et al. 2018, B19 code) G is not "
           "divided by n and the decay is", sympy.Eq(c(t), un))
    D.check("un-normalised loss decays n times faster", sympy.simplify(un - sol.subs(t, n * t)) == 0)

    t_pow = t_flow.subs(lam, C * k ** (-d))
    slope = sympy.simplify(k * sympy.diff(sympy.log(t_pow), k))
    D.step("With lambda_k = C k^{-d}: log-log slope of t_k in k", sympy.Eq(sympy.Symbol("slope"), slope))
    D.check("learning time grows like k^d (slope = d)", sympy.simplify(slope - d) == 0)
    D.step("Circle d = 2: t_k ∝ k^2; sphere S^2 (d = 3): t_k ∝ k^3 (pre-asymptotic values from "
           "the exact lambda_k)")
    stall = sol.subs(lam, 0)
    D.step("lambda_k = 0 (odd k >= 3, no bias): the residual does not decay", sympy.Eq(c(t), stall))
    D.check("zero eigenvalue: c(t) = 1 for all t", stall == 1)
    return D, {"residual_flow": sol, "t_flow": t_flow, "residual_gd": rec, "t_gd": t_gd,
               "slope": slope}


def flow_time() -> sympy.Expr:
    """``t_k = ln(1/epsilon)/lambda_k`` as derived (symbols from :func:`symbols`)."""
    return _derive()[1]["t_flow"]


def gd_time() -> sympy.Expr:
    """``eta ln(epsilon)/ln(1 - eta lambda_k)``: time of gradient descent to shrink by epsilon."""
    return _derive()[1]["t_gd"]


def learning_time() -> Derivation:
    """Derivation for ``basri.learning-time-circle`` and ``basri.learning-time-sphere``."""
    D, res = _derive()
    out = Derivation(D.title, list(D.steps), dict(res), D.kind, dict(D.checks))
    for dd, kk in ((2, 20), (3, 12)):
        out.step(f"Exact eigenvalue entering the prediction, d = {dd}, k = {kk} (theory.eigenvalue, basri):",
                 sympy.Eq(sympy.Symbol(f"lambda_{kk}"), eigenvalue("basri", dd, kk)))
    return out


def finite_range_slope(t_gd: sympy.Expr, lams, ks, eta_value: float, eps_value: float) -> float:
    """Least-squares slope of ``log t_k`` on ``log k`` for the GD time ``t_gd`` (the derived formula,
    in the symbols of :func:`symbols`) at the exact eigenvalues ``lams`` of the degrees ``ks``.

    This is the exponent the linearised theory predicts on the finite range of k used by an
    experiment (pre-asymptotic: the exact lambda_k are not C k^-d, and eta lambda_k is not small).

    Parameters
    ----------
    t_gd : sympy.Expr
        ``eta ln(epsilon)/ln(1 - eta lambda_k)`` as derived (:func:`gd_time`).
    lams, ks : sequences of equal length >= 2
        Exact (SymPy) eigenvalues and their degrees.
    eta_value, eps_value : float
        Step and threshold of the experiment.
    """
    if len(lams) != len(ks) or len(ks) < 2:
        raise ValueError(f"`lams` and `ks` must have the same length >= 2; got {len(lams)} and {len(ks)}")
    f = sympy.lambdify((lam, eta, eps), t_gd, "mpmath")
    import mpmath
    with mpmath.workdps(30):
        y = [mpmath.log(f(mpmath.mpf(sympy.N(l, 40)), mpmath.mpf(eta_value), mpmath.mpf(eps_value))) for l in lams]
        x = [mpmath.log(kk) for kk in ks]
        xm, ym = sum(x) / len(x), sum(y) / len(y)
        slope = sum((a - xm) * (b - ym) for a, b in zip(x, y)) / sum((a - xm) ** 2 for a in x)
    return float(slope)


def odd_stall() -> Derivation:
    """Derivation for ``basri.odd-stall``: lambda_k = 0 for odd k >= 3 without bias, > 0 with."""
    D, res = _derive()
    out = Derivation("Odd frequencies stall without bias", list(D.steps[-1:]), {"residual": res["residual_flow"]},
                     "exact", {"zero eigenvalue: c(t) = 1 for all t": D.checks["zero eigenvalue: c(t) = 1 for all t"]})
    for kk in (3, 5, 7):
        l0 = sympy.nsimplify(eigenvalue("basri", 2, kk))
        lb = sympy.nsimplify(eigenvalue("basri-bias", 2, kk))
        out.step(f"k = {kk}: lambda_k (basri) and lambda_k (basri-bias), circle",
                 sympy.Eq(sympy.Symbol(f"lambda_{kk}"), l0))
        out.step(f"k = {kk}, with B19's zero-initialised bias:",
                 sympy.Eq(sympy.Symbol(f"lambda_{kk}^b"), lb))
        out.check(f"lambda_{kk} = 0 without bias", bool(sympy.simplify(l0) == 0))
        out.check(f"lambda_{kk} > 0 with bias", bool(sympy.simplify(lb) > 0))
        lnext = sympy.nsimplify(eigenvalue("basri-bias", 2, kk + 1))
        out.check(f"with bias lambda_{kk} > lambda_{kk + 1}: fitted before the next even frequency",
                  bool(sympy.simplify(lb - lnext) > 0))
    out.results["t_flow"] = res["t_flow"]
    return out


def eigenfunctions() -> Derivation:
    """Derivation for ``basri.eigenfunctions``: harmonics diagonalise a zonal Gram on a circle grid."""
    D = Derivation("Sampled harmonics are eigenvectors of the Gram matrix", kind="exact")
    N = 8
    Ks = sympy.symbols(f"K_0:{N}")
    K = [Ks[min(j, N - j)] for j in range(N)]                  # K(cos(2 pi j/N)) is even in j
    M = sympy.Matrix(N, N, lambda i, j: K[(j - i) % N])
    D.step(f"Zonal kernel on the equispaced grid theta_j = 2 pi j/{N}: the Gram matrix is circulant "
           f"with K_j = K(cos 2 pi j/{N}) = K_(N-j)", M)
    for kk in (1, 2, 3):
        v = sympy.Matrix([sympy.cos(2 * sympy.pi * kk * j / N) for j in range(N)])
        mu = sum(K[j] * sympy.cos(2 * sympy.pi * kk * j / N) for j in range(N))
        D.check(f"cos({kk} theta) is an eigenvector, eigenvalue sum_j K_j cos(2 pi {kk} j/N)",
                all(sympy.simplify(e) == 0 for e in (M * v - mu * v)))
    D.step("The grid average (1/N) sum_j K(cos theta_j) cos k theta_j is the trapezoid rule for "
           "lambda_k = (1/pi) int_0^pi K(cos theta) cos k theta d theta (Funk-Hecke, d = 2), exact "
           "up to aliasing of degrees k + N l.")
    th = sympy.Symbol("theta", positive=True)
    # t = cos(theta) with theta in [0, pi], where acos(cos theta) = theta
    H = kernel("basri").xreplace({sympy.acos(t_sym): th}).xreplace({t_sym: sympy.cos(th)})
    D.step("basri kernel in the angle, theta in [0, pi]", sympy.Eq(sympy.Symbol("H"), H))
    for kk in (1, 2, 4):
        direct = sympy.simplify(sympy.integrate(sympy.expand(H * sympy.cos(kk * th)),
                                                (th, 0, sympy.pi)) / sympy.pi)
        ref = eigenvalue("basri", 2, kk)
        D.step(f"lambda_{kk} by direct integration", sympy.Eq(sympy.Symbol(f"lambda_{kk}"), direct))
        D.check(f"direct integral equals theory.eigenvalue for k = {kk}", bool(sympy.simplify(direct - ref) == 0))
    return D


def ntk_limit(name: str = "ntk") -> Derivation:
    """(v) Empirical NTK = mean of m i.i.d. neuron terms: fluctuation ``sqrt(v/m)``, slope -1/2 in log m.

    Also derives the diagonal value of the analytic kernel at ``t = 1`` from Gaussian integrals
    (``z ~ N(0, s^2)``), and compares with ``theory.kernels.KERNELS[name]`` at ``t = 1``.
    """
    d = Derivation(f"Empirical NTK converges to the analytic kernel {name!r} at rate m^(-1/2)")
    m, v = sympy.Symbol("m", integer=True, positive=True), sympy.Symbol("v", positive=True)
    xi = sympy.IndexedBase("xi")
    k = sympy.Symbol("k", integer=True)
    d.step("Theta_m(x, x') = (1/m) sum_k xi_k, xi_k i.i.d. over neurons (a_k, w_k, b_k)",
           sympy.Sum(xi[k], (k, 1, m)) / m)
    l = sympy.Symbol("l", integer=True)
    cov = v * sympy.KroneckerDelta(k, l)                      # Cov(xi_k, xi_l): independent neurons
    inner = sympy.Sum(cov, (l, 1, m)).doit()                 # Piecewise: 1 for 1 <= k <= m
    if isinstance(inner, sympy.Piecewise):
        d.check("inner sum: the branch used holds on the outer range 1 <= k <= m",
                all(bool(inner.args[0][1].subs(k, kv)) for kv in (1, m)))
        inner = inner.args[0][0]
    var = sympy.simplify(sympy.Sum(inner, (k, 1, m)).doit() / m ** 2)
    d.step("Var Theta_m = (1/m^2) sum_k sum_l Cov(xi_k, xi_l), Cov = v delta_kl (neurons i.i.d.):",
           sympy.Eq(sympy.Symbol("Var Theta_m"), var))
    d.check("Var Theta_m = v/m (summed by SymPy from the covariance)", bool(sympy.simplify(var - v / m) == 0))
    sd = sympy.sqrt(var)
    slope = sympy.simplify(sympy.diff(sympy.log(sd), m) * m)
    d.step("so the fluctuation sqrt(Var) has log-log slope", slope)
    d.check("slope d log sd / d log m = -1/2", bool(slope == sympy.Rational(-1, 2)))
    z = sympy.Symbol("z", real=True)
    s2 = 2 if K.has_bias(name) else 1                # Var z = |x|^2 + 1 with N(0,1) bias
    dens = sympy.exp(-z ** 2 / (2 * s2)) / sympy.sqrt(2 * sympy.pi * s2)
    gate = sympy.integrate(dens, (z, 0, sympy.oo))                        # E[relu'(z)^2]
    relu2 = sympy.integrate(z ** 2 * dens, (z, 0, sympy.oo))              # E[relu(z)^2]
    diag = s2 * gate + relu2                                         # a-block + (w,b)-block, E a^2 = 1
    d.step("Diagonal t = 1: E[a^2] E[relu'(z)^2] (|x|^2 + bias) + E[relu(z)^2], z ~ N(0, s^2)", diag)
    val = sympy.simplify(K.KERNELS[name].subs(K.t, 1))
    d.check(f"Gaussian-integral diagonal equals KERNELS[{name!r}](1) = {val}", bool(sympy.simplify(diag - val) == 0))
    d.results["kernel"] = K.KERNELS[name]
    d.results["fluctuation_slope"] = slope
    return d
