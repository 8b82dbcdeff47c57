"""``python -m wgan``: options, precedence, exit codes, files written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

import wgan.training.run
from wgan.cli import CONFIG_OPTIONS, build_parser, main, resolve_config
from wgan.training.batches import TensorBatches
from wgan.training.config import TrainConfig

TOY = ["--dataset", "ring8", "--generator", "mlp", "--critic", "mlp", "--mlp-hidden", "8",
       "--nz", "2", "--batchSize", "8", "--no-warmup", "--Diters", "2", "--niter", "4",
       "--checkpoint-every", "2"]


def settings(*argv: str) -> TrainConfig:
    return resolve_config(build_parser().parse_args(["train", *argv]))[0]


def test_authors_option_names_map_to_config() -> None:
    config = settings("--imageSize", "32", "--batchSize", "16", "--lrD", "1e-4", "--lrG",
                      "2e-4", "--clamp_upper", "0.02", "--Diters", "3", "--niter", "10",
                      "--mlp_G", "--mlp_D", "--adam", "--beta1", "0.3")
    assert (config.image_size, config.batch_size, config.lr_d, config.lr_g) == (32, 16, 1e-4,
                                                                                  2e-4)
    assert (config.clip_value, config.n_critic, config.generator_iters) == (0.02, 3, 10)
    assert (config.generator, config.critic) == ("mlp", "mlp")
    assert (config.optimizer_d, config.optimizer_g, config.beta1) == ("adam", "adam", 0.3)


def test_lipschitz_options_and_wgan_gp_preset() -> None:
    config = settings("--lipschitz", "gp", "--gp-weight", "0.1", "--critic", "mlp")
    assert (config.lipschitz, config.gp_weight) == ("gp", 0.1)
    preset = settings("--wgan-gp", "--lrD", "2e-4")
    assert (preset.lipschitz, preset.gp_weight, preset.beta1, preset.beta2) == ("gp", 10.0,
                                                                                0.0, 0.9)
    assert (preset.lr_d, preset.lr_g, preset.critic) == (2e-4, 1e-4, "dcgan_nobn")


def test_wgan_gp_preset_refuses_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("lr_d: 0.001\n")
    with pytest.raises(ValueError, match="--wgan-gp and --config"):
        settings("--wgan-gp", "--config", str(tmp_path / "c.yaml"))


def test_gradient_penalty_with_batchnorm_critic_exits_2(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--lipschitz", "gp", "--niter", "1"]) == 2
    assert "without BatchNorm" in capsys.readouterr().err


def test_nobn_flag_selects_figure_7_generator() -> None:
    assert settings("--noBN").generator == "dcgan_nobn"


def test_defaults_are_the_papers() -> None:
    assert settings() == TrainConfig()


def test_options_override_config_file(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("lr_d: 0.001\nn_critic: 3\n")
    config = settings("--config", str(tmp_path / "c.yaml"), "--Diters", "7")
    assert (config.lr_d, config.n_critic) == (1e-3, 7)


def test_default_run_dir_is_named_after_settings(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    _, run_dir = resolve_config(build_parser().parse_args(["train", "--dataset", "ring8"]))
    assert run_dir.parent == tmp_path
    assert run_dir.name.startswith("wgan-ring8-")


def test_help_documents_every_option_with_its_default(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flags, name, _, _ in CONFIG_OPTIONS:
        assert flags[0] in text
        assert f"(default: {getattr(TrainConfig(), name)})" in text
    for flag in ("--adam", "--no-warmup", "--mlp_G", "--noBN", "--config", "--resume", "--out"):
        assert flag in text


def test_train_writes_metrics_and_checkpoint_and_prints_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", *TOY, "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Options:\n")
    assert "Random seed: 0" in out
    assert "Finished 4 generator iterations (8 critic iterations)" in out
    assert len((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()) == 4
    assert (tmp_path / "run" / "checkpoint.pt").is_file()


def test_resume_continues_from_stored_settings(tmp_path: Path) -> None:
    assert main(["train", *TOY, "--out", str(tmp_path / "run")]) == 0
    assert main(["train", "--resume", str(tmp_path / "run")]) == 0
    assert len((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--generator", "resnet"], "'generator' parameter of TrainConfig must be one of "
                                    "'dcgan', 'dcgan_nobn', 'mlp'"),
        (["--imageSize", "40"], "must be a positive multiple of 16"),
        (["--clamp", "-0.01"], "'clip_value' parameter of TrainConfig must be positive"),
        (["--dataset", "folder", "--dataroot", "/nonexistent/images"], "does not exist"),
        (["--dataset", "lsun"], "needs a root: pass --dataroot"),
        (["--resume", "/nonexistent/run"], "holds no run"),
        (["--resume", "x", "--lrD", "1"], r"--resume takes every setting .* drop \['lr_d'\]"),
    ],
)
def test_bad_input_exits_2_with_clear_message(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wgan train: error: ")
    assert re.search(message, err), err


def test_unparsable_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--batchSize", "many"])
    assert exit_info.value.code == 2
    assert "invalid int value: 'many'" in capsys.readouterr().err


def test_diverged_run_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", *TOY, "--adam", "--lrD", "1e10", "--lrG", "1e10", "--clamp", "1e30",
            "--out", str(tmp_path / "run")]
    assert main(argv) == 1
    assert "Training diverged at generator iteration 1" in capsys.readouterr().err


def test_sample_refuses_toy_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["train", *TOY, "--out", str(tmp_path / "run")])
    assert main(["sample", str(tmp_path / "run")]) == 2
    assert "not images" in capsys.readouterr().err


def test_sample_writes_grid_from_image_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    images = torch.randint(0, 256, (16, 3, 16, 16), dtype=torch.uint8)
    monkeypatch.setattr(wgan.training.run, "real_batches", lambda config, device: TensorBatches(
        images, config.batch_size, device, config.seed))
    argv = ["train", "--imageSize", "16", "--ngf", "4", "--ndf", "4", "--nz", "4",
            "--batchSize", "4", "--niter", "2", "--no-warmup", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    assert main(["sample", str(tmp_path / "run"), "--n", "9"]) == 0
    assert "Wrote 9 samples to" in capsys.readouterr().out
    with Image.open(tmp_path / "run" / "samples" / "sample.png") as grid:
        assert (grid.size, grid.mode) == ((3 * 18 + 2, 3 * 18 + 2), "RGB")
    assert main(["sample", str(tmp_path / "run"), "--iteration", "1"]) == 2
    assert "must be one of the kept iterations [2]" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_run_on_embedded_digits_writes_metrics_samples_checkpoint(tmp_path: Path) -> None:
    # From a fresh process, as a user would run it: digits at 16x16, tiny nets.
    env_cache = {"WGAN_CACHE_DIR": str(tmp_path / "cache")}
    run_dir = tmp_path / "run"
    argv = [sys.executable, "-m", "wgan", "train", "--dataset", "digits", "--imageSize", "16",
            "--ngf", "8", "--ndf", "8", "--nz", "8", "--batchSize", "8", "--niter", "4",
            "--no-warmup", "--sample-every", "2", "--checkpoint-every", "2", "--out",
            str(run_dir)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env_cache})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Options:"
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [row["gen_iter"] for row in rows] == [1, 2, 3, 4]
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == [
        "iter_0000002.png", "iter_0000004.png"]
    assert (run_dir / "checkpoint.pt").is_file()
    sample = subprocess.run([sys.executable, "-m", "wgan", "sample", str(run_dir), "--n", "16",
                             "--out", str(tmp_path / "grid.png")],
                            capture_output=True, text=True, timeout=300)
    assert sample.returncode == 0, sample.stderr
    with Image.open(tmp_path / "grid.png") as grid:
        assert grid.size == (4 * 18 + 2, 4 * 18 + 2)


def test_data_judge_reads_the_cached_judge_or_trains_it_once(
    judged_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from wgan.quality import yardstick as module

    def no_training(seed: int = 0) -> None:
        raise AssertionError("the judge was trained although the cache holds it")

    monkeypatch.setenv("WGAN_CACHE_DIR", str(judged_cache))
    monkeypatch.setattr(module, "train_yardstick", no_training)
    assert main(["data", "judge"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Yardstick v{module.YARDSTICK_VERSION}: ")
    assert f"cached in {judged_cache / 'quality'}" in out
