"""Seed stacks against lone runs: seed-iterations per second, in one process.

``python -m wgan.speed.stack_rates`` trains the ring's WGAN (MLPs of ``--hidden`` units,
batch ``--batch-size``, weight clipping, RMSProp, ``n_critic`` 5 without the warm-up
schedule) on the CPU with ``--threads`` torch threads, for each ``K`` of ``--stacks``: one
lone run's iterations (:class:`wgan.training.run._Loop`, what
:func:`~wgan.training.run.train` runs) and the iterations of a stack of K seeds
(:mod:`wgan.training.stack_run`, what :func:`~wgan.training.stack_run.train_stack` runs),
each drawing its real batches and noise from its own streams as in a run. K lone runs on
one thread run one after another, so their summed rate is the lone rate; a stack's is K
times its generator iterations per second. The two take turns (``--rounds`` turns of
``--iters`` iterations each after a warm-up), so both see the same load on a shared
machine, and the ratio printed is the median of the per-turn ratios. The CPU's model and
the load average are printed beside the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import torch

from wgan.training.config import TrainConfig
from wgan.training.fast import cpu_name
from wgan.training.run import _Loop
from wgan.training.stack_run import _Stack


def ring_config(hidden: int = 64, batch_size: int = 256, **overrides: object) -> TrainConfig:
    """The ring's WGAN step as the toy runs take it: clip, RMSProp, ``n_critic`` 5 (no
    warm-up, so every iteration costs the same), float32 on the CPU."""
    return TrainConfig(dataset="ring8", generator="mlp", critic="mlp", nz=2, mlp_hidden=hidden,
                       batch_size=batch_size, critic_warmup=False, device="cpu",
                       **overrides)


def _timed(step: Callable[[], object], iters: int) -> float:
    """Seconds that ``iters`` calls of ``step`` take."""
    start = time.perf_counter()
    for _ in range(iters):
        step()
    return time.perf_counter() - start


def stack_rates(config: TrainConfig, stacks: tuple[int, ...] = (1, 5, 10), *, warmup: int = 2,
                iters: int = 20, rounds: int = 3) -> pd.DataFrame:
    """Seed-iterations per second of one lone run and of stacks of ``stacks`` seeds.

    Parameters
    ----------
    config : TrainConfig
        The lone run's config; stack members take seeds ``0, ..., K - 1``.
    stacks : tuple of int, default=(1, 5, 10)
        The K to measure, each positive.
    warmup : int, default=2
        Untimed generator iterations of each before timing.
    iters : int, default=20
        Generator iterations per timed turn.
    rounds : int, default=3
        Timed turns of each, alternating.

    Returns
    -------
    pandas.DataFrame
        One row per K: ``K``, ``alone`` (the lone run's generator iterations per second,
        the summed rate of K lone runs on one thread), ``stacked`` (K times the stack's
        generator iterations per second), ``ratio`` (median over turns of stacked / alone).
    """
    if not stacks or any(k < 1 for k in stacks):
        raise ValueError("The 'stacks' parameter of stack_rates must hold positive stack "
                         f"sizes. Got {stacks!r} instead.")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in stacks:
            lone = _Loop(config.replace(seed=0), Path(scratch) / f"lone{size}")
            stack = _Stack([_Loop(config.replace(seed=s), Path(scratch) / f"{size}-{s}")
                            for s in range(size)])
            _timed(lone._iteration, warmup)
            _timed(stack._iteration, warmup)
            alone, stacked = [], []
            for _ in range(rounds):
                alone.append(iters / _timed(lone._iteration, iters))
                stacked.append(size * iters / _timed(stack._iteration, iters))
            rows.append({"K": size, "alone": statistics.median(alone),
                         "stacked": statistics.median(stacked),
                         "ratio": statistics.median(s / a for s, a in zip(stacked, alone,
                                                                          strict=True))})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m wgan.speed.stack_rates`` prints the table."""
    parser = argparse.ArgumentParser(prog="python -m wgan.speed.stack_rates",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--stacks", type=int, nargs="+", default=[1, 5, 10],
                        help="stack sizes K")
    parser.add_argument("--hidden", type=int, default=64, help="MLP hidden units")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cpu: {cpu_name()}, {args.threads} torch thread(s); "
          f"torch {torch.__version__}; load average before: {load}")
    print(f"ring WGAN step: MLPs of {args.hidden} units, batch {args.batch_size}, clip, "
          "RMSProp, n_critic 5; seed-iterations per second")
    table = stack_rates(ring_config(args.hidden, args.batch_size), tuple(args.stacks),
                        warmup=args.warmup, iters=args.iters, rounds=args.rounds)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after: {load}")


if __name__ == "__main__":
    main()
