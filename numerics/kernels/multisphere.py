"""Eigenvalues of multi-dot-product kernels on the multisphere MS(zeta, d), float64.

Product Funk-Hecke (docs/geifman2022.md §3.2): the product harmonics of degrees
``k = (k_1..k_d)`` are eigenfunctions with ``lambda_k = E[K(t) prod_i P~_{k_i}(t_i)]``, each
``t_i = cos(theta_i)`` distributed as the polar cosine on ``S^(zeta-1)``.

- ``zeta = 2`` (:func:`torus_spectrum`): the kernel is a convolution on the torus ``T^d``, so
  ``lambda_k`` is the ``k``-th Fourier coefficient of ``g(phi) = K(cos phi)``, computed by a
  ``d``-dimensional FFT on an ``N^d`` grid (aliasing: the DFT returns ``sum_m lambda_{k + m N}``).
- ``zeta >= 3`` (:func:`quadrature_spectrum`): tensor Gauss-Legendre quadrature in the polar angles
  ``theta_i`` with the weight ``sin^(zeta-2) theta``.  In ``theta`` the single-pixel singularities
  of ``kappa0``/``kappa1`` at ``t = 1`` become analytic (``arccos(cos theta) = theta``), which is why
  the angle and not the cosine is the quadrature variable.

Kernels are passed as callables of ``delta = 1 - t`` (shape (..., d)) so that the grid point
``t = 1`` is exact (``delta = 2 sin^2(theta/2)``); see :func:`numerics.kernels.cntk.multidot`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.special import roots_legendre

from numerics.data.sphere import legendre_P

__all__ = ["torus_grid_delta", "torus_spectrum", "quadrature_rule",
           "quadrature_spectrum"]


def torus_grid_delta(d: int, N: int) -> np.ndarray:
    """``delta = 1 - cos(phi)`` on the grid ``phi_j = 2 pi j / N``, shape (N,)*d + (d,)."""
    if not (isinstance(d, int) and 1 <= d <= 6):
        raise ValueError(f"`d` (number of pixels) must be an int in [1, 6]; got {d!r}")
    if not (isinstance(N, int) and N >= 2):
        raise ValueError(f"`N` (grid points per pixel) must be an int >= 2; got {N!r}")
    phi = 2 * np.pi * np.arange(N) / N
    dl = 2.0 * np.sin(phi / 2) ** 2
    grids = np.meshgrid(*([dl] * d), indexing="ij")
    return np.stack(grids, axis=-1)


def torus_spectrum(fun: Callable[[np.ndarray], np.ndarray], d: int, N: int) -> tuple[np.ndarray, float]:
    """Eigenvalues ``lambda_k`` of a multi-dot-product kernel on ``(S^1)^d`` by FFT.

    Parameters
    ----------
    fun : callable
        ``delta`` of shape (..., d) -> kernel values of shape (...).
    d, N : int
        Pixels and grid points per pixel.

    Returns
    -------
    lam : ndarray, shape (N,)*d
        ``lam[k] = (2 pi)^-d int g e^{-i k.phi}`` (real part); index ``k`` mod N, even in each ``k_i``.
    imag : float
        Largest ``|imaginary part|`` (should be at rounding level: ``g`` is even).
    """
    g = fun(torus_grid_delta(d, N))
    F = np.fft.fftn(g) / g.size
    return F.real.copy(), float(np.max(np.abs(F.imag)))


def quadrature_rule(zeta: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``theta`` in (0, pi) and weights (sum 1) for the polar-angle law on ``S^(zeta-1)``."""
    if not (isinstance(zeta, int) and zeta >= 2):
        raise ValueError(f"`zeta` (channels) must be an int >= 2; got {zeta!r}")
    x, w = roots_legendre(n)
    theta = 0.5 * np.pi * (x + 1)
    w = w * np.sin(theta) ** (zeta - 2)
    return theta, w / w.sum()


def quadrature_spectrum(fun: Callable[[np.ndarray], np.ndarray], zeta: int, d: int, n: int,
                        kmax: int) -> np.ndarray:
    """``lambda_k`` for all ``k`` in ``[0, kmax]^d`` by tensor Gauss quadrature in the polar angles.

    Parameters
    ----------
    fun : callable
        ``delta`` (..., d) -> kernel (...).
    zeta, d : int
        Channels and pixels.
    n : int
        Quadrature nodes per pixel (grid ``n^d``).
    kmax : int

    Returns
    -------
    lam : ndarray, shape (kmax+1,)*d
    """
    theta, w = quadrature_rule(zeta, n)
    dl = 2.0 * np.sin(theta / 2) ** 2
    grids = np.meshgrid(*([dl] * d), indexing="ij")
    G = fun(np.stack(grids, axis=-1))
    Pw = np.stack([legendre_P(zeta, k, np.cos(theta)) for k in range(kmax + 1)]) * w
    out = G
    for _ in range(d):                     # contract the leading axis, append the k axis at the end
        out = np.tensordot(out, Pw, axes=([0], [1]))
    return out
