"""Progress bars: the one helper every long loop uses (tqdm on an interactive stderr, else silent).

Nothing ever goes to stdout (``--json`` keeps stdout for its one document).
"""
from __future__ import annotations

import sys

__all__ = ["progress_bar", "NullBar"]


class NullBar:
    """A bar that shows nothing: the stand-in when stderr is not a terminal or bars are off."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str) -> None:
        pass

    def write(self, s: str) -> None:
        sys.stderr.write(s.rstrip("\n") + "\n")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def progress_bar(total: int, desc: str, *, enable: bool | None = None, unit: str = "it"):
    """A tqdm bar on stderr with ``total`` steps, or a :class:`NullBar`.

    Parameters
    ----------
    total : int
    desc : str
        Label shown left of the bar.
    enable : bool or None
        None (default): only when stderr is an interactive terminal.
    unit : str
    """
    if enable is None:
        enable = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if not enable or total <= 0:
        return NullBar()
    try:
        from tqdm import tqdm
    except ImportError:                       # tqdm is a dependency; bars are never essential
        return NullBar()
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)
