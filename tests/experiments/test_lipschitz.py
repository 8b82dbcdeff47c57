"""Critics under each constraint against known W1: the measures on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from wgan.experiments.lipschitz import (
    CONSTRAINTS,
    Constraint,
    FitSettings,
    constrain_,
    constrained_critic,
    critic_gradients,
    digit_family,
    estimate_table,
    family_summary,
    fit,
    gaussian_family,
    gradient_cosine,
    ot_displacement,
    ring_family,
    steps_to_fraction,
)

TINY = FitSettings(hidden=8, steps=20, batch_size=32, lr=1e-3, gp_weight=10.0, eval_samples=64)


def test_ot_displacement_of_a_small_translation_is_minus_the_translation() -> None:
    grid = torch.cartesian_prod(torch.arange(4.0), torch.arange(4.0)) * 10  # spacing 10
    shift = torch.tensor([0.3, -0.4])
    displacement = ot_displacement(grid, grid[torch.randperm(16)] + shift)
    np.testing.assert_allclose(displacement, -shift.double().expand(16, 2).numpy(), atol=1e-5)


def test_ot_displacement_rejects_mismatched_dimensions() -> None:
    with pytest.raises(ValueError, match="same size"):
        ot_displacement(torch.zeros(3, 2), torch.zeros(3, 3))


def test_gradient_cosine_is_one_for_the_optimal_linear_critic_and_minus_one_reversed() -> None:
    generator = torch.Generator().manual_seed(0)
    real = torch.randn(200, 3, generator=generator) * 0.1
    fake = real + torch.tensor([2.0, 0.0, 0.0])
    critic = nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[-1.0, 0.0, 0.0]]))
    def f(x: torch.Tensor) -> torch.Tensor:
        return critic(x).reshape(-1)

    assert gradient_cosine(f, real, fake) == pytest.approx(1.0, abs=1e-9)
    assert gradient_cosine(lambda x: -f(x), real, fake) == pytest.approx(-1.0, abs=1e-9)


def test_critic_gradients_of_a_quadratic() -> None:
    x = torch.randn(5, 2, 2)
    grads = critic_gradients(lambda t: (t**2).flatten(1).sum(1), x)
    torch.testing.assert_close(grads, 2 * x.reshape(5, 4))


def test_gaussian_family_has_the_stated_shift() -> None:
    pairs = gaussian_family(3, [0.5, 2.0])
    generator = torch.Generator().manual_seed(0)
    for pair in pairs:
        fake, real = pair.sample_fake(20000, generator), pair.sample_real(20000, generator)
        gap = fake.mean(0) - real.mean(0)
        assert float(gap.norm()) == pytest.approx(pair.w, abs=0.05)
    assert [p.w for p in pairs] == [0.5, 2.0]


@pytest.mark.parametrize(("dim", "shifts", "message"), [
    (0, [1.0], "'dim' parameter of gaussian_family"),
    (2, [], "'shifts' parameter of gaussian_family"),
    (2, [0.0], "'shifts' parameter of gaussian_family"),
])
def test_gaussian_family_rejects_bad_input(dim: int, shifts: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gaussian_family(dim, shifts)


def test_ring_family_distance_is_the_chord_of_the_rotation() -> None:
    pairs = ring_family([0.1, 0.3], n_reference=400)
    for pair, angle in zip(pairs, [0.1, 0.3], strict=True):
        # each mode moves along a chord of the circle of radius 2; mode weights of two
        # samples of 400 differ by a few percent, moved 1.53 apart: up to ~0.1 more.
        assert pair.w == pytest.approx(4 * math.sin(angle / 2), abs=0.12)
    with pytest.raises(ValueError, match="'angles' parameter of ring_family"):
        ring_family([0.5], n_reference=10)


def test_digit_family_w1_is_the_exact_distance_between_samples() -> None:
    digits = torch.rand(50, 1, 4, 4) * 2 - 1

    def shifted(by: float):
        def sample(n: int, generator: torch.Generator) -> torch.Tensor:
            return digits[torch.randint(len(digits), (n,), generator=generator)] + by
        return sample

    pairs = digit_family(digits, {"same": shifted(0.0), "shifted": shifted(0.5)},
                         n_reference=50)
    assert [p.name for p in pairs] == ["same", "shifted"]
    # a constant shift of every one of the 16 pixels by 0.5 moves each image by 2.0; the
    # "same" pair only differs by which images the two samples of 50 drew
    assert pairs[1].w == pytest.approx(2.0, abs=0.6)
    assert pairs[0].w < pairs[1].w
    with pytest.raises(ValueError, match="'digits' parameter of digit_family"):
        digit_family(digits.to(torch.uint8), {"same": shifted(0.0)}, n_reference=5)
    with pytest.raises(ValueError, match="'fakes' parameter of digit_family"):
        digit_family(digits, {}, n_reference=5)


def test_steps_to_fraction_on_known_histories() -> None:
    ramp = np.minimum(np.arange(1, 101) / 50, 1.0)  # reaches 1 at step 50
    assert 40 <= steps_to_fraction(ramp) <= 50
    assert steps_to_fraction(np.ones(100)) == 5  # the first full window
    assert steps_to_fraction(-np.ones(100)) == 100
    with pytest.raises(ValueError, match="steps_to_fraction"):
        steps_to_fraction(np.array([]))


def test_fit_keeps_a_clipped_critic_in_its_box() -> None:
    constraint = Constraint("clip", "clip", 0.02)
    torch.manual_seed(0)
    critic = constrained_critic(constraint, (2,), 8)
    pair = gaussian_family(2, [1.0])[0]
    history = fit(critic, constraint, pair.sample_real, pair.sample_fake, TINY,
                  torch.Generator().manual_seed(0))
    assert history.shape == (TINY.steps,)
    assert max(float(p.detach().abs().max()) for p in critic.parameters()) <= 0.02


def test_fit_with_spectral_norm_leaves_unit_norm_layers() -> None:
    constraint = Constraint("sn", "sn")
    torch.manual_seed(0)
    critic = constrained_critic(constraint, (2,), 8)
    pair = gaussian_family(2, [1.0])[0]
    fit(critic, constraint, pair.sample_real, pair.sample_fake,
        FitSettings(8, 200, 32, 1e-3, 10.0, 64), torch.Generator().manual_seed(0))
    for layer in (m for m in critic.modules() if isinstance(m, nn.Linear)):
        sigma = float(torch.linalg.matrix_norm(layer.weight.detach().double(), ord=2))
        # 200 power iterations while the weights move by lr 1e-3 per step: within 2%.
        assert sigma == pytest.approx(1.0, abs=0.02)


def test_constrain_leaves_a_penalised_critic_as_it_is() -> None:
    critic = nn.Linear(2, 1)
    before = [p.clone() for p in critic.parameters()]
    constrain_(critic, Constraint("gp", "gp"))
    assert all(torch.equal(a, b) for a, b in zip(before, critic.parameters(), strict=True))


def test_fit_rejects_empty_settings() -> None:
    with pytest.raises(ValueError, match="'settings' parameter of fit"):
        fit(nn.Linear(2, 1), CONSTRAINTS[0], lambda n, g: torch.zeros(n, 2),
            lambda n, g: torch.zeros(n, 2), FitSettings(8, 0, 8, 1e-3, 10.0, 8),
            torch.Generator())


def test_estimate_table_has_a_row_per_family_constraint_and_pair() -> None:
    families = {"g": gaussian_family(2, [1.0, 2.0])}
    table = estimate_table(families, CONSTRAINTS, TINY)
    assert len(table) == len(CONSTRAINTS) * 2
    np.testing.assert_allclose(table["k"], table["estimate"] / table["w"])
    assert table["cosine"].between(-1, 1).all()
    assert table["steps_to_90"].between(1, TINY.steps).all()


def test_family_summary_of_an_exactly_proportional_estimate() -> None:
    w = np.array([1.0, 2.0, 3.0])
    table = pd.DataFrame({"family": "f", "constraint": "c", "pair": ["a", "b", "c"], "w": w,
                          "estimate": 0.1 * w, "k": 0.1, "cosine": 0.5, "steps_to_90": 7})
    row = family_summary(table).loc[("f", "c")]
    assert row["k_ratio"] == pytest.approx(1.0)
    assert (row["slope"], row["intercept"], row["r2"]) == pytest.approx((0.1, 0.0, 1.0),
                                                                        abs=1e-12)
    assert row["k_mean"] == pytest.approx(0.1)
