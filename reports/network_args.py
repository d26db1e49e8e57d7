"""The CLI's description of a user's network: ``--activation/--depth/--W-std/--b-std/--kind/--plot``.

``--activation`` is a name (:data:`theory.dual.NAMED`) or an expression in ``x`` read by SymPy's
parser with a restricted namespace: only the names in :data:`ALLOWED` (no builtins, no attribute
access, no ``eval``: the parser turns the text into SymPy objects and anything else is refused).
Bad input raises ValueError, which the CLI prints on one line with exit status 2.
"""
from __future__ import annotations

import ast
import math
import re
from typing import Any

import sympy
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from theory.dual import NAMED, network_kernel
from theory.dual.gaussian import x
from theory.validate import D_MAX, check_dps, check_int

__all__ = ["ALLOWED", "parse_activation", "add_arguments", "network_from_args", "cmd_kernel", "cmd_eigen"]

ALLOWED: dict[str, Any] = {
    "x": x, "pi": sympy.pi, "E": sympy.E,
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "erf": sympy.erf, "erfc": sympy.erfc,
    "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "sin": sympy.sin, "cos": sympy.cos,
    "atan": sympy.atan, "Abs": sympy.Abs, "abs": sympy.Abs, "Max": sympy.Max, "Min": sympy.Min,
    "max": sympy.Max, "min": sympy.Min, "Heaviside": sympy.Heaviside, "sign": sympy.sign,
    "Integer": sympy.Integer, "Float": sympy.Float, "Rational": sympy.Rational,
}
_MAX_LEN = 300
_TOKEN = re.compile(r"^[0-9A-Za-z_+\-*/(). ,^]*$")


def _check_tree(text: str) -> None:
    """Refuse anything but names, numbers, calls of allowed names and arithmetic (before SymPy)."""
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"`--activation` is not an expression in x: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in ALLOWED:
                raise ValueError(f"`--activation`: unknown name {node.id!r}; allowed: {', '.join(sorted(ALLOWED))}")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise ValueError("`--activation`: only calls of the allowed functions, without keywords")
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Load,
                                   ast.operator, ast.unaryop)):
            raise ValueError(f"`--activation`: {type(node).__name__} is not allowed (arithmetic in x only)")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError("`--activation`: only numeric constants are allowed")

def parse_activation(text: str) -> sympy.Expr:
    """A name from :data:`theory.dual.NAMED` or an expression in x (restricted parser)."""
    if not isinstance(text, str):
        raise TypeError(f"`--activation` must be a string; got {type(text).__name__}")
    text = text.strip()
    if text in NAMED:
        return NAMED[text]
    if not text or len(text) > _MAX_LEN or not _TOKEN.match(text):
        raise ValueError(f"`--activation` must be a name ({', '.join(NAMED)}) or an expression in x of at "
                         f"most {_MAX_LEN} characters from [0-9A-Za-z_+-*/(). ,^]; got {text[:60]!r}")
    _check_tree(text)
    try:
        expr = parse_expr(text.replace("^", "**"), local_dict=dict(ALLOWED), global_dict={"__builtins__": {}},
                          transformations=standard_transformations, evaluate=True)
    except Exception as exc:                               # the parser's own errors -> one clean line
        raise ValueError(f"`--activation` could not be parsed: {exc}") from None
    if not isinstance(expr, sympy.Expr):
        raise ValueError(f"`--activation` must be an expression in x; got {type(expr).__name__}")
    return expr


def _std(name):
    def conv(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise ValueError(f"`{name}` must be a real number >= 0; got {s!r}") from None
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"`{name}` must be a finite real number >= 0; got {s!r}")
        return v
    return conv


def add_arguments(sp, plot: bool = False) -> None:
    """Add the network flags to a subparser (``kernel`` and ``eigen``)."""
    sp.add_argument("--activation", default=None, help="name or expression in x (e.g. 'x*tanh(x)')")
    sp.add_argument("--depth", type=int, default=1, help="hidden layers L (default 1)")
    sp.add_argument("--W-std", dest="W_std", type=str, default="1", help="weight std (default 1)")
    sp.add_argument("--b-std", dest="b_std", type=str, default="0", help="bias std (default 0)")
    sp.add_argument("--kind", choices=["ntk", "nngp"], default="ntk")
    if plot:
        sp.add_argument("--plot", default=None, metavar="FILE", help="lambda_k vs k, log-log (PNG/PDF/SVG)")


def network_from_args(args):
    """The :class:`theory.dual.NetworkKernel` the flags describe."""
    sigma = parse_activation(args.activation)
    return network_kernel(sigma, depth=args.depth, W_std=_std("--W-std")(args.W_std),
                          b_std=_std("--b-std")(args.b_std), kind=args.kind)


def cmd_kernel(args, emit) -> int:
    args.dps = check_dps("--dps", args.dps)
    nk = network_from_args(args)
    value = nk.value(args.t if args.mode == "exact" else float(args.t), mode=args.mode, dps=args.dps)
    out = {"kernel": "network", "activation": str(nk.activation), "depth": nk.depth, "W_std": str(nk.W_std),
           "b_std": str(nk.b_std), "kind": nk.kind, "route": nk.route, "t": args.t, "mode": args.mode,
           "value": float(value)}
    if args.mode == "exact":
        out["exact"] = str(value)
    text = f"{nk.kind}[{nk.activation}, L={nk.depth}, W={nk.W_std}, b={nk.b_std}]({args.t}) = {out.get('exact', value)}"
    emit(out, args.json, text)
    return 0


def cmd_eigen(args, emit, ks) -> int:
    args.dps = check_dps("--dps", args.dps)
    args.d = check_int("--d", args.d, 2, D_MAX, what="dimension")
    nk = network_from_args(args)
    mode = args.mode if (nk.closed_form or args.mode != "exact") else "float"
    eig = nk.eigenvalues(args.d, list(ks), mode=mode, dps=args.dps) if mode == "exact" else \
        nk.eigenvalues(args.d, list(ks), mode=mode, dps=args.dps,
                       route="theta" if (nk.closed_form and mode == "float") else None)
    rows = [{"k": e.k, "value": float(e.value), "multiplicity": int(e.multiplicity),
             "trusted_digits": e.trusted_digits} for e in eig]
    out = {"kernel": "network", "activation": str(nk.activation), "depth": nk.depth, "kind": nk.kind,
           "W_std": str(nk.W_std), "b_std": str(nk.b_std), "d": args.d, "mode": mode, "eigenvalues": rows}
    if getattr(args, "plot", None):
        from reports.spectrum_plot import plot_spectrum
        out["plot"] = plot_spectrum(rows, args.plot, title=f"{nk.kind} of {nk.activation}, L={nk.depth}, d={args.d}")
    text = "\n".join(f"k={r['k']:<6} N={r['multiplicity']:<12} lambda={r['value']!r} (digits {r['trusted_digits']})"
                     for r in rows)
    emit(out, args.json, text)
    return 0
