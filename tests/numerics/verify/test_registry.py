"""The registry judges: verdicts come from numbers and tolerances, never from the check itself."""
import json
import math

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from numerics.verify.registry import (REGISTRY, Claim, Config, Evidence, at_least, at_most, close, dumps,
                               claim, equal, select, within)


def _claim(fn, cid="test.dummy"):
    return Claim(fn, id=cid, source="test", statement="x")


def test_no_criteria_is_fail():
    assert Evidence([]).verdict == "FAIL"


def test_nan_never_passes():
    assert not close("x", math.nan, 0.0, atol=1.0).ok
    assert not at_most("x", math.nan, 1.0).ok
    assert not at_least("x", math.nan, 1.0).ok
    assert not within("x", math.nan, 0, 1).ok


@given(m=st.floats(-1e6, 1e6), e=st.floats(-1e6, 1e6), tol=st.floats(1e-9, 1e3))
@example(m=1.0, e=1.1, tol=0.1)
def test_close_is_the_stated_inequality(m, e, tol):
    c = close("x", m, e, rtol=tol)
    assert c.ok == (abs(m - e) <= tol * abs(e))


def test_close_needs_a_tolerance():
    with pytest.raises(ValueError, match="rtol"):
        close("x", 1.0, 1.0)


def test_exact_equality_uses_sympy():
    import sympy
    assert equal("x", sympy.Rational(5, 9) / sympy.pi**2, sympy.Rational(10, 18) / sympy.pi**2).ok
    assert not equal("x", sympy.Rational(5, 9) / sympy.pi**2, sympy.Rational(10, 9) / sympy.pi**2).ok


def test_one_failing_criterion_fails_the_evidence():
    ev = Evidence([at_most("a", 1, 2), at_most("b", 3, 2)])
    assert ev.verdict == "FAIL"
    assert ev.measured == {"a": 1, "b": 3}
    assert "measured <= 2" in ev.tolerance["b"]


def test_crashing_check_is_fail_with_reason_and_crashing_control_is_not_a_rejection():
    def fn(cfg, boom=False):
        if boom:
            raise RuntimeError("kaboom")
        return Evidence([at_most("x", 0, 1)])
    c = _claim(fn).control("crashes", boom=True)
    r = c.run(Config())
    assert r.verdict == "PASS"
    assert r.controls[0][1].verdict == "FAIL" and "kaboom" in r.controls[0][1].error
    assert not r.ok                      # a crash is not a rejection
    assert r.to_json()["control"]["verdict"] == "ERROR"


def test_control_must_perturb_something():
    c = _claim(lambda cfg: Evidence([]))
    with pytest.raises(ValueError, match="perturb"):
        c.control("nothing")


def test_check_returning_non_evidence_fails():
    c = _claim(lambda cfg: True)
    ev = c.check()
    assert ev.verdict == "FAIL" and "not Evidence" in ev.error


@pytest.mark.parametrize("cid", ["nodot", "Upper.case", "sp ace.x", ""])
def test_bad_claim_id(cid):
    with pytest.raises(ValueError, match="id"):
        _claim(lambda cfg: None, cid)


@pytest.mark.parametrize("kw, match, exc", [({"profile": "medium"}, "profile", ValueError),
                                            ({"seed": -1}, "seed", ValueError), ({"seed": 1.5}, "seed", TypeError),
                                            ({"jobs": 0}, "jobs", ValueError), ({"jobs": True}, "jobs", TypeError)])
def test_config_validates(kw, match, exc):
    with pytest.raises(exc, match=match):
        Config(**kw)


def test_rng_is_reproducible_and_salted():
    a, b = Config(seed=3).rng(1).standard_normal(4), Config(seed=3).rng(1).standard_normal(4)
    c = Config(seed=3).rng(2).standard_normal(4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_select_unknown_prefix():
    with pytest.raises(ValueError, match="unknown claim id"):
        select(["no-such-paper"])


def test_evidence_json_is_deterministic():
    ev = Evidence([close("x", np.float64(1.0), 1.0, atol=1e-3)], data={"arr": np.arange(3)})
    s1, s2 = dumps(ev.to_json()), dumps(ev.to_json())
    assert s1 == s2 and json.loads(s1)["measured"] == {"x": 1.0}


def test_registry_rejects_duplicate_id_from_another_function():
    from numerics.claims import load_all
    load_all()
    some = next(iter(REGISTRY))
    with pytest.raises(ValueError, match="already registered"):
        REGISTRY.add(Claim(lambda cfg: None, id=some.id, source="x", statement="x"))


def test_same_seed_same_evidence_json():
    """Reproducibility on the cheapest randomised claims: the same seed gives byte-identical JSON."""
    from numerics.claims import load_all
    load_all()
    cid = "ntk.mercer"
    if cid not in REGISTRY:
        pytest.fail(f"{cid} is expected to be registered")
    c = REGISTRY[cid]
    a = dumps(c.check(seed=5).to_json())
    b = dumps(c.check(seed=5).to_json())
    assert a == b


def test_aliases_select_look_up_and_refuse_clashes():
    from numerics.claims import load_all
    from numerics.verify.registry import select
    load_all()
    assert REGISTRY["ntk.mercer"].id == "basri2019.mercer" and "flow.conservation" in REGISTRY
    assert {c.id for c in select(["flow"])} == {"cnnflow.conservation", "cnnflow.gd-drift",
                                                "cnnflow.monotone-loss", "cnnflow.coefficient-ode"}
    assert "basri2019.mercer" in {c.id for c in select(["basri"])}          # the paper, ntk.mercer included
    assert [c.id for c in select(["fourier.f-principle"])] == ["cnnflow.f-principle"]
    for bad in ("", " ", "."):
        with pytest.raises(ValueError, match="non-empty"):
            select([bad])
    with pytest.raises(ValueError, match="already"):
        claim(id="usertest.clash", aliases=("flow.conservation",), source="s", statement="x")(lambda cfg: None)
    assert "usertest.clash" not in REGISTRY
