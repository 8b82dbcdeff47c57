"""The scale a book is executed at: its name, whether it is a dry run, and per-scale sizes.

``smoke``
    Seconds per notebook. CI and ``pytest --nbval`` only: proves the code path runs.
``quick``
    A laptop CPU: the whole ``make execute`` in 40 minutes to about 1.5 hours on 2 cores,
    depending on the CPU (the README gives what was measured where), on the embedded data;
    large enough that each figure shows the paper's effect.
``paper``
    The paper's hyperparameters and iteration counts, meant for a GPU and LSUN.

A *dry run* (``$WGAN_DRY_RUN=1``, ``make execute SCALE=paper DRY_RUN=1``) keeps every
setting of a scale except the counts that make it long: generator iterations, fitting
steps, images and samples, seeds, and the learning rates of the momentum sweep. Each
passes through :meth:`Scale.cap`, which leaves it alone outside a dry run and cuts it to a
handful inside one, so the paper branch of every chapter executes on a CPU in minutes.
Its runs live in their own folder (:attr:`Scale.folder`), and every page of a dry run
says so (:data:`DRY_RUN_NOTE`).

A :class:`Scale` is a value: the entry points (the command line, a notebook's
parameters) build it once with :meth:`Scale.from_env`, the only place that reads
``$WGAN_DRY_RUN``, and pass it down.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

T = TypeVar("T")

SCALES: tuple[str, ...] = ("smoke", "quick", "paper")

DRY_RUN_VARIABLE = "WGAN_DRY_RUN"
"""Environment variable that turns a dry run on (``1``) or off (``0`` or unset)."""

DRY_RUN_NOTE = (
    "DRY RUN: the settings of this scale with every count of iterations, fitting steps, "
    "images, samples, seeds and swept learning rates capped to a handful. It proves that "
    "the code path executes; its numbers, figures and verdicts are not results."
)
"""What the provenance box of every page of a dry run says."""


@dataclass(frozen=True)
class Scale:
    """One of :data:`SCALES`, dry or not.

    Parameters
    ----------
    name : {"smoke", "quick", "paper"}
    dry : bool, default=False
        A dry run: every count passed through :meth:`cap` is cut to a handful.

    Examples
    --------
    >>> Scale("quick").pick(smoke=10, quick=1_000, paper=100_000)
    1000
    >>> Scale("paper", dry=True).folder
    'paper-dry'
    """

    name: str
    dry: bool = False

    def __post_init__(self) -> None:
        if self.name not in SCALES:
            raise ValueError(
                f"The 'scale' parameter must be one of {', '.join(map(repr, SCALES))}. "
                f"Got {self.name!r} instead."
            )
        if not isinstance(self.dry, bool):
            raise ValueError(f"The 'dry' parameter of Scale must be a bool. Got {self.dry!r}.")

    @classmethod
    def from_env(cls, name: str | Scale) -> Scale:
        """The scale ``name``, a dry run when ``$WGAN_DRY_RUN`` is ``1``.

        A :class:`Scale` is returned as it is, so an entry point may be handed either.

        Raises
        ------
        ValueError
            For an unknown name, or a variable holding anything but ``0``, ``1`` or nothing.
        """
        if isinstance(name, Scale):
            return name
        value = os.environ.get(DRY_RUN_VARIABLE, "").strip()
        if value not in ("", "0", "1"):
            raise ValueError(
                f"The environment variable {DRY_RUN_VARIABLE} must be '1' (dry run), '0' or "
                f"unset. Got {value!r} instead."
            )
        return cls(name, dry=value == "1")

    def __str__(self) -> str:
        return f"{self.name} (dry run)" if self.dry else self.name

    @property
    def folder(self) -> str:
        """The folder of this scale's runs and records: ``paper``, or ``paper-dry``.

        A dry run's runs never mix with the real runs of its scale.
        """
        return f"{self.name}-dry" if self.dry else self.name

    def pick(self, *, smoke: T, quick: T, paper: T) -> T:
        """The value given for this scale's name."""
        return {"smoke": smoke, "quick": quick, "paper": paper}[self.name]

    def cap(self, value: T, handful: int) -> T:
        """``value`` itself, or in a dry run at most ``handful`` of it.

        Parameters
        ----------
        value : int or sequence (list, tuple, numpy.ndarray)
            A count (iterations, steps, images, samples, seeds) or a list of them; a
            sequence keeps its first ``handful`` items.
        handful : int
            The most a dry run keeps; positive.

        Returns
        -------
        int or sequence
            Of the same type as ``value``.
        """
        if isinstance(handful, bool) or not isinstance(handful, int) or handful < 1:
            raise ValueError(
                f"The 'handful' parameter of cap must be a positive int. Got {handful!r} "
                "instead."
            )
        if isinstance(value, bool) or not isinstance(
                value, int | np.integer | Sequence | np.ndarray):
            raise ValueError(
                "The 'value' parameter of cap must be an int or a sequence. "
                f"Got {type(value).__name__} instead."
            )
        if not self.dry:
            return value
        if isinstance(value, int | np.integer):
            return type(value)(min(value, handful))
        return value[:handful]
