"""The optimizer sweep: its configurations and a tiny sweep read back."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

import wgan.experiments.momentum
from wgan.experiments.images import image_config
from wgan.experiments.momentum import (
    DATASETS,
    OPTIMIZERS,
    PAPER_LR,
    RUN_KEYS,
    SCALES,
    data_note,
    larger_scale,
    momentum_config,
    momentum_settings,
    momentum_specs,
    ring_sample_quality,
    ring_w1_floor,
    run_sweep,
    sample_quality,
)
from wgan.plan.scale import Scale

QUICK, SMOKE = Scale("quick"), Scale("smoke")


@pytest.mark.parametrize("choice", OPTIMIZERS, ids=[c.key for c in OPTIMIZERS])
def test_config_sets_optimizer_of_both_nets_and_logs_cosine(choice) -> None:
    config = momentum_config("ring8", choice.key, 1e-3, QUICK, seed=2, device="cpu")
    assert (config.optimizer_d, config.optimizer_g) == (choice.name, choice.name)
    assert config.beta1 == choice.beta1 and config.lr_d == config.lr_g == 1e-3
    assert config.log_update_cosine and config.seed == 2
    assert (config.generator, config.critic, config.dataset) == ("mlp", "mlp", "ring8")


def test_adam_choices_cover_beta1_zero_and_positive() -> None:
    betas = sorted(c.beta1 for c in OPTIMIZERS if c.name == "adam")
    assert betas[0] == 0.0 and betas[-1] > 0 and any(c.name == "rmsprop" for c in OPTIMIZERS)


def test_image_config_keeps_the_image_experiment_architecture() -> None:
    config = momentum_config("images", "adam0.5", PAPER_LR, SMOKE, device="cpu")
    harness = image_config("wgan-dcgan", SMOKE, device="cpu")
    assert (config.generator, config.critic, config.dataset) == (
        harness.generator, harness.critic, harness.dataset)
    assert (config.image_size, config.ngf, config.generator_iters) == (
        SCALES["smoke"].image_size, SCALES["smoke"].image_width, SCALES["smoke"].image_iters)
    assert config.clip_value == harness.clip_value and config.n_critic == harness.n_critic


@pytest.mark.parametrize("dataset", ["ring8", "images"])
def test_every_run_keeps_its_snapshots_where_quality_is_measured(dataset: str) -> None:
    config = momentum_config(dataset, "adam0.9", 1e-2, SMOKE, device="cpu")
    iters = config.generator_iters
    assert config.snapshot_every == max(1, iters // SCALES["smoke"].snapshots)
    ring = momentum_config("ring8", "rmsprop", PAPER_LR, QUICK, device="cpu")
    assert ring.generator_iters // ring.snapshot_every == SCALES["quick"].snapshots == 20


def test_quick_sweeps_the_ring_only_at_the_length_chosen_from_cost() -> None:
    """The sizes stated in the module doc: 60 ring runs of 1,200 iterations; the digits'
    reference cannot converge within the quick budget."""
    quick = SCALES["quick"]
    assert (quick.datasets, quick.ring_iters, quick.seeds, len(quick.lrs)) == (
        ("ring8",), 1_200, 5, 3)
    assert len(momentum_specs(QUICK, device="cpu")) == 60
    with pytest.raises(ValueError, match=r"'dataset' parameter .* 'ring8' at scale quick\. "
                                         r"Got 'images'"):
        momentum_config("images", "rmsprop", PAPER_LR, QUICK)
    assert data_note(QUICK) == "ring of 8 Gaussians (no images at this scale)"
    assert data_note(SMOKE).startswith("ring of 8 Gaussians; images: ")


def test_larger_scale_names_the_runs_that_would_test_the_claim() -> None:
    assert larger_scale(SMOKE) == ("the quick scale (1,200 ring iterations, 5 seeds, "
                                   "learning rates 5e-05, 0.001, 0.01)")
    assert larger_scale(QUICK).startswith("the paper scale (20,000 ring iterations, the "
                                          "digits at the image experiments' own length")
    assert larger_scale(Scale("paper")).startswith("longer runs than the paper scale")


def test_every_scale_sweeps_the_paper_learning_rate_first() -> None:
    assert all(settings.lrs[0] == PAPER_LR for settings in SCALES.values())


@pytest.mark.parametrize("scale", [QUICK, Scale("paper", dry=True)], ids=str)
def test_specs_sweep_dataset_optimizer_lr_and_seed_in_that_order(scale: Scale) -> None:
    specs = momentum_specs(scale, seed=4, device="cpu")
    settings = SCALES[scale.name]
    lrs, seeds = (settings.lrs[:1], 1) if scale.dry else (settings.lrs, settings.seeds)
    assert momentum_settings(scale).datasets == settings.datasets
    assert [(s.name, s.config.lr_d, s.config.seed) for s in specs] == [
        (f"momentum-{dataset}-{choice.key}", lr, 4 + i)
        for dataset in settings.datasets for choice in OPTIMIZERS for lr in lrs
        for i in range(seeds)]
    assert scale.name != "paper" or settings.datasets == DATASETS
    assert all(s.chapters == ("06_momentum",) and s.config.log_update_cosine for s in specs)
    assert len({s.key for s in specs}) == len(specs)


def test_config_rejects_unknown_dataset() -> None:
    with pytest.raises(ValueError, match="'dataset' parameter of momentum_config must be one"):
        momentum_config("mnist", "rmsprop", PAPER_LR, SMOKE)


def test_config_rejects_unknown_optimizer() -> None:
    with pytest.raises(ValueError, match=r"'optimizer' parameter .* Got 'sgd' instead"):
        momentum_config("ring8", "sgd", PAPER_LR, SMOKE)


@pytest.mark.slow
def test_sweep_trains_every_setting_and_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = dataclasses.replace(SCALES["smoke"], lrs=(PAPER_LR,), ring_iters=3, seeds=2)
    monkeypatch.setitem(wgan.experiments.momentum.SCALES, "smoke", tiny)
    sweep = run_sweep(SMOKE, device="cpu", seed=5, datasets=("ring8",), root=tmp_path)
    assert len(sweep.runs) == len(OPTIMIZERS) * len(tiny.lrs) * 2
    assert sorted(set(sweep.runs["seed"])) == [5, 6]
    assert (sweep.runs["status"] == "finished").all() and (sweep.runs["iterations"] == 3).all()
    assert {Path(d).parent for d in sweep.runs["run_dir"]} == {tmp_path / "smoke"}
    assert len(sweep.metrics) == 3 * len(sweep.runs)
    assert {"update_cos_mean", "update_cos_min", "update_cos_neg_frac"} <= set(sweep.metrics)
    rmsprop = sweep.runs[sweep.runs["optimizer"] == "rmsprop"]
    assert rmsprop["beta1"].map(math.isnan).all()
    again = run_sweep(SMOKE, device="cpu", seed=5, datasets=("ring8",), root=tmp_path)
    assert again.metrics.drop(columns="wall_time").equals(
        sweep.metrics.drop(columns="wall_time"))
    quality = ring_sample_quality(sweep, n=16)
    assert len(quality) == sum(len(r.snapshots) for r in sweep.results.values())
    assert set(quality["gen_iter"]) == {0, 1, 2, 3}  # snapshots every 3 // 4 -> 1 iteration
    assert (quality["w1"] > 0).all() and quality["modes"].between(0, 8).all()
    measured = sample_quality(sweep, n_ring=16, seed=5)
    assert measured.table[[*RUN_KEYS, "gen_iter"]].equals(
        ring_sample_quality(sweep, n=16, seed=5)[[*RUN_KEYS, "gen_iter"]])
    assert measured.table["quality"].tolist() == ring_sample_quality(sweep, n=16, seed=5)[
        "w1"].tolist()
    assert measured.floors == {"ring8": ring_w1_floor(16, seed=5)} and not measured.unmeasured
    baselines = measured.baselines.set_index("generator")["quality"]
    assert baselines["uniform circle (no modes)"] > baselines["true ring samples (floor)"]
    assert sweep.select(("images",)).runs.empty and len(sweep.select(("ring8",)).runs) == 8


def test_ring_sample_quality_rejects_too_few_samples() -> None:
    with pytest.raises(ValueError, match=r"'n' parameter of ring_sample_quality .* Got 4"):
        ring_sample_quality(None, n=4)


def test_ring_w1_floor_is_small_next_to_the_ring_radius() -> None:
    # Two samples of the same ring: only the within-mode noise (std 0.02) and the
    # multinomial mode weights of the plain sample separate them; the radius is 2.
    floor = ring_w1_floor(800)
    assert 0 < floor < 0.2
    assert ring_w1_floor(800) == floor
