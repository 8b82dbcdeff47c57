"""A quick image run against its bare steps, and its step under each precision, in one process.

``python -m wgan.speed.run_cost`` prints two measurements of one training configuration (by
default :data:`QUICK_IMAGE_RUN`, the quick scale's WGAN with DCGAN generator and critic; any
run's ``config.json`` with ``--config``), on the device that configuration trains on:

1. **The step under each precision** (``--steps``): the project's generator iteration
   (:func:`wgan.speed.bench.project_loop`, the critic warm-up off so that every iteration has
   ``n_critic`` critic steps) under every combination of precision and memory layout, taking
   turns (:func:`wgan.speed.bench.sweep`); each rate over float32 NCHW's, and which one
   ``"auto"`` resolves to on this machine (:func:`wgan.training.fast.resolve_speed`).
2. **The run over its bare steps**: the whole run, as :func:`wgan.training.run.train` trains it
   in a fresh directory (metrics rows, TensorBoard events when installed, sample grids,
   generator snapshots and checkpoints, the set-up and the read-back included), against
   its bare steps: a second copy of the run's state (:class:`wgan.training.run._Loop`) calling
   only the generator iterations (critic and generator updates, their batches and the
   logged values read back), as many and with the same critic schedule. The two alternate
   ``rounds`` times, so both see the same load. Two ratios are printed: the run's wall time
   over the bare steps' (separate timings, sensitive to load that changes between them), and
   over the time its own iterations took inside it (the same moments, insensitive to load),
   with where the rest went. The bare steps compute what the run computes, and the benchmark
   checks it: their logged values equal the run's metrics.

The header names the CPU (and whether it has bfloat16 instructions,
:func:`wgan.training.fast.cpu_bfloat16_note`), the torch threads and the load average. On a
CPU, measure with one thread, as the book's runs train (``OMP_NUM_THREADS=1``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from wgan.speed.bench import sweep
from wgan.training.config import TrainConfig
from wgan.training.device import resolve_device
from wgan.training.fast import FLOAT32, cpu_bfloat16_note, cpu_name, resolve_speed
from wgan.training.run import _Loop
from wgan.training.rundir import claim, load_run, locked
from wgan.training.watch import wanted as tensorboard_wanted

QUICK_IMAGE_RUN = TrainConfig(
    dataset="digits", image_size=16, batch_size=64, nz=32, ngf=32, ndf=32, mlp_hidden=256,
    generator_iters=1000, critic_warmup=True, snapshot_every=50, sample_every=50,
    checkpoint_every=50,
)
"""The quick scale's ``wgan-dcgan`` run, seed 0 (``wgan.experiments.images.image_config``;
this package may not import the experiments, and ``tests/speed/test_run_cost.py`` checks that
the two agree): 16x16 digits, width 32, batch 64, 1,000 generator iterations with the authors'
critic warm-up, a snapshot, a sample grid and a checkpoint every 50."""

PARTS: tuple[str, ...] = ("_iteration", "_save_checkpoint", "_save_snapshot", "_save_samples")
"""The methods of the run loop the timed run accounts for; the rest of its wall time is set-up,
metrics rows, TensorBoard scalars and the read-back."""


@dataclass
class RunTimes:
    """Seconds of one timed run, by part.

    Attributes
    ----------
    wall : float
        The whole run, from building its state to reading it back.
    parts : dict of str to float
        Seconds inside each method of :data:`PARTS`.
    calls : dict of str to int
        Calls of each.
    metrics : list of dict
        The run's metrics rows, without ``wall_time``.
    """

    wall: float
    parts: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    metrics: list[dict[str, float]] = field(default_factory=list)

    @property
    def steps(self) -> float:
        """Seconds inside the run's generator iterations (its steps)."""
        return self.parts.get("_iteration", 0.0)


@dataclass
class BareTimes:
    """Seconds of the bare steps of a run, and their logged values.

    Attributes
    ----------
    wall : float
    values : list of dict
        The values each iteration logged (what the run writes into its metrics rows).
    """

    wall: float
    values: list[dict[str, float]]


class _TimedLoop(_Loop):
    """The run loop, with the seconds spent in each method of :data:`PARTS` summed."""

    def __init__(self, config: TrainConfig, run_dir: Path) -> None:
        super().__init__(config, run_dir)
        self.seconds = dict.fromkeys(PARTS, 0.0)
        self.calls = dict.fromkeys(PARTS, 0)
        for name in PARTS:
            setattr(self, name, self._timed(name, getattr(self, name)))

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            start = time.perf_counter()
            result = method(*args)
            self.seconds[name] += time.perf_counter() - start
            self.calls[name] += 1
            return result
        return timed


def timed_run(config: TrainConfig, run_dir: Path, tensorboard: bool | None = None) -> RunTimes:
    """Train ``config`` in the fresh directory ``run_dir`` as :func:`wgan.training.run.train`
    does, timing the whole and each part.

    Parameters
    ----------
    config : TrainConfig
    run_dir : pathlib.Path
        Must not exist yet (a run found there would be read back, not trained).
    tensorboard : bool or None, default=None
        As in :func:`~wgan.training.run.train`: ``None`` writes event files when the package
        is installed, as the book's runs do.

    Returns
    -------
    RunTimes

    Raises
    ------
    ValueError
        If ``run_dir`` exists.
    """
    if run_dir.exists():
        raise ValueError(f"The 'run_dir' parameter of timed_run must be a new directory. "
                         f"Got {str(run_dir)!r}, which exists.")
    watch = tensorboard_wanted(tensorboard)
    start = time.perf_counter()
    run_dir.mkdir(parents=True)
    with locked(run_dir):
        claim(run_dir, config)
        loop = _TimedLoop(config, run_dir)
        loop.run(False, watch)
    result = load_run(run_dir)
    wall = time.perf_counter() - start
    metrics = result.metrics.drop(columns="wall_time").to_dict(orient="records")
    return RunTimes(wall, dict(loop.seconds), dict(loop.calls), metrics)


def bare_steps(config: TrainConfig, scratch: Path) -> BareTimes:
    """``config.generator_iters`` generator iterations of ``config`` and nothing else.

    The state is built as the run builds it (same seed, networks, streams; not timed), then
    only :meth:`wgan.training.run._Loop._iteration` is called: the critic and generator
    updates with their batches, and the logged values read back.

    Parameters
    ----------
    config : TrainConfig
    scratch : pathlib.Path
        The directory the state is given; nothing is written there.

    Returns
    -------
    BareTimes
    """
    loop = _Loop(config, scratch)
    start = time.perf_counter()
    values = [loop._iteration() for _ in range(config.generator_iters)]
    return BareTimes(time.perf_counter() - start, values)


@dataclass
class RunCost:
    """A run against its bare steps over ``rounds`` alternations.

    Attributes
    ----------
    runs : list of RunTimes
    bare : list of BareTimes
    """

    runs: list[RunTimes]
    bare: list[BareTimes]

    @property
    def same_values(self) -> bool:
        """Whether every bare round logged exactly the values of every run's metrics rows."""
        return all(_logged(r.metrics) == b.values for r in self.runs for b in self.bare)

    def over_bare(self) -> float:
        """Median over rounds of the run's wall time over the bare steps' of the same round."""
        return statistics.median(r.wall / b.wall for r, b in zip(self.runs, self.bare,
                                                                  strict=True))

    def over_own_steps(self) -> float:
        """Median over rounds of the run's wall time over the time of its own iterations."""
        return statistics.median(r.wall / r.steps for r in self.runs)


def run_cost(config: TrainConfig, *, rounds: int = 1,
             tensorboard: bool | None = None) -> RunCost:
    """Time ``config``'s run and its bare steps, alternately, ``rounds`` times.

    A 2-iteration run is trained first, untimed (imports, kernels, allocator).

    Parameters
    ----------
    config : TrainConfig
    rounds : int, default=1
        Alternations of (bare steps, run).
    tensorboard : bool or None, default=None
        See :func:`timed_run`.

    Returns
    -------
    RunCost

    Raises
    ------
    ValueError
        If ``rounds`` is below 1.
    """
    if rounds < 1:
        raise ValueError(f"The 'rounds' parameter of run_cost must be at least 1. "
                         f"Got {rounds!r} instead.")
    runs, bare = [], []
    with tempfile.TemporaryDirectory() as scratch:
        timed_run(config.replace(generator_iters=2), Path(scratch) / "warm-up", tensorboard)
        for i in range(rounds):
            bare.append(bare_steps(config, Path(scratch) / f"bare-{i}"))
            runs.append(timed_run(config, Path(scratch) / f"run-{i}", tensorboard))
    return RunCost(runs, bare)


def cost_lines(cost: RunCost) -> list[str]:
    """The measurement in words: per round, then the medians and where the rest went."""
    lines = ["round  run s  its steps s  bare steps s  run/bare  run/its steps"]
    for i, (run, bare) in enumerate(zip(cost.runs, cost.bare, strict=True)):
        lines.append(f"{i:5d} {run.wall:6.1f} {run.steps:12.1f} {bare.wall:13.1f} "
                     f"{run.wall / bare.wall:9.3f} {run.wall / run.steps:14.3f}")
    lines.append(f"a run costs {cost.over_bare():.3f}x its bare steps "
                 f"({cost.over_own_steps():.3f}x the steps inside it); the bare steps "
                 f"{'logged exactly' if cost.same_values else 'did NOT log'} the run's values")
    run = cost.runs[0]
    parts = {name: run.parts[name] for name in PARTS[1:]}
    parts["set-up, metrics rows, TensorBoard, read-back"] = (
        run.wall - run.steps - sum(parts.values()))
    lines.append("the rest, first round: " + "; ".join(
        f"{name.removeprefix('_save_')} {seconds:.2f} s"
        + (f" ({run.calls[name]} calls)" if name in run.calls else "")
        for name, seconds in parts.items()))
    return lines


def step_lines(config: TrainConfig, *, warmup: int, iters: int, rounds: int) -> list[str]:
    """Generator iterations/s of ``config`` under each precision and layout, taking turns,
    each over float32 NCHW's, the one ``"auto"`` resolves to marked."""
    fixed = config.replace(critic_warmup=False, precision="auto", channels_last="auto",
                           compile="auto")
    device = resolve_device(config.device, config)
    result = sweep(fixed.replace(device=device.type), warmup=warmup, iters=iters,
                   rounds=rounds)
    auto = resolve_speed(fixed, device).describe()
    base = result.rates[FLOAT32.describe()]
    lines = ["gen it/s  x float32 NCHW  precision, layout, compilation"]
    for key, rates in result.rates.items():
        ratio = statistics.median(a / b for a, b in zip(rates, base, strict=True))
        lines.append(f"{statistics.median(rates):8.2f} {ratio:15.2f}  {key}"
                     + ("   <- auto" if key == auto else ""))
    matmul = ", ".join(f"{k} {v / 1e9:.0f}" for k, v in result.matmul_rate.items())
    lines.append(f"matmul GFLOP/s: {matmul}")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m wgan.speed.run_cost [--steps] [--config PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m wgan.speed.run_cost", description=(
        __doc__.split("\n\n")[0]), formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config", metavar="PATH", default=None,
                        help="a run's config.json; the quick wgan-dcgan run when omitted")
    parser.add_argument("--device", default="cpu", help="the device of the default config")
    parser.add_argument("--iters", type=int, default=None,
                        help="generator iterations of the run (the config's when omitted; "
                             "snapshots, grids and checkpoints keep their spacing)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternations of bare steps and run")
    parser.add_argument("--steps", action="store_true",
                        help="also time the step under each precision and layout first")
    parser.add_argument("--step-rounds", type=int, default=5, help="turns per setting")
    parser.add_argument("--no-run", action="store_true", help="skip the run against its steps")
    args = parser.parse_args(argv)
    config = (TrainConfig.from_dict(json.loads(Path(args.config).read_text())) if args.config
              else QUICK_IMAGE_RUN.replace(device=args.device))
    if args.iters is not None:
        config = config.replace(generator_iters=args.iters)
    device = resolve_device(config.device, config)
    print(f"cpu: {cpu_name()}; {cpu_bfloat16_note()}")
    print(f"device: {device}; torch {torch.__version__}, {torch.get_num_threads()} thread(s); "
          f"load average before: {_load()}")
    print(f"config: {config.generator}/{config.critic} {config.algorithm}, {config.dataset} "
          f"{config.image_size}x{config.image_size}, batch {config.batch_size}, "
          f"{config.generator_iters} generator iterations, snapshots/grids/checkpoints every "
          f"{config.snapshot_every}/{config.sample_every}/{config.checkpoint_every}; "
          f"auto: {resolve_speed(config, device).describe()}")
    if args.steps:
        print("\nthe step under each setting (critic warm-up off):")
        print("\n".join(step_lines(config, warmup=3, iters=10, rounds=args.step_rounds)))
    if not args.no_run:
        print("\nthe run against its bare steps:")
        print("\n".join(cost_lines(run_cost(config, rounds=args.rounds))))
    print(f"load average after: {_load()}")


def _logged(metrics: list[dict[str, Any]]) -> list[dict[str, float]]:
    """A run's metrics rows as the values its iterations logged (no counters)."""
    return [{k: v for k, v in row.items() if k not in ("gen_iter", "critic_iters_total")}
            for row in metrics]


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
