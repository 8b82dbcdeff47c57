"""WGAN-GP's Figure 1: its toy data, value surfaces, and gradient norms through depth."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from wgan.experiments.gp_figure import (
    DEEP_LAYERS,
    TOY_DATA,
    DeepCritic,
    eight_gaussians,
    layer_gradient_norms,
    plus_unit_noise,
    surface_grid,
    twenty_five_gaussians,
    value_surface,
    weights_of,
)


def test_eight_gaussians_sit_at_radius_two_over_1414() -> None:
    x = eight_gaussians(4000, torch.Generator().manual_seed(0))
    assert x.shape == (4000, 2)
    assert float(x.norm(dim=1).mean()) == pytest.approx(2 / 1.414, abs=0.01)
    angles = torch.atan2(x[:, 1], x[:, 0]) / (2 * math.pi / 8)
    assert float((angles - angles.round()).abs().max()) < 0.05  # on the 8 directions


def test_twenty_five_gaussians_sit_on_the_grid() -> None:
    x = twenty_five_gaussians(5000, torch.Generator().manual_seed(0)) * 2.828
    nearest = (x / 2).round()
    assert set(nearest.flatten().tolist()) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert float((x - 2 * nearest).std()) == pytest.approx(0.05, abs=0.01)


def test_every_toy_sampler_is_reproducible() -> None:
    for sample in TOY_DATA.values():
        a = sample(50, torch.Generator().manual_seed(3))
        b = sample(50, torch.Generator().manual_seed(3))
        assert a.shape == (50, 2) and torch.equal(a, b)


def test_plus_unit_noise_adds_unit_variance() -> None:
    x = plus_unit_noise(lambda n, g: torch.zeros(n, 2))(20000, torch.Generator().manual_seed(0))
    assert float(x.std()) == pytest.approx(1.0, abs=0.02)


def test_value_surface_of_a_known_function() -> None:
    xs, ys, values = value_surface(lambda p: p[:, 0] - 2 * p[:, 1], 1.0, 5)
    np.testing.assert_allclose(values, xs - 2 * ys, atol=1e-6)
    grid = surface_grid(1.0, 5)  # what a fit's stored surface is drawn on
    np.testing.assert_array_equal(grid[0], xs)
    np.testing.assert_array_equal(grid[1], ys)
    with pytest.raises(ValueError, match="surface_grid needs a positive 'limit'"):
        value_surface(lambda p: p[:, 0], 0.0, 5)


def test_deep_critic_has_twelve_linear_layers_and_no_batchnorm() -> None:
    critic = DeepCritic(2, 4)
    assert len(critic.layers) == DEEP_LAYERS
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in critic.modules())
    assert critic(torch.zeros(3, 2)).shape == (3,)
    assert len(weights_of(critic)) == 2 * 4 + 10 * 16 + 4
    with pytest.raises(ValueError, match="DeepCritic"):
        DeepCritic(2, 4, depth=1)


def test_layer_gradient_norms_at_the_output_and_through_a_linear_chain() -> None:
    torch.manual_seed(0)
    critic = DeepCritic(2, 3, depth=2)
    with torch.no_grad():  # layer 1 = 2 * identity-like, positive inputs stay positive
        critic.layers[0].weight.copy_(torch.tensor([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]))
        critic.layers[0].bias.zero_()
        critic.layers[1].weight.copy_(torch.tensor([[1.0, 1.0, 1.0]]))
    m = 4
    real, fake = torch.rand(m, 2) + 0.1, torch.rand(m, 2) + 0.1
    norms = layer_gradient_norms(critic, real, fake)
    # d loss / d f = +-1/m per sample over 2m samples: norm sqrt(2m) / m.
    assert norms[-1] == pytest.approx(math.sqrt(2 * m) / m)
    # d loss / d a_1 = (d loss / d f) * W_2: each sample's row is +-(1, 1, 1)/m.
    assert norms[0] == pytest.approx(math.sqrt(2 * m * 3) / m)
