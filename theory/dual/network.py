"""The kernel of a user's network: depth recursion of the NNGP and NTK (docs/dual.md §1).

Conventions of neural-tangents ``stax`` with ``parameterization="ntk"`` (Novak et al. 2020): a
depth-``L`` net is ``L x (Dense(W_std, b_std), sigma)`` then a readout ``Dense(W_std, b_std)``;
inputs on the sphere of radius ``sqrt(d)``, ``t = <x, x'>/d``.  On the sphere every diagonal is the
same number ``q_l``, so each layer is a function of ``t`` (Jacot et al. 2018; Lee et al. 2019)::

    Sigma_1 = W^2 t + b^2,  q_1 = W^2 + b^2,  Theta_1 = Sigma_1,
    Sigma_{l+1} = W^2 F(q_l, Sigma_l) + b^2,   Sigmadot_{l+1} = W^2 G(q_l, Sigma_l),
    Theta_{l+1} = Sigma_{l+1} + Theta_l Sigmadot_{l+1},   NNGP = Sigma_{L+1},  NTK = Theta_{L+1},

with ``F`` the dual of sigma and ``G`` the dual of sigma' (:mod:`theory.dual.gaussian` closed forms,
else :mod:`theory.dual.hermite` series).
"""
from __future__ import annotations

import functools
import math
from typing import Any

import mpmath
import numpy as np
import sympy

from theory.dual import gaussian as ga
from theory.dual.activations import named
from theory.dual.hermite import hermite_series
from theory.dual.series import arccos_series, compose
from theory.kernels import t
from theory.validate import check_choice, check_int, check_real, shown

__all__ = ["Dual", "NetworkKernel", "network_kernel", "dual_of", "KINDS"]

KINDS = ("ntk", "nngp")
_TAIL_GOAL = 1e-15


class Dual:
    """The dual ``F(q, c) = E[sigma(u) sigma(v)]`` of one activation and that of its derivative.

    Attributes
    ----------
    sigma : sympy.Expr in :data:`theory.dual.gaussian.x`
    route : str
        ``"piecewise"``, ``"mgf"``, ``"gauss"``, ``"gauss-derivative"`` or ``"hermite"``.
    F : sympy.Expr in ``q, c`` or None (no closed form)
    """

    def __init__(self, sigma: sympy.Expr):
        self.sigma = sigma
        self.route = ga.route(sigma)
        self.F = ga.dual(sigma)
        self._num = None if self.F is None else sympy.lambdify((ga.q, ga.c), self.F, ["numpy", "scipy"])

    @functools.cached_property
    def derivative(self) -> "Dual":
        return dual_of(sympy.simplify(ga.derivative(self.sigma)))

    def value(self, q: float, C: np.ndarray) -> np.ndarray:
        """``F(q, C)`` in float64 for an array of covariances ``C`` (clipped to ``[-q, q]``)."""
        C = np.clip(C, -q, q)
        if self._num is not None:
            return np.broadcast_to(np.asarray(self._num(q, C), dtype=float), C.shape)
        f = self.series(q, mode="float").coef
        return np.polynomial.polynomial.polyval(C / q, f)

    def at(self, q, c, mode: str):
        """``F(q, c)`` at one point in ``mode`` ("exact", "mpmath"): closed form or series."""
        if self.F is not None:
            e = self.F.subs({ga.q: q, ga.c: c})
            return sympy.simplify(e) if mode == "exact" else mpmath.mpf(sympy.N(e, mpmath.mp.dps))
        if mode == "exact":
            raise ValueError(f"mode='exact' needs a closed-form dual; `activation` {shown(self.sigma)} "
                             f"has none (use mode='mpmath' or 'float')")
        s = self.series(q, mode="mpmath", dps=mpmath.mp.dps)
        return sum(f * (mpmath.mpf(c) / s.q) ** n for n, f in enumerate(s.coef))

    @functools.lru_cache(maxsize=64)
    def series(self, q, N: int | None = None, mode: str = "float", dps: int = 30):
        """Series in ``rho = c/q`` of the dual at variance ``q``: a :class:`HermiteSeries`
        (``N`` terms; default: doubled from 32 until the tail is below 1e-16 of the total or N = 1024)."""
        if N is None:
            N = 32
            while True:
                s = self.series(q, N, mode, dps)
                if s.tail <= _TAIL_GOAL * s.total or N >= 1024:
                    return s
                N *= 2
        if self.route == "piecewise":
            return self._piecewise_series(q, N, mode == "mpmath")
        return hermite_series(self.sigma, q, N, mode=mode, dps=dps)

    def _piecewise_series(self, q, N, mp):
        from theory.dual.hermite import HermiteSeries
        pc = ga.pieces(self.sigma)
        num = (lambda e: mpmath.mpf(sympy.N(e, mpmath.mp.dps + 5))) if mp else float
        qn = mpmath.mpf(q) if mp else float(q)
        sign = np.array([(-1) ** n for n in range(N + 1)])
        out = 0
        for s, (a_s, b_s) in pc.items():
            for r, (a_r, b_r) in pc.items():
                K = arccos_series(s, r, N, mp)
                same, cross = num(a_s * a_r + b_s * b_r), num(a_s * b_r + b_s * a_r)
                out = out + qn ** (mpmath.mpf(s + r) / 2 if mp else (s + r) / 2) * (same * K + cross * K * sign)
        total = num(self.F.subs({ga.q: sympy.nsimplify(q) if not mp else q, ga.c: q}))
        tail = total - sum(out)
        return HermiteSeries(qn, out, total, tail if tail > 0 else 0 * tail, 99 if mp else 16)


@functools.lru_cache(maxsize=128)
def dual_of(sigma: sympy.Expr) -> Dual:
    """The (cached) :class:`Dual` of ``sigma``."""
    return Dual(sigma)


def _exact(value, name):
    """A std as an exact SymPy number (floats by their decimal string: 0.3 -> 3/10)."""
    v = check_real(name, value, 0, what="standard deviation")
    return sympy.Rational(str(value)) if isinstance(value, float) else sympy.nsimplify(value)


class NetworkKernel:
    """The NNGP or NTK of a depth-``L`` network as a function of ``t`` (module docstring).

    Attributes
    ----------
    activation : sympy.Expr in x
    depth : int >= 1
    W_std, b_std : sympy.Rational
    kind : {"ntk", "nngp"}
    route : str
        The dual's route (:class:`Dual`); ``"hermite"`` means no closed form.
    q : list of sympy numbers or floats, length depth + 1
        Diagonal ``q_l`` of each layer (``q[L]`` is the kernel's value at t = 1 for the NNGP).
    expr : sympy.Expr in :data:`theory.kernels.t` or None
        The kernel, when every dual has a closed form.
    """

    def __init__(self, activation, depth=1, W_std=1, b_std=0, kind="ntk"):
        self.activation = ga.check_activation(activation)
        self.depth = check_int("depth", depth, 1, 100)
        self.W_std, self.b_std = _exact(W_std, "W_std"), _exact(b_std, "b_std")
        self.kind = check_choice("kind", kind, KINDS)
        self.dual = dual_of(self.activation)
        self.route = self.dual.route
        if self.kind == "ntk":
            self.dual.derivative                         # ValueError now if sigma jumps
        self.expr = self._expr() if self.dual.F is not None else None
        self.q = self._diagonals()

    def __repr__(self):
        return (f"NetworkKernel({self.activation}, depth={self.depth}, W_std={self.W_std}, "
                f"b_std={self.b_std}, kind={self.kind!r}, route={self.route!r})")

    @property
    def closed_form(self) -> bool:
        return self.expr is not None

    def _diagonals(self):
        W2, b2 = self.W_std**2, self.b_std**2
        qs = [W2 + b2]
        for _ in range(self.depth):
            if self.dual.F is not None:
                qs.append(sympy.simplify(W2 * self.dual.F.subs({ga.q: qs[-1], ga.c: qs[-1]}) + b2))
            else:
                s = self.dual.series(float(qs[-1]), mode="float")
                qs.append(float(W2) * float(s.total) + float(b2))
        return qs

    def _expr(self):
        W2, b2 = self.W_std**2, self.b_std**2
        S, q, Th = W2 * t + b2, W2 + b2, W2 * t + b2
        G = self.dual.derivative.F if self.kind == "ntk" else None
        if self.kind == "ntk" and G is None:
            return None
        for _ in range(self.depth):
            S_new = W2 * self.dual.F.subs({ga.q: q, ga.c: S}) + b2
            if self.kind == "ntk":
                Th = S_new + Th * W2 * G.subs({ga.q: q, ga.c: S})
            q = sympy.simplify(W2 * self.dual.F.subs({ga.q: q, ga.c: q}) + b2)
            S = S_new
        return Th if self.kind == "ntk" else S

    # ------------------------------------------------------------------ values
    def __call__(self, tv) -> np.ndarray:
        """Float64 values at an array of ``t`` in [-1, 1] (vectorised, layer by layer)."""
        T = np.asarray(tv, dtype=float)
        W2, b2 = float(self.W_std**2), float(self.b_std**2)
        S = W2 * np.clip(T, -1, 1) + b2
        Th = S
        for l in range(self.depth):
            q = float(self.q[l])
            S_new = W2 * self.dual.value(q, S) + b2
            if self.kind == "ntk":
                Th = S_new + Th * W2 * self.dual.derivative.value(q, S)
            S = S_new
        return Th if self.kind == "ntk" else S

    def value(self, tv, mode: str = "float", dps: int = 30):
        """The kernel at one ``t`` in ``mode`` ("exact": SymPy, "mpmath": ``dps`` digits, "float")."""
        mode = check_choice("mode", mode, ("exact", "mpmath", "float"))
        if mode == "float":
            return float(self(check_real("t", tv, -1, 1)))
        if mode == "exact":
            if self.expr is None:
                raise ValueError(f"mode='exact' needs a closed form; {self!r} has none (use 'mpmath')")
            from theory.arccos import to_number
            return sympy.simplify(self.expr.subs(t, to_number(tv, "exact")))
        with mpmath.workdps(dps + 10):
            if self.expr is not None:
                from theory.arccos import to_number
                return +mpmath.mpf(sympy.N(self.expr.subs(t, to_number(tv, "exact")), dps + 10))
            return self._mp_value(mpmath.mpf(check_real("t", tv, -1, 1)), dps)

    def _mp_value(self, tv, dps):
        W2, b2 = mpmath.mpf(sympy.N(self.W_std**2, dps + 10)), mpmath.mpf(sympy.N(self.b_std**2, dps + 10))
        S = W2 * tv + b2
        Th, q = S, W2 + b2
        for _ in range(self.depth):
            F = self.dual.series(q, mode="mpmath", dps=dps)
            S_new = W2 * sum(f * (S / q) ** n for n, f in enumerate(F.coef)) + b2
            if self.kind == "ntk":
                G = self.dual.derivative.series(q, mode="mpmath", dps=dps)
                Th = S_new + Th * W2 * sum(g * (S / q) ** n for n, g in enumerate(G.coef))
            q, S = W2 * F.total + b2, S_new
        return Th if self.kind == "ntk" else S

    # ------------------------------------------------------------------ series in t
    def diagonal(self):
        """``K(1)``: the kernel at ``t = 1`` (float)."""
        return float(self(np.array(1.0)))

    def series(self, M: int, mode: str = "float", dps: int = 30):
        """Taylor coefficients ``kappa_0..kappa_M`` of the kernel in ``t`` (all >= 0) and the
        certified bound ``K(1) - sum kappa_m`` on the tail for ``|t| <= 1`` (module
        :mod:`theory.dual.series`), plus a floor ``K(1) (10^-digits + 4 eps (M + 1))`` for the
        coefficients' quadrature digits and rounding.  Returns ``(kappa, tail)``."""
        M = check_int("M", M, 0)
        mp = check_choice("mode", mode, ("float", "mpmath")) == "mpmath"
        ctx = mpmath.workdps(dps + 10) if mp else _NoCtx()
        with ctx:
            num = (lambda e: mpmath.mpf(sympy.N(e, dps + 10))) if mp else float
            W2, b2 = num(self.W_std**2), num(self.b_std**2)
            zeros = [mpmath.mpf(0) if mp else 0.0] * (M + 1)
            S = np.array(zeros, dtype=object if mp else float)
            S[0] = b2
            if M >= 1:
                S[1] = W2
            Th, q = S.copy(), W2 + b2
            for _ in range(self.depth):
                F = self.dual.series(q, M, mode=mode, dps=dps)
                S_new = W2 * compose(F.coef, S, q, M)
                S_new[0] += b2
                if self.kind == "ntk":
                    G = self.dual.derivative.series(q, M, mode=mode, dps=dps)
                    from theory.dual.series import polymul
                    Th = S_new + polymul(Th, W2 * compose(G.coef, S, q, M), M)
                q, S = W2 * F.total + b2, S_new
            kappa = Th if self.kind == "ntk" else S
            K1 = self.value(1, "mpmath", dps) if mp else self.diagonal()
            tail = K1 - sum(kappa)
            tail = tail if tail > 0 else 0 * tail
            # rounding floor: the coefficients carry the quadrature's digits (Hermite route) and the
            # sums their rounding; without it a zero computed tail would certify every digit
            digits = min(F.digits, 99 if not self.kind == "ntk" else G.digits)
            eps = mpmath.mpf(10) ** -(dps + 8) if mp else 2.3e-16
            floor = abs(K1) * (10 ** -min(digits, dps + 8 if mp else 16) + 4 * eps * (M + 1))
            return kappa, tail + floor


class _NoCtx:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def network_kernel(activation, *, depth: int = 1, W_std: float = 1, b_std: float = 0,
                   kind: str = "ntk") -> NetworkKernel:
    """The NNGP / NTK of ``L x (Dense(W_std, b_std), sigma)`` + readout (neural-tangents' ``stax``,
    ``parameterization="ntk"``) on the sphere, as a function of ``t = <x, x'>/d``.

    Parameters
    ----------
    activation : sympy.Expr in ``x`` or str
        ``sigma``; a string is a name from :data:`theory.dual.activations.NAMED` (relu, erf, tanh, ...).
    depth : int in [1, 100]
        Number of hidden layers ``L``.
    W_std, b_std : float >= 0
    kind : {"ntk", "nngp"}

    Returns
    -------
    NetworkKernel
        ``.expr`` (SymPy in t, closed-form routes), ``__call__`` (float64, vectorised),
        ``.value(t, mode)``, ``.series(M)`` (coefficients in t with a certified tail).

    Examples
    --------
    >>> import sympy, theory
    >>> k = theory.network_kernel(sympy.Max(sympy.Symbol("x", real=True), 0))
    >>> sympy.simplify(k.expr - theory.kernel("ntk")) == 0
    True
    """
    if isinstance(activation, str):
        activation = named(activation)
    return _cached(activation, depth, W_std, b_std, kind)


@functools.lru_cache(maxsize=256)
def _cached(activation, depth, W_std, b_std, kind):
    return NetworkKernel(activation, depth, W_std, b_std, kind)


def _eigenvalues(self, d, ks, mode="float", dps=30, route=None, M=None):
    """Funk-Hecke eigenvalues (:func:`theory.dual.spectrum.eigenvalues`)."""
    from theory.dual.spectrum import eigenvalues
    return eigenvalues(self, d, ks, mode=mode, dps=dps, route=route, M=M)


NetworkKernel.eigenvalues = _eigenvalues
