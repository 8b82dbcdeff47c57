"""Critics under each constraint against known W1: the measures on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from wgan.experiments.lipschitz import (
    CONSTRAINTS,
    Constraint,
    FitSettings,
    clip_linear_slope,
    constrain_,
    constrained_critic,
    critic_gradients,
    fit,
    gaussian_family,
    gp_linear_optimum,
    gradient_cosine,
    lambda_sweep,
    monitored_fit,
    ot_displacement,
    population_estimates,
    projected_drift,
    scaled_gaussian_family,
    shared_estimate,
    steps_to_fraction,
)
from wgan.experiments.lipschitz_verdicts import GATE_DRIFT

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


# ---------------------------------------------------------------- population W1, closed forms
def test_gp_linear_optimum_maximises_the_penalised_objective_of_a_linear_critic() -> None:
    slopes = np.linspace(0.5, 12.0, 230_001)
    for w, weight in ((0.5, 10.0), (2.0, 10.0), (1.25, 1.0), (2.0, 0.1)):
        best = slopes[np.argmax(slopes * w - weight * (slopes - 1.0) ** 2)]
        assert gp_linear_optimum(w, weight) == pytest.approx(best, abs=1e-4)
    assert [gp_linear_optimum(w, 10.0) for w in (0.5, 1.25, 2.0)] == pytest.approx(
        [1.025, 1.0625, 1.10])
    with pytest.raises(ValueError, match="gp_linear_optimum"):
        gp_linear_optimum(1.0, 0.0)


def test_a_trained_linear_critic_reaches_the_penalised_optimum() -> None:
    """Algorithm 1's penalised step on a linear critic ends at slope 1 + W / (2 lambda)."""
    pair = gaussian_family(2, [2.0])[0]
    settings = FitSettings(hidden=8, steps=1500, batch_size=512, lr=1e-2, gp_weight=1.0,
                           eval_samples=64)
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))
    fit(linear, Constraint("gp", "gp"), pair.sample_real, pair.sample_fake, settings,
        torch.Generator().manual_seed(0))
    slope = float(-linear[0].weight[0, 0].detach())
    assert slope == pytest.approx(gp_linear_optimum(2.0, 1.0), rel=0.03)  # 2.0


def test_clip_linear_slope_is_held_by_the_box_and_realised_by_a_linear_critic() -> None:
    torch.manual_seed(0)
    critic = constrained_critic(Constraint("clip", "clip", 0.1), (2,), 8)
    assert clip_linear_slope(critic, 0.1) == pytest.approx(0.1**4 * 4**3)
    # build the construction of the docstring: +-c weights, zero biases, halves of +-t
    layers = [m for m in critic.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, layer in enumerate(layers):
            layer.bias.zero_()
            sign_out = torch.tensor([1.0] * (layer.out_features // 2)
                                    + [-1.0] * (layer.out_features - layer.out_features // 2))
            if i == len(layers) - 1:
                sign_out = torch.ones(1)
            if i == 0:
                sign_in = torch.tensor([1.0, 0.0])
            else:
                sign_in = torch.tensor([1.0] * (layer.in_features // 2)
                                       + [-1.0] * (layer.in_features // 2))
            layer.weight.copy_(0.1 * torch.outer(sign_out, sign_in))
    x = torch.randn(50, 2)
    assert max(float(p.detach().abs().max()) for p in critic.parameters()) == pytest.approx(0.1)
    torch.testing.assert_close(critic(x), clip_linear_slope(critic, 0.1) * x[:, 0])
    with pytest.raises(TypeError, match="clip_linear_slope"):
        clip_linear_slope(nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)), 0.1)


def test_scaled_gaussian_family_has_its_population_w1_and_optimal_critic() -> None:
    # E|X| = sqrt(2 / pi) in 1-D (the half-normal's mean)
    assert [p.w for p in scaled_gaussian_family(1, [2.0, 0.5])] == pytest.approx(
        [math.sqrt(2 / math.pi), 0.5 * math.sqrt(2 / math.pi)])
    pairs = scaled_gaussian_family(2, [1.5, 0.5])
    generator = torch.Generator().manual_seed(0)
    for pair in pairs:
        assert pair.w == pytest.approx(0.5 * math.sqrt(math.pi / 2))
        real, fake = pair.sample_real(100_000, generator), pair.sample_fake(100_000, generator)
        estimate, se = shared_estimate(pair.optimal, real, fake)
        assert estimate == pytest.approx(pair.w, abs=4 * se)
    with pytest.raises(ValueError, match="'scales' parameter of scaled_gaussian_family"):
        scaled_gaussian_family(2, [1.0])


def test_gaussian_family_optimal_critic_estimates_the_shift() -> None:
    pair = gaussian_family(3, [1.5])[0]
    generator = torch.Generator().manual_seed(0)
    real, fake = pair.sample_real(50_000, generator), pair.sample_fake(50_000, generator)
    estimate, se = shared_estimate(pair.optimal, real, fake)
    assert estimate == pytest.approx(1.5, abs=4 * se)
    assert se == pytest.approx(math.sqrt(2 / 50_000), rel=0.05)
    assert pair.kind == "translation"


# ---------------------------------------------------------------- the convergence gate
MONITORED = np.arange(1, 21) * 25  # 20 checkpoints of a 500-iteration fit, as monitored


def test_a_fit_creeping_at_one_and_a_half_percent_per_fifth_fails_the_gate() -> None:
    """Made-up curves, no training: a steady creep passes a gate that reads what moved over
    the last fifth (under 2%, the gate this one replaced) and fails this one."""
    creeping = 1.0 + 0.015 * MONITORED / 100  # 1.5% of the start per fifth (100 iterations)
    window = MONITORED >= 400
    slope = np.polyfit(MONITORED[window], creeping[window], 1)[0]
    assert slope * 100 / creeping[window].mean() < 0.02  # the last fifth moved under 2%
    drift = projected_drift(MONITORED, creeping)
    assert drift == pytest.approx(0.015 * 5 / creeping[window].mean(), rel=1e-9)  # about 7%
    assert drift > GATE_DRIFT
    settled = 1.0 - 0.5 * np.exp(-MONITORED / 50.0)  # time constant a tenth of the fit
    assert projected_drift(MONITORED, settled) < GATE_DRIFT / 10
    jittering = 1.0 + 0.005 * np.where(np.arange(20) % 2, 1.0, -1.0)  # +-0.5%, settled
    assert projected_drift(MONITORED, jittering) < GATE_DRIFT


def test_the_gate_does_not_underestimate_what_is_left_to_climb() -> None:
    """For approaches to a limit as 1/t and exponential with a time constant up to the fit's
    length, the projected drift is at least the distance left to the limit."""
    t = MONITORED.astype(float)
    for curve in (1.0 - 20.0 / t, 1.0 - 0.5 * np.exp(-t / 250.0),
                  1.0 - 0.5 * np.exp(-t / 500.0)):
        left = (1.0 - curve[-1]) / curve[t >= 400].mean()
        assert projected_drift(MONITORED, curve) >= left


def test_projected_drift_of_degenerate_traces_and_bad_steps() -> None:
    assert projected_drift(MONITORED, np.ones(20)) == pytest.approx(0.0, abs=1e-12)
    assert projected_drift(MONITORED, np.zeros(20)) == math.inf
    assert projected_drift(MONITORED, np.r_[np.ones(19), np.nan]) == math.inf
    falling = 2.0 - MONITORED / 500  # 2 -> 1: moves 1 over the fit, mean 1.1 in the window
    assert projected_drift(MONITORED, falling) == pytest.approx(1.0 / 1.1, rel=1e-9)
    with pytest.raises(ValueError, match="'steps' parameter of projected_drift"):
        projected_drift([2, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="at least 2 iterations in the last fifth"):
        projected_drift([100, 300, 500], [1.0, 1.0, 1.0])


def test_monitored_fit_leaves_the_fit_unchanged() -> None:
    pair = gaussian_family(2, [1.0])[0]
    constraint = CONSTRAINTS[1]
    watch = torch.Generator().manual_seed(9)
    real, fake = pair.sample_real(200, watch), pair.sample_fake(200, watch)
    histories = []
    for monitored in (False, True):
        torch.manual_seed(0)
        critic = constrained_critic(constraint, (2,), 8)
        generator = torch.Generator().manual_seed(0)
        if monitored:
            history, drift = monitored_fit(critic, constraint, pair.sample_real,
                                           pair.sample_fake, TINY, generator, real, fake,
                                           checkpoints=5)
            assert math.isfinite(drift) and drift >= 0
        else:
            history = fit(critic, constraint, pair.sample_real, pair.sample_fake, TINY,
                          generator)
        histories.append(history)
    np.testing.assert_array_equal(histories[0], histories[1])
    with pytest.raises(ValueError, match="'checkpoints' parameter of monitored_fit"):
        monitored_fit(critic, constraint, pair.sample_real, pair.sample_fake, TINY,
                      torch.Generator(), real, fake, checkpoints=4)


def test_population_estimates_share_the_sample_with_the_exact_critic() -> None:
    families = {"g": gaussian_family(2, [1.0, 2.0]), "s": scaled_gaussian_family(2, [2.0])}
    settings = FitSettings(hidden=8, steps=20, batch_size=32, lr=1e-3, gp_weight=10.0,
                           eval_samples=300)
    table = population_estimates(families, CONSTRAINTS, settings, [0, 1], n_cosine=50,
                                 n_monitor=100, checkpoints=5)
    assert len(table) == len(CONSTRAINTS) * 3 * 2
    np.testing.assert_allclose(table["k_paired"], table["estimate"] / table["exact"])
    np.testing.assert_allclose(table["k"], table["estimate"] / table["w"])
    # the exact critic's estimate is one number per (pair, seed), whatever the constraint
    assert (table.groupby(["pair", "seed"])["exact"].nunique() == 1).all()
    assert table.groupby(["pair", "seed"])["exact"].first().nunique() == 6
    assert table["exact_cosine"].between(0.5, 1.0).all() and (table["drift"] >= 0).all()
    gp = table[table["constraint"] == "gradient penalty"]
    np.testing.assert_allclose(gp.loc[gp["kind"] == "translation", "k_reference"],
                               1 + gp.loc[gp["kind"] == "translation", "w"] / 20)
    assert gp.loc[gp["kind"] == "scaling", "k_reference"].isna().all()
    clip = table[table["constraint"] == "clip c=0.1"]
    assert clip.loc[clip["kind"] == "translation", "k_linear"].gt(0).all()
    assert (clip["k_box"] > clip["k_linear"].fillna(0)).all()
    assert (table.loc[table["constraint"] == "spectral norm", "k_box"] == 1.0).all()
    again = population_estimates({"g": families["g"][:1]}, CONSTRAINTS[3:4], settings, [1],
                                 n_cosine=50, n_monitor=100, checkpoints=5)
    first = table[(table["family"] == "g") & (table["constraint"] == "gradient penalty")
                  & (table["seed"] == 1)].iloc[0]
    assert again.iloc[0]["estimate"] == pytest.approx(first["estimate"], abs=1e-12)


def test_lambda_sweep_labels_each_lambda() -> None:
    settings = FitSettings(hidden=8, steps=10, batch_size=32, lr=1e-3, gp_weight=10.0,
                           eval_samples=100)
    sweep = lambda_sweep("g", gaussian_family(2, [1.0]), (0.1, 1.0), settings, [0],
                         n_cosine=20, n_monitor=50, checkpoints=5)
    assert list(sweep["gp_weight"]) == [0.1, 1.0]
    assert list(sweep["constraint"]) == ["gradient penalty, lambda=0.1",
                                         "gradient penalty, lambda=1"]
    np.testing.assert_allclose(sweep["k_reference"], [6.0, 1.5])
    with pytest.raises(ValueError, match="'gp_weights' parameter of lambda_sweep"):
        lambda_sweep("g", gaussian_family(2, [1.0]), (), settings, [0], n_cosine=20)


def test_fit_settings_decay_the_learning_rate_over_the_second_half() -> None:
    settings = FitSettings(8, 100, 8, 1e-3, 10.0, 8, final_lr=0.1)
    assert settings.lr_at(1) == settings.lr_at(50) == pytest.approx(1e-3)
    assert settings.lr_at(75) == pytest.approx(0.55e-3)
    assert settings.lr_at(100) == pytest.approx(1e-4)
    assert FitSettings(8, 100, 8, 1e-3, 10.0, 8).lr_at(100) == pytest.approx(1e-3)
