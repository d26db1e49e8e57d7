"""JSON encoding of results: the one converter used by evidence, ``--json`` and the sweep cache.

:func:`to_jsonable` turns NumPy arrays and scalars, tuples, Fractions and SymPy numbers into JSON
types.  Non-finite floats, which JSON cannot hold, are written as strings (``"nan"``, ``"inf"``) for
readers, or tagged ``{"__float__": "nan"}`` where the value must come back as a float
(:func:`restore`, used by the sweep cache so that a cached result equals a fresh one).
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "restore", "canonical_bytes"]

NONFINITE = ("str", "tag")


def to_jsonable(obj: Any, *, nonfinite: str = "str", strict: bool = False) -> Any:
    """``obj`` with every value converted to a JSON type.

    Parameters
    ----------
    obj : any
        dicts (keys become str), lists, tuples, ndarrays, NumPy / Python scalars, Fractions,
        SymPy numbers; anything else becomes ``str(value)`` unless ``strict``.
    nonfinite : {"str", "tag"}
        ``"str"``: ``nan`` -> ``"nan"``; ``"tag"``: ``nan`` -> ``{"__float__": "nan"}`` (reversible).
    strict : bool
        Raise TypeError for a value that is not JSON-like (instead of writing its ``str``).
    """
    if nonfinite not in NONFINITE:
        raise ValueError(f"`nonfinite` must be one of {NONFINITE}; got {nonfinite!r}")
    return _conv(obj, nonfinite, strict)


def _conv(obj, nonfinite, strict):
    if isinstance(obj, dict):
        return {str(k): _conv(v, nonfinite, strict) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_conv(v, nonfinite, strict) for v in obj]
    if isinstance(obj, np.ndarray):
        return _conv(obj.tolist(), nonfinite, strict)
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        if math.isfinite(v):
            return v
        return {"__float__": repr(v)} if nonfinite == "tag" else str(v)
    if strict:
        raise TypeError(f"values must be JSON-like (dict, list, number, str, ndarray); got "
                        f"{type(obj).__name__}")
    if isinstance(obj, Fraction):
        return str(obj)
    return str(obj)


def restore(obj: Any) -> Any:
    """Undo the ``{"__float__": ...}`` tags of :func:`to_jsonable` (``nonfinite="tag"``)."""
    if isinstance(obj, dict):
        if set(obj) == {"__float__"}:
            return float(obj["__float__"])
        return {k: restore(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [restore(v) for v in obj]
    return obj


def canonical_bytes(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, no spaces, tagged non-finite floats, strict types) as bytes."""
    return json.dumps(to_jsonable(obj, nonfinite="tag", strict=True), sort_keys=True,
                      separators=(",", ":")).encode()
