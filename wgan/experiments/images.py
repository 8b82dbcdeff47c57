"""The image experiments of Sections 4.3-4.4, as one table of runs per scale and dataset.

Every image run of the book comes from :func:`image_config`, so the chapters that share a
run (Figure 4's DCGAN run is also Figure 6's left panel) share its cache entry
(:func:`wgan.plan.spec.run_dir`) and train it once.

The runs (:data:`EXPERIMENTS`):

=====================  =========  ==========  =======  =======================
key                    algorithm  generator   critic   figures
=====================  =========  ==========  =======  =======================
``wgan-dcgan``         WGAN       dcgan       dcgan    4 (upper right), 6
``wgan-mlp``           WGAN       mlp         dcgan    4 (upper left), 8
``wgan-mlp-mlp-hilr``  WGAN       mlp         mlp      4 (lower half)
``wgan-nobn``          WGAN       dcgan_nobn  dcgan    7
``gan-dcgan``          GAN        dcgan       dcgan    5, 6, 9
``gan-mlp``            GAN        mlp         dcgan    5, 8, 9
``gan-mlp-mlp``        GAN        mlp         mlp      5 (bottom), 9
``gan-nobn``           GAN        dcgan_nobn  dcgan    7
=====================  =========  ==========  =======  =======================

WGAN runs use Algorithm 1's hyperparameters (RMSProp, lr 5e-5, c = 0.01, n_critic = 5,
the authors' 100-iteration critic schedule); GAN runs use DCGAN's procedure with the
-log D trick (:func:`wgan.training.gan.gan_baseline_config`: Adam, lr 2e-4, beta1 0.5, one
discriminator step per generator step). Figure 4's failed run has "substantially high
learning rates" for both nets; the paper gives no value, we use :data:`HIGH_LR`.

Beside them, chapter 4's **grid** (:func:`grid_specs`): WGAN runs of the DCGAN generator and
critic over learning rate x n_critic x clip value (:data:`GRID_LRS`, :data:`GRID_N_CRITICS`,
:data:`GRID_CLIP_VALUES`), one seed per cell, their lengths per scale in :data:`GRID_SCALES`,
on the digits at every scale (:data:`GRID_DATA`), where the yardstick can judge them.
The claims ``compare-runs`` (does the final estimate rank the runs by sample quality?) and
``no-balancing`` (do more critic iterations give samples at least as good?) read it.

Scales (:data:`SCALES`): ``paper`` is the paper's setting (64x64, batch 64, widths 64,
MLP width 512) on LSUN bedrooms when ``$WGAN_LSUN_ROOT`` names the ``bedroom_train_lmdb``
directory, for the authors' default of 25 epochs; without LSUN it falls back to the
embedded digits and :func:`image_data` says so. ``quick`` and ``smoke`` run on the
embedded digits with smaller images, narrower nets and fewer iterations. A dry run
(``Scale.dry``) keeps a scale's settings but caps each run to
:data:`DRY_RUN_ITERS` generator iterations (at ``paper``: one generator step after the
critic schedule's first 100 critic steps) and the quality measurements to
:data:`DRY_RUN_IMAGES` images.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from wgan.data import load_images
from wgan.data.split import heldout_size
from wgan.plan.fetch import fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.quality import digit_classifier, pixel_w1, reference_floor
from wgan.quality.digits import TrainedClassifier, labelled_digits
from wgan.quality.trivial import trivial_samples
from wgan.quality.yardstick import Yardstick, trivial_table, yardstick
from wgan.training.config import TrainConfig
from wgan.training.gan import gan_baseline_config
from wgan.training.rundir import RunResult

LSUN_ROOT_VARIABLE = "WGAN_LSUN_ROOT"
HIGH_LR = 1e-3  # Figure 4's failed run: 20 times Algorithm 1's alpha, for both nets
LSUN_BEDROOMS = 3_033_042  # images in bedroom_train (LSUN README)
PAPER_EPOCHS = 25  # the authors' default --niter, in epochs of critic batches
DRY_RUN_ITERS = 1  # generator iterations of each run in a dry run
DRY_RUN_IMAGES = 64  # generated and held-out images per quality measurement in a dry run
DRY_RUN_SEEDS = 1  # seeds of each image run in a dry run
DRY_RUN_GRID = 1  # learning rates and clip values of the grid kept in a dry run


@dataclass(frozen=True)
class ImageExperiment:
    """One run of the image experiments.

    Attributes
    ----------
    key : str
        Name of the run (and prefix of its run directory).
    algorithm : {"wgan", "gan"}
    generator, critic : {"dcgan", "dcgan_nobn", "mlp"}
        Architectures (the critic is the GAN's discriminator, with a sigmoid).
    high_lr : bool
        Both learning rates set to :data:`HIGH_LR` (Figure 4's failed run).
    figures : str
        The paper's figures the run appears in.
    label : str
        Short caption.
    """

    key: str
    algorithm: str
    generator: str
    critic: str
    high_lr: bool
    figures: str
    label: str


EXPERIMENTS: dict[str, ImageExperiment] = {e.key: e for e in (
    ImageExperiment("wgan-dcgan", "wgan", "dcgan", "dcgan", False, "4, 6",
                    "WGAN, DCGAN generator, DCGAN critic"),
    ImageExperiment("wgan-mlp", "wgan", "mlp", "dcgan", False, "4, 8",
                    "WGAN, MLP generator, DCGAN critic"),
    ImageExperiment("wgan-mlp-mlp-hilr", "wgan", "mlp", "mlp", True, "4",
                    "WGAN, MLP generator, MLP critic, high learning rate"),
    ImageExperiment("wgan-nobn", "wgan", "dcgan_nobn", "dcgan", False, "7",
                    "WGAN, no-BN constant-filter generator, DCGAN critic"),
    ImageExperiment("gan-dcgan", "gan", "dcgan", "dcgan", False, "5, 6, 9",
                    "GAN, DCGAN generator, DCGAN discriminator"),
    ImageExperiment("gan-mlp", "gan", "mlp", "dcgan", False, "5, 8, 9",
                    "GAN, MLP generator, DCGAN discriminator"),
    ImageExperiment("gan-mlp-mlp", "gan", "mlp", "mlp", False, "5, 9",
                    "GAN, MLP generator, MLP discriminator"),
    ImageExperiment("gan-nobn", "gan", "dcgan_nobn", "dcgan", False, "7",
                    "GAN, no-BN constant-filter generator, DCGAN discriminator"),
)}

CHAPTER_OF_FIGURE: dict[str, str] = {
    "4": "04_loss_curves", "5": "04_loss_curves", "9": "04_loss_curves",
    "6": "05_architectures", "7": "05_architectures", "8": "05_architectures",
}
"""The chapter that draws each of the paper's image figures."""


@dataclass(frozen=True)
class ScaleSettings:
    """Sizes of the image runs at one scale (all runs of the scale share them).

    Attributes
    ----------
    image_size : int
        Side of the images in pixels.
    batch_size : int
        m of Algorithm 1.
    nz : int
        Noise dimension.
    width : int
        ngf = ndf, base channels of the convolutional nets.
    mlp_hidden : int
        Hidden units of the MLPs.
    generator_iters : int or None
        Generator iterations of every run; ``None``: :data:`PAPER_EPOCHS` epochs of the
        training data (:func:`paper_generator_iters`).
    snapshots : int
        Generator snapshots kept along each run (evenly spaced, iteration 0 included),
        where sample quality is measured.
    critic_warmup : bool
        The authors' 100-iteration critic schedule.
    quality_samples : int
        Generated images per quality measurement (and real ones for the floor).
    heldout_images : int
        Held-out real images the pixel W1 is measured against (all 179 held-out digits
        below the paper scale).
    seeds : int
        Seeds of every run (:func:`image_seeds`): the verdicts of chapters 4 and 5 read
        each statistic over them, with an interval.
    """

    image_size: int
    batch_size: int
    nz: int
    width: int
    mlp_hidden: int
    generator_iters: int | None
    snapshots: int
    critic_warmup: bool
    quality_samples: int
    heldout_images: int
    seeds: int


SCALES: dict[str, ScaleSettings] = {
    "smoke": ScaleSettings(image_size=16, batch_size=16, nz=8, width=4, mlp_hidden=16,
                           generator_iters=4, snapshots=2, critic_warmup=False,
                           quality_samples=50, heldout_images=179, seeds=2),
    "quick": ScaleSettings(image_size=16, batch_size=64, nz=32, width=32, mlp_hidden=256,
                           generator_iters=1000, snapshots=20, critic_warmup=True,
                           quality_samples=500, heldout_images=179, seeds=5),
    "paper": ScaleSettings(image_size=64, batch_size=64, nz=100, width=64, mlp_hidden=512,
                           generator_iters=None, snapshots=20, critic_warmup=True,
                           quality_samples=1000, heldout_images=1000, seeds=3),
}


@dataclass(frozen=True)
class ImageData:
    """The dataset the image runs of a scale use.

    Attributes
    ----------
    dataset : str
        A :data:`wgan.data.DATASETS` name.
    root : str or None
        Its path on disk (LSUN), else ``None``.
    note : str
        One sentence for the provenance: what is used and why.
    """

    dataset: str
    root: str | None
    note: str


def image_data(scale: Scale) -> ImageData:
    """The data of the image runs at ``scale``.

    ``paper`` reads LSUN bedrooms from ``$WGAN_LSUN_ROOT`` when it is set; otherwise, and
    at the other scales, the embedded digits are used (labels make class coverage
    measurable; no download).
    """
    root = os.environ.get(LSUN_ROOT_VARIABLE)
    if scale.name == "paper" and root and scale.dry:
        return ImageData("lsun", root, (
            f"the LSUN-format lmdb at {LSUN_ROOT_VARIABLE}={root} (a dry run: `make execute "
            "DRY_RUN=1` writes synthetic rooms there, wgan.data.lsun_sample)"))
    if scale.name == "paper" and root:
        return ImageData("lsun", root, f"LSUN bedrooms from {LSUN_ROOT_VARIABLE}={root}")
    if scale.name == "paper":
        return ImageData("digits", None, (
            f"paper-scale settings on the embedded digits: {LSUN_ROOT_VARIABLE} is not set, "
            "so LSUN bedrooms (the paper's data) are not used"))
    return ImageData("digits", None, "embedded digits (scikit-learn), standing in for LSUN")


def paper_generator_iters(n_images: int, settings: ScaleSettings, n_critic: int = 5) -> int:
    """Generator iterations in :data:`PAPER_EPOCHS` epochs of ``n_images`` training images.

    The authors count epochs in critic batches; with ``n_critic`` critic batches per
    generator iteration (ignoring the short 100-iteration phases) that is
    ``PAPER_EPOCHS * (n_images // batch_size) // n_critic``: 236,175 for the
    3,023,042 training bedrooms of LSUN (all but the 10,000 held out).
    """
    return PAPER_EPOCHS * (n_images // settings.batch_size) // n_critic


def image_config(key: str, scale: Scale, *, seed: int = 0, device: str = "auto") -> TrainConfig:
    """The configuration of run ``key`` at ``scale``.

    Parameters
    ----------
    key : str
        A key of :data:`EXPERIMENTS`.
    scale : Scale
    seed : int, default=0
    device : str, default="auto"

    Returns
    -------
    TrainConfig
        Keeps ``snapshots`` generator snapshots along the run; in a dry run
        at most :data:`DRY_RUN_ITERS` generator iterations long, without the critic's
        100-iteration warm-up (a count the dry run caps to Algorithm 1's ``n_critic``).
    """
    if key not in EXPERIMENTS:
        raise ValueError(
            f"The 'key' parameter of image_config must be one of {', '.join(EXPERIMENTS)}. "
            f"Got {key!r} instead."
        )
    experiment, settings, data = EXPERIMENTS[key], SCALES[scale.name], image_data(scale)
    iters = settings.generator_iters
    if iters is None:  # the paper's length, on LSUN or on the fallback data alike
        iters = paper_generator_iters(LSUN_BEDROOMS - heldout_size(LSUN_BEDROOMS), settings)
    iters = scale.cap(iters, DRY_RUN_ITERS)
    common = {
        "generator": experiment.generator,
        "critic": experiment.critic,
        "dataset": data.dataset,
        "data_root": data.root,
        "image_size": settings.image_size,
        "batch_size": settings.batch_size,
        "nz": settings.nz,
        "ngf": settings.width,
        "ndf": settings.width,
        "mlp_hidden": settings.mlp_hidden,
        "generator_iters": iters,
        "snapshot_every": max(1, iters // settings.snapshots),
        "sample_every": max(1, iters // settings.snapshots),
        "checkpoint_every": max(1, iters // settings.snapshots),
        "seed": seed,
        "device": device,
    }
    if experiment.algorithm == "gan":
        return gan_baseline_config(**common)
    # A dry run caps counts, and the warm-up is one: 100 critic iterations for each of its
    # generator iterations would be most of a 64x64 dry run's time on a CPU.
    config = TrainConfig(critic_warmup=settings.critic_warmup and not scale.dry, **common)
    if experiment.high_lr:
        config = config.replace(lr_g=HIGH_LR, lr_d=HIGH_LR)
    return config


def image_seeds(scale: Scale, seed: int = 0) -> list[int]:
    """The seeds of every image run at ``scale``: ``seed, seed + 1, ...``
    (:attr:`ScaleSettings.seeds` of them; :data:`DRY_RUN_SEEDS` in a dry run)."""
    return list(range(seed, seed + scale.cap(SCALES[scale.name].seeds, DRY_RUN_SEEDS)))


def image_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """Every image run at ``scale``, every seed of :func:`image_seeds`, in the order of
    :data:`EXPERIMENTS` (seeds within a run), with the chapters that draw its figures
    (:data:`CHAPTER_OF_FIGURE`)."""
    return [RunSpec(key, image_config(key, scale, seed=run_seed, device=device),
                    tuple(sorted({CHAPTER_OF_FIGURE[f.strip()]
                                  for f in experiment.figures.split(",")})))
            for key, experiment in EXPERIMENTS.items()
            for run_seed in image_seeds(scale, seed)]


GRID_NAME = "grid-dcgan"
"""Name of the grid's runs (the config hash tells the cells apart)."""
GRID_LRS: tuple[float, ...] = (5e-5, 2e-4, HIGH_LR)
"""Learning rates of the grid (both networks): Algorithm 1's alpha, 4 times it, and Figure 4's
high learning rate (20 times it), so that the runs span a range of sample quality."""
GRID_N_CRITICS: tuple[int, ...] = (1, 5)
"""Critic iterations per generator iteration: one (a GAN's balance) and Algorithm 1's 5."""
GRID_CLIP_VALUES: tuple[float, ...] = (0.01, 0.05)
"""Clip values: Algorithm 1's c and 5 times it (the value of chapter 3's ablation). The clip
box sets the constant K of the estimate, so the runs are ranked within a clip value."""


GRID_DATA = ImageData("digits", None, (
    "embedded digits (scikit-learn) at every scale: the grid's verdicts need the yardstick, "
    "which judges digits only"))
"""The grid's data, LSUN or not (:func:`quality_reference` takes it)."""


@dataclass(frozen=True)
class GridScale:
    """Length of the grid's runs at one scale (their sizes are :data:`SCALES`').

    Attributes
    ----------
    generator_iters : int or None
        Generator iterations of every run of the grid, whatever its n_critic; ``None``: the
        paper's length (:func:`paper_generator_iters` at n_critic 5, the ``wgan-dcgan`` run's).
    snapshots : int
        Generator snapshots kept along each run (its sample quality is read at the last).
    critic_warmup : bool
        The authors' 100-iteration critic schedule.
    """

    generator_iters: int | None
    snapshots: int
    critic_warmup: bool


GRID_SCALES: dict[str, GridScale] = {
    "smoke": GridScale(generator_iters=4, snapshots=2, critic_warmup=False),
    # 6 (learning rate, clip) cells x 500 x (2 + 6) steps of n_critic 1 and 5 = 24,000 steps
    # at 21-24 ms of one core each (measured: float32 channels-last, OMP_NUM_THREADS=1, load
    # average 4.5-5.7 on 2 cores): about 550 core-seconds, 10 minutes with the runs' start-up.
    # The critic schedule is off: it would add 2,500 critic steps to every run, 2.5 times a
    # 500-iteration n_critic = 1 run, and give every n_critic the same warm critic.
    "quick": GridScale(generator_iters=500, snapshots=5, critic_warmup=False),
    "paper": GridScale(generator_iters=None, snapshots=20, critic_warmup=True),
}


@dataclass(frozen=True)
class GridCell:
    """One run of the grid: its learning rate (both networks), n_critic and clip value."""

    lr: float
    n_critic: int
    clip_value: float


def grid_cells(scale: Scale) -> list[GridCell]:
    """The grid's runs at ``scale``: clip value, then learning rate, then n_critic.

    Every combination of :data:`GRID_CLIP_VALUES`, :data:`GRID_LRS` and
    :data:`GRID_N_CRITICS` (12 runs); a dry run keeps :data:`DRY_RUN_GRID` clip value and
    learning rate (the n_critic axis whole).
    """
    clips = GRID_CLIP_VALUES[:scale.cap(len(GRID_CLIP_VALUES), DRY_RUN_GRID)]
    lrs = GRID_LRS[:scale.cap(len(GRID_LRS), DRY_RUN_GRID)]
    return [GridCell(lr, n_critic, clip) for clip in clips for lr in lrs
            for n_critic in GRID_N_CRITICS]


def grid_spec(cell: GridCell, scale: Scale, *, seed: int = 0, device: str = "auto") -> RunSpec:
    """The run of ``cell`` at ``scale``: the ``wgan-dcgan`` run's config (same networks and
    sizes) on :data:`GRID_DATA`, with the cell's learning rate, n_critic and clip value and
    the grid's length (:data:`GRID_SCALES`).

    A cell whose config equals the ``wgan-dcgan`` run's (Algorithm 1's settings at a scale
    where the grid's length is that run's) is that run, under its name, so it trains once.
    """
    base = image_config("wgan-dcgan", scale, seed=seed, device=device)
    length = GRID_SCALES[scale.name]
    iters = length.generator_iters
    if iters is None:
        iters = base.generator_iters
    iters = scale.cap(iters, DRY_RUN_ITERS)
    every = max(1, iters // length.snapshots)
    config = base.replace(
        dataset=GRID_DATA.dataset, data_root=GRID_DATA.root,
        lr_g=cell.lr, lr_d=cell.lr, n_critic=cell.n_critic, clip_value=cell.clip_value,
        generator_iters=iters, snapshot_every=every, sample_every=every,
        checkpoint_every=every, critic_warmup=length.critic_warmup)
    if config == base:
        return RunSpec("wgan-dcgan", config, ("04_loss_curves",))
    return RunSpec(GRID_NAME, config, ("04_loss_curves",))


def grid_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """Every run of the grid at ``scale`` (:func:`grid_cells`), one seed (``seed``) per cell:
    the statistics of ``compare-runs`` and ``no-balancing`` are over the runs."""
    return [grid_spec(cell, scale, seed=seed, device=device) for cell in grid_cells(scale)]


def run_grid(scale: Scale, *, seed: int = 0, device: str = "auto",
             root: str | Path | None = None) -> dict[GridCell, RunResult]:
    """Train (or read back, or resume) every run of the grid at ``scale``.

    Parameters
    ----------
    scale : Scale
    seed : int, default=0
    device : str, default="auto"
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.

    Returns
    -------
    dict of GridCell to RunResult
        In the order of :func:`grid_cells`.
    """
    return {cell: fetch(grid_spec(cell, scale, seed=seed, device=device), scale, root)
            for cell in grid_cells(scale)}


def run_experiment(key: str, scale: Scale, *, seed: int = 0, device: str = "auto",
                   root: str | Path | None = None) -> RunResult:
    """Train (or read back, or resume) run ``key`` at ``scale`` (:func:`wgan.plan.fetch.fetch`),
    so that notebooks asking for the same run share it.

    Parameters
    ----------
    key : str
        A key of :data:`EXPERIMENTS`.
    scale : Scale
    seed : int, default=0
    device : str, default="auto"
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.

    Returns
    -------
    RunResult
    """
    return fetch(RunSpec(key, image_config(key, scale, seed=seed, device=device)), scale, root)


@dataclass(frozen=True)
class QualityReference:
    """What the image chapters hold generated samples against at one scale.

    Attributes
    ----------
    heldout : torch.Tensor of shape (n_reference, C, H, W), uint8
        Held-out real images (no run trains on them), the reference of the pixel W1.
    train : torch.Tensor of shape (N, C, H, W), uint8
        The training images.
    n_samples : int
        Generated images per measurement (and real ones for the floor).
    floor : float
        Pixel W1 between ``n_samples`` training images and ``heldout``: the value a
        perfect generator would score at this sample size.
    classifier : TrainedClassifier or None
        The held-out digit classifier when the data are the digits.
    judge : Yardstick or None
        The yardstick's judge (:mod:`wgan.quality.yardstick`) when the data are the digits:
        the sample quality the verdicts read. ``None`` on other data, where no measure of
        this project separates a blur from a good generator (the verdicts that need one
        say *not tested at this scale*).
    trivial : pandas.DataFrame
        The trivial generators (:data:`wgan.quality.trivial.TRIVIAL`) scored at this
        sample size, one row each: ``pixel_w1`` and, with a judge, the yardstick's
        columns. Every table of sample quality shows these rows.
    """

    heldout: torch.Tensor
    train: torch.Tensor
    n_samples: int
    floor: float
    classifier: TrainedClassifier | None
    judge: Yardstick | None
    trivial: pd.DataFrame


def quality_reference(scale: Scale, data: ImageData | None = None) -> QualityReference:
    """The held-out images, sampling floor, digit classifier, judge and trivial generators
    of the runs at ``scale``.

    ``quality_samples`` samples per measurement against ``heldout_images`` images of the
    held-out split (:data:`SCALES`); at most :data:`DRY_RUN_IMAGES` of each in a dry run.

    Parameters
    ----------
    scale : Scale
    data : ImageData or None, default=None
        The images; ``None``: :func:`image_data` of ``scale``. Runs that train on the digits
        whatever the scale (chapter 8's) pass ``ImageData("digits", None, ...)``.
    """
    data = image_data(scale) if data is None else data
    settings = SCALES[scale.name]
    n_samples = scale.cap(settings.quality_samples, DRY_RUN_IMAGES)
    n_reference = scale.cap(settings.heldout_images, DRY_RUN_IMAGES)
    heldout = load_images(data.dataset, root=data.root, image_size=settings.image_size,
                          split="heldout")[:n_reference]
    train = load_images(data.dataset, root=data.root, image_size=settings.image_size)
    digits = data.dataset == "digits"
    labels = labelled_digits("train", settings.image_size)[1] if digits else None
    judge = yardstick() if digits else None
    samples = trivial_samples(train, n_samples, labels=labels, seed=0)
    trivial = (trivial_table(train, heldout, n_samples, judge, labels=labels, seed=0) if judge
               else pd.DataFrame(index=pd.Index(list(samples), name="generator")))
    trivial.insert(0, "pixel_w1", [pixel_w1(images, heldout) for images in samples.values()])
    return QualityReference(
        heldout=heldout, train=train, n_samples=n_samples,
        floor=reference_floor(train, heldout, n_samples),
        classifier=digit_classifier() if digits else None,
        judge=judge, trivial=trivial,
    )


def scale_summary(scale: Scale) -> list[tuple[str, str, str]]:
    """What the image runs at ``scale`` change from the paper's setting, row by row.

    Returns
    -------
    list of (setting, paper, this scale)
        Data, image size, batch, widths, noise dimension, generator iterations and the
        critic schedule, as text for a table in the book.
    """
    here, paper = SCALES[scale.name], SCALES["paper"]
    wgan_here = image_config("wgan-dcgan", scale)
    paper_iters = paper_generator_iters(LSUN_BEDROOMS - heldout_size(LSUN_BEDROOMS), paper)
    rows = [
        ("data", "LSUN bedrooms, 3 channels", image_data(scale).note),
        ("image size", f"{paper.image_size}x{paper.image_size}",
         f"{here.image_size}x{here.image_size}"),
        ("batch size m", str(paper.batch_size), str(here.batch_size)),
        ("ngf = ndf", str(paper.width), str(here.width)),
        ("MLP hidden units", str(paper.mlp_hidden), str(here.mlp_hidden)),
        ("noise dimension", str(paper.nz), str(here.nz)),
        ("generator iterations", f"{paper_iters:,}",
         f"{wgan_here.generator_iters:,}"),
        ("100-iteration critic schedule", "yes",
         "yes" if wgan_here.critic_warmup else "no (a dry run caps it)" if scale.dry else "no"),
        ("WGAN: RMSProp lr, c, n_critic", "5e-5, 0.01, 5",
         f"{wgan_here.lr_d:g}, {wgan_here.clip_value:g}, {wgan_here.n_critic}"),
    ]
    return rows
