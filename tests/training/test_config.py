"""TrainConfig: the paper's defaults, validation and files."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from wgan.training.config import WGAN_GP_PROCEDURE, TrainConfig


def test_defaults_are_the_papers() -> None:
    # Algorithm 1: alpha = 0.00005, c = 0.01, m = 64, n_critic = 5; RMSProp; DCGAN sizes.
    config = TrainConfig()
    assert (config.lr_d, config.lr_g, config.clip_value) == (5e-5, 5e-5, 0.01)
    assert (config.batch_size, config.n_critic) == (64, 5)
    assert (config.optimizer_d, config.optimizer_g) == ("rmsprop", "rmsprop")
    assert (config.nz, config.ngf, config.ndf, config.image_size) == (100, 64, 64, 64)
    assert config.critic_warmup is True
    assert (config.lipschitz, config.gp_weight) == ("clip", 10.0)


def test_wgan_gp_preset_is_the_published_procedure() -> None:
    # Gulrajani et al. (2017), Algorithm 1: lambda = 10, n_critic = 5, Adam(1e-4, 0, 0.9).
    config = TrainConfig(**WGAN_GP_PROCEDURE, dataset="ring8")
    assert (config.lipschitz, config.gp_weight, config.n_critic) == ("gp", 10.0, 5)
    assert (config.optimizer_d, config.optimizer_g) == ("adam", "adam")
    assert (config.lr_d, config.lr_g, config.beta1, config.beta2) == (1e-4, 1e-4, 0.0, 0.9)
    assert config.critic_warmup is False and config.critic == "dcgan_nobn"
    assert set(WGAN_GP_PROCEDURE) <= set(config.to_dict())


def test_wgan_gp_preset_refuses_a_batchnorm_critic() -> None:
    with pytest.raises(ValueError, match="without BatchNorm"):
        TrainConfig(**{**WGAN_GP_PROCEDURE, "critic": "dcgan"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"image_size": 40}, "'image_size' parameter of TrainConfig must be a positive multiple "
                             "of 16"),
        ({"clip_value": -0.01}, "'clip_value' parameter of TrainConfig must be positive"),
        ({"optimizer_d": "sgd"}, "'optimizer_d' parameter of TrainConfig must be one of"),
        ({"algorithm": "wgan-gp"}, "'algorithm' parameter of TrainConfig must be one of"),
        ({"n_critic": 0}, "'n_critic' parameter of TrainConfig must be positive"),
        ({"beta1": 1.0}, r"'beta1' parameter of TrainConfig must be in \[0, 1\)"),
        ({"generator": "resnet"}, "'generator' parameter of TrainConfig must be one of "
                                  "'dcgan', 'dcgan_nobn', 'mlp'"),
        ({"critic": "resnet"}, "'critic' parameter of TrainConfig must be one of"),
        ({"snapshot_every": -1}, "'snapshot_every' parameter of TrainConfig must be a "
                                 "non-negative int"),
        ({"data_limit": 0}, "'data_limit' parameter of TrainConfig must be a positive int"),
        ({"data_limit": 1.5}, "'data_limit' parameter of TrainConfig must be a positive int"),
        ({"lipschitz": "layernorm"}, "'lipschitz' parameter of TrainConfig must be one of "
                                     "'clip', 'gp', 'sn'"),
        ({"gp_weight": 0.0}, "'gp_weight' parameter of TrainConfig must be positive"),
        ({"lipschitz": "gp"}, "'critic' parameter of TrainConfig must be a critic without "
                              "BatchNorm"),
        ({"lipschitz": "sn", "algorithm": "gan"}, "'lipschitz' parameter of TrainConfig must "
                                                  "be 'clip'"),
    ],
)
def test_bad_settings_are_refused_on_construction(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)  # type: ignore[arg-type]


def test_round_trip_through_dict() -> None:
    config = TrainConfig(generator="mlp", lr_d=1e-4, extra={"note": "x"})
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_from_dict_rejects_unknown_settings() -> None:
    with pytest.raises(ValueError, match=r"Unknown TrainConfig setting\(s\) \['lrD'\]"):
        TrainConfig.from_dict({"lrD": 1e-4})


def test_from_file_reads_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("generator: mlp\nlr_d: 0.0001\n")
    (tmp_path / "b.json").write_text(json.dumps({"n_critic": 3}))
    assert TrainConfig.from_file(tmp_path / "a.yaml") == TrainConfig(generator="mlp", lr_d=1e-4)
    assert TrainConfig.from_file(tmp_path / "b.json").n_critic == 3


def test_from_file_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        TrainConfig.from_file(tmp_path / "missing.yaml")


def test_a_config_is_frozen_and_replace_checks_the_copy() -> None:
    config = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr_d = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="'lr_d' parameter of TrainConfig must be positive"):
        config.replace(lr_d=-1.0)
    assert config.replace(lr_d=1e-3).lr_d == 1e-3 and config.lr_d == 5e-5
