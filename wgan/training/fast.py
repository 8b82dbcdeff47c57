"""Speed switches of the training step: bf16 autocast, channels-last, compiling, CUDA graphs.

None of them changes what a step computes (the losses, the clamp, the updates of
:mod:`wgan.training.algorithm1` are the same); they change how: in which precision the
convolutions and matrix products run, in which memory layout the images travel, and whether the
networks are compiled. Each is a :class:`~wgan.training.config.TrainConfig` field whose default
``"auto"`` resolves, per kind of machine and network family, to the setting measured fastest
(:data:`MEASURED_DEFAULTS`, measured with ``python -m wgan.speed.bench``). The kinds are a CUDA
GPU, a CPU with bfloat16 instructions and a CPU without them (:func:`machine_kind`, from the
CPU's flags): bfloat16 only where the hardware has it, so the same ``make execute`` trains in
float32 on a CPU that would only emulate bfloat16 (there bfloat16 matrix products ran at a
quarter of float32's speed, the quick image MLPs at half, the quick DCGAN at 0.8-1.0x). What a
run resolved to is in its ``status.json`` (``speed``) and in each page's provenance box.

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
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
# batch 64, 5 critic steps, 64x64 RGB photos), keyed by (machine kind, see machine_kind;
# network family, see network_family).
#
# "cpu-bf16", a CPU with bfloat16 instructions: the 2-core AMD EPYC (AVX-512 BF16) this project
# was first developed on, load average below 2. DCGAN: bfloat16 channels-last 0.53 it/s,
# bfloat16 NCHW 0.50, float32 channels-last 0.32, float32 NCHW 0.27 (the authors' loop:
# 0.26-0.28); on one thread (the Makefile's THREADS=1) bfloat16 channels-last 0.31, float32
# NCHW 0.16; compiling (float32, measured at load 6) took 140 s and gained under 10%. MLP:
# bfloat16 1.2-1.5x float32. Toy data (ring8, hidden 64, batch 256: the mixture chapter's quick
# setting): float32 81 it/s, bfloat16 57, per-operation overhead dominating such small networks
# (at hidden 512, bfloat16 was 1.6x faster: set precision for wide toy nets). On a CPU shared
# with other jobs (load average 6-9 on 2 cores) the order of the DCGAN settings reversed:
# oneDNN's bfloat16 weight-gradient convolution slowed down far more than its float32
# one (0.023 against 0.038 it/s), so on a busy machine set precision="float32". What bounds
# the bfloat16 default there: oneDNN's bfloat16 convolutions of the DCGAN layers run at
# 420-465 GFLOP/s forward and 385-437 input-gradient, but 240-356 weight-gradient (bfloat16
# matmul: ~410), so the bfloat16 step reaches 60-67% of its floor while the float32 authors'
# loop reaches 75-80% of its own: `make bench` measured 1.7-2.0x over that loop. Tried and not
# kept (no gain beyond the run-to-run noise of ~10%): compiling, a per-step autocast weight
# cache, foreach RMSProp; and, timed per layer, batch 128 (real and fake in one pass) and
# oneDNN's float32 convolution with bfloat16 math (torch.backends.mkldnn.conv.fp32_precision),
# neither faster.
#
# "cpu", a CPU without them: a 2-core "Intel(R) Xeon(R) Processor @ 2.80GHz" (AVX-512 with
# VNNI but no avx512_bf16 and no AMX; torch 2.14.1, one thread, 2026-12-07, another job
# sharing the cores: load average 2-6), where oneDNN emulates bfloat16: matmul float32 78-110
# GFLOP/s, bfloat16 14-30. At the quick image settings (16x16 digits, width 32, batch 64,
# critic warm-up off; `python -m wgan.speed.run_cost --steps`, the settings taking turns),
# over float32 NCHW: DCGAN generator iterations in float32 channels-last 1.14-1.26x, bfloat16
# channels-last 0.85-1.27x (0.92x in the steadiest of four measurements), bfloat16 NCHW
# 0.83-1.04x; its critic step alone in float32 channels-last 1.16-1.23x, bfloat16
# channels-last 0.92-1.04x; the image MLPs (256 units, the quick mlp/mlp runs) in bfloat16
# 0.48-0.52x. (Another such Xeon measured the DCGAN critic step in bfloat16 at 0.42x float32,
# issue 28.) Hence float32 for every family there, channels-last for the convolutions;
# compiling was not measured there (off, as on the bfloat16 CPU).
#
# The CUDA entries are the standard choices for tensor-core GPUs (precision and layout were
# not swept there). CUDA, one H200 (torch 2.11, tools/gpu_check.sh, 2026-12-04; the sweep not
# run): bfloat16 channels-last DCGAN at the paper's sizes 27 it/s uncaptured, 120 with
# whole-step CUDA graphs (the authors' loop: 20-23; 8% of the bfloat16 floor); MLP 45 and 283
# (authors' 31-33): graphs are the CUDA default of both image families. A run logging the
# update cosines cannot be captured (its optimizer hooks run in Python), so its "auto"
# resolves to uncaptured steps.
MEASURED_DEFAULTS: dict[tuple[str, str], Speed] = {
    ("cpu-bf16", "conv"): Speed("bfloat16", channels_last=True, compile="off"),
    ("cpu-bf16", "mlp"): Speed("bfloat16", channels_last=False, compile="off"),
    ("cpu-bf16", "toy"): FLOAT32,
    ("cpu", "conv"): Speed("float32", channels_last=True, compile="off"),
    ("cpu", "mlp"): FLOAT32,
    ("cpu", "toy"): FLOAT32,
    ("cuda", "conv"): Speed("bfloat16", channels_last=True, compile="reduce-overhead"),
    ("cuda", "mlp"): Speed("bfloat16", channels_last=False, compile="reduce-overhead"),
    ("cuda", "toy"): FLOAT32,
}

BFLOAT16_FLAGS: tuple[str, ...] = ("avx512_bf16", "amx_bf16", "bf16", "sve_bf16")
"""CPU capabilities (:func:`torch.cpu.get_capabilities`, read by cpuinfo from the CPU itself)
that are bfloat16 arithmetic: x86's AVX-512 BF16 and AMX-BF16, arm64's BF16 and SVE BF16."""


def network_family(config: TrainConfig) -> str:
    """What dominates a step's cost: ``"toy"`` (a toy distribution: small MLPs on a few
    coordinates, bound by per-operation overhead), ``"mlp"`` (MLPs on images: matrix
    products) or ``"conv"`` (any convolutional network on images: convolutions)."""
    if config.dataset in TOY_DATASETS:
        return "toy"
    return "mlp" if config.generator == config.critic == "mlp" else "conv"


def cpu_has_native_bfloat16(capabilities: Mapping[str, object] | None = None) -> bool:
    """Whether this CPU has bfloat16 arithmetic instructions (one of :data:`BFLOAT16_FLAGS`).

    Read from the CPU's flags, not from oneDNN's ``_is_mkldnn_bf16_supported``, which is true
    on any AVX-512 CPU, where bfloat16 is emulated: on a Xeon without ``avx512_bf16`` the
    bfloat16 matrix products ran at a quarter of the float32 ones.

    Parameters
    ----------
    capabilities : mapping of str to object or None, default=None
        Capability name -> value, as :func:`torch.cpu.get_capabilities` gives them (a pretend
        CPU in tests); ``None`` reads this CPU's.
    """
    return bool(_bfloat16_flags(capabilities))


def cpu_name() -> str:
    """This CPU's model name and core count, e.g. ``Intel(R) Xeon(R) Processor @ 2.80GHz, 2
    cores`` (the model from ``/proc/cpuinfo`` on Linux, else from cpuinfo through torch)."""
    model = str(torch.cpu.get_capabilities().get("cpu_name", "unknown CPU"))
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def cpu_bfloat16_note(capabilities: Mapping[str, object] | None = None) -> str:
    """Whether this CPU has bfloat16 instructions, in words, naming the flags found or looked
    for, e.g. ``this CPU has bfloat16 instructions (avx512_bf16, amx_bf16)``.

    Parameters
    ----------
    capabilities : mapping of str to object or None, default=None
        As in :func:`cpu_has_native_bfloat16`.
    """
    found = _bfloat16_flags(capabilities)
    if found:
        return f"this CPU has bfloat16 instructions ({', '.join(found)})"
    *others, last = BFLOAT16_FLAGS
    return (f"this CPU has no bfloat16 instructions (no {', '.join(others)} or {last} among its "
            "flags), so auto is float32 on it")


def machine_kind(device: torch.device) -> str:
    """The first key of :data:`MEASURED_DEFAULTS` for ``device``: ``"cuda"``, ``"cpu-bf16"``
    (a CPU with bfloat16 instructions, :func:`cpu_has_native_bfloat16`) or ``"cpu"``."""
    if device.type == "cuda":
        return "cuda"
    return "cpu-bf16" if cpu_has_native_bfloat16() else "cpu"


def auto_speed(device: torch.device, family: str) -> Speed:
    """What ``"auto"`` resolves to for a network ``family`` on ``device``, on this machine:
    :data:`MEASURED_DEFAULTS` of :func:`machine_kind` and ``family``.

    Parameters
    ----------
    device : torch.device
    family : {"toy", "mlp", "conv"}
        :func:`network_family` of the run.

    Raises
    ------
    ValueError
        For an unknown ``family``.
    """
    kind = machine_kind(device)
    if (kind, family) not in MEASURED_DEFAULTS:
        families = sorted({f for _, f in MEASURED_DEFAULTS})
        raise ValueError(f"The 'family' parameter of auto_speed must be one of "
                         f"{', '.join(map(repr, families))}. Got {family!r} instead.")
    return MEASURED_DEFAULTS[(kind, family)]


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
    default = auto_speed(device, network_family(config))
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


def _bfloat16_flags(capabilities: Mapping[str, object] | None) -> list[str]:
    """The flags of :data:`BFLOAT16_FLAGS` that ``capabilities`` (``None``: this CPU's) has."""
    if capabilities is None:
        capabilities = torch.cpu.get_capabilities()
    return [flag for flag in BFLOAT16_FLAGS if capabilities.get(flag) is True]


def _float32_output(module: nn.Module, inputs: object, output: torch.Tensor) -> torch.Tensor:
    """Forward hook: the critic's values f(x) in float32, so their means are float32 sums."""
    return output.float()
