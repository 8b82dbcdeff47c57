"""Per-convolution rates: the shapes a batch gives each layer, the FLOP count, one row per
layer and direction. No rate is asserted beyond being positive: timing is measurement."""

from __future__ import annotations

import math
import re

import pytest
import torch
from torch import nn

from wgan.speed import bench
from wgan.speed.bench import bench_config
from wgan.speed.conv_rates import (
    DIRECTIONS,
    ConvShape,
    conv_rates,
    conv_shapes,
    critic_conv_rates,
    direction_rates,
)
from wgan.training.fast import FLOAT32
from wgan.training.models import build_critic

CPU = torch.device("cpu")


def test_flops_are_two_per_multiply_add() -> None:
    shape = ConvShape("c", (2, 3, 8, 8), (5, 3, 4, 4), (2, 2), (1, 1), (2, 5, 4, 4))
    assert shape.flops == 2 * (2 * 5 * 4 * 4) * (3 * 4 * 4)


def test_conv_shapes_follow_the_dcgan_critic_down_to_4x4() -> None:
    critic = build_critic("dcgan", (3, 32, 32), ndf=4)
    shapes = conv_shapes(critic, torch.zeros(2, 3, 32, 32))
    assert [s.input_shape[1:] for s in shapes] == [
        (3, 32, 32), (4, 16, 16), (8, 8, 8), (16, 4, 4)]
    assert [s.output_shape[1:] for s in shapes] == [
        (4, 16, 16), (8, 8, 8), (16, 4, 4), (1, 1, 1)]
    assert all(s.weight_shape[2:] == (4, 4) for s in shapes)


def test_conv_shapes_refuse_a_network_without_convolutions() -> None:
    with pytest.raises(ValueError, match="has no Conv2d layer"):
        conv_shapes(build_critic("mlp", (1, 8, 8), mlp_hidden=4), torch.zeros(2, 1, 8, 8))


def test_conv_shapes_refuse_grouped_convolutions() -> None:
    with pytest.raises(ValueError, match=re.escape("Convolution '0' has groups=2")):
        conv_shapes(nn.Sequential(nn.Conv2d(4, 4, 3, groups=2)), torch.zeros(1, 4, 8, 8))


def test_direction_rates_time_the_three_directions() -> None:
    shape = conv_shapes(nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1)), torch.zeros(4, 3, 16, 16))[0]
    rates = direction_rates(shape, torch.float32, channels_last=True, device=CPU, repeats=1,
                            warmup_seconds=0)
    assert list(rates) == list(DIRECTIONS)
    assert all(math.isfinite(rate) and rate > 0 for rate in rates.values())


def test_conv_rates_give_one_row_per_layer_and_direction() -> None:
    critic = build_critic("dcgan", (1, 16, 16), ndf=4)
    table = conv_rates(critic, torch.zeros(4, 1, 16, 16), FLOAT32, repeats=1, warmup_seconds=0)
    assert len(table) == 3 * len(DIRECTIONS)
    assert list(table.columns) == ["layer", "direction", "float32", "ours", "ours / float32"]
    assert table["layer"].iloc[0] == "main.input.0: 1 -> 4 @ 16x16"


def test_critic_conv_rates_use_the_configured_dataset_and_sizes() -> None:
    config = bench_config("dcgan", image_size=16, ndf=4, ngf=4, batch_size=4, device="cpu")
    table = critic_conv_rates(config, repeats=1, warmup_seconds=0)
    assert table["layer"].iloc[0] == "main.input.0: 3 -> 4 @ 16x16"  # photos: RGB


def test_bench_command_prints_the_layer_table_with_layers(capsys: pytest.CaptureFixture) -> None:
    bench.main(["--device", "cpu", "--settings", "dcgan", "--dataset", "digits",
                "--image-size", "16", "--width", "4", "--batch-size", "8", "--warmup", "0",
                "--iters", "1", "--rounds", "1", "--workers", "0", "--layers"])
    printed = capsys.readouterr().out
    assert "convolutions of the dcgan critic, GFLOP/s:" in printed
    assert "weight gradient" in printed
