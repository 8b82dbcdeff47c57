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

The speed chapter's runs (:func:`curve_specs`, sized per scale by :data:`CURVE_SETTINGS`)
compare float32 with bfloat16 autocast and channels-last; :func:`equivalence_curves` gives
the chapter their curves.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wgan.plan.fetch import fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
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


def learning_curves(specs: Sequence[RunSpec], scale: Scale, root: str | Path | None = None,
                    *, column: str = "w_estimate") -> np.ndarray:
    """One metric along training, one row per run (e.g. the seeds of one way of computing),
    each run trained or read back (:func:`wgan.plan.fetch.fetch`).

    Parameters
    ----------
    specs : sequence of RunSpec
        Runs of the same length.
    scale : Scale
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.
    column : str, default="w_estimate"
        A metrics column (:data:`wgan.training.run.METRIC_COLUMNS`).

    Returns
    -------
    numpy.ndarray of shape (len(specs), generator_iters)

    Raises
    ------
    ValueError
        If a run diverged (its curve is cut short).
    """
    curves = []
    for spec in specs:
        result = fetch(spec, scale, root)
        if result.status != "finished":
            raise ValueError(
                f"The run of seed {spec.config.seed} in {str(result.run_dir)!r} "
                f"{result.status}; its learning curve is incomplete. Lower the learning rates."
            )
        curves.append(result.metrics[column].to_numpy())
    return np.stack(curves)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


@dataclass(frozen=True)
class CurveSettings:
    """The speed chapter's short WGAN runs on the digits at one scale.

    Attributes
    ----------
    sizes : dict of str to int
        :class:`~wgan.training.config.TrainConfig` settings (image side, widths, batch,
        ``generator_iters``, ...).
    seeds : int
        Seeds of each of the two sets of curves.
    """

    sizes: dict[str, int]
    seeds: int


CURVE_SETTINGS: dict[str, CurveSettings] = {
    "smoke": CurveSettings({"image_size": 16, "ngf": 8, "ndf": 8, "nz": 8, "batch_size": 16,
                            "n_critic": 2, "generator_iters": 6}, seeds=3),
    "quick": CurveSettings({"image_size": 32, "ngf": 16, "ndf": 16, "batch_size": 32,
                            "generator_iters": 100}, seeds=3),
    "paper": CurveSettings({"image_size": 64, "generator_iters": 1000}, seeds=5),
}
"""The speed chapter's :class:`CurveSettings`, per scale name."""

CHAPTER = "07_speed"
"""The notebook that reads the curve runs."""
REFERENCE, CANDIDATE = "speed-float32", "speed-fast"
"""Names of the two sets of curve runs: float32, and the fast path under test."""

DRY_RUN_ITERS = 2  # generator iterations of each curve in a dry run
DRY_RUN_SEEDS = 2  # seeds per path in a dry run (a seed-to-seed distance needs two)


def curve_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """The speed chapter's runs: the float32 runs of every seed, then the fast runs.

    :data:`REFERENCE` runs in float32, contiguous, uncompiled; :data:`CANDIDATE` in
    bfloat16 autocast with channels-last, the fast path with the most rounding. Both run
    the seeds ``seed, seed + 1, ...`` (:attr:`CurveSettings.seeds`, :data:`CURVE_SETTINGS`).
    A dry run (:meth:`wgan.plan.scale.Scale.cap`) caps the iterations and the seeds to
    :data:`DRY_RUN_ITERS` and :data:`DRY_RUN_SEEDS`.

    Parameters
    ----------
    scale : Scale
    seed : int, default=0
    device : str, default="auto"

    Returns
    -------
    list of RunSpec
    """
    settings = CURVE_SETTINGS[scale.name]
    config = TrainConfig(dataset="digits", critic_warmup=False, device=device,
                         sample_every=10_000, **{**settings.sizes, "generator_iters": scale.cap(
                             settings.sizes["generator_iters"], DRY_RUN_ITERS)})
    seeds = [seed + i for i in range(scale.cap(settings.seeds, DRY_RUN_SEEDS))]
    paths = {
        REFERENCE: config.replace(precision="float32", channels_last=False, compile="off"),
        CANDIDATE: config.replace(precision="bfloat16", channels_last=True),
    }
    return [RunSpec(name, path.replace(seed=s), (CHAPTER,))
            for name, path in paths.items() for s in seeds]


def equivalence_curves(scale: Scale, *, seed: int = 0, device: str = "auto",
                       root: str | Path | None = None, column: str = "w_estimate"
                       ) -> tuple[np.ndarray, np.ndarray, list[TrainConfig]]:
    """The learning curves of the runs of :func:`curve_specs` (:func:`learning_curves`).

    Parameters
    ----------
    scale : Scale
    seed : int, default=0
    device : str, default="auto"
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.
    column : str, default="w_estimate"
        A metrics column (:data:`wgan.training.run.METRIC_COLUMNS`).

    Returns
    -------
    reference : numpy.ndarray of shape (n_seeds, generator_iters)
        The float32 curves, one row per seed.
    fast : numpy.ndarray of shape (n_seeds, generator_iters)
        The fast path's curves, row ``i`` with the seed of ``reference`` row ``i``.
    fast_configs : list of TrainConfig
        The fast path's configs, row by row (their ``seed`` labels the rows).

    Raises
    ------
    ValueError
        If a run diverged.
    """
    specs = curve_specs(scale, seed=seed, device=device)
    reference = [spec for spec in specs if spec.name == REFERENCE]
    candidate = [spec for spec in specs if spec.name == CANDIDATE]
    return (learning_curves(reference, scale, root, column=column),
            learning_curves(candidate, scale, root, column=column),
            [spec.config for spec in candidate])
