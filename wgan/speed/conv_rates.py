"""How fast each convolution of a network runs, in each direction of a training step.

A training step runs every convolution three ways: forward, backward to its input (the
input gradient, which a transposed convolution also runs as its forward) and backward
to its weight (the weight gradient). Libraries tune the three unevenly, and unevenly per
precision, so the fraction of the matrix-multiply floor a step reaches
(:mod:`wgan.speed.bench`) depends on how the step's FLOPs fall on them. :func:`conv_rates`
times the three directions of every ``Conv2d`` of a network at the shapes a batch gives
it, in float32 (the authors' loop) and in the precision and layout the project's step
uses on the device (:func:`wgan.training.fast.resolve_speed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from wgan.data import DATASETS
from wgan.training.config import TrainConfig
from wgan.training.device import resolve_device
from wgan.training.fast import Speed, resolve_speed
from wgan.training.models import build_models

DIRECTIONS: tuple[str, ...] = ("forward", "input gradient", "weight gradient")


@dataclass(frozen=True)
class ConvShape:
    """One convolution as a batch meets it.

    Attributes
    ----------
    name : str
        The module's name in the network.
    input_shape : tuple of int
        ``(N, C_in, H, W)``.
    weight_shape : tuple of int
        ``(C_out, C_in, kH, kW)``.
    stride, padding : tuple of int
    output_shape : tuple of int
        ``(N, C_out, H_out, W_out)``.
    """

    name: str
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_shape: tuple[int, ...]

    @property
    def flops(self) -> int:
        """FLOPs of one direction: 2 per multiply-add, the same in all three."""
        n, c_out, h, w = self.output_shape
        _, c_in, kh, kw = self.weight_shape
        return 2 * n * c_out * h * w * c_in * kh * kw


def conv_shapes(network: nn.Module, batch: torch.Tensor) -> list[ConvShape]:
    """The ``Conv2d`` layers of ``network`` with the shapes ``batch`` gives them.

    Parameters
    ----------
    network : nn.Module
        Run once on ``batch`` under ``torch.no_grad``.
    batch : torch.Tensor
        An input of ``network``.

    Returns
    -------
    list of ConvShape
        In the order the forward pass meets them.

    Raises
    ------
    ValueError
        If ``network`` has no ``Conv2d`` (an MLP).
    """
    shapes: list[ConvShape] = []
    hooks = []
    for name, module in network.named_modules():
        if isinstance(module, nn.Conv2d):
            if module.groups != 1 or module.dilation != (1, 1):
                raise ValueError(
                    f"Convolution {name!r} has groups={module.groups}, dilation="
                    f"{module.dilation}; conv_shapes times plain convolutions only."
                )
            def record(module: nn.Conv2d, inputs: tuple[torch.Tensor, ...],
                       output: torch.Tensor, name: str = name) -> None:
                shapes.append(ConvShape(
                    name, tuple(inputs[0].shape), tuple(module.weight.shape),
                    tuple(module.stride), tuple(module.padding), tuple(output.shape)))
            hooks.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            network(batch)
    finally:
        for hook in hooks:
            hook.remove()
    if not shapes:
        raise ValueError(
            f"The 'network' parameter of conv_shapes has no Conv2d layer "
            f"({type(network).__name__}); per-convolution rates need a convolutional network."
        )
    return shapes


def direction_rates(shape: ConvShape, dtype: torch.dtype, channels_last: bool,
                    device: torch.device, repeats: int = 5,
                    warmup_seconds: float = 0.25) -> dict[str, float]:
    """FLOP/s of the three directions of one convolution, the best of ``repeats`` runs.

    Parameters
    ----------
    shape : ConvShape
    dtype : torch.dtype
        Of the input, the weight and the output gradient.
    channels_last : bool
        Memory layout of all three.
    device : torch.device
    repeats : int, default=5
    warmup_seconds : float, default=0.25
        Untimed calls first, per direction: a CPU coming out of a quiet spell was
        measured here to run its first few hundred milliseconds of convolutions up to 1.8
        times slower.

    Returns
    -------
    dict of str to float
        Keyed by :data:`DIRECTIONS`.
    """
    layout = torch.channels_last if channels_last else torch.contiguous_format

    def tensor(size: tuple[int, ...]) -> torch.Tensor:
        return torch.randn(size, device=device, dtype=dtype).contiguous(memory_format=layout)

    x, w, g = tensor(shape.input_shape), tensor(shape.weight_shape), tensor(shape.output_shape)
    stride, padding = list(shape.stride), list(shape.padding)

    def backward(mask: list[bool]) -> Callable[[], object]:
        return lambda: torch.ops.aten.convolution_backward(
            g, x, w, None, stride, padding, [1, 1], False, [0, 0], 1, mask)

    runs = {
        "forward": lambda: F.conv2d(x, w, stride=shape.stride, padding=shape.padding),
        "input gradient": backward([True, False, False]),
        "weight gradient": backward([False, True, False]),
    }
    return {direction: shape.flops / _best_time(run, device, repeats, warmup_seconds)
            for direction, run in runs.items()}


def conv_rates(network: nn.Module, batch: torch.Tensor, speed: Speed, repeats: int = 5,
               warmup_seconds: float = 0.25) -> pd.DataFrame:
    """GFLOP/s of every convolution of ``network``, per direction, float32 against ``speed``.

    Parameters
    ----------
    network : nn.Module
        E.g. the DCGAN critic; only its layer shapes are used.
    batch : torch.Tensor
        An input of ``network`` on the device to time on.
    speed : Speed
        The project's resolved settings: its precision and layout give the second column.
    repeats : int, default=5
    warmup_seconds : float, default=0.25
        See :func:`direction_rates`.

    Returns
    -------
    pandas.DataFrame
        One row per convolution and direction: ``layer`` (name and ``C_in -> C_out @ H``),
        ``direction``, ``float32`` and ``ours`` (GFLOP/s), and ``ours / float32``.
    """
    ours = getattr(torch, speed.precision)
    rows = []
    for shape in conv_shapes(network, batch):
        _, c_in, h, _ = shape.input_shape
        layer = f"{shape.name}: {c_in} -> {shape.weight_shape[0]} @ {h}x{h}"
        timing = dict(device=batch.device, repeats=repeats, warmup_seconds=warmup_seconds)
        reference = direction_rates(shape, torch.float32, False, **timing)
        fast = direction_rates(shape, ours, speed.channels_last, **timing)
        for direction in DIRECTIONS:
            rows.append({"layer": layer, "direction": direction,
                         "float32": round(reference[direction] / 1e9, 1),
                         "ours": round(fast[direction] / 1e9, 1),
                         "ours / float32": round(fast[direction] / reference[direction], 2)})
    return pd.DataFrame(rows)


def critic_conv_rates(config: TrainConfig, repeats: int = 5,
                      warmup_seconds: float = 0.25) -> pd.DataFrame:
    """:func:`conv_rates` of the critic ``config`` trains, at its batch and image size.

    The generator's transposed convolutions run the same kernels with the roles swapped
    (its forward is a convolution's input gradient), so the critic's table covers both.

    Parameters
    ----------
    config : TrainConfig
        An image configuration with a convolutional critic, e.g. ``bench_config("dcgan")``.
    repeats : int, default=5
    warmup_seconds : float, default=0.25
        See :func:`direction_rates`.
    """
    device = resolve_device(config.device)
    sample_shape = (DATASETS[config.dataset].channels, config.image_size, config.image_size)
    torch.manual_seed(config.seed)
    _, critic = build_models(config, sample_shape)
    batch = torch.zeros(config.batch_size, *sample_shape, device=device)
    return conv_rates(critic.to(device), batch, resolve_speed(config, device), repeats,
                      warmup_seconds)


def _best_time(run: Callable[[], object], device: torch.device, repeats: int,
               warmup_seconds: float) -> float:
    """Seconds of the fastest of ``repeats`` calls of ``run``, after ``warmup_seconds`` of
    untimed calls (at least one)."""
    start = time.perf_counter()
    run()
    while time.perf_counter() - start < warmup_seconds:
        run()
    best = float("inf")
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best
