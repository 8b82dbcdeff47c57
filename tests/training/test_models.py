"""Shapes, parameter counts, initialisation and errors of the model registry."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from wgan.training.config import TrainConfig
from wgan.training.models import (
    ARCHITECTURES,
    Discriminator,
    build_critic,
    build_generator,
    build_models,
    conv_pyramid,
    count_parameters,
    init_weights,
    spectral_normalize_,
)

IMAGE_SHAPES = [(1, 16, 16), (3, 32, 32), (2, 48, 48)]


@pytest.mark.parametrize("name", ARCHITECTURES)
@pytest.mark.parametrize("shape", IMAGE_SHAPES)
def test_generator_maps_noise_to_sample_shape(name: str, shape: tuple[int, ...]) -> None:
    generator = build_generator(name, shape, nz=7, ngf=4, mlp_hidden=16)
    assert generator(torch.randn(5, 7)).shape == (5, *shape)


@pytest.mark.parametrize("name", ARCHITECTURES)
@pytest.mark.parametrize("shape", IMAGE_SHAPES)
def test_critic_maps_samples_to_one_value_each(name: str, shape: tuple[int, ...]) -> None:
    critic = build_critic(name, shape, ndf=4, mlp_hidden=16)
    assert critic(torch.randn(5, *shape)).shape == (5,)


def test_mlp_handles_flat_toy_samples() -> None:
    generator = build_generator("mlp", (2,), nz=3, mlp_hidden=8)
    critic = build_critic("mlp", (2,), mlp_hidden=8)
    assert critic(generator(torch.randn(4, 3))).shape == (4,)


@pytest.mark.parametrize(
    ("side", "expected"), [(16, (4, 2)), (32, (4, 3)), (64, (4, 4)), (48, (6, 3)), (80, (5, 4))]
)
def test_conv_pyramid_halves_down_to_base(side: int, expected: tuple[int, int]) -> None:
    base, layers = conv_pyramid(side)
    assert (base, layers) == expected
    assert base * 2**layers == side


def _dcgan_generator_count(nz: int, ngf: int, nc: int) -> int:
    """Closed form for 64x64: convT weights (no bias) plus BatchNorm weight and bias."""
    chans = [ngf * 8, ngf * 4, ngf * 2, ngf]
    inner = sum(a * b * 16 for a, b in itertools.pairwise(chans))
    weights = nz * chans[0] * 16 + inner + ngf * nc * 16
    return weights + 2 * sum(chans)


def test_dcgan_generator_parameter_count_matches_closed_form() -> None:
    generator = build_generator("dcgan", (3, 64, 64))
    assert count_parameters(generator) == _dcgan_generator_count(100, 64, 3) == 3_576_704


def test_dcgan_critic_parameter_count_matches_closed_form() -> None:
    chans = [64, 128, 256, 512]
    weights = 3 * 64 * 16 + sum(a * b * 16 for a, b in itertools.pairwise(chans)) + 512 * 16
    batchnorm = 2 * (128 + 256 + 512)
    assert count_parameters(build_critic("dcgan", (3, 64, 64))) == weights + batchnorm


def test_nobn_generator_has_constant_filters_and_no_batchnorm() -> None:
    generator = build_generator("dcgan_nobn", (3, 64, 64), ngf=64)
    convs = [m for m in generator.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert [c.out_channels for c in convs] == [64, 64, 64, 64, 3]
    assert not any(isinstance(m, nn.BatchNorm2d) for m in generator.modules())
    expected = 100 * 64 * 16 + 3 * 64 * 64 * 16 + 64 * 3 * 16
    assert count_parameters(generator) == expected == 302_080


def test_nobn_generator_is_a_bit_more_than_an_order_of_magnitude_smaller() -> None:
    # Figure 7: "the number of parameters is therefore reduced by a bit more than an
    # order of magnitude".
    dcgan = count_parameters(build_generator("dcgan", (3, 64, 64)))
    nobn = count_parameters(build_generator("dcgan_nobn", (3, 64, 64)))
    assert 10 < dcgan / nobn < 15, f"ratio {dcgan / nobn:.2f}"


def test_mlp_parameter_count_matches_closed_form() -> None:
    nz, hidden, out = 100, 512, 3 * 64 * 64
    expected = (nz + 1) * hidden + 2 * (hidden + 1) * hidden + (hidden + 1) * out
    assert count_parameters(build_generator("mlp", (3, 64, 64))) == expected
    critic_expected = (out + 1) * hidden + 2 * (hidden + 1) * hidden + hidden + 1
    assert count_parameters(build_critic("mlp", (3, 64, 64))) == critic_expected


def test_mlp_generator_ends_in_linear_without_tanh() -> None:
    generator = build_generator("mlp", (2,), nz=4, mlp_hidden=8)
    assert isinstance(list(generator.modules())[-1], nn.Linear)
    with torch.no_grad():
        generator.main[-1].bias.fill_(3.0)
    assert generator(torch.zeros(2, 4)).min() > 1.0


def test_dcgan_generator_output_in_tanh_range() -> None:
    generator = build_generator("dcgan", (3, 16, 16), nz=8, ngf=4)
    out = generator(100 * torch.randn(6, 8))
    assert out.abs().max() <= 1.0


def test_critic_has_no_sigmoid_and_discriminator_adds_one() -> None:
    torch.manual_seed(0)
    critic = build_critic("mlp", (2,), mlp_hidden=8)
    with torch.no_grad():
        critic.main[-1].bias.fill_(5.0)
    x = torch.randn(3, 2)
    assert critic(x).min() > 1.0
    discriminator = Discriminator(critic)
    torch.testing.assert_close(discriminator(x), torch.sigmoid(critic(x)))
    torch.testing.assert_close(discriminator.logits(x), critic(x))


def test_build_critic_with_sigmoid_returns_discriminator() -> None:
    assert isinstance(build_critic("dcgan", (1, 16, 16), ndf=4, sigmoid=True), Discriminator)


def test_init_weights_follows_dcgan() -> None:
    torch.manual_seed(0)
    critic = build_critic("dcgan", (3, 64, 64))
    conv = critic.main.down1[0].weight
    batchnorm = critic.main.down1[1]
    assert abs(conv.std().item() - 0.02) < 0.002
    assert abs(conv.mean().item()) < 0.002
    assert abs(batchnorm.weight.mean().item() - 1.0) < 0.01
    assert torch.equal(batchnorm.bias, torch.zeros_like(batchnorm.bias))


def test_init_weights_leaves_linear_layers_at_pytorch_default() -> None:
    layer = nn.Linear(4, 3)
    before = layer.weight.clone()
    init_weights(layer)
    assert torch.equal(layer.weight, before)


def test_dcgan_nobn_critic_has_no_batchnorm() -> None:
    critic = build_critic("dcgan_nobn", (1, 32, 32), ndf=4)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())


def test_build_models_follows_config() -> None:
    config = TrainConfig(generator="mlp", critic="dcgan", nz=5, ngf=4, ndf=4, mlp_hidden=8,
                         algorithm="gan")
    generator, critic = build_models(config, (1, 16, 16))
    assert generator(torch.randn(2, 5)).shape == (2, 1, 16, 16)
    assert isinstance(critic, Discriminator)


def test_unknown_architecture_lists_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'name' parameter of build_generator must be one of "
                                         r"'dcgan', 'dcgan_nobn', 'mlp'\. Got 'resnet'"):
        build_generator("resnet", (3, 64, 64))
    with pytest.raises(ValueError, match="'name' parameter of build_critic must be one of"):
        build_critic("resnet", (3, 64, 64))


@pytest.mark.parametrize("shape", [(3, 40, 40), (3, 32, 16), (32, 32)])
def test_image_side_not_multiple_of_16_is_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"needs an image sample_shape .* multiple of 16"):
        build_critic("dcgan", shape)


def test_dcgan_on_flat_samples_points_to_mlp() -> None:
    with pytest.raises(ValueError, match="Use 'mlp' for flat"):
        build_generator("dcgan", (2,))


def test_non_positive_width_is_refused() -> None:
    with pytest.raises(ValueError, match="'ngf' parameter of build_generator must be a positive"):
        build_generator("dcgan", (3, 16, 16), ngf=0)
    with pytest.raises(ValueError, match="'sample_shape' parameter of build_critic"):
        build_critic("mlp", (0,))


def largest_singular_value(layer: nn.Module) -> float:
    """sigma_max of a layer's (normalised) weight, reshaped to (out, in * k * k)."""
    weight = layer.weight.detach().double()
    return float(torch.linalg.matrix_norm(weight.reshape(weight.shape[0], -1), ord=2))


@pytest.mark.parametrize(("name", "shape"), [("mlp", (2,)), ("dcgan_nobn", (1, 16, 16)),
                                             ("dcgan", (3, 16, 16))])
def test_spectral_norm_brings_every_layer_to_unit_norm(name: str,
                                                       shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    critic = spectral_normalize_(build_critic(name, shape, ndf=4, mlp_hidden=16))
    layers = [m for m in critic.modules() if isinstance(m, nn.Linear | nn.Conv2d)]
    assert layers and all(nn.utils.parametrize.is_parametrized(m, "weight") for m in layers)
    with torch.no_grad():
        for _ in range(50):  # one power iteration per forward pass in training mode
            critic(torch.randn(4, *shape))
    critic.eval()  # eval: the weight is divided by the converged estimate, no new iteration
    sigmas = [largest_singular_value(m) for m in layers]
    # Tolerance: 50 power iterations on these small matrices converge to well within 1e-3.
    assert sigmas == pytest.approx([1.0] * len(layers), abs=1e-3)


def test_spectral_norm_of_a_known_matrix() -> None:
    layer = nn.Linear(3, 3, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.diag(torch.tensor([5.0, 2.0, 0.5])))
    spectral_normalize_(layer)
    for _ in range(20):
        layer(torch.zeros(1, 3))
    layer.eval()
    assert torch.allclose(layer.weight.diagonal(), torch.tensor([1.0, 0.4, 0.1]), atol=1e-4)


def test_spectral_norm_refuses_a_network_without_layers() -> None:
    with pytest.raises(ValueError, match="'critic' parameter of spectral_normalize_"):
        spectral_normalize_(nn.ReLU())


def test_build_models_normalises_the_critic_for_sn() -> None:
    config = TrainConfig(generator="mlp", critic="mlp", mlp_hidden=8, lipschitz="sn")
    _, critic = build_models(config, (2,))
    assert all(nn.utils.parametrize.is_parametrized(m, "weight")
               for m in critic.modules() if isinstance(m, nn.Linear))
    _, plain = build_models(config.replace(lipschitz="clip"), (2,))
    assert not any(nn.utils.parametrize.is_parametrized(m) for m in plain.modules())
