"""A run directory: its files, how they are written safely, and how a run is read back.

The training loop (:mod:`wgan.training.run`) writes one configuration's run into one
directory; this module owns the directory's format::

    config.json          the TrainConfig (a different config is refused, never overwritten)
    status.json          running | finished | diverged, with the iteration and the reason
    metrics.jsonl        one JSON row per generator iteration
                         (:data:`wgan.training.run.METRIC_COLUMNS`)
    checkpoint.pt        both nets, both optimizers, counters, RNG states, config, git SHA
    samples/iter_NNNNNNN.png      grids from a fixed noise batch (image data only)
    snapshots/generator_NNNNNNN.pt  generator weights every ``snapshot_every`` iterations
    events.out.tfevents.*         TensorBoard: every metrics column, every grid
                                  (:mod:`wgan.training.watch`; when tensorboard is installed)
    .lock                the lock a training process holds (:func:`locked`)

Crash safety: files are replaced atomically (:mod:`wgan.files`); a metrics row is
written before the checkpoint that covers it, and a resumed run first cuts the metrics
file back to the rows its checkpoint covers (:func:`truncate_metrics`), so after a kill -9
at any moment the file continues without duplicate or missing rows.

Where a run's directory is (its address) is not this module's business: see
:mod:`wgan.plan.spec`.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from wgan import files
from wgan.training.checkpoint import (
    CHECKPOINT_NAME,
    atomic_write_json,
    load_checkpoint,
)
from wgan.training.config import TrainConfig
from wgan.training.models import build_generator

CONFIG_NAME = "config.json"
STATUS_NAME = "status.json"
METRICS_NAME = "metrics.jsonl"
LOCK_NAME = ".lock"
SAMPLES_DIR = "samples"
SNAPSHOTS_DIR = "snapshots"


@dataclass
class RunResult:
    """A finished (or diverged) training run, read back from its directory.

    Attributes
    ----------
    run_dir : pathlib.Path
    config : TrainConfig
    status : {"finished", "diverged", "running"}
        ``"running"`` only from ``load_run(..., allow_unfinished=True)``.
    metrics : pandas.DataFrame
        One row per generator iteration from ``metrics.jsonl``: ``gen_iter`` (1-based),
        ``critic_iters_total``, the columns of :data:`METRIC_COLUMNS` (then those of
        :data:`wgan.training.instrument.COSINE_COLUMNS` with ``config.log_update_cosine``) and
        ``wall_time`` (seconds of training since the start, across resumes).
    detail : dict
        The contents of ``status.json`` (for a diverged run: ``gen_iter``, the
        non-finite ``losses`` and a ``message``).
    """

    run_dir: Path
    config: TrainConfig
    status: str
    metrics: pd.DataFrame
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def snapshots(self) -> list[int]:
        """Generator iterations whose generator weights are kept (snapshots, last checkpoint)."""
        kept = {int(p.stem.split("_")[1]) for p in (self.run_dir / SNAPSHOTS_DIR).glob("*.pt")}
        last = self.detail.get("checkpoint_gen_iter")
        if (self.run_dir / CHECKPOINT_NAME).is_file() and last is not None:
            kept.add(int(last))
        return sorted(kept)

    def load_generator(
        self, iteration: int | None = None, device: torch.device | str = "cpu"
    ) -> nn.Module:
        """The generator after ``iteration`` generator updates, in eval mode.

        Parameters
        ----------
        iteration : int or None, default=None
            One of :attr:`snapshots`; ``None`` is the last checkpoint's generator.
        device : torch.device or str, default="cpu"

        Raises
        ------
        ValueError
            If no weights were kept for ``iteration``.
        """
        config = self.config
        last = self.detail["checkpoint_gen_iter"]
        if iteration is None or iteration == last:
            state = load_checkpoint(self.run_dir / CHECKPOINT_NAME)["generator"]
        elif iteration in self.snapshots:
            state = torch.load(snapshot_path(self.run_dir, iteration), map_location="cpu",
                               weights_only=True)
        else:
            raise ValueError(
                f"The 'iteration' parameter of load_generator must be one of the kept "
                f"iterations {self.snapshots}. Got {iteration!r} instead. Set snapshot_every "
                "in the config to keep more."
            )
        generator = build_generator(
            config.generator, tuple(self.detail["sample_shape"]), nz=config.nz,
            ngf=config.ngf, mlp_hidden=config.mlp_hidden,
        )
        generator.load_state_dict(state)
        return generator.to(device).eval()


def load_run(run_dir: str | Path, *, allow_unfinished: bool = False) -> RunResult:
    """Read a finished or diverged run from its directory.

    Parameters
    ----------
    run_dir : str or pathlib.Path
    allow_unfinished : bool, default=False
        Also read a run that is still running or was interrupted (``status`` is then
        ``"running"``), e.g. to draw samples from its last checkpoint.

    Raises
    ------
    ValueError
        If ``run_dir`` holds no run, or one that has not finished (train it again with
        :func:`train` to resume it) and ``allow_unfinished`` is false.
    """
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_NAME).is_file():
        raise ValueError(f"{str(run_dir)!r} holds no training run (no {CONFIG_NAME}).")
    detail = read_status(run_dir)
    if not detail:
        raise ValueError(f"The run in {str(run_dir)!r} has not started (no {STATUS_NAME}).")
    if detail["status"] not in ("finished", "diverged") and not allow_unfinished:
        raise ValueError(
            f"The run in {str(run_dir)!r} has not finished (status {detail['status']!r}). "
            "Run wgan.training.run.train (or `python -m wgan train --resume RUN_DIR`) to resume it."
        )
    config = TrainConfig.from_dict(json.loads((run_dir / CONFIG_NAME).read_text()))
    rows = [json.loads(line) for line in metric_lines(run_dir / METRICS_NAME)]
    return RunResult(run_dir, config, detail["status"], pd.DataFrame(rows), detail)


def locked(run_dir: Path) -> AbstractContextManager[None]:
    """Hold the run's lock, ``run_dir / LOCK_NAME``, for a block (:func:`wgan.files.locked`)."""
    return files.locked(run_dir / LOCK_NAME)


def claim(run_dir: Path, config: TrainConfig) -> None:
    """Write ``config.json`` into a fresh directory, or check that it holds ``config``."""
    wanted = json.loads(json.dumps(config.to_dict()))
    path = run_dir / CONFIG_NAME
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored != wanted:
            keys = sorted(k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
            changes = "; ".join(f"{k}: {stored.get(k)!r} there, {wanted.get(k)!r} here"
                                for k in keys)
            raise ValueError(
                f"The run directory {str(run_dir)!r} holds a run with a different config "
                f"({changes}). It is left untouched: use another run directory, or delete "
                "this one to start over."
            )
        return
    others = [p.name for p in run_dir.iterdir()
              if p.name != LOCK_NAME and not files.is_temporary(p)]
    if others:
        raise ValueError(
            f"The run directory {str(run_dir)!r} is not empty and holds no run (no "
            f"{CONFIG_NAME}; found {sorted(others)[:5]}). Use an empty or new directory."
        )
    atomic_write_json(path, wanted)


def read_status(run_dir: Path) -> dict[str, Any]:
    """The contents of ``status.json``; empty when the run has not started."""
    path = run_dir / STATUS_NAME
    return json.loads(path.read_text()) if path.is_file() else {}


def snapshot_path(run_dir: Path, gen_iter: int) -> Path:
    """Where the generator weights after ``gen_iter`` iterations are kept."""
    return run_dir / SNAPSHOTS_DIR / f"generator_{gen_iter:07d}.pt"


def metric_lines(path: Path) -> list[str]:
    """Complete rows of a metrics file, stopping at a torn last line."""
    if not path.is_file():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            json.loads(line)
        except json.JSONDecodeError:
            break
        lines.append(line)
    return lines


def truncate_metrics(path: Path, gen_iter: int) -> None:
    """Keep the rows of generator iterations 1..gen_iter (what the checkpoint covers)."""
    kept = [line for line in metric_lines(path) if json.loads(line)["gen_iter"] <= gen_iter]
    if len(kept) != gen_iter:
        raise ValueError(
            f"{str(path)!r} holds {len(kept)} rows for the {gen_iter} generator iterations its "
            "checkpoint covers; the run directory was edited. Delete it to start over."
        )
    files.atomic_write_bytes(path, "".join(f"{line}\n" for line in kept).encode())
