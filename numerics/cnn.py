"""Public entry point of the two-layer CNN (DESIGN.md): ``from numerics.cnn import CNN``.

The implementation lives in :mod:`numerics.nets.cnn` (engine: :mod:`numerics.nets.blocks`).
"""
from numerics.nets.cnn import CNN, HEADS, PADDINGS, Batch

__all__ = ["CNN", "Batch", "PADDINGS", "HEADS"]
