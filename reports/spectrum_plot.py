"""``sbcheck eigen --plot FILE``: lambda_k against k on log-log axes, the fitted decay and the zero set."""
from __future__ import annotations

import os
import tempfile

import numpy as np

from numerics.verify.fits import loglog_slope

__all__ = ["plot_spectrum", "ZERO_REL"]

ZERO_REL = 1e-20     # lambda_k below this fraction of max lambda is drawn as a zero (rounding of exact zeros)


def plot_spectrum(rows, path: str, title: str = "") -> dict:
    """Draw ``rows`` (dicts with ``k``, ``value``) to ``path`` atomically (temp file + rename).

    Returns ``{"path", "slope", "zeros"}``: the least-squares log-log slope over the nonzero
    eigenvalues with k >= 1 and the list of k drawn as zeros.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    k = np.array([r["k"] for r in rows], dtype=float)
    lam = np.array([r["value"] for r in rows], dtype=float)
    top = np.max(np.abs(lam)) if lam.size else 0.0
    zero = np.abs(lam) <= ZERO_REL * top
    ok = (~zero) & (k >= 1) & (lam > 0)
    slope = loglog_slope(k[ok], lam[ok]) if ok.sum() >= 2 else float("nan")
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ax.loglog(k[ok], lam[ok], "o", ms=3, label=r"$\lambda_k$")
    if np.isfinite(slope):
        kk = k[ok]
        c = np.exp(np.mean(np.log(lam[ok]) - slope * np.log(kk)))
        ax.loglog(kk, c * kk**slope, "--", label=f"fit $k^{{{slope:.2f}}}$")
    zk = k[zero & (k >= 1)]
    if zk.size:
        floor = lam[ok].min() if ok.any() else 1.0
        ax.plot(zk, np.full(zk.size, floor), "x", color="red", label=r"$\lambda_k=0$")
    ax.set_xlabel("k")
    ax.set_ylabel(r"$\lambda_k$")
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=7)
    ext = os.path.splitext(path)[1] or ".png"
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=ext, dir=d)
    os.close(fd)
    try:
        fig.savefig(tmp)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    return {"path": path, "slope": slope, "zeros": [int(v) for v in zk]}
