"""The runs of a sweep on this machine: the CPU runs on its cores and the GPU runs on its GPUs,
at once.

Each run trains where :func:`wgan.training.device.place` puts it: with ``device="auto"`` on a
machine with a GPU, the toy networks on the CPU and the image networks on the GPU. The pool
has a :class:`Lane` per device, each a bounded set of worker processes:

- the CPU lane: ``jobs`` processes at a time less those the GPU lanes hold (at least one), each
  with an equal share of the cores the GPU runs leave as torch threads, no GPU visible;
- one lane per GPU: ``runs_per_gpu`` processes (:data:`~wgan.sweep.pack.RUNS_PER_GPU`), one
  run at a time each, pinned to its GPU with ``CUDA_VISIBLE_DEVICES``, on
  :data:`~wgan.sweep.pack.GPU_THREADS` torch threads.

Toy seeds placed on the CPU train as stacks (:mod:`wgan.sweep.stacks`): the runs whose configs
differ only in their seed are one task, trained as one batched model by one worker
(:func:`wgan.training.stack_run.train_stack`, up to :data:`~wgan.sweep.stacks.STACK_SIZE`
seeds), each member writing its lone run's directory; ``stack=False`` (``sweep run
--no-stack``) trains every run alone.

:func:`schedule` keeps every lane full: a task starts as soon as a slot of its kind frees up,
the most expensive first (so the pool does not end on one long run), spread over the GPUs.
A worker signalled to stop (``kill``, ``SIGTERM`` to the process group) checkpoints its run
(every run of its stack) at once and ends; the next ``sweep run`` resumes it.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import torch

from wgan.plan.fits import family_of
from wgan.sweep.costs import Cost, device_kind
from wgan.sweep.data import needs, prepare
from wgan.sweep.pack import GPU_THREADS, RUNS_PER_GPU, check_runs_per_gpu
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.stacks import STACK_SIZE, form_stacks
from wgan.sweep.task import RunStopped, TrainTask
from wgan.training.config import TrainConfig
from wgan.training.device import place
from wgan.training.rundir import claim, locked

Task = TypeVar("Task")


def default_jobs() -> int:
    """Runs at a time when none is asked for: the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def visible_gpus() -> tuple[str, ...]:
    """The GPUs this process sees, as ``CUDA_VISIBLE_DEVICES`` names them (their indices
    when it is unset); none without CUDA."""
    if not torch.cuda.is_available():
        return ()
    count = torch.cuda.device_count()
    named = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if named:
        return tuple(name.strip() for name in named.split(","))[:count]
    return tuple(str(index) for index in range(count))


@dataclass(frozen=True)
class Lane:
    """The worker processes of one device.

    Attributes
    ----------
    kind : {"cpu", "cuda"}
        The device type of the runs it trains.
    size : int
        Runs at a time.
    threads : int
        Torch threads of each.
    gpu : str, default=""
        ``CUDA_VISIBLE_DEVICES`` of its processes: one GPU's name, or ``""`` (none visible).
    """

    kind: str
    size: int
    threads: int
    gpu: str = ""

    def describe(self) -> str:
        """``cpu`` or ``GPU 0``."""
        return f"GPU {self.gpu}" if self.kind == "cuda" else "cpu"


def plan_lanes(*, cpu_runs: int, gpu_runs: int, gpus: tuple[str, ...], cores: int,
               jobs: int | None = None, threads: int | None = None,
               runs_per_gpu: int = RUNS_PER_GPU) -> list[Lane]:
    """The lanes that train ``cpu_runs`` runs on the CPU and ``gpu_runs`` on ``gpus``.

    Parameters
    ----------
    cpu_runs, gpu_runs : int
        Runs placed on the CPU and on a GPU; a kind with none gets no lane.
    gpus : tuple of str
        ``CUDA_VISIBLE_DEVICES`` names of the GPUs (:func:`visible_gpus`).
    cores : int
        Cores of this machine (:func:`default_jobs`).
    jobs : int or None, default=None
        Processes at a time, of both kinds; ``cores`` when ``None``. The CPU lane gets what
        the GPU processes leave, at least one.
    threads : int or None, default=None
        Torch threads of each CPU run; the cores the GPU processes leave (one each) shared by
        the CPU lane's processes, at least one, when ``None``.
    runs_per_gpu : int, default=RUNS_PER_GPU
        Processes per GPU.

    Returns
    -------
    list of Lane
        The CPU lane first, then one lane per GPU.
    """
    check_runs_per_gpu(runs_per_gpu)
    gpu_lanes = ([Lane("cuda", runs_per_gpu, GPU_THREADS, gpu) for gpu in gpus]
                 if gpu_runs else [])
    if not cpu_runs:
        return gpu_lanes
    held = min(gpu_runs, len(gpu_lanes) * runs_per_gpu)  # processes driving a GPU
    size = max(1, (jobs or cores) - held)
    threads = threads or max(1, (cores - held * GPU_THREADS) // size)
    return [Lane("cpu", size, threads), *gpu_lanes]


def schedule(tasks: list[tuple[Task, str]], lanes: list[Lane],
             start: Callable[[Lane, Task], Future]) -> Iterator[tuple[Task, Lane, Future]]:
    """Start each task on a free slot of a lane of its kind; yield each task as it ends.

    Every lane is filled at once, and refilled as soon as one of its tasks ends; within a
    kind the tasks start in the order given, each on the lane of that kind with the most free
    slots (tasks spread over the GPUs).

    Parameters
    ----------
    tasks : list of (task, str)
        Each task (a run, or the runs of a stack) with its device type (``cpu`` or
        ``cuda``), dearest first.
    lanes : list of Lane
        At least one of each device type in ``tasks``.
    start : callable
        ``start(lane, task)``: a future of the task trained on one of the lane's slots.

    Yields
    ------
    task
    lane : Lane
        Where it trained.
    future : concurrent.futures.Future
        Done: its result, or its exception.

    Raises
    ------
    ValueError
        When a task's device type has no lane.
    """
    waiting = {kind: deque(task for task, of in tasks if of == kind)
               for kind in dict.fromkeys(kind for _, kind in tasks)}
    missing = sorted(set(waiting) - {lane.kind for lane in lanes})
    if missing:
        raise ValueError(f"The 'lanes' parameter of schedule has no lane for the runs on "
                         f"{', '.join(missing)}. Got lanes for "
                         f"{', '.join(sorted({lane.kind for lane in lanes})) or 'nothing'}.")
    free = [lane.size for lane in lanes]
    running: dict[Future, tuple[Task, int]] = {}

    def fill() -> None:
        for kind, queue in waiting.items():
            mine = [i for i, lane in enumerate(lanes) if lane.kind == kind]
            while queue:
                emptiest = max(mine, key=lambda i: free[i])
                if not free[emptiest]:
                    break
                free[emptiest] -= 1
                task = queue.popleft()
                running[start(lanes[emptiest], task)] = (task, emptiest)

    fill()
    while running:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            task, index = running.pop(future)
            free[index] += 1
            yield task, lanes[index], future
        fill()


def _init_worker(threads: int, gpu: str) -> None:
    """A worker's start, before any CUDA call: the GPU it sees and its threads."""
    os.environ["CUDA_VISIBLE_DEVICES"] = gpu
    os.environ["OMP_NUM_THREADS"] = str(threads)
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
        Wall time of its process; for a member of a stack, its share: the process's over
        the members it trained.
    error : str
        The exception, for a failed run.
    where : str
        The lane it trained on, ``cpu`` or ``GPU 0``, and the stack's size for a member of a
        stack (``cpu, stack of 5``).
    """

    run: RegisteredRun
    status: str
    seconds: float
    error: str = ""
    where: str = ""


def _train(config: dict, run_dir: str) -> tuple[list[tuple[str, str]], float]:
    """A worker's run: its status (and no error), and the process's seconds."""
    start = time.perf_counter()
    try:
        result = TrainTask()(config, run_dir)
    except RunStopped as stopped:  # checkpointed: now end as the signal asked, taking no
        signal.raise_signal(stopped.signum)  # more runs from the pool's queue
        raise
    return [(result["status"], "")], time.perf_counter() - start


def _claim_error(config: dict, run_dir: str) -> str:
    """Why ``run_dir`` cannot hold the run of ``config`` (another run, stray files), or
    ``""``; a fresh directory is claimed (:func:`wgan.training.rundir.claim`)."""
    path = Path(run_dir)
    path.mkdir(parents=True, exist_ok=True)
    try:
        with locked(path):
            claim(path, TrainConfig.from_dict(config))
    except ValueError as err:
        return f"{type(err).__name__}: {err}"
    return ""


def _train_stack(configs: list[dict], run_dirs: list[str]) -> tuple[list[tuple[str, str]],
                                                                     float]:
    """A worker's stack: each run's status and error, and the process's seconds.

    A run whose directory refuses it (:func:`_claim_error`) fails alone, as it would
    trained alone; the others train as one stack (:meth:`wgan.sweep.task.TrainTask.stack`).
    """
    start = time.perf_counter()
    errors = [_claim_error(config, run_dir) for config, run_dir in zip(configs, run_dirs,
                                                                        strict=True)]
    kept = [i for i, error in enumerate(errors) if not error]
    try:
        results = (TrainTask().stack([configs[i] for i in kept], [run_dirs[i] for i in kept])
                   if kept else [])
    except RunStopped as stopped:  # every member checkpointed: end as _train does
        signal.raise_signal(stopped.signum)
        raise
    statuses = dict(zip(kept, (result["status"] for result in results), strict=True))
    return ([(statuses.get(i, "failed"), error) for i, error in enumerate(errors)],
            time.perf_counter() - start)


def _positive(name: str, flag: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 1):
        raise ValueError(f"The '{name}' parameter of run_local must be a positive int "
                         f"({flag}). Got {value!r} instead.")


def run_local(runs: list[RegisteredRun], costs: dict[str, Cost], *, jobs: int | None = None,
              threads: int | None = None, runs_per_gpu: int = RUNS_PER_GPU,
              gpus: tuple[str, ...] | None = None, stack: bool = True) -> list[Outcome]:
    """Train ``runs`` on this machine's cores and GPUs at once; return how each ended.

    The image caches they read are built first, in this process.

    Parameters
    ----------
    runs : list of RegisteredRun
        The unfinished runs.
    costs : dict
        Estimated cost per run key: the dearest task start first (unknown ones first of
        all), a stack by its members' summed costs.
    jobs : int or None, default=None
        Processes at a time, CPU and GPU runs together (:func:`plan_lanes`); the cores
        when ``None``.
    threads : int or None, default=None
        Torch threads of each CPU run (:func:`plan_lanes`).
    runs_per_gpu : int, default=RUNS_PER_GPU
        GPU runs at a time on each GPU.
    gpus : tuple of str or None, default=None
        ``CUDA_VISIBLE_DEVICES`` names of the GPUs to use; :func:`visible_gpus` when ``None``.
    stack : bool, default=True
        Train the toy seeds placed on the CPU as stacks of up to
        :data:`~wgan.sweep.stacks.STACK_SIZE` (:func:`~wgan.sweep.stacks.form_stacks`), each
        one task; ``False``: every run alone.

    Raises
    ------
    ValueError
        For a count that is not a positive int, or runs asking for a GPU (``device="cuda"``)
        where there is none, or for one GPU by its index (``cuda:N``: each GPU run's process
        sees only the GPU of its lane).
    """
    _positive("jobs", "--jobs", jobs)
    _positive("threads", "--threads", threads)
    check_runs_per_gpu(runs_per_gpu)
    gpus = visible_gpus() if gpus is None else gpus
    order = sorted(runs, key=lambda r: -(costs[r.key].seconds or float("inf")))
    placed = [(run, place(run.config.device, family_of(run.config), gpu=bool(gpus)))
              for run in order]
    indexed = sorted({device for _, device in placed if device.startswith("cuda:")})
    if indexed:
        raise ValueError(f"Runs ask for {', '.join(indexed)}: the local pool pins each GPU run "
                         "to a GPU of its choosing. Use device 'cuda' or 'auto'.")
    kinds = [(run, device_kind(device)) for run, device in placed]
    gpu_runs = sum(kind == "cuda" for _, kind in kinds)
    if gpu_runs and not gpus:
        raise ValueError(f"There is no CUDA GPU here for the runs on device 'cuda' "
                         f"({gpu_runs} of {len(runs)}). Use device 'auto' (a GPU when there "
                         "is one) or 'cpu'.")
    # A stack is ordered by its members' summed costs: from sweep run, each member's is
    # already its lone estimate over the stack's speedup (wgan.sweep.listing.rows), so the
    # sum is the stack's expected time. The sort is stable: members keep the runs' order.
    tasks = sorted(form_stacks(kinds, size=STACK_SIZE if stack else 1),
                   key=lambda task: -sum(costs[r.key].seconds or float("inf")
                                         for r in task[0]))
    lanes = plan_lanes(cpu_runs=len(kinds) - gpu_runs, gpu_runs=gpu_runs, gpus=gpus,
                       cores=default_jobs(), jobs=jobs, threads=threads,
                       runs_per_gpu=runs_per_gpu)
    prepare(needs(runs))
    outcomes = []
    started = time.perf_counter()
    with ExitStack() as stack:
        pools = {lane: stack.enter_context(ProcessPoolExecutor(
            max_workers=lane.size, mp_context=get_context("spawn"), initializer=_init_worker,
            initargs=(lane.threads, lane.gpu))) for lane in lanes}

        def start(lane: Lane, task: tuple[RegisteredRun, ...]) -> Future:
            if len(task) == 1:
                return pools[lane].submit(_train, task[0].config.to_dict(),
                                          str(task[0].run_dir))
            return pools[lane].submit(_train_stack, [r.config.to_dict() for r in task],
                                      [str(r.run_dir) for r in task])

        for task, lane, future in schedule(tasks, lanes, start):
            where = lane.describe() + (f", stack of {len(task)}" if len(task) > 1 else "")
            try:
                ended, seconds = future.result()
            except Exception as err:  # a failed task is reported; the others go on
                ended, seconds = [("failed", f"{type(err).__name__}: {err}")] * len(task), 0.0
            trained = sum(not error for _, error in ended) or 1
            for run, (status, error) in zip(task, ended, strict=True):
                outcome = Outcome(run, status, 0.0 if error else seconds / trained, error,
                                  where)
                outcomes.append(outcome)
                detail = outcome.error or f"{outcome.seconds:.1f} s" + (
                    f" of the stack's {seconds:.1f} s" if trained > 1 else "")
                print(f"[{len(outcomes)}/{len(order)}, {time.perf_counter() - started:.0f} s] "
                      f"{run.key} ({outcome.where}): {outcome.status} ({detail})", flush=True)
    return outcomes
