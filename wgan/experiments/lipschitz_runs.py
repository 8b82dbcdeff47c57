"""Clip, gradient penalty and spectral normalization trained side by side: ring and digits.

The ring runs are chapter 3's (:func:`wgan.experiments.mixture.mixture_config`: the
registry's MLPs, the ring of 8 Gaussians, fresh samples at every step); the digit runs are
chapter 4's DCGAN run (:func:`wgan.experiments.images.image_config`, key ``wgan-dcgan``)
on the embedded digits at every scale, with a critic without BatchNorm (``dcgan_nobn``,
which the per-sample penalty needs; every method gets it, so the critics differ in the
constraint only). In both, the Lipschitz constraint is the only change, through the same
loop (:func:`wgan.training.run.train`, through
:func:`wgan.plan.fetch.fetch`):

- ``clip``: Algorithm 1 as chapter 3 runs it (RMSProp, c = 0.01, the authors' warm-up);
- ``gp``: WGAN-GP's published procedure (:data:`wgan.training.config.WGAN_GP_PROCEDURE`:
  Adam 1e-4, betas (0, 0.9), lambda 10, n_critic 5, no warm-up);
- ``sn``: the same Adam procedure with spectral normalization instead of the penalty, so
  that ``gp`` and ``sn`` differ in the constraint only.

:func:`clip_sweep_config` and :func:`digit_config` vary c alone, in Algorithm 1's
procedure; the lengths and counts of every scale are :data:`SETTINGS`. The runs are
:class:`~wgan.plan.spec.RunSpec` values named here only (:func:`side_by_side_specs`,
:func:`clip_sweep_specs`, :func:`digit_side_by_side_specs`, :func:`digit_clip_sweep_specs`;
all of them in :func:`lipschitz_specs`, for the registry), and the chapter gets them
trained or read back through :func:`side_by_side_runs`, :func:`clip_sweep_runs`,
:func:`digit_side_by_side_runs` and :func:`digit_clip_sweep_runs`.
:func:`ring_measures` and :func:`digit_measures` read a finished run back:
coverage (modes of the ring, classes of the digits) at each snapshot, the first snapshot
covering them all, the final critic's gradient norms at generated points and its estimate
against the exact W1 (the K of a trained, not a fitted, critic).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import torch

from wgan.experiments.images import (
    DRY_RUN_ITERS,
    ImageData,
    QualityReference,
    image_config,
    quality_reference,
)
from wgan.experiments.lipschitz import critic_gradients
from wgan.experiments.mixture import (
    coverage_over_training,
    generator_samples,
    mixture_config,
)
from wgan.plan.fetch import fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.quality import curve_at, quality_along_run, rank_correlation
from wgan.quality.along_run import generate as generate_images
from wgan.quality.digits import N_DIGITS
from wgan.training.checkpoint import CHECKPOINT_NAME, load_checkpoint
from wgan.training.config import WGAN_GP_PROCEDURE, TrainConfig
from wgan.training.models import build_models
from wgan.training.rundir import RunResult

K = TypeVar("K", bound=Hashable)

DIGITS = ImageData("digits", None, "embedded digits (scikit-learn), at every scale: classes "
                   "make coverage measurable")

RING_METHODS: tuple[str, ...] = ("clip", "gp", "sn")
CLIP_SWEEP: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1)
CHAPTER = "08_lipschitz"
"""The notebook that reads every run of this module."""
_ADAM = {k: v for k, v in WGAN_GP_PROCEDURE.items() if k not in ("critic", "lipschitz")}


@dataclass(frozen=True)
class LipschitzSettings:
    """Lengths and counts of the chapter's runs at one scale.

    Attributes
    ----------
    ring_iters : int
        Generator iterations of every ring run (shorter than chapter 3's at ``quick``).
    ring_seeds : int
        Seeds of each side-by-side ring run.
    digit_iters : int
        Generator iterations of every digit run (half of chapter 4's at ``quick``).
    digit_seeds : int
        Seeds of each side-by-side digit run.
    digit_clip_values : tuple of float
        The clip values of the digits sweep (c = 0.01, shared with the side-by-side clip
        run, among them).
    """

    ring_iters: int
    ring_seeds: int
    digit_iters: int
    digit_seeds: int
    digit_clip_values: tuple[float, ...]


SETTINGS: dict[str, LipschitzSettings] = {
    "smoke": LipschitzSettings(ring_iters=20, ring_seeds=2, digit_iters=4, digit_seeds=1,
                               digit_clip_values=CLIP_SWEEP),
    "quick": LipschitzSettings(ring_iters=1000, ring_seeds=5, digit_iters=500, digit_seeds=5,
                               digit_clip_values=CLIP_SWEEP),
    "paper": LipschitzSettings(ring_iters=20_000, ring_seeds=10, digit_iters=20_000,
                               digit_seeds=3, digit_clip_values=CLIP_SWEEP),
}
"""The chapter's :class:`LipschitzSettings`, per scale name."""


def lipschitz_settings(scale: Scale) -> LipschitzSettings:
    """The :data:`SETTINGS` entry of ``scale``.

    A dry run of ``paper`` caps (:meth:`wgan.plan.scale.Scale.cap`) its counts: one ring
    iteration and two ring seeds, :data:`wgan.experiments.images.DRY_RUN_ITERS` digit
    iterations and one digit seed, and the first three clip values of the digits sweep (at
    the paper's image size each run's warm-up alone is 100 critic steps on 64x64 images).
    ``smoke`` and ``quick`` are short already: their dry runs are their runs.

    Parameters
    ----------
    scale : Scale

    Returns
    -------
    LipschitzSettings
    """
    settings = SETTINGS[scale.name]
    if scale.name != "paper":
        return settings
    return replace(settings, ring_iters=scale.cap(settings.ring_iters, 1),
                   ring_seeds=scale.cap(settings.ring_seeds, 2),
                   digit_iters=scale.cap(settings.digit_iters, DRY_RUN_ITERS),
                   digit_seeds=scale.cap(settings.digit_seeds, 1),
                   digit_clip_values=scale.cap(settings.digit_clip_values, 3))


def _check_method(method: str, caller: str) -> None:
    if method not in RING_METHODS:
        raise ValueError(
            f"The 'method' parameter of {caller} must be one of "
            f"{', '.join(map(repr, RING_METHODS))}. Got {method!r} instead."
        )


def ring_config(method: str, scale: Scale, *, generator_iters: int, seed: int = 0,
                device: str = "auto", **overrides: Any) -> TrainConfig:
    """The ring run of one constraint; see the module docstring.

    Parameters
    ----------
    method : {"clip", "gp", "sn"}
    scale : Scale
        Picks chapter 3's sizes (:data:`wgan.experiments.mixture.SCALES`).
    generator_iters : int
    seed : int, default=0
    device : str, default="auto"
    **overrides
        Any other TrainConfig setting, applied last.

    Returns
    -------
    TrainConfig
    """
    _check_method(method, "ring_config")
    procedure = {} if method == "clip" else {**_ADAM, "lipschitz": method}
    return mixture_config("wgan", scale, seed=seed, device=device,
                          generator_iters=generator_iters, **{**procedure, **overrides})


def clip_sweep_config(clip_value: float, scale: Scale, *, generator_iters: int, seed: int = 0,
                      device: str = "auto") -> TrainConfig:
    """Algorithm 1's ring run with the clip value ``clip_value``."""
    return ring_config("clip", scale, generator_iters=generator_iters, seed=seed,
                       device=device, clip_value=clip_value)


def ring_seeds(scale: Scale, seed: int = 0) -> list[int]:
    """The seeds of the side-by-side ring runs: ``seed``, ``seed + 1``, ...
    (:attr:`LipschitzSettings.ring_seeds` of them)."""
    return list(range(seed, seed + lipschitz_settings(scale).ring_seeds))


def digit_seeds(scale: Scale, seed: int = 0) -> list[int]:
    """The seeds of the side-by-side digit runs: ``seed``, ``seed + 1``, ...
    (:attr:`LipschitzSettings.digit_seeds` of them)."""
    return list(range(seed, seed + lipschitz_settings(scale).digit_seeds))


def digit_config(method: str, scale: Scale, *, seed: int = 0, device: str = "auto",
                 clip_value: float = 0.01) -> TrainConfig:
    """The digit run of one constraint; see the module docstring.

    Chapter 4's ``wgan-dcgan`` run at ``scale`` (image side, batch, widths, the warm-up of
    Algorithm 1, off where a dry run caps the run's length) on the digits, with the
    ``dcgan_nobn`` critic, :attr:`LipschitzSettings.digit_iters` generator iterations and 10
    snapshots along them;
    ``gp`` and ``sn`` take WGAN-GP's Adam procedure as the ring runs do.

    Parameters
    ----------
    method : {"clip", "gp", "sn"}
    scale : Scale
    seed : int, default=0
    device : str, default="auto"
    clip_value : float, default=0.01
        c of ``"clip"`` (the sweep's values).

    Returns
    -------
    TrainConfig
    """
    _check_method(method, "digit_config")
    iters = lipschitz_settings(scale).digit_iters
    every = max(1, iters // 10)
    # Chapter 4's warm-up, unless a dry run caps this run's length (and with it the warm-up,
    # as image_config does): at smoke and quick a dry run's digit runs are the runs.
    undry = Scale(scale.name)
    warmup = (image_config("wgan-dcgan", undry).critic_warmup
              and iters == lipschitz_settings(undry).digit_iters)
    config = image_config("wgan-dcgan", scale, seed=seed, device=device).replace(
        critic="dcgan_nobn", dataset=DIGITS.dataset, data_root=DIGITS.root,
        generator_iters=iters, snapshot_every=every, sample_every=every, checkpoint_every=every,
        critic_warmup=warmup,
    )
    if method == "clip":
        return config.replace(clip_value=clip_value)
    return config.replace(**_ADAM, lipschitz=method)


def _ring_spec(method: str, config: TrainConfig) -> RunSpec:
    """The spec of a ring run of ``method``: the clip sweep's runs share the clip run's name."""
    return RunSpec(f"lipschitz-{method}", config, (CHAPTER,))


def _digit_spec(method: str, config: TrainConfig) -> RunSpec:
    """The spec of a digit run of ``method``: the digits sweep's runs share the clip run's
    name."""
    return RunSpec(f"lipschitz-digits-{method}", config, (CHAPTER,))


def side_by_side_specs(scale: Scale, *, seed: int = 0, device: str = "auto"
                       ) -> dict[tuple[str, int], RunSpec]:
    """``(method, seed) -> spec`` of every side-by-side ring run, in the chapter's order."""
    iters = lipschitz_settings(scale).ring_iters
    return {(m, s): _ring_spec(m, ring_config(m, scale, generator_iters=iters, seed=s,
                                              device=device))
            for m in RING_METHODS for s in ring_seeds(scale, seed)}


def clip_sweep_specs(scale: Scale, *, seed: int = 0, device: str = "auto"
                     ) -> dict[float, RunSpec]:
    """``c -> spec`` of the ring clip sweep (:data:`CLIP_SWEEP`), seed ``seed``; its run at
    c = 0.01 is the side-by-side clip run of that seed."""
    iters = lipschitz_settings(scale).ring_iters
    return {c: _ring_spec("clip", clip_sweep_config(c, scale, generator_iters=iters,
                                                    seed=seed, device=device))
            for c in CLIP_SWEEP}


def digit_side_by_side_specs(scale: Scale, *, seed: int = 0, device: str = "auto"
                             ) -> dict[tuple[str, int], RunSpec]:
    """``(method, seed) -> spec`` of every side-by-side digit run, in the chapter's order."""
    return {(m, s): _digit_spec(m, digit_config(m, scale, seed=s, device=device))
            for m in RING_METHODS for s in digit_seeds(scale, seed)}


def digit_clip_sweep_specs(scale: Scale, *, seed: int = 0, device: str = "auto"
                           ) -> dict[float, RunSpec]:
    """``c -> spec`` of the clip sweep on the digits
    (:attr:`LipschitzSettings.digit_clip_values`), seed ``seed``; its run at c = 0.01 is the
    side-by-side digit clip run of that seed."""
    return {c: _digit_spec("clip", digit_config("clip", scale, seed=seed, device=device,
                                                clip_value=c))
            for c in lipschitz_settings(scale).digit_clip_values}


def lipschitz_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """Every run of the chapter, for the run registry: the side-by-side ring runs, the ring
    clip sweep, the side-by-side digit runs and the digits clip sweep, in that order (the
    sweeps' runs at c = 0.01 repeat a side-by-side run)."""
    families = (side_by_side_specs, clip_sweep_specs, digit_side_by_side_specs,
                digit_clip_sweep_specs)
    return [spec for family in families
            for spec in family(scale, seed=seed, device=device).values()]


def _fetch_all(specs: dict[K, RunSpec], scale: Scale, root: str | Path | None
               ) -> dict[K, RunResult]:
    return {key: fetch(spec, scale, root) for key, spec in specs.items()}


def side_by_side_runs(scale: Scale, *, seed: int = 0, device: str = "auto",
                      root: str | Path | None = None) -> dict[tuple[str, int], RunResult]:
    """``(method, seed) -> run`` of :func:`side_by_side_specs`, trained or read back
    (:func:`wgan.plan.fetch.fetch`; ``root``, the parent of the scale folders, is
    :func:`wgan.paths.runs_dir` when ``None``)."""
    return _fetch_all(side_by_side_specs(scale, seed=seed, device=device), scale, root)


def clip_sweep_runs(scale: Scale, *, seed: int = 0, device: str = "auto",
                    root: str | Path | None = None) -> dict[float, RunResult]:
    """``c -> run`` of :func:`clip_sweep_specs`, fetched as :func:`side_by_side_runs`."""
    return _fetch_all(clip_sweep_specs(scale, seed=seed, device=device), scale, root)


def digit_side_by_side_runs(scale: Scale, *, seed: int = 0, device: str = "auto",
                            root: str | Path | None = None
                            ) -> dict[tuple[str, int], RunResult]:
    """``(method, seed) -> run`` of :func:`digit_side_by_side_specs`, fetched as
    :func:`side_by_side_runs`."""
    return _fetch_all(digit_side_by_side_specs(scale, seed=seed, device=device), scale, root)


def digit_clip_sweep_runs(scale: Scale, *, seed: int = 0, device: str = "auto",
                          root: str | Path | None = None) -> dict[float, RunResult]:
    """``c -> run`` of :func:`digit_clip_sweep_specs`, fetched as :func:`side_by_side_runs`."""
    return _fetch_all(digit_clip_sweep_specs(scale, seed=seed, device=device), scale, root)


def trained_critic(result: RunResult) -> torch.nn.Module:
    """The critic of a run's last checkpoint, in eval mode, on the CPU."""
    _, critic = build_models(result.config, tuple(result.detail["sample_shape"]))
    critic.load_state_dict(load_checkpoint(result.run_dir / CHECKPOINT_NAME)["critic"])
    return critic.eval()


def _final_critic(result: RunResult, samples: torch.Tensor, window: int) -> dict[str, float]:
    """The final critic's gradient norms at ``samples`` and the run's last logged estimate."""
    norms = critic_gradients(trained_critic(result), samples).norm(dim=1).numpy()
    return {
        "grad_norm_median": float(np.median(norms)),
        "grad_norm_p10": float(np.quantile(norms, 0.1)),
        "grad_norm_p90": float(np.quantile(norms, 0.9)),
        "estimate": float(result.metrics["w_estimate"].tail(window).mean()),
    }


def ring_measures(result: RunResult, reference: torch.Tensor, *, n: int, seed: int = 0,
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
    critic = _final_critic(result, generator_samples(result, n, seed=seed), window)
    final = {
        "modes": last["modes"], "high_quality": last["high_quality"], "w1": last["w1"],
        "first_full": float(full.iloc[0]) if len(full) else float("nan"),
        **critic, "k": critic["estimate"] / last["w1"],
    }
    return curve, final


def digit_reference(scale: Scale) -> QualityReference:
    """Held-out digits, the sampling floor and the digit classifier of the digit runs."""
    return quality_reference(scale, DIGITS)


def digit_measures(result: RunResult, reference: QualityReference, *, width: int,
                   seed: int = 0, window: int = 50) -> tuple[pd.DataFrame, dict]:
    """Quality along a digit run and the measures of its final critic.

    Parameters
    ----------
    result : RunResult
        A finished digit run with snapshots.
    reference : QualityReference
        :func:`digit_reference` of the run's scale (with its digit classifier).
    width : int
        Odd window, in generator iterations, over which the logged estimate is read at
        each snapshot (:func:`wgan.quality.curve_at`), as in chapter 4.
    seed : int, default=0
        Seed of the noise drawn through every snapshot.
    window : int, default=50
        Last generator iterations over which the logged estimate is averaged for K.

    Returns
    -------
    curve : pandas.DataFrame
        :func:`wgan.quality.quality_along_run`'s rows (pixel W1, confidence, classes
        covered) and ``estimate``, the logged estimate read at each snapshot.
    final : dict
        ``pixel_w1``, ``classes``, ``confidence`` (last snapshot); ``first_all`` (first
        kept iteration with all 10 classes covered, NaN if none); ``spearman`` (rank
        correlation of the estimate with the pixel W1 over the snapshots, chapter 4's
        measure); ``grad_norm_median``, ``grad_norm_p10``, ``grad_norm_p90``
        (||grad_x f|| of the final critic at final generated images, in pixel units);
        ``estimate`` (mean logged ``w_estimate`` over the last ``window`` iterations) and
        ``k`` (= estimate / pixel W1 of the last snapshot).
    """
    curve = quality_along_run(result, reference.heldout, classifier=reference.classifier.model,
                              n_samples=reference.n_samples, seed=seed)
    curve["estimate"] = curve_at(result.metrics, "w_estimate", curve["gen_iter"], width)
    last = curve.iloc[-1]
    measured = curve.dropna(subset=["pixel_w1"])
    full = curve.loc[curve["classes_covered"] == N_DIGITS, "gen_iter"]
    critic = _final_critic(result, generate_images(result, None, reference.n_samples, seed),
                           window)
    final = {
        "pixel_w1": last["pixel_w1"], "classes": last["classes_covered"],
        "confidence": last["confidence"],
        "first_all": float(full.iloc[0]) if len(full) else float("nan"),
        "spearman": rank_correlation(measured["estimate"], measured["pixel_w1"]).rho,
        **critic, "k": critic["estimate"] / last["pixel_w1"],
    }
    return curve, final
