"""Training dynamics: gradient flow and gradient descent (:mod:`numerics.dynamics.flow`)."""
