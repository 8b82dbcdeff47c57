"""Clip, gradient penalty and spectral normalization trained side by side on the ring.

The runs are chapter 3's ring runs (:func:`wgan.experiments.mixture.mixture_config`: the
registry's MLPs, the ring of 8 Gaussians, fresh samples at every step), with the
Lipschitz constraint as the only change, through the same loop
(:func:`wgan.training.run.cached_run`):

- ``clip``: Algorithm 1 as chapter 3 runs it (RMSProp, c = 0.01, the authors' warm-up);
- ``gp``: WGAN-GP's published procedure (:data:`wgan.training.config.WGAN_GP_PROCEDURE`:
  Adam 1e-4, betas (0, 0.9), lambda 10, n_critic 5, no warm-up);
- ``sn``: the same Adam procedure with spectral normalization instead of the penalty, so
  that ``gp`` and ``sn`` differ in the constraint only.

:func:`clip_sweep_config` varies c alone, in Algorithm 1's procedure.
:func:`final_measures` reads a finished run back: coverage at each snapshot
(:func:`wgan.experiments.mixture.coverage_over_training`), the first snapshot covering all
8 modes, the critic's gradient norms at generated points and its estimate against the
exact W1 (the K of a trained, not a fitted, critic).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from wgan.book.scales import cap, pick, run_folder
from wgan.experiments.lipschitz import critic_gradients
from wgan.experiments.mixture import (
    coverage_over_training,
    generator_samples,
    mixture_config,
)
from wgan.paths import runs_dir
from wgan.training.checkpoint import CHECKPOINT_NAME, load_checkpoint
from wgan.training.config import WGAN_GP_PROCEDURE, TrainConfig
from wgan.training.models import build_models
from wgan.training.run import RunResult, cached_run

RING_METHODS: tuple[str, ...] = ("clip", "gp", "sn")
CLIP_SWEEP: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1)
_ADAM = {k: v for k, v in WGAN_GP_PROCEDURE.items() if k not in ("critic", "lipschitz")}


def ring_config(method: str, scale: str, *, generator_iters: int, seed: int = 0,
                device: str = "auto", **overrides: Any) -> TrainConfig:
    """The ring run of one constraint; see the module docstring.

    Parameters
    ----------
    method : {"clip", "gp", "sn"}
    scale : {"smoke", "quick", "paper"}
        Picks chapter 3's sizes (:data:`wgan.experiments.mixture.SCALES`).
    generator_iters : int
    seed : int, default=0
    device : str, default="auto"
    **overrides
        Any other TrainConfig setting, applied last.

    Returns
    -------
    TrainConfig
        Validated.
    """
    if method not in RING_METHODS:
        raise ValueError(
            f"The 'method' parameter of ring_config must be one of "
            f"{', '.join(map(repr, RING_METHODS))}. Got {method!r} instead."
        )
    procedure = {} if method == "clip" else {**_ADAM, "lipschitz": method}
    return mixture_config("wgan", scale, seed=seed, device=device,
                          generator_iters=generator_iters, **{**procedure, **overrides})


def clip_sweep_config(clip_value: float, scale: str, *, generator_iters: int, seed: int = 0,
                      device: str = "auto") -> TrainConfig:
    """Algorithm 1's ring run with the clip value ``clip_value``."""
    return ring_config("clip", scale, generator_iters=generator_iters, seed=seed,
                       device=device, clip_value=clip_value)


def ring_iters(scale: str) -> int:
    """Generator iterations of every run of the chapter (shorter than chapter 3's at quick;
    one in a dry run, :func:`wgan.book.scales.cap`)."""
    return pick(scale, smoke=20, quick=1000, paper=cap(20_000, 1))


def ring_seeds(scale: str, seed: int = 0) -> list[int]:
    """The seeds of the side-by-side runs: ``seed``, ``seed + 1``, ... (two in a dry run)."""
    return list(range(seed, seed + pick(scale, smoke=2, quick=5, paper=cap(10, 2))))


def side_by_side_configs(scale: str, *, seed: int = 0, device: str = "auto"
                         ) -> dict[tuple[str, int], TrainConfig]:
    """``(method, seed) -> config`` of every side-by-side ring run, in the chapter's order."""
    return {(m, s): ring_config(m, scale, generator_iters=ring_iters(scale), seed=s,
                                device=device)
            for m in RING_METHODS for s in ring_seeds(scale, seed)}


def clip_sweep_configs(scale: str, *, seed: int = 0, device: str = "auto"
                       ) -> dict[float, TrainConfig]:
    """``c -> config`` of the clip sweep (:data:`CLIP_SWEEP`), seed ``seed``."""
    return {c: clip_sweep_config(c, scale, generator_iters=ring_iters(scale), seed=seed,
                                 device=device)
            for c in CLIP_SWEEP}


def lipschitz_runs(scale: str, *, seed: int = 0, device: str = "auto"
                   ) -> list[tuple[str, TrainConfig]]:
    """Every run of the chapter: ``(cached_run name, config)``, for the run registry."""
    runs = [(f"lipschitz-{m}", config)
            for (m, _), config in side_by_side_configs(scale, seed=seed, device=device).items()]
    runs += [("lipschitz-clip", config)
             for config in clip_sweep_configs(scale, seed=seed, device=device).values()]
    return runs


def run(config: TrainConfig, name: str, scale: str, root: str | Path | None = None
        ) -> RunResult:
    """Train (or read back, or resume) a run in ``(root or runs_dir()) / run_folder(scale)``."""
    parent = Path(root) if root is not None else runs_dir()
    return cached_run(config, name, root=parent / run_folder(scale), progress=False)


def trained_critic(result: RunResult) -> torch.nn.Module:
    """The critic of a run's last checkpoint, in eval mode, on the CPU."""
    _, critic = build_models(result.config, tuple(result.detail["sample_shape"]))
    critic.load_state_dict(load_checkpoint(result.run_dir / CHECKPOINT_NAME)["critic"])
    return critic.eval()


def final_measures(result: RunResult, reference: torch.Tensor, *, n: int, seed: int = 0,
                   min_samples: int = 20, window: int = 50) -> tuple[pd.DataFrame, dict]:
    """Coverage along a ring run and the measures of its final critic.

    Parameters
    ----------
    result : RunResult
        A finished ring run with snapshots.
    reference : torch.Tensor of shape (m, 2)
        A sample of the ring for W1 (e.g. :func:`wgan.experiments.mixture.balanced_ring_sample`).
    n : int
        Generated samples per snapshot.
    seed : int, default=0
    min_samples : int, default=20
        Samples within 3 sigma for a mode to count as covered.
    window : int, default=50
        Last generator iterations over which the logged estimate is averaged.

    Returns
    -------
    curve : pandas.DataFrame
        :func:`~wgan.experiments.mixture.coverage_over_training`'s rows.
    final : dict
        ``modes``, ``high_quality``, ``w1`` (last snapshot); ``first_full`` (first kept
        iteration with 8 modes covered, NaN if none); ``grad_norm_median``,
        ``grad_norm_p10``, ``grad_norm_p90`` (||grad_x f|| of the final critic at final
        generated points); ``estimate`` (mean logged ``w_estimate`` over the last
        ``window`` iterations) and ``k`` (= estimate / w1).
    """
    curve = coverage_over_training(result, reference, n=n, seed=seed, min_samples=min_samples)
    last = curve.iloc[-1]
    full = curve.loc[curve["modes"] == 8, "gen_iter"]
    samples = generator_samples(result, n, seed=seed)
    norms = critic_gradients(trained_critic(result), samples).norm(dim=1).numpy()
    estimate = float(result.metrics["w_estimate"].tail(window).mean())
    final = {
        "modes": last["modes"], "high_quality": last["high_quality"], "w1": last["w1"],
        "first_full": float(full.iloc[0]) if len(full) else float("nan"),
        "grad_norm_median": float(np.median(norms)),
        "grad_norm_p10": float(np.quantile(norms, 0.1)),
        "grad_norm_p90": float(np.quantile(norms, 0.9)),
        "estimate": estimate, "k": estimate / last["w1"],
    }
    return curve, final
