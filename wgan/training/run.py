"""The loop beside Algorithm 1: metrics, samples, snapshots, checkpoints, resume.

:func:`train` runs one configuration in one run directory (its files:
:mod:`wgan.training.rundir`): Algorithm 1's steps (:mod:`wgan.training.algorithm1`) or the
GAN baseline's, a metrics row per generator iteration, sample grids, generator snapshots and
checkpoints. A killed run resumes from its last checkpoint and continues as the
uninterrupted one would have (on the CPU, bit for bit: every random draw comes from a
generator whose state is in the checkpoint). The loop knows nothing of scales, chapters or
where a run's directory is (:mod:`wgan.plan`).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from wgan.files import atomic_path
from wgan.paths import git_revision
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
    atomic_write_json,
    load_checkpoint,
    save_checkpoint,
)
from wgan.training.config import TrainConfig
from wgan.training.device import resolve_device
from wgan.training.fast import autocast, prepare_models, resolve_speed
from wgan.training.graphs import StepGraphs
from wgan.training.instrument import COSINE_COLUMNS, UpdateCosine
from wgan.training.models import build_models
from wgan.training.rundir import (
    METRICS_NAME,
    SAMPLES_DIR,
    STATUS_NAME,
    RunResult,
    claim,
    load_run,
    locked,
    read_status,
    snapshot_path,
    truncate_metrics,
)
from wgan.training.watch import ScalarWriter, open_writer, write_grid, write_row
from wgan.training.watch import wanted as tensorboard_wanted

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



def _seed_for(seed: int, purpose: str) -> int:
    """An independent seed per random stream, so the streams are not correlated."""
    digest = hashlib.sha256(f"{seed}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


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
    watch = tensorboard_wanted(tensorboard)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with locked(run_dir):
        claim(run_dir, config)
        if read_status(run_dir).get("status") not in ("finished", "diverged"):
            show = sys.stderr.isatty() if progress is None else progress
            _Loop(config, run_dir).run(show, watch, stop)
    return load_run(run_dir, allow_unfinished=stop is not None)


def _device(config: TrainConfig, run_dir: Path) -> torch.device:
    """Where the run in ``run_dir`` trains: :func:`resolve_device`, except that a run resumed
    under ``device="auto"`` stays on the kind of device it started on (``status.json``): its
    noise streams are generators of that device, and another machine's placement could
    otherwise move it (a run started on a GPU machine, resumed on a CPU-only one).

    Raises
    ------
    ValueError
        When the run started on a GPU and none is visible now.
    """
    started = (read_status(run_dir).get("device")
               if (run_dir / CHECKPOINT_NAME).is_file() else None)
    if config.device != "auto" or started is None:
        return resolve_device(config.device, config)
    kind = torch.device(started).type
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{run_dir.name} started on a GPU (status.json: device {started!r}) and is resumed "
            "where no CUDA GPU is visible. Its random streams live on the GPU: resume it on a "
            "machine with one, or delete the run directory to train it again on the CPU."
        )
    return torch.device(kind)


class _Loop:
    """State of one training process: nets, optimizers, streams and counters."""

    def __init__(self, config: TrainConfig, run_dir: Path) -> None:
        self.config = config
        self.run_dir = run_dir
        self.device = _device(config, run_dir)  # "auto": where it trains fastest, or started
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
            "threads": torch.get_num_threads(),  # a CPU run's results depend on it
            "git_sha": self.git_sha,  # the code that trained it (the claims ledger shows it)
            **extra,
        }

    def _save_checkpoint(self) -> None:
        save_checkpoint(self.run_dir / CHECKPOINT_NAME, self._checkpoint_state())
        self.checkpoint_gen_iter = self.gen_iter

    def _save_snapshot(self) -> None:
        with atomic_path(snapshot_path(self.run_dir, self.gen_iter)) as temporary:
            torch.save(self.generator.state_dict(), temporary)

    def _save_samples(self, writer: ScalarWriter | None) -> None:
        from torchvision.utils import make_grid, save_image  # torchvision: seconds to import

        self.generator.eval()
        with torch.no_grad():
            images = self.generator(self.fixed_noise).float().cpu()
        self.generator.train()
        grid = make_grid(images, nrow=8, normalize=True, value_range=(-1.0, 1.0))
        path = self.run_dir / SAMPLES_DIR / f"iter_{self.gen_iter:07d}.png"
        with atomic_path(path) as temporary:
            save_image(grid, temporary, format="png")
        if writer is not None:
            write_grid(writer, grid, self.gen_iter)

    # ------------------------------------------------------------ the loop
    def run(self, show_progress: bool, tensorboard: bool,
            stop: Callable[[], bool] | None = None) -> None:
        config, run_dir = self.config, self.run_dir
        self._resume()
        metrics_path = run_dir / METRICS_NAME
        truncate_metrics(metrics_path, self.gen_iter)
        started = read_status(run_dir)
        before, now = started.get("threads"), torch.get_num_threads()
        if self.gen_iter and self.device.type == "cpu" and before not in (None, now):
            warnings.warn(f"{run_dir.name}: resumed at generator iteration {self.gen_iter} "
                          f"with {now} torch threads; it trained with {before} before. A CPU "
                          "run's results depend on its thread count.", RuntimeWarning,
                          stacklevel=3)
        before, now = started.get("speed"), self.speed.describe()
        if self.gen_iter and before not in (None, now):
            warnings.warn(f"{run_dir.name}: resumed at generator iteration {self.gen_iter} "
                          f"in {now}; it trained in {before} before (\"auto\" resolves per "
                          "machine, wgan.training.fast). Its results depend on the precision.",
                          RuntimeWarning, stacklevel=3)
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
