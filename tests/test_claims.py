"""The proof-check: one test per registered claim and one per negative control.

Claims come from the single registry (``numerics.claims``), the same one ``sbcheck check`` and
``sbcheck report`` iterate.  Each claim is run once per session (cached) with the profile from
``SBCHECK_PROFILE`` (default ``quick``) and seed 0.
"""
import functools
import os

import pytest

from numerics.claims import load_all
from numerics.verify.registry import REGISTRY, Config

load_all()
PROFILE = os.environ.get("SBCHECK_PROFILE", "quick")
CLAIMS = [pytest.param(c, id=c.id) for c in REGISTRY]
CONTROLS = [pytest.param(c, i, id=f"{c.id}[control{i}]") for c in REGISTRY for i in range(len(c.controls))]


@functools.lru_cache(maxsize=None)
def _result(cid):
    return REGISTRY[cid].run(Config(profile=PROFILE, seed=0))


def test_registry_is_populated():
    # an empty parameter list would only show up as "skipped"
    assert len(CLAIMS) >= 5
    assert all(c.controls for c in REGISTRY), [c.id for c in REGISTRY if not c.controls]


def test_alias_table_in_the_claims_docstring_matches_the_registry():
    import re
    import numerics.claims
    doc = numerics.claims.__doc__
    table = dict(re.findall(r"^    ([a-z0-9.-]+\.[a-z0-9.-]+) +([a-z0-9-]+\.[a-z0-9.-]+)$", doc, flags=re.M))
    assert table and {a: i for i, a in table.items()} == {a: i for a, i in REGISTRY.aliases().items()
                                                         if REGISTRY[i].module.startswith("numerics.claims.")}
    for alias, cid in REGISTRY.aliases().items():
        assert REGISTRY[alias] is REGISTRY[cid]


@pytest.mark.parametrize("c", CLAIMS)
def test_claim_passes(c):
    ev = _result(c.id).evidence
    failing = [(cr.name, cr.measured, cr.tolerance) for cr in ev.criteria if not cr.ok]
    assert ev.verdict == "PASS", (ev.error, failing, ev.notes[-2000:])


@pytest.mark.parametrize("c, i", CONTROLS)
def test_control_is_rejected(c, i):
    ctrl, ev = _result(c.id).controls[i]
    assert ev.error is None, f"control {ctrl.description!r} crashed: {ev.error}\n{ev.notes}"
    assert ev.verdict == "FAIL", (ctrl.description, ev.measured, ev.tolerance)


@pytest.mark.parametrize("c", CLAIMS)
def test_claim_has_derivation_and_source(c):
    assert c.source and c.statement
    d = c.derive()
    if d is not None:
        assert d.verified, {k: v for k, v in d.checks.items() if not v}
        assert d.steps or d.results
