"""Summaries of repeated measurements (seeds, Monte-Carlo draws): the one copy used by claims."""
from __future__ import annotations

import numpy as np

__all__ = ["spread"]


def spread(values) -> dict:
    """``{"median", "min", "max", "mean", "sd", "per_seed"}`` of a 1-D sample (``sd`` with ddof=1;
    None for a single value).  Non-finite values are kept in ``per_seed`` and left out of the rest."""
    a = np.asarray(values, dtype=float).ravel()
    f = a[np.isfinite(a)]
    out = {"median": float(np.median(f)) if f.size else float("nan"),
           "min": float(np.min(f)) if f.size else float("nan"),
           "max": float(np.max(f)) if f.size else float("nan"),
           "mean": float(np.mean(f)) if f.size else float("nan"),
           "sd": float(np.std(f, ddof=1)) if f.size > 1 else None,
           "per_seed": a.tolist()}
    if f.size < a.size:
        out["non_finite"] = int(a.size - f.size)
    return out
