"""The one registry of claims: statement + derivation + empirical check + negative controls.

pytest (``tests/test_claims.py``), ``sbcheck check`` and ``sbcheck report`` all iterate
:data:`REGISTRY`.  Adding a claim is one decorated function::

    from numerics.verify.registry import claim, Evidence, close, at_most

    @claim(id="mypaper.slope", source="Me et al. 2026, Thm 1",
           statement=r"\\lambda_k \\asymp k^{-2}", derive=my_derivation)
    def slope(cfg, exponent=2.0):
        measured = fit_slope(n=cfg.pick(quick=200, full=2000), rng=cfg.rng())
        return Evidence([close("decay exponent", measured, exponent, atol=0.1)],
                        kind="float64", sizes={"n": ...})

    slope.control("the exponent 3 claimed instead of 2", exponent=3.0)

A check **measures**; it never decides.  It returns :class:`Evidence` holding criteria
(measured number, what is expected, the tolerance); the verdict is computed here from those
numbers: ``"PASS"`` iff there is at least one criterion and every criterion holds.  A control
re-runs the *same* check function with perturbed keyword arguments (a wrong exponent, tanh
instead of ReLU, no bias, ...), and must come out ``"FAIL"``.
"""
from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from theory.validate import shown
from numerics.verify.evidence import (Criterion, Evidence, Figure, Series, at_least, at_most, close,
                               equal, to_jsonable, within)

__all__ = [
    "Config", "Criterion", "Evidence", "Figure", "Series", "Claim", "Control", "Result",
    "claim", "close", "at_most", "at_least", "within", "equal", "REGISTRY", "select",
    "PROFILES", "run", "to_jsonable", "dumps", "Registry",
]

PROFILES = ("quick", "full")


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """What a check is run with: the profile (sizes), the seed and the execution options.

    Parameters
    ----------
    profile : {"quick", "full"}
        ``quick``: the whole registry in minutes on 2 cores; ``full``: paper-sized.
    seed : int
        Root seed; every random thing in a check derives from it (:meth:`rng`).
    jobs : int
        Local parallel workers for sweeps (joblib); 1 = serial.
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:port``) for sweeps, or None.
    cache : bool
        Whether sweeps may reuse results cached on disk.
    """

    profile: str = "quick"
    seed: int = 0
    jobs: int = 1
    scheduler: str | None = None
    cache: bool = True

    def __post_init__(self):
        if self.profile not in PROFILES:
            raise ValueError(f"`profile` must be one of {list(PROFILES)}; got {self.profile!r}")
        if not (isinstance(self.seed, (int, np.integer)) and not isinstance(self.seed, bool)
                and 0 <= int(self.seed) < 2**63):
            raise ValueError(f"`seed` must be an int in [0, 2**63); got {self.seed!r}")
        if not (isinstance(self.jobs, int) and self.jobs >= 1):
            raise ValueError(f"`jobs` must be an int >= 1; got {self.jobs!r}")

    def pick(self, quick: Any, full: Any) -> Any:
        """The value for the current profile."""
        return quick if self.profile == "quick" else full

    def rng(self, *salt: int) -> np.random.Generator:
        """A NumPy generator seeded by ``(seed, *salt)``: same seed and salt, same numbers."""
        return np.random.default_rng([int(self.seed), *[int(s) for s in salt]])


# --------------------------------------------------------------------------- claims
@dataclass
class Control:
    """A perturbed statement run through the same check; it must FAIL."""

    description: str
    kwargs: dict[str, Any]


@dataclass
class Result:
    """A claim run: evidence for the claim and for each control, with wall times (seconds)."""

    claim: "Claim"
    evidence: Evidence
    controls: list[tuple[Control, Evidence]]
    wall_time: float
    profile: str
    seed: int

    @property
    def verdict(self) -> str:
        return self.evidence.verdict

    @property
    def ok(self) -> bool:
        """Claim PASS and every control FAIL (rejected) without an error."""
        return self.verdict == "PASS" and all(
            ev.verdict == "FAIL" and ev.error is None for _, ev in self.controls)

    def to_json(self) -> dict[str, Any]:
        ctrls = [{"description": c.description, "verdict": "ERROR" if ev.error else ev.verdict,
                  "measured": ev.measured, "error": ev.error} for c, ev in self.controls]
        out = {"id": self.claim.id, "aliases": list(self.claim.aliases), "source": self.claim.source,
               "statement": self.claim.statement,
               "verdict": self.verdict, "measured": self.evidence.measured,
               "tolerance": self.evidence.tolerance, "kind": self.evidence.kind,
               "control": ctrls[0] if ctrls else None, "controls": ctrls,
               "evidence": self.evidence.to_json(), "profile": self.profile, "seed": self.seed,
               "wall_time": round(self.wall_time, 3)}
        return to_jsonable(out)


_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-_")


class Claim:
    """A registered claim.  Created by :func:`claim`; see the module docstring."""

    def __init__(self, fn: Callable[..., Evidence], *, id: str, source: str, statement: str,
                 derive: Callable[[], Any] | None = None, title: str | None = None,
                 aliases: Iterable[str] = ()):
        for name, value in [("id", id), *[("aliases", a) for a in aliases]]:
            if not (isinstance(value, str) and "." in value and set(value) <= _ID_CHARS):
                raise ValueError(f"claim `{name}` must be dotted lower-case '<source>.<statement>'; got {value!r}")
        self.fn = fn
        self.id = id
        self.aliases = tuple(aliases)
        self.source = source
        self.statement = statement
        self._derive = derive
        self._derivation = None
        self.title = title or (fn.__doc__ or "").strip().split("\n")[0]
        self.doc = (fn.__doc__ or "").strip()
        self.controls: list[Control] = []
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

    def control(self, description: str, **kwargs: Any) -> "Claim":
        """Register a negative control: the same check with ``kwargs`` perturbed; it must FAIL."""
        if not kwargs:
            raise ValueError(f"control of {self.id!r} must perturb at least one keyword argument")
        self.controls.append(Control(description, kwargs))
        return self

    def derive(self):
        """The claim's :class:`theory.derivation.Derivation` (computed once, then cached)."""
        if self._derive is None:
            return None
        if self._derivation is None:
            self._derivation = self._derive()
        return self._derivation

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

    def check(self, profile: str = "quick", seed: int = 0, cfg: Config | None = None, **kwargs) -> Evidence:
        """Run the check for the claim itself."""
        cfg = cfg or Config(profile=profile, seed=seed)
        return self._evaluate(cfg, kwargs)

    def check_control(self, profile: str = "quick", seed: int = 0, which: int = 0,
                      cfg: Config | None = None) -> Evidence:
        """Run control number ``which`` through the same check."""
        if not self.controls:
            raise ValueError(f"claim {self.id!r} has no control")
        cfg = cfg or Config(profile=profile, seed=seed)
        return self._evaluate(cfg, self.controls[which].kwargs)

    def run(self, cfg: Config) -> Result:
        t0 = time.perf_counter()
        ev = self._evaluate(cfg, {})
        ctrls = [(c, self._evaluate(cfg, c.kwargs)) for c in self.controls]
        return Result(self, ev, ctrls, time.perf_counter() - t0, cfg.profile, int(cfg.seed))

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "aliases": list(self.aliases), "source": self.source,
                "statement": self.statement,
                "control": self.controls[0].description if self.controls else None,
                "controls": [c.description for c in self.controls], "title": self.title}


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
          title: str | None = None, aliases: Iterable[str] = ()) -> Callable[[Callable[..., Evidence]], Claim]:
    """Decorator: register ``fn(cfg, **kwargs) -> Evidence`` as a claim in :data:`REGISTRY`.

    ``aliases`` are earlier ids of the same claim; they keep working everywhere an id is accepted.
    """
    def wrap(fn: Callable[..., Evidence]) -> Claim:
        return REGISTRY.add(Claim(fn, id=id, source=source, statement=statement, derive=derive, title=title,
                                  aliases=aliases))
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
    """Run claims in order; ``progress(claim)`` is called before each."""
    results = []
    for c in claims:
        if progress:
            progress(c)
        results.append(c.run(cfg))
    return results


def dumps(obj: Any) -> str:
    """Deterministic JSON (sorted keys) used for evidence files and ``--json``."""
    return json.dumps(to_jsonable(obj), sort_keys=True, indent=2)
