"""The Funk-Hecke engine: eigenvalues of zonal kernels on S^{d-1} (docs/basri2019.md §2, §4).

Modules, one job each:

- :mod:`theory.funk_hecke.eigen`      -- the public entry points (:func:`eigenvalue`, :func:`eigenvalues`,
  :class:`Eigen`): one code path, three number modes;
- :mod:`theory.funk_hecke.atoms`      -- a kernel split into atoms with nonnegative Taylor coefficients;
- :mod:`theory.funk_hecke.gauss_sums` -- each atom's series summed exactly as positive Gauss sums;
- :mod:`theory.funk_hecke.arith`      -- the number primitives of each mode (exact, mpmath, float);
- :mod:`theory.funk_hecke.quadrature` -- fallbacks where a series is not a sum of Gauss sums.
"""
from theory.funk_hecke.eigen import (EXACT_DIGITS, EXACT_INTEGRAL_KMAX, Eigen, decompose, eigenvalue,
                                     eigenvalues, legendre_P, multiplicity, series_parameters)

__all__ = ["multiplicity", "legendre_P", "eigenvalue", "eigenvalues", "Eigen", "decompose",
           "series_parameters", "EXACT_DIGITS", "EXACT_INTEGRAL_KMAX"]
