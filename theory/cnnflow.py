"""SymPy derivations for the gradient flow of the two-layer CNN (``docs/cnnflow.md`` §1-4).

Every formula here is produced by SymPy from the model's definition (loss, gradients by
differentiation, Euler's relation for homogeneous activations), never typed in as a result.

(i)   :func:`conservation` -- ``d/dt (||a_k||^2 - (||w_k||^2 + b_k^2)/p) = 0`` for positively
      p-homogeneous sigma, for the map, gap (mean) and dense (per-position readout) heads.
(ii)  :func:`energy_identity` -- ``dL/dt = -||grad L||^2`` along ``theta' = -grad L``.
(iii) :func:`coefficient_ode` -- ``a(t) = e^{-Gt} a0 + G^+ (I - e^{-Gt}) b`` solves
      ``a' = -G a + b`` for singular G, with the range lemma ``b in range G``.
(iv)  :func:`gd_drift` -- exact one-step change of ``Q_k`` under gradient descent.

Model used by (i), (ii), (iv): one channel (kernel ``w`` with ``nw`` entries, bias ``b``, readout
``a``) acting on ``S`` samples with ``N`` positions; patches ``x[s][l]`` are symbols, a fixed head
weight ``h_l`` per position (``h_l = 1`` map-sum, ``1/N`` mean, any readout), the other channels'
contribution ``c_s`` and targets ``y_s`` are symbols, and ``sigma`` is an undefined function.
"""
from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation

__all__ = ["conservation", "energy_identity", "coefficient_ode", "gd_drift", "channel_model"]

S_, N_, NW = 2, 2, 2          # samples, positions, kernel entries of the symbolic model


def channel_model(head: str = "map", bias: bool = True, samples: int = S_):
    """Symbolic one-channel CNN loss.

    Returns
    -------
    dict with keys ``L`` (loss), ``a`` (list of readout symbols: one, or one per position for
    ``head="dense"``), ``w`` (list), ``b`` (symbol or 0), ``z`` (S x N pre-activations),
    ``sigma`` (undefined function), ``theta`` (all parameter symbols).
    """
    sigma = sp.Function("sigma")
    w = list(sp.symbols(f"w0:{NW}", real=True))
    b = sp.Symbol("b", real=True) if bias else sp.Integer(0)
    x = [[list(sp.symbols(f"x{s}_{l}_0:{NW}", real=True)) for l in range(N_)] for s in range(samples)]
    y = sp.symbols(f"y0:{samples}", real=True)
    c = sp.symbols(f"c0:{samples}", real=True)
    h = sp.symbols(f"h0:{N_}", real=True)
    if head == "dense":
        a = list(sp.symbols(f"a0:{N_}", real=True))
        coef = lambda l: a[l]
    else:
        a = [sp.Symbol("a", real=True)]
        coef = lambda l: a[0] * h[l]
    z = [[sum(wj * xj for wj, xj in zip(w, x[s][l])) + b for l in range(N_)] for s in range(samples)]
    u = [sum(coef(l) * sigma(z[s][l]) for l in range(N_)) + c[s] for s in range(samples)]
    L = sp.Rational(1, 2) * sum((u[s] - y[s]) ** 2 for s in range(samples))
    theta = a + w + ([b] if bias else [])
    return {"L": L, "a": a, "w": w, "b": b, "z": z, "sigma": sigma, "theta": theta, "bias": bias}


def _euler_subs(expr, model, p):
    """Replace every sigma'(z) by p sigma(z)/z (Euler's relation of a p-homogeneous sigma).

    ``sympy.diff`` writes sigma'(z(w)) as ``Subs(Derivative(sigma(xi), xi), xi, z)``.
    """
    sigma = model["sigma"]
    reps = {}
    for d in expr.atoms(sp.Subs):
        arg = d.point[0]
        reps[d] = p * sigma(arg) / arg
    return expr.xreplace(reps)


def _is_zero(expr) -> bool:
    """Rational-function simplification to 0 (numerator expanded)."""
    return sp.expand(sp.numer(sp.together(sp.expand(expr)))) == 0


def _Qdot(model, p):
    """dQ/dt along theta' = -grad L, Q = sum a^2 - (||w||^2 + b^2)/p, from differentiation."""
    L = model["L"]
    dot = -2 * sum(ai * sp.diff(L, ai) for ai in model["a"])
    inner = sum(wj * sp.diff(L, wj) for wj in model["w"])
    if model["bias"]:
        inner += model["b"] * sp.diff(L, model["b"])
    return dot + 2 * inner / p


def _conserved_coefficients(p):
    """Solve dQ/dt = 0 for the weights of ``Q = a^2 - c_w ||w||^2 - c_b b^2`` (docs/cnnflow.md §1).

    dQ/dt is formed by ``sympy.diff`` along theta' = -grad L on the one-sample map-head model with
    bias, Euler's relation substituted; it must vanish for every value of the patches, targets,
    parameters and of sigma, so every coefficient of it (as a polynomial in those) is set to 0.

    Returns
    -------
    (c_w, c_b) : tuple of sympy expressions in ``p``
    """
    cw, cb = sp.symbols("c_w c_b")
    model = channel_model("map", True, samples=1)
    L = model["L"]
    dot = (-2 * sum(ai * sp.diff(L, ai) for ai in model["a"])
           + 2 * cw * sum(wj * sp.diff(L, wj) for wj in model["w"]) + 2 * cb * model["b"] * sp.diff(L, model["b"]))
    num = sp.numer(sp.together(sp.expand(_euler_subs(dot, model, p))))
    sig = sorted(num.atoms(sp.Function), key=str)
    gens = [g for g in sig if g.func == model["sigma"]] + sorted(num.free_symbols - {cw, cb, p}, key=str)
    coeffs = sp.Poly(sp.expand(num), *gens).coeffs()
    sol = sp.solve(coeffs, [cw, cb], dict=True)
    if len(sol) != 1:
        raise ArithmeticError(f"expected one solution for (c_w, c_b); got {sol}")
    return sp.simplify(sol[0][cw]), sp.simplify(sol[0][cb])


def _fixed_horizon_order(eta):
    """Order in eta of T/eta increments of size eta^2 over a fixed horizon T (SymPy degree)."""
    T = sp.Symbol("T", positive=True)
    return sp.Integer(sp.degree(sp.expand(eta ** 2 * T / eta), eta))


def conservation() -> Derivation:
    """(i) Conservation of ``Q_k`` for positively p-homogeneous sigma, every head, with/without bias."""
    d = Derivation("Conservation law of a_k^2 - (||w_k||^2 + b_k^2)/p under gradient flow")
    p = sp.Symbol("p", positive=True)
    zz = sp.Symbol("z", real=True)
    d.step("Positive p-homogeneity sigma(lambda z) = lambda^p sigma(z); differentiating in lambda at "
           "lambda = 1 gives Euler's relation", sp.Eq(zz * sp.Derivative(sp.Function("sigma")(zz), zz),
                                                      p * sp.Function("sigma")(zz)))
    lam = sp.Symbol("lambda", positive=True)
    relu_ok = all(sp.simplify(sp.Max(lam * v, 0) - lam * sp.Max(v, 0)) == 0 for v in (-2, 3))
    d.check("ReLU is positively 1-homogeneous at sample points z = -2, 3", bool(relu_ok))
    for head in ("map", "gap", "dense"):
        for bias in (True, False):
            model = channel_model(head, bias)
            qd = _Qdot(model, p)
            if (head, bias) == ("map", True):
                d.step("dQ/dt = -2 (a dL/da - (<w, grad_w L> + b dL/db)/p), gradients by sympy.diff "
                       "of L = 1/2 sum_s (sum_l a h_l sigma(z_sl) + c_s - y_s)^2 (2 samples, 2 positions, "
                       "kernel of 2 entries, bias)", sp.Symbol(r"\dot Q"))
            d.check(f"dQ/dt = 0 with Euler's relation, head={head}, bias={bias}",
                    _is_zero(_euler_subs(qd, model, p)))
    d.step("After substituting sigma'(z) = p sigma(z)/z, dQ/dt simplifies to", sp.Integer(0))
    c_w, c_b = _conserved_coefficients(p)
    d.step("Which weights make Q = a^2 - c_w ||w||^2 - c_b b^2 conserved? dQ/dt = 0 identically "
           "(one sample, map head, with bias) only for", sp.Eq(sp.Tuple(sp.Symbol("c_w"), sp.Symbol("c_b")),
                                                             sp.Tuple(c_w, c_b)))
    d.check("the conserved weights are unique: c_w = c_b = 1/p", bool(sp.simplify(c_w - 1 / p) == 0
                                                                       and sp.simplify(c_b - 1 / p) == 0))
    # control: tanh counterexample, m = N = q = 1, x = 1, F = 0, a = w = 1
    a, w = sp.symbols("a w", real=True)
    L = sp.Rational(1, 2) * (a * sp.tanh(w)) ** 2
    qd = (-2 * (a * sp.diff(L, a) - w * sp.diff(L, w))).subs({a: 1, w: 1})
    qd = sp.simplify(qd)
    d.step("tanh is not homogeneous: one neuron, x = 1, F = 0, a = w = 1 gives dQ/dt =", qd)
    d.check("tanh counterexample dQ/dt != 0 (= -0.5203513083...)", bool(abs(float(qd) + 0.520351308323) < 1e-11))
    d.results["Qdot_homogeneous"] = sp.Integer(0)
    d.results["c_w"] = c_w
    d.results["c_b"] = c_b
    eta = sp.Symbol("eta", positive=True)
    d.results["gd_drift_order"] = _fixed_horizon_order(eta)
    d.step("Gradient descent moves Q by O(eta^2) per step (§2), T/eta steps: drift of order",
           d.results["gd_drift_order"])
    d.results["Qdot_tanh_counterexample"] = qd
    return d


def energy_identity() -> Derivation:
    """(ii) ``dL/dt = -||grad L||^2`` along gradient flow, by the chain rule on the symbolic model."""
    d = Derivation("Energy identity dL/dt = -||grad L||^2")
    tt = sp.Symbol("t", real=True)
    model = channel_model("map", True)
    L, theta = model["L"], model["theta"]
    funcs = [sp.Function(f"theta_{i}")(tt) for i in range(len(theta))]
    Lt = L.subs(dict(zip(theta, funcs)))
    grads = [sp.diff(L, th).subs(dict(zip(theta, funcs))) for th in theta]
    dLdt = sp.diff(Lt, tt)
    flow = {sp.Derivative(f, tt): -g for f, g in zip(funcs, grads)}
    dLdt = dLdt.subs(flow)
    g2 = sum(g ** 2 for g in grads)
    res = sp.expand(dLdt + g2)
    kappa = sp.simplify(-1 + res / g2)            # dL/dt = kappa ||g||^2 with kappa = -1 + (dL/dt + ||g||^2)/||g||^2
    d.step("Chain rule dL/dt = sum_i dL/dtheta_i * theta_i'(t), with theta_i' = -dL/dtheta_i "
           "(sigma undefined, C^1)", sp.Eq(sp.Symbol(r"\dot L"), -sp.Symbol(r"\|\nabla L\|^2")))
    d.check("dL/dt + ||grad L||^2 simplifies to 0", bool(res == 0))
    d.step("dL/dt = kappa ||grad L||^2 term by term, kappa =", kappa)
    d.check("dL/dt = kappa ||grad L||^2 with the constant kappa = -1", bool(kappa == -1))
    eta, g2, kap = sp.symbols("eta g2 kappa", positive=True)
    bound = -eta * g2 + kap * eta ** 2 * g2 / 2
    d.step("GD with kappa-Lipschitz gradient: L(theta - eta g) - L(theta) <= -eta ||g||^2 + "
           "kappa eta^2 ||g||^2 / 2, negative iff", sp.solve(sp.Lt(bound, 0), eta))
    # quadratic case: exact change of L(a) = a^T G a / 2 - a^T b along a GD step
    G = sp.Matrix([[2, 1], [1, 3]])
    bv = sp.Matrix([1, -1])
    av = sp.Matrix(sp.symbols("a0 a1", real=True))
    La = (av.T * G * av / 2 - av.T * bv)[0]
    g = G * av - bv
    step = sp.expand(La.subs(dict(zip(av, av - eta * g)), simultaneous=True) - La)
    target = sp.expand(-eta * (g.T * g)[0] + eta ** 2 / 2 * (g.T * G * g)[0])
    d.step("Quadratic loss (frozen kernels): L(a - eta g) - L(a) = -eta ||g||^2 + eta^2 g^T G g / 2",
           sp.factor(step))
    d.check("quadratic GD step formula", bool(sp.simplify(step - target) == 0))
    lam = sp.Symbol("lambda", positive=True)
    roots = sp.solve(-eta + eta ** 2 * lam / 2, eta)       # step along an eigenvector of G, g^T G g = lam |g|^2
    threshold = sp.simplify([r for r in roots if r != 0][0] * lam)
    d.step("Along an eigenvector of G with eigenvalue lambda the step changes L by |g|^2 (-eta + eta^2 lambda/2), "
           "which is <= 0 iff eta lambda <=", threshold)
    d.check("GD stability threshold eta lambda_max = 2", bool(threshold == 2))
    d.results["dL_dt"] = -sp.Symbol(r"\|\nabla L\|^2")
    d.results["dL_dt_coefficient"] = kappa
    d.results["gd_threshold"] = threshold
    return d


def coefficient_ode() -> Derivation:
    """(iii) Closed form of ``a' = -G a + b`` for a singular Gram matrix, with the range lemma."""
    d = Derivation("Coefficient ODE with frozen kernels: a(t) = e^{-Gt} a0 + G^+ (I - e^{-Gt}) b")
    tt = sp.Symbol("t", nonnegative=True)
    V = sp.Matrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3
    d.check("V orthogonal", bool(sp.simplify(V * V.T - sp.eye(3)) == sp.zeros(3)))
    Phi = sp.Matrix([[1, 0, 0], [0, 2, 0]]) * V.T            # feature map R^3 -> R^2, rank 2
    G = sp.simplify(Phi.T * Phi)
    F = sp.Matrix(sp.symbols("F0 F1", real=True))
    b = Phi.T * F
    d.step("Gram matrix G = Phi^T Phi (rank 2, singular)", G)
    d.check("G is singular (det G = 0)", bool(sp.simplify(G.det()) == 0))
    Gp = G.pinv()
    lemma = sp.simplify((sp.eye(3) - G * Gp) * b)
    d.step("Range lemma: b = Phi^T F lies in range G, (I - G G^+) b =", lemma)
    d.check("range lemma (I - G G^+) b = 0 for symbolic F", bool(lemma == sp.zeros(3, 1)))
    a0 = sp.Matrix(sp.symbols("alpha0:3", real=True))
    E = (-G * tt).exp()
    a = sp.simplify(E * a0 + Gp * (sp.eye(3) - E) * b)
    d.step("Candidate a(t) = exp(-G t) a0 + G^+ (I - exp(-G t)) b", a)
    resid = sp.simplify(a.diff(tt) + G * a - b)
    d.check("ODE residual a' + G a - b simplifies to 0", bool(resid == sp.zeros(3, 1)))
    d.check("initial value a(0) = a0", bool(sp.simplify(a.subs(tt, 0) - a0) == sp.zeros(3, 1)))
    null = V[:, 2]
    d.check("null-space component <v0, a(t)> is constant", bool(sp.simplify((null.T * (a - a0))[0]) == 0))
    La = (a0.T * G * a0 / 2 - a0.T * b)[0]
    vel = -sp.Matrix([sp.diff(La, x) for x in a0])
    vG = sp.simplify(vel.jacobian(a0)[0, 0] / G[0, 0])
    vb = sp.simplify(vel.subs({x: 0 for x in a0})[0] / b[0])
    d.step("Frozen loss L(a) = a^T G a/2 - a^T b: the velocity -grad L = v_G G a + v_b b with (v_G, v_b) =",
           sp.Tuple(vG, vb))
    d.check("-grad L = -G a + b", bool(sp.simplify(vel - (vG * G * a0 + vb * b)) == sp.zeros(3, 1)))
    d.results["a(t)"] = sp.Symbol("e^{-Gt}a_0") + sp.Symbol("G^{+}(I-e^{-Gt})b")
    d.results["velocity_G"] = vG
    d.results["velocity_b"] = vb
    d.results["example_solution"] = a
    return d


def _drift_coefficients(eta, p):
    """Coefficients of eta^2 |g_a|^2, eta^2 ||g_w||^2, eta^2 g_b^2 in Q(theta - eta g) - Q(theta).

    ``Q = a^2 - (||w||^2 + b^2)/p`` with two kernel entries; the gradient components are free
    symbols here (the Euler relation is what removes the eta-linear term, checked on the model).

    Returns
    -------
    (c_a, c_w, c_b) : tuple of sympy expressions in ``p``
    """
    a, b, ga, gb = sp.symbols("a b g_a g_b", real=True)
    w = sp.symbols("w0:2", real=True)
    gw = sp.symbols("g_w0:2", real=True)
    Q = lambda A, W, B: A ** 2 - (sum(x ** 2 for x in W) + B ** 2) / p
    dQ = sp.expand(Q(a - eta * ga, [x - eta * g for x, g in zip(w, gw)], b - eta * gb) - Q(a, w, b))
    quad = dQ.coeff(eta, 2)
    return (quad.coeff(ga, 2), quad.coeff(gw[0], 2), quad.coeff(gb, 2))


def gd_drift() -> Derivation:
    """(iv) Exact one-step change of ``Q`` under gradient descent: ``eta^2 (|g_a|^2 - ||g_w||^2 - g_b^2)/...``."""
    d = Derivation("Exact gradient-descent drift of a_k^2 - ||w_k||^2 - b_k^2")
    eta = sp.Symbol("eta", positive=True)
    p = sp.Symbol("p", positive=True)
    coef = _drift_coefficients(eta, p)
    d.step("Q(theta - eta g) - Q(theta) for symbolic gradient components (g_a, g_w, g_b): coefficients of "
           "eta^2 |g_a|^2, eta^2 ||g_w||^2, eta^2 g_b^2", sp.Tuple(*coef))
    order = _fixed_horizon_order(eta)
    d.step("T/eta steps of size O(eta^2) over a fixed horizon T: the drift is of order", order)
    d.check("drift order over a fixed horizon is 1", bool(order == 1))
    for head in ("map", "dense"):
        model = channel_model(head, True, samples=1)   # one sample keeps the expansion small
        L, a, w, b = model["L"], model["a"], model["w"], model["b"]
        ga = [sp.diff(L, ai) for ai in a]
        gw = [sp.diff(L, wj) for wj in w]
        gb = sp.diff(L, b)
        Q = lambda A, W, B: sum(x ** 2 for x in A) - (sum(x ** 2 for x in W) + B ** 2) / p
        dQ = sp.expand(Q([ai - eta * g for ai, g in zip(a, ga)], [wj - eta * g for wj, g in zip(w, gw)],
                         b - eta * gb) - Q(a, w, b))
        lin = dQ.coeff(eta, 1)
        quad = dQ.coeff(eta, 2)
        pred = sum(g ** 2 for g in ga) - (sum(g ** 2 for g in gw) + gb ** 2) / p
        d.check(f"no terms beyond eta^2 ({head})", bool(sp.expand(dQ - lin * eta - quad * eta ** 2) == 0))
        d.check(f"linear term vanishes by Euler's relation ({head})",
                _is_zero(_euler_subs(lin, model, p)))
        d.check(f"eta^2 term equals |g_a|^2 - (||g_w||^2 + g_b^2)/p ({head})",
                _is_zero(quad - pred))
        if head == "map":
            d.step("Expand Q(theta - eta g) - Q(theta) in eta: linear coefficient (before Euler)",
                   r"-2\left(a\, g_a - (\langle w, g_w\rangle + b\, g_b)/p\right)")
    res = eta ** 2 * (sp.Symbol(r"{\|g_a\|^2}") - (sp.Symbol(r"{\|g_w\|^2}") + sp.Symbol(r"{g_b^2}")) / p)
    d.step("Hence, exactly for every eta", sp.Eq(sp.Symbol(r"Q^{t+1}-Q^{t}"), res))
    d.results["Delta_Q"] = res
    d.results["coef_ga"], d.results["coef_gw"], d.results["coef_gb"] = coef
    d.results["drift_order"] = order
    d.check("eta^2 coefficients are (1, -1/p, -1/p)", bool(sp.simplify(sp.Matrix(coef) - sp.Matrix([1, -1 / p, -1 / p]))
                                                          == sp.zeros(3, 1)))
    return d
