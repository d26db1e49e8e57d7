"""Public entry point of the claim registry: ``from numerics.registry import claim, Evidence, close``.

The implementation lives in :mod:`numerics.verify.registry` (criteria and figures in
:mod:`numerics.verify.evidence`).
"""
from numerics.verify.registry import *  # noqa: F401,F403  (the documented public names)
from numerics.verify.registry import __all__  # noqa: F401
from numerics.verify.runner import run_claims  # noqa: F401
