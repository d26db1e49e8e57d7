"""The claims, one module per source; importing this package registers them all.

Claim ids are ``<source>.<statement>``, the source being the stem that names the paper everywhere
(``theory/<stem>.py``, ``numerics/experiments/<stem>.py``, ``numerics/claims/<stem>*.py``,
``tests/.../test_<stem>*.py``, ``docs/<stem>.md``): ``basri2019`` (Basri et al. 2019), ``cnnflow``
(the note on gradient flow of two-layer CNNs), ``zhou2023`` (Zhou et al. 2023), ``geifman2022``
(Geifman et al. 2022).  Earlier ids are kept as aliases: they select, look up and run the same claim
(``sbcheck check flow`` still runs the four gradient-flow claims, ``sbcheck check basri`` the whole
Basri paper, ``ntk.mercer`` included).  The aliases (``tests/test_claims.py`` checks this table
against the registry)::

    id                                  alias
    basri2019.bias-restores             basri.bias-restores
    basri2019.circle-spectrum           basri.circle-spectrum
    basri2019.eigenfunctions            basri.eigenfunctions
    basri2019.empirical-ntk             ntk.empirical-limit
    basri2019.learning-time-circle      basri.learning-time-circle
    basri2019.learning-time-sphere      basri.learning-time-sphere
    basri2019.mercer                    ntk.mercer
    basri2019.odd-null                  basri.odd-null
    basri2019.odd-stall                 basri.odd-stall
    basri2019.sphere-decay              basri.sphere-decay
    cnnflow.band-limits                 fourier.band-limits
    cnnflow.coefficient-ode             flow.coefficient-ode
    cnnflow.conservation                flow.conservation
    cnnflow.f-principle                 fourier.f-principle
    cnnflow.gap-time-relu               fourier.gap-time-relu
    cnnflow.gap-time-smooth             fourier.gap-time-smooth
    cnnflow.gd-drift                    flow.gd-drift
    cnnflow.lln-coverage                fourier.lln-coverage
    cnnflow.monotone-loss               flow.monotone-loss
    cnnflow.rate-formula                fourier.rate-formula
    cnnflow.white-spectrum              fourier.white-spectrum
    geifman2022.decay-single-pixel      cntk.decay-single-pixel
    geifman2022.decay-support           cntk.decay-support
    geifman2022.eigen-series            cntk.eigen-series
    geifman2022.empirical-limit         cntk.empirical-limit
    geifman2022.locality                cntk.locality
    geifman2022.product-eigenfunctions  cntk.product-eigenfunctions
    zhou2023.alignment                  condensation.alignment
    zhou2023.gap-rate                   condensation.gap-rate
    zhou2023.linear-solution            condensation.linear-solution
    zhou2023.multichannel               condensation.multichannel

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
