"""The table of image runs: configurations per scale, data choice, fetching through
wgan.plan.fetch."""

from __future__ import annotations

from pathlib import Path

import pytest

import wgan.training.run
from wgan.experiments.images import (
    EXPERIMENTS,
    GRID_CLIP_VALUES,
    GRID_LRS,
    GRID_N_CRITICS,
    GRID_NAME,
    HIGH_LR,
    LSUN_ROOT_VARIABLE,
    SCALES,
    GridCell,
    grid_cells,
    grid_specs,
    image_config,
    image_data,
    image_specs,
    paper_generator_iters,
    quality_reference,
    run_experiment,
    run_grid,
    scale_summary,
)
from wgan.plan.scale import SCALES as SCALE_NAMES
from wgan.plan.scale import Scale
from wgan.training.config import TrainConfig


@pytest.fixture(autouse=True)
def no_lsun(monkeypatch: pytest.MonkeyPatch, judged_cache: Path) -> None:
    monkeypatch.delenv(LSUN_ROOT_VARIABLE, raising=False)
    monkeypatch.setenv("WGAN_CACHE_DIR", str(judged_cache))


@pytest.mark.parametrize("scale", SCALE_NAMES)
@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_every_run_has_a_valid_config_at_every_scale(key: str, scale: str) -> None:
    config = image_config(key, Scale(scale))
    experiment = EXPERIMENTS[key]
    assert (config.algorithm, config.generator, config.critic) == (
        experiment.algorithm, experiment.generator, experiment.critic)
    assert config.snapshot_every > 0
    assert config.generator_iters // config.snapshot_every >= 2  # >= 3 snapshots with 0


def test_paper_scale_is_the_papers_wgan_setting() -> None:
    config = image_config("wgan-dcgan", Scale("paper"))
    expected = TrainConfig()  # the paper's defaults: Algorithm 1 and the authors' code
    for name in ("image_size", "batch_size", "nz", "ngf", "ndf", "mlp_hidden", "lr_g", "lr_d",
                 "optimizer_g", "optimizer_d", "clip_value", "n_critic", "critic_warmup"):
        assert getattr(config, name) == getattr(expected, name), name
    assert (config.image_size, config.lr_d, config.clip_value) == (64, 5e-5, 0.01)


def test_gan_runs_use_dcgans_procedure() -> None:
    config = image_config("gan-nobn", Scale("quick"))
    assert (config.optimizer_g, config.optimizer_d, config.lr_g, config.lr_d, config.beta1) == (
        "adam", "adam", 2e-4, 2e-4, 0.5)
    assert (config.n_critic, config.critic_warmup) == (1, False)


def test_high_learning_rate_run_differs_from_the_mlp_critic_setting_only_in_rates() -> None:
    failed = image_config("wgan-mlp-mlp-hilr", Scale("quick"))
    assert (failed.lr_g, failed.lr_d) == (HIGH_LR, HIGH_LR)
    normal = image_config("wgan-mlp", Scale("quick")).replace(critic="mlp")
    assert failed.replace(lr_g=normal.lr_g, lr_d=normal.lr_d) == normal


def test_runs_of_a_scale_share_their_sizes() -> None:
    configs = [image_config(key, Scale("quick")) for key in EXPERIMENTS]
    sizes = {(c.image_size, c.batch_size, c.nz, c.ngf, c.ndf, c.generator_iters, c.seed)
             for c in configs}
    assert len(sizes) == 1


def test_paper_generator_iterations_are_25_epochs_of_critic_batches() -> None:
    # 3,023,042 training bedrooms, 47,235 batches of 64 per epoch, 5 per generator iteration.
    assert paper_generator_iters(3_023_042, SCALES["paper"]) == 25 * 47_235 // 5
    assert image_config("wgan-dcgan", Scale("paper")).generator_iters == 25 * 47_235 // 5


def test_paper_scale_without_lsun_falls_back_to_digits_and_says_so() -> None:
    data = image_data(Scale("paper"))
    assert (data.dataset, data.root) == ("digits", None)
    assert LSUN_ROOT_VARIABLE in data.note and "not set" in data.note


def test_paper_scale_reads_lsun_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, "/data/bedroom_train_lmdb")
    config = image_config("wgan-dcgan", Scale("paper"))
    assert (config.dataset, config.data_root) == ("lsun", "/data/bedroom_train_lmdb")


def test_quick_scale_stays_on_embedded_digits_even_with_lsun(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, "/data/bedroom_train_lmdb")
    assert image_config("wgan-dcgan", Scale("quick")).dataset == "digits"


def test_image_config_rejects_unknown_run() -> None:
    with pytest.raises(ValueError, match="'key' parameter of image_config must be one of"):
        image_config("wgan-resnet", Scale("quick"))


def test_scale_summary_states_what_quick_scales_down() -> None:
    rows = {setting: (paper, here) for setting, paper, here in scale_summary(Scale("quick"))}
    quick = SCALES["quick"]
    assert rows["image size"] == ("64x64", f"{quick.image_size}x{quick.image_size}")
    assert rows["generator iterations"][1] == f"{quick.generator_iters:,}"


def test_run_experiment_trains_once_and_reads_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_experiment("wgan-mlp-mlp-hilr", Scale("smoke"), root=tmp_path, device="cpu")
    assert first.status == "finished"
    assert first.run_dir.parent == tmp_path / "smoke"
    assert first.snapshots == [0, 2, 4]

    def refuse(self: object, *args: object) -> None:
        raise AssertionError("trained again instead of reading the finished run")

    monkeypatch.setattr(wgan.training.run._Loop, "run", refuse)
    again = run_experiment("wgan-mlp-mlp-hilr", Scale("smoke"), root=tmp_path, device="cpu")
    assert again.run_dir == first.run_dir
    assert again.metrics.equals(first.metrics)


def test_quality_reference_holds_the_heldout_digits_and_a_floor_above_zero() -> None:
    reference = quality_reference(Scale("smoke"))
    size = SCALES["smoke"].image_size
    assert reference.heldout.shape == (179, 1, size, size)
    assert reference.train.shape == (1618, 1, size, size)
    assert reference.n_samples == 50
    assert reference.floor > 0
    assert reference.classifier is not None and reference.classifier.accuracy > 0.5


def test_image_specs_name_the_chapters_that_draw_each_run() -> None:
    chapters = {spec.name: spec.chapters for spec in image_specs(Scale("quick"))}
    assert list(chapters) == list(EXPERIMENTS)
    assert chapters["wgan-dcgan"] == ("04_loss_curves", "05_architectures")
    assert chapters["wgan-mlp-mlp-hilr"] == ("04_loss_curves",)
    assert chapters["gan-nobn"] == ("05_architectures",)


@pytest.mark.parametrize("scale", SCALE_NAMES)
def test_the_grid_varies_three_settings_of_one_architecture(scale: str) -> None:
    specs = grid_specs(Scale(scale))
    assert len(specs) == len(GRID_LRS) * len(GRID_N_CRITICS) * len(GRID_CLIP_VALUES) >= 12
    base = image_config("wgan-dcgan", Scale(scale))
    settings = {(s.config.lr_d, s.config.n_critic, s.config.clip_value) for s in specs}
    assert len(settings) == len(specs)
    for spec in specs:
        config = spec.config
        assert config.lr_g == config.lr_d and config.algorithm == "wgan"
        assert (config.generator, config.critic) == ("dcgan", "dcgan")
        assert spec.chapters == ("04_loss_curves",)
        # every setting but the three axes and the grid's length is the wgan-dcgan run's
        differ = {name for name, value in config.to_dict().items()
                  if value != base.to_dict()[name]}
        assert differ <= {"lr_g", "lr_d", "n_critic", "clip_value", "generator_iters",
                          "snapshot_every", "sample_every", "checkpoint_every",
                          "critic_warmup"}
    # the same number of generator iterations whatever n_critic
    assert len({spec.config.generator_iters for spec in specs}) == 1


def test_the_grids_quick_length_is_the_declared_one() -> None:
    specs = grid_specs(Scale("quick"))
    assert {spec.config.generator_iters for spec in specs} == {500}
    assert not any(spec.config.critic_warmup for spec in specs)
    assert all(spec.name == GRID_NAME for spec in specs)  # none is the wgan-dcgan run
    paper = grid_specs(Scale("paper"))
    assert {spec.config.generator_iters for spec in paper} == {
        image_config("wgan-dcgan", Scale("paper")).generator_iters}
    assert all(spec.config.critic_warmup for spec in paper)


@pytest.mark.parametrize("scale", ["smoke", "paper"])
def test_the_grids_algorithm1_cell_is_the_wgan_dcgan_run_where_their_configs_agree(
        scale: str) -> None:
    shared = [spec for spec in grid_specs(Scale(scale)) if spec.name == "wgan-dcgan"]
    assert len(shared) == 1
    assert shared[0].config == image_config("wgan-dcgan", Scale(scale))


def test_a_dry_grid_keeps_the_n_critic_axis_of_one_cell() -> None:
    cells = grid_cells(Scale("paper", dry=True))
    assert cells == [GridCell(GRID_LRS[0], n, GRID_CLIP_VALUES[0]) for n in GRID_N_CRITICS]
    assert all(spec.config.generator_iters == 1 for spec in grid_specs(Scale("paper", dry=True)))


def test_run_grid_trains_every_cell_at_smoke(tmp_path: Path) -> None:
    runs = run_grid(Scale("smoke"), root=tmp_path, device="cpu")
    assert list(runs) == grid_cells(Scale("smoke"))
    for cell, run in runs.items():
        assert run.status == "finished"
        assert (run.config.lr_d, run.config.n_critic, run.config.clip_value) == (
            cell.lr, cell.n_critic, cell.clip_value)
        assert int(run.metrics["critic_iters_total"].iloc[-1]) == 4 * cell.n_critic


def test_the_grid_trains_on_the_digits_even_with_lsun(monkeypatch: pytest.MonkeyPatch) -> None:
    # the grid's verdicts need the yardstick, which judges digits only
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, "/data/lsun/bedroom_train_lmdb")
    specs = grid_specs(Scale("paper"))
    assert {(spec.config.dataset, spec.config.data_root) for spec in specs} == {("digits", None)}
    assert all(spec.name == GRID_NAME for spec in specs)  # the LSUN wgan-dcgan run differs
    assert {spec.config.image_size for spec in specs} == {64}
