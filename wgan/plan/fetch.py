"""Fetch a run for a chapter: read it back when it finished, else train or resume it.

``make execute`` trains every run of the registry first (``python -m wgan sweep run``),
then executes the notebooks with ``$WGAN_RUNS_READ_ONLY=1``: a chapter asking for a run
that was not trained then fails with the run's directory in the message instead of
training it inside a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path

from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, run_dir
from wgan.training.run import train
from wgan.training.rundir import CONFIG_NAME, RunResult, load_run, read_status

READ_ONLY_VARIABLE = "WGAN_RUNS_READ_ONLY"
"""``1``: :func:`fetch` reads finished runs only and never trains."""


def fetch(spec: RunSpec, scale: Scale, root: str | Path | None = None, *,
          progress: bool = False) -> RunResult:
    """The run of ``spec`` at ``scale``, in :func:`~wgan.plan.spec.run_dir`.

    Returns at once when that run finished (or diverged), resumes it when it was
    interrupted, and trains it otherwise (:func:`wgan.training.run.train`). With
    ``$WGAN_RUNS_READ_ONLY=1`` nothing trains: a run that has not finished raises.

    Parameters
    ----------
    spec : RunSpec
    scale : Scale
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.
    progress : bool, default=False
        Show the loop's progress bar.

    Raises
    ------
    ValueError
        In read-only mode, for a missing or unfinished run; otherwise as
        :func:`~wgan.training.run.train`.
    """
    directory = run_dir(spec, scale, root)
    if os.environ.get(READ_ONLY_VARIABLE) == "1":
        return _read_only(directory)
    return train(spec.config, directory, progress=progress)


def _read_only(directory: Path) -> RunResult:
    """The finished (or diverged) run in ``directory``; a missing or unfinished one raises."""
    state = (read_status(directory).get("status")
             if (directory / CONFIG_NAME).is_file() else None)
    if state not in ("finished", "diverged"):
        raise ValueError(
            f"${READ_ONLY_VARIABLE}=1 forbids training, and the run {str(directory)!r} is "
            f"{'missing' if state is None else 'unfinished'}. Train it first with "
            "`python -m wgan sweep run` (its registry lists every run of the book), or unset "
            f"{READ_ONLY_VARIABLE} to train it here."
        )
    return load_run(directory)
