"""Fetch a run or a fit for a chapter: read it back when it finished, else train or resume
it (:func:`fetch`), or fit it (:func:`fetch_fit`).

``make execute`` trains every run and makes every fit of the registry first (``python -m
wgan sweep run``), then executes the notebooks with ``$WGAN_RUNS_READ_ONLY=1``: a chapter
asking for a run or a fit that was not made then fails with its directory in the message
instead of training it inside a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path

from wgan.plan.fits import FIT_NAME, RESULT_NAME, FitConfig, FitResult, fit, load_fit
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, run_dir
from wgan.training.run import train
from wgan.training.rundir import CONFIG_NAME, RunResult, load_run, read_status

READ_ONLY_VARIABLE = "WGAN_RUNS_READ_ONLY"
"""``1``: :func:`fetch` and :func:`fetch_fit` read finished runs and fits only and never
train."""


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
        For a spec of a fit; in read-only mode, for a missing or unfinished run; otherwise
        as :func:`~wgan.training.run.train`.
    """
    if isinstance(spec.config, FitConfig):
        raise ValueError(f"The spec {spec.name!r} is a fit: fetch it with fetch_fit.")
    directory = run_dir(spec, scale, root)
    if _read_only():
        state = (read_status(directory).get("status")
                 if (directory / CONFIG_NAME).is_file() else None)
        if state not in ("finished", "diverged"):
            _refuse("run", directory, state is None)
        return load_run(directory)
    return train(spec.config, directory, progress=progress)


def fetch_fit(spec: RunSpec, scale: Scale, root: str | Path | None = None) -> FitResult:
    """The fit of ``spec`` at ``scale``, in :func:`~wgan.plan.spec.run_dir`.

    Read back when it is made, fitted otherwise (:func:`wgan.plan.fits.fit`). With
    ``$WGAN_RUNS_READ_ONLY=1`` nothing is fitted: a fit not made raises.

    Parameters
    ----------
    spec : RunSpec
        Of a :class:`~wgan.plan.fits.FitConfig`.
    scale : Scale
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.

    Raises
    ------
    ValueError
        For a spec of a training run; in read-only mode, for a missing or unfinished fit;
        otherwise as :func:`~wgan.plan.fits.fit`.
    """
    if not isinstance(spec.config, FitConfig):
        raise ValueError(f"The spec {spec.name!r} is a training run: fetch it with fetch.")
    directory = run_dir(spec, scale, root)
    if _read_only():
        if not (directory / RESULT_NAME).is_file():
            _refuse("fit", directory, not (directory / FIT_NAME).is_file())
        return load_fit(directory)
    return fit(spec.config, directory)


def _read_only() -> bool:
    return os.environ.get(READ_ONLY_VARIABLE) == "1"


def _refuse(kind: str, directory: Path, missing: bool) -> None:
    """Raise: in read-only mode, the ``kind`` (run or fit) in ``directory`` is not made."""
    raise ValueError(
        f"${READ_ONLY_VARIABLE}=1 forbids training, and the {kind} {str(directory)!r} is "
        f"{'missing' if missing else 'unfinished'}. Train it first with "
        "`python -m wgan sweep run` (its registry lists every run and fit of the book), or "
        f"unset {READ_ONLY_VARIABLE} to train it here."
    )
