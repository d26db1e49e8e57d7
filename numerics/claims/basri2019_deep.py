"""Basri et al. 2019, deep and residual nets: learning time of frequency k follows the NTK spectrum.

Protocol: ``docs/basri2019.md`` §6; experiment :mod:`numerics.experiments.basri2019_deep`.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import sympy

from numerics.experiments import basri2019_deep as ex
from numerics.verify.registry import Evidence, at_most, claim, equal
from numerics.verify.stats import spread
from theory import basri2019_training as lt

SOURCE = ("Basri, Jacobs, Kasten, Kritchman 2019 (NeurIPS), arXiv:1906.00425, deep and residual "
          "nets (Sec. 5); Jacot et al. 2018; docs/basri2019.md §8")
EPS = 10 ** -0.5
# Worst |mean ratio - 1| over k measured on seeds 0-4 (quick): mean 0.016, SD 0.008, max 0.027
# (finite-width kernel fluctuations at k = 6); TOL = mean + 3 SD.
TOL = 0.04


def _sizes(cfg):
    return cfg.pick(
        quick=dict(dims=((2, 64, (1, 2, 4, 6)),), m=256, depths=(3,), seeds=2,
                   variants=((False, 0.0), (True, 0.5))),
        full=dict(dims=((2, 64, (1, 2, 4, 6)), (3, 128, (1, 2, 3, 4))), m=512, depths=(3, 4, 5),
                  seeds=3, variants=((False, 0.0), (False, 0.5), (True, 0.0), (True, 0.5))))


def _ratios(cfg, decay, sz, dim, depth, residual, b_std, kernel_factor):
    """Measured / predicted learning time, shape (len(ks), seeds), and the count of runs that never crossed."""
    d, n, ks = dim
    out = np.empty((len(ks), sz["seeds"]))
    never = 0
    for i, k in enumerate(ks):
        for j in range(sz["seeds"]):
            run = cfg.cached(ex.deep_learning_run, k, n, sz["m"], depth, 0.8, EPS, 20000, d=d,
                             b_std=b_std, residual=residual, seed=(cfg.seed, 61, d, depth, k, j))
            lam = np.clip(run["lam"], 0.0, None) * kernel_factor
            pred = ex.linear_crossing_time(decay, lam, run["c2"], run["eta"], EPS)
            never += not math.isfinite(run["time"])
            out[i, j] = run["time"] / pred
    return out, never


@claim(id="basri2019.deep-learning-time", cost=12, source=SOURCE, derive=lt.learning_time,
       statement=(r"\text{deep and residual ReLU nets (depth } L\ge3\text{): } t_k = "
                  r"\text{linearised GD time of the NTK spectrum}\ (\pm4\%)"))
def deep_learning_time(cfg, kernel_factor=1.0):
    """Deep (and residual) fully connected nets learn frequency k in the time their NTK predicts.

    Trains depth-L ReLU nets (all layers, NTK parameterisation) on cos(k theta) on an equispaced
    circle (and, in the full profile, uniform points on S^2 with zonal targets) and compares the time to shrink the residual by 10^{-1/2} with the linearised GD time
    computed, with the derivation's decay factor (1 - eta lambda)^s, from the spectrum of the net's
    initial empirical NTK (``kernel_factor`` scales that kernel: the near-miss controls).
    """
    sz = _sizes(cfg)
    sy = lt.symbols()
    decay = sympy.lambdify((sy["lambda_k"], sy["eta"], sy["s"]), cfg.derived("residual_gd"), "numpy")
    crit, notes = [], []
    for dim, depth, (residual, b_std) in itertools.product(sz["dims"], sz["depths"], sz["variants"]):
        r, never = _ratios(cfg, decay, sz, dim, depth, residual, b_std, kernel_factor)
        name = f"S^{dim[0] - 1} {'residual' if residual else 'plain'} L={depth} b_std={b_std:g}"
        dev = np.abs(r.mean(axis=1) - 1.0)
        crit.append(at_most(f"max_k |mean t_k / predicted - 1| ({name})", float(dev.max()), TOL))
        crit.append(equal(f"runs that never reached eps ({name})", never, 0))
        notes.append(f"{name}: ratios per k {np.round(r.mean(axis=1), 4).tolist()}, "
                     f"seed SD {spread(r.ravel())['sd']:.3g}")
    return Evidence(crit, kind="float64", notes="; ".join(notes),
                    sizes={"dims (d, n, ks)": str(sz["dims"]), "m": sz["m"],
                                                  "depths": sz["depths"], "seeds": sz["seeds"]})


deep_learning_time.control("NTK x1.1 (a prediction 10% too fast)", kind="near-miss",
                           label="kernel x1.1", kernel_factor=1.1)
deep_learning_time.control("NTK x0.9", kind="near-miss", label="kernel x0.9", kernel_factor=0.9)
deep_learning_time.probe("NTK x1.05", label="kernel x1.05", kernel_factor=1.05)
deep_learning_time.probe("NTK x1.02", label="kernel x1.02", kernel_factor=1.02)
