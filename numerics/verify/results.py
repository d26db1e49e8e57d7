"""Results of running claims: one seed (:class:`Result`) and several seeds (:class:`SeedResults`).

A result knows its verdicts, its resolution (which perturbations of the statement were rejected)
and its JSON form; the JSON is deterministic (wall times aside), whatever process produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from numerics.verify.evidence import Evidence, to_jsonable
from numerics.verify.stats import spread

__all__ = ["Result", "SeedResults", "control_status"]


def control_status(ev: Evidence) -> str:
    """``"rejected"`` (FAIL, no error), ``"ERROR"`` (crashed) or ``"NOT rejected"`` (PASS)."""
    if ev.error is not None:
        return "ERROR"
    return "rejected" if ev.verdict == "FAIL" else "NOT rejected"


def _ctrl_json(c, ev: Evidence) -> dict[str, Any]:
    return {"description": c.description, "kind": c.kind, "label": c.label,
            "verdict": "ERROR" if ev.error else ev.verdict, "status": control_status(ev),
            "measured": ev.measured, "error": ev.error}


@dataclass
class Result:
    """A claim run at one seed: evidence for the claim, each control and each probe.

    Attributes
    ----------
    claim : numerics.verify.registry.Claim
    evidence : Evidence
    controls, probes : list of (Control, Evidence)
    wall_time : float
        Seconds for the claim with its controls and probes.
    profile : str
    seed : int
    """

    claim: Any
    evidence: Evidence
    controls: list
    wall_time: float
    profile: str
    seed: int
    probes: list = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.evidence.verdict

    @property
    def ok(self) -> bool:
        """Claim PASS and every control FAIL (rejected) without an error; probes do not count."""
        return self.verdict == "PASS" and all(control_status(ev) == "rejected" for _, ev in self.controls)

    def resolution(self) -> dict[str, Any]:
        """What a PASS rules out: the near-miss controls and probes, rejected or missed.

        Returns ``{"rejected": [labels], "missed": [labels], "summary": "rejects ...; misses ...",
        "trials": [{"label", "kind", "rejected"}]}``; strawman and regime controls are listed
        under ``"other_controls"``.
        """
        trials = [{"label": c.label, "kind": c.kind, "rejected": control_status(ev) == "rejected"}
                  for c, ev in [*self.controls, *self.probes] if c.kind in ("near-miss", "probe")]
        rej = [t["label"] for t in trials if t["rejected"]]
        miss = [t["label"] for t in trials if not t["rejected"]]
        parts = ([f"rejects {', '.join(rej)}"] if rej else []) + ([f"misses {', '.join(miss)}"] if miss else [])
        other = [{"label": c.label, "kind": c.kind, "rejected": control_status(ev) == "rejected"}
                 for c, ev in self.controls if c.kind not in ("near-miss", "probe")]
        return {"rejected": rej, "missed": miss, "summary": "; ".join(parts) or "no near-miss perturbation tried",
                "trials": trials, "other_controls": other}

    def to_json(self) -> dict[str, Any]:
        c = self.claim
        ctrls = [_ctrl_json(x, ev) for x, ev in self.controls]
        out = {"id": c.id, "aliases": list(c.aliases), "source": c.source, "statement": c.statement,
               "status": c.status, "verdict": self.verdict, "measured": self.evidence.measured,
               "tolerance": self.evidence.tolerance, "kind": self.evidence.kind,
               "control": ctrls[0] if ctrls else None, "controls": ctrls,
               "probes": [_ctrl_json(x, ev) for x, ev in self.probes],
               "resolution": self.resolution(), "ok": self.ok,
               "evidence": self.evidence.to_json(), "profile": self.profile, "seed": self.seed,
               "wall_time": round(self.wall_time, 3)}
        return to_jsonable(out)


@dataclass
class SeedResults:
    """The same claim run at several seeds (``sbcheck check --seeds A:B``)."""

    results: list[Result]

    @property
    def claim(self):
        return self.results[0].claim

    @property
    def verdict(self) -> str:
        return "PASS" if all(r.verdict == "PASS" for r in self.results) else "FAIL"

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def wall_time(self) -> float:
        return sum(r.wall_time for r in self.results)

    def spread(self) -> dict[str, Any]:
        """For every criterion of the claim: the spread of its measured value over the seeds."""
        names = list(dict.fromkeys(n for r in self.results for n in r.evidence.measured))
        out = {}
        for n in names:
            vals = [r.evidence.measured.get(n) for r in self.results]
            if all(isinstance(v, (int, float)) for v in vals):
                out[n] = spread(vals)
        return out

    def to_json(self) -> dict[str, Any]:
        first = self.results[0].to_json()
        first.update(verdict=self.verdict, ok=self.ok, wall_time=round(self.wall_time, 3),
                     seeds=[{"seed": r.seed, "verdict": r.verdict, "ok": r.ok,
                             "controls": [control_status(ev) for _, ev in r.controls],
                             "probes": [control_status(ev) for _, ev in r.probes],
                             "measured": r.evidence.measured,
                             "error": r.evidence.error} for r in self.results],
                     spread=self.spread())
        return to_jsonable(first)
