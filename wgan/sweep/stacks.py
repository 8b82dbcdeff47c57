"""Toy seeds that a sweep trains as one batched model, and what that saves.

Runs placed on the CPU whose configs differ only in their seed, and that
:func:`wgan.training.stack_run.check_stackable` accepts (toy MLP runs in float32, without
the update cosine's hooks), train as one stack of at most :data:`STACK_SIZE` seeds in one
process (:func:`wgan.training.stack_run.train_stack`), each writing its lone run's
directory. :func:`form_stacks` groups them for ``sweep run``'s local pool
(:mod:`wgan.sweep.local`) and for ``sweep list``'s prices (:mod:`wgan.sweep.listing`), which
divide a member's lone time by :func:`stack_speedup` of its stack's size
(:func:`wgan.sweep.costs.in_stack`). Images, fits, runs placed on a GPU and a seed with no
sibling train alone.

The speedups were measured at one network size (:data:`STACK_SPEEDUPS`) on one CPU and are
applied to every toy run; stacks are priced on the CPU only, until a GPU measures them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from wgan.plan.fits import FitConfig
from wgan.training.stack_run import check_stackable, stack_key

if TYPE_CHECKING:  # the command line imports this for its help: the registry stays out
    from wgan.sweep.registry import RegisteredRun

STACK_SPEEDUPS: dict[int, float] = {1: 1.0, 5: 2.36, 10: 2.80}
"""Seeds in a stack -> how many times the summed rate of as many lone runs it trains them at
(seed-iterations per second), measured on an Intel Xeon @ 2.80GHz, 2 cores, one thread,
``python -m wgan.speed.stack_rates`` at its defaults (the ring's WGAN, MLPs of 64 units,
batch 256; 0.96 was measured at 1, a stack of one being a lone run)."""

# Measured on an Intel Xeon @ 2.80GHz (2 cores, one thread; STACK_SPEEDUPS): a stack of 5
# seeds trained 2.36x the summed rate of its 5 lone runs, a stack of 10 2.80x. Larger stacks
# were not measured, so none is formed.
STACK_SIZE = max(STACK_SPEEDUPS)
"""Most seeds in one stack."""


def check_stack_size(function: str, size: object) -> None:
    """Raise ``ValueError`` naming ``function`` unless ``size`` is a positive int."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"The 'size' parameter of {function} must be a positive int. "
                         f"Got {size!r} instead.")


def stack_speedup(size: int) -> float:
    """How many times faster a stack of ``size`` seeds trains them than ``size`` lone runs one
    after another: :data:`STACK_SPEEDUPS`, linear between the measured sizes, flat beyond the
    largest (7 seeds: 2.536).

    Raises
    ------
    ValueError
        When ``size`` is not a positive int.
    """
    check_stack_size("stack_speedup", size)
    sizes = sorted(STACK_SPEEDUPS)
    return float(np.interp(size, sizes, [STACK_SPEEDUPS[k] for k in sizes]))


def _stackable(run: RegisteredRun, kind: str) -> bool:
    if kind != "cpu" or isinstance(run.config, FitConfig):
        return False
    try:
        check_stackable([run.config])
    except ValueError:
        return False
    return True


def form_stacks(runs: Sequence[tuple[RegisteredRun, str]], *, size: int = STACK_SIZE
                ) -> list[tuple[tuple[RegisteredRun, ...], str]]:
    """The runs as tasks: stacks of seeds where they can stack, else one run each.

    The stackable runs (placed on the CPU, toy MLPs in float32: see the module docstring)
    of one name with equal configs but for the seed are split into the fewest stacks of at most
    ``size``, of sizes that differ by one at most (12 seeds: two stacks of 6, not 10 and
    2). A group of one, and every other run, is a task of its own.

    Parameters
    ----------
    runs : sequence of (RegisteredRun, str)
        Each run with the device type it trains on (``cpu`` or ``cuda``), in order.
    size : int, default=STACK_SIZE
        Most seeds in one stack; 1 forms none (``sweep run --no-stack``).

    Returns
    -------
    list of (tuple of RegisteredRun, str)
        Each task's runs, in their order in ``runs``, and its device type; the tasks in the
        order of their first runs.

    Raises
    ------
    ValueError
        When ``size`` is not a positive int.
    """
    check_stack_size("form_stacks", size)
    groups: dict[tuple[str, str], list[tuple[RegisteredRun, str]]] = {}
    for index, (run, kind) in enumerate(runs):
        # by name too: two families may register the same config under their own names (a
        # paper dry run's ring runs of chapters 3 and 8), and a stack's seeds must differ
        key = (run.name, stack_key(run.config)) if _stackable(run, kind) else (f"{index}", "")
        groups.setdefault(key, []).append((run, kind))
    tasks = []
    for group in groups.values():
        count = math.ceil(len(group) / size)
        smaller, larger = divmod(len(group), count)
        start = 0
        for n in range(count):
            end = start + smaller + (n < larger)
            tasks.append((tuple(run for run, _ in group[start:end]), group[start][1]))
            start = end
    order = {run.key: index for index, (run, _) in enumerate(runs)}
    return sorted(tasks, key=lambda task: order[task[0][0].key])
