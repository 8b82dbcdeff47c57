"""The runs of a sweep on this machine: a bounded pool of processes, each its share of cores.

submitit's ``LocalExecutor`` starts every task of an array at once; this pool starts at
most ``jobs`` runs at a time, the most expensive first (so the pool does not end on one
long run), each in a fresh process whose torch uses ``cores // jobs`` threads. A worker
signalled to stop (``kill``, ``SIGTERM`` to the process group) checkpoints its run at once
and ends; the next ``sweep run`` resumes it.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

from wgan.sweep.costs import Cost
from wgan.sweep.data import needs, prepare
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.task import RunStopped, TrainTask


def default_jobs() -> int:
    """Runs at a time when none is asked for: the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _init_worker(threads: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)


@dataclass(frozen=True)
class Outcome:
    """How one run of the pool ended.

    Attributes
    ----------
    run : RegisteredRun
    status : str
        ``finished``, ``diverged`` or ``failed``.
    seconds : float
        Wall time of its process.
    error : str
        The exception, for a failed run.
    """

    run: RegisteredRun
    status: str
    seconds: float
    error: str = ""


def _train(config: dict, run_dir: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        result = TrainTask()(config, run_dir)
    except RunStopped as stopped:  # checkpointed: now end as the signal asked, taking no
        signal.raise_signal(stopped.signum)  # more runs from the pool's queue
        raise
    return result["status"], time.perf_counter() - start


def run_local(runs: list[RegisteredRun], costs: dict[str, Cost], *, jobs: int,
              threads: int | None = None) -> list[Outcome]:
    """Train ``runs`` in at most ``jobs`` processes at once; return how each ended.

    The image caches they read are built first, in this process.

    Parameters
    ----------
    runs : list of RegisteredRun
        The unfinished runs.
    costs : dict
        Estimated cost per run key: the dearest start first (unknown ones first of all).
    jobs : int
        Processes at a time, at least 1.
    threads : int or None, default=None
        Torch threads per process; the cores divided by ``jobs`` (at least 1) when ``None``.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"The 'jobs' parameter of run_local must be a positive int. "
                         f"Got {jobs!r} instead.")
    threads = threads or max(1, default_jobs() // jobs)
    prepare(needs(runs))
    order = sorted(runs, key=lambda r: -(costs[r.key].seconds or float("inf")))
    outcomes = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             initializer=_init_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(_train, r.config.to_dict(), str(r.run_dir)): r for r in order}
        for n, future in enumerate(as_completed(futures), start=1):
            run = futures[future]
            try:
                status, seconds = future.result()
                outcome = Outcome(run, status, seconds)
            except Exception as err:  # a failed run is reported; the others go on
                outcome = Outcome(run, "failed", 0.0, f"{type(err).__name__}: {err}")
            outcomes.append(outcome)
            detail = outcome.error or f"{outcome.seconds:.1f} s"
            print(f"[{n}/{len(order)}, {time.perf_counter() - started:.0f} s] {run.key}: "
                  f"{outcome.status} ({detail})", flush=True)
    return outcomes
