"""TensorBoard event files of a run, so that long runs can be watched while they train.

``tensorboard --logdir runs/paper`` then shows every run of a folder side by side: each
run directory holds its own event files (``events.out.tfevents.*``), with every column of
``metrics.jsonl`` as a scalar (tag ``metrics/<column>``, step = generator iteration) and
each sample grid the run saves as an image (tag ``samples``).

Event files need the ``tensorboard`` package (``pip install -e '.[watch]'``; the ``dev``
extra includes it). Whether a run writes them is decided by :func:`wanted`: on when the
package is installed, unless ``$WGAN_TENSORBOARD`` says ``0``. Without the package they
are off, and the first run of the process says so once. They are on by default because a
run of days that was started without them cannot be watched afterwards, and they cost
little: about 400 bytes and half a millisecond of CPU per generator iteration for eight
scalars (measured on a busy 2-core CPU), next to ``metrics.jsonl``'s 200 bytes; about
90 MB for one of the paper's image runs of 236,175 iterations.

A resumed run opens its writer with ``purge_step`` = the first iteration it redoes, so
TensorBoard drops the events an interrupted process wrote after its last checkpoint and
every step appears once.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any, Protocol

import torch

TENSORBOARD_VARIABLE = "WGAN_TENSORBOARD"
"""Environment variable: ``1`` (event files required), ``0`` (off), ``auto`` or unset."""

SCALAR_PREFIX = "metrics/"
SAMPLES_TAG = "samples"
FLUSH_SECONDS = 30

_missing_said = False


class ScalarWriter(Protocol):
    """What the run loop calls on a writer (:class:`torch.utils.tensorboard.SummaryWriter`)."""

    def add_scalar(self, tag: str, value: float, global_step: int) -> Any: ...

    def add_image(self, tag: str, image: torch.Tensor, global_step: int) -> Any: ...

    def close(self) -> Any: ...


def installed() -> bool:
    """Whether the ``tensorboard`` package can be imported."""
    return importlib.util.find_spec("tensorboard") is not None


def wanted(request: bool | None = None) -> bool:
    """Whether a run writes event files.

    Parameters
    ----------
    request : bool or None, default=None
        ``True``: required (an error without the package); ``False``: off; ``None``: read
        ``$WGAN_TENSORBOARD`` (``1``, ``0``, or ``auto``/unset: on when installed).

    Raises
    ------
    ValueError
        If event files are required and ``tensorboard`` is not installed, or if
        ``$WGAN_TENSORBOARD`` holds something else.
    """
    global _missing_said
    if request is None:
        value = os.environ.get(TENSORBOARD_VARIABLE, "auto").strip().lower() or "auto"
        if value not in ("0", "1", "auto"):
            raise ValueError(
                f"The environment variable {TENSORBOARD_VARIABLE} must be '1', '0' or 'auto'. "
                f"Got {value!r} instead."
            )
        request = None if value == "auto" else value == "1"
    if request is False:
        return False
    if installed():
        return True
    if request:
        raise ValueError(
            "TensorBoard event files were requested, but the 'tensorboard' package is not "
            "installed: pip install -e '.[watch]' (or set "
            f"{TENSORBOARD_VARIABLE}=0 to train without them)."
        )
    if not _missing_said:
        _missing_said = True
        warnings.warn(
            "TensorBoard event files are off: the 'tensorboard' package is not installed "
            "(pip install -e '.[watch]' turns them on; "
            f"{TENSORBOARD_VARIABLE}=0 silences this).",
            RuntimeWarning,
            stacklevel=3,
        )
    return False


def open_writer(run_dir: str | Path, first_step: int) -> ScalarWriter:
    """A writer of event files into ``run_dir``.

    Parameters
    ----------
    run_dir : str or pathlib.Path
    first_step : int
        The first generator iteration this process logs (1 for a new run, the
        checkpoint's iteration + 1 for a resumed one); events an earlier process wrote
        at this step or later are purged.
    """
    from torch.utils.tensorboard import SummaryWriter  # imports tensorboard: lazily

    purge = first_step if first_step > 1 else None
    return SummaryWriter(log_dir=str(run_dir), purge_step=purge, flush_secs=FLUSH_SECONDS)


def write_row(writer: ScalarWriter, row: dict[str, float], step: int) -> None:
    """Every value of a metrics row but the step itself, as ``metrics/<column>`` scalars."""
    for column, value in row.items():
        if column != "gen_iter":
            writer.add_scalar(SCALAR_PREFIX + column, float(value), step)


def write_grid(writer: ScalarWriter, grid: torch.Tensor, step: int) -> None:
    """A sample grid of shape (C, H, W), values in [0, 1], as the ``samples`` image."""
    writer.add_image(SAMPLES_TAG, grid, step)
