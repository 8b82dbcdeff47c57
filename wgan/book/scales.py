"""The three scales every notebook runs at, and a helper to pick per-scale settings.

``smoke``
    Seconds per notebook. CI and ``pytest --nbval`` only: proves the code path runs.
``quick``
    A laptop CPU: the whole ``make execute`` in about an hour on 2 cores, on the
    embedded data; large enough that each figure shows the paper's effect.
``paper``
    The paper's hyperparameters and iteration counts, meant for a GPU and LSUN.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

SCALES: tuple[str, ...] = ("smoke", "quick", "paper")


def check_scale(scale: str) -> str:
    """Return ``scale`` if it is one of :data:`SCALES`, else raise ``ValueError``."""
    if scale not in SCALES:
        raise ValueError(
            f"The 'scale' parameter must be one of {', '.join(map(repr, SCALES))}. "
            f"Got {scale!r} instead."
        )
    return scale


def pick(scale: str, *, smoke: T, quick: T, paper: T) -> T:
    """Return the value given for ``scale``.

    Examples
    --------
    >>> pick("quick", smoke=10, quick=1_000, paper=100_000)
    1000
    """
    return {"smoke": smoke, "quick": quick, "paper": paper}[check_scale(scale)]
