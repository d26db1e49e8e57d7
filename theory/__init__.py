"""Exact results about two-layer (convolutional) ReLU networks, derived with SymPy (+ mpmath).

``theory`` never imports ``numerics``.  The top level re-exports the spectrum of the six named
kernels; the derivations of every claim live in the submodules (one job each):

- ``theory.arccos``      -- the arc-cosine functions kappa0, kappa1 (Cho & Saul 2009)
- ``theory.kernels``     -- the six named kernels (docs/basri2019.md §1) as SymPy expressions in ``t``
- ``theory.funk_hecke``  -- Funk-Hecke eigenvalues lambda_k(d) (one code path, three number modes), built on
  ``theory.spherical`` (N(d, k), P_k(d; t)), ``theory.funk_hecke.atoms`` (kernels split into positive-series
  atoms), ``theory.funk_hecke.gauss_sums`` (atoms summed in closed form), ``theory.funk_hecke.arith`` (number primitives
  per mode) and ``theory.funk_hecke.quadrature`` (fallback for the random-bias kernels)
- ``theory.basri2019``, ``theory.basri2019_training`` -- Basri et al. 2019 (odd frequencies, bias, decay, learning time)
- ``theory.cnnflow`` -- conservation, energy identity, coefficient ODE, GD drift (two-layer CNN)
- ``theory.cnnflow_fourier``     -- the Fourier view of CNN training (random kernels, band theorems, rates)
- ``theory.zhou2023`` -- linear stage of CNN training at small initialisation (Zhou et al. 2023)
- ``theory.geifman2022`` -- convolutional NTK/GP kernels on the multisphere (Geifman et al. 2022)
- ``theory.dual``       -- the kernel and spectrum of any network (activation, bias, depth): network_kernel
- ``theory.derivation``  -- the :class:`Derivation` record every claim's ``derive()`` returns

Examples
--------
>>> import theory
>>> theory.eigenvalue("basri", d=2, k=2)
5/(9*pi**2)
"""
from theory.derivation import Derivation, Step
from theory.kernels import KERNELS, kernel, kernel_description, kernel_value, t
from theory.funk_hecke import eigenvalue, eigenvalues, multiplicity, legendre_P
from theory.dual import network_kernel

__all__ = ["Derivation", "Step", "KERNELS", "kernel", "kernel_description", "kernel_value", "t",
           "eigenvalue", "eigenvalues", "multiplicity", "legendre_P", "network_kernel"]
