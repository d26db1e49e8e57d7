"""Figures of the Zhou et al. 2023 claims (plain data, rendered by ``reports``): docs/zhou2023.md §3, §5."""
from __future__ import annotations

import numpy as np

from numerics.experiments import zhou2023 as cd
from numerics.verify.evidence import Figure, Series

__all__ = ["alignment_figures", "misalignment_figure", "channel_figure"]


def _heat(name, title, Z, caption):
    m = Z.shape[0]
    return Figure(name, title, "kernel (sorted by cos with u1 at T_lin)", "kernel", kind="heatmap",
                  z=Z.tolist(), extent=[0, m, 0, m], caption=caption)


def alignment_figures(run, s=3, max_kernels=128):
    """Pairwise cosines at t = 0 and at T_lin, the singular values of A, u1 as an s x s filter and
    the aligned fraction against t, for a :func:`numerics.experiments.zhou2023_runs.condensation_run`."""
    r, W = run["r"], run["W"]
    sig, u1 = r["sig"], r["u1"]
    c = cd.cosines(W, u1)
    sub = np.argsort(c)[:: max(1, W.shape[0] // max_kernels)]
    return [_heat("cos-t0", "Pairwise cosines of kernels at t = 0", cd.pairwise_cosines(r["W0"], sub),
                  "Random start: cosines spread around 0."),
            _heat("cos-tlin", f"Pairwise cosines at T_lin = {run['T_lin']:.3g}", cd.pairwise_cosines(W, sub),
                  "Two blocks of cosine +-1: kernels condensed on +u1 and -u1."),
            Figure("singular-values", "Singular values of A", "j", "sigma_j", yscale="log",
                   series=[Series(np.arange(1, len(sig) + 1), sig, "sigma_j", "points"),
                           Series([1, len(sig)], [sig[1], sig[1]],
                                  f"sigma_2 (gap sigma1/sigma2 = {sig[0] / sig[1]:.3g})", "dashed")],
                   caption="A spectral gap separates sigma_1 from the rest."),
            Figure("u1-filter", f"u1 as a {s}x{s} filter", "j2", "j1", kind="heatmap",
                   z=u1.reshape(-1, s).tolist(), extent=[0, s, 0, s],
                   caption="Nearly constant: u1 is close to the all-ones filter."),
            Figure("fraction-vs-t", "Fraction of kernels with |cos(w_k,u1)| > 0.99", "t", "fraction",
                   series=[Series(r["t"], r["frac"], f"M = {W.shape[0]}")],
                   caption="The aligned fraction rises during the linear stage.")]


def misalignment_figure(runs, predicted):
    """log-scale misalignment tangent against t for ``runs = [(b, record)]``, with the lines of slope
    ``-predicted[i]`` through the first fitted point; ``runs`` items carry ``sel`` masks."""
    series = []
    for (b, r, sel), rate in zip(runs, predicted):
        m = r["tangent"]
        series += [Series(r["t"], m, f"b = {b:.3g}", "line"),
                   Series(r["t"][sel], np.exp(np.log(m[sel][0]) - rate * (r["t"][sel] - r["t"][sel][0])),
                          f"derived GD rate, b = {b:.3g}", "dashed")]
    return Figure("misalignment", "Misalignment of the kernels", "t", "||off-u1|| / ||on-u1||",
                  series=series, yscale="log",
                  caption="Straight lines in log scale with slope -log((1 + eta s1)/(1 + eta s2))/eta.")


def channel_figure(u1, channels=3):
    """u1 of RGB data as a heatmap, channel blocks side by side."""
    blocks = np.asarray(u1).reshape(channels, -1)
    return Figure("u1-channels", "u1 of the RGB data, channel blocks side by side", "j", "c",
                  kind="heatmap", z=blocks.tolist(), extent=[0, blocks.shape[1], 0, channels],
                  caption="Each channel block is nearly constant (all-ones), scaled by the gain.")
