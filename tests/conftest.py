"""Shared pytest configuration: Hypothesis profiles and the claim profile.

Hypothesis profiles: ``dev`` (default), ``ci`` (loaded when ``CI=true``: more examples, no
deadline, derandomised so CI is reproducible), ``full``.  The claim profile used by
``tests/test_claims.py`` is ``quick`` unless ``SBCHECK_PROFILE=full``.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("full", max_examples=300, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
else:
    settings.load_profile("dev")

os.environ.setdefault("MPLBACKEND", "Agg")

# Sweep results are cached on disk; the proof-check must measure, not reuse an earlier session's
# results, so each pytest session gets a fresh cache directory (unless one is set explicitly).
if "SBCHECK_CACHE" not in os.environ:
    import tempfile
    os.environ["SBCHECK_CACHE"] = tempfile.mkdtemp(prefix="sbcheck-test-cache-")
