"""The three scales every notebook runs at, and a helper to pick per-scale settings.

``smoke``
    Seconds per notebook. CI and ``pytest --nbval`` only: proves the code path runs.
``quick``
    A laptop CPU: the whole ``make execute`` in about an hour on 2 cores, on the
    embedded data; large enough that each figure shows the paper's effect.
``paper``
    The paper's hyperparameters and iteration counts, meant for a GPU and LSUN.

A *dry run* (``$WGAN_DRY_RUN=1``, ``make execute SCALE=paper DRY_RUN=1``) keeps every
setting of a scale except the counts that make it long: generator iterations, fitting
steps, images and samples, seeds, and the learning rates of the momentum sweep (runs,
each of which starts with the critic schedule's 100 critic steps). Each passes through
:func:`cap`, which
leaves it alone outside a dry run and cuts it to a handful inside one, so the paper
branch of every chapter executes on a CPU in minutes. Its runs live in their own folder
(:func:`run_folder`), and every page of a dry run says so (:data:`DRY_RUN_NOTE`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

DRY_RUN_VARIABLE = "WGAN_DRY_RUN"
"""Environment variable that turns a dry run on (``1``) or off (``0`` or unset)."""

DRY_RUN_NOTE = (
    "DRY RUN: the settings of this scale with every count of iterations, fitting steps, "
    "images, samples, seeds and swept learning rates capped to a handful. It proves that "
    "the code path executes; its numbers, figures and verdicts are not results."
)
"""What the provenance box of every page of a dry run says."""

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


def dry_run() -> bool:
    """Whether this process is a dry run (``$WGAN_DRY_RUN`` is ``1``).

    Raises
    ------
    ValueError
        If the variable holds anything but ``0``, ``1`` or nothing.
    """
    value = os.environ.get(DRY_RUN_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(
            f"The environment variable {DRY_RUN_VARIABLE} must be '1' (dry run), '0' or unset. "
            f"Got {value!r} instead."
        )
    return value == "1"


def cap(value: T, handful: int) -> T:
    """``value`` itself, or in a dry run (:func:`dry_run`) at most ``handful`` of it.

    Parameters
    ----------
    value : int or sequence (list, tuple, numpy.ndarray)
        A count (iterations, steps, images, samples, seeds) or a list of them (seeds,
        sample sizes); a sequence keeps its first ``handful`` items.
    handful : int
        The most a dry run keeps; positive.

    Returns
    -------
    int or sequence
        Of the same type as ``value``.

    Examples
    --------
    >>> cap(100_000, 3)  # outside a dry run
    100000
    """
    if isinstance(handful, bool) or not isinstance(handful, int) or handful < 1:
        raise ValueError(
            f"The 'handful' parameter of cap must be a positive int. Got {handful!r} instead."
        )
    if isinstance(value, bool) or not isinstance(value, int | np.integer | Sequence | np.ndarray):
        raise ValueError(
            "The 'value' parameter of cap must be an int or a sequence. "
            f"Got {type(value).__name__} instead."
        )
    if not dry_run():
        return value
    if isinstance(value, int | np.integer):
        return type(value)(min(value, handful))
    return value[:handful]


def run_folder(scale: str) -> str:
    """Name of the folder under the runs directory for ``scale``: ``paper``, or ``paper-dry``.

    A dry run's runs never mix with the real runs of its scale.
    """
    check_scale(scale)
    return f"{scale}-dry" if dry_run() else scale
