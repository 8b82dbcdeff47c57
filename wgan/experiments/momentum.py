"""The optimizer sweep of Section 4.3's negative result: RMSProp against Adam, per learning rate.

    "WGAN training becomes unstable at times when one uses a momentum based optimizer such
    as Adam (with beta1 > 0) on the critic, or when one uses high learning rates. [...] as
    the loss blew up and samples got worse, the cosine between the Adam step and the
    gradient usually turned negative." (Section 4.3 of [1])

:func:`run_sweep` trains the same WGAN (Algorithm 1, weight clipping c = 0.01, n_critic = 5)
with every optimizer of :data:`OPTIMIZERS` at every learning rate of the scale, on the
datasets of the scale, several seeds each (:func:`momentum_specs`), all through
:func:`wgan.plan.fetch.fetch` with ``log_update_cosine`` on (:mod:`wgan.training.instrument`):

- ``"ring8"``: the ring of 8 Gaussians (:func:`wgan.theory.toy.gaussian_ring`) with the MLP
  generator and critic, as in Section 4.1's toy experiment;
- ``"images"``: the image data of :func:`wgan.experiments.images.image_data` (the embedded digits
  below the paper scale) with the DCGAN generator and critic of the image experiments
  (:func:`wgan.experiments.images.image_config`, key ``"wgan-dcgan"``), smaller at smoke.

Both networks use the optimizer under test, as the authors' ``--adam`` switch does, with
the same learning rate. A run that produces a non-finite loss stops through the run loop's
guard (``RunResult.status == "diverged"``) and is kept in the sweep.

Sample quality is measured without the critic (the paper's "samples got worse") at
:attr:`MomentumSettings.snapshots` generator snapshots of every run
(:func:`sample_quality`): on the ring the exact W1 of the samples to a balanced sample of
the ring (:func:`ring_sample_quality`), on the digits the Fréchet distance of the
yardstick (:mod:`wgan.quality.yardstick`). :mod:`wgan.experiments.blowups` reads the
blow-ups from it.

**Sizes, chosen from cost before the quick sweep ran** (issue 30, item 8). Measured here
with one thread (``OMP_NUM_THREADS=1``, process time, on a 2-core Xeon at 2.8 GHz under a
load of 3 to 9 from other work): a ring iteration (5 critic steps and a generator step,
cosines logged) 27-34 ms, a quick image iteration (width 8, 16x16) 63-74 ms, a quality
measurement 0.14 s per ring snapshot and 0.16 s per image snapshot. The sweep of 6ecac2d
(400 ring and 200 image iterations, 120 runs) cost about 1,600 core-seconds. A pilot of the
reference runs only (RMSProp, alpha = 5e-5, seed 0; no other optimizer) showed the ring's
sample W1 falling from 1.97 to 0.91 at 400 iterations, 0.59 at 1,200 and levelling off
near 0.46 from 1,700 on, and the digits' FD at 533 after 1,200 iterations, six times the
moment-matched Gaussian's 88.6 and still falling by about 15% per 100 iterations: the
digits' reference cannot converge within the quick budget (some 3,000 iterations for the
60 runs would take about 13,000 core-seconds). At quick the sweep is therefore the ring
only, 1,200 generator iterations, 3 learning rates, 5 seeds (60 runs): about 1,900
core-seconds of training and 180 of quality, some 500 more than before; the digits are
swept at smoke (a code path) and at the paper scale.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import torch

from wgan.experiments.images import image_config, image_data, quality_reference
from wgan.experiments.mixture import (
    balanced_ring_sample,
    coverage_over_training,
    uniform_ring_sample,
)
from wgan.plan.fetch import fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.quality.along_run import quality_along_run
from wgan.quality.trivial import FLOOR, GAUSSIAN
from wgan.theory.distances import wasserstein1
from wgan.theory.toy import gaussian_ring
from wgan.training.config import TrainConfig
from wgan.training.rundir import RunResult

PAPER_LR = 5e-5  # alpha of Algorithm 1
DATASETS: tuple[str, ...] = ("ring8", "images")
CHAPTER = "06_momentum"  # the notebook that reads the sweep


@dataclass(frozen=True)
class OptimizerChoice:
    """One optimizer of the sweep.

    Attributes
    ----------
    key : str
        Short name, used in run-directory names.
    label : str
        Name in figures and tables.
    name : {"rmsprop", "adam"}
        :attr:`wgan.training.config.TrainConfig.optimizer_d` (and ``optimizer_g``).
    beta1 : float
        Adam's momentum coefficient; for RMSProp (which has no momentum in the paper's
        setting) the config's default, unused.
    """

    key: str
    label: str
    name: str
    beta1: float


OPTIMIZERS: tuple[OptimizerChoice, ...] = (
    OptimizerChoice("rmsprop", "RMSProp", "rmsprop", TrainConfig.beta1),
    OptimizerChoice("adam0", "Adam, beta1=0", "adam", 0.0),
    OptimizerChoice("adam0.5", "Adam, beta1=0.5", "adam", 0.5),
    OptimizerChoice("adam0.9", "Adam, beta1=0.9", "adam", 0.9),
)
"""RMSProp (Algorithm 1), Adam without momentum, Adam with the authors' beta1 = 0.5 and
Adam with Kingma & Ba's default beta1 = 0.9; beta2 = 0.999 throughout."""

_BY_KEY = {choice.key: choice for choice in OPTIMIZERS}


@dataclass(frozen=True)
class MomentumSettings:
    """Sizes of the sweep at one scale.

    Attributes
    ----------
    datasets : tuple of str
        The datasets swept (of :data:`DATASETS`).
    lrs : tuple of float
        Learning rates of both networks; the first is Algorithm 1's alpha = 5e-5, whose
        RMSProp run is the reference of :mod:`wgan.experiments.blowups`.
    seeds : int
        Seeds per (dataset, optimizer, learning rate): 0, 1, ...
    ring_iters, image_iters : int
        Generator iterations of the ring and image runs (``image_iters`` 0: the image
        experiments' own).
    snapshots : int
        Generator snapshots along every run (and the initial one), where sample quality
        is measured.
    ring_hidden, ring_batch : int
        Width of the MLPs and batch size of the ring runs.
    image_size, image_width, image_nz, image_batch : int
        Side in pixels, ngf = ndf, noise dimension and batch size of the image runs;
        0 keeps the image-experiment table's value (:data:`wgan.experiments.images.SCALES`).
    critic_warmup : bool
        The authors' 100-iteration critic schedule.
    """

    datasets: tuple[str, ...]
    lrs: tuple[float, ...]
    seeds: int
    ring_iters: int
    image_iters: int
    snapshots: int
    ring_hidden: int
    ring_batch: int
    image_size: int
    image_width: int
    image_nz: int
    image_batch: int
    critic_warmup: bool


SCALES: dict[str, MomentumSettings] = {
    "smoke": MomentumSettings(datasets=DATASETS, lrs=(PAPER_LR, 1e-2), seeds=1, ring_iters=8,
                              image_iters=3, snapshots=4, ring_hidden=16, ring_batch=32,
                              image_size=16, image_width=4, image_nz=8, image_batch=16,
                              critic_warmup=False),
    "quick": MomentumSettings(datasets=("ring8",), lrs=(PAPER_LR, 1e-3, 1e-2), seeds=5,
                              ring_iters=1_200, image_iters=0, snapshots=20, ring_hidden=128,
                              ring_batch=64, image_size=0, image_width=0, image_nz=0,
                              image_batch=0, critic_warmup=False),
    "paper": MomentumSettings(datasets=DATASETS, lrs=(PAPER_LR, 1e-3, 1e-2), seeds=3,
                              ring_iters=20_000, image_iters=0, snapshots=20, ring_hidden=512,
                              ring_batch=256, image_size=0, image_width=0, image_nz=0,
                              image_batch=0, critic_warmup=True),
}
"""The sizes of the sweep: at quick the ring only, from the cost measured in the module doc."""


DRY_RUN_ITERS = 1  # generator iterations of each ring run in a dry run (image runs: images')
DRY_RUN_LRS = 1  # learning rates in a dry run: Algorithm 1's alpha only
DRY_RUN_SEEDS = 1  # seeds per setting in a dry run


def momentum_settings(scale: Scale) -> MomentumSettings:
    """The :data:`SCALES` entry of ``scale.name``; in a dry run with the ring runs' length,
    the learning rates and the seeds capped (:meth:`wgan.plan.scale.Scale.cap`): the image
    runs take their length from :func:`wgan.experiments.images.image_config`, capped there.
    """
    settings = SCALES[scale.name]
    return replace(settings, ring_iters=scale.cap(settings.ring_iters, DRY_RUN_ITERS),
                   lrs=scale.cap(settings.lrs, DRY_RUN_LRS),
                   seeds=scale.cap(settings.seeds, DRY_RUN_SEEDS))


def momentum_config(
    dataset: str, optimizer: str, lr: float, scale: Scale, *, seed: int = 0,
    device: str = "auto",
) -> TrainConfig:
    """The configuration of one run of the sweep.

    Parameters
    ----------
    dataset : {"ring8", "images"}
        One of the scale's :attr:`MomentumSettings.datasets`.
    optimizer : str
        A key of :data:`OPTIMIZERS` (``rmsprop``, ``adam0``, ``adam0.5``, ``adam0.9``).
    lr : float
        Learning rate of both networks.
    scale : Scale
    seed : int, default=0
    device : str, default="auto"

    Returns
    -------
    TrainConfig
        With ``log_update_cosine=True``.
    """
    settings = momentum_settings(scale)
    if dataset not in settings.datasets:
        raise ValueError(
            f"The 'dataset' parameter of momentum_config must be one of "
            f"{', '.join(map(repr, settings.datasets))} at scale {scale.name}. Got "
            f"{dataset!r} instead."
        )
    if optimizer not in _BY_KEY:
        raise ValueError(
            f"The 'optimizer' parameter of momentum_config must be one of "
            f"{', '.join(map(repr, _BY_KEY))}. Got {optimizer!r} instead."
        )
    choice = _BY_KEY[optimizer]
    if dataset == "ring8":
        iters = settings.ring_iters
        base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", nz=2,
                           mlp_hidden=settings.ring_hidden, batch_size=settings.ring_batch,
                           seed=seed, device=device)
    else:
        base = image_config("wgan-dcgan", scale, seed=seed, device=device)
        sizes = {"image_size": settings.image_size, "ngf": settings.image_width,
                 "ndf": settings.image_width, "nz": settings.image_nz,
                 "batch_size": settings.image_batch}
        base = base.replace(**{k: v for k, v in sizes.items() if v})
        iters = settings.image_iters or base.generator_iters
    # A dry image run leaves out the warm-up, as image_config does; the ring's costs little.
    warmup = settings.critic_warmup and not (scale.dry and dataset == "images")
    return base.replace(
        optimizer_g=choice.name, optimizer_d=choice.name, beta1=choice.beta1,
        lr_g=lr, lr_d=lr, generator_iters=iters, critic_warmup=warmup,
        snapshot_every=max(1, iters // settings.snapshots),
        sample_every=iters, checkpoint_every=max(1, iters // 4), log_update_cosine=True,
    )


@dataclass
class Sweep:
    """The runs of a sweep, read back.

    Attributes
    ----------
    scale : Scale
    runs : pandas.DataFrame
        One row per run: ``dataset``, ``optimizer`` (key), ``label``, ``beta1`` (NaN for
        RMSProp), ``lr``, ``seed``, ``status`` (``finished`` or ``diverged``),
        ``iterations`` (rows logged), ``diverged_at`` (generator iteration whose loss was
        non-finite, else NaN), ``seconds`` (training time) and ``run_dir``.
    metrics : pandas.DataFrame
        Every run's metrics rows (``gen_iter``, ``w_estimate``, ``loss_d``, ...,
        :data:`wgan.training.instrument.COSINE_COLUMNS`) with the run's ``dataset``,
        ``optimizer``, ``lr`` and ``seed`` added.
    results : dict
        The :class:`~wgan.training.rundir.RunResult` of every run, keyed by its
        ``(dataset, optimizer, lr, seed)``.
    """

    scale: Scale
    runs: pd.DataFrame
    metrics: pd.DataFrame
    results: dict[tuple[str, str, float, int], RunResult]

    def select(self, datasets: tuple[str, ...]) -> Sweep:
        """The runs of ``datasets`` only."""
        return Sweep(
            self.scale, self.runs[self.runs["dataset"].isin(datasets)].reset_index(drop=True),
            self.metrics[self.metrics["dataset"].isin(datasets)].reset_index(drop=True),
            {keys: result for keys, result in self.results.items() if keys[0] in datasets})


RUN_KEYS: tuple[str, ...] = ("dataset", "optimizer", "lr", "seed")
"""Columns that identify a run in :attr:`Sweep.runs` and :attr:`Sweep.metrics`."""


def _keyed_specs(
    scale: Scale, *, seed: int, device: str, datasets: tuple[str, ...]
) -> list[tuple[dict[str, object], RunSpec]]:
    """Every run of the sweep on ``datasets``: ``(keys, spec)``, ``keys`` holding the run's
    :data:`RUN_KEYS` values, in the order :func:`run_sweep` trains them (dataset,
    optimizer, learning rate, seed)."""
    settings = momentum_settings(scale)
    return [
        ({"dataset": dataset, "optimizer": choice.key, "lr": lr, "seed": run_seed},
         RunSpec(f"momentum-{dataset}-{choice.key}",
                 momentum_config(dataset, choice.key, lr, scale, seed=run_seed, device=device),
                 chapters=(CHAPTER,)))
        for dataset in datasets for choice in OPTIMIZERS for lr in settings.lrs
        for run_seed in range(seed, seed + settings.seeds)
    ]


def momentum_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """Every run of the sweep at ``scale``, in the order :func:`run_sweep` trains them.

    Each dataset, optimizer of :data:`OPTIMIZERS`, learning rate and seed of
    :func:`momentum_settings`; one name per dataset and optimizer
    (the config hash tells the learning rates and seeds apart).

    Parameters
    ----------
    scale : Scale
    seed : int, default=0
        First seed; the runs use ``seed, seed + 1, ...`` (``momentum_settings(scale).seeds``
        of them).
    device : str, default="auto"

    Returns
    -------
    list of RunSpec
    """
    return [spec for _, spec in _keyed_specs(
        scale, seed=seed, device=device, datasets=momentum_settings(scale).datasets)]


def run_sweep(
    scale: Scale, *, device: str = "auto", seed: int = 0,
    datasets: tuple[str, ...] | None = None, root: str | Path | None = None,
) -> Sweep:
    """Train (or read back, or resume) every run of the sweep at ``scale``.

    Parameters
    ----------
    scale : Scale
    device : str, default="auto"
    seed : int, default=0
        First seed; the runs use ``seed, seed + 1, ...`` (``momentum_settings(scale).seeds``
        of them).
    datasets : tuple of str or None, default=None
        Some of the scale's :attr:`MomentumSettings.datasets`; ``None``: all of them.
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders (:func:`wgan.plan.fetch.fetch`); ``None`` is
        :func:`wgan.paths.runs_dir`.

    Returns
    -------
    Sweep
    """
    datasets = momentum_settings(scale).datasets if datasets is None else datasets
    rows, frames, results = [], [], {}
    for keys, spec in _keyed_specs(scale, seed=seed, device=device, datasets=datasets):
        result = fetch(spec, scale, root)
        rows.append(keys | _run_row(result, _BY_KEY[keys["optimizer"]]))
        frames.append(result.metrics.assign(**keys))
        results[keys["dataset"], keys["optimizer"], keys["lr"], keys["seed"]] = result
    return Sweep(scale, pd.DataFrame(rows), pd.concat(frames, ignore_index=True), results)


def ring_sample_quality(sweep: Sweep, n: int = 800, seed: int = 0) -> pd.DataFrame:
    """Sample quality of every ring run at its generator snapshots, without the critic.

    Parameters
    ----------
    sweep : Sweep
    n : int, default=800
        Generated samples per snapshot, and points of the balanced reference sample of
        the ring (``n // 8`` per mode).
    seed : int, default=0
        Seed of the reference sample and of the generators' noise.

    Returns
    -------
    pandas.DataFrame
        One row per snapshot of each ring run: :data:`RUN_KEYS`, ``gen_iter`` and the
        columns of :func:`wgan.experiments.mixture.coverage_over_training` (``modes``,
        ``high_quality``, ``min_share``, ``w1`` in coordinate units, ``radial_error``).
        Runs stopped by the non-finite guard are measured at the snapshots they kept.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 8:
        raise ValueError(
            f"The 'n' parameter of ring_sample_quality must be an int of at least 8 (one "
            f"point per mode). Got {n!r} instead."
        )
    reference = _ring_reference(n, seed)
    frames = [
        coverage_over_training(result, reference, n=n, seed=seed).drop(
            columns=["method", "seed"]).assign(**dict(zip(RUN_KEYS, keys, strict=True)))
        for keys, result in sweep.results.items() if keys[0] == "ring8"
    ]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class SampleQuality:
    """The sweep's sample quality, measured without the critic, as the blow-ups read it.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per snapshot of every measured run: :data:`RUN_KEYS`, ``gen_iter`` and
        ``quality`` (lower is better; NaN where the samples are not finite): the ring's
        sample W1, the digits' FD.
    floors : dict of str to float
        Per measured dataset, the same measure for true samples.
    learned : dict of str to float
        Per dataset that has one, the quality a run must end below to have learned (the
        digits: the FD of the Gaussian with the data's moments, as chapters 4 and 5 read it).
    baselines : pandas.DataFrame
        The trivial generators scored the same way, one row per (``dataset``,
        ``generator``), column ``quality``: on the ring true samples (the floor) and the
        uniform circle; on the digits the generators of :data:`wgan.quality.trivial.TRIVIAL`.
    measures : dict of str to str
        Per measured dataset, the measure's name.
    unmeasured : dict of str to str
        Per dataset of the sweep without a measure, why.
    """

    table: pd.DataFrame
    floors: dict[str, float]
    learned: dict[str, float]
    baselines: pd.DataFrame
    measures: dict[str, str]
    unmeasured: dict[str, str]


def sample_quality(sweep: Sweep, *, n_ring: int = 800, seed: int = 0) -> SampleQuality:
    """:class:`SampleQuality` of every run of ``sweep`` at its generator snapshots.

    Parameters
    ----------
    sweep : Sweep
    n_ring : int, default=800
        Samples per ring snapshot (:func:`ring_sample_quality`).
    seed : int, default=0
        Seed of the references and of the generators' noise.

    Returns
    -------
    SampleQuality
        The images are measured by the yardstick's FD against the held-out digits
        (:func:`wgan.experiments.images.quality_reference`, its ``n_samples`` per
        snapshot); on other image data (LSUN) they are not measured, and
        ``unmeasured`` says so.
    """
    datasets = set(sweep.runs["dataset"])
    frames, floors, learned, measures, unmeasured = [], {}, {}, {}, {}
    baselines = []
    if "ring8" in datasets:
        ring = ring_sample_quality(sweep, n=n_ring, seed=seed)
        frames.append(ring.assign(quality=ring["w1"])[[*RUN_KEYS, "gen_iter", "quality"]])
        floors["ring8"] = ring_w1_floor(n_ring, seed)
        circle = uniform_ring_sample(n_ring, torch.Generator().manual_seed(seed + 2))
        baselines += [("ring8", "true ring samples (floor)", floors["ring8"]),
                      ("ring8", "uniform circle (no modes)",
                       wasserstein1(circle.numpy(), _ring_reference(n_ring, seed).numpy()))]
        measures["ring8"] = "sample W1 to the ring"
    if "images" in datasets:
        reference = quality_reference(sweep.scale)
        if reference.judge is None:
            unmeasured["images"] = ("the yardstick judges digits only; on these images no "
                                    "measure separates a blur from a good generator")
        else:
            for keys, result in sweep.results.items():
                if keys[0] == "images":
                    table = quality_along_run(result, reference.heldout, judge=reference.judge,
                                              n_samples=reference.n_samples, seed=seed)
                    frames.append(table.assign(quality=table["frechet"], **dict(
                        zip(RUN_KEYS, keys, strict=True)))[[*RUN_KEYS, "gen_iter", "quality"]])
            fd = reference.trivial["frechet"]
            floors["images"], learned["images"] = float(fd[FLOOR]), float(fd[GAUSSIAN])
            baselines += [("images", name, float(value)) for name, value in fd.items()]
            measures["images"] = "FD (yardstick)"
    table = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=[*RUN_KEYS, "gen_iter", "quality"]))
    return SampleQuality(table, floors, learned,
                         pd.DataFrame(baselines, columns=["dataset", "generator", "quality"]),
                         measures, unmeasured)


def larger_scale(scale: Scale) -> str:
    """The scale whose sweep would test the claim where ``scale``'s does not, in words."""
    bigger = "quick" if scale.name == "smoke" else "paper"
    settings = SCALES[bigger]
    longer = "longer runs than " if scale.name == "paper" else ""
    images = ("the digits at the image experiments' own length"
              if "images" in settings.datasets and not settings.image_iters else "")
    return (f"{longer}the {bigger} scale ({settings.ring_iters:,} ring iterations"
            + (f", {images}" if images else "")
            + f", {settings.seeds} seeds, learning rates "
            + ", ".join(f"{lr:g}" for lr in settings.lrs) + ")")


def _run_row(result: RunResult, choice: OptimizerChoice) -> dict[str, object]:
    metrics = result.metrics
    diverged = result.status == "diverged"
    return {
        "label": choice.label,
        "beta1": choice.beta1 if choice.name == "adam" else float("nan"),
        "status": result.status,
        "iterations": len(metrics),
        "diverged_at": result.detail["gen_iter"] if diverged else float("nan"),
        "seconds": float(metrics["wall_time"].iloc[-1]) if len(metrics) else 0.0,
        "run_dir": str(result.run_dir),
    }


def data_note(scale: Scale) -> str:
    """One sentence for the provenance: the datasets of the sweep at ``scale``."""
    if "images" not in momentum_settings(scale).datasets:
        return "ring of 8 Gaussians (no images at this scale)"
    return f"ring of 8 Gaussians; images: {image_data(scale).note}"


def ring_w1_floor(n: int = 800, seed: int = 0) -> float:
    """W1 from ``n`` true samples of the ring to the reference of :func:`ring_sample_quality`.

    What a perfect generator would score at this sample size (in coordinate units): the
    floor to compare the runs' ``w1`` with.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 8:
        raise ValueError(
            f"The 'n' parameter of ring_w1_floor must be an int of at least 8. Got {n!r} instead."
        )
    real = gaussian_ring(n, torch.Generator().manual_seed(seed + 1))
    return wasserstein1(real.numpy(), _ring_reference(n, seed).numpy())


def _ring_reference(n: int, seed: int) -> torch.Tensor:
    return balanced_ring_sample(n // 8, torch.Generator().manual_seed(seed))
