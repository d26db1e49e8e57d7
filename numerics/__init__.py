"""NumPy/SciPy half of sbcheck: the hand-written CNN, gradient flow, experiments and the claims.

``numerics`` checks ``theory`` (it may import it; ``theory`` never imports ``numerics``).
Modules: ``cnn`` (the two-layer CNN and its backprop), ``flow`` (gradient flow / descent),
``registry`` (claims, evidence, verdicts), ``claims`` (one module per source paper), and the
experiment modules each claim family uses.
"""
