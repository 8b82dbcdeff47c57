"""wgan.plan.spec: a run as a value, and the one function that places it on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, config_hash, run_dir
from wgan.training.config import TrainConfig


def test_run_dir_is_root_scale_folder_name_and_hash(tmp_path: Path) -> None:
    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp")
    spec = RunSpec("toy", config, ("03_mixture",))
    expected = tmp_path / "quick" / f"toy-{config_hash(config)}"
    assert run_dir(spec, Scale("quick"), tmp_path) == expected
    assert run_dir(spec, Scale("paper", dry=True), tmp_path).parent.name == "paper-dry"
    assert spec.key == f"toy-{config_hash(config)}"


def test_the_hash_follows_every_setting_and_ignores_the_chapters(tmp_path: Path) -> None:
    config = TrainConfig()
    assert len(config_hash(config)) == 8
    assert config_hash(config) == config_hash(TrainConfig())
    assert config_hash(config) != config_hash(config.replace(seed=1))
    assert RunSpec("a", config, ("04",)).key == RunSpec("a", config).key


def test_run_dir_defaults_to_the_runs_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    assert run_dir(RunSpec("a", TrainConfig()), Scale("smoke")).parent == tmp_path / "smoke"


@pytest.mark.parametrize("name", ["", "a/b", "a\\b"])
def test_names_with_path_separators_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="'name' parameter of RunSpec must be a non-empty name"):
        RunSpec(name, TrainConfig())
