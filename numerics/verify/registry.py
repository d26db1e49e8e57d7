"""The one registry of claims: statement + derivation + empirical check + controls + probes.

pytest (``tests/test_claims.py``), ``sbcheck check`` and ``sbcheck report`` all iterate
:data:`REGISTRY`.  Adding a claim is one decorated function::

    from numerics.registry import claim, Evidence, close

    @claim(id="mypaper.slope", source="Me et al. 2026, Thm 1",
           statement=r"\\lambda_k \\asymp k^{-2}", derive=my_derivation)
    def slope(cfg, exponent_factor=1.0):
        expected = cfg.derived_value("exponent") * exponent_factor     # read from the derivation
        measured = cfg.cached(fit_slope, n=cfg.pick(quick=200, full=2000), seed=cfg.seed)
        return Evidence([close("decay exponent", measured, expected, atol=0.02)], kind="float64")

    slope.control("the exponent 3 claimed instead of 2", kind="strawman", exponent_factor=1.5)
    slope.control("exponent x1.1", kind="near-miss", exponent_factor=1.1)
    slope.probe("exponent x1.02", exponent_factor=1.02)

A check **measures**; it never decides.  It returns :class:`Evidence` holding criteria (measured
number, what is expected, the tolerance); the verdict is computed from those numbers: ``"PASS"`` iff
there is at least one criterion and every criterion holds.  The claim's own evidence also carries
the criterion "every symbolic check of the derivation holds", so a derivation that fails makes the
claim FAIL in ``check``, ``report`` and pytest alike.

A **control** re-runs the *same* check with perturbed keyword arguments and must come out
``"FAIL"``: a *near-miss* (the statement perturbed the way a plausible wrong theory would be:
exponent x1.1, constant x1.05, one term dropped, a kernel scaled by 1.1), a *strawman* (exponent 1
for 2, a sign flip: allowed, proves little) or a *regime* control (outside the theorem's
hypotheses: tanh for ReLU, large initialisation).  A **probe** is a smaller perturbation run the same
way and reported, rejected or not, without deciding the exit code.  Near-miss controls and probes
together are the claim's *resolution*: "rejects exponent x1.1, x1.05; misses x1.02".
"""
from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from numerics.verify.config import PROFILES, Config
from numerics.verify.evidence import (Criterion, Evidence, Figure, Series, at_least, at_most, close,
                                      equal, to_jsonable, within)
from numerics.verify.results import Result
from theory.validate import check_choice, shown

__all__ = [
    "Config", "Criterion", "Evidence", "Figure", "Series", "Claim", "Control", "Result",
    "claim", "close", "at_most", "at_least", "within", "equal", "REGISTRY", "select",
    "PROFILES", "run", "to_jsonable", "dumps", "Registry", "CONTROL_KINDS", "STATUSES",
]

CONTROL_KINDS = ("near-miss", "strawman", "regime")
STATUSES = ("derived", "conjecture")
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-_")


@dataclass
class Control:
    """A perturbed statement run through the same check.

    ``kind`` is one of :data:`CONTROL_KINDS`, or ``"probe"`` (reported, not required to FAIL);
    ``label`` is the short name used in the resolution ("exponent x1.05").
    """

    description: str
    kwargs: dict[str, Any]
    kind: str = "strawman"
    label: str = ""

    @property
    def required(self) -> bool:
        """Whether the claim is only OK when this perturbation is rejected."""
        return self.kind != "probe"


class Claim:
    """A registered claim.  Created by :func:`claim`; see the module docstring."""

    def __init__(self, fn: Callable[..., Evidence], *, id: str, source: str, statement: str,
                 derive: Callable[[], Any] | None = None, title: str | None = None,
                 aliases: Iterable[str] = (), status: str = "derived", cost: float = 10.0):
        for name, value in [("id", id), *[("aliases", a) for a in aliases]]:
            if not (isinstance(value, str) and "." in value and set(value) <= _ID_CHARS):
                raise ValueError(f"claim `{name}` must be dotted lower-case '<source>.<statement>'; "
                                 f"got {shown(value)}")
        self.fn = fn
        self.id = id
        self.aliases = tuple(aliases)
        self.source = source
        self.statement = statement
        self.status = check_choice("status", status, STATUSES)
        self.cost = float(cost)
        self._derive = derive
        self._derivation = None
        self.title = title or (fn.__doc__ or "").strip().split("\n")[0]
        self.doc = (fn.__doc__ or "").strip()
        self.controls: list[Control] = []
        self.probes: list[Control] = []
        self.module = fn.__module__

    def __repr__(self) -> str:
        return f"<Claim {self.id}>"

    @property
    def paper(self) -> str:
        """The source stem: the part of the id before the first dot."""
        return self.id.split(".")[0]

    def matches(self, pattern: str) -> bool:
        """True if ``pattern`` is the id or an alias, or a prefix of one (``basri`` covers
        ``basri2019.odd-null``; ``flow`` covers the aliases ``flow.*``)."""
        names = (self.id, *self.aliases)
        p = pattern.rstrip(".")
        return any(n == pattern or n.startswith(p + ".") or n.startswith(pattern) for n in names)

    # ------------------------------------------------------------------ declaring
    def control(self, description: str, *, kind: str = "strawman", label: str = "",
                **kwargs: Any) -> "Claim":
        """Register a control: the same check with ``kwargs`` perturbed; it must FAIL.

        ``kind``: ``"near-miss"``, ``"strawman"`` or ``"regime"`` (module docstring).
        """
        check_choice("kind", kind, CONTROL_KINDS, what=f"control of {self.id}")
        if not kwargs:
            raise ValueError(f"control of {self.id!r} must perturb at least one keyword argument")
        self.controls.append(Control(description, kwargs, kind, label or description))
        return self

    def probe(self, description: str, *, label: str = "", **kwargs: Any) -> "Claim":
        """Register a probe: a perturbation run and reported in the resolution, not required to FAIL."""
        if not kwargs:
            raise ValueError(f"probe of {self.id!r} must perturb at least one keyword argument")
        self.probes.append(Control(description, kwargs, "probe", label or description))
        return self

    # ------------------------------------------------------------------ running
    def derive(self):
        """The claim's :class:`theory.derivation.Derivation` (computed once, then cached)."""
        if self._derive is None:
            return None
        if self._derivation is None:
            self._derivation = self._derive()
        return self._derivation

    def _derivation_or_error(self):
        try:
            return self.derive(), None
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            return None, f"derivation failed: {type(exc).__name__}: {exc}"

    def config(self, cfg: Config) -> Config:
        """``cfg`` with this claim's derivation and a fresh shared-measurement store attached."""
        d, _ = self._derivation_or_error()
        return cfg.with_(derivation=d, memo={})

    def _evaluate(self, cfg: Config, kwargs: dict[str, Any]) -> Evidence:
        try:
            ev = self.fn(cfg, **kwargs)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a crashing check is a FAIL with its reason, never a PASS
            tb = traceback.format_exc(limit=6)
            return Evidence([], kind="error", error=f"{type(exc).__name__}: {exc}", notes=tb)
        if not isinstance(ev, Evidence):
            return Evidence([], kind="error",
                            error=f"check of {self.id!r} returned {type(ev).__name__}, not Evidence")
        return ev

    def _with_derivation_criterion(self, ev: Evidence) -> Evidence:
        """The claim's evidence plus "every symbolic check of the derivation holds"."""
        d, err = self._derivation_or_error()
        if d is None and err is None:
            return ev
        if err is not None:
            ev.error = ev.error or err
            return ev
        failed = sorted(k for k, ok in d.checks.items() if not ok)
        ev.criteria.append(equal("derivation: number of symbolic checks that fail"
                                 + (f" ({', '.join(failed)})" if failed else ""), len(failed), 0))
        return ev

    def check(self, profile: str = "quick", seed: int = 0, cfg: Config | None = None, **kwargs) -> Evidence:
        """Run the check for the claim itself (the derivation criterion included)."""
        cfg = self.config(cfg or Config(profile=profile, seed=seed))
        return self._with_derivation_criterion(self._evaluate(cfg, kwargs))

    def check_control(self, profile: str = "quick", seed: int = 0, which: int = 0,
                      cfg: Config | None = None) -> Evidence:
        """Run control number ``which`` through the same check."""
        if not self.controls:
            raise ValueError(f"claim {self.id!r} has no control")
        cfg = self.config(cfg or Config(profile=profile, seed=seed))
        return self._evaluate(cfg, self.controls[which].kwargs)

    def run(self, cfg: Config) -> Result:
        """The claim, every control and every probe, sharing one measurement store."""
        t0 = time.perf_counter()
        c = self.config(cfg)
        ev = self._with_derivation_criterion(self._evaluate(c, {}))
        ctrls = [(x, self._evaluate(c, x.kwargs)) for x in self.controls]
        probes = [(x, self._evaluate(c, x.kwargs)) for x in self.probes]
        return Result(self, ev, ctrls, time.perf_counter() - t0, cfg.profile, int(cfg.seed), probes)

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "aliases": list(self.aliases), "source": self.source,
                "statement": self.statement, "status": self.status,
                "control": self.controls[0].description if self.controls else None,
                "controls": [{"description": c.description, "kind": c.kind, "label": c.label}
                             for c in self.controls],
                "probes": [{"description": p.description, "label": p.label} for p in self.probes],
                "title": self.title}


class Registry:
    """Ordered collection of claims, keyed by id; every alias (an earlier id) resolves too."""

    def __init__(self):
        self._claims: dict[str, Claim] = {}
        self._alias: dict[str, str] = {}

    def add(self, c: Claim) -> Claim:
        old = self._claims.get(c.id)
        if old is not None and (old.module, old.fn.__qualname__) != (c.module, c.fn.__qualname__):
            raise ValueError(f"claim id {c.id!r} is already registered by {old.module}")
        for a in c.aliases:
            owner = self._alias.get(a)
            if a in self._claims or (owner is not None and owner != c.id):
                raise ValueError(f"alias {a!r} of claim {c.id!r} is already the id or an alias of "
                                 f"{owner or a!r}")
        if c.id in self._alias:
            raise ValueError(f"claim id {c.id!r} is already an alias of {self._alias[c.id]!r}")
        self._claims[c.id] = c
        self._alias.update({a: c.id for a in c.aliases})
        return c

    def __iter__(self):
        return iter(sorted(self._claims.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, cid: str) -> bool:
        return cid in self._claims or cid in self._alias

    def __getitem__(self, cid: str) -> Claim:
        cid = self._alias.get(cid, cid)
        try:
            return self._claims[cid]
        except KeyError:
            raise ValueError(f"unknown claim id {shown(cid)}; `sbcheck list` shows the registered ids") from None

    def aliases(self) -> dict[str, str]:
        """``{alias: id}`` for every alias."""
        return dict(self._alias)

    def remove(self, cid: str) -> None:
        c = self._claims.pop(self._alias.get(cid, cid), None)
        if c is not None:
            for a in c.aliases:
                self._alias.pop(a, None)


REGISTRY = Registry()


def claim(*, id: str, source: str, statement: str, derive: Callable[[], Any] | None = None,
          title: str | None = None, aliases: Iterable[str] = (), status: str = "derived",
          cost: float = 10.0) -> Callable[[Callable[..., Evidence]], Claim]:
    """Decorator: register ``fn(cfg, **kwargs) -> Evidence`` as a claim in :data:`REGISTRY`.

    Parameters
    ----------
    id : str
        ``<source>.<statement>`` (dotted, lower case).
    source, statement : str
        Paper and theorem/equation; the statement in the paper's notation (LaTeX math).
    derive : callable, optional
        Zero-argument function returning the :class:`theory.derivation.Derivation`.
    aliases : iterable of str
        Earlier ids of the same claim; they keep working everywhere an id is accepted.
    status : {"derived", "conjecture"}
        ``"conjecture"``: the statement is not derived here, only checked numerically (the report
        says so).
    cost : float
        Rough run time in seconds (quick profile, claim with controls and probes); used to start
        long claims first when claims run in parallel.  Never changes a result.
    """
    def wrap(fn: Callable[..., Evidence]) -> Claim:
        return REGISTRY.add(Claim(fn, id=id, source=source, statement=statement, derive=derive, title=title,
                                  aliases=aliases, status=status, cost=cost))
    return wrap


def select(patterns: Iterable[str] = ()) -> list[Claim]:
    """Claims whose id or alias equals a pattern or starts with it (:meth:`Claim.matches`).

    Raises ValueError naming a pattern that is empty or matches no claim.
    """
    patterns = list(patterns)
    claims = list(REGISTRY)
    if not patterns:
        return claims
    out: list[Claim] = []
    for p in patterns:
        if not isinstance(p, str) or not p.strip(".").strip():
            raise ValueError(f"claim id or prefix must be a non-empty string (omit it to select every "
                             f"claim); got {shown(p)}")
        hit = [c for c in claims if c.matches(p)]
        if not hit:
            raise ValueError(f"unknown claim id or prefix {shown(p)}; `sbcheck list` shows the registered ids")
        out.extend(c for c in hit if c not in out)
    return out


def run(claims: Iterable[Claim], cfg: Config, progress: Callable[[Claim], None] | None = None) -> list[Result]:
    """Run claims one after another in this process; ``progress(claim)`` is called before each.

    :func:`numerics.verify.runner.run_claims` runs them in parallel (processes or Dask) with the
    same results.
    """
    results = []
    for c in claims:
        if progress:
            progress(c)
        results.append(c.run(cfg))
    return results


def dumps(obj: Any) -> str:
    """Deterministic JSON (sorted keys) used for evidence files and ``--json``."""
    return json.dumps(to_jsonable(obj), sort_keys=True, indent=2)
