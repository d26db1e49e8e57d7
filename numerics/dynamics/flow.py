"""Gradient flow and gradient descent of the two-layer CNN, one interface: :func:`simulate`.

Gradient flow (GF) ``theta' = -grad L(theta)``; gradient descent (GD) ``theta <- theta - eta grad L``
(explicit Euler on GF with step ``eta``, so GD after ``k`` steps sits at "time" ``k eta``).

Methods (docs/cnnflow.md §8):

- ``"DOP853"``, ``"RK45"``, ``"Radau"``, ``"LSODA"``, ``"BDF"``: :func:`scipy.integrate.solve_ivp`
  with the stated ``rtol``/``atol``; for smooth activations (linear, tanh, xtanh, softplus, relu2).
- ``"rk4"``: classical fixed-step Runge-Kutta 4 with step ``step``.
- ``"gd"``: gradient descent with ``step = eta``.
- ``"auto"``: DOP853 for smooth activations; for ReLU-type (relu, leaky_relu, kinks at 0) fixed-step
  RK4, because adaptive error control stalls when a pre-activation slides along a kink.  Use
  :func:`numerics.verify.fits.richardson` to extrapolate a fixed-step quantity to step 0.

Every run records, at the requested times: the loss, each channel quantity
``Q_k = ||a_k||^2 - (||w_k||^2 + b_k^2)/p`` (``p`` = homogeneity degree of the activation, 1 if none),
the gradient norm, and optionally the parameters.  A non-finite or overflowing state, or (descent) a
loss grown ``LOSS_GROWTH`` times beyond its start, raises :class:`DivergenceError` naming the step and
time; an adaptive solver stops after ``max_nfev`` evaluations with :class:`EvaluationLimitError`.  Progress bars (tqdm) appear only when stderr is
an interactive terminal.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from numerics.verify.progress import progress_bar

__all__ = ["simulate", "Trajectory", "DivergenceError", "EvaluationLimitError", "ADAPTIVE", "FIXED",
           "LOSS_GROWTH", "MAX_NFEV"]

ADAPTIVE = ("DOP853", "RK45", "RK23", "Radau", "LSODA", "BDF")
FIXED = ("rk4", "gd")
_OVERFLOW = 1e150
LOSS_GROWTH = 1e8
"""A descent (``sign > 0``) whose loss exceeds ``LOSS_GROWTH * max(L(0), 1e-8)`` has diverged: gradient
flow never increases the loss, and a stable GD/RK4 step increases it by far less."""
MAX_NFEV = 500_000
"""Default cap on gradient evaluations of an adaptive solver (a stiff flow would otherwise run for minutes)."""


class DivergenceError(FloatingPointError):
    """The flow produced a non-finite, overflowing or exploding state; the message names the step and time."""


class EvaluationLimitError(DivergenceError):
    """An adaptive solver used ``max_nfev`` gradient evaluations; the message names the time reached."""


@dataclass
class Trajectory:
    """A recorded run.

    Attributes
    ----------
    times : ndarray, shape (T,)
        Recorded times (GD/RK4: multiples of the step).
    loss : ndarray, shape (T,)
    Q : ndarray, shape (T, m)
        Channel quantities ``||a_k||^2 - (||w_k||^2 + b_k^2)/p`` at each recorded time.
    grad_norm : ndarray, shape (T,)
        ``||grad L(theta(t))||``.
    theta : ndarray, shape (T, num_params) or None
        Parameters (layout of ``CNN.get_flat``) when ``record_params=True``.
    final : ndarray, shape (num_params,)
        Parameters at the last recorded time.
    method, step, rtol, atol, p, nfev, notes : run description
    """

    times: np.ndarray
    loss: np.ndarray
    Q: np.ndarray
    grad_norm: np.ndarray
    theta: np.ndarray | None
    final: np.ndarray
    method: str
    step: float | None
    rtol: float | None
    atol: float | None
    p: float
    nfev: int
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def drift(self) -> np.ndarray:
        """``max_t |Q_k(t) - Q_k(0)|`` per channel: ndarray, shape (m,)."""
        return np.max(np.abs(self.Q - self.Q[0]), axis=0)


def _check_times(times):
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or t.size < 1 or not np.all(np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) < 0):
        raise ValueError(f"`times` must be a non-empty 1-D non-decreasing array of finite times >= 0; got {times!r}")
    return t


def simulate(net, X, Y, times, method: str = "auto", step: float | None = None, rtol: float = 1e-12,
             atol: float = 1e-12, p: float | None = None, record_params: bool = False,
             sign: float = 1.0, progress: bool | None = None, max_nfev: int = MAX_NFEV) -> Trajectory:
    """Run gradient flow or gradient descent from the current parameters of ``net``.

    ``net`` itself is not modified (the run works on a copy).

    Parameters
    ----------
    net : numerics.nets.cnn.CNN
    X, Y : arrays accepted by ``net.loss_and_grad``
    times : array_like, shape (T,)
        Times at which to record (starting time 0 is the current parameters; record it by
        including 0).  For ``"gd"``/``"rk4"`` each time must be a multiple of ``step``.
    method : {"auto", "gd", "rk4", "DOP853", "RK45", "RK23", "Radau", "LSODA", "BDF"}
    step : float, optional
        Step ``eta`` (GD) or ``h`` (RK4); required for fixed-step methods.
    rtol, atol : float
        Tolerances of the adaptive solver (ignored by fixed-step methods).
    p : float, optional
        Degree used for the monitored ``Q_k`` (default: the activation's degree, or 1).
    record_params : bool
        Keep the parameter vector at each recorded time.
    sign : float
        Velocity ``-sign * grad L``; ``sign=1`` is gradient flow.  Other values exist for negative
        controls (e.g. ``sign=-1`` ascends; the loss-growth test applies only to ``sign > 0``).
    progress : bool or None
        tqdm bar on stderr; None = only if stderr is a terminal.
    max_nfev : int >= 1
        Cap on gradient evaluations of an adaptive solver.

    Returns
    -------
    Trajectory

    Raises
    ------
    DivergenceError
        On a non-finite or overflowing state, or a descent whose loss grew ``LOSS_GROWTH`` times
        (message names step and time); :class:`EvaluationLimitError` after ``max_nfev`` evaluations.
    """
    times = _check_times(times)
    if method == "auto":
        method = "rk4" if net.act.kinked else "DOP853"
    if method not in ADAPTIVE + FIXED:
        raise ValueError(f"`method` must be one of {['auto', *FIXED, *ADAPTIVE]}; got {method!r}")
    if not (isinstance(max_nfev, int) and not isinstance(max_nfev, bool) and max_nfev >= 1):
        raise ValueError(f"`max_nfev` must be an int >= 1; got {max_nfev!r}")
    run = _Run(net, X, Y, p if p is not None else (net.act.degree or 1), record_params, sign, max_nfev)
    if method in FIXED:
        final, notes, (rtol_, atol_, step_) = _fixed(run, times, method, step, progress)
    else:
        final, notes, (rtol_, atol_, step_) = _adaptive(run, times, method, rtol, atol)
    run.work.set_flat(run.theta0)
    rec = run.rec
    return Trajectory(times=times, loss=np.array(rec["loss"]), Q=np.array(rec["Q"]),
                      grad_norm=np.array(rec["gn"]), theta=np.array(rec["theta"]) if record_params else None,
                      final=np.asarray(final), method=method, step=step_, rtol=rtol_, atol=atol_,
                      p=float(run.p), nfev=run.nfev, notes=notes)


class _Run:
    """One run's state: the working copy of the net, the prepared batch, counters and records."""

    def __init__(self, net, X, Y, p, record_params, sign, max_nfev):
        self.work = copy.deepcopy(net)
        self.work.clear_workspace()
        self.batch = self.work.prepare(X, Y)
        self.theta0 = self.work.get_flat().astype(np.float64)
        self.p, self.record_params, self.sign, self.max_nfev = p, record_params, sign, max_nfev
        self.nfev, self.limit = 0, None
        self.rec = {"loss": [], "Q": [], "gn": [], "theta": []}

    def grad(self, theta, where):
        """``(loss, grad)``; DivergenceError on a non-finite, overflowing or exploding state."""
        with np.errstate(over="ignore", invalid="ignore"):     # divergence is reported below
            loss, g = self.batch.flat(theta)
        self.nfev += 1
        g = g.astype(np.float64, copy=False)
        if not (math.isfinite(loss) and np.all(np.isfinite(g)) and np.max(np.abs(theta)) < _OVERFLOW):
            raise DivergenceError(f"flow diverged (non-finite or overflowing loss/gradient/parameters, "
                                  f"loss={loss!r}) at {where}")
        if self.limit is None:
            self.limit = LOSS_GROWTH * max(float(loss), 1e-8)
        elif self.sign > 0 and loss > self.limit:
            raise DivergenceError(f"flow diverged (loss {loss:.3g} grew more than {LOSS_GROWTH:.0e} times "
                                  f"its initial value) at {where}")
        return loss, g

    def record(self, theta, loss, g):
        self.work.set_flat(theta, copy=False)
        self.rec["loss"].append(loss)
        self.rec["Q"].append(self.work.channel_quantities(self.p))
        self.rec["gn"].append(float(np.linalg.norm(g)))
        if self.record_params:
            self.rec["theta"].append(theta.copy())


def _fixed_step(run, theta, g, h, method, where):
    """One GD or RK4 step from ``theta`` (gradient ``g`` there)."""
    sign = run.sign
    if method == "gd":
        return theta - h * sign * g
    k1 = -sign * g
    k2 = -sign * run.grad(theta + 0.5 * h * k1, where)[1]
    k3 = -sign * run.grad(theta + 0.5 * h * k2, where)[1]
    k4 = -sign * run.grad(theta + h * k3, where)[1]
    return theta + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)


def _fixed(run, times, method, step, progress):
    """Fixed-step GD / RK4, recording at the multiples of ``step`` in ``times``."""
    if step is None or not (isinstance(step, (int, float)) and step > 0 and math.isfinite(step)):
        raise ValueError(f"`step` must be a positive finite float for method={method!r}; got {step!r}")
    k_rec = np.rint(times / step).astype(np.int64)
    if np.any(np.abs(k_rec * step - times) > 1e-9 * np.maximum(1.0, times)):
        raise ValueError(f"every entry of `times` must be a multiple of `step`={step}; got {times!r}")
    theta = run.theta0.copy()
    bar = progress_bar(int(k_rec[-1]), "flow", enable=progress)
    k, j, h = 0, 0, float(step)
    try:
        while j < k_rec.size:
            loss, g = run.grad(theta, f"step {k}, time {k * h:.6g}")
            while j < k_rec.size and k_rec[j] == k:
                run.record(theta, loss, g)
                j += 1
            if j == k_rec.size:
                break
            where = f"step {k + 1}, time {(k + 1) * h:.6g}"
            theta = _fixed_step(run, theta, g, h, method, where)
            if not np.all(np.isfinite(theta)):
                raise DivergenceError(f"flow diverged (non-finite parameters) at {where}")
            k += 1
            bar.update(1)
    finally:
        bar.close()
    notes = (f"{'gradient descent' if method == 'gd' else 'fixed-step RK4'} with step {h:g}, "
             f"{k} steps, float64 state")
    return theta, notes, (None, None, h)


def _adaptive(run, times, method, rtol, atol):
    """``solve_ivp`` with ``method``, at most ``run.max_nfev`` evaluations."""
    T = float(times[-1])

    def fun(t, theta):
        if run.nfev >= run.max_nfev:
            raise EvaluationLimitError(f"solve_ivp({method}) stopped after {run.nfev} gradient evaluations at "
                                       f"time {t:.6g} of {T:.6g}: the flow is stiff or diverging (try "
                                       f"method='Radau' or 'BDF', a shorter span, or a larger `max_nfev`)")
        return -run.sign * run.grad(theta, f"time {t:.6g} (solve_ivp {method})")[1]

    sol = solve_ivp(fun, (0.0, T), run.theta0, method=method, t_eval=times, rtol=rtol, atol=atol)
    if sol.status != 0:
        raise DivergenceError(f"solve_ivp({method}) failed at time {sol.t[-1] if sol.t.size else 0:.6g}: "
                              f"{sol.message}")
    for i in range(times.size):
        loss, g = run.grad(sol.y[:, i], f"time {times[i]:.6g}")
        run.record(sol.y[:, i], loss, g)
    notes = f"scipy solve_ivp {method}, rtol={rtol:g}, atol={atol:g}, {sol.nfev} evaluations"
    return sol.y[:, -1], notes, (rtol, atol, None)
