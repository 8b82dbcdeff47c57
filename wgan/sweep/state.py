"""What a run (or fit) directory says of its run, read without loading it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from wgan.files import is_locked
from wgan.plan.fits import FIT_NAME, RESULT_NAME
from wgan.training.rundir import CONFIG_NAME, LOCK_NAME, METRICS_NAME, STATUS_NAME


@dataclass(frozen=True)
class RunState:
    """A run directory's state.

    Attributes
    ----------
    state : {"missing", "partial", "running", "finished", "diverged"}
        ``missing``: no run there yet; ``partial``: started, not finished, no process
        holds it; ``running``: a process holds its lock now.
    done : int
        Metrics rows written (generator iterations done); a fit's steps once it is made,
        0 before (:func:`fit_state`).
    total : int
        Generator iterations of the config; a fit's optimizer steps.
    """

    state: str
    done: int
    total: int

    def __str__(self) -> str:
        if self.state in ("partial", "running"):
            return f"{self.state} {self.done}/{self.total}"
        if self.state == "diverged":
            return f"diverged at {self.done}/{self.total}"
        return self.state

    @property
    def terminal(self) -> bool:
        """Finished or diverged: training it again changes nothing."""
        return self.state in ("finished", "diverged")


def _rows(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(2**20), b""))


def run_state(run_dir: str | Path, total: int) -> RunState:
    """The state of the run in ``run_dir`` whose config has ``total`` generator iterations."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_NAME).is_file():
        return RunState("missing", 0, total)
    status_path = run_dir / STATUS_NAME
    status = json.loads(status_path.read_text()).get("status") if status_path.is_file() else None
    done = _rows(run_dir / METRICS_NAME)
    if status in ("finished", "diverged"):
        return RunState(status, done, total)
    return RunState("running" if is_locked(run_dir / LOCK_NAME) else "partial", done, total)


def fit_state(run_dir: str | Path, steps: int) -> RunState:
    """The state of the fit (:mod:`wgan.plan.fits`) in ``run_dir`` of ``steps`` steps:
    ``missing``, ``running``, ``partial`` (started, stopped before its result) or
    ``finished``."""
    run_dir = Path(run_dir)
    if not (run_dir / FIT_NAME).is_file():
        return RunState("missing", 0, steps)
    if (run_dir / RESULT_NAME).is_file():
        return RunState("finished", steps, steps)
    return RunState("running" if is_locked(run_dir / LOCK_NAME) else "partial", 0, steps)
