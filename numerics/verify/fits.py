"""Fits that claims use to read a law off measured numbers: one copy of each (float64).

- :func:`loglog_slope` -- least-squares slope of ``log y`` against ``log x`` (power-law exponent);
- :func:`local_slope` -- the log-log slope between the last two points (asymptotic exponent);
- :func:`semilog_slope` -- least-squares slope of ``log y`` against ``x`` (exponential rate);
- :func:`linear_slope` -- least-squares slope of ``y`` against ``x``;
- :func:`fitted_order` -- :func:`loglog_slope` for a convergence study (positive data required);
- :func:`richardson` -- extrapolation of a fixed-step quantity to step 0;
- :func:`doubling_slope`, :func:`stretched_slope` -- discriminators between power laws and
  exponential / stretched-exponential laws (docs/cnnflow.md §5).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["loglog_slope", "local_slope", "semilog_slope", "linear_slope", "fitted_order",
           "richardson", "doubling_slope", "stretched_slope"]


def _xy(x, y):
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"`x` and `y` must have the same length; got {x.size} and {y.size}")
    return x, y


def linear_slope(x, y) -> float:
    """Least-squares slope of ``y`` against ``x`` over the finite points (NaN if fewer than 2)."""
    x, y = _xy(x, y)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(x[ok], y[ok], 1)[0])


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x`` over the points with ``x, y > 0`` finite.

    Returns NaN when fewer than two such points remain (e.g. a run that never crossed its
    threshold gives ``y = nan``: it is left out of the fit; callers report how many were left out).
    """
    x, y = _xy(x, y)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def semilog_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``x`` over the points with ``y > 0`` finite."""
    x, y = _xy(x, y)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(x[ok], np.log(y[ok]), 1)[0])


def local_slope(x, y) -> float:
    """``log(y[-1] / y[-2]) / log(x[-1] / x[-2])``: the log-log slope at the last two points."""
    x, y = _xy(x, y)
    if x.size < 2:
        raise ValueError(f"`x`, `y` need at least 2 points; got {x.size}")
    return float(np.log(y[-1] / y[-2]) / np.log(x[-1] / x[-2]))


def fitted_order(steps, errors) -> float:
    """Empirical convergence order: :func:`loglog_slope` of ``errors`` against ``steps``.

    Parameters
    ----------
    steps, errors : array_like, shape (k,), k >= 2, all > 0

    Raises
    ------
    ValueError
        Unless both are positive 1-D arrays of equal length >= 2.
    """
    h = np.asarray(steps, dtype=float)
    e = np.asarray(errors, dtype=float)
    if h.shape != e.shape or h.ndim != 1 or h.size < 2 or np.any(h <= 0) or not np.all(e > 0):
        raise ValueError(f"`steps` and `errors` must be positive 1-D arrays of equal length >= 2; "
                         f"got steps={steps!r}, errors={errors!r}")
    return loglog_slope(h, e)


def richardson(steps, values, order: float | None = None):
    """Extrapolate ``v(h) = v0 + c h^order + o(h^order)`` to ``h = 0``.

    Parameters
    ----------
    steps : array_like, shape (k,), k >= 2
        Distinct positive step sizes.
    values : array_like, shape (k,)
        Measured quantity at each step size.
    order : float, optional
        Known order.  If omitted it is estimated from the three smallest steps ``h1 < h2 < h3``
        (which must be geometric, ``h2/h1 = h3/h2 = rho``):
        ``order = log((v3 - v2)/(v2 - v1)) / log(rho)``.

    Returns
    -------
    limit : float
        ``(rho^order v1 - v2) / (rho^order - 1)`` from the two smallest steps.
    order : float
    """
    h = np.asarray(steps, dtype=float)
    v = np.asarray(values, dtype=float)
    if h.ndim != 1 or h.size < 2 or v.shape != h.shape or np.any(h <= 0) or np.unique(h).size != h.size:
        raise ValueError(f"`steps` must be >= 2 distinct positive step sizes, one per value; "
                         f"got steps={steps!r}, values={values!r}")
    idx = np.argsort(h)
    h, v = h[idx], v[idx]
    rho = h[1] / h[0]
    if order is None:
        if h.size < 3 or not math.isclose(h[2] / h[1], rho, rel_tol=1e-9):
            raise ValueError("estimating the order needs >= 3 geometric step sizes; give `order` instead")
        num, den = v[2] - v[1], v[1] - v[0]
        if num == 0 or den == 0 or num / den <= 0:
            raise ValueError(f"order undefined: differences {num!r}, {den!r} are zero or of opposite sign")
        order = math.log(num / den) / math.log(rho)
    r = rho ** order
    return float((r * v[0] - v[1]) / (r - 1)), float(order)


def doubling_slope(xis, t_of: Callable[[np.ndarray], np.ndarray]) -> tuple[float, np.ndarray]:
    """Slope of ``log R(xi)`` vs ``xi``, ``R(xi) = t_{2 xi} / t_xi`` (the exponential discriminator).

    Bounded (``R -> 2^alpha``, slope -> 0) for a power law ``t ~ xi^alpha``; >= a positive constant
    for an exponential or faster law.  ``t_of`` maps an int array of frequencies to times.

    Returns
    -------
    (slope, R)
    """
    xis = np.asarray(xis, int)
    R = np.asarray(t_of(2 * xis), float) / np.asarray(t_of(xis), float)
    return float(np.polyfit(xis, np.log(R), 1)[0]), R


def stretched_slope(xis, t) -> float:
    """Least-squares slope of ``log t_xi`` vs ``xi^(2/3)`` (the stretched-exponential law)."""
    return float(np.polyfit(np.asarray(xis, float)**(2 / 3), np.log(np.asarray(t, float)), 1)[0])
