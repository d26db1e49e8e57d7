"""The proof-check: one test per registered claim and one per control, at seed 0 and more seeds.

Claims come from the single registry (``numerics.claims``), the same one ``sbcheck check`` and
``sbcheck report`` iterate, and run through the same runner (``numerics.verify.runner``): all of them
once per session, in parallel on every core, with the profile from ``SBCHECK_PROFILE`` (default
``quick``) and seed 0.  Claims whose ``cost`` is at most :data:`SEED_COST` seconds also run at seeds
1 and 2 (``sbcheck check --seeds 0:5`` covers seeds 0-4 for all of them).
"""
import functools
import os

import pytest

from numerics.claims import load_all
from numerics.verify.registry import REGISTRY, Config
from numerics.verify.runner import default_jobs, run_claims

load_all()
PROFILE = os.environ.get("SBCHECK_PROFILE", "quick")
BUILTIN = [c for c in REGISTRY if c.module.startswith("numerics.claims.")]
CLAIMS = [pytest.param(c, id=c.id) for c in BUILTIN]
CONTROLS = [pytest.param(c, i, id=f"{c.id}[control{i}]") for c in BUILTIN for i in range(len(c.controls))]
SEED_COST = 5.0
MORE_SEEDS = (1, 2)
CHEAP = [pytest.param(c, s, id=f"{c.id}[seed{s}]") for c in BUILTIN if c.cost <= SEED_COST for s in MORE_SEEDS]


@functools.lru_cache(maxsize=None)
def _results(seed):
    claims = BUILTIN if seed == 0 else [c for c in BUILTIN if c.cost <= SEED_COST]
    out = run_claims(claims, Config(profile=PROFILE, seed=seed), jobs=default_jobs())
    return {r.claim.id: r for r in out}


def _result(cid, seed=0):
    return _results(seed)[cid]


def test_registry_is_populated():
    # an empty parameter list would only show up as "skipped"
    assert len(CLAIMS) >= 5
    assert all(c.controls for c in REGISTRY), [c.id for c in REGISTRY if not c.controls]


def test_every_claim_has_a_near_miss_control():
    # a verdict is worth the smallest error it can see: strawman controls alone prove little
    lacking = [c.id for c in BUILTIN if not any(ctl.kind == "near-miss" for ctl in c.controls)]
    assert not lacking, lacking


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


@pytest.mark.parametrize("c, seed", CHEAP)
def test_cheap_claims_hold_on_more_seeds(c, seed):
    r = _result(c.id, seed)
    failing = [(cr.name, cr.measured, cr.tolerance) for cr in r.evidence.criteria if not cr.ok]
    assert r.verdict == "PASS", (seed, r.evidence.error, failing)
    assert all(ev.verdict == "FAIL" and ev.error is None for _, ev in r.controls), \
        [(c.description, ev.measured) for c, ev in r.controls if ev.verdict != "FAIL" or ev.error]


@pytest.mark.parametrize("c", CLAIMS)
def test_claim_has_derivation_and_source(c):
    assert c.source and c.statement
    d = c.derive()
    if d is not None:
        assert d.verified, {k: v for k, v in d.checks.items() if not v}
        assert d.steps or d.results
