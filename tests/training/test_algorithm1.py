"""Algorithm 1's steps: the clip, the critic schedule, the losses and their signs."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from wgan.training.algorithm1 import (
    clip_,
    critic_iters,
    critic_step,
    generator_step,
    gradient_penalty,
    make_optimizer,
    prior,
)
from wgan.training.models import build_critic, build_generator


class Shift(nn.Module):
    """A 'generator' with one parameter: g(z) = z[:, :1] * scale + offset, 1-D samples."""

    def __init__(self, offset: float, scale: float = 0.1) -> None:
        super().__init__()
        self.offset = nn.Parameter(torch.tensor(offset))
        self.scale = scale

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, :1] * self.scale + self.offset


class Identity(nn.Module):
    """A critic f(x) = x[:, 0] * w, with one parameter w."""

    def __init__(self, w: float = 1.0) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0] * self.w


def _tiny_image_nets() -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(0)
    return (build_generator("dcgan", (1, 16, 16), nz=8, ngf=4),
            build_critic("dcgan", (1, 16, 16), ndf=4))


def test_clip_bounds_every_parameter_including_batchnorm() -> None:
    _, critic = _tiny_image_nets()
    with torch.no_grad():
        for p in critic.parameters():
            p.copy_(torch.randn_like(p))
    expected = [p.detach().clamp(-0.01, 0.01) for p in critic.parameters()]
    clip_(critic, 0.01)
    for p, e in zip(critic.parameters(), expected, strict=True):
        assert torch.equal(p, e)
    batchnorm = [m for m in critic.modules() if isinstance(m, nn.BatchNorm2d)]
    assert batchnorm and all(m.weight.max() <= 0.01 for m in batchnorm)


@pytest.mark.parametrize("clip_value", [0.0, -0.01])
def test_clip_rejects_non_positive_clip_value(clip_value: float) -> None:
    with pytest.raises(ValueError, match="'clip_value' parameter of clip_ must be positive"):
        clip_(Identity(), clip_value)


def test_critic_weights_within_clip_at_every_critic_step() -> None:
    # The clip runs before each update (authors' code), so every critic evaluation that
    # makes a critic loss sees weights in [-c, c], even with a large learning rate.
    generator, critic = _tiny_image_nets()
    seen: list[float] = []
    critic.register_forward_pre_hook(
        lambda module, args: seen.append(max(p.abs().max().item() for p in module.parameters()))
    )
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=0.1)
    for _ in range(3):
        critic_step(critic, generator, torch.rand(8, 1, 16, 16) * 2 - 1, prior(8, 8),
                    optimizer, clip_value=0.01)
    assert len(seen) == 6
    assert max(seen) <= 0.01


def test_real_and_fake_pass_through_critic_separately() -> None:
    generator, critic = _tiny_image_nets()
    batch_sizes: list[int] = []
    critic.register_forward_pre_hook(lambda module, args: batch_sizes.append(len(args[0])))
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=5e-5)
    critic_step(critic, generator, torch.zeros(8, 1, 16, 16), prior(8, 8), optimizer, 0.01)
    assert batch_sizes == [8, 8]


@pytest.mark.parametrize(
    ("generator_iter", "expected"),
    [(0, 100), (24, 100), (25, 5), (499, 5), (500, 100), (501, 5), (1000, 100), (1001, 5)],
)
def test_critic_iters_follows_authors_schedule(generator_iter: int, expected: int) -> None:
    assert critic_iters(generator_iter, n_critic=5) == expected


def test_critic_iters_without_warmup_is_constant() -> None:
    assert {critic_iters(i, 5, warmup=False) for i in range(1200)} == {5}


def test_critic_iters_total_over_first_600_generator_iters() -> None:
    # 25 warm-up iterations and the 500th at 100, the other 574 at n_critic = 5.
    assert sum(critic_iters(i, 5) for i in range(600)) == 26 * 100 + 574 * 5


def test_critic_iters_rejects_non_positive_n_critic() -> None:
    with pytest.raises(ValueError, match="'n_critic' parameter of critic_iters must be positive"):
        critic_iters(0, 0)


def test_critic_step_returns_losses_of_clipped_critic() -> None:
    generator, critic = Shift(-1.0), Identity(0.5)
    real, z = torch.full((4, 1), 2.0), torch.zeros(4, 3)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=1e-3)
    out = critic_step(critic, generator, real, z, optimizer, clip_value=0.1)
    # After the clip w = 0.1: f(real) = 0.2, f(fake) = -0.1.
    torch.testing.assert_close(out["f_real"], torch.tensor(0.2))
    torch.testing.assert_close(out["f_fake"], torch.tensor(-0.1))
    torch.testing.assert_close(out["loss_d"], torch.tensor(-0.3))
    torch.testing.assert_close(out["w_estimate"], torch.tensor(0.3))
    assert all(v.ndim == 0 and not v.requires_grad for v in out.values())


def test_critic_step_ascends_f_real_minus_f_fake() -> None:
    # d loss_d / d w = mean(fake) - mean(real) = -3 < 0: gradient descent raises w.
    generator, critic = Shift(-1.0), Identity(0.05)
    optimizer = torch.optim.SGD(critic.parameters(), lr=1e-3)
    critic_step(critic, generator, torch.full((4, 1), 2.0), torch.zeros(4, 3), optimizer, 0.1)
    torch.testing.assert_close(critic.w.detach(), torch.tensor(0.05 + 3e-3))


def test_critic_step_leaves_generator_untouched() -> None:
    generator, critic = Shift(-1.0), Identity(0.05)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=1e-3)
    critic_step(critic, generator, torch.ones(4, 1), torch.randn(4, 3), optimizer, 0.1)
    assert generator.offset.grad is None
    assert generator.offset.item() == -1.0


def test_critic_separates_two_gaussians() -> None:
    # Figure 3's setting: real N(2, 0.1^2), fake N(-2, 0.1^2); the trained critic
    # must value real samples above fake ones and be increasing between them.
    torch.manual_seed(0)
    critic = build_critic("mlp", (1,), mlp_hidden=16)
    generator = Shift(-2.0)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=3e-3)
    for _ in range(50):
        out = critic_step(critic, generator, 2.0 + 0.1 * torch.randn(32, 1), torch.randn(32, 1),
                          optimizer, clip_value=0.1)
    assert out["f_real"] > out["f_fake"]
    assert out["w_estimate"] > 0
    with torch.no_grad():
        values = critic(torch.linspace(-2, 2, 9)[:, None])
    assert torch.all(values[1:] >= values[:-1] - 1e-6)


def test_generator_step_loss_is_minus_mean_critic_and_moves_fakes_up() -> None:
    generator, critic = Shift(-1.0), Identity(1.0)
    z = torch.zeros(4, 3)
    optimizer = torch.optim.SGD(generator.parameters(), lr=0.5)
    out = generator_step(critic, generator, z, optimizer)
    torch.testing.assert_close(out["loss_g"], torch.tensor(1.0))
    # d loss_g / d offset = -w = -1, so the offset rises by lr.
    torch.testing.assert_close(generator.offset.detach(), torch.tensor(-0.5))


def test_generator_step_gives_critic_no_gradient() -> None:
    generator, critic = Shift(-1.0), Identity(1.0)
    generator_step(critic, generator, torch.zeros(4, 3),
                   make_optimizer("rmsprop", generator.parameters(), lr=1e-3))
    assert critic.w.grad is None
    assert critic.w.item() == 1.0


def test_steps_run_under_autocast() -> None:
    generator, critic = _tiny_image_nets()
    optimizer_d = make_optimizer("rmsprop", critic.parameters(), lr=5e-5)
    optimizer_g = make_optimizer("rmsprop", generator.parameters(), lr=5e-5)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = critic_step(critic, generator, torch.rand(8, 1, 16, 16), prior(8, 8),
                          optimizer_d, 0.01)
        out |= generator_step(critic, generator, prior(8, 8), optimizer_g)
    assert all(torch.isfinite(v.float()) for v in out.values())
    assert all(p.dtype == torch.float32 for p in critic.parameters())


def test_make_optimizer_builds_rmsprop_and_adam() -> None:
    params = [nn.Parameter(torch.zeros(2))]
    rmsprop = make_optimizer("rmsprop", params, lr=5e-5)
    adam = make_optimizer("adam", params, lr=1e-4, beta1=0.5, beta2=0.9)
    assert isinstance(rmsprop, torch.optim.RMSprop)
    assert rmsprop.defaults["lr"] == 5e-5
    assert isinstance(adam, torch.optim.Adam)
    assert adam.defaults["betas"] == (0.5, 0.9)


def test_make_optimizer_rejects_unknown_name() -> None:
    with pytest.raises(ValueError, match=r"must be one of 'rmsprop', 'adam'\. Got 'sgd'"):
        make_optimizer("sgd", [nn.Parameter(torch.zeros(1))], lr=1.0)


def test_prior_is_standard_normal_and_reproducible() -> None:
    z1 = prior(4000, 3, generator=torch.Generator().manual_seed(1))
    z2 = prior(4000, 3, generator=torch.Generator().manual_seed(1))
    assert z1.shape == (4000, 3)
    assert torch.equal(z1, z2)
    assert abs(z1.mean().item()) < 0.05
    assert abs(z1.std().item() - 1.0) < 0.05


# ---------------------------------------------------------------- the gradient penalty
class Quadratic(nn.Module):
    """f(x) = sum_j a_j x_j^2 over all non-batch dims, so grad f(x) = 2 a * x exactly."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.linspace(0.5, 1.5, math.prod(shape)).reshape(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.a * x**2).flatten(start_dim=1).sum(dim=1)


def finite_difference_norms(critic: nn.Module, x: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    """||grad_x f(x_i)||_2 per sample by central differences, in float64."""
    flat = x.flatten(start_dim=1)
    grads = torch.zeros_like(flat)
    for j in range(flat.shape[1]):
        step = torch.zeros_like(flat)
        step[:, j] = h
        up = critic((flat + step).reshape(x.shape))
        down = critic((flat - step).reshape(x.shape))
        grads[:, j] = (up - down) / (2 * h)
    return grads.norm(dim=1)


@pytest.mark.parametrize("shape", [(3,), (2, 3, 3)])
def test_gradient_penalty_matches_finite_differences(shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Flatten(), nn.Linear(math.prod(shape), 5), nn.Tanh(),
                           nn.Linear(5, 1), nn.Flatten(start_dim=0)).double()
    real = torch.randn(6, *shape, dtype=torch.float64)
    fake = torch.randn(6, *shape, dtype=torch.float64)
    penalty = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(1))
    eps = torch.rand(6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    x_hat = eps.reshape(-1, *(1,) * len(shape)) * real + (1 - eps.reshape(
        -1, *(1,) * len(shape))) * fake
    expected = ((finite_difference_norms(critic, x_hat) - 1) ** 2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-6)


def test_gradient_penalty_draws_one_eps_per_sample() -> None:
    # For f = sum a x^2, grad f(x_hat) = 2 a x_hat: reading x_hat back from the gradient
    # shows each sample's interpolation weight; it must be the same across all its elements.
    shape = (2, 4, 4)
    critic = Quadratic(shape).double()
    real = torch.ones(5, *shape, dtype=torch.float64)
    fake = torch.zeros(5, *shape, dtype=torch.float64)
    seen: list[torch.Tensor] = []
    critic.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].detach()))
    gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(0))
    x_hat = seen[0]  # = eps * 1 + (1 - eps) * 0 = eps, broadcast over the sample
    per_sample = x_hat.flatten(start_dim=1)
    assert torch.all(per_sample.max(dim=1).values == per_sample.min(dim=1).values)
    assert per_sample[:, 0].unique().numel() == 5  # a different eps for each sample
    assert torch.all((per_sample >= 0) & (per_sample <= 1))


def test_gradient_penalty_is_zero_for_a_unit_slope_critic() -> None:
    critic = Identity(1.0)
    x = torch.randn(16, 3)
    assert gradient_penalty(critic, x, torch.randn(16, 3)).item() == pytest.approx(0.0)
    assert gradient_penalty(Identity(3.0), x, torch.randn(16, 3)).item() == pytest.approx(4.0)


def test_gradient_penalty_rejects_mismatched_batches() -> None:
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(Identity(), torch.zeros(4, 2), torch.zeros(3, 2))


def test_critic_step_with_penalty_does_not_clip_and_adds_the_penalty() -> None:
    critic = Identity(3.0)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=0.0)  # nothing moves
    real, z = torch.randn(32, 1), torch.randn(32, 1)
    stats = critic_step(critic, Shift(1.0), real, z, optimizer, clip_value=0.01,
                        lipschitz="gp", gp_weight=10.0)
    assert critic.w.item() == 3.0  # not clipped to 0.01
    assert stats["penalty"].item() == pytest.approx(4.0)  # (|3| - 1)^2
    gap = stats["f_fake"] - stats["f_real"]
    assert stats["loss_d"].item() == pytest.approx(gap.item() + 40.0, rel=1e-6)


def test_critic_step_with_penalty_pulls_the_slope_toward_one() -> None:
    critic = Identity(3.0)
    optimizer = make_optimizer("adam", critic.parameters(), lr=0.05)
    for _ in range(200):  # real = fake in distribution: only the penalty acts
        x = torch.randn(64, 1)
        critic_step(critic, nn.Identity(), x, torch.randn(64, 1), optimizer, clip_value=0.01,
                    lipschitz="gp")
    assert abs(critic.w.item()) == pytest.approx(1.0, abs=0.05)


def test_critic_step_with_spectral_norm_does_not_clip() -> None:
    critic = Identity(3.0)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=0.0)
    stats = critic_step(critic, Shift(1.0), torch.randn(8, 1), torch.randn(8, 1), optimizer,
                        clip_value=0.01, lipschitz="sn")
    assert critic.w.item() == 3.0
    assert "penalty" not in stats


def test_critic_step_rejects_unknown_lipschitz() -> None:
    critic = Identity()
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr=0.0)
    with pytest.raises(ValueError, match="'lipschitz' parameter of critic_step"):
        critic_step(critic, Shift(1.0), torch.randn(8, 1), torch.randn(8, 1), optimizer,
                    clip_value=0.01, lipschitz="layernorm")


def test_penalty_runs_under_autocast() -> None:
    critic = build_critic("mlp", (2,), mlp_hidden=8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        penalty = gradient_penalty(critic, torch.randn(4, 2), torch.randn(4, 2))
    assert penalty.dtype == torch.float32 and torch.isfinite(penalty)
