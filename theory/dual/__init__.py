"""Bring your own network: exact kernels and spectra for any activation, bias and depth (docs/dual.md).

- :mod:`theory.dual.gaussian`    -- closed-form duals derived by SymPy from the Gaussian integrals
- :mod:`theory.dual.hermite`     -- Hermite series of any sigma with Parseval's tail certificate
- :mod:`theory.dual.series`      -- power series in t (arc-cosine series, composition)
- :mod:`theory.dual.network`     -- :func:`network_kernel`: depth recursion of NNGP / NTK
- :mod:`theory.dual.spectrum`    -- Funk-Hecke eigenvalues of these kernels
- :mod:`theory.dual.activations` -- named activations as SymPy expressions
"""
from theory.dual.activations import NAMED, named
from theory.dual.network import KINDS, NetworkKernel, network_kernel

__all__ = ["NAMED", "named", "KINDS", "NetworkKernel", "network_kernel"]
