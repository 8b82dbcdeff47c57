"""Sample quality at every generator snapshot of a run, computed offline and cached.

A run keeps its generator's weights every ``snapshot_every`` generator iterations
(:class:`wgan.training.rundir.RunResult`). :func:`quality_along_run` draws the same noise batch
through each snapshot and measures the images against held-out real ones: the pixel-space W1
(:mod:`wgan.quality.pixel`), when a digit classifier is given, confidence and class
coverage (:mod:`wgan.quality.digits`), and when the yardstick's judge is given, its
Fréchet distance, precision and coverage (:mod:`wgan.quality.yardstick`). Nothing here
touches the critic, so these numbers can be set against the critic's loss curve
(:mod:`wgan.quality.correlation`).

The table is written next to the run (``quality-<key>.csv``, the key hashing every
setting that changes it), so re-executing a notebook reads it back instead of
measuring again.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import torch

from wgan.files import atomic_path
from wgan.quality.digits import CLASSIFIER_VERSION, DigitClassifier, digit_scores
from wgan.quality.pixel import pixel_w1
from wgan.quality.yardstick import (
    QUALITY_FIELDS,
    YARDSTICK_VERSION,
    Yardstick,
    sample_quality,
)
from wgan.training.rundir import RunResult

QUALITY_COLUMNS: tuple[str, ...] = ("gen_iter", "pixel_w1")
DIGIT_COLUMNS: tuple[str, ...] = (
    "confidence", "digit_fraction", "classes_covered", "effective_classes",
)
JUDGE_COLUMNS: tuple[str, ...] = QUALITY_FIELDS
"""The yardstick's columns (:class:`wgan.quality.yardstick.SampleQuality`): Fréchet
distance, precision, coverage."""


def generate(result: RunResult, iteration: int | None, n_samples: int, seed: int
             ) -> torch.Tensor:
    """Images from a run's generator at one snapshot, from a fixed noise batch.

    Parameters
    ----------
    result : RunResult
    iteration : int or None
        One of ``result.snapshots``; ``None`` for the last checkpoint.
    n_samples : int
        Images to draw.
    seed : int
        Seed of the noise: the same seed gives the same z at every snapshot.

    Returns
    -------
    torch.Tensor of shape (n_samples, *sample_shape), float32, on the CPU
        The generator in eval mode (BatchNorm with its running statistics), as in the
        run's sample grids.
    """
    if not isinstance(n_samples, int) or n_samples <= 0:
        raise ValueError(
            f"The 'n_samples' parameter must be a positive int. Got {n_samples!r} instead."
        )
    generator = result.load_generator(iteration)
    z = torch.randn(n_samples, result.config.nz, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return torch.cat([generator(chunk) for chunk in z.split(256)]).float()


def _parameter_sum(model: torch.nn.Module) -> float:
    return float(sum(p.detach().double().sum() for p in model.parameters()))


def _key(result: RunResult, reference: torch.Tensor, classifier: DigitClassifier | None,
         judge: Yardstick | None, n_samples: int, seed: int, iterations: list[int]) -> str:
    fingerprint = {
        "reference": [list(reference.shape), float(reference.double().sum())],
        "classifier": CLASSIFIER_VERSION if classifier is not None else None,
        "classifier_sum": (_parameter_sum(classifier) if classifier is not None else None),
        "n_samples": n_samples,
        "seed": seed,
        "iterations": iterations,
        "status": [result.status, result.detail.get("checkpoint_gen_iter")],
    }
    if judge is not None:  # absent from the key of a table measured without it, as before
        fingerprint["judge"] = [YARDSTICK_VERSION, _parameter_sum(judge.model)]
    return hashlib.sha256(json.dumps(fingerprint).encode()).hexdigest()[:10]


def quality_along_run(
    result: RunResult,
    reference: torch.Tensor,
    *,
    classifier: DigitClassifier | None = None,
    judge: Yardstick | None = None,
    n_samples: int = 500,
    seed: int = 0,
    iterations: list[int] | None = None,
) -> pd.DataFrame:
    """Pixel-space W1 (and digit scores, and the yardstick) of the generator at each
    snapshot of a run.

    Parameters
    ----------
    result : RunResult
        A finished or diverged run with snapshots (``snapshot_every > 0``).
    reference : torch.Tensor of shape (m, *sample_shape)
        Held-out real images (uint8), e.g. ``load_images(..., split="heldout")``.
    classifier : DigitClassifier or None, default=None
        Adds the columns of :data:`DIGIT_COLUMNS` (digits data only).
    judge : Yardstick or None, default=None
        Adds the columns of :data:`JUDGE_COLUMNS` (digits data only), measured against
        ``reference``.
    n_samples : int, default=500
        Generated images per snapshot.
    seed : int, default=0
        Seed of the noise batch, shared by all snapshots.
    iterations : list of int or None, default=None
        Snapshots to measure; all of ``result.snapshots`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per snapshot: ``gen_iter`` (generator updates done), ``pixel_w1`` and,
        with a classifier, :data:`DIGIT_COLUMNS`, with a judge, :data:`JUDGE_COLUMNS` (NaN
        where the generator's images are not finite). Read from the run directory when it
        was measured before with the same settings.
    """
    chosen = list(result.snapshots if iterations is None else iterations)
    missing = sorted(set(chosen) - set(result.snapshots))
    if not chosen or missing:
        raise ValueError(
            f"The 'iterations' parameter of quality_along_run must name kept snapshots of "
            f"the run, {result.snapshots}. Got {chosen!r} instead (missing {missing}). Set "
            "snapshot_every in the run's config to keep snapshots."
        )
    path = result.run_dir / (
        f"quality-{_key(result, reference, classifier, judge, n_samples, seed, chosen)}.csv"
    )
    if path.is_file():
        return pd.read_csv(path)
    rows = []
    for iteration in chosen:
        images = generate(result, iteration, n_samples, seed)
        row: dict[str, float] = {"gen_iter": iteration, "pixel_w1": math.nan}
        if classifier is not None:
            row |= dict.fromkeys(DIGIT_COLUMNS, math.nan)
        if judge is not None:
            row |= dict.fromkeys(JUDGE_COLUMNS, math.nan)
        if torch.isfinite(images).all():  # a diverged generator scores NaN, not an error
            row["pixel_w1"] = pixel_w1(images, reference)
            if classifier is not None:
                scores = digit_scores(images, classifier)
                row |= {name: getattr(scores, name) for name in DIGIT_COLUMNS}
            if judge is not None:
                quality = sample_quality(images, reference, judge)
                row |= {name: getattr(quality, name) for name in JUDGE_COLUMNS}
        rows.append(row)
    table = pd.DataFrame(rows)
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)
    return table


def reference_floor(train: torch.Tensor, reference: torch.Tensor, n_samples: int, seed: int = 0
                    ) -> float:
    """Pixel W1 between ``n_samples`` real training images and the held-out reference.

    The value a perfect generator would score at the same sample size: the sampling
    floor every :func:`quality_along_run` value is to be read against.

    Parameters
    ----------
    train : torch.Tensor of shape (N, *sample_shape)
        Training images (uint8); ``n_samples`` are drawn without replacement.
    reference : torch.Tensor of shape (m, *sample_shape)
    n_samples : int
    seed : int, default=0

    Returns
    -------
    float
    """
    if not 0 < n_samples <= len(train):
        raise ValueError(
            f"The 'n_samples' parameter of reference_floor must be in [1, {len(train)}] (the "
            f"training images available). Got {n_samples!r} instead."
        )
    index = np.random.default_rng(seed).choice(len(train), size=n_samples, replace=False)
    return pixel_w1(train[torch.from_numpy(index)], reference)


def evenly_spaced(snapshots: list[int], count: int) -> list[int]:
    """``count`` snapshots spread evenly over a run, the first and the last included.

    Parameters
    ----------
    snapshots : list of int
        Sorted kept iterations (``RunResult.snapshots``).
    count : int
        How many to pick (all of them when there are fewer).

    Returns
    -------
    list of int
    """
    if not snapshots or count <= 0:
        raise ValueError(
            f"The 'snapshots' parameter of evenly_spaced must be non-empty and 'count' positive. "
            f"Got {len(snapshots)} snapshots and count={count!r} instead."
        )
    positions = np.linspace(0, len(snapshots) - 1, min(count, len(snapshots)))
    return [snapshots[round(float(p))] for p in positions]
