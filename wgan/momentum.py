"""The optimizer sweep of Section 4.3's negative result: RMSProp against Adam, per learning rate.

    "WGAN training becomes unstable at times when one uses a momentum based optimizer such
    as Adam (with beta1 > 0) on the critic, or when one uses high learning rates. [...] as
    the loss blew up and samples got worse, the cosine between the Adam step and the
    gradient usually turned negative." (Section 4.3 of [1])

:func:`run_sweep` trains the same WGAN (Algorithm 1, weight clipping c = 0.01, n_critic = 5)
with every optimizer of :data:`OPTIMIZERS` at every learning rate of the scale, on two
datasets, several seeds each, all through :func:`wgan.run.cached_run` with
``log_update_cosine`` on (:mod:`wgan.instrument`):

- ``"ring8"``: the ring of 8 Gaussians (:func:`wgan.toy.gaussian_ring`) with the MLP
  generator and critic, as in Section 4.1's toy experiment;
- ``"images"``: the image data of :func:`wgan.experiments.image_data` (the embedded digits
  below the paper scale) with the DCGAN generator and critic of the image experiments
  (:func:`wgan.experiments.image_config`, key ``"wgan-dcgan"``), smaller at smoke and quick.

Both networks use the optimizer under test, as the authors' ``--adam`` switch does, with
the same learning rate. A run that produces a non-finite loss stops through the run loop's
guard (``RunResult.status == "diverged"``) and is kept in the sweep.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wgan.config import TrainConfig
from wgan.experiments import image_config, image_data
from wgan.paths import runs_dir
from wgan.run import RunResult, cached_run
from wgan.scales import check_scale

PAPER_LR = 5e-5  # alpha of Algorithm 1
DATASETS: tuple[str, ...] = ("ring8", "images")


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
        :attr:`wgan.config.TrainConfig.optimizer_d` (and ``optimizer_g``).
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
    lrs : tuple of float
        Learning rates of both networks; the first is Algorithm 1's alpha = 5e-5, whose
        RMSProp run is the reference of :mod:`wgan.blowups`.
    seeds : int
        Seeds per (dataset, optimizer, learning rate): 0, 1, ...
    ring_iters, image_iters : int
        Generator iterations of the ring and image runs.
    ring_hidden, ring_batch : int
        Width of the MLPs and batch size of the ring runs.
    image_size, image_width, image_nz, image_batch : int
        Side in pixels, ngf = ndf, noise dimension and batch size of the image runs;
        0 keeps the image-experiment table's value (:data:`wgan.experiments.SCALES`).
    critic_warmup : bool
        The authors' 100-iteration critic schedule.
    """

    lrs: tuple[float, ...]
    seeds: int
    ring_iters: int
    image_iters: int
    ring_hidden: int
    ring_batch: int
    image_size: int
    image_width: int
    image_nz: int
    image_batch: int
    critic_warmup: bool


SCALES: dict[str, MomentumSettings] = {
    "smoke": MomentumSettings(lrs=(PAPER_LR, 1e-2), seeds=1, ring_iters=8, image_iters=3,
                              ring_hidden=16, ring_batch=32, image_size=16, image_width=4,
                              image_nz=8, image_batch=16, critic_warmup=False),
    "quick": MomentumSettings(lrs=(PAPER_LR, 1e-3, 1e-2), seeds=2, ring_iters=400,
                              image_iters=200, ring_hidden=128, ring_batch=64, image_size=16,
                              image_width=8, image_nz=32, image_batch=64, critic_warmup=False),
    "paper": MomentumSettings(lrs=(PAPER_LR, 1e-3, 1e-2), seeds=3, ring_iters=20_000,
                              image_iters=0, ring_hidden=512, ring_batch=256, image_size=0,
                              image_width=0, image_nz=0, image_batch=0, critic_warmup=True),
}


def momentum_config(
    dataset: str, optimizer: str, lr: float, scale: str, *, seed: int = 0, device: str = "auto"
) -> TrainConfig:
    """The configuration of one run of the sweep.

    Parameters
    ----------
    dataset : {"ring8", "images"}
    optimizer : str
        A key of :data:`OPTIMIZERS` (``rmsprop``, ``adam0``, ``adam0.5``, ``adam0.9``).
    lr : float
        Learning rate of both networks.
    scale : {"smoke", "quick", "paper"}
    seed : int, default=0
    device : str, default="auto"

    Returns
    -------
    TrainConfig
        Validated, with ``log_update_cosine=True``.
    """
    if dataset not in DATASETS:
        raise ValueError(
            f"The 'dataset' parameter of momentum_config must be one of "
            f"{', '.join(map(repr, DATASETS))}. Got {dataset!r} instead."
        )
    if optimizer not in _BY_KEY:
        raise ValueError(
            f"The 'optimizer' parameter of momentum_config must be one of "
            f"{', '.join(map(repr, _BY_KEY))}. Got {optimizer!r} instead."
        )
    settings, choice = SCALES[check_scale(scale)], _BY_KEY[optimizer]
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
    return base.replace(
        optimizer_g=choice.name, optimizer_d=choice.name, beta1=choice.beta1,
        lr_g=lr, lr_d=lr, generator_iters=iters, critic_warmup=settings.critic_warmup,
        snapshot_every=0, sample_every=iters, checkpoint_every=max(1, iters // 4),
        log_update_cosine=True,
    ).validate()


@dataclass
class Sweep:
    """The runs of a sweep, read back.

    Attributes
    ----------
    scale : str
    runs : pandas.DataFrame
        One row per run: ``dataset``, ``optimizer`` (key), ``label``, ``beta1`` (NaN for
        RMSProp), ``lr``, ``seed``, ``status`` (``finished`` or ``diverged``),
        ``iterations`` (rows logged), ``diverged_at`` (generator iteration whose loss was
        non-finite, else NaN), ``seconds`` (training time) and ``run_dir``.
    metrics : pandas.DataFrame
        Every run's metrics rows (``gen_iter``, ``w_estimate``, ``loss_d``, ...,
        :data:`wgan.instrument.COSINE_COLUMNS`) with the run's ``dataset``,
        ``optimizer``, ``lr`` and ``seed`` added.
    """

    scale: str
    runs: pd.DataFrame
    metrics: pd.DataFrame


RUN_KEYS: tuple[str, ...] = ("dataset", "optimizer", "lr", "seed")
"""Columns that identify a run in :attr:`Sweep.runs` and :attr:`Sweep.metrics`."""


def run_sweep(
    scale: str, *, device: str = "auto", seed: int = 0,
    datasets: tuple[str, ...] = DATASETS, root: str | Path | None = None,
) -> Sweep:
    """Train (or read back, or resume) every run of the sweep at ``scale``.

    Parameters
    ----------
    scale : {"smoke", "quick", "paper"}
    device : str, default="auto"
    seed : int, default=0
        First seed; the runs use ``seed, seed + 1, ...`` (``SCALES[scale].seeds`` of them).
    datasets : tuple of str, default=("ring8", "images")
    root : str or pathlib.Path or None, default=None
        Parent of the run directories; ``runs_dir() / scale`` when ``None``.

    Returns
    -------
    Sweep
    """
    settings = SCALES[check_scale(scale)]
    parent = Path(root) if root is not None else runs_dir() / scale
    rows, frames = [], []
    for dataset in datasets:
        for choice in OPTIMIZERS:
            for lr in settings.lrs:
                for run_seed in range(seed, seed + settings.seeds):
                    config = momentum_config(dataset, choice.key, lr, scale, seed=run_seed,
                                             device=device)
                    result = cached_run(config, f"momentum-{dataset}-{choice.key}",
                                        root=parent, progress=False)
                    keys = {"dataset": dataset, "optimizer": choice.key, "lr": lr,
                            "seed": run_seed}
                    rows.append(keys | _run_row(result, choice))
                    frames.append(result.metrics.assign(**keys))
    return Sweep(scale, pd.DataFrame(rows), pd.concat(frames, ignore_index=True))


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


def data_note(scale: str) -> str:
    """One sentence for the provenance: what the two datasets of the sweep are."""
    return f"ring of 8 Gaussians; images: {image_data(scale).note}"

