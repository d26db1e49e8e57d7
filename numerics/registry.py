"""The one registry of claims: statement + derivation + empirical check + negative controls.

pytest (``tests/test_claims.py``), ``sbcheck check`` and ``sbcheck report`` all iterate
:data:`REGISTRY`.  Adding a claim is one decorated function::

    from numerics.registry import claim, Evidence, close, at_most

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
import math
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable

import numpy as np

__all__ = [
    "Config", "Criterion", "Evidence", "Figure", "Series", "Claim", "Control", "Result",
    "claim", "close", "at_most", "at_least", "within", "equal", "REGISTRY", "select",
    "PROFILES", "run", "to_jsonable",
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


# --------------------------------------------------------------------------- criteria
def _num(x: Any) -> Any:
    """A JSON-friendly number: float for reals, with exact values kept as strings elsewhere."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


@dataclass(frozen=True)
class Criterion:
    """One measured number judged against a stated tolerance.

    Use the constructors :func:`close`, :func:`at_most`, :func:`at_least`, :func:`within`,
    :func:`equal`; ``ok`` is computed by them from the numbers, never passed in.
    """

    name: str
    measured: Any
    op: str                 # "close" | "<=" | ">=" | "in" | "=="
    expected: Any = None    # target value, bound, or (lo, hi)
    rtol: float = 0.0
    atol: float = 0.0
    ok: bool = False

    @property
    def tolerance(self) -> str:
        """The tolerance in words, e.g. ``|x - 2| <= 0.1 + 0*|2|``."""
        e = self.expected
        if self.op == "close":
            parts = []
            if self.atol:
                parts.append(f"{self.atol:.3g}")
            if self.rtol:
                parts.append(f"{self.rtol:.3g}*|expected|")
            return f"|measured - {_fmt(e)}| <= " + (" + ".join(parts) if parts else "0")
        if self.op == "<=":
            return f"measured <= {_fmt(e)}"
        if self.op == ">=":
            return f"measured >= {_fmt(e)}"
        if self.op == "in":
            return f"{_fmt(e[0])} <= measured <= {_fmt(e[1])}"
        return f"measured == {e} exactly"

    def to_json(self) -> dict[str, Any]:
        out = {"name": self.name, "measured": _num(self.measured), "op": self.op,
               "expected": ([_num(v) for v in self.expected] if isinstance(self.expected, tuple)
                            else _num(self.expected)),
               "tolerance": self.tolerance, "ok": bool(self.ok)}
        if self.op == "==":
            out["measured_exact"] = str(self.measured)
            out["expected_exact"] = str(self.expected)
        return out


def _fmt(x: Any) -> str:
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return str(x)


def _finite(name: str, x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"criterion {name!r}: measured value must be a real number; got {x!r}") from exc
    return v


def close(name: str, measured: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0) -> Criterion:
    """``|measured - expected| <= atol + rtol * |expected|`` (NaN never passes)."""
    if rtol < 0 or atol < 0 or (rtol == 0 and atol == 0):
        raise ValueError(f"criterion {name!r}: give a positive `rtol` and/or `atol`; got rtol={rtol}, atol={atol}")
    m, e = _finite(name, measured), _finite(name, expected)
    ok = bool(abs(m - e) <= atol + rtol * abs(e)) if math.isfinite(m) else False
    return Criterion(name, measured, "close", expected, rtol, atol, ok)


def at_most(name: str, measured: Any, bound: Any) -> Criterion:
    """``measured <= bound`` (NaN never passes)."""
    m, b = _finite(name, measured), _finite(name, bound)
    return Criterion(name, measured, "<=", bound, ok=bool(m <= b))


def at_least(name: str, measured: Any, bound: Any) -> Criterion:
    """``measured >= bound`` (NaN never passes)."""
    m, b = _finite(name, measured), _finite(name, bound)
    return Criterion(name, measured, ">=", bound, ok=bool(m >= b))


def within(name: str, measured: Any, lo: Any, hi: Any) -> Criterion:
    """``lo <= measured <= hi``."""
    m = _finite(name, measured)
    return Criterion(name, measured, "in", (lo, hi), ok=bool(float(lo) <= m <= float(hi)))


def equal(name: str, measured: Any, expected: Any) -> Criterion:
    """Exact equality (SymPy numbers, ints, Fractions): ``measured - expected == 0`` exactly.

    For SymPy objects the difference is simplified first; a result SymPy cannot decide is not equal.
    """
    try:
        import sympy
        diff = sympy.nsimplify(0) + sympy.simplify(sympy.sympify(measured) - sympy.sympify(expected))
        ok = bool(diff == 0)
    except Exception:  # non-SymPy values
        ok = bool(measured == expected)
    return Criterion(name, measured, "==", expected, ok=ok)


# --------------------------------------------------------------------------- figures
@dataclass
class Series:
    """One curve (or set of points / bars) of a figure; plain data, rendered by ``reports``.

    ``style``: ``"line"``, ``"points"``, ``"dashed"`` (a prediction), ``"bar"``.
    """

    x: list
    y: list
    label: str = ""
    style: str = "line"

    def __post_init__(self):
        self.x = [_num(v) for v in np.asarray(self.x, dtype=float).ravel()]
        self.y = [_num(v) for v in np.asarray(self.y, dtype=float).ravel()]


@dataclass
class Figure:
    """Figure data produced by a check (rendered to PNG/PDF by the report; no matplotlib here).

    Parameters
    ----------
    name : str
        File-name stem, unique within the claim (letters, digits, ``-``, ``_``).
    title, xlabel, ylabel : str
        Plain text (mathtext ``$...$`` allowed).
    series : list of Series
        Curves for ``kind="line"``.
    xscale, yscale : {"linear", "log", "symlog"}
    kind : {"line", "heatmap"}
        ``heatmap`` draws ``z`` (a 2-D list) with ``extent`` ``[x0, x1, y0, y1]``.
    caption : str
        One sentence saying what the reader should see.
    """

    name: str
    title: str
    xlabel: str = ""
    ylabel: str = ""
    series: list[Series] = field(default_factory=list)
    xscale: str = "linear"
    yscale: str = "linear"
    kind: str = "line"
    z: list | None = None
    extent: list | None = None
    caption: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "series": [vars(s) for s in self.series], "xscale": self.xscale,
                "yscale": self.yscale, "kind": self.kind,
                "z": None if self.z is None else np.asarray(self.z, dtype=float).tolist(),
                "extent": self.extent, "caption": self.caption}


# --------------------------------------------------------------------------- evidence
@dataclass
class Evidence:
    """What a check measured.  The verdict is computed, never given.

    Parameters
    ----------
    criteria : list of Criterion
        The judged numbers.  No criteria means ``"FAIL"``: nothing was shown.
    kind : str
        Number kind of the measurement: ``"exact"``, ``"mpmath (dps=50)"``, ``"float64"`` ...
    sizes : dict
        Problem sizes (n, m, k range, steps, ...).
    data : dict
        Further measured numbers (tables) the report prints; JSON-serialisable.
    figures : list of Figure
    notes : str
        Method notes (solver used, what was extrapolated, ...), plain text.
    """

    criteria: list[Criterion]
    kind: str = "float64"
    sizes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: str = ""
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None or not self.criteria:
            return "FAIL"
        return "PASS" if all(c.ok for c in self.criteria) else "FAIL"

    @property
    def measured(self) -> dict[str, Any]:
        return {c.name: _num(c.measured) for c in self.criteria}

    @property
    def tolerance(self) -> dict[str, str]:
        return {c.name: c.tolerance for c in self.criteria}

    def to_json(self) -> dict[str, Any]:
        return to_jsonable({
            "verdict": self.verdict, "kind": self.kind, "measured": self.measured,
            "tolerance": self.tolerance, "criteria": [c.to_json() for c in self.criteria],
            "sizes": self.sizes, "data": self.data, "notes": self.notes, "error": self.error,
        })


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy / SymPy / Fraction values inside ``obj`` to JSON types (exact ones to str)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, Fraction):
        return str(obj)
    return str(obj)


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
        out = {"id": self.claim.id, "source": self.claim.source, "statement": self.claim.statement,
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
                 derive: Callable[[], Any] | None = None, title: str | None = None):
        if not (isinstance(id, str) and "." in id and set(id) <= _ID_CHARS):
            raise ValueError(f"claim `id` must be dotted lower-case '<source>.<statement>'; got {id!r}")
        self.fn = fn
        self.id = id
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
        return self.id.split(".")[0]

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
        return {"id": self.id, "source": self.source, "statement": self.statement,
                "control": self.controls[0].description if self.controls else None,
                "controls": [c.description for c in self.controls], "title": self.title}


class Registry:
    """Ordered collection of claims, keyed by id."""

    def __init__(self):
        self._claims: dict[str, Claim] = {}

    def add(self, c: Claim) -> Claim:
        old = self._claims.get(c.id)
        if old is not None and (old.module, old.fn.__qualname__) != (c.module, c.fn.__qualname__):
            raise ValueError(f"claim id {c.id!r} is already registered by {old.module}")
        self._claims[c.id] = c
        return c

    def __iter__(self):
        return iter(sorted(self._claims.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, cid: str) -> bool:
        return cid in self._claims

    def __getitem__(self, cid: str) -> Claim:
        try:
            return self._claims[cid]
        except KeyError:
            raise ValueError(f"unknown claim id {cid!r}; `sbcheck list` shows the registered ids") from None

    def remove(self, cid: str) -> None:
        self._claims.pop(cid, None)


REGISTRY = Registry()


def claim(*, id: str, source: str, statement: str, derive: Callable[[], Any] | None = None,
          title: str | None = None) -> Callable[[Callable[..., Evidence]], Claim]:
    """Decorator: register ``fn(cfg, **kwargs) -> Evidence`` as a claim in :data:`REGISTRY`."""
    def wrap(fn: Callable[..., Evidence]) -> Claim:
        return REGISTRY.add(Claim(fn, id=id, source=source, statement=statement, derive=derive, title=title))
    return wrap


def select(patterns: Iterable[str] = ()) -> list[Claim]:
    """Claims whose id equals a pattern or starts with ``pattern + '.'`` (or with ``pattern``).

    Raises ValueError naming a pattern that matches no claim.
    """
    patterns = list(patterns)
    claims = list(REGISTRY)
    if not patterns:
        return claims
    out: list[Claim] = []
    for p in patterns:
        hit = [c for c in claims if c.id == p or c.id.startswith(p.rstrip(".") + ".") or c.id.startswith(p)]
        if not hit:
            raise ValueError(f"unknown claim id or prefix {p!r}; `sbcheck list` shows the registered ids")
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
