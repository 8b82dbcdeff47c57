"""A stack of toy runs that differ only in their seed, trained as one batched model.

:func:`train_stack` trains K runs (configs equal but for ``seed``) each in its own run
directory, writing there what :func:`wgan.training.run.train` would (config, metrics,
checkpoints, snapshots, status), while one :class:`~wgan.training.stack.StackedMLP` per
network does the arithmetic of all K. Each member keeps its lone run's state: the lone
loop (:class:`wgan.training.run._Loop`) is built for it (its initial weights, its real and
noise streams, its fixed noise), the stacked networks are stacked from its networks, and
before each snapshot or checkpoint the member's weights and optimizer state are written
back into it, so its files are the lone run's (a stack's checkpoint resumes alone, and a
lone run's checkpoint resumes in a stack), but for two records of the stack: each member's
``wall_time`` is the stack's, and its ``status.json`` says how many seeds shared it
(``stack``; what a lone run's time is estimated from). A killed stack resumes from its
members' checkpoints; members checkpointed at different iterations (a kill between two
members' writes) resume as one stack per iteration. A member that diverges stops there, as
a lone run does, and the others go on.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from wgan.training.algorithm1 import critic_iters, interpolation_weights, make_optimizer, prior
from wgan.training.batches import TOY_DATASETS
from wgan.training.checkpoint import atomic_write_json
from wgan.training.config import TrainConfig
from wgan.training.fast import FLOAT32
from wgan.training.run import _Loop
from wgan.training.rundir import (
    METRICS_NAME,
    STATUS_NAME,
    RunResult,
    claim,
    load_run,
    locked,
    read_status,
    truncate_metrics,
)
from wgan.training.stack import (
    StackedMLP,
    member_optimizer_state,
    stack_optimizer_state,
    stacked_critic_step,
    stacked_discriminator_step,
    stacked_generator_step,
)
from wgan.training.watch import ScalarWriter, open_writer, write_row
from wgan.training.watch import wanted as tensorboard_wanted


def stack_key(config: TrainConfig) -> str:
    """What runs must share to be stacked: the config without its seed, as JSON."""
    return json.dumps({**config.to_dict(), "seed": None}, sort_keys=True)


def check_stackable(configs: Sequence[TrainConfig]) -> None:
    """Raise ``ValueError`` unless ``configs`` can train as one stack.

    They must be at least one, differ only in ``seed`` (no two alike), and describe toy runs
    of MLPs (``generator`` and ``critic`` ``"mlp"``, a toy ``dataset``) without the update
    cosine's optimizer hooks, in plain float32 (``precision``, ``channels_last`` and
    ``compile`` left ``"auto"`` or set to float32, False, ``"off"``).
    """
    if not configs:
        raise ValueError("The 'configs' parameter of train_stack must hold at least one "
                         "config. Got none.")
    first = configs[0]
    if any(stack_key(c) != stack_key(first) for c in configs):
        raise ValueError("The 'configs' parameter of train_stack must hold configs that differ "
                         "only in their seed.")
    seeds = [c.seed for c in configs]
    if len(set(seeds)) != len(seeds):
        raise ValueError("The 'configs' parameter of train_stack must hold distinct seeds. "
                         f"Got {seeds} instead.")
    if (first.generator, first.critic) != ("mlp", "mlp") or first.dataset not in TOY_DATASETS:
        raise ValueError(
            "The 'configs' parameter of train_stack must describe toy runs of MLPs (generator "
            f"and critic 'mlp', dataset one of {sorted(TOY_DATASETS)}). Got generator "
            f"{first.generator!r}, critic {first.critic!r}, dataset {first.dataset!r} instead.")
    if first.log_update_cosine:
        raise ValueError("The 'configs' parameter of train_stack must have "
                         "log_update_cosine=False (its hooks watch one lone optimizer).")
    if (first.precision not in ("auto", "float32") or first.channels_last not in ("auto", False)
            or first.compile not in ("auto", "off")):
        raise ValueError("The 'configs' parameter of train_stack must train in plain float32 "
                         "(precision 'float32', channels_last False, compile 'off', or 'auto').")


def train_stack(
    configs: Sequence[TrainConfig], run_dirs: Sequence[str | Path], *,
    progress: bool | None = None, stop: Callable[[], bool] | None = None,
    tensorboard: bool | None = None,
) -> list[RunResult]:
    """Train the runs ``configs`` (equal but for the seed) as one stack, each in its directory.

    Like :func:`wgan.training.run.train` for each run: each directory is locked while the
    stack runs, claimed (its config written or checked), resumed from its checkpoint, and
    skipped when its run has finished or diverged.

    Parameters
    ----------
    configs : sequence of TrainConfig
        K configs, :func:`check_stackable`.
    run_dirs : sequence of str or pathlib.Path
        One directory per config, created if needed.
    progress : bool or None, default=None
        Show one tqdm bar for the stack; ``None``: when stderr is a terminal.
    stop : callable or None, default=None
        Asked after every generator iteration; when it returns true every member writes a
        checkpoint and the stack returns, as :func:`~wgan.training.run.train` does.
    tensorboard : bool or None, default=None
        Write each member's TensorBoard events into its directory, as
        :func:`~wgan.training.run.train` does (``None``: :func:`wgan.training.watch.wanted`).

    Returns
    -------
    list of RunResult
        One per run, in order.

    Raises
    ------
    ValueError
        For configs that cannot stack, a directory count that does not match, or a run
        directory holding something else.
    """
    check_stackable(configs)
    watch = tensorboard_wanted(tensorboard)
    if len(run_dirs) != len(configs):
        raise ValueError("The 'run_dirs' parameter of train_stack must hold one directory per "
                         f"config ({len(configs)}). Got {len(run_dirs)} instead.")
    dirs = [Path(d) for d in run_dirs]
    show = sys.stderr.isatty() if progress is None else progress
    with contextlib.ExitStack() as held:
        for config, run_dir in zip(configs, dirs, strict=True):
            run_dir.mkdir(parents=True, exist_ok=True)
            held.enter_context(locked(run_dir))
            claim(run_dir, config)
        loops = [_Loop(config, run_dir) for config, run_dir in zip(configs, dirs, strict=True)
                 if read_status(run_dir).get("status") not in ("finished", "diverged")]
        for loop in loops:
            loop._resume()
            if loop.speed != FLOAT32:
                raise ValueError("The 'configs' parameter of train_stack must train in plain "
                                 f"float32; {loop.run_dir.name} resolved to "
                                 f"{loop.speed.describe()}.")
        stopped = False
        for gen_iter in sorted({loop.gen_iter for loop in loops}):
            if not stopped:
                group = [loop for loop in loops if loop.gen_iter == gen_iter]
                stopped = _Stack(group).run(show, watch, stop)
    return [load_run(d, allow_unfinished=stop is not None) for d in dirs]


class _Stack:
    """The stacked networks and optimizers of a group of lone loops at the same iteration."""

    def __init__(self, members: list[_Loop]) -> None:
        self.members = members
        self.config = config = members[0].config
        self.device = members[0].device
        self.generator = StackedMLP([m.generator for m in members])
        self.critic = StackedMLP([m.critic for m in members])
        self.optimizer_g = make_optimizer(config.optimizer_g, self.generator.parameters(),
                                          config.lr_g, config.beta1, config.beta2)
        self.optimizer_d = make_optimizer(config.optimizer_d, self.critic.parameters(),
                                          config.lr_d, config.beta1, config.beta2)
        stack_optimizer_state(self.optimizer_g, self.generator,
                              [m.optimizer_g.state_dict() for m in members])
        stack_optimizer_state(self.optimizer_d, self.critic,
                              [m.optimizer_d.state_dict() for m in members])
        self.columns = members[0].columns
        self.active = [True] * len(members)

    def _status(self, member: _Loop, status: str, **extra: Any) -> dict[str, Any]:
        """``member``'s ``status.json``: its lone run's, and the stack's size (its
        ``wall_time`` is the stack's)."""
        return member._status(status, stack=len(self.members), **extra)

    def _draw(self, draw: Callable[[_Loop], torch.Tensor]) -> torch.Tensor:
        return torch.stack([draw(m) for m in self.members])

    def _iteration(self) -> list[dict[str, float]]:
        """One generator iteration of every member; each member's logged values."""
        config, device, gen_iter = self.config, self.device, self.members[0].gen_iter
        n_d = (1 if config.algorithm == "gan"
               else critic_iters(gen_iter, config.n_critic, config.critic_warmup))
        penalised = config.algorithm == "wgan" and config.lipschitz == "gp"

        def noise(m: _Loop) -> torch.Tensor:
            return prior(config.batch_size, config.nz, device=device, generator=m.noise)

        for _ in range(n_d):
            # each member draws from its own streams in its lone run's order: real, z, eps
            reals = [m.batches.next() for m in self.members]
            z = self._draw(noise)
            real = torch.stack(reals)
            if config.algorithm == "gan":
                stats = stacked_discriminator_step(self.critic, self.generator, real, z,
                                                   self.optimizer_d)
                continue
            eps = (torch.stack([interpolation_weights(r, generator=m.noise)
                                for r, m in zip(reals, self.members, strict=True)])
                   if penalised else None)
            stats = stacked_critic_step(self.critic, self.generator, real, z, self.optimizer_d,
                                        config.clip_value, config.lipschitz, config.gp_weight,
                                        eps)
        stats |= stacked_generator_step(self.critic, self.generator, self._draw(noise),
                                        self.optimizer_g, config.algorithm)
        for m in self.members:
            m.gen_iter += 1
            m.critic_iters_total += n_d
        values = torch.stack([stats[c].float() for c in self.columns]).tolist()  # (columns, K)
        return [dict(zip(self.columns, row, strict=True)) for row in zip(*values, strict=True)]

    def _write_back(self, k: int) -> None:
        """Member ``k``'s weights and optimizer states into its lone loop, before a save."""
        member = self.members[k]
        self.generator.write_member(k, member.generator)
        self.critic.write_member(k, member.critic)
        member.optimizer_g.load_state_dict(
            member_optimizer_state(self.optimizer_g, self.generator, k))
        member.optimizer_d.load_state_dict(
            member_optimizer_state(self.optimizer_d, self.critic, k))

    def run(self, show: bool, watch: bool, stop: Callable[[], bool] | None) -> bool:
        """Train the group to the end; ``True`` when ``stop`` ended it early."""
        config = self.config
        for m in self.members:
            truncate_metrics(m.run_dir / METRICS_NAME, m.gen_iter)
            atomic_write_json(m.run_dir / STATUS_NAME, self._status(m, "running"))
            if config.snapshot_every and m.gen_iter == 0:
                m._save_snapshot()
        first = self.members[0]
        start = time.perf_counter() - first.elapsed
        bar = tqdm(total=config.generator_iters, initial=first.gen_iter, disable=not show,
                   desc=f"stack of {len(self.members)}", unit="it", dynamic_ncols=True)
        with bar, contextlib.ExitStack() as files:
            metrics = [files.enter_context(open(m.run_dir / METRICS_NAME, "a"))
                       for m in self.members]
            writers = [open_writer(m.run_dir, m.gen_iter + 1) if watch else None
                       for m in self.members]
            for writer in writers:
                if writer is not None:
                    files.callback(writer.close)
            while first.gen_iter < config.generator_iters and any(self.active):
                rows = self._iteration()
                elapsed = time.perf_counter() - start
                bar.update(1)
                last = first.gen_iter == config.generator_iters
                halt = stop is not None and not last and stop()
                for k, (m, values) in enumerate(zip(self.members, rows, strict=True)):
                    if self.active[k]:
                        m.elapsed = elapsed
                        self.active[k] = self._record(k, values, metrics[k], writers[k], last,
                                                      halt)
                if halt:
                    return True
        for k, m in enumerate(self.members):
            if self.active[k]:
                atomic_write_json(m.run_dir / STATUS_NAME, self._status(m, "finished"))
        return False

    def _record(self, k: int, values: dict[str, float], metrics: Any,
                writer: ScalarWriter | None, last: bool, halt: bool) -> bool:
        """Member ``k``'s row and files after an iteration, as its lone loop writes them
        (``halt``: a checkpoint now, and the status left running); ``False`` when it
        diverged and trains no further."""
        m, config = self.members[k], self.config
        bad = [name for name, value in values.items() if not math.isfinite(value)]
        if bad:
            atomic_write_json(m.run_dir / STATUS_NAME, self._status(
                m, "diverged", losses=bad, values={n: repr(v) for n, v in values.items()},
                message=(f"Training diverged at generator iteration {m.gen_iter}: "
                         f"non-finite {', '.join(bad)}. The last good checkpoint is "
                         "kept; lower the learning rates or use RMSProp."),
            ))
            return False
        row = {"gen_iter": m.gen_iter, "critic_iters_total": m.critic_iters_total,
               **values, "wall_time": round(m.elapsed, 4)}
        metrics.write(json.dumps(row) + "\n")
        metrics.flush()
        if writer is not None:
            write_row(writer, row, m.gen_iter)
        snapshot = bool(config.snapshot_every) and m.gen_iter % config.snapshot_every == 0
        checkpoint = m.gen_iter % config.checkpoint_every == 0 or last or halt
        if snapshot or checkpoint:
            self._write_back(k)
        if snapshot:
            m._save_snapshot()
        if checkpoint and m.checkpoint_gen_iter != m.gen_iter:
            m._save_checkpoint()
        if halt:
            atomic_write_json(m.run_dir / STATUS_NAME, self._status(m, "running"))
        return True
