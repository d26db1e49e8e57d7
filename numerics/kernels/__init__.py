"""Analytic infinite-width kernels in float64.

- :mod:`numerics.kernels.cntk`        -- CNTK / CGPK Gram matrices on the multisphere (Geifman et al. 2022);
- :mod:`numerics.kernels.recursion`   -- their layer recursion on pixel-major blocks (the engine of ``cntk``);
- :mod:`numerics.kernels.multisphere` -- their eigenvalues by torus FFT and polar-angle quadrature.
"""
