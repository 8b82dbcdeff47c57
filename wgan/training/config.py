"""Run configuration: one dataclass holding every setting of a training run.

The defaults are the paper's (Algorithm 1: alpha = 5e-5, c = 0.01, m = 64, n_critic = 5)
and the authors' code's (nz = 100, ngf = ndf = 64, 64x64 images, the 100-iteration critic
schedule). A config is plain data: it is written into every run directory and compared
on resume, so two runs with equal configs are the same experiment.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALGORITHMS: tuple[str, ...] = ("wgan", "gan")
OPTIMIZERS: tuple[str, ...] = ("rmsprop", "adam")
PRECISIONS: tuple[str, ...] = ("auto", "float32", "bfloat16")  # see wgan.training.fast
COMPILE_MODES: tuple[str, ...] = ("auto", "off", "default", "reduce-overhead")  # wgan.training.fast
ARCHITECTURES: tuple[str, ...] = ("dcgan", "dcgan_nobn", "mlp")  # see wgan.training.models
LIPSCHITZ: tuple[str, ...] = ("clip", "gp", "sn")  # see wgan.training.algorithm1
BATCH_NORM_CRITICS: tuple[str, ...] = ("dcgan",)  # critics with BatchNorm layers

# WGAN-GP's published settings (Gulrajani et al., 2017, Algorithm 1 and Section 4): Adam with
# lr 1e-4 and betas (0, 0.9), lambda = 10, n_critic = 5, no critic warm-up schedule, and a
# critic without BatchNorm (theirs used layer normalization; ours, none).
WGAN_GP_PROCEDURE: dict[str, Any] = {
    "algorithm": "wgan",
    "critic": "dcgan_nobn",
    "lipschitz": "gp",
    "gp_weight": 10.0,
    "optimizer_g": "adam",
    "optimizer_d": "adam",
    "lr_g": 1e-4,
    "lr_d": 1e-4,
    "beta1": 0.0,
    "beta2": 0.9,
    "n_critic": 5,
    "critic_warmup": False,
}


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of one training run.

    Parameters
    ----------
    algorithm : {"wgan", "gan"}, default="wgan"
        Algorithm 1 of the paper, or the standard GAN with the -log D trick
        (:mod:`wgan.training.gan`: one discriminator step per generator step, so ``n_critic``,
        ``critic_warmup`` and ``clip_value`` are not used).
    generator, critic : str, default="dcgan"
        Architecture names from the model registry (``dcgan``, ``dcgan_nobn``, ``mlp``).
        For ``algorithm="gan"`` the critic network is used as the discriminator.
    dataset : str, default="digits"
        Dataset name from :mod:`wgan.data` (``lsun``, ``folder``, the embedded ones, or a
        toy distribution).
    data_root : str or None, default=None
        Path of the dataset on disk, for datasets that are not embedded.
    data_limit : int or None, default=None
        Train on the first ``data_limit`` images of the dataset only (e.g. a subset of
        LSUN's 3 million bedrooms, whose uint8 cache at 64x64 takes 37 GB); ``None``: all.
        Not used by toy distributions.
    image_size : int, default=64
        Side of the square images, in pixels; a multiple of 16.
    nz : int, default=100
        Dimension of the generator's Gaussian noise z.
    ngf, ndf : int, default=64
        Base channel counts of the convolutional generator and critic.
    mlp_hidden : int, default=512
        Width of the hidden layers of the MLP generator and critic.
    batch_size : int, default=64
        m in Algorithm 1: real and noise samples per step.
    lr_g, lr_d : float, default=5e-5
        alpha in Algorithm 1, for the generator and the critic.
    optimizer_g, optimizer_d : {"rmsprop", "adam"}, default="rmsprop"
        Optimizer of each network. Adam uses ``betas=(beta1, beta2)``.
    beta1, beta2 : float, default=(0.5, 0.999)
        Adam's moment coefficients (the authors' ``--adam`` setting).
    lipschitz : {"clip", "gp", "sn"}, default="clip"
        How the critic is kept Lipschitz (``algorithm="wgan"`` only): ``clip``, the paper's
        weight clipping to [-c, c] (line 7 of Algorithm 1); ``gp``, the gradient penalty of
        Gulrajani et al. (2017), weighted by ``gp_weight``, without clipping, on a critic
        without BatchNorm; ``sn``, spectral normalization (Miyato et al., 2018) of every
        linear and convolutional layer of the critic, without clipping.
    clip_value : float, default=0.01
        c in Algorithm 1: critic weights are clipped to [-c, c] (``lipschitz="clip"`` only).
    gp_weight : float, default=10.0
        lambda, the weight of the gradient penalty (``lipschitz="gp"`` only).
    n_critic : int, default=5
        Critic iterations per generator iteration.
    critic_warmup : bool, default=True
        The authors' schedule (not in Algorithm 1): 100 critic iterations while the
        generator iteration is below 25 and at every 500th.
    generator_iters : int, default=1000
        Generator iterations (the outer loop of Algorithm 1) to run.
    sample_every : int, default=500
        Save a grid of samples from a fixed noise batch every this many generator
        iterations.
    checkpoint_every : int, default=100
        Write a checkpoint every this many generator iterations.
    snapshot_every : int, default=0
        Keep the generator's weights at every multiple of this many generator iterations
        (0 included), for sample-quality measures along the run; 0 keeps none (the last
        checkpoint always holds the final generator).
    log_update_cosine : bool, default=False
        Log, per generator iteration, the cosine between the critic optimizer's actual
        update and the descent direction over the critic steps (mean, min, fraction
        negative; :mod:`wgan.training.instrument`), the quantity Section 4.3 of the paper watched
        when Adam made training unstable.
    seed : int, default=0
        Seed of every random number generator the run uses.
    device : str, default="auto"
        ``auto``, ``cpu`` or ``cuda[:N]``.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Run the steps under bfloat16 autocast or in float32 (:mod:`wgan.training.fast`); ``auto``
        is the faster one measured for the device and architecture.
    channels_last : {"auto", True, False}, default="auto"
        Convolve in NHWC memory layout (:mod:`wgan.training.fast`).
    compile : {"auto", "off", "default", "reduce-overhead"}, default="auto"
        ``default``: ``torch.compile`` the networks; ``reduce-overhead``: capture each
        training step whole as a CUDA graph and replay it (CUDA only; the name is kept from
        an earlier meaning so that run names do not change) (:mod:`wgan.training.fast`,
        :mod:`wgan.training.graphs`).
    """

    algorithm: str = "wgan"
    generator: str = "dcgan"
    critic: str = "dcgan"
    dataset: str = "digits"
    data_root: str | None = None
    data_limit: int | None = None
    image_size: int = 64
    nz: int = 100
    ngf: int = 64
    ndf: int = 64
    mlp_hidden: int = 512
    batch_size: int = 64
    lr_g: float = 5e-5
    lr_d: float = 5e-5
    optimizer_g: str = "rmsprop"
    optimizer_d: str = "rmsprop"
    beta1: float = 0.5
    beta2: float = 0.999
    lipschitz: str = "clip"
    clip_value: float = 0.01
    gp_weight: float = 10.0
    n_critic: int = 5
    critic_warmup: bool = True
    generator_iters: int = 1000
    sample_every: int = 500
    checkpoint_every: int = 100
    snapshot_every: int = 0
    log_update_cosine: bool = False
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    channels_last: str | bool = "auto"
    compile: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check every setting on construction; raise ``ValueError`` naming the bad one."""
        _one_of("algorithm", self.algorithm, ALGORITHMS)
        _one_of("optimizer_g", self.optimizer_g, OPTIMIZERS)
        _one_of("optimizer_d", self.optimizer_d, OPTIMIZERS)
        _one_of("generator", self.generator, ARCHITECTURES)
        _one_of("critic", self.critic, ARCHITECTURES)
        for name in ("nz", "ngf", "ndf", "mlp_hidden", "batch_size", "n_critic",
                     "generator_iters", "sample_every", "checkpoint_every"):
            _positive(name, getattr(self, name))
        if not isinstance(self.snapshot_every, int) or self.snapshot_every < 0:
            raise ValueError(
                "The 'snapshot_every' parameter of TrainConfig must be a non-negative int "
                f"(0 keeps no snapshots). Got {self.snapshot_every!r} instead."
            )
        if self.data_limit is not None and (
            not isinstance(self.data_limit, int) or isinstance(self.data_limit, bool)
            or self.data_limit <= 0
        ):
            raise ValueError(
                "The 'data_limit' parameter of TrainConfig must be a positive int (a number of "
                f"images) or None for the whole dataset. Got {self.data_limit!r} instead."
            )
        for name in ("lr_g", "lr_d", "clip_value", "gp_weight"):
            _positive(name, getattr(self, name))
        _one_of("lipschitz", self.lipschitz, LIPSCHITZ)
        if self.lipschitz != "clip" and self.algorithm != "wgan":
            raise ValueError(
                "The 'lipschitz' parameter of TrainConfig must be 'clip' (unused) for "
                f"algorithm={self.algorithm!r}: the gradient penalty and spectral normalization "
                f"constrain a WGAN critic. Got {self.lipschitz!r} instead."
            )
        if self.lipschitz == "gp" and self.critic in BATCH_NORM_CRITICS:
            raise ValueError(
                "The 'critic' parameter of TrainConfig must be a critic without BatchNorm "
                "('dcgan_nobn' or 'mlp') when lipschitz='gp': the gradient penalty is taken "
                f"per sample, and BatchNorm mixes the samples of a batch. Got {self.critic!r} "
                "instead."
            )
        if not isinstance(self.log_update_cosine, bool):
            raise TypeError(
                "The 'log_update_cosine' parameter of TrainConfig must be a bool. "
                f"Got {self.log_update_cosine!r} instead."
            )
        if self.image_size <= 0 or self.image_size % 16:
            raise ValueError(
                "The 'image_size' parameter of TrainConfig must be a positive multiple of 16 "
                f"(the convolutional nets halve it down to 4x4). Got {self.image_size} instead."
            )
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ValueError(
                    f"The '{name}' parameter of TrainConfig must be in [0, 1). Got {value}."
                )
        _one_of("precision", self.precision, PRECISIONS)
        _one_of("compile", self.compile, COMPILE_MODES)
        if self.channels_last not in ("auto", True, False):
            raise ValueError(
                "The 'channels_last' parameter of TrainConfig must be 'auto', True or False. "
                f"Got {self.channels_last!r} instead."
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data view, for JSON and for comparing configs on resume."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build a config from a mapping, refusing keys that are not settings."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"Unknown TrainConfig setting(s) {unknown}. Known settings: {sorted(known)}."
            )
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """Read a config from a JSON or YAML file."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"Config file {str(path)!r} does not exist.")
        text = path.read_text()
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"Config file {str(path)!r} must hold a mapping of settings.")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` applied, checked as a new config is."""
        return dataclasses.replace(self, **changes)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(
            f"The '{name}' parameter of TrainConfig must be one of "
            f"{', '.join(map(repr, allowed))}. Got {value!r} instead."
        )


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(
            f"The '{name}' parameter of TrainConfig must be positive. Got {value!r} instead."
        )
