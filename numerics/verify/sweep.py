"""Parameter sweeps: independent runs, one code path for serial, joblib and Dask, cached on disk.

A sweep is a top-level function ``fn(**params) -> dict`` and a list of parameter dicts (one per run,
JSON-serialisable, holding their own seed).  :func:`run_sweep` executes the runs that are not in
the cache

- serially (``jobs=1``, no scheduler),
- in parallel with joblib's ``loky`` backend (``jobs=N``), or
- on a Dask cluster (``scheduler="tcp://HOST:PORT"``) through joblib's ``dask`` backend,

always through the same :class:`joblib.Parallel` call, so the results are identical: each run
depends only on its parameters.  Every result is round-tripped through JSON (arrays become lists)
before it is returned, whether computed now or read from the cache, so a cached and a fresh result
are equal byte for byte.

Cache: one file per run in ``$SBCHECK_CACHE`` (default ``~/.cache/sbcheck``), named by the SHA-256
of ``(function, parameters, code version)``; the code version hashes every source file of the
``theory`` and ``numerics`` packages (all the code a swept function can reach) and of the function's
own module.  A file holds a header with the SHA-256 of
its payload; a missing, truncated or corrupt file is recomputed, never trusted.  Files are written
atomically (temporary file + :func:`os.replace`).
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence


from numerics.verify.jsonable import canonical_bytes, restore
from numerics.verify.progress import progress_bar

__all__ = ["cache_dir", "code_version", "source_files", "run_key", "run_sweep", "load_entry",
           "store_entry", "MAGIC"]

MAGIC = b"sbcheck-sweep-v1"


def _dumps(obj: Any) -> bytes:
    return canonical_bytes(obj)


# --------------------------------------------------------------------------- keys
def cache_dir() -> Path:
    """``$SBCHECK_CACHE`` or ``~/.cache/sbcheck``."""
    env = os.environ.get("SBCHECK_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "sbcheck"


def _fn_name(fn: Callable) -> str:
    mod, qual = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not mod or "<" in qual or "." in qual:
        raise TypeError(f"`fn` must be a top-level function of an importable module (picklable for "
                        f"workers); got {fn!r}")
    return f"{mod}:{qual}"


def source_files(extra_modules: Iterable[str] = ()) -> list[Path]:
    """Every source file a swept function can reach: all ``.py`` files of the ``theory`` and
    ``numerics`` packages, plus the files of ``extra_modules`` (e.g. a user's module elsewhere)."""
    import numerics
    import theory
    files = set()
    for pkg in (theory, numerics):
        files.update(Path(pkg.__file__).resolve().parent.rglob("*.py"))
    for name in extra_modules:
        path = getattr(importlib.import_module(name), "__file__", None)
        if path:
            files.add(Path(path).resolve())
    return sorted(files)


def code_version(extra_modules: Iterable[str] = (), roots: Iterable[Path] | None = None) -> str:
    """SHA-256 (hex, 16 chars) of the code a swept function can reach.

    Default: every file of :func:`source_files` (the whole ``theory`` and ``numerics`` source, so
    editing any engine file -- the CNN's block engine, a validator, an eigenvalue routine --
    invalidates cached results; a hand-kept dependency list missed files when the CNN was split).
    ``roots`` replaces the packages by other directories (used by the tests).
    """
    if roots is None:
        files = source_files(extra_modules)
        base = Path(__file__).resolve().parents[2]
    else:
        roots = [Path(r).resolve() for r in roots]
        files = sorted(f for r in roots for f in r.rglob("*.py"))
        base = None
    h = hashlib.sha256()
    for f in files:
        try:
            rel = str(f.relative_to(base)) if base is not None else str(f)
        except ValueError:
            rel = str(f)
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def run_key(fn: Callable, params: dict, version: str) -> str:
    """Cache key of one run: SHA-256 of function name, canonical JSON parameters, code version."""
    blob = _fn_name(fn).encode() + b"\0" + _dumps(params) + b"\0" + version.encode()
    return hashlib.sha256(blob).hexdigest()


# --------------------------------------------------------------------------- cache files
def store_entry(path: Path, result: Any) -> None:
    """Write ``MAGIC\\n<sha256 of payload>\\n<payload JSON>`` atomically."""
    payload = _dumps(result)
    data = MAGIC + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load_entry(path: Path) -> tuple[bool, Any]:
    """``(True, result)`` for an intact entry; ``(False, None)`` if missing, partial or corrupt."""
    try:
        data = path.read_bytes()
    except OSError:
        return False, None
    parts = data.split(b"\n", 2)
    if len(parts) != 3 or parts[0] != MAGIC:
        return False, None
    digest, payload = parts[1], parts[2]
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return False, None
    try:
        return True, restore(json.loads(payload))
    except ValueError:
        return False, None


# --------------------------------------------------------------------------- execution
def _call(fn: Callable, params: dict) -> bytes:
    """Run one configuration in a worker; return its canonical JSON (the only thing shipped back)."""
    return _dumps(fn(**params))


def run_sweep(fn: Callable[..., dict], configs: Sequence[dict], *, jobs: int = 1,
              scheduler: str | None = None, cache: bool = True, depends: Iterable[str] = (),
              directory: str | os.PathLike | None = None, progress: bool | None = None,
              stats: dict | None = None, cost: Callable[[dict], float] | None = None) -> list[Any]:
    """Run ``fn(**cfg)`` for every ``cfg`` in ``configs``; results in the order of ``configs``.

    Parameters
    ----------
    fn : callable
        Top-level function of an importable module, ``fn(**params) -> dict`` (JSON-like values,
        arrays allowed).  Must be deterministic in its parameters (seed included in them).
    configs : sequence of dict
        One dict of JSON-like parameters per run.
    jobs : int >= 1
        Local joblib workers (``loky``); ignored when ``scheduler`` is given.
    scheduler : str, optional
        Address ``tcp://HOST:PORT`` of a Dask scheduler; runs go there via joblib's dask backend.
    cache : bool
        Read intact cache entries (``False`` recomputes every run); results are always written.
        A cache that cannot be read or written (read-only, ``SBCHECK_CACHE`` a file, a directory
        where an entry should be) only costs speed: one warning line on stderr, same results.
    depends : iterable of str
        Module names outside ``theory`` and ``numerics`` whose source enters the code version
        (``fn``'s module always does; all of ``theory`` and ``numerics`` always do).
    directory : path, optional
        Cache directory; default :func:`cache_dir`.
    progress : bool, optional
        Progress bar over runs on stderr; default: only if stderr is a terminal.
    stats : dict, optional
        Filled with ``{"runs", "hits", "computed", "corrupt"}`` (+ ``"write_errors"`` if any).
    cost : callable, optional
        Estimated cost of a run from its parameters; runs are dispatched most expensive first (better
        load balance in parallel).  Only the order of execution changes, never the results.

    Returns
    -------
    list
        ``fn``'s results, JSON round-tripped (arrays as lists).
    """
    _check_args(fn, jobs, scheduler)
    configs = [dict(c) for c in configs]
    for c in configs:
        _dumps(c)                                   # raises TypeError on non-JSON parameters
    version = code_version([fn.__module__, *depends])
    root = Path(directory) if directory is not None else cache_dir()
    paths = [root / f"{run_key(fn, c, version)}.json" for c in configs]
    results, todo, hits, corrupt = _read_cache(paths, cache)
    if cost is not None:
        todo.sort(key=lambda i: -float(cost(configs[i])))
    bar = progress_bar(len(configs), "sweep", enable=progress, unit="run")
    bar.update(hits)
    writer = _Writer()
    try:
        for i, blob in zip(todo, _execute(fn, [configs[i] for i in todo], jobs, scheduler)):
            value = restore(json.loads(blob))
            writer.store(paths[i], value)
            results[i] = value
            bar.update(1)
    finally:
        bar.close()
    if stats is not None:
        stats.update(runs=len(configs), hits=hits, computed=len(todo), corrupt=int(corrupt))
        if writer.errors:
            stats["write_errors"] = writer.errors
    return results


def _check_args(fn, jobs, scheduler) -> None:
    if not callable(fn):
        raise TypeError(f"`fn` must be callable; got {fn!r}")
    if not (isinstance(jobs, int) and not isinstance(jobs, bool) and jobs >= 1):
        raise ValueError(f"`jobs` must be an int >= 1; got {jobs!r}")
    if scheduler is not None and not (isinstance(scheduler, str) and "://" in scheduler):
        raise ValueError(f"`scheduler` must be an address like 'tcp://HOST:PORT'; got {scheduler!r}")


def _read_cache(paths: list[Path], cache: bool) -> tuple[list, list[int], int, int]:
    """``(results, indices to compute, hits, corrupt entries)``; an unreadable cache is a miss."""
    results: list[Any] = [None] * len(paths)
    todo: list[int] = []
    corrupt = hits = 0
    for i, p in enumerate(paths):
        if cache:
            ok, value = load_entry(p)
            if ok:
                results[i] = value
                hits += 1
                continue
            try:
                corrupt += p.exists()
            except OSError:
                pass
        todo.append(i)
    return results, todo, hits, corrupt


class _Writer:
    """Writes cache entries; a cache that cannot be written costs speed only (one warning line)."""

    def __init__(self):
        self.errors = 0

    def store(self, path: Path, value: Any) -> None:
        try:
            store_entry(path, value)
        except OSError as exc:
            if not self.errors:
                sys.stderr.write(f"sbcheck: warning: sweep cache not written ({path.parent}: "
                                 f"{exc.strerror or type(exc).__name__}); results are computed, not cached\n")
            self.errors += 1


def _execute(fn: Callable, configs: list[dict], jobs: int, scheduler: str | None):
    """Yield the canonical JSON of each run, in order: the one code path for every backend."""
    if not configs:
        return
    if scheduler is None and jobs == 1:
        for c in configs:                         # serial: same function, no pool overhead
            yield _call(fn, c)
        return
    import joblib
    if scheduler is None:
        with joblib.parallel_config(backend="loky", n_jobs=jobs):
            yield from joblib.Parallel(return_as="generator")(
                joblib.delayed(_call)(fn, c) for c in configs)
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ImportError("`scheduler` needs the optional extra `dask` "
                          "(pip install 'sbcheck[dask]')") from exc
    with Client(scheduler, set_as_default=False) as client:
        with joblib.parallel_config(backend="dask", scheduler_host=None, wait_for_workers_timeout=30,
                                    client=client):
            yield from joblib.Parallel(return_as="generator")(
                joblib.delayed(_call)(fn, c) for c in configs)
