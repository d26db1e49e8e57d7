"""The claims, one module per source paper; importing this package registers them all.

Every module in this package is imported (in alphabetical order) and its ``@claim``-decorated
functions join :data:`numerics.verify.registry.REGISTRY`.  Users add claims without touching sbcheck:

- ``sbcheck check --module my_claims`` imports ``my_claims`` (a module on ``sys.path`` or a path to
  a ``.py`` file) before running;
- an installed package can declare an entry point in the group ``sbcheck.claims``; the module it
  names is imported by :func:`load_all`.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from importlib.metadata import entry_points
from pathlib import Path

from numerics.verify.registry import REGISTRY

__all__ = ["load_builtin", "load_entry_points", "load_module", "load_all", "REGISTRY"]

ENTRY_POINT_GROUP = "sbcheck.claims"


def load_builtin() -> None:
    """Import every claim module shipped with sbcheck."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def load_entry_points() -> list[str]:
    """Import the modules named by installed ``sbcheck.claims`` entry points; return their names."""
    names = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()
        names.append(ep.value)
    return names


def load_module(spec: str) -> None:
    """Import a user's claim module: a dotted module name or a path to a ``.py`` file.

    Raises
    ------
    ValueError
        If ``spec`` names neither an importable module nor an existing ``.py`` file.
    """
    path = Path(spec)
    if spec.endswith(".py"):
        if not path.is_file():
            raise ValueError(f"`--module` {spec!r}: no such file")
        name = f"sbcheck_user_{path.stem}"
        mod_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[name] = module
        mod_spec.loader.exec_module(module)
        return
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        if exc.name and spec.startswith(exc.name):
            raise ValueError(f"`--module` {spec!r}: no importable module of that name "
                             f"(give a dotted module on sys.path or a path to a .py file)") from None
        raise


def load_all(modules: tuple[str, ...] | list[str] = ()) -> None:
    """Built-in claims, entry-point claims, then the user's ``modules``."""
    load_builtin()
    load_entry_points()
    for m in modules:
        load_module(m)
