"""Tests for wgan.experiments.mixture: the ring runs'
configurations, reference sample and measures."""

import numpy as np
import pytest
import torch

from wgan.experiments.coverage import mode_counts
from wgan.experiments.mixture import (
    SCALES,
    balanced_ring_sample,
    coverage_over_training,
    critic_saturation,
    generator_samples,
    mixture_config,
    run_mixture,
)
from wgan.training.checkpoint import CHECKPOINT_NAME, load_checkpoint


def test_wgan_config_is_algorithm_1_on_the_ring_with_mlps():
    config = mixture_config("wgan", "quick", seed=3)
    settings = SCALES["quick"]
    assert (config.algorithm, config.dataset, config.generator, config.critic) == (
        "wgan", "ring8", "mlp", "mlp")
    assert (config.optimizer_g, config.optimizer_d) == ("rmsprop", "rmsprop")
    assert (config.clip_value, config.n_critic, config.critic_warmup) == (0.01, 5, True)
    assert config.lr_g == config.lr_d == settings.lr_wgan
    assert (config.nz, config.mlp_hidden, config.seed) == (settings.nz, settings.mlp_hidden, 3)
    assert config.snapshot_every == settings.generator_iters // settings.snapshots


def test_gan_config_is_the_image_runs_baseline():
    config = mixture_config("gan", "quick")
    assert (config.algorithm, config.optimizer_g, config.optimizer_d) == ("gan", "adam", "adam")
    assert (config.lr_g, config.lr_d, config.beta1, config.n_critic) == (2e-4, 2e-4, 0.5, 1)
    assert config.batch_size == SCALES["quick"].batch_size


def test_mixture_config_overrides_rescale_snapshots():
    config = mixture_config("wgan", "quick", generator_iters=20_000, clip_value=0.1)
    assert config.generator_iters == 20_000 and config.clip_value == 0.1
    assert config.snapshot_every == 20_000 // SCALES["quick"].snapshots


def test_mixture_config_rejects_unknown_method():
    with pytest.raises(ValueError, match="'method' parameter of mixture_config must be one of"):
        mixture_config("vae", "quick")


def test_balanced_ring_sample_has_exactly_n_per_mode():
    sample = balanced_ring_sample(7, torch.Generator().manual_seed(0))
    assert sample.shape == (56, 2)
    # 20 sigma = 0.4: every point is assigned to its own mode, none lost.
    np.testing.assert_array_equal(mode_counts(sample, n_sigma=20.0), np.full(8, 7))


def test_balanced_ring_sample_rejects_zero_per_mode():
    with pytest.raises(ValueError, match="'n_per_mode' parameter of balanced_ring_sample"):
        balanced_ring_sample(0, torch.Generator())


@pytest.mark.slow  # a first optimizer step imports torch._dynamo: seconds on a busy CPU
def test_coverage_over_training_measures_every_snapshot(tmp_path):
    result = run_mixture("wgan", "smoke", seed=1, device="cpu", root=tmp_path,
                         generator_iters=4, critic_warmup=False, snapshot_every=2)
    assert result.snapshots == [0, 2, 4]
    real = balanced_ring_sample(10, torch.Generator().manual_seed(0))
    table = coverage_over_training(result, real, n=50)
    assert list(table["gen_iter"]) == [0, 2, 4]
    assert list(table.columns) == ["method", "seed", "gen_iter", "modes", "high_quality",
                                   "min_share", "w1", "radial_error"]
    assert table["modes"].between(0, 8).all() and table["high_quality"].between(0, 1).all()
    assert (table["w1"] > 0).all()
    final = generator_samples(result, 50)
    assert torch.equal(final, generator_samples(result, 50, iteration=4))


def test_critic_saturation_counts_parameters_at_the_bound(tmp_path):
    result = run_mixture("wgan", "smoke", seed=0, device="cpu", root=tmp_path,
                         generator_iters=1, critic_warmup=False)
    path = result.run_dir / CHECKPOINT_NAME
    state = load_checkpoint(path)
    critic = state["critic"]
    first = next(iter(critic))
    # The first tensor at -c, the rest at c / 2 (saturated only with a 60% tolerance).
    state["critic"] = {k: torch.full_like(v, 0.005) for k, v in critic.items()}
    state["critic"][first] = torch.full_like(critic[first], -0.01)
    total = sum(v.numel() for v in critic.values())
    torch.save(state, path)
    assert critic_saturation(result) == pytest.approx(critic[first].numel() / total)
    assert critic_saturation(result, tolerance=0.6) == 1.0


def test_critic_saturation_rejects_a_gan_run(tmp_path):
    result = run_mixture("gan", "smoke", seed=0, device="cpu", root=tmp_path,
                         generator_iters=1)
    with pytest.raises(ValueError, match="'result' parameter of critic_saturation must be a"):
        critic_saturation(result)
