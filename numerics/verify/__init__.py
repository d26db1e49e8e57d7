"""The verification spine: claim authors import it and never edit it.

- :mod:`numerics.verify.registry` -- claims, controls, results; the one registry;
- :mod:`numerics.verify.evidence` -- criteria, figures, the computed verdict;
- :mod:`numerics.verify.sweep`    -- parameter sweeps (serial, joblib, Dask) cached on disk.
"""
