"""Atomic files: checkpoints, JSON records and images survive a kill -9 at any moment.

Every write goes to a temporary file in the same directory, is flushed to disk, and
then replaces the target with :func:`os.replace`, which is atomic on POSIX file systems:
a reader (or a resumed run) sees either the old file or the new one, never a torn one.

A checkpoint (see :func:`wgan.training.run.train`) is a plain dict of tensors, numbers and
strings, read back with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import torch

CHECKPOINT_NAME = "checkpoint.pt"


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` through ``write(file)`` into a temporary file, then rename it.

    Parameters
    ----------
    path : pathlib.Path
        Target; its directory is created if needed.
    write : callable
        Receives the open binary temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write(path, lambda file: file.write(text.encode()))


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Save ``state`` with :func:`torch.save`, atomically.

    Parameters
    ----------
    path : pathlib.Path
        Checkpoint file (``run_dir / CHECKPOINT_NAME``).
    state : dict
        Tensors, state dicts, numbers and strings only (loadable with
        ``weights_only=True``).
    """
    atomic_write(path, lambda file: torch.save(state, file))


def load_checkpoint(path: Path, map_location: torch.device | str = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`.

    Parameters
    ----------
    path : pathlib.Path
    map_location : torch.device or str, default="cpu"
        Where the tensors are loaded.

    Raises
    ------
    ValueError
        If the file does not exist.
    """
    if not path.is_file():
        raise ValueError(f"There is no checkpoint at {str(path)!r}.")
    return torch.load(path, map_location=map_location, weights_only=True)
