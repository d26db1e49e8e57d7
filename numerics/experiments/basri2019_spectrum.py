"""Independent measurements for the spectrum claims of Basri et al. 2019 (docs/basri2019.md §2-§4).

- :func:`gegenbauer_quadrature`: lambda_k by mpmath quadrature of the Funk-Hecke integral with the
  Gegenbauer weight ``(1 - t^2)^((d-3)/2)`` (docs/basri2019.md §2), written in the angle
  ``t = cos(theta)`` so that ``acos(t) = theta`` and ``sqrt(1 - t^2) = sin(theta)`` are exact; it
  shares nothing with the spectrum engine (:mod:`theory.funk_hecke`: atoms and Gauss sums).
- :func:`kernel_numpy`: a named kernel (or SymPy expression in ``t``) as a float64 NumPy function.
"""
from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy

import theory.basri2019 as tb
from numerics.data import sphere
from numerics.verify.fits import loglog_slope
from theory.funk_hecke import eigenvalues, multiplicity
from theory.funk_hecke.atoms import decompose, kernel_expr
from theory.kernels import t
from theory.validate import check_int

__all__ = ["kernel_in_angle", "gegenbauer_quadrature", "kernel_numpy", "engine_values",
           "bias_positivity", "circle_measure", "local_decay", "gram_spectrum", "mercer_sum"]

_theta = sympy.Symbol("theta", positive=True)


@functools.lru_cache(maxsize=None)
def kernel_in_angle(kernel) -> sympy.Expr:
    """``K(cos theta)`` for theta in [0, pi] with ``acos(cos theta) = theta``, ``sqrt(1-cos^2) = sin``.

    Parameters
    ----------
    kernel : str or sympy.Expr
        A name of :data:`theory.kernels.KERNELS` or an expression in ``t``.

    Raises
    ------
    ValueError
        If the expression keeps an ``acos``/``asin`` of something other than ``t`` (bias kernels in
        ``(1 + t)/2``; the quadrature is meant for the bias-free ones).
    """
    e = kernel_expr(kernel).rewrite(sympy.acos)
    e = e.xreplace({sympy.acos(t): _theta, sympy.sqrt(1 - t**2): sympy.sin(_theta)})
    e = e.xreplace({t: sympy.cos(_theta)})
    if e.has(sympy.acos) or e.has(sympy.asin) or e.has(t):
        raise ValueError(f"`kernel` {kernel!r}: only kernels in acos(t), sqrt(1-t^2) and powers of t "
                         f"can be written in the angle; got {e}")
    return e


def _zonal(k: int, d: int, x):
    """``P_k(d; x)`` (``P_k(d; 1) = 1``) by the three-term recurrence of C_k^alpha, alpha = (d-2)/2;
    Chebyshev T_k for d = 2.  mpmath numbers."""
    if d == 2:
        p0, p1 = mpmath.mpf(1), x
        for j in range(1, k):
            p0, p1 = p1, 2 * x * p1 - p0
        return p0 if k == 0 else p1
    a = mpmath.mpf(d - 2) / 2
    c0, c1, n0, n1 = mpmath.mpf(1), 2 * a * x, mpmath.mpf(1), 2 * a
    for j in range(1, k):                 # (j+1) C_{j+1} = 2 (j + a) x C_j - (j + 2a - 1) C_{j-1}
        c0, c1 = c1, (2 * (j + a) * x * c1 - (j + 2 * a - 1) * c0) / (j + 1)
        n0, n1 = n1, (2 * (j + a) * n1 - (j + 2 * a - 1) * n0) / (j + 1)
    return c0 / n0 if k == 0 else c1 / n1


def gegenbauer_quadrature(kernel, d: int, ks, dps: int = 25) -> list[tuple[float, float]]:
    """lambda_k of a zonal kernel on S^{d-1} by mpmath quadrature (docs/basri2019.md §2).

    ``lambda_k = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) int_{-1}^{1} K(t) P_k(d;t) (1-t^2)^((d-3)/2) dt
    = c_d int_0^pi K(cos th) P_k(d; cos th) sin(th)^(d-2) dth``, tanh-sinh on [0, pi/2, pi].

    Parameters
    ----------
    kernel : str or sympy.Expr
        Bias-free kernel (see :func:`kernel_in_angle`).
    d : int >= 2
    ks : iterable of int >= 0
    dps : int >= 10
        mpmath working digits.

    Returns
    -------
    list of (float, float)
        ``(lambda_k, error estimate)`` per k (mpmath's estimate, scaled by c_d).
    """
    d = check_int("d", d, 2)
    dps = check_int("dps", dps, 10)
    ks = [check_int("k", k, 0) for k in ks]
    f = sympy.lambdify(_theta, kernel_in_angle(kernel), "mpmath")
    out = []
    with mpmath.workdps(dps):
        cd = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
        for k in ks:
            g = lambda th, k=k: f(th) * _zonal(k, d, mpmath.cos(th)) * mpmath.sin(th) ** (d - 2)
            v, e = mpmath.quad(g, [0, mpmath.pi / 2, mpmath.pi], error=True)
            out.append((float(cd * v), float(cd * e)))
    return out


def kernel_numpy(kernel, T: np.ndarray) -> np.ndarray:
    """Vectorised float64 kernel ``K(T)`` (inner products clipped to [-1, 1]); shape of ``T``."""
    f = sympy.lambdify(t, kernel_expr(kernel), "numpy")
    return np.broadcast_to(f(np.clip(np.asarray(T, dtype=np.float64), -1.0, 1.0)), np.shape(T)).copy()


# --------------------------------------------------------------------------- measurements
def engine_values(kernel, d: int, ks: tuple, mode: str = "exact", dps: int = 30) -> tuple:
    """lambda_k from the spectrum engine (:func:`theory.funk_hecke.eigenvalues`) as a tuple."""
    return tuple(e.value for e in eigenvalues(kernel, d, list(ks), mode=mode, dps=dps))


def bias_positivity(kernel, d: int, k_exact: int, k_bound: int) -> dict:
    """Sign of lambda_k of a kernel for k <= k_bound (docs/basri2019.md §4).

    Exact values for ``k <= k_exact`` (when every atom is in t), certified lower bounds
    (:func:`theory.basri2019.lower_bound`: first term of each positive series; exact up to
    ``k_exact``, mpmath above).

    Returns
    -------
    dict
        ``nonpositive`` (number of k whose exact value or lower bound is <= 0), ``min_log10_bound``
        (min over k of log10 of the positive lower bounds), ``exact_min`` (str or None).
    """
    zeros, exact_min = 0, None
    if all(v == "t" for (v, f, p), c in decompose(kernel)):
        vals = [e.value for e in eigenvalues(kernel, d, range(k_exact + 1), mode="exact")]
        zeros += sum(1 for v in vals if not v > 0)
        exact_min = str(min(vals, key=float))
    lbs = [tb.lower_bound(kernel, d, k) for k in range(k_exact + 1)]
    with mpmath.workdps(30):
        big = [tb.lower_bound(kernel, d, k, mode="mpmath") for k in range(k_exact + 1, k_bound + 1)]
        zeros += sum(1 for x in lbs if not x > 0) + sum(1 for x in big if not x > 0)
        logs = [float(mpmath.log10(mpmath.mpf(str(sympy.N(x, 20))))) for x in lbs if x > 0] + \
            [float(mpmath.log10(x)) for x in big if x > 0]
    return {"nonpositive": zeros, "min_log10_bound": min(logs) if logs else float("-inf"),
            "exact_min": exact_min}


def circle_measure(k_exact: int = 50, k_slope: tuple = (1000, 2000), k_const: int = 10000) -> dict:
    """The circle closed forms (:func:`theory.basri2019.circle_closed_form`) against the engine, and
    their decay (docs/basri2019.md §3).

    Returns
    -------
    dict
        ``diff``: max |closed form - engine| over 4 kernels and 2 <= k <= k_exact (SymPy, exact);
        ``slope``: least-squares log-log slope of the even basri form over even k in ``k_slope``;
        ``scaled``: the even basri form at ``k_const`` (a float; times k^p by the caller);
        ``curve``: (k, lambda_k) for even k <= 2000 (figure).
    """
    m = sympy.Symbol("m", integer=True, positive=True)
    diff = sympy.S.Zero
    for name in ("basri", "basri-bias", "ntk", "nngp"):
        fh = engine_values(name, 2, tuple(range(2, k_exact + 1)))
        for k, v in zip(range(2, k_exact + 1), fh):
            cf = tb.circle_closed_form(name, k % 2).subs(m, (k - k % 2) // 2)
            diff = max(diff, abs(sympy.expand(cf - v)), key=float)
    f = sympy.lambdify(m, tb.circle_closed_form("basri", 0), "mpmath")
    ks = np.arange(k_slope[0], k_slope[1] + 1, 2)
    kk = np.arange(2, 2001, 2)
    with mpmath.workdps(30):
        lv = np.array([float(mpmath.log(f(int(k) // 2))) for k in ks])
        at = f(k_const // 2)
        curve = [float(f(int(k) // 2)) for k in kk]
    slope = float(np.polyfit(np.log(ks), lv, 1)[0])
    return {"diff": diff, "slope": slope, "at": at, "k_const": k_const, "curve": (kk.tolist(), curve)}


def local_decay(kernel, d: int, k_range: tuple, step: int, k_const: tuple = (1000, 10000)) -> dict:
    """Local log-log slope of lambda_k over even k in ``k_range`` (step ``step``) and lambda_k k^d at
    ``k_const`` (mpmath, 30 digits; docs/basri2019.md §4)."""
    ks = np.arange(k_range[0], k_range[1] + 1, step)
    vals = np.array([float(v) for v in engine_values(kernel, d, tuple(ks.tolist()), "mpmath")])
    scaled = [float(v) * k**d for v, k in zip(engine_values(kernel, d, k_const, "mpmath"), k_const)]
    return {"slope": loglog_slope(ks, vals), "scaled": scaled}


def gram_spectrum(kernel, n: int, d: int, top: int, seed: tuple) -> np.ndarray:
    """The ``top`` largest eigenvalues of ``G/n``, ``G_ij = K(<x_i, x_j>)``, n i.i.d. uniform points
    on S^{d-1} (Lanczos, tol 1e-10); shape (top,), descending.  ``seed``: points, then start vector."""
    from scipy.sparse.linalg import eigsh
    X = sphere.uniform(n, d, np.random.default_rng(list(seed) + [0]))
    G = kernel_numpy(kernel, X @ X.T) / n
    v0 = np.random.default_rng(list(seed) + [1]).standard_normal(n)
    return np.sort(eigsh(G, k=top, which="LA", v0=v0, tol=1e-10)[0])[::-1]


def mercer_sum(kernel, d: int, K: int, lam_factor: float = 1.0, shift: int = 0,
               tt: np.ndarray | None = None) -> dict:
    """Truncated Mercer sum ``S_K(t) = sum_{k<=K} N(d,k) lambda_{k+shift} P_k(d;t)`` (docs/basri2019.md §2).

    Returns ``max_err`` (max over ``tt`` of |K - S_K|; default 201 points in [-1, 1]) and ``bound``
    ``K(1) - S_K(1)`` (the rigorous bound when every ``N lambda_k >= 0``).  ``lam_factor`` scales
    every lambda_k (a kernel-scale near miss).
    """
    from scipy.special import eval_chebyt, eval_gegenbauer
    tt = np.linspace(-1, 1, 201) if tt is None else tt
    lam = lam_factor * np.array(engine_values(kernel, d, tuple(range(shift, K + 1 + shift)), "float"), float)
    N = np.array([multiplicity(d, k) for k in range(K + 1)], dtype=float)
    ks = np.arange(K + 1)
    if d == 2:
        P = eval_chebyt(ks[:, None], tt[None, :])
    else:
        P = eval_gegenbauer(ks[:, None], (d - 2) / 2, tt[None, :]) / eval_gegenbauer(ks, (d - 2) / 2, 1.0)[:, None]
    S = (N * lam) @ P
    err = np.abs(kernel_numpy(kernel, tt) - S)
    return {"max_err": float(err.max()), "bound": float(kernel_numpy(kernel, np.ones(1))[0] - np.sum(N * lam))}
