"""Image data for the condensation experiments: scikit-learn's 8x8 digits and synthetic RGB images.

Nothing is downloaded: ``sklearn.datasets.load_digits`` reads a file shipped inside the
scikit-learn package.  Synthetic images are generated in code from a seed.  Preprocessing follows
``docs/zhou2023.md`` §5 (pixels / 16 in [0, 1], labels
digit / 9), with the variants of its preprocessing table.
"""
from __future__ import annotations

import numpy as np

from theory.validate import check_int

__all__ = ["digits", "synthetic_rgb", "template_images", "LABELS", "PIXELS"]

LABELS = ("digit/9", "centred", "pm1-01")
PIXELS = ("raw", "standardised")


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _n(n, hi):
    return check_int("n", n, 1, hi, what="number of images")


def digits(n, seed, labels="digit/9", pixels="raw"):
    """``n`` random images of scikit-learn's digits, shape (n, 1, 8, 8), with scalar labels.

    Parameters
    ----------
    n : int
        Number of images drawn without replacement (1 ... 1797; with ``labels="pm1-01"``
        1 ... 360, only digits 0 and 1 are drawn).
    seed : int or numpy.random.Generator
    labels : {"digit/9", "centred", "pm1-01"}
        ``digit/9`` (the recipe of docs/zhou2023.md §5), ``centred`` (digit/9 minus its sample mean) or
        ``pm1-01`` (digits 0 and 1 only, labels -1 and +1: the small-gap control C4 of docs/zhou2023.md §5).
    pixels : {"raw", "standardised"}
        ``raw``: pixel / 16 in [0, 1]; ``standardised``: each pixel position centred and scaled to
        unit variance over the drawn sample (constant pixels left at 0).

    Returns
    -------
    X : ndarray, shape (n, 1, 8, 8), float64
    y : ndarray, shape (n,), float64
    """
    from sklearn.datasets import load_digits

    if labels not in LABELS:
        raise ValueError(f"`labels` must be one of {list(LABELS)}; got {labels!r}")
    if pixels not in PIXELS:
        raise ValueError(f"`pixels` must be one of {list(PIXELS)}; got {pixels!r}")
    data = load_digits()
    images, target = data.images.astype(np.float64), data.target
    if labels == "pm1-01":
        keep = np.flatnonzero(target <= 1)
        images, target = images[keep], target[keep]
    n = _n(n, len(target))
    idx = _rng(seed).choice(len(target), size=n, replace=False)
    X = images[idx][:, None] / 16.0
    t = target[idx].astype(np.float64)
    if labels == "digit/9":
        y = t / 9.0
    elif labels == "centred":
        y = t / 9.0 - np.mean(t / 9.0)
    else:
        y = 2.0 * t - 1.0
    if pixels == "standardised":
        mu, sd = X.mean(axis=0), X.std(axis=0)
        X = np.where(sd > 0, (X - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    return X, y


def synthetic_rgb(n, seed, size=8, gains=(1.0, 0.8, 0.6), noise=0.05, smooth=0.5, offset=0.0):
    """Synthetic 3-channel images whose label is the sign of their brightness.

    A grey field ``g_i = offset + 0.2 * (smoothed white noise, unit variance)`` (periodic Gaussian
    blur of width ``smooth`` pixels, so the field is stationary) is coloured as
    ``x_i[c] = gains[c] * g_i + noise * xi_{i,c}`` with independent N(0, 1) ``xi``.  The label is
    ``y_i = +1`` if the mean of ``g_i`` is above the sample median, else ``-1`` (balanced, so
    ``mean(y) = 0``: the data matrix has no mean-patch term, only the class contrast).
    With the default ``offset = 0`` the pixels are centred; an offset does not change ``A`` but
    gives the output a large common part ``f_bar`` that ends the linear stage early (the
    residual ``y - f`` is then no longer ``~ y``), so the theory's clean regime needs it small.

    Parameters
    ----------
    n : int, even, 2 ... 100000
    seed : int or numpy.random.Generator
    size : int >= 3
    gains : tuple of 3 floats
    noise : float > 0
    smooth : float >= 0
        Blur width in pixels (0: white field).
    offset : float
        Mean grey level.

    Returns
    -------
    X : ndarray, shape (n, 3, size, size)
    y : ndarray, shape (n,), entries +-1
    """
    from scipy.ndimage import gaussian_filter

    n = _n(n, 100000)
    if n % 2:
        raise ValueError(f"`n` must be even (balanced labels); got {n}")
    if not (isinstance(size, (int, np.integer)) and size >= 3):
        raise ValueError(f"`size` must be an int >= 3; got {size!r}")
    gains = np.asarray(gains, dtype=np.float64)
    if gains.shape != (3,):
        raise ValueError(f"`gains` must hold 3 numbers (one per channel); got {gains!r}")
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"`noise` must be a positive float; got {noise!r}")
    if not (np.isfinite(smooth) and smooth >= 0):
        raise ValueError(f"`smooth` (blur width in pixels, 0 = white field) must be a float >= 0; got {smooth!r}")
    rng = _rng(seed)
    field = rng.standard_normal((n, size, size))
    if smooth > 0:
        field = gaussian_filter(field, sigma=(0, smooth, smooth), mode="wrap")
    field /= field.std()
    grey = offset + 0.2 * field
    X = gains[None, :, None, None] * grey[:, None] + noise * rng.standard_normal((n, 3, size, size))
    bright = grey.mean(axis=(1, 2))
    y = np.where(bright > np.median(bright), 1.0, -1.0)
    return X, y


def template_images(n, seed, templates, noise=0.05):
    """Images ``x_i = y_i * T + noise * xi_i`` with balanced labels ``y_i = +-1``.

    The data matrix is then ``A = patches(T) + O(noise / sqrt(n))``, so its spectrum is set by the
    template ``T`` (used for a controlled spectral gap).

    Parameters
    ----------
    n : int, even
    seed : int or numpy.random.Generator
    templates : ndarray, shape (C, H, W)
    noise : float >= 0

    Returns
    -------
    X : ndarray, shape (n, C, H, W)
    y : ndarray, shape (n,)
    """
    n = _n(n, 100000)
    if n % 2:
        raise ValueError(f"`n` must be even (balanced labels); got {n}")
    T = np.asarray(templates, dtype=np.float64)
    if T.ndim != 3:
        raise ValueError(f"`templates` must have shape (C, H, W); got {T.shape}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"`noise` must be a float >= 0; got {noise!r}")
    rng = _rng(seed)
    y = rng.permutation(np.repeat([1.0, -1.0], n // 2))
    X = y[:, None, None, None] * T[None] + noise * rng.standard_normal((n,) + T.shape)
    return X, y
