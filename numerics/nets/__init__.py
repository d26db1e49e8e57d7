"""The hand-written networks and their backprop (NumPy, float64 or float32).

- :mod:`numerics.nets.activations` -- activations with their properties as fields (kinked, homogeneity degree);
- :mod:`numerics.nets.cnn`         -- the two-layer CNN of DESIGN.md (:class:`~numerics.nets.cnn.CNN`);
- :mod:`numerics.nets.blocks`      -- its block engine (im2col, per-block GEMMs, head algebra);
- :mod:`numerics.nets.checks`      -- argument and data validation of the CNN;
- :mod:`numerics.nets.ntk`         -- the empirical NTK of the two-layer CNN;
- :mod:`numerics.nets.deep_cnn`    -- the deep circular CNN of Geifman et al. 2022 and its empirical NTK.
"""
