"""Data the experiments generate or that a package ships (nothing is downloaded).

- :mod:`numerics.data.sphere` -- seeded points on S^{d-1}, circle grids, zonal harmonic targets;
- :mod:`numerics.data.images` -- scikit-learn's bundled 8x8 digits and seeded synthetic images.
"""
