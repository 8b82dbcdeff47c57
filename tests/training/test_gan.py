"""The standard-GAN baseline: BCE discriminator, -log D generator, JS lower bound."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from wgan.training.algorithm1 import make_optimizer
from wgan.training.config import TrainConfig
from wgan.training.gan import discriminator_step, gan_baseline_config, generator_step
from wgan.training.models import Discriminator, build_critic


class ConstantLogit(nn.Module):
    """Critic whose logit is x[:, 0] * w: constant per batch when x is."""

    def __init__(self, w: float = 1.0) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0] * self.w


class Constant(nn.Module):
    """Generator that outputs the value of its parameter for every z."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = nn.Parameter(torch.tensor(value))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.value.expand(len(z), 1)


def _sgd(module: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(module.parameters(), lr=0.0)


def test_discriminator_step_loss_matches_binary_cross_entropy() -> None:
    discriminator = Discriminator(ConstantLogit(1.0))
    real, z = torch.full((4, 1), 0.7), torch.zeros(4, 2)
    out = discriminator_step(discriminator, Constant(-0.3), real, z, _sgd(discriminator))
    d_real, d_fake = torch.sigmoid(torch.tensor(0.7)), torch.sigmoid(torch.tensor(-0.3))
    expected = (F.binary_cross_entropy(d_real, torch.tensor(1.0))
                + F.binary_cross_entropy(d_fake, torch.tensor(0.0)))
    torch.testing.assert_close(out["loss_d"], expected)
    torch.testing.assert_close(out["d_real"], d_real)
    torch.testing.assert_close(out["d_fake"], d_fake)
    # 0.5 * L + log 2, with L = log D(real) + log(1 - D(fake)) = -loss_d.
    torch.testing.assert_close(out["js_lower_bound"], -0.5 * expected + math.log(2))


def test_js_lower_bound_is_zero_when_d_is_one_half() -> None:
    discriminator = Discriminator(ConstantLogit(0.0))
    out = discriminator_step(discriminator, Constant(1.0), torch.ones(4, 1), torch.zeros(4, 2),
                             _sgd(discriminator))
    torch.testing.assert_close(out["js_lower_bound"], torch.tensor(0.0))


def test_js_lower_bound_saturates_at_log_2_with_a_perfect_discriminator() -> None:
    # Section 4.3: the estimate "often remains very close to log 2".
    discriminator = Discriminator(ConstantLogit(1.0))
    out = discriminator_step(discriminator, Constant(-1e4), torch.full((4, 1), 1e4),
                             torch.zeros(4, 2), _sgd(discriminator))
    torch.testing.assert_close(out["js_lower_bound"], torch.tensor(math.log(2)))
    assert out["loss_d"] == 0.0


def test_losses_finite_for_extreme_logits() -> None:
    discriminator = Discriminator(ConstantLogit(1.0))
    out = discriminator_step(discriminator, Constant(1e4), torch.full((4, 1), -1e4),
                             torch.zeros(4, 2), _sgd(discriminator))
    torch.testing.assert_close(out["loss_d"], torch.tensor(2e4))
    out = generator_step(discriminator, Constant(-1e4), torch.zeros(4, 2),
                         _sgd(Constant(0.0)))
    torch.testing.assert_close(out["loss_g"], torch.tensor(1e4))


def test_generator_step_uses_minus_log_d_trick() -> None:
    discriminator, generator = Discriminator(ConstantLogit(1.0)), Constant(0.4)
    optimizer = torch.optim.SGD(generator.parameters(), lr=0.1)
    out = generator_step(discriminator, generator, torch.zeros(4, 2), optimizer)
    torch.testing.assert_close(out["loss_g"], -torch.log(torch.sigmoid(torch.tensor(0.4))))
    # d/da [-log sigmoid(a)] = sigmoid(a) - 1, so a rises by 0.1 * (1 - sigmoid(0.4)).
    expected = 0.4 + 0.1 * (1 - torch.sigmoid(torch.tensor(0.4)))
    torch.testing.assert_close(generator.value.detach(), expected)
    assert discriminator.critic.w.grad is None


def test_discriminator_learns_to_separate_real_from_fake() -> None:
    torch.manual_seed(0)
    discriminator = build_critic("mlp", (1,), mlp_hidden=8, sigmoid=True)
    optimizer = make_optimizer("adam", discriminator.parameters(), lr=1e-2)
    for _ in range(100):
        out = discriminator_step(discriminator, Constant(-1.0), torch.ones(16, 1),
                                 torch.zeros(16, 2), optimizer)
    assert out["d_real"] > 0.9
    assert out["d_fake"] < 0.1
    assert out["js_lower_bound"] > 0.5


def test_steps_refuse_a_critic_without_sigmoid() -> None:
    with pytest.raises(TypeError, match=r"must be a wgan.training.models.Discriminator "
                                        r"\(build it with "
                                        r"build_critic\(\.\.\., sigmoid=True\)\)"):
        discriminator_step(ConstantLogit(), Constant(0.0), torch.ones(2, 1), torch.zeros(2, 2),
                           _sgd(Constant(0.0)))
    with pytest.raises(TypeError, match="'discriminator' parameter of generator_step"):
        generator_step(ConstantLogit(), Constant(0.0), torch.zeros(2, 2), _sgd(Constant(0.0)))


def test_gan_baseline_config_is_dcgan_procedure() -> None:
    config = gan_baseline_config()
    assert config.algorithm == "gan"
    assert (config.optimizer_g, config.optimizer_d) == ("adam", "adam")
    assert (config.lr_g, config.lr_d, config.beta1, config.beta2) == (2e-4, 2e-4, 0.5, 0.999)
    assert config.generator == config.critic == "dcgan"


def test_gan_baseline_config_takes_overrides() -> None:
    config = gan_baseline_config(generator="mlp", seed=7)
    assert (config.generator, config.seed, config.lr_d) == ("mlp", 7, 2e-4)
    assert isinstance(config, TrainConfig)
    with pytest.raises(ValueError, match="Unknown TrainConfig setting"):
        gan_baseline_config(learning_rate=1.0)
