"""Linear stage of initial condensation in two-layer CNNs, derived with SymPy (exact).

Zhou, Zhou, Li, Xu, "Understanding the Initial Condensation of Convolutional Neural Networks",
arXiv 2305.09947 (2023): data matrix (44)/(88), linearised flow (32)-(34), SVD solution
(50)-(53), rate (73), end of the linear stage (67).  Formulas as rebuilt in
``docs/zhou2023.md``; every result below is produced by SymPy from definitions
(toy networks, matrix exponentials, ``solve``/``limit``), and the identity checks are recorded with
:meth:`Derivation.check`.

Each public function is a zero-argument ``derive`` of one claim and returns a
:class:`theory.derivation.Derivation`.
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.stats import E, Normal
from sympy.stats import P as Prob

from theory.derivation import Derivation

__all__ = ["linear_solution", "alignment", "gap_rate", "multichannel", "cayley",
           "toy_leading_order", "t_delta_formula", "multiplicity"]

t, x = sp.symbols("t x", real=True)
lam, eta, tau = sp.symbols("lambda eta tau", positive=True)
om0, al0 = sp.symbols("omega_0 alpha_0", real=True)
k = sp.Symbol("k", positive=True, integer=True)


def _zero(e) -> bool:
    return bool(sp.simplify(e) == 0)


def _mzero(Mx) -> bool:
    return all(_zero(e) for e in Mx)


def cayley(S):
    """Rational orthogonal matrix ``(I - S)(I + S)^-1`` from a skew-symmetric rational ``S``."""
    S = sp.Matrix(S)
    if S.T != -S:
        raise ValueError(f"`S` must be skew-symmetric; got {S}")
    I = sp.eye(S.rows)
    return (I - S) * (I + S).inv()


def mode_solution():
    """``exp(t [[0, lam], [lam, 0]]) (omega_0, alpha_0)``: the flow of one singular pair."""
    G = sp.Matrix([[0, lam], [lam, 0]])
    sol = (t * G).exp() * sp.Matrix([om0, al0])
    return sol.applyfunc(lambda e: sp.simplify(e.rewrite(sp.cosh)))


def multiplicity(f, order_max=6) -> int:
    """Order of the first nonzero derivative of ``f(x)`` at 0 (Zhou et al. 2022, Definition 1)."""
    for p in range(order_max + 1):
        if sp.simplify(sp.diff(f, x, p).subs(x, 0)) != 0:
            return p
    raise ValueError(f"`f` has no nonzero derivative of order <= {order_max} at 0")


def toy_leading_order(channels=1, length=3, s=2, n=2, M=2):
    """Leading order in ``eps`` of the rescaled gradient flow of a 1-D toy CNN (dense head).

    The activation is ``sigma(u) = u + c2 u^2 + c3 u^3`` with symbolic ``c2, c3``: any
    ``sigma`` with ``sigma(0) = 0, sigma'(0) = 1`` (tanh: c2 = 0, c3 = -1/3) agrees with it to
    O(u^4), which enters the velocities only at higher powers of ``eps``; keeping the expression
    polynomial lets SymPy expand exactly instead of running ``series`` on tanh (slow).
    Builds ``f(x) = sum_k sum_p eps abar_kp sigma(eps <wbar_k, x^(p)>)``, the loss
    ``R = 1/(2n) sum_i (f(x_i) - y_i)^2`` and the rescaled velocities
    ``-eps^-2 dR/dwbar_k``, ``-eps^-2 dR/dabar_k``, and takes them at ``eps -> 0``.

    Returns
    -------
    dict with ``A`` (d x |P| data matrix from its definition), ``wdot``, ``adot`` (lists over k of
    the leading-order velocities: the eps^2 Taylor coefficient of -dR/dwbar_k, -dR/dabar_k),
    ``wbar``, ``abar`` (lists over k of symbol vectors), ``patch``, ``y``, ``lower_orders_vanish``
    (whether the eps^0 and eps^1 coefficients are zero, so eps^2 is the leading order).
    """
    eps = sp.Symbol("epsilon", positive=True)
    P = length - s + 1
    d = channels * s
    X = [[[sp.Symbol(f"x{i}_{c}{j}", real=True) for j in range(length)] for c in range(channels)]
         for i in range(n)]
    y = [sp.Symbol(f"y{i}", real=True) for i in range(n)]
    patch = [[sp.Matrix([X[i][c][p + j] for c in range(channels) for j in range(s)]) for p in range(P)]
             for i in range(n)]
    wb = [sp.Matrix([sp.Symbol(f"w{m}_{r}", real=True) for r in range(d)]) for m in range(M)]
    ab = [sp.Matrix([sp.Symbol(f"a{m}_{p}", real=True) for p in range(P)]) for m in range(M)]
    c2, c3 = sp.symbols("c2 c3", real=True)

    def act(u):
        return u + c2 * u ** 2 + c3 * u ** 3

    f = [sum(eps * ab[m][p] * act(eps * (wb[m].T * patch[i][p])[0]) for m in range(M) for p in range(P))
         for i in range(n)]
    R = sp.Rational(1, 2 * n) * sum((f[i] - y[i]) ** 2 for i in range(n))
    A = sp.zeros(d, P)
    for p in range(P):
        A[:, p] = sum((y[i] * patch[i][p] for i in range(n)), sp.zeros(d, 1)) / n

    low = []

    def lead(e):
        # Taylor coefficients in eps of -dR/de (a polynomial in eps): orders 0 and 1 must vanish,
        # order 2 is the rescaled velocity (derivatives at eps = 0 avoid expanding R)
        g = -sp.diff(R, e)
        low.append(_zero(g.subs(eps, 0)) and _zero(sp.diff(g, eps).subs(eps, 0)))
        return sp.expand(sp.diff(g, eps, 2).subs(eps, 0) / 2)

    wdot = [sp.Matrix([lead(e) for e in wb[m]]) for m in range(M)]
    adot = [sp.Matrix([lead(e) for e in ab[m]]) for m in range(M)]
    return {"A": A, "wdot": wdot, "adot": adot, "wbar": wb, "abar": ab, "patch": patch, "y": y,
            "lower_orders_vanish": all(low)}


def t_delta_formula():
    """Solve ``sig1 S e^(2 sig1 T) = delta ybar2 / 2`` for ``T`` (end of the linear stage)."""
    s1, S, dl, yb, T = sp.symbols("sigma_1 S delta ybar2 T", positive=True)
    sol = sp.solve(sp.Eq(s1 * S * sp.exp(2 * s1 * T), dl * yb / 2), T)
    return sol, (s1, S, dl, yb, T)


@functools.lru_cache(maxsize=None)
def _svd_example():
    """Exact rank-2 ``A`` (3 x 4) = U diag(3, 2) V^T with rational orthogonal U, V (Cayley)."""
    U = cayley([[0, sp.Rational(1, 2), 0], [-sp.Rational(1, 2), 0, sp.Rational(1, 3)],
                [0, -sp.Rational(1, 3), 0]])
    V = cayley([[0, 1, 0, sp.Rational(1, 2)], [-1, 0, sp.Rational(1, 4), 0],
                [0, -sp.Rational(1, 4), 0, 1], [-sp.Rational(1, 2), 0, -1, 0]])
    sig = [sp.Integer(3), sp.Integer(2)]
    A = U[:, :2] * sp.diag(*sig) * V[:, :2].T
    return A, U, V, sig


def _toy_is_block_system(d: Derivation) -> None:
    """Step 1: the leading-order flow of a toy CNN is the block system (docs/zhou2023.md §6 item 7)."""
    toy = toy_leading_order(channels=1, length=3, s=2, n=2, M=2)
    A = toy["A"]
    d.step("Toy CNN (1-D, 2 samples of length 3, s = 2, 2 kernels, dense head, sigma(u) = u + c2 u^2 + c3 u^3 "
           "with symbolic c2, c3 (tanh to O(u^4))); data matrix "
           "A_{j,p} = (1/n) sum_i y_i x_i[p + j]", A)
    ok_w = all(_mzero(toy["wdot"][m] - A * toy["abar"][m]) for m in range(2))
    ok_a = all(_mzero(toy["adot"][m] - A.T * toy["wbar"][m]) for m in range(2))
    d.step("Leading order in eps of -eps^-2 dR/dwbar_1 (it involves kernel 1 only)", toy["wdot"][0])
    d.check("orders eps^0, eps^1 of dR/dwbar_k, dR/dabar_k vanish", toy["lower_orders_vanish"])
    d.check("-eps^-2 dR/dwbar_k -> A abar_k (eps -> 0), every k", ok_w)
    d.check("-eps^-2 dR/dabar_k -> A^T wbar_k (eps -> 0), every k", ok_a)
    d.results["A_toy"] = A


def _block_spectrum(d: Derivation) -> None:
    """Step 2: det(xI - B) = x^(|P|-d) det(x^2 I - A A^T) for a symbolic 2 x 3 ``A``."""
    a = sp.Matrix(2, 3, sp.symbols("a11 a12 a13 a21 a22 a23", real=True))
    B = sp.BlockMatrix([[sp.zeros(2, 2), a], [a.T, sp.zeros(3, 3)]]).as_explicit()
    lhs = (x * sp.eye(5) - B).det(method="berkowitz")
    rhs = x * (x ** 2 * sp.eye(2) - a * a.T).det(method="berkowitz")
    d.step("det(xI - B) for a symbolic 2x3 A", sp.factor(lhs))
    d.check("det(xI - B) = x^(|P|-d) det(x^2 I - A A^T)", _zero(sp.expand(lhs - rhs)))


def _svd_propagator(d: Derivation) -> None:
    """Step 3: Prop. 1 (52)-(53) as a propagator X(t) on an exact rank-2 ``A``, frozen block included.

    Records ``frozen factor``: the coefficient of ``(I - U_r U_r^T) w_k(0)`` in ``w_k(t)``, read off X(t).
    """
    A2, U, V, sig = _svd_example()
    d.step("Exact rank-2 example A = U diag(3, 2) V^T (U, V rational orthogonal from Cayley transforms)", A2)
    B2 = sp.BlockMatrix([[sp.zeros(3, 3), A2], [A2.T, sp.zeros(4, 4)]]).as_explicit()
    d.check("spec(B) = {+-3, +-2, 0 (x3)}", B2.eigenvals() == {3: 1, -3: 1, 2: 1, -2: 1, 0: 3})
    Ur, Vr, Qu, Qv = U[:, :2], V[:, :2], U[:, 2:], V[:, 2:]
    Ch = sp.diag(*[sp.cosh(s_ * t) for s_ in sig])
    Sh = sp.diag(*[sp.sinh(s_ * t) for s_ in sig])
    Xt = sp.BlockMatrix([[Ur * Ch * Ur.T + Qu * Qu.T, Ur * Sh * Vr.T],
                         [Vr * Sh * Ur.T, Vr * Ch * Vr.T + Qv * Qv.T]]).as_explicit()
    d.step("Propagator of Prop. 1 (52)-(53), frozen parts Q_U Q_U^T (ker A^T) and Q_V Q_V^T (ker A)", "X(t)")
    d.check("X'(t) = B X(t)", _mzero(sp.diff(Xt, t) - B2 * Xt))
    d.check("X(0) = I", _mzero(Xt.subs(t, 0) - sp.eye(7)))
    d.check("kernel component along u_3 (ker A^T) is frozen: u_3^T X(t) = u_3^T X(0)",
            _mzero(Qu.T * Xt[:3, :] - sp.Matrix.hstack(Qu.T, sp.zeros(1, 4))))
    frozen = sp.simplify((Qu.T * Xt[:3, :3] * Qu)[0])
    d.step("coefficient of the frozen part (I - U_r U_r^T) w_k(0) in w_k(t): u_3^T X_ww(t) u_3", frozen)
    d.results["frozen factor"] = frozen


def _mode_invariants(d: Derivation) -> None:
    """Step 4: one singular pair: cosh/sinh, exponentials, invariants; records the mode propagator."""
    sol = mode_solution()
    w_, a_ = sol
    d.step("exp(t [[0, lambda], [lambda, 0]]) (omega_0, alpha_0)", sol)
    Cp, Cm = (om0 + al0) / 2, (om0 - al0) / 2
    d.check("omega' = lambda alpha, alpha' = lambda omega",
            _zero(sp.diff(w_, t) - lam * a_) and _zero(sp.diff(a_, t) - lam * w_))
    d.check("omega = C+ e^(lambda t) + C- e^(-lambda t), alpha = C+ e^(lambda t) - C- e^(-lambda t)",
            _zero((w_ - Cp * sp.exp(lam * t) - Cm * sp.exp(-lam * t)).rewrite(sp.exp))
            and _zero((a_ - Cp * sp.exp(lam * t) + Cm * sp.exp(-lam * t)).rewrite(sp.exp)))
    d.check("omega'' = lambda^2 omega", _zero(sp.diff(w_, t, 2) - lam ** 2 * w_))
    d.check("omega^2 - alpha^2 is conserved", _zero(sp.diff(w_ ** 2 - a_ ** 2, t)))
    d.check("d/dt (omega^2 + alpha^2)/2 = 2 lambda omega alpha",
            _zero(sp.diff((w_ ** 2 + a_ ** 2) / 2, t) - 2 * lam * w_ * a_))
    d.check("omega alpha = C+^2 e^(2 lambda t) - C-^2 e^(-2 lambda t)",
            _zero((w_ * a_ - Cp ** 2 * sp.exp(2 * lam * t) + Cm ** 2 * sp.exp(-2 * lam * t)).rewrite(sp.exp)))
    d.results.update({"omega(t)": w_, "alpha(t)": a_,
                      "cosh_t": sp.diff(w_, om0), "sinh_t": sp.diff(w_, al0)})


def _gd_analogue(d: Derivation) -> None:
    """Step 5: k GD steps on one pair: eigenvalues 1 +- eta lambda, powers c_k, s_k, flow limit."""
    G = sp.Matrix([[1, eta * lam], [eta * lam, 1]])
    d.check("eigenvalues of the GD step matrix are 1 +- eta lambda",
            G.eigenvals() == {1 + eta * lam: 1, 1 - eta * lam: 1})
    Gk = sp.simplify(G ** k)
    ck = ((1 + eta * lam) ** k + (1 - eta * lam) ** k) / 2
    sk = ((1 + eta * lam) ** k - (1 - eta * lam) ** k) / 2
    d.step("k GD steps on one pair: [[1, eta lambda], [eta lambda, 1]]^k", Gk)
    d.check("G^k = [[c_k, s_k], [s_k, c_k]], c_k, s_k = ((1+eta lam)^k +- (1-eta lam)^k)/2",
            _mzero(Gk - sp.Matrix([[ck, sk], [sk, ck]])))
    d.check("(1 + lambda tau/k)^k -> e^(lambda tau) as k -> oo (GD -> flow at t = k eta)",
            _zero(sp.limit((1 + lam * tau / k) ** k, k, sp.oo) - sp.exp(lam * tau)))
    d.results.update({"c_k": ck, "s_k": sk})


def linear_solution() -> Derivation:
    """Block system, its SVD solution (Prop. 1) with the frozen part, invariants and the GD analogue.

    Results: ``A_toy``; ``frozen factor`` (= 1); ``omega(t)``, ``alpha(t)``, ``cosh_t``, ``sinh_t``
    (mode propagator entries in ``lambda, t``); ``c_k``, ``s_k`` (GD powers in ``lambda, eta, k``).
    """
    d = Derivation("Linearised flow d/dt[w;a] = [[0,A],[A^T,0]][w;a]: exact solution and GD analogue")
    _toy_is_block_system(d)
    _block_spectrum(d)
    _svd_propagator(d)
    _mode_invariants(d)
    _gd_analogue(d)
    return d


def _output_is_mode_sum(d: Derivation) -> None:
    """Under the linear flow (1/n) sum_i y_i f(x_i) = sum_k w_k^T A a_k = sum_j sigma_j omega_j alpha_j."""
    toy = toy_leading_order(channels=1, length=3, s=2, n=2, M=1)
    A, w, a_, patch, y = toy["A"], toy["wbar"][0], toy["abar"][0], toy["patch"], toy["y"]
    f = [sum(a_[p] * (w.T * patch[i][p])[0] for p in range(A.cols)) for i in range(2)]
    d.check("linear sigma: (1/n) sum_i y_i f(x_i) = w^T A a",
            _zero(sum(y[i] * f[i] for i in range(2)) / 2 - (w.T * A * a_)[0]))
    A2, U, V, sig = _svd_example()
    ws = sp.Matrix(sp.symbols("v1:4", real=True))
    as_ = sp.Matrix(sp.symbols("b1:5", real=True))
    modes = sum(sig[j] * (ws.T * U[:, j])[0] * (as_.T * V[:, j])[0] for j in range(2))
    d.check("w^T A a = sum_j sigma_j omega_j alpha_j (exact rank-2 example)",
            _zero((ws.T * A2 * as_)[0] - modes))


def _init_statistics(d: Derivation) -> None:
    """E (C+_k1)^2 = eps^2/2 and P(C+_k1 > 0) = 1/2 for omega, alpha ~ N(0, eps^2) independent."""
    eps = sp.Symbol("epsilon", positive=True)
    Om, Al = Normal("omega", 0, eps), Normal("alpha", 0, eps)
    ECp = sp.simplify(E(((Om + Al) / 2) ** 2))
    d.step("E (C+_k1)^2 with omega_k1, alpha_k1 ~ N(0, eps^2) independent", ECp)
    d.check("E (C+)^2 = eps^2 / 2", _zero(ECp - eps ** 2 / 2))
    share = sp.simplify(Prob(Om + Al > 0))
    d.step("P(C+_k1 > 0): the share of the kernels that go to +u1 (the rest go to -u1)", share)
    d.check("P(C+ > 0) = 1/2", _zero(share - sp.Rational(1, 2)))
    d.results.update({"E C+^2": ECp, "P(C+>0)": share})


def _t_delta(d: Derivation) -> None:
    """T_delta for the flow and for GD (step eta), and dT_delta/dlog M = (gamma - 1)/(2 sigma1)."""
    sol, (s1, S, dl, yb, T) = t_delta_formula()
    d.check("sigma1 S e^(2 sigma1 T) = delta ybar2/2 has one real solution", len(sol) == 1)
    Td = sp.expand_log(sol[0], force=True)
    d.step("T_delta = log(delta ybar2 / (2 sigma1 S)) / (2 sigma1), S = sum_k (C+_k1)^2", Td)
    gd = sp.solve(sp.Eq(s1 * S * (1 + eta * s1) ** (2 * T / eta), dl * yb / 2), T)
    d.check("GD: sigma1 S (1 + eta sigma1)^(2T/eta) = delta ybar2/2 has one real solution", len(gd) == 1)
    Tg = sp.expand_log(gd[0], force=True)
    d.step("GD analogue (e^(2 sigma1 t) -> (1 + eta sigma1)^(2t/eta))", Tg)
    d.check("T_delta(GD) -> T_delta as eta -> 0", _zero(sp.limit(Tg, eta, 0) - Td))
    M, g = sp.symbols("M gamma", positive=True)
    Tm = sp.expand(sp.expand_log(sol[0].subs(S, M * M ** (-g) / 2), force=True))
    d.step("with S = M eps^2 / 2 and eps^2 = M^-gamma", Tm)
    slope = sp.simplify(sp.diff(Tm.subs(M, sp.exp(tau)), tau))
    d.step("dT_delta / d log M", slope)
    d.check("dT_delta / d log M = (gamma - 1) / (2 sigma1)", _zero(slope - (g - 1) / (2 * s1)))
    d.results.update({"T_delta": Td, "T_delta_gd": Tg, "T_delta(M)": Tm, "dT_delta/dlogM": slope})


def alignment() -> Derivation:
    """End of the linear stage T_delta, its growth in log M, the sign split, the multiplicity-1 condition.

    Results: ``T_delta`` (symbols sigma_1, S, delta, ybar2), ``T_delta_gd`` (and eta),
    ``T_delta(M)``, ``dT_delta/dlogM`` (gamma, sigma_1), ``E C+^2``, ``P(C+>0)`` (= 1/2).
    """
    d = Derivation("Alignment with +-u1 during the linear stage; end of the linear stage T_delta")
    _output_is_mode_sum(d)
    _init_statistics(d)
    _t_delta(d)
    fs, ys = sp.symbols("f1:3", real=True), sp.symbols("y1:3", real=True)
    Rl = sum((fs[i] - ys[i]) ** 2 for i in range(2)) / 4
    d.check("R = ybar2/2 - (1/n) sum y f + (1/2n) sum f^2 (n = 2)",
            _zero(Rl - (sum(v ** 2 for v in ys) / 4 - sum(fs[i] * ys[i] for i in range(2)) / 2
                        + sum(v ** 2 for v in fs) / 4)))
    mult = {name: multiplicity(fn) for name, fn in
            (("tanh", sp.tanh(x)), ("x tanh x", x * sp.tanh(x)), ("x^2 tanh x", x ** 2 * sp.tanh(x)))}
    d.step("multiplicity p (first nonzero derivative at 0)", str(mult))
    d.check("tanh has multiplicity 1, x tanh x 2, x^2 tanh x 3",
            mult == {"tanh": 1, "x tanh x": 2, "x^2 tanh x": 3})
    return d


def gap_rate() -> Derivation:
    """Off-u1 / on-u1 ratio decays like e^{-(sigma1 - sigma2) t} (73); GD rate."""
    d = Derivation("Misalignment decays at the rate sigma1 - sigma2")
    l2, D = sp.symbols("lambda_2 Delta", positive=True)
    l1 = l2 + D
    w1 = mode_solution()[0].subs({lam: l1, om0: sp.Symbol("omega_1"), al0: sp.Symbol("alpha_1")})
    w2 = mode_solution()[0].subs({lam: l2, om0: sp.Symbol("omega_2"), al0: sp.Symbol("alpha_2")})
    o1, a1, o2, a2 = sp.symbols("omega_1 alpha_1 omega_2 alpha_2")
    num = sp.powsimp(sp.expand(w2.rewrite(sp.exp) * sp.exp(-l2 * t)))
    den = sp.powsimp(sp.expand(w1.rewrite(sp.exp) * sp.exp(-l1 * t)))
    d.check("(omega_2/omega_1) e^{(sigma1-sigma2)t} = num/den with num = omega_2 e^{-sigma2 t}, den = omega_1 e^{-sigma1 t}",
            _zero((w2 / w1 * sp.exp(D * t) - num / den).rewrite(sp.exp)))
    d.step("numerator omega_2 e^{-sigma2 t}", num)
    lim = sp.limit(num, t, sp.oo) / sp.limit(den, t, sp.oo)
    d.step("lim_{t->oo} (omega_2(t)/omega_1(t)) e^{(sigma1 - sigma2) t}", lim)
    d.check("limit = C+_2 / C+_1 = (omega_2 + alpha_2)/(omega_1 + alpha_1)",
            _zero(lim - (o2 + a2) / (o1 + a1)))
    # d/dt log(omega_2/omega_1) = omega_2'/omega_2 - omega_1'/omega_1; each log-derivative -> its rate
    r1 = sp.limit((sp.diff(w1, t) / w1).rewrite(sp.exp), t, sp.oo)
    r2 = sp.limit((sp.diff(w2, t) / w2).rewrite(sp.exp), t, sp.oo)
    rate = sp.simplify(r2 - r1)
    d.step("lim d/dt log(omega_2/omega_1) = lim omega_2'/omega_2 - lim omega_1'/omega_1", rate)
    d.check("log-ratio slope -> -(sigma1 - sigma2)", _zero(rate + D))
    gd = sp.log((1 + eta * l1) / (1 + eta * l2)) / eta
    d.step("GD: per-unit-time rate of the ratio, log((1+eta sigma1)/(1+eta sigma2))/eta", gd)
    d.check("GD rate -> sigma1 - sigma2 as eta -> 0", _zero(sp.limit(gd, eta, 0) - D))
    ser = sp.series(gd, eta, 0, 2).removeO()
    d.step("GD rate to first order in eta", sp.factor(ser))
    d.results.update({"rate": rate, "gd_rate": gd})
    return d


def multichannel() -> Derivation:
    """Multi-channel data matrix (88) from a 2-channel toy, and the per-channel all-ones u1."""
    d = Derivation("Multi-channel linear stage: A stacks the channels' data matrices")
    toy = toy_leading_order(channels=2, length=3, s=2, n=2, M=1)
    A = toy["A"]
    d.step("2-channel toy: A with rows (c, j)", A)
    d.check("orders eps^0, eps^1 of the gradient vanish (2-channel toy)", toy["lower_orders_vanish"])
    d.check("-eps^-2 dR/dwbar -> A abar", _mzero(toy["wdot"][0] - A * toy["abar"][0]))
    d.check("-eps^-2 dR/dabar -> A^T wbar", _mzero(toy["adot"][0] - A.T * toy["wbar"][0]))
    one = toy_leading_order(channels=1, length=3, s=2, n=2, M=1)["A"]
    y = toy["y"]
    ch2 = one.subs({sp.Symbol(f"x{i}_0{j}", real=True): sp.Symbol(f"x{i}_1{j}", real=True)
                    for i in range(2) for j in range(3)}, simultaneous=True)
    d.check("A = [A^(channel 0); A^(channel 1)] (rows stacked per channel)",
            _mzero(A - sp.Matrix.vstack(one, ch2)) and len(y) == 2)
    g = sp.symbols("g1:4", positive=True)
    kappa = sp.Symbol("kappa", positive=True)
    s2, P = 4, 3
    col = sp.Matrix([g[c] for c in range(3) for _ in range(s2)])
    Ar = kappa * col * sp.ones(1, P)
    d.step("Constant class contrast with channel gains g: A = kappa (g (x) 1_{s^2}) 1_P^T", "A = kappa g 1^T")
    top = kappa ** 2 * P * s2 * sum(v ** 2 for v in g)
    d.check("rank A = 1, so A A^T has one nonzero eigenvalue (sigma2 = 0: the largest gap)", Ar.rank() == 1)
    d.check("trace A A^T = kappa^2 |P| s^2 |g|^2 = sigma1^2", _zero((Ar * Ar.T).trace() - top))
    d.check("u1 = g (x) 1 / |g (x) 1|: A A^T u1 = sigma1^2 u1", _mzero(Ar * Ar.T * col - top * col))
    blocks = [col[c * s2:(c + 1) * s2, 0] for c in range(3)]
    cos = [sp.simplify((b.T * sp.ones(s2, 1))[0] / (b.norm() * sp.sqrt(s2))) for b in blocks]
    d.check("each channel block of u1 has cosine 1 with the all-ones vector", all(c == 1 for c in cos))
    _init_statistics(d)        # the sign split and T_delta are those of the single-channel case:
    _t_delta(d)                # A enters only through sigma_1, u_1, v_1 (Thm 4)
    d.results.update({"A_2ch": A})
    return d
