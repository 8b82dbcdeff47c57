"""Several runs on one GPU at once: how many, and a SLURM array task that trains them.

An uncaptured run of the paper's DCGAN leaves a large GPU idle most of the time (its step is
bound by kernel launches), so K such runs sharing a GPU train nearly K times as much per
GPU-hour; a run replayed as CUDA graphs already fills it (:data:`RUNS_PER_GPU`). The local
executor (:mod:`wgan.sweep.local`) runs K processes per GPU it sees; on SLURM,
:func:`submit_packed` puts K runs in each array task, which :class:`PackedTask` trains as K
processes on the task's GPU.

A signal to a packed task (SLURM's ``SIGUSR2`` before a time limit or a preemption,
``SIGTERM`` from ``scancel``) reaches every one of its runs: each writes a checkpoint at once
and stops (:class:`~wgan.sweep.task.TrainTask`), and when all have, the task is requeued
(``SIGUSR2``) or waits for the scheduler's kill (``SIGTERM``) as a single run's task does.
"""

from __future__ import annotations

import os
import signal
import traceback
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import torch

from wgan.plan.fits import family_of, length_of
from wgan.sweep.task import RunStopped, TrainTask, hand_over

if TYPE_CHECKING:  # the processes of a pack import this module: the registry stays out
    from wgan.sweep.registry import RegisteredRun

# Measured 2026-12-04 on one NVIDIA H200 (torch 2.11.0+cu130; wgan/sweep/measured_rates.json):
# uncaptured, `wgan train` at the paper's settings ran 23.75 generator iterations/s alone and 4
# such runs 101.5 summed (4.3x one run per GPU-hour); with whole-step CUDA graphs (the CUDA
# default since), one process runs 122 it/s and 1, 4 or 8 processes sum to the same ~120: the
# GPU time-slices processes, and one graphed run already fills it. 4 keeps the 4.3x for runs
# that cannot be captured (chapter 6's, which log update cosines) and costs graphed runs
# nothing. `python -m wgan.speed.concurrent --processes 1 4 8` (tools/gpu_check.sh) refines it.
RUNS_PER_GPU = 4
"""Runs sharing one GPU by default: ``sweep run --runs-per-gpu`` and ``sweep list``'s prices."""

GPU_THREADS = 1
"""Torch threads of a run on a GPU: its work is on the GPU, driven from one core."""


def check_runs_per_gpu(runs_per_gpu: object) -> int:
    """``runs_per_gpu`` itself when it is a positive int.

    Raises
    ------
    ValueError
        Otherwise, naming the option (``--runs-per-gpu``).
    """
    if isinstance(runs_per_gpu, bool) or not isinstance(runs_per_gpu, int) or runs_per_gpu < 1:
        raise ValueError(
            "The 'runs_per_gpu' parameter (--runs-per-gpu) must be a positive int: the runs "
            f"that share one GPU. Got {runs_per_gpu!r} instead."
        )
    return runs_per_gpu


def pack_runs(runs: list[RegisteredRun], runs_per_gpu: int) -> list[list[RegisteredRun]]:
    """``runs`` in packs of ``runs_per_gpu`` (the last one may be smaller).

    Runs of one network family and similar length share a pack (sorted by family, then
    longest first), so a task's GPU does not idle behind one long run, and toy runs and fits
    (:mod:`wgan.plan.fits`), which train on the CPU
    (:data:`wgan.training.device.MEASURED_PLACEMENT`), are packed together.

    Raises
    ------
    ValueError
        For a ``runs_per_gpu`` that is not a positive int.
    """
    check_runs_per_gpu(runs_per_gpu)
    order = sorted(runs, key=lambda r: (family_of(r.config), -length_of(r.config)))
    return [order[i:i + runs_per_gpu] for i in range(0, len(order), runs_per_gpu)]


def _train_one(config: dict[str, Any], run_dir: str, threads: int, send: Connection) -> None:
    """A process of :class:`PackedTask`: train one run, send back how it ended."""
    torch.set_num_threads(threads)
    try:
        result: tuple[str, Any] = ("ended", TrainTask()(config, run_dir))
    except RunStopped as stopped:
        result = ("stopped", stopped.signum)
    except Exception as err:  # reported by the task, which fails once every run has ended
        traceback.print_exc()
        result = ("failed", f"{type(err).__name__}: {err}")
    send.send(result)


class PackedTask:
    """A picklable callable that trains several runs at once, one process each.

    submitit treats a callable with a ``checkpoint`` method as checkpointable: on
    ``SIGUSR2`` it requeues the job with what :meth:`checkpoint` returns.

    Parameters
    ----------
    term_wait_s : float, default=0.0
        Seconds to wait after a SIGTERM's checkpoints before raising :class:`RunStopped`
        (:data:`~wgan.sweep.task.TERM_WAIT_S` for SLURM jobs).
    threads : int, default=GPU_THREADS
        Torch threads of each run's process.
    """

    def __init__(self, term_wait_s: float = 0.0, threads: int = GPU_THREADS) -> None:
        self.term_wait_s = term_wait_s
        self.threads = threads

    def __call__(self, configs: list[dict[str, Any]], run_dirs: list[str]) -> list[dict[str, Any]]:
        """Train (or resume) each config in its run directory, all at once.

        Parameters
        ----------
        configs : list of dict
            :meth:`~wgan.training.config.TrainConfig.to_dict` of each run.
        run_dirs : list of str
            Their directories, in the same order.

        Returns
        -------
        list of dict
            Each run's status and iterations (:class:`~wgan.sweep.task.TrainTask`).

        Raises
        ------
        RunStopped
            After a signal, once every run has written its checkpoint.
        RuntimeError
            When a run failed, once the others have ended.
        ValueError
            For lists of different lengths, or empty ones.
        """
        if not configs or len(configs) != len(run_dirs):
            raise ValueError(
                "The 'configs' and 'run_dirs' parameters of PackedTask must be non-empty lists "
                f"of the same length. Got {len(configs)} configs and {len(run_dirs)} run "
                "directories instead."
            )
        context = get_context("spawn")
        caught: list[int] = []
        children: list[tuple[Any, Connection]] = []

        def forward(signum: int, frame: object) -> None:
            caught.append(signum)
            for child, _ in children:
                if child.is_alive():
                    os.kill(child.pid, signum)

        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGUSR2, signal.SIGTERM)}
        for sig in previous:
            signal.signal(sig, forward)
        try:
            for config, run_dir in zip(configs, run_dirs, strict=True):
                if caught:
                    break  # a run not started has nothing to checkpoint
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=_train_one, name=os.path.basename(run_dir),
                                        args=(config, run_dir, self.threads, send))
                child.start()
                send.close()
                children.append((child, receive))
                if caught:  # a signal while it started, perhaps not forwarded to it
                    os.kill(child.pid, caught[0])
            ended = [_ending(child, receive, caught) for child, receive in children]
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        for (child, _), (how, detail) in zip(children, ended, strict=True):
            print(f"{child.name}: {_describe(how, detail)}", flush=True)
        if caught:
            name = signal.Signals(caught[0]).name
            hand_over(caught[0], previous, self.term_wait_s)
            raise RunStopped(caught[0], f"{len(children)} runs of the pack stopped by {name} "
                             "after their checkpoints; run the sweep again to resume them.")
        failed = [f"{os.path.basename(d)}: {detail}"
                  for d, (how, detail) in zip(run_dirs, ended, strict=True) if how == "failed"]
        if failed:
            raise RuntimeError(f"{len(failed)} of the {len(run_dirs)} runs of the pack failed: "
                               + "; ".join(failed))
        return [detail for _, detail in ended]

    def checkpoint(self, *args: Any, **kwargs: Any) -> Any:
        """What submitit requeues: the same call (each run resumes from its directory)."""
        from submitit.helpers import DelayedSubmission

        return DelayedSubmission(self, *args, **kwargs)


def _ending(child: Any, receive: Connection, caught: list[int]) -> tuple[str, Any]:
    """How a run's process ended: ``ended`` (with its status), ``stopped`` (by a signal of
    ``caught``) or ``failed``."""
    child.join()
    if receive.poll():
        return receive.recv()
    if caught and child.exitcode is not None and child.exitcode < 0:
        return "stopped", -child.exitcode  # killed by the signal before it could train
    return "failed", f"its process ended with exit code {child.exitcode} and no result"


def _describe(how: str, detail: Any) -> str:
    """A line of the task's log for one run's ending."""
    if how == "ended" and "gen_iter" in detail:
        return f"{detail['status']} at generator iteration {detail['gen_iter']}"
    if how == "ended":  # a fit (wgan.plan.fits)
        return f"{detail['status']} in {detail['seconds']:.1f} s"
    if how == "stopped":
        return f"stopped by {signal.Signals(detail).name}"
    return f"failed: {detail}"


def submit_packed(executor: Any, runs: list[RegisteredRun], runs_per_gpu: int,
                  term_wait_s: float) -> tuple[list[RegisteredRun], list[Any]]:
    """Submit ``runs`` as one job array of :class:`PackedTask`, ``runs_per_gpu`` per task.

    Parameters
    ----------
    executor : submitit.SlurmExecutor
        With the array's parameters set (one GPU per task).
    runs : list of RegisteredRun
    runs_per_gpu : int
        Runs per array task (:func:`pack_runs`).
    term_wait_s : float
        :class:`PackedTask`'s wait after a SIGTERM.

    Returns
    -------
    runs : list of RegisteredRun
        ``runs`` in the order they were packed.
    jobs : list of submitit.Job
        The job of each of them: the runs of a pack share one.
    """
    packs = pack_runs(runs, runs_per_gpu)
    jobs = executor.map_array(PackedTask(term_wait_s=term_wait_s),
                              [[r.config.to_dict() for r in pack] for pack in packs],
                              [[str(r.run_dir) for r in pack] for pack in packs])
    return ([run for pack in packs for run in pack],
            [job for pack, job in zip(packs, jobs, strict=True) for _ in pack])
