"""Speed switches of the training step: bf16 autocast, channels-last, compiling, CUDA graphs.

None of them changes what a step computes (the losses, the clamp, the updates of
:mod:`wgan.training.algorithm1` are the same); they change how: in which precision the
convolutions and matrix products run, in which memory layout the images travel, and whether the
networks are compiled. Each is a :class:`~wgan.training.config.TrainConfig` field whose default
``"auto"`` resolves, per device and network family, to the setting measured fastest
(:data:`MEASURED_DEFAULTS`, measured with ``python -m wgan.speed.bench``):

``precision``
    ``"float32"``, or ``"bfloat16"``: the step runs under :func:`torch.autocast` with
    bfloat16 (parameters, optimizer states and the clamp stay float32), and the critic's
    outputs are cast back to float32 before the batch means, so the Wasserstein estimate
    ``mean f(real) - mean f(fake)`` is a difference of float32 means.
``channels_last``
    Store convolution weights (and hence activations) as NHWC, the layout oneDNN and
    cuDNN convolve fastest. A no-op for MLPs.
``compile``
    ``"off"``; ``"default"``: :meth:`torch.nn.Module.compile` on both networks (kernels
    fused by Inductor; the first steps are slow while it compiles); ``"reduce-overhead"``:
    whole-step CUDA graphs (:mod:`wgan.training.graphs`; CUDA only; the networks are not
    compiled): the critic update and the generator update are each captured whole
    (forward passes, backward pass, optimizer step, clip or penalty) after a few eager
    warm-up steps, then replayed, which removes the per-kernel launch cost that bounds
    small GPU steps. The name dates from when this setting compiled the two networks
    separately with ``torch.compile(mode="reduce-overhead")``, which crashed on a GPU (the
    generator's graph output, fed to the critic's graph, was overwritten by the next
    replay); it is kept so that configs, and the names of their runs, do not change. Not
    with ``log_update_cosine``.

The equivalence of the fast and the float32 step is a statistical claim (bfloat16 rounds
every activation to 8 significant bits), checked in ``tests/training/test_fast.py`` and in the
book's reproducibility chapter: Wasserstein-estimate trajectories of short runs with the
two settings lie within the seed-to-seed spread.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from wgan.training.batches import TOY_DATASETS
from wgan.training.config import TrainConfig


@dataclass(frozen=True)
class Speed:
    """Resolved speed settings of one run (no ``"auto"`` left).

    Attributes
    ----------
    precision : {"float32", "bfloat16"}
    channels_last : bool
    compile : {"off", "default", "reduce-overhead"}
    """

    precision: str
    channels_last: bool
    compile: str

    def describe(self) -> str:
        """One line, e.g. ``bfloat16 autocast, channels-last, not compiled``; with
        ``compile="reduce-overhead"``: ``..., whole-step CUDA graphs``."""
        precision = "bfloat16 autocast" if self.precision == "bfloat16" else "float32"
        layout = "channels-last" if self.channels_last else "contiguous NCHW"
        compiled = {"off": "not compiled", "reduce-overhead": "whole-step CUDA graphs"}.get(
            self.compile, f"compiled ({self.compile})")
        return f"{precision}, {layout}, {compiled}"


FLOAT32 = Speed("float32", channels_last=False, compile="off")
"""The plain float32 step: what :mod:`wgan.training.algorithm1` does with no switch on."""

# Fastest settings measured with `python -m wgan.speed.bench --sweep` (generator iterations/s,
# batch 64, 5 critic steps, 64x64 RGB photos), keyed by (device type, network family, see
# network_family). CPU: the 2-core AMD EPYC (AVX-512 BF16) this project is developed on,
# load average below 2. DCGAN: bfloat16 channels-last 0.53 it/s, bfloat16 NCHW 0.50,
# float32 channels-last 0.32, float32 NCHW 0.27 (the authors' loop: 0.26-0.28); on one
# thread (the Makefile's THREADS=1) bfloat16 channels-last 0.31, float32 NCHW 0.16; compiling
# (float32, measured at load 6) took 140 s and gained under 10%. MLP: bfloat16 1.2-1.5x
# float32. Toy data (ring8, hidden 64, batch 256: the mixture chapter's quick setting):
# float32 81 it/s, bfloat16 57, per-operation overhead dominating such small networks
# (at hidden 512, bfloat16 was 1.6x faster: set precision for wide toy nets). On a CPU shared
# with other jobs (load average 6-9 on 2 cores) the order of the DCGAN settings reversed:
# oneDNN's bfloat16 weight-gradient convolution slowed down far more than its float32
# one (0.023 against 0.038 it/s), so on a busy machine set precision="float32". The CUDA
# entries are the standard choices for tensor-core GPUs and were not measured (no GPU was
# available); rerun the sweep on a GPU and update them. What bounds the CPU default: oneDNN's
# bfloat16 convolutions of the DCGAN layers run at 420-465 GFLOP/s forward and 385-437
# input-gradient, but 240-356 weight-gradient (bfloat16 matmul: ~410), so the bfloat16 step
# reaches 60-67% of its floor while the float32 authors' loop reaches 75-80% of its own:
# `make bench` measured 1.7-2.0x over that loop. Tried and not kept (no gain beyond the
# run-to-run noise of ~10%): compiling, a per-step autocast weight cache, foreach RMSProp;
# and, timed per layer, batch 128 (real and fake in one pass) and oneDNN's float32 convolution
# with bfloat16 math (torch.backends.mkldnn.conv.fp32_precision), neither faster.
# CUDA, one H200 (torch 2.11, tools/gpu_check.sh, 2026-12-04; the sweep not run): bfloat16
# channels-last DCGAN at the paper's sizes 27 it/s uncaptured, 120 with whole-step CUDA
# graphs (the authors' loop: 20-23; 8% of the bfloat16 floor); MLP 45 and 283 (authors' 31-33):
# graphs are the CUDA default of both image families (precision and layout were not swept
# there; they are the tensor-core standard). A run logging the update cosines cannot be
# captured (its optimizer hooks run in Python), so its "auto" resolves to uncaptured steps.
MEASURED_DEFAULTS: dict[tuple[str, str], Speed] = {
    ("cpu", "conv"): Speed("bfloat16", channels_last=True, compile="off"),
    ("cpu", "mlp"): Speed("bfloat16", channels_last=False, compile="off"),
    ("cuda", "conv"): Speed("bfloat16", channels_last=True, compile="reduce-overhead"),
    ("cuda", "mlp"): Speed("bfloat16", channels_last=False, compile="reduce-overhead"),
    ("cpu", "toy"): FLOAT32,
    ("cuda", "toy"): FLOAT32,
}


def network_family(config: TrainConfig) -> str:
    """What dominates a step's cost: ``"toy"`` (a toy distribution: small MLPs on a few
    coordinates, bound by per-operation overhead), ``"mlp"`` (MLPs on images: matrix
    products) or ``"conv"`` (any convolutional network on images: convolutions)."""
    if config.dataset in TOY_DATASETS:
        return "toy"
    return "mlp" if config.generator == config.critic == "mlp" else "conv"


def cpu_has_native_bfloat16() -> bool:
    """Whether oneDNN runs bfloat16 natively on this CPU (AVX-512 BF16 or AMX)."""
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def resolve_speed(config: TrainConfig, device: torch.device) -> Speed:
    """The speed settings a run uses on ``device``: ``config``'s, with ``"auto"`` resolved.

    Parameters
    ----------
    config : TrainConfig
        Reads ``precision``, ``channels_last``, ``compile`` and the architecture names.
    device : torch.device
        A resolved device (:func:`wgan.training.device.resolve_device`).

    Returns
    -------
    Speed

    Raises
    ------
    ValueError
        For ``compile="reduce-overhead"`` (CUDA graphs) on a device other than CUDA.
    """
    kind = "cuda" if device.type == "cuda" else "cpu"
    default = MEASURED_DEFAULTS[(kind, network_family(config))]
    if device.type == "cpu" and not cpu_has_native_bfloat16():
        default = Speed("float32", default.channels_last, default.compile)
    if default.compile == "reduce-overhead" and config.log_update_cosine:
        default = Speed(default.precision, default.channels_last, "off")  # hooks: not capturable
    speed = Speed(
        precision=default.precision if config.precision == "auto" else config.precision,
        channels_last=(default.channels_last if config.channels_last == "auto"
                       else bool(config.channels_last)),
        compile=default.compile if config.compile == "auto" else config.compile,
    )
    if speed.compile == "reduce-overhead" and device.type != "cuda":
        raise ValueError(
            "The 'compile' parameter of TrainConfig is 'reduce-overhead' (CUDA graphs), which "
            f"needs a CUDA device. Got device {str(device)!r}; use compile='default' or 'off'."
        )
    if speed.compile == "reduce-overhead" and config.log_update_cosine:
        raise ValueError(
            "The 'compile' parameter of TrainConfig is 'reduce-overhead' (whole-step CUDA "
            "graphs), which cannot capture log_update_cosine=True: its optimizer hooks keep "
            "per-step state in Python, which a replayed graph does not run. Use compile='off' "
            "or 'default' with log_update_cosine, or log_update_cosine=False."
        )
    return speed


def prepare_models(generator: nn.Module, critic: nn.Module, speed: Speed) -> None:
    """Apply the memory layout, the float32 critic output and compilation, in place.

    ``compile="reduce-overhead"`` compiles nothing here: its CUDA graphs are captured by
    the loop (:mod:`wgan.training.graphs`), around whole steps.

    Call after moving the networks to their device and before building their optimizers
    (the parameters are converted in place, so existing references stay valid either way).
    State dicts are unchanged: same keys, same float32 values.

    Parameters
    ----------
    generator, critic : nn.Module
    speed : Speed
    """
    for net in (generator, critic):
        if speed.channels_last:
            net.to(memory_format=torch.channels_last)
    if speed.precision == "bfloat16":
        critic.register_forward_hook(_float32_output)
    if speed.compile == "default":
        for net in (generator, critic):
            net.compile()


def autocast(speed: Speed, device: torch.device) -> contextlib.AbstractContextManager:
    """The context steps run in: bfloat16 autocast on ``device``, or nothing.

    The autocast weight cache is off: by default autocast keeps the bfloat16 copy of each
    parameter until its outermost context exits, so a context spanning several steps
    would run every step after the first with the weights from before the optimizer's
    update. Without the cache each forward pass casts the current weights (a cost that
    is small next to the activations).
    """
    if speed.precision == "bfloat16":
        return torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=False)
    return contextlib.nullcontext()


def _float32_output(module: nn.Module, inputs: object, output: torch.Tensor) -> torch.Tensor:
    """Forward hook: the critic's values f(x) in float32, so their means are float32 sums."""
    return output.float()
