"""Exact results about two-layer (convolutional) ReLU networks, derived with SymPy (+ mpmath).

``theory`` never imports ``numerics``.  The top level re-exports the spectrum of the six named
kernels; the derivations of every claim live in the submodules (one job each):

- ``theory.arccos``      -- the arc-cosine functions kappa0, kappa1 (Cho & Saul 2009)
- ``theory.kernels``     -- the six named kernels of THEORY.md as SymPy expressions in ``t``
- ``theory.funk_hecke``  -- Funk-Hecke eigenvalues lambda_k(d) and multiplicities N(d, k)
- ``theory.basri``       -- derivations for Basri et al. 2019 (odd frequencies, bias, decay)
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

__all__ = ["Derivation", "Step", "KERNELS", "kernel", "kernel_description", "kernel_value", "t",
           "eigenvalue", "eigenvalues", "multiplicity", "legendre_P"]
