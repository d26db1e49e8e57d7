"""What a check is run with: profile (sizes), seed, execution options, and the claim's derivation.

A check function receives a :class:`Config`.  Besides sizes (:meth:`Config.pick`) and seeded
generators (:meth:`Config.rng`) it gives the check what the claim's derivation produced
(:meth:`Config.derived`, :meth:`Config.derived_value`): expected values of theorem-level quantities
(exponents, constants, rates) are read from there, never typed into a check.  :meth:`Config.cached`
shares expensive measurements between a claim, its controls and its probes within one run (a
control that only perturbs the statement then re-judges the same numbers).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from theory.validate import check_choice, check_int

__all__ = ["Config", "PROFILES"]

PROFILES = ("quick", "full")


@dataclass(frozen=True)
class Config:
    """What a check is run with.

    Parameters
    ----------
    profile : {"quick", "full"}
        ``quick``: the whole registry in minutes on 2 cores; ``full``: paper-sized.
    seed : int in [0, 2**63)
        Root seed; every random thing in a check derives from it (:meth:`rng`).
    jobs : int >= 1
        Local parallel workers for sweeps inside this check (joblib); 1 = serial.
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:port``) for sweeps, or None.
    cache : bool
        Whether sweeps may reuse results cached on disk.
    derivation : theory.derivation.Derivation or None
        The claim's derivation (set by the registry when it runs a claim).
    memo : dict or None
        Per-run store of :meth:`cached` (set by the registry; shared by a claim and its controls).
    """

    profile: str = "quick"
    seed: int = 0
    jobs: int = 1
    scheduler: str | None = None
    cache: bool = True
    derivation: Any = field(default=None, compare=False, repr=False)
    memo: dict | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        check_choice("profile", self.profile, PROFILES)
        object.__setattr__(self, "seed", check_int("seed", self.seed, 0, 2**63 - 1))
        object.__setattr__(self, "jobs", check_int("jobs", self.jobs, 1))

    def pick(self, quick: Any, full: Any) -> Any:
        """The value for the current profile."""
        return quick if self.profile == "quick" else full

    def rng(self, *salt: int) -> np.random.Generator:
        """A NumPy generator seeded by ``(seed, *salt)``: same seed and salt, same numbers."""
        return np.random.default_rng([int(self.seed), *[int(s) for s in salt]])

    def with_(self, **changes) -> "Config":
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ derived expectations
    def derived(self, name: str):
        """The derivation's result ``name`` (a SymPy object), for expected values of a check.

        Raises
        ------
        ValueError
            If the claim has no derivation or the derivation has no such result (the message
            lists the results it has).
        """
        d = self.derivation
        if d is None:
            raise ValueError(f"the claim has no derivation, so it has no derived result {name!r}")
        if name not in d.results:
            raise ValueError(f"the derivation {d.title!r} has no result {name!r}; it has "
                             f"{', '.join(map(repr, d.results)) or 'none'}")
        return d.results[name]

    def derived_value(self, name: str, **subs) -> float:
        """``float`` of the derived result ``name`` after substituting symbols by name
        (``cfg.derived_value("C(d)", d=3)``); every free symbol must be substituted."""
        import sympy
        expr = sympy.sympify(self.derived(name))
        table = {s: subs[s.name] for s in expr.free_symbols if s.name in subs}
        missing = sorted(s.name for s in expr.free_symbols if s.name not in subs)
        if missing:
            raise ValueError(f"derived result {name!r} still depends on {missing}; give them as keywords")
        return float(sympy.N(expr.subs(table), 30))

    # ------------------------------------------------------------------ shared measurements
    def cached(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """``fn(*args, **kwargs)``, computed once per claim run (claim, controls and probes share it).

        Arguments must be hashable; the key also holds ``fn``'s qualified name.  Outside a registry
        run (no memo) it simply calls ``fn``.  Callers must not mutate the returned object.
        """
        if self.memo is None:
            return fn(*args, **kwargs)
        key = (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)), args,
               tuple(sorted(kwargs.items())))
        if key not in self.memo:
            self.memo[key] = fn(*args, **kwargs)
        return self.memo[key]
