"""Are two ways of running the same training statistically the same? Learning curves compared.

A fast step (bfloat16, another memory layout, compiled kernels) does not reproduce the
float32 step bit for bit: rounding differs at every operation, and training amplifies the
difference. What matters is whether it changes the learning curve more than the
randomness of training already does. :func:`curve_distances` measures both on the same
scale:

- the *paired* distance: the RMS difference between the candidate's curve and the
  reference's curve of the same seed, averaged over seeds;
- the *seed-to-seed* distance: the RMS difference between reference curves of two
  different seeds, averaged over all pairs of seeds.

The candidate is equivalent when changing the way of computing moves a curve less than
changing the seed does: paired distance at most the seed-to-seed distance.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wgan.book.scales import cap
from wgan.training.config import TrainConfig


@dataclass(frozen=True)
class CurveDistances:
    """Distances between learning curves, in the curves' units.

    Attributes
    ----------
    paired : float
        Mean over seeds of the RMS difference between candidate and reference.
    seed_to_seed : float
        Mean over pairs of distinct seeds of the RMS difference between reference curves.
    """

    paired: float
    seed_to_seed: float

    @property
    def ratio(self) -> float:
        """``paired / seed_to_seed``: at most 1 when the candidate is within the seed spread."""
        return self.paired / self.seed_to_seed

    @property
    def equivalent(self) -> bool:
        """Whether the paired distance is at most the seed-to-seed distance."""
        return self.paired <= self.seed_to_seed


def curve_distances(reference: np.ndarray, candidate: np.ndarray) -> CurveDistances:
    """Compare two sets of learning curves run with the same seeds.

    Parameters
    ----------
    reference : array-like of shape (n_seeds, n_iterations)
        Curves of the reference computation (e.g. float32), one row per seed.
    candidate : array-like of shape (n_seeds, n_iterations)
        Curves of the computation under test, row ``i`` with the seed of reference row ``i``.

    Returns
    -------
    CurveDistances

    Raises
    ------
    ValueError
        If the shapes differ, fewer than two seeds are given, or a value is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> reference = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> d = curve_distances(reference, reference + 0.1)
    >>> round(d.paired, 3), round(d.seed_to_seed, 3), d.equivalent
    (0.1, 1.0, True)
    """
    reference = np.asarray(reference, dtype=float)
    candidate = np.asarray(candidate, dtype=float)
    if reference.ndim != 2 or reference.shape != candidate.shape or len(reference) < 2:
        raise ValueError(
            "The 'reference' and 'candidate' parameters of curve_distances must have the same "
            "shape (n_seeds, n_iterations) with at least 2 seeds. Got shapes "
            f"{reference.shape} and {candidate.shape} instead."
        )
    if not (np.isfinite(reference).all() and np.isfinite(candidate).all()):
        raise ValueError(
            "The curves given to curve_distances must be finite; a run diverged. Compare "
            "runs that finished."
        )
    paired = np.mean([_rms(c - r) for r, c in zip(reference, candidate, strict=True)])
    seed_to_seed = np.mean(
        [_rms(a - b) for a, b in itertools.combinations(reference, 2)]
    )
    return CurveDistances(float(paired), float(seed_to_seed))


def learning_curves(
    config: TrainConfig, seeds: Sequence[int], name: str, *, root: str | Path | None = None,
    column: str = "w_estimate",
) -> np.ndarray:
    """One metric along training, for ``config`` run once per seed (cached runs).

    Parameters
    ----------
    config : TrainConfig
        Everything but the seed.
    seeds : sequence of int
    name : str
        Prefix of the run directories (:func:`wgan.training.run.cached_run`).
    root : str or pathlib.Path or None, default=None
        Parent of the run directories; :func:`wgan.paths.runs_dir` when ``None``.
    column : str, default="w_estimate"
        A metrics column (:data:`wgan.training.run.METRIC_COLUMNS`).

    Returns
    -------
    numpy.ndarray of shape (len(seeds), config.generator_iters)

    Raises
    ------
    ValueError
        If a run diverged (its curve is cut short).
    """
    from wgan.training.run import cached_run

    curves = []
    for seed in seeds:
        result = cached_run(config.replace(seed=seed), name, root, progress=False)
        if result.status != "finished":
            raise ValueError(
                f"The run of seed {seed} in {str(result.run_dir)!r} {result.status}; its "
                "learning curve is incomplete. Lower the learning rates."
            )
        curves.append(result.metrics[column].to_numpy())
    return np.stack(curves)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


CURVE_SIZES: dict[str, dict[str, int]] = {
    "smoke": {"image_size": 16, "ngf": 8, "ndf": 8, "nz": 8, "batch_size": 16, "n_critic": 2,
              "generator_iters": 6},
    "quick": {"image_size": 32, "ngf": 16, "ndf": 16, "batch_size": 32, "generator_iters": 100},
    "paper": {"image_size": 64, "generator_iters": 1000},
}
"""Sizes of the speed chapter's short WGAN runs on the digits, per scale."""
CURVE_SEEDS: dict[str, int] = {"smoke": 3, "quick": 3, "paper": 5}
"""Seeds of each of the two sets of curves, per scale."""


DRY_RUN_ITERS = 2  # generator iterations of each curve in a dry run
DRY_RUN_SEEDS = 2  # seeds per path in a dry run (a seed-to-seed distance needs two)


def curve_runs(
    scale: str, *, seed: int = 0, device: str = "auto"
) -> dict[str, tuple[TrainConfig, list[int]]]:
    """The speed chapter's runs: ``{cached_run name: (config but the seed, seeds)}``.

    ``"speed-float32"`` runs in float32, contiguous, uncompiled; ``"speed-fast"`` in
    bfloat16 autocast with channels-last, the fast path with the most rounding. Both run
    the seeds ``seed, seed + 1, ...`` (:data:`CURVE_SEEDS`). A dry run
    (:func:`wgan.book.scales.cap`) caps the iterations and the seeds to
    :data:`DRY_RUN_ITERS` and :data:`DRY_RUN_SEEDS`.

    Parameters
    ----------
    scale : {"smoke", "quick", "paper"}
    seed : int, default=0
    device : str, default="auto"
    """
    if scale not in CURVE_SIZES:
        raise ValueError(
            f"The 'scale' parameter of curve_runs must be one of "
            f"{', '.join(map(repr, CURVE_SIZES))}. Got {scale!r} instead."
        )
    sizes = CURVE_SIZES[scale]
    config = TrainConfig(dataset="digits", critic_warmup=False, device=device,
                         sample_every=10_000, **{**sizes, "generator_iters": cap(
                             sizes["generator_iters"], DRY_RUN_ITERS)})
    seeds = [seed + i for i in range(cap(CURVE_SEEDS[scale], DRY_RUN_SEEDS))]
    return {
        "speed-float32": (config.replace(precision="float32", channels_last=False,
                                         compile="off").validate(), seeds),
        "speed-fast": (config.replace(precision="bfloat16", channels_last=True).validate(),
                       seeds),
    }
