"""A dry run (WGAN_DRY_RUN=1) changes the builders' counts and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgan.book.claims import DRY_RUN_PREFIX, claims_dir, report
from wgan.book.scales import DRY_RUN_VARIABLE
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
    digit_clip_values,
    digit_config,
    digit_seeds,
)
from wgan.experiments.mixture import mixture_config, mixture_settings, run_mixture
from wgan.experiments.momentum import OPTIMIZERS, momentum_config, momentum_settings

COUNTS = {"generator_iters", "snapshot_every", "sample_every", "checkpoint_every"}
"""Settings a dry run may change: the length, and the intervals derived from it."""


def differences(monkeypatch: pytest.MonkeyPatch, build) -> tuple[set[str], dict, dict]:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    real = build().to_dict()
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    dry = build().to_dict()
    return {k for k in real if real[k] != dry[k]}, real, dry


@pytest.fixture(autouse=True)
def lsun(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, str(tmp_path / "bedroom_train_lmdb"))
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_image_runs_keep_the_paper_settings_but_their_length(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    changed, real, dry = differences(monkeypatch, lambda: image_config(key, "paper"))
    assert changed <= COUNTS
    assert real["generator_iters"] == 236_175 and dry["generator_iters"] == 1
    assert (dry["image_size"], dry["batch_size"], dry["ngf"], dry["ndf"], dry["mlp_hidden"],
            dry["nz"]) == (64, 64, 64, 64, 512, 100)
    assert dry["dataset"] == "lsun"
    if EXPERIMENTS[key].algorithm == "wgan":
        assert dry["critic_warmup"] and dry["n_critic"] == 5 and dry["clip_value"] == 0.01


def test_image_pages_say_the_data_is_the_dry_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    assert "a dry run" in image_data("paper").note
    rows = {setting: (paper, here) for setting, paper, here in scale_summary("paper")}
    assert rows["generator iterations"] == ("236,175", "1")
    assert rows["100-iteration critic schedule"] == ("yes", "yes")
    assert DRY_RUN_IMAGES < 1000


@pytest.mark.parametrize("method", ["wgan", "gan"])
def test_ring_runs_keep_their_settings_but_their_length(
    monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    changed, real, dry = differences(monkeypatch, lambda: mixture_config(method, "paper"))
    assert changed <= COUNTS and (real["generator_iters"], dry["generator_iters"]) == (50_000, 1)
    assert (dry["mlp_hidden"], dry["batch_size"]) == (512, 256)
    assert mixture_settings("paper").seeds == 2
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    assert mixture_settings("paper").seeds == 10


@pytest.mark.parametrize("method", ["clip", "gp", "sn"])
def test_chapter_8s_digit_runs_keep_the_paper_settings_but_their_length(
    monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    changed, real, dry = differences(monkeypatch, lambda: digit_config(method, "paper"))
    assert changed <= COUNTS and (real["generator_iters"], dry["generator_iters"]) == (20_000, 1)
    assert (dry["image_size"], dry["batch_size"], dry["ngf"], dry["nz"]) == (64, 64, 64, 100)
    assert dry["dataset"] == "digits"  # the digits whatever WGAN_LSUN_ROOT says
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    assert digit_clip_values("paper") == CLIP_SWEEP[:3] and 0.01 in CLIP_SWEEP[:3]
    assert len(digit_seeds("paper")) == 1
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    assert digit_clip_values("paper") == CLIP_SWEEP and len(digit_seeds("paper")) == 3


@pytest.mark.parametrize("dataset", ["ring8", "images"])
def test_momentum_runs_keep_their_settings_but_their_length(
    monkeypatch: pytest.MonkeyPatch, dataset: str
) -> None:
    for choice in OPTIMIZERS:
        changed, _, dry = differences(
            monkeypatch, lambda c=choice: momentum_config(dataset, c.key, 1e-3, "paper"))
        assert changed <= COUNTS
        assert dry["generator_iters"] == 1
        assert dry["critic_warmup"] and dry["log_update_cosine"]
    settings = momentum_settings("paper")
    assert (settings.lrs, settings.seeds) == ((5e-5,), 1)


def test_dry_runs_and_claims_go_to_folders_of_their_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    run = run_mixture("wgan", "smoke", root=tmp_path, device="cpu")
    assert run.run_dir.parent == tmp_path / "smoke-dry"
    assert len(run.metrics) == 1
    assert claims_dir("paper") == tmp_path / "runs" / "claims" / "paper-dry"
    record = report("mixture", measured="8 modes", verdict="reproduced", scale="paper")
    assert record["measured"] == DRY_RUN_PREFIX + "the chapter's rule gave 'reproduced'; 8 modes"
    assert record["verdict"] == "not tested at this scale"
    assert (claims_dir("paper") / "mixture.json").is_file()
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    assert not (claims_dir("paper") / "mixture.json").exists()


def test_data_notes_hold_no_dollar_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shown twice on a page (box and table), two '$' read as TeX math in the book."""
    notes = [image_data("paper").note]
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    notes.append(image_data("paper").note)
    monkeypatch.delenv(LSUN_ROOT_VARIABLE)
    notes.append(image_data("paper").note)
    assert len(set(notes)) == 3 and not any("$" in note for note in notes)
