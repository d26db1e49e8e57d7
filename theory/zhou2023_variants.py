"""Linear stage of two-layer CNN condensation beyond MSE: the loss enters through a label transform.

Zhou, Zhou, Li, Xu, "Understanding the Initial Condensation of Convolutional Neural Networks",
arXiv 2305.09947 (2023), Fig. 5 (cross-entropy); linear stage (32)-(34) and data matrix (44) as
rebuilt in ``docs/zhou2023.md`` §1-§2; this module's statements in ``docs/zhou2023_variants.md``.

For a per-sample loss ``l(f, y)`` and ``R = (1/n) sum_i l(f(x_i), y_i)``, the small-initialisation
flow is the same block system ``d/dt [w_k; a_k] = [[0, A_g], [A_g^T, 0]] [w_k; a_k]`` with the data
matrix built from the *transformed labels* ``g_i = -dl/df (f = 0, y_i)``:
``A_g = (1/n) sum_i g_i x_i^(p)``.  MSE (``l = (f - y)^2 / 2``) gives ``g = y``; binary
cross-entropy on logits (``l = log(1 + e^f) - y f``, labels in {0, 1}) gives ``g = y - 1/2``.
"""
from __future__ import annotations

import functools

import sympy as sp

from theory.derivation import Derivation

__all__ = ["label_transform", "toy_leading_order_loss", "cross_entropy", "toy_shifted_activation",
           "shifted_activation"]

f, y, s = sp.symbols("f y s", real=True)


def _losses():
    """Per-sample losses ``l(f, y)`` by name (f: the network output, a logit for the CE losses)."""
    return {"mse": (f - y) ** 2 / 2,
            "bce": sp.log(1 + sp.exp(f)) - y * f,            # = BCE(sigmoid(f), y), y in {0, 1}
            "logistic": sp.log(1 + sp.exp(-s * f))}          # labels s in {-1, +1}


def label_transform(loss):
    """``g(y) = -dl/df`` at ``f = 0`` (the label that enters ``A_g``) and the curvature
    ``d^2 l / df^2`` at ``f = 0`` (the weight of the dropped ``f`` term, docs/zhou2023.md §3).

    Parameters
    ----------
    loss : {"mse", "bce", "logistic"}

    Returns
    -------
    (sympy.Expr, sympy.Expr)
    """
    table = _losses()
    if loss not in table:
        raise ValueError(f"`loss` must be one of {sorted(table)}; got {loss!r}")
    ell = table[loss]
    g = sp.simplify(-sp.diff(ell, f).subs(f, 0))
    curv = sp.simplify(sp.diff(ell, f, 2).subs(f, 0))
    return g, curv


@functools.lru_cache(maxsize=None)
def toy_leading_order_loss(loss, length=3, ks=2, n=2, M=1):
    """Leading order in ``eps`` of the rescaled flow of a 1-D toy CNN (dense head) under ``loss``.

    ``f(x) = sum_p eps abar_p sigma(eps <wbar, x^(p)>)`` with ``sigma(u) = u + c2 u^2`` (any
    ``sigma(0) = 0, sigma'(0) = 1`` agrees to O(u^3), which enters only at higher powers of eps),
    ``R = (1/n) sum_i l(f(x_i), y_i)``; the rescaled velocities ``-eps^-2 dR/dwbar`` and
    ``-eps^-2 dR/dabar`` at ``eps = 0`` (docs/zhou2023.md §2, here with a general loss).

    Returns
    -------
    dict with ``wdot`` (d x 1), ``adot`` (|P| x 1), ``wbar``, ``abar``, ``patch`` (n lists of
    |P| column vectors), ``y`` (n label symbols).
    """
    eps = sp.Symbol("epsilon", positive=True)
    c2 = sp.Symbol("c2", real=True)
    P = length - ks + 1
    X = [[sp.Symbol(f"x{i}_{j}", real=True) for j in range(length)] for i in range(n)]
    ys = [sp.Symbol(f"y{i}", real=True) for i in range(n)]
    patch = [[sp.Matrix(X[i][p:p + ks]) for p in range(P)] for i in range(n)]
    wb = sp.Matrix([sp.Symbol(f"w_{r}", real=True) for r in range(ks)])
    ab = sp.Matrix([sp.Symbol(f"a_{p}", real=True) for p in range(P)])
    act = lambda u: u + c2 * u ** 2                                   # noqa: E731
    out = [sum(eps * ab[p] * act(eps * (wb.T * patch[i][p])[0]) for p in range(P)) for i in range(n)]
    ell = _losses()[loss]
    var = s if loss == "logistic" else y
    R = sum(ell.subs({f: out[i], var: ys[i]}) for i in range(n)) / n

    def lead(e):
        return sp.expand(sp.expand(-sp.diff(R, e) / eps ** 2).subs(eps, 0))

    return {"wdot": sp.Matrix([lead(e) for e in wb]), "adot": sp.Matrix([lead(e) for e in ab]),
            "wbar": wb, "abar": ab, "patch": patch, "y": ys}


def cross_entropy() -> Derivation:
    """Derivation of claim ``zhou2023.cross-entropy-data-matrix``: the loss changes ``A`` only
    through ``g_i = -dl/df|_{f=0}``; BCE on {0, 1} labels gives ``g = y - 1/2``, MSE ``g = y``."""
    d = Derivation("Linear stage under MSE and cross-entropy: data matrix of the transformed labels")
    res = {}
    for name in ("mse", "bce", "logistic"):
        g, curv = label_transform(name)
        d.step(f"{name}: per-sample loss l(f, y)", sp.Eq(sp.Symbol("l"), _losses()[name]))
        d.step(f"{name}: g = -dl/df at f = 0", sp.Eq(sp.Symbol("g"), g))
        d.step(f"{name}: curvature d2l/df2 at f = 0 (weight of the dropped f term)", curv)
        res[f"g_{name}"], res[f"curvature_{name}"] = g, curv
    d.results.update(res)
    d.check("BCE label transform is y - 1/2 (centred labels)", bool(sp.simplify(res["g_bce"] - (y - sp.Rational(1, 2))) == 0))
    d.check("logistic (+-1 labels) transform is s/2 = BCE transform at y = (s+1)/2",
            bool(sp.simplify(res["g_logistic"] - res["g_bce"].subs(y, (s + 1) / 2)) == 0))
    for name in ("mse", "bce"):
        toy = toy_leading_order_loss(name)
        gfun = sp.Lambda(y, res[f"g_{name}"])
        n, P = len(toy["y"]), len(toy["patch"][0])
        Ag = sp.Matrix.hstack(*[sum((gfun(toy["y"][i]) * toy["patch"][i][p] for i in range(n)),
                                    sp.zeros(len(toy["wbar"]), 1)) / n for p in range(P)])
        d.step(f"{name}: toy CNN leading-order velocity of wbar", toy["wdot"])
        d.check(f"{name}: leading order of -eps^-2 dR/dwbar is A_g abar",
                all(sp.expand(e) == 0 for e in toy["wdot"] - Ag * toy["abar"]))
        d.check(f"{name}: leading order of -eps^-2 dR/dabar is A_g^T wbar",
                all(sp.expand(e) == 0 for e in toy["adot"] - Ag.T * toy["wbar"]))
    d.step("so the block system of docs/zhou2023.md §2 holds with A_g = (1/n) sum_i g_i x_i^(p)",
           r"A_g=\tfrac1n\textstyle\sum_i g(y_i)\,x_i^{(p)}")
    return d


@functools.lru_cache(maxsize=None)
def toy_shifted_activation(length=3, ks=2, n=2, M=2):
    """Rescaled MSE velocities of a 1-D toy CNN whose activation has ``sigma(0) = c0 != 0``.

    ``sigma(u) = c0 + c1 u + c2 u^2``; ``f(x) = sum_{k,p} eps abar_kp sigma(eps <wbar_k, x^(p)>)``,
    ``R = 1/(2n) sum_i (f(x_i) - y_i)^2`` (docs/zhou2023.md §1).  Returns the Laurent
    coefficients in ``eps`` of ``-eps^-2 dR/dabar`` (orders -1 and 0) and of ``-eps^-2 dR/dwbar``
    (order 0), with the symbols used (dict).
    """
    eps = sp.Symbol("epsilon", positive=True)
    c0, c1, c2 = sp.symbols("c0 c1 c2", real=True)
    P = length - ks + 1
    X = [[sp.Symbol(f"x{i}_{j}", real=True) for j in range(length)] for i in range(n)]
    ys = [sp.Symbol(f"y{i}", real=True) for i in range(n)]
    patch = [[sp.Matrix(X[i][p:p + ks]) for p in range(P)] for i in range(n)]
    wb = [sp.Matrix([sp.Symbol(f"w{m}_{r}", real=True) for r in range(ks)]) for m in range(M)]
    ab = [sp.Matrix([sp.Symbol(f"a{m}_{p}", real=True) for p in range(P)]) for m in range(M)]
    act = lambda u: c0 + c1 * u + c2 * u ** 2                            # noqa: E731
    out = [sum(eps * ab[m][p] * act(eps * (wb[m].T * patch[i][p])[0]) for m in range(M) for p in range(P))
           for i in range(n)]
    R = sum((out[i] - ys[i]) ** 2 for i in range(n)) / (2 * n)

    def coeff(e, power):
        """Coefficient of eps^power in -dR/de (so of eps^(power-2) in -eps^-2 dR/de)."""
        return sp.expand(-sp.diff(R, e)).coeff(eps, power)

    return {"adot_m1": [sp.Matrix([coeff(e, 1) for e in ab[m]]) for m in range(M)],
            "adot_0": [sp.Matrix([coeff(e, 2) for e in ab[m]]) for m in range(M)],
            "wdot_0": [sp.Matrix([coeff(e, 2) for e in wb[m]]) for m in range(M)],
            "wbar": wb, "abar": ab, "patch": patch, "y": ys, "c": (c0, c1, c2)}


def shifted_activation() -> Derivation:
    """Derivation of claim ``zhou2023.softplus-linear-stage``: with ``c0 = sigma(0) != 0`` the
    rescaled linear stage is ``wdot_k = c1 A a_k``, ``adot_kp = c1 (A^T w_k)_p + c0 ybar / eps
    - c0^2 sum_{k'p'} a_k'p'`` (``c1 = sigma'(0)``); softplus: ``c0 = log 2``, ``c1 = 1/2``."""
    d = Derivation("Linear stage with sigma(0) != 0: rate sigma'(0), forcing sigma(0) ybar, common-mode damping sigma(0)^2")
    u = sp.Symbol("u", real=True)
    for name, expr in (("softplus", sp.log(1 + sp.exp(u))), ("sigmoid", 1 / (1 + sp.exp(-u)))):
        c0v, c1v = sp.simplify(expr.subs(u, 0)), sp.simplify(sp.diff(expr, u).subs(u, 0))
        d.step(f"{name}: sigma(0), sigma'(0)", sp.Tuple(c0v, c1v))
        d.results[f"sigma0_{name}"], d.results[f"dsigma0_{name}"] = c0v, c1v
    toy = toy_shifted_activation()
    c0, c1, _ = toy["c"]
    n, P, M = len(toy["y"]), len(toy["patch"][0]), len(toy["wbar"])
    A = sp.Matrix.hstack(*[sum((toy["y"][i] * toy["patch"][i][p] for i in range(n)), sp.zeros(2, 1)) / n
                           for p in range(P)])
    ybar = sum(toy["y"]) / n
    S = sum(sum(a) for a in toy["abar"])
    ones = sp.ones(P, 1)
    d.step("order eps^-1 of adot (O(1) unrescaled drift of every readout)", toy["adot_m1"][0])
    d.step("order eps^0 of adot, kernel 0", toy["adot_0"][0])
    d.check("order eps^-1 of adot_k is c0 ybar 1 (zero iff the labels are centred)",
            all(sp.expand(e) == 0 for m in range(M) for e in toy["adot_m1"][m] - c0 * ybar * ones))
    d.check("order eps^0 of adot_k is c1 A^T w_k - c0^2 (sum of all readouts) 1",
            all(sp.expand(e) == 0 for m in range(M)
                for e in toy["adot_0"][m] - c1 * A.T * toy["wbar"][m] + c0 ** 2 * S * ones))
    d.check("order eps^0 of wdot_k is c1 A a_k",
            all(sp.expand(e) == 0 for m in range(M) for e in toy["wdot_0"][m] - c1 * A * toy["abar"][m]))
    d.results["rate_factor"] = c1
    d.results["common_mode"] = c0 ** 2
    d.step("common-mode eigenvalue of the readouts: -c0^2 M |P| (GD stable only for eta < 2/(c0^2 M |P|))",
           -c0 ** 2 * sp.Symbol("M") * sp.Symbol("P"))
    return d
