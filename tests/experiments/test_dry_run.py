"""A dry run (``Scale(..., dry=True)``) changes the builders' counts and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wgan.experiments.images import (
    DRY_RUN_IMAGES,
    EXPERIMENTS,
    LSUN_ROOT_VARIABLE,
    image_config,
    image_data,
    scale_summary,
)
from wgan.experiments.lipschitz_runs import (
    CLIP_SWEEP,
    digit_config,
    digit_seeds,
    lipschitz_settings,
)
from wgan.experiments.mixture import mixture_config, mixture_settings, run_mixture
from wgan.experiments.momentum import OPTIMIZERS, momentum_config, momentum_settings
from wgan.plan.scale import Scale
from wgan.report.claims import DRY_RUN_PREFIX, claims_dir, report
from wgan.training.config import TrainConfig

COUNTS = {"generator_iters", "snapshot_every", "sample_every", "checkpoint_every"}
"""Settings a dry run may change: the length, and the intervals derived from it."""
IMAGE_COUNTS = COUNTS | {"critic_warmup"}
"""An image run's also: its critic's 100-iteration warm-up, a count capped to ``n_critic``."""

PAPER, DRY = Scale("paper"), Scale("paper", dry=True)


def differences(build: Callable[[Scale], TrainConfig]) -> tuple[set[str], dict, dict]:
    """The settings ``build`` gives differently in a dry run of the paper scale, and both."""
    real, dry = build(PAPER).to_dict(), build(DRY).to_dict()
    return {k for k in real if real[k] != dry[k]}, real, dry


@pytest.fixture(autouse=True)
def lsun(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, str(tmp_path / "bedroom_train_lmdb"))
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_image_runs_keep_the_paper_settings_but_their_length(key: str) -> None:
    changed, real, dry = differences(lambda scale: image_config(key, scale))
    assert changed <= IMAGE_COUNTS
    assert real["generator_iters"] == 236_175 and dry["generator_iters"] == 1
    assert (dry["image_size"], dry["batch_size"], dry["ngf"], dry["ndf"], dry["mlp_hidden"],
            dry["nz"]) == (64, 64, 64, 64, 512, 100)
    assert dry["dataset"] == "lsun"
    if EXPERIMENTS[key].algorithm == "wgan":
        assert real["critic_warmup"] and not dry["critic_warmup"]
        assert dry["n_critic"] == 5 and dry["clip_value"] == 0.01


def test_image_pages_say_the_data_is_the_dry_runs() -> None:
    assert "a dry run" in image_data(DRY).note
    rows = {setting: (paper, here) for setting, paper, here in scale_summary(DRY)}
    assert rows["generator iterations"] == ("236,175", "1")
    assert rows["100-iteration critic schedule"] == ("yes", "no (a dry run caps it)")
    assert DRY_RUN_IMAGES < 1000


@pytest.mark.parametrize("method", ["wgan", "gan"])
def test_ring_runs_keep_their_settings_but_their_length(method: str) -> None:
    changed, real, dry = differences(lambda scale: mixture_config(method, scale))
    assert changed <= COUNTS and (real["generator_iters"], dry["generator_iters"]) == (50_000, 1)
    assert (dry["mlp_hidden"], dry["batch_size"]) == (512, 256)
    assert mixture_settings(DRY).seeds == 2
    assert mixture_settings(PAPER).seeds == 10


@pytest.mark.parametrize("method", ["clip", "gp", "sn"])
def test_chapter_8s_digit_runs_keep_the_paper_settings_but_their_length(method: str) -> None:
    changed, real, dry = differences(lambda scale: digit_config(method, scale))
    assert changed <= IMAGE_COUNTS
    assert (real["generator_iters"], dry["generator_iters"]) == (20_000, 1)
    assert (dry["image_size"], dry["batch_size"], dry["ngf"], dry["nz"]) == (64, 64, 64, 100)
    assert dry["dataset"] == "digits"  # the digits whatever WGAN_LSUN_ROOT says
    assert lipschitz_settings(DRY).digit_clip_values == CLIP_SWEEP[:3]
    assert 0.01 in CLIP_SWEEP[:3]
    assert len(digit_seeds(DRY)) == 1
    assert lipschitz_settings(PAPER).digit_clip_values == CLIP_SWEEP
    assert len(digit_seeds(PAPER)) == 3


@pytest.mark.parametrize("dataset", ["ring8", "images"])
def test_momentum_runs_keep_their_settings_but_their_length(dataset: str) -> None:
    for choice in OPTIMIZERS:
        changed, _, dry = differences(
            lambda scale, c=choice: momentum_config(dataset, c.key, 1e-3, scale))
        assert changed <= (COUNTS if dataset == "ring8" else IMAGE_COUNTS)
        assert dry["generator_iters"] == 1
        assert dry["critic_warmup"] == (dataset == "ring8") and dry["log_update_cosine"]
    settings = momentum_settings(DRY)
    assert (settings.lrs, settings.seeds) == ((5e-5,), 1)


def test_dry_runs_and_claims_go_to_folders_of_their_own(tmp_path: Path) -> None:
    run = run_mixture("wgan", Scale("smoke", dry=True), root=tmp_path, device="cpu")
    assert run.run_dir.parent == tmp_path / "smoke-dry"
    assert len(run.metrics) == 1
    assert claims_dir(DRY) == tmp_path / "runs" / "claims" / "paper-dry"
    record = report("mixture", measured="8 modes", verdict="reproduced", scale=DRY)
    assert record["measured"] == DRY_RUN_PREFIX + "the chapter's rule gave 'reproduced'; 8 modes"
    assert record["verdict"] == "not tested at this scale"
    assert (claims_dir(DRY) / "mixture.json").is_file()
    assert not (claims_dir(PAPER) / "mixture.json").exists()


def test_data_notes_hold_no_dollar_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shown twice on a page (box and table), two '$' read as TeX math in the book."""
    notes = [image_data(PAPER).note, image_data(DRY).note]
    monkeypatch.delenv(LSUN_ROOT_VARIABLE)
    notes.append(image_data(PAPER).note)
    assert len(set(notes)) == 3 and not any("$" in note for note in notes)
