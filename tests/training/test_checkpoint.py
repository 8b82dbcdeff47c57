"""Checkpoint round trips and the JSON records of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from wgan.training.checkpoint import (
    atomic_write_json,
    load_checkpoint,
    save_checkpoint,
)


def test_checkpoint_round_trip_keeps_tensors_and_plain_data(tmp_path: Path) -> None:
    state = {"gen_iter": 7, "config": {"lr_d": 5e-5, "data_root": None},
             "weights": {"w": torch.arange(3.0)}, "rng": torch.get_rng_state()}
    save_checkpoint(tmp_path / "checkpoint.pt", state)
    loaded = load_checkpoint(tmp_path / "checkpoint.pt")
    assert loaded["gen_iter"] == 7
    assert loaded["config"] == state["config"]
    assert torch.equal(loaded["weights"]["w"], state["weights"]["w"])
    assert torch.equal(loaded["rng"], state["rng"])


def test_a_json_record_is_sorted_indented_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "run" / "status.json"
    atomic_write_json(path, {"status": "running", "gen_iter": 3})
    assert path.read_text() == '{\n  "gen_iter": 3,\n  "status": "running"\n}\n'
    assert json.loads(path.read_text()) == {"status": "running", "gen_iter": 3}


def test_load_missing_checkpoint_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="There is no checkpoint at"):
        load_checkpoint(tmp_path / "checkpoint.pt")


def test_run_checkpoint_holds_everything_needed_to_resume(tmp_path: Path) -> None:
    from wgan.training.config import TrainConfig
    from wgan.training.run import train

    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=4, nz=2,
                         batch_size=4, critic_warmup=False, generator_iters=2)
    train(config, tmp_path)
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert {"generator", "critic", "optimizer_g", "optimizer_d", "rng", "config", "gen_iter",
            "critic_iters_total", "git_sha", "elapsed"} <= set(state)
    assert set(state["rng"]) == {"torch", "cuda", "noise", "batches"}
    assert state["config"] == config.to_dict()
    assert state["optimizer_d"]["state"], "RMSProp's running averages are saved"
    assert (state["gen_iter"], state["critic_iters_total"]) == (2, 10)
