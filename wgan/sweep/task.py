"""One training run (or fit) as a job, on whatever runs it: a local worker or a SLURM task.

:class:`TrainTask` calls :func:`wgan.training.run.train` with a ``stop`` flag that its
signal handlers raise, so on a signal the loop finishes the generator iteration it is in,
writes a checkpoint covering every metrics row, and returns (:meth:`TrainTask.stack` does
the same for toy seeds trained as one stack, :func:`wgan.training.stack_run.train_stack`:
every member checkpoints):

- ``SIGUSR2``, SLURM's warning before a time limit or a preemption (submitit asks for it
  90 s ahead): then submitit's own handler runs, which calls :meth:`TrainTask.checkpoint`
  and requeues the job; the requeued job resumes from the checkpoint.
- ``SIGTERM`` (``scancel``, ``scontrol requeue``, a node being drained, ``kill``): the
  checkpoint is written, then on SLURM the process waits for the scheduler's kill
  (``term_wait_s``), so that a requeued job resumes rather than reports a failure; a
  cancelled run is resumed by the next ``python -m wgan sweep run``.

Either way the metrics continue without a gap or a repeated row: the run loop truncates
``metrics.jsonl`` back to its checkpoint on resume (:mod:`wgan.training.run`). A kill with
no warning at all (a lost node) costs the iterations since the last periodic checkpoint,
nothing more.

On SLURM, torch runs on the CPUs allocated to the job (:func:`allocated_cpus`), not on
every core of the node: a CPU run's results depend on its thread count, which the loop
records in ``status.json`` (``threads``) and warns about when a resume changes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from wgan.plan.fits import FitConfig, fit, is_fit
from wgan.training.config import TrainConfig
from wgan.training.run import train
from wgan.training.stack_run import train_stack

TERM_WAIT_S = 300
"""On SLURM, after a SIGTERM and its checkpoint: how long to wait for the scheduler's
SIGKILL (``KillWait``, 30 s by default)."""

CPU_VARIABLES = ("SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE")
"""Where a SLURM job finds its CPUs, in this order: ``--cpus-per-task`` when it was given,
else the CPUs allocated on its node."""


def allocated_cpus() -> int:
    """The CPUs SLURM allocated to this job (:data:`CPU_VARIABLES`), else this process's.

    Returns
    -------
    int
        ``SLURM_CPUS_PER_TASK``, else ``SLURM_CPUS_ON_NODE``, else the cores of the
        process's affinity mask.

    Raises
    ------
    ValueError
        When the first of those variables that is set is not a positive integer.
    """
    for name in CPU_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"The environment variable {name} must be a positive number "
                                 f"of CPUs. Got {value!r} instead.")
            return int(value)
    return len(os.sched_getaffinity(0))


class RunStopped(RuntimeError):
    """A run stopped by a signal after writing its checkpoint; it resumes when run again.

    Attributes
    ----------
    signum : int
        The signal.
    """

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.signum = signum


def hand_over(caught: int, previous: dict[int, Any], term_wait_s: float) -> None:
    """After a signal's checkpoints: what the scheduler expects of the task next.

    ``SIGUSR2`` (a time limit or preemption ahead) goes to the handler installed before
    the task's (submitit's: ``checkpoint()`` and requeue, then exit); after ``SIGTERM``
    (``scancel``) the task waits ``term_wait_s`` seconds for the scheduler's kill.

    Parameters
    ----------
    caught : int
        The signal number received.
    previous : dict of int to handler
        The handlers the task replaced, by signal number.
    term_wait_s : float
        Seconds to wait after ``SIGTERM``.
    """
    handler = previous[signal.SIGUSR2]
    if caught == signal.SIGUSR2 and callable(handler):
        handler(caught, None)
    if caught == signal.SIGTERM:
        time.sleep(term_wait_s)


@contextlib.contextmanager
def _catching() -> Iterator[tuple[list[int], dict[int, Any]]]:
    """``SIGUSR2`` and ``SIGTERM`` noted instead of handled while the block runs.

    Yields
    ------
    caught : list of int
        The signals received so far (a training loop's ``stop`` asks whether it is empty).
    previous : dict of int to handler
        The handlers replaced, by signal number; put back when the block ends.
    """
    caught: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGUSR2, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield caught, previous
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class TrainTask:
    """A picklable callable that trains one run, checkpointing on a signal.

    submitit treats a callable with a ``checkpoint`` method as checkpointable
    (``submitit.helpers.Checkpointable`` is such a class): on ``SIGUSR2`` it requeues
    the job with what :meth:`checkpoint` returns.

    Parameters
    ----------
    term_wait_s : float, default=0.0
        Seconds to wait after a SIGTERM's checkpoint before raising :class:`RunStopped`
        (:data:`TERM_WAIT_S` for SLURM jobs; 0 for a local worker, which just stops).
    allocation : bool, default=False
        Run torch on :func:`allocated_cpus` threads, whatever ``OMP_NUM_THREADS`` says (SLURM
        jobs; a local worker's threads are set by its pool, :mod:`wgan.sweep.local`).
    """

    allocation: bool = False  # the default of the tasks pickled before it was a parameter

    def __init__(self, term_wait_s: float = 0.0, allocation: bool = False) -> None:
        self.term_wait_s = term_wait_s
        self.allocation = allocation

    def __call__(self, config: dict[str, Any], run_dir: str) -> dict[str, Any]:
        """Train (or resume) ``config`` in ``run_dir``; return its status and iterations.

        A fit's config (:func:`wgan.plan.fits.is_fit`) is fitted instead
        (:func:`wgan.plan.fits.fit`), with no signal handlers of its own: it keeps no
        checkpoint, so a signal ends it as it would any process, and the next sweep fits it
        again from its start.
        """
        if self.allocation:
            torch.set_num_threads(allocated_cpus())
        if is_fit(config):
            made = fit(FitConfig.from_dict(config), run_dir)
            return {"run_dir": run_dir, "status": "finished", "seconds": made.seconds}
        with _catching() as (caught, previous):
            result = train(TrainConfig.from_dict(config), run_dir, progress=False,
                           stop=lambda: bool(caught))
        done = len(result.metrics)
        if result.status == "running":
            name = signal.Signals(caught[0]).name
            print(f"{name}: checkpoint written at generator iteration {done} in {run_dir}",
                  flush=True)
            hand_over(caught[0], previous, self.term_wait_s)
            raise RunStopped(caught[0], f"{Path(run_dir).name} stopped by {name} at generator "
                             f"iteration {done}; run the sweep again to resume it.")
        return {"run_dir": run_dir, "status": result.status, "gen_iter": done}

    def stack(self, configs: list[dict[str, Any]], run_dirs: list[str]) -> list[dict[str, Any]]:
        """Train (or resume) the toy runs ``configs``, equal but for their seeds, as one stack
        (:func:`wgan.training.stack_run.train_stack`), each in its directory of ``run_dirs``;
        return each one's status and iterations, in order.

        A signal checkpoints every member at once and raises :class:`RunStopped`, as
        :meth:`__call__` does for one run.
        """
        if self.allocation:
            torch.set_num_threads(allocated_cpus())
        with _catching() as (caught, previous):
            results = train_stack([TrainConfig.from_dict(c) for c in configs], run_dirs,
                                  progress=False, stop=lambda: bool(caught))
        done = [len(result.metrics) for result in results]
        if any(result.status == "running" for result in results):
            name = signal.Signals(caught[0]).name
            print(f"{name}: checkpoints written at generator iteration "
                  f"{', '.join(map(str, sorted(set(done))))} in {', '.join(run_dirs)}",
                  flush=True)
            hand_over(caught[0], previous, self.term_wait_s)
            raise RunStopped(caught[0], f"A stack of {len(configs)} runs "
                             f"({', '.join(Path(d).name for d in run_dirs)}) stopped by {name}; "
                             "run the sweep again to resume it.")
        return [{"run_dir": run_dir, "status": result.status, "gen_iter": n}
                for run_dir, result, n in zip(run_dirs, results, done, strict=True)]

    def checkpoint(self, *args: Any, **kwargs: Any) -> Any:
        """What submitit requeues: the same call (the run resumes from its directory)."""
        from submitit.helpers import DelayedSubmission

        return DelayedSubmission(self, *args, **kwargs)


def prepare_task(data: list[Any]) -> list[str]:
    """The data job: :func:`wgan.sweep.data.prepare` (imported here, where it runs), on the
    CPUs allocated to it."""
    from wgan.sweep.data import prepare

    torch.set_num_threads(allocated_cpus())
    return prepare(data)
