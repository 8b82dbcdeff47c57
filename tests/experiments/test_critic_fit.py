"""Tests for wgan.experiments.critic_fit: critics and discriminators
trained against fixed distributions."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from wgan.experiments.critic_fit import (
    KNOWN_FAMILIES,
    Figure3Result,
    KnownPair,
    clip_family_bound,
    clipped_critic_estimate,
    critic_gap,
    discriminator_js,
    figure3,
    fit_critic,
    fit_discriminator,
    js_lower_bound,
    known_pair,
    linear_fit,
    lipschitz_bound,
)
from wgan.theory.toy import gaussian_1d
from wgan.training.algorithm1 import clip_
from wgan.training.models import Discriminator, build_critic


def _gaussian(mean: float, std: float = 0.5):
    return lambda n, g: gaussian_1d(n, mean, std, g)


def _critic(hidden: int = 16, seed: int = 0, sigmoid: bool = False) -> nn.Module:
    torch.manual_seed(seed)
    return build_critic("mlp", (1,), mlp_hidden=hidden, sigmoid=sigmoid)


def test_fit_critic_leaves_every_weight_within_the_clip_box():
    critic = _critic()
    fit_critic(critic, _gaussian(-1), _gaussian(1), steps=20, batch_size=16,
               clip_value=0.01, lr=1e-3, generator=torch.Generator().manual_seed(0))
    assert all(p.abs().max() <= 0.01 for p in critic.parameters())


def test_fit_critic_raises_the_estimate_from_real_to_fake():
    critic = _critic()
    gen = torch.Generator().manual_seed(0)
    history = fit_critic(critic, _gaussian(-1), _gaussian(1), steps=80, batch_size=32,
                         clip_value=0.01, lr=1e-3, generator=gen)
    assert history.shape == (80,)
    assert history[-10:].mean() > history[:3].mean()
    assert critic_gap(critic, gaussian_1d(500, -1, 0.5, gen), gaussian_1d(500, 1, 0.5, gen)) > 0


def test_fit_critic_rejects_zero_steps():
    with pytest.raises(ValueError, match="'steps' parameter of fit_critic must be a positive"):
        fit_critic(_critic(), _gaussian(0), _gaussian(1), steps=0, batch_size=4,
                   clip_value=0.01, lr=1e-3, generator=torch.Generator())


def test_fit_discriminator_separates_disjoint_gaussians():
    disc = _critic(sigmoid=True)
    gen = torch.Generator().manual_seed(0)
    history = fit_discriminator(disc, _gaussian(-2), _gaussian(2), steps=150, batch_size=64,
                                lr=1e-2, generator=gen)
    assert history.shape == (150,)
    assert js_lower_bound(disc, gaussian_1d(500, -2, 0.5, gen), gaussian_1d(500, 2, 0.5, gen)) > 0.6


def test_js_lower_bound_of_an_undecided_discriminator_is_zero():
    critic = _critic()
    for p in critic.parameters():
        nn.init.zeros_(p)  # logits 0 everywhere: D = 1/2
    disc = Discriminator(critic)
    x = torch.randn(10, 1)
    assert js_lower_bound(disc, x, x + 3) == pytest.approx(0.0, abs=1e-7)


def test_js_lower_bound_never_exceeds_log_two():
    disc = _critic(seed=3, sigmoid=True)
    x = torch.randn(50, 1) * 5
    assert js_lower_bound(disc, x, -x) <= math.log(2.0)


def test_discriminator_js_is_near_zero_for_identical_distributions_and_large_for_disjoint():
    kwargs = {"hidden": 16, "steps": 100, "batch_size": 64, "lr": 1e-2, "eval_samples": 500,
              "seed": 0}
    assert abs(discriminator_js(_gaussian(0), _gaussian(0), **kwargs)) < 0.05
    assert discriminator_js(_gaussian(-2), _gaussian(2), **kwargs) > 0.6


def test_critic_gap_is_difference_of_means():
    class Identity(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x[:, 0]

    real, fake = torch.tensor([[1.0], [3.0]]), torch.tensor([[0.5], [0.5]])
    assert critic_gap(Identity(), real, fake) == pytest.approx(1.5)


def test_lipschitz_bound_of_a_single_layer_is_its_spectral_norm():
    layer = nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[3.0, 0.0, 4.0]]))
    assert lipschitz_bound(nn.Sequential(layer)) == pytest.approx(5.0)


def test_lipschitz_bound_dominates_the_gradient_norm_of_the_critic():
    torch.manual_seed(1)
    critic = build_critic("mlp", (2,), mlp_hidden=8)
    x = (torch.randn(200, 2) * 3).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    assert grad.norm(dim=1).max() <= lipschitz_bound(critic) * (1 + 1e-6)


def test_lipschitz_bound_rejects_a_convolutional_critic():
    conv = build_critic("dcgan", (1, 16, 16), ndf=4)
    with pytest.raises(TypeError, match="MLP critics"):
        lipschitz_bound(conv)


def test_clip_family_bound_of_the_paper_mlp_is_c4_times_512_cubed():
    assert clip_family_bound(_critic(hidden=512), 0.01) == pytest.approx(0.01**4 * 512**3)


def test_clip_family_bound_dominates_the_bound_of_a_clipped_critic():
    critic = _critic(hidden=8, seed=2)
    clip_(critic, 0.05)
    assert lipschitz_bound(critic) <= clip_family_bound(critic, 0.05)


def test_clip_family_bound_rejects_non_positive_clip_value():
    with pytest.raises(ValueError, match="'clip_value' parameter of clip_family_bound"):
        clip_family_bound(_critic(), 0.0)


def test_the_clipped_critic_obeys_weak_duality_and_its_estimate_grows_with_w():
    rows = [clipped_critic_estimate(KnownPair(f"shift {d}", _gaussian(0.0, 1.0),
                                              _gaussian(d, 1.0), d),
                                    hidden=16, clip_value=0.01, steps=60, batch_size=64,
                                    lr=2e-4, eval_samples=300, seed=0)
            for d in (0.5, 2.0, 6.0)]
    table = pd.DataFrame(rows)
    assert list(table["pair"]) == ["shift 0.5", "shift 2.0", "shift 6.0"]
    assert np.all(table["estimate"] / table["k_bound"] <= table["w_eval"] + 1e-6)
    assert np.all(np.diff(table["estimate"]) > 0)
    assert np.all(table["k_bound"] <= table["k_family"])


@pytest.mark.parametrize("family", KNOWN_FAMILIES)
def test_a_known_pair_is_named_by_data_and_lies_at_its_distance(family: str) -> None:
    pair = known_pair(family, -1.5)
    assert (pair.name, pair.w) == (family, 1.5)
    generator = torch.Generator().manual_seed(0)
    real, fake = pair.sample_real(4000, generator), pair.sample_fake(4000, generator)
    assert real.shape == fake.shape
    # the fake law is the real one moved by -1.5 along the first coordinate
    assert float(fake[:, 0].mean() - real[:, 0].mean()) == pytest.approx(-1.5, abs=0.1)


def test_an_unknown_pair_family_is_refused():
    with pytest.raises(ValueError, match="'family' parameter of known_pair must be one of"):
        known_pair("circles", 1.0)


def test_linear_fit_recovers_a_line_with_r2_one():
    x = np.linspace(0, 1, 11)
    slope, intercept, r2 = linear_fit(x, 2 * x - 1)
    assert (slope, intercept, r2) == pytest.approx((2.0, -1.0, 1.0))


def test_linear_fit_matches_a_fit_worked_by_hand():
    # through (0, 0), (1, 1), (2, 3): slope 3/2, intercept -1/6, residuals 1/6, -1/3, 1/6
    # (sum of squares 1/6) against a total sum of squares 42/9, so r2 = 1 - 1/28
    slope, intercept, r2 = linear_fit(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0]))
    assert (slope, intercept, r2) == pytest.approx((1.5, -1 / 6, 27 / 28))


def test_linear_fit_of_a_constant_has_r2_one():
    assert linear_fit(np.arange(4.0), np.full(4, 2.0)) == pytest.approx((0.0, 2.0, 1.0))


def test_linear_fit_of_a_parabola_has_r2_below_one():
    x = np.linspace(-1, 1, 21)
    assert linear_fit(x, x**2)[2] < 0.1


def test_linear_fit_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        linear_fit(np.zeros(3), np.zeros(4))


def test_figure3_discriminator_saturates_while_the_critic_stays_linear():
    result = figure3(hidden=16, critic_steps=150, discriminator_steps=150, discriminator_lr=1e-2,
                     eval_samples=300, grid_points=201)
    n = result.numbers
    assert n["d_slope_fake"] < 0.01 * n["d_slope_max"]
    assert n["critic_slope_fake"] > 0.1 * n["critic_slope_max"]
    assert n["critic_r2"] > 0.9
    assert n["critic_fit_slope"] < 0  # real on the left gets the higher values
    assert n["critic_estimate"] / n["k_bound"] <= n["w_eval"]
    assert result.critic.shape == result.grid.shape == result.optimal_critic.shape
    # N(-2, 0.5^2) and N(2, 0.5^2): densities of total mass 1, each peaking at its mean
    for density, mean in ((result.density_real, -2.0), (result.density_fake, 2.0)):
        assert np.trapezoid(density, result.grid) == pytest.approx(1.0, abs=1e-4)
        assert result.grid[np.argmax(density)] == pytest.approx(mean, abs=0.05)
    # The exact optimal critic between separated 1-D clouds has slope -1 between them.
    middle = np.abs(result.grid) < 1
    assert np.allclose(np.diff(result.optimal_critic[middle]) / np.diff(result.grid[middle]), -1)
    back = Figure3Result.from_dict(json.loads(json.dumps(result.to_dict())))  # as a fit stores it
    assert back.numbers == result.numbers
    for name in ("grid", "discriminator", "critic_slope", "optimal_critic"):
        np.testing.assert_array_equal(getattr(back, name), getattr(result, name))
