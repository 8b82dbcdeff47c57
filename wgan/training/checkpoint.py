"""A run's checkpoint and JSON records, written atomically (:mod:`wgan.files`): they survive
a kill -9 at any moment, and a reader (or a resumed run) sees the old file or the new one.

A checkpoint (see :func:`wgan.training.run.train`) is a plain dict of tensors, numbers and
strings, read back with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from wgan.files import atomic_path, atomic_write_bytes

CHECKPOINT_NAME = "checkpoint.pt"


def atomic_write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode())


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
    with atomic_path(path) as temporary:
        torch.save(state, temporary)


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
