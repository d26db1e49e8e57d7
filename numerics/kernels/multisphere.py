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
- :func:`marginal_spectrum`: ``lambda_{k e_j}`` (one nonzero pixel) on a non-tensor rule, many
  nodes on pixel ``j`` and few on the others (their degree is 0), so that ``k`` can reach hundreds.
- :func:`diagonal_spectrum`: ``lambda_{c k}`` for a few fixed directions ``c`` (supports growing
  together), contracting only the needed degrees.

Kernels are passed as callables of ``delta = 1 - t`` (shape (..., d)) so that the grid point
``t = 1`` is exact (``delta = 2 sin^2(theta/2)``); see :func:`numerics.kernels.cntk.multidot`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.special import roots_legendre

from numerics.data.sphere import legendre_P
from theory.validate import check_int

__all__ = ["torus_grid_delta", "torus_spectrum", "quadrature_rule",
           "quadrature_spectrum", "marginal_spectrum", "diagonal_spectrum"]


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


def marginal_spectrum(fun: Callable[[np.ndarray], np.ndarray], zeta: int, d: int, pixel: int,
                      ks, n_pixel: int, n_rest: int) -> np.ndarray:
    """Single-pixel eigenvalues ``lambda_{k e_pixel}`` for the degrees ``ks`` (docs/geifman2022.md §3.2).

    ``lambda_{k e_j} = E[K(t) P~_k(t_j)]``: Gauss in the polar angle of pixel ``j`` with ``n_pixel``
    nodes and in the other ``d - 1`` angles with ``n_rest`` nodes each (their harmonics have degree
    0, so far fewer nodes suffice); grid ``n_pixel * n_rest^(d-1)``.

    Parameters
    ----------
    fun : callable
        ``delta`` (..., d) -> kernel (...).
    zeta, d, pixel : int
        Channels, pixels, and the nonzero pixel ``0 <= pixel < d``.
    ks : array_like of int, shape (m,)
    n_pixel, n_rest : int

    Returns
    -------
    lam : ndarray, shape (m,)
    """
    d = check_int("d", d, 1, 6)
    pixel = check_int("pixel", pixel, 0, d - 1)
    ks = [check_int("ks", k, 0) for k in np.atleast_1d(ks)]
    th0, w0 = quadrature_rule(zeta, check_int("n_pixel", n_pixel, 2))
    tho, wo = quadrature_rule(zeta, check_int("n_rest", n_rest, 1))
    do = 2.0 * np.sin(tho / 2) ** 2
    rest = np.stack(np.meshgrid(*([do] * (d - 1)), indexing="ij"), axis=-1).reshape(-1, d - 1)
    wr = np.prod(np.meshgrid(*([wo] * (d - 1)), indexing="ij"), axis=0).ravel()      # (n_rest^(d-1),)
    D = np.empty((th0.size, rest.shape[0], d))
    D[..., pixel] = (2.0 * np.sin(th0 / 2) ** 2)[:, None]
    D[..., [i for i in range(d) if i != pixel]] = rest[None]
    g = fun(D) @ wr                                                                  # (n_pixel,)
    P = np.stack([legendre_P(zeta, k, np.cos(th0)) for k in ks])                     # (m, n_pixel)
    return P @ (w0 * g)


def diagonal_spectrum(fun: Callable[[np.ndarray], np.ndarray], zeta: int, d: int, directions,
                      ks, n: int) -> np.ndarray:
    """``lambda_{k c}`` for each direction ``c`` in ``directions`` and degree ``k`` in ``ks``.

    Tensor Gauss rule with ``n`` nodes per pixel (grid ``n^d``, the kernel evaluated once); for each
    ``(c, k)`` the grid is contracted with ``prod_i P~_{k c_i}(cos theta_i) w_i``.

    Parameters
    ----------
    fun : callable
        ``delta`` (..., d) -> kernel (...).
    directions : sequence of tuple of int, each of length d
    ks : array_like of int, shape (m,)
    n : int

    Returns
    -------
    lam : ndarray, shape (len(directions), m)
    """
    d = check_int("d", d, 1, 6)
    ks = [check_int("ks", k, 0) for k in np.atleast_1d(ks)]
    directions = [tuple(int(check_int("directions", c, 0)) for c in cvec) for cvec in directions]
    if any(len(c) != d for c in directions):
        raise ValueError(f"every entry of `directions` must have d = {d} entries; got {directions!r}")
    theta, w = quadrature_rule(zeta, check_int("n", n, 2))
    G = fun(np.stack(np.meshgrid(*([2.0 * np.sin(theta / 2) ** 2] * d), indexing="ij"), axis=-1))
    degrees = sorted({k * c for cvec in directions for c in cvec for k in ks})
    Pw = {m: legendre_P(zeta, m, np.cos(theta)) * w for m in degrees}
    out = np.empty((len(directions), len(ks)))
    for a, cvec in enumerate(directions):
        for b, k in enumerate(ks):
            T = G
            for c in cvec:                       # contract the leading axis with its degree k c
                T = np.tensordot(Pw[k * c], T, axes=([0], [0]))
            out[a, b] = float(T)
    return out
