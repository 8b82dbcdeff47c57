"""The loop beside Algorithm 1: metrics, samples, snapshots, checkpoints, resume.

:func:`train` runs one configuration in one run directory; :func:`cached_run` names the
directory after the configuration, so a notebook that asks again for the same run gets
the finished one at once (or resumes an interrupted one). A run directory holds::

    config.json          the TrainConfig (a different config is refused, never overwritten)
    status.json          running | finished | diverged, with the iteration and the reason
    metrics.jsonl        one JSON row per generator iteration (:data:`METRIC_COLUMNS`)
    checkpoint.pt        both nets, both optimizers, counters, RNG states, config, git SHA
    samples/iter_NNNNNNN.png      grids from a fixed noise batch (image data only)
    snapshots/generator_NNNNNNN.pt  generator weights every ``snapshot_every`` iterations
    events.out.tfevents.*         TensorBoard: every metrics column, every grid
                                  (:mod:`wgan.training.watch`; when tensorboard is installed)

Crash safety: files are replaced atomically (:mod:`wgan.training.checkpoint`); a metrics row is
written before the checkpoint that covers it, and a resumed run first cuts the metrics
file back to the rows its checkpoint covers, so after a kill -9 at any moment the file
continues without duplicate or missing rows, and the resumed run is the uninterrupted
one (on the CPU, bit for bit: every random draw comes from a generator whose state is in
the checkpoint).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn
from tqdm import tqdm

from wgan.paths import git_revision, runs_dir
from wgan.training import gan
from wgan.training.algorithm1 import (
    critic_iters,
    critic_step,
    generator_step,
    interpolation_weights,
    make_optimizer,
    prior,
)
from wgan.training.batches import real_batches
from wgan.training.checkpoint import (
    CHECKPOINT_NAME,
    atomic_write,
    atomic_write_json,
    load_checkpoint,
    save_checkpoint,
)
from wgan.training.config import TrainConfig
from wgan.training.device import resolve_device
from wgan.training.fast import autocast, prepare_models, resolve_speed
from wgan.training.graphs import StepGraphs
from wgan.training.instrument import COSINE_COLUMNS, UpdateCosine
from wgan.training.models import build_generator, build_models
from wgan.training.watch import ScalarWriter, open_writer, write_grid, write_row
from wgan.training.watch import wanted as tensorboard_wanted

READ_ONLY_VARIABLE = "WGAN_RUNS_READ_ONLY"
CONFIG_NAME = "config.json"
STATUS_NAME = "status.json"
METRICS_NAME = "metrics.jsonl"
LOCK_NAME = ".lock"
SAMPLES_DIR = "samples"
SNAPSHOTS_DIR = "snapshots"
FIXED_NOISE_SIZE = 64  # samples in each grid (8 x 8)
FORMAT_VERSION = 1

# Columns of metrics.jsonl besides gen_iter, critic_iters_total and wall_time. All values
# come from the last critic (discriminator) step before the generator update, as in the
# authors' log, and from that generator update.
METRIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "wgan": ("w_estimate", "loss_d", "loss_g", "f_real", "f_fake"),
    "gan": ("js_lower_bound", "loss_d", "loss_g", "d_real", "d_fake"),
}
# With config.lipschitz == "gp", "penalty" follows (the gradient penalty, unweighted); with
# config.log_update_cosine, COSINE_COLUMNS follow: summaries over all the critic steps of the
# iteration (wgan.training.instrument).


def config_hash(config: TrainConfig) -> str:
    """First 8 hex digits of the SHA-256 of the config's sorted JSON."""
    text = json.dumps(config.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _seed_for(seed: int, purpose: str) -> int:
    """An independent seed per random stream, so the streams are not correlated."""
    digest = hashlib.sha256(f"{seed}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


@dataclass
class RunResult:
    """A finished (or diverged) training run, read back from its directory.

    Attributes
    ----------
    run_dir : pathlib.Path
    config : TrainConfig
    status : {"finished", "diverged", "running"}
        ``"running"`` only from ``load_run(..., allow_unfinished=True)``.
    metrics : pandas.DataFrame
        One row per generator iteration from ``metrics.jsonl``: ``gen_iter`` (1-based),
        ``critic_iters_total``, the columns of :data:`METRIC_COLUMNS` (then those of
        :data:`wgan.training.instrument.COSINE_COLUMNS` with ``config.log_update_cosine``) and
        ``wall_time`` (seconds of training since the start, across resumes).
    detail : dict
        The contents of ``status.json`` (for a diverged run: ``gen_iter``, the
        non-finite ``losses`` and a ``message``).
    """

    run_dir: Path
    config: TrainConfig
    status: str
    metrics: pd.DataFrame
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def snapshots(self) -> list[int]:
        """Generator iterations whose generator weights are kept (snapshots, last checkpoint)."""
        kept = {int(p.stem.split("_")[1]) for p in (self.run_dir / SNAPSHOTS_DIR).glob("*.pt")}
        last = self.detail.get("checkpoint_gen_iter")
        if (self.run_dir / CHECKPOINT_NAME).is_file() and last is not None:
            kept.add(int(last))
        return sorted(kept)

    def load_generator(
        self, iteration: int | None = None, device: torch.device | str = "cpu"
    ) -> nn.Module:
        """The generator after ``iteration`` generator updates, in eval mode.

        Parameters
        ----------
        iteration : int or None, default=None
            One of :attr:`snapshots`; ``None`` is the last checkpoint's generator.
        device : torch.device or str, default="cpu"

        Raises
        ------
        ValueError
            If no weights were kept for ``iteration``.
        """
        config = self.config
        last = self.detail["checkpoint_gen_iter"]
        if iteration is None or iteration == last:
            state = load_checkpoint(self.run_dir / CHECKPOINT_NAME)["generator"]
        elif iteration in self.snapshots:
            state = torch.load(_snapshot_path(self.run_dir, iteration), map_location="cpu",
                               weights_only=True)
        else:
            raise ValueError(
                f"The 'iteration' parameter of load_generator must be one of the kept "
                f"iterations {self.snapshots}. Got {iteration!r} instead. Set snapshot_every "
                "in the config to keep more."
            )
        generator = build_generator(
            config.generator, tuple(self.detail["sample_shape"]), nz=config.nz,
            ngf=config.ngf, mlp_hidden=config.mlp_hidden,
        )
        generator.load_state_dict(state)
        return generator.to(device).eval()


def load_run(run_dir: str | Path, *, allow_unfinished: bool = False) -> RunResult:
    """Read a finished or diverged run from its directory.

    Parameters
    ----------
    run_dir : str or pathlib.Path
    allow_unfinished : bool, default=False
        Also read a run that is still running or was interrupted (``status`` is then
        ``"running"``), e.g. to draw samples from its last checkpoint.

    Raises
    ------
    ValueError
        If ``run_dir`` holds no run, or one that has not finished (train it again with
        :func:`train` to resume it) and ``allow_unfinished`` is false.
    """
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_NAME).is_file():
        raise ValueError(f"{str(run_dir)!r} holds no training run (no {CONFIG_NAME}).")
    detail = _read_status(run_dir)
    if not detail:
        raise ValueError(f"The run in {str(run_dir)!r} has not started (no {STATUS_NAME}).")
    if detail["status"] not in ("finished", "diverged") and not allow_unfinished:
        raise ValueError(
            f"The run in {str(run_dir)!r} has not finished (status {detail['status']!r}). "
            "Run wgan.training.run.train (or `python -m wgan train --resume RUN_DIR`) to resume it."
        )
    config = TrainConfig.from_dict(json.loads((run_dir / CONFIG_NAME).read_text()))
    rows = [json.loads(line) for line in _metric_lines(run_dir / METRICS_NAME)]
    return RunResult(run_dir, config, detail["status"], pd.DataFrame(rows), detail)


def train(
    config: TrainConfig, run_dir: str | Path, *, progress: bool | None = None,
    stop: Callable[[], bool] | None = None,
    tensorboard: bool | None = None,
) -> RunResult:
    """Run Algorithm 1 (or the GAN baseline) for ``config.generator_iters`` iterations.

    Resumes from ``run_dir``'s checkpoint when there is one; returns at once when the run
    there has already finished or diverged (delete the directory to run it again). Holds
    an exclusive lock on the directory while it runs, so two processes asking for the same
    run do it once.

    Each generator iteration runs :func:`~wgan.training.algorithm1.critic_iters` critic steps (one
    discriminator step for ``algorithm="gan"``), each on a fresh real batch and a fresh
    noise batch, then one generator step, and appends a row to ``metrics.jsonl``. A
    non-finite value in a logged loss stops the run: the last good checkpoint is kept and
    ``status.json`` says ``diverged``, at which iteration and in which losses.

    Parameters
    ----------
    config : TrainConfig
        Validated here. Seeds torch's global generators with ``config.seed``.
    run_dir : str or pathlib.Path
        Created if needed. Must be empty or hold a run of the same config.
    progress : bool or None, default=None
        Show a tqdm bar (iteration, current W estimate); ``None``: when stderr is a
        terminal.
    stop : callable or None, default=None
        Asked after every generator iteration; when it returns true the loop writes a
        checkpoint at once (covering every metrics row written) and returns, leaving the
        run to be resumed. A scheduler's signal handler sets what it reads (e.g.
        :mod:`wgan.sweep.task`); the loop knows nothing of schedulers.
    tensorboard : bool or None, default=None
        Write TensorBoard event files into ``run_dir``; ``None``: when the ``tensorboard``
        package is installed, unless ``$WGAN_TENSORBOARD=0``
        (:func:`wgan.training.watch.wanted`). Not part of the config: watching a run
        does not change it.

    Returns
    -------
    RunResult
        ``status`` is ``"finished"`` or ``"diverged"``, the caller deciding what a
        divergence means; ``"running"`` when ``stop`` ended the loop early.

    Raises
    ------
    ValueError
        For an invalid config, a run directory holding something else, data that
        cannot be loaded, or ``tensorboard=True`` without the package.
    """
    config.validate()
    watch = tensorboard_wanted(tensorboard)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with _locked(run_dir):
        _claim(run_dir, config)
        if _read_status(run_dir).get("status") not in ("finished", "diverged"):
            show = sys.stderr.isatty() if progress is None else progress
            _Loop(config, run_dir).run(show, watch, stop)
    return load_run(run_dir, allow_unfinished=stop is not None)


def cached_run(
    config: TrainConfig, name: str, root: str | Path | None = None, *,
    progress: bool | None = None, tensorboard: bool | None = None,
) -> RunResult:
    """The run of ``config`` in ``(root or runs_dir()) / f"{name}-{config_hash(config)}"``.

    Returns at once when that run finished (or diverged), resumes it when it was
    interrupted, and trains it otherwise; see :func:`train`.

    Parameters
    ----------
    config : TrainConfig
    name : str
        Readable prefix of the directory name, e.g. ``"fig4-dcgan"``.
    root : str or pathlib.Path or None, default=None
        Parent directory; :func:`wgan.paths.runs_dir` when ``None``.
    progress, tensorboard : bool or None, default=None
        See :func:`train`.

    With ``$WGAN_RUNS_READ_ONLY=1`` nothing trains: a run that has not finished raises
    (``make execute`` sets it after the sweep trained every run of the registry, so a
    chapter asking for a run the registry does not know fails instead of training it).
    """
    if not name or "/" in name or "\\" in name:
        raise ValueError(
            "The 'name' parameter of cached_run must be a non-empty name without path "
            f"separators. Got {name!r} instead."
        )
    config.validate()
    run_dir = Path(root if root is not None else runs_dir()) / f"{name}-{config_hash(config)}"
    if os.environ.get(READ_ONLY_VARIABLE) == "1":
        return _read_only(run_dir)
    return train(config, run_dir, progress=progress, tensorboard=tensorboard)


def _read_only(run_dir: Path) -> RunResult:
    """The finished (or diverged) run in ``run_dir``; a missing or unfinished one raises."""
    state = _read_status(run_dir).get("status") if (run_dir / CONFIG_NAME).is_file() else None
    if state not in ("finished", "diverged"):
        raise ValueError(
            f"${READ_ONLY_VARIABLE}=1 forbids training, and the run {str(run_dir)!r} is "
            f"{'missing' if state is None else 'unfinished'}. Train it first with "
            "`python -m wgan sweep run` (its registry lists every run of the book), or unset "
            f"{READ_ONLY_VARIABLE} to train it here."
        )
    return load_run(run_dir)


class _Loop:
    """State of one training process: nets, optimizers, streams and counters."""

    def __init__(self, config: TrainConfig, run_dir: Path) -> None:
        self.config = config
        self.run_dir = run_dir
        self.device = resolve_device(config.device)
        torch.manual_seed(config.seed)
        self.batches = real_batches(config, self.device)
        self.sample_shape = tuple(self.batches.sample_shape)
        generator, critic = build_models(config, self.sample_shape)
        self.generator = generator.to(self.device)
        self.critic = critic.to(self.device)
        self.speed = resolve_speed(config, self.device)  # precision, layout, compile (fast.py)
        prepare_models(self.generator, self.critic, self.speed)
        graphed = self.speed.compile == "reduce-overhead"  # whole-step CUDA graphs (graphs.py)
        self.optimizer_g = make_optimizer(config.optimizer_g, self.generator.parameters(),
                                          config.lr_g, config.beta1, config.beta2, graphed)
        self.optimizer_d = make_optimizer(config.optimizer_d, self.critic.parameters(),
                                          config.lr_d, config.beta1, config.beta2, graphed)
        self.graphs = StepGraphs(self._d_step, self._g_step, self.device) if graphed else None
        self.noise = torch.Generator(self.device).manual_seed(_seed_for(config.seed, "noise"))
        fixed = torch.Generator(self.device).manual_seed(_seed_for(config.seed, "fixed"))
        self.fixed_noise = prior(FIXED_NOISE_SIZE, config.nz, device=self.device, generator=fixed)
        self.update_cosine = (UpdateCosine(self.optimizer_d) if config.log_update_cosine
                              else None)
        self.columns = METRIC_COLUMNS[config.algorithm] + (
            ("penalty",) if config.lipschitz == "gp" else ()) + (
            COSINE_COLUMNS if config.log_update_cosine else ())
        self.gen_iter = 0
        self.checkpoint_gen_iter: int | None = None
        self.critic_iters_total = 0
        self.elapsed = 0.0
        self.git_sha = git_revision()

    # ------------------------------------------------------------ one generator iteration
    def _d_step(self, real: torch.Tensor, z: torch.Tensor,
                eps: torch.Tensor | None) -> dict[str, torch.Tensor]:
        if self.config.algorithm == "gan":
            return gan.discriminator_step(self.critic, self.generator, real, z, self.optimizer_d)
        return critic_step(self.critic, self.generator, real, z, self.optimizer_d,
                           self.config.clip_value, self.config.lipschitz,
                           self.config.gp_weight, self.noise, eps)

    def _g_step(self, z: torch.Tensor) -> dict[str, torch.Tensor]:
        step: Callable[..., dict[str, torch.Tensor]] = (
            gan.generator_step if self.config.algorithm == "gan" else generator_step
        )
        return step(self.critic, self.generator, z, self.optimizer_g)

    def _iteration(self) -> dict[str, float]:
        """Lines 2-11 of Algorithm 1 once; the logged values, read back in one sync."""
        config = self.config
        n_d = (1 if config.algorithm == "gan"
               else critic_iters(self.gen_iter, config.n_critic, config.critic_warmup))
        penalised = config.algorithm == "wgan" and config.lipschitz == "gp"
        d_step, g_step = ((self._d_step, self._g_step) if self.graphs is None
                          else (self.graphs.critic, self.graphs.generator))  # replayed graphs
        with autocast(self.speed, self.device):
            for _ in range(n_d):
                real = self.batches.next()
                z = prior(config.batch_size, config.nz, device=self.device, generator=self.noise)
                eps = (interpolation_weights(real, generator=self.noise) if penalised
                       else None)  # WGAN-GP's, drawn here so that a graphed step draws nothing
                stats = d_step(real, z, eps)
            if self.update_cosine is not None:
                stats |= self.update_cosine.summary()
            z = prior(config.batch_size, config.nz, device=self.device, generator=self.noise)
            stats |= g_step(z)
        self.gen_iter += 1
        self.critic_iters_total += n_d
        values = torch.stack([stats[c].float() for c in self.columns]).tolist()
        return dict(zip(self.columns, values, strict=True))

    # ------------------------------------------------------------ files
    def _checkpoint_state(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "sample_shape": list(self.sample_shape),
            "gen_iter": self.gen_iter,
            "critic_iters_total": self.critic_iters_total,
            "elapsed": self.elapsed,
            "generator": self.generator.state_dict(),
            "critic": self.critic.state_dict(),
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
                "noise": self.noise.get_state(),
                "batches": self.batches.state_dict(),
            },
            "git_sha": self.git_sha,
            "torch_version": str(torch.__version__),
        }

    def _resume(self) -> None:
        path = self.run_dir / CHECKPOINT_NAME
        if not path.is_file():
            return
        state = load_checkpoint(path)
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.optimizer_g.load_state_dict(state["optimizer_g"])
        self.optimizer_d.load_state_dict(state["optimizer_d"])
        torch.set_rng_state(state["rng"]["torch"])
        if state["rng"]["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])
        self.noise.set_state(state["rng"]["noise"])
        self.batches.load_state_dict(state["rng"]["batches"])
        self.gen_iter = self.checkpoint_gen_iter = state["gen_iter"]
        self.critic_iters_total = state["critic_iters_total"]
        self.elapsed = state["elapsed"]

    def _status(self, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "status": status,
            "gen_iter": self.gen_iter,
            "sample_shape": list(self.sample_shape),
            "checkpoint_gen_iter": self.checkpoint_gen_iter,
            "device": str(self.device),
            "speed": self.speed.describe(),  # what "auto" resolved to (wgan.training.fast)
            **extra,
        }

    def _save_checkpoint(self) -> None:
        save_checkpoint(self.run_dir / CHECKPOINT_NAME, self._checkpoint_state())
        self.checkpoint_gen_iter = self.gen_iter

    def _save_snapshot(self) -> None:
        state = self.generator.state_dict()
        atomic_write(_snapshot_path(self.run_dir, self.gen_iter),
                     lambda file: torch.save(state, file))

    def _save_samples(self, writer: ScalarWriter | None) -> None:
        from torchvision.utils import make_grid, save_image  # torchvision: seconds to import

        self.generator.eval()
        with torch.no_grad():
            images = self.generator(self.fixed_noise).float().cpu()
        self.generator.train()
        grid = make_grid(images, nrow=8, normalize=True, value_range=(-1.0, 1.0))
        path = self.run_dir / SAMPLES_DIR / f"iter_{self.gen_iter:07d}.png"
        atomic_write(path, lambda file: save_image(grid, file, format="png"))
        if writer is not None:
            write_grid(writer, grid, self.gen_iter)

    # ------------------------------------------------------------ the loop
    def run(self, show_progress: bool, tensorboard: bool,
            stop: Callable[[], bool] | None = None) -> None:
        config, run_dir = self.config, self.run_dir
        self._resume()
        metrics_path = run_dir / METRICS_NAME
        _truncate_metrics(metrics_path, self.gen_iter)
        atomic_write_json(run_dir / STATUS_NAME, self._status("running"))
        if config.snapshot_every and self.gen_iter == 0:
            self._save_snapshot()
        bar = tqdm(total=config.generator_iters, initial=self.gen_iter, disable=not show_progress,
                   desc=run_dir.name, unit="it", dynamic_ncols=True)
        writer = open_writer(run_dir, self.gen_iter + 1) if tensorboard else None
        try:
            with bar, open(metrics_path, "a") as metrics:
                finished = self._loop(bar, metrics, writer, stop)
        finally:
            if writer is not None:
                writer.close()
        if finished:
            atomic_write_json(run_dir / STATUS_NAME, self._status("finished"))

    def _loop(self, bar: tqdm, metrics: Any, writer: ScalarWriter | None,
              stop: Callable[[], bool] | None) -> bool:
        """Generator iterations until the end; ``False`` when the run diverged or was stopped."""
        config, run_dir = self.config, self.run_dir
        is_image = len(self.sample_shape) == 3
        start = time.perf_counter() - self.elapsed
        while self.gen_iter < config.generator_iters:
            values = self._iteration()
            self.elapsed = time.perf_counter() - start
            bad = [name for name, value in values.items() if not math.isfinite(value)]
            if bad:
                atomic_write_json(run_dir / STATUS_NAME, self._status(
                    "diverged", losses=bad, values={k: repr(v) for k, v in values.items()},
                    message=(f"Training diverged at generator iteration {self.gen_iter}: "
                             f"non-finite {', '.join(bad)}. The last good checkpoint is "
                             "kept; lower the learning rates or use RMSProp."),
                ))
                return False
            row = {"gen_iter": self.gen_iter, "critic_iters_total": self.critic_iters_total,
                   **values, "wall_time": round(self.elapsed, 4)}
            metrics.write(json.dumps(row) + "\n")
            metrics.flush()
            if writer is not None:
                write_row(writer, row, self.gen_iter)
            bar.update(1)
            bar.set_postfix_str(f"{self.columns[0]}={values[self.columns[0]]:.4g}",
                                refresh=False)
            last = self.gen_iter == config.generator_iters
            if config.snapshot_every and self.gen_iter % config.snapshot_every == 0:
                self._save_snapshot()
            if is_image and (self.gen_iter % config.sample_every == 0 or last):
                self._save_samples(writer)
            if self.gen_iter % config.checkpoint_every == 0 or last:
                self._save_checkpoint()
            if stop is not None and not last and stop():
                if self.checkpoint_gen_iter != self.gen_iter:
                    self._save_checkpoint()
                atomic_write_json(run_dir / STATUS_NAME, self._status("running"))
                return False
        return True


# ---------------------------------------------------------------- helpers on the directory
@contextlib.contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``run_dir`` (released by the OS if the process dies)."""
    with open(run_dir / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _claim(run_dir: Path, config: TrainConfig) -> None:
    """Write ``config.json`` into a fresh directory, or check that it holds ``config``."""
    wanted = json.loads(json.dumps(config.to_dict()))
    path = run_dir / CONFIG_NAME
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored != wanted:
            keys = sorted(k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
            changes = "; ".join(f"{k}: {stored.get(k)!r} there, {wanted.get(k)!r} here"
                                for k in keys)
            raise ValueError(
                f"The run directory {str(run_dir)!r} holds a run with a different config "
                f"({changes}). It is left untouched: use another run directory, or delete "
                "this one to start over."
            )
        return
    others = [p.name for p in run_dir.iterdir() if p.name != LOCK_NAME and not _is_temporary(p)]
    if others:
        raise ValueError(
            f"The run directory {str(run_dir)!r} is not empty and holds no run (no "
            f"{CONFIG_NAME}; found {sorted(others)[:5]}). Use an empty or new directory."
        )
    atomic_write_json(path, wanted)


def _is_temporary(path: Path) -> bool:
    """A temporary file of :func:`~wgan.training.checkpoint.atomic_write` left by a kill."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _read_status(run_dir: Path) -> dict[str, Any]:
    path = run_dir / STATUS_NAME
    return json.loads(path.read_text()) if path.is_file() else {}


def _snapshot_path(run_dir: Path, gen_iter: int) -> Path:
    return run_dir / SNAPSHOTS_DIR / f"generator_{gen_iter:07d}.pt"


def _metric_lines(path: Path) -> list[str]:
    """Complete rows of a metrics file, stopping at a torn last line."""
    if not path.is_file():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            json.loads(line)
        except json.JSONDecodeError:
            break
        lines.append(line)
    return lines


def _truncate_metrics(path: Path, gen_iter: int) -> None:
    """Keep the rows of generator iterations 1..gen_iter (what the checkpoint covers)."""
    kept = [line for line in _metric_lines(path) if json.loads(line)["gen_iter"] <= gen_iter]
    if len(kept) != gen_iter:
        raise ValueError(
            f"{str(path)!r} holds {len(kept)} rows for the {gen_iter} generator iterations its "
            "checkpoint covers; the run directory was edited. Delete it to start over."
        )
    atomic_write(path, lambda file: file.write("".join(f"{line}\n" for line in kept).encode()))
