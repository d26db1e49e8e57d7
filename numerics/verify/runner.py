"""Run claims: serially, on local worker processes (joblib's loky), or on a Dask cluster.

The unit of work is one claim at one seed, with its controls and probes (they share the claim's
measurements, :meth:`numerics.verify.config.Config.cached`).  Every backend runs the same function,
:func:`run_unit`, so the evidence is identical whatever runs it (wall times aside): a check depends
only on its profile and seed.  In parallel, BLAS is held to ``cores // jobs`` threads in each worker
and the sweeps inside a claim run serially, so two jobs do not oversubscribe the cores.  Long claims
start first (their ``cost`` hint).  A claim that crashes its worker process (a segfault, a kill) is
retried alone in a fresh worker; if it crashes again it is an ERROR for that claim alone.
"""
from __future__ import annotations

import os
from concurrent.futures import as_completed
from typing import Any, Callable, Iterable, Sequence

from numerics.verify.config import Config
from numerics.verify.evidence import Evidence
from numerics.verify.results import Result, SeedResults

__all__ = ["run_claims", "run_unit", "default_jobs", "check_scheduler"]

_LOADED: tuple | None = None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                                   # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_scheduler(address: str | None) -> str | None:
    """``address`` if it looks like ``tcp://HOST:PORT`` and the Dask extra is installed.

    Raises ValueError (bad address) or ImportError-derived ValueError (no ``dask[distributed]``)
    before anything runs, so a typo costs one line, not a failed claim.
    """
    if address is None:
        return None
    import re
    if not (isinstance(address, str) and re.fullmatch(r"(tcp|tls|inproc|ws|wss)://[^\s:/]+(:\d{1,5})?", address)):
        raise ValueError(f"`--scheduler` must be a Dask scheduler address like tcp://HOST:PORT; got {address!r}")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ValueError("`--scheduler` needs the optional extra `dask` (pip install 'sbcheck[dask]')") from None
    return address


def _load(modules: tuple[str, ...]) -> None:
    global _LOADED
    if _LOADED != modules:
        from numerics.claims import load_all
        load_all(modules)
        _LOADED = modules


def run_unit(claim_id: str, profile: str, seed: int, cache: bool, modules: tuple[str, ...] = (),
             blas_threads: int | None = None, jobs: int = 1):
    """Run one claim (with controls and probes) at one seed; the function every backend calls.

    Returns ``(evidence, [control evidence], [probe evidence], wall_time)``.
    """
    from numerics.verify.registry import REGISTRY
    _load(tuple(modules))
    c = REGISTRY[claim_id]
    cfg = Config(profile=profile, seed=seed, jobs=jobs, cache=cache)
    if blas_threads is None:
        r = c.run(cfg)
    else:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=blas_threads):
            r = c.run(cfg)
    return r.evidence, [ev for _, ev in r.controls], [ev for _, ev in r.probes], r.wall_time


def _as_result(claim, seed, profile, payload) -> Result:
    ev, cev, pev, wall = payload
    return Result(claim, ev, list(zip(claim.controls, cev)), wall, profile, seed, list(zip(claim.probes, pev)))


def _crashed(claim, seed, profile, why: str) -> Result:
    def err():
        return Evidence([], kind="error", error=f"worker crashed: {why}")
    return Result(claim, err(), [(c, err()) for c in claim.controls], 0.0, profile, seed,
                  [(p, err()) for p in claim.probes])


def run_claims(claims: Sequence[Any], cfg: Config, *, seeds: Iterable[int] | None = None,
               jobs: int = 1, scheduler: str | None = None, modules: Iterable[str] = (),
               on_result: Callable[[Result], None] | None = None) -> list:
    """Run ``claims`` at ``cfg.seed`` (or at every seed of ``seeds``), in input order.

    Parameters
    ----------
    claims : sequence of Claim
    cfg : Config
        Profile, seed and cache; ``cfg.jobs`` is what the sweeps of a claim may use when the claims
        themselves run serially.
    seeds : iterable of int, optional
        Run every claim at each seed; the result per claim is then a :class:`SeedResults`.
    jobs : int >= 1
        Local worker processes for claims (1: in this process).
    scheduler : str, optional
        Dask scheduler address; whole claims are sent there.
    modules : iterable of str
        User claim modules the workers must import (``--module``).
    on_result : callable, optional
        Called with each :class:`Result` as it finishes (progress).

    Returns
    -------
    list of Result (one per claim), or of SeedResults when ``seeds`` is given.
    """
    seed_list = [int(cfg.seed)] if seeds is None else [int(s) for s in seeds]
    units = [(c, s) for c in claims for s in seed_list]
    order = sorted(range(len(units)), key=lambda i: -units[i][0].cost)          # long claims first
    modules = tuple(modules)
    if scheduler is None and (jobs <= 1 or len(units) <= 1):
        done = {}
        for i in order:
            c, s = units[i]
            done[i] = c.run(cfg.with_(seed=s, jobs=cfg.jobs if len(units) == 1 else 1))
            if on_result:
                on_result(done[i])
    else:
        done = _run_parallel(units, order, cfg, jobs, scheduler, modules, on_result)
    results = [done[i] for i in range(len(units))]
    if seeds is None:
        return results
    k = len(seed_list)
    return [SeedResults(results[j * k:(j + 1) * k]) for j in range(len(claims))]


def _run_parallel(units, order, cfg, jobs, scheduler, modules, on_result) -> dict:
    blas = max(1, default_jobs() // max(1, jobs))
    args = {i: (units[i][0].id, cfg.profile, units[i][1], cfg.cache, modules, blas, 1) for i in order}
    if scheduler is not None:
        return _run_dask(units, order, args, cfg, scheduler, on_result)
    # a private loky pool, not the reusable singleton that joblib.Parallel (the sweeps) shares
    from joblib.externals.loky.process_executor import ProcessPoolExecutor
    done, retry = {}, []
    with ProcessPoolExecutor(max_workers=jobs) as ex:
        futures = {ex.submit(run_unit, *args[i]): i for i in order}
        for f in as_completed(futures):
            i = futures[f]
            try:
                done[i] = _as_result(units[i][0], units[i][1], cfg.profile, f.result())
            except Exception:                   # the worker died (or the pool broke because one did)
                retry.append(i)
                continue
            if on_result:
                on_result(done[i])
    for i in sorted(retry, key=order.index):   # alone, in a fresh worker: a second crash is this claim's
        try:
            with ProcessPoolExecutor(max_workers=1) as fresh:
                payload = fresh.submit(run_unit, *args[i]).result()
            done[i] = _as_result(units[i][0], units[i][1], cfg.profile, payload)
        except Exception as exc:
            done[i] = _crashed(units[i][0], units[i][1], cfg.profile, f"{type(exc).__name__}: {exc}")
        if on_result:
            on_result(done[i])
    return done


def _run_dask(units, order, args, cfg, scheduler, on_result) -> dict:
    from distributed import Client
    done = {}
    with Client(scheduler, set_as_default=False, timeout="30s") as client:
        ex = client.get_executor(pure=False)
        futures = {ex.submit(run_unit, *args[i]): i for i in order}
        for f in as_completed(futures):
            i = futures[f]
            try:
                done[i] = _as_result(units[i][0], units[i][1], cfg.profile, f.result())
            except Exception as exc:
                done[i] = _crashed(units[i][0], units[i][1], cfg.profile, f"{type(exc).__name__}: {exc}")
            if on_result:
                on_result(done[i])
    return done
