"""Public entry point of gradient flow / descent: ``from numerics.flow import simulate``.

The implementation lives in :mod:`numerics.dynamics.flow`.
"""
from numerics.dynamics.flow import DivergenceError, Trajectory, simulate
from numerics.verify.fits import fitted_order, richardson

__all__ = ["simulate", "Trajectory", "DivergenceError", "richardson", "fitted_order"]
