"""Seeds trained as one batched model: each member equals its lone run, files and resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import wgan.training.stack_run
from wgan.training.checkpoint import load_checkpoint
from wgan.training.config import TrainConfig
from wgan.training.models import build_models
from wgan.training.run import train
from wgan.training.rundir import RunResult
from wgan.training.stack import StackedMLP
from wgan.training.stack_run import train_stack

METRICS_RTOL, METRICS_ATOL = 1e-4, 1e-5
"""A stacked member's logged values against its lone run's over :func:`toy_config`'s 12
iterations: batched and single matrix products round differently (measured over 20
iterations of 3 seeds, |stacked - lone| / (|lone| + 1e-3): at most 3e-6 with clipping, the
penalty and the GAN, 2.5e-4 with spectral normalization, whose power iteration carries the
rounding forward)."""
WEIGHTS_ATOL = 1e-4
"""Largest difference allowed in the final checkpoint's weights and optimizer states
(measured: at most 1e-6, 6e-5 with spectral normalization)."""

SETTINGS: dict[str, dict[str, object]] = {
    "clip-rmsprop": {},
    "penalty-adam": {"lipschitz": "gp", "optimizer_d": "adam", "optimizer_g": "adam",
                     "lr_d": 1e-3, "lr_g": 1e-3},
    "spectral-rmsprop": {"lipschitz": "sn", "lr_d": 1e-3},
    "gan-adam": {"algorithm": "gan", "optimizer_d": "adam", "optimizer_g": "adam",
                 "lr_d": 1e-3, "lr_g": 1e-3, "n_critic": 1},
}


def toy_config(**changes: object) -> TrainConfig:
    """A ring run of well under a second: MLPs of width 16, 12 iterations."""
    base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=16, nz=2,
                       batch_size=32, n_critic=2, critic_warmup=False, generator_iters=12,
                       checkpoint_every=5, seed=3, device="cpu")
    return base.replace(**changes)


def rows(result: RunResult) -> pd.DataFrame:
    return result.metrics.drop(columns="wall_time")


def file_names(run_dir: Path) -> list[str]:
    """The files of a run directory, a TensorBoard event file's time and host left out."""
    return sorted("events" if p.name.startswith("events.out.tfevents") else p.name
                  for p in run_dir.rglob("*"))


def seeds(config: TrainConfig, *values: int) -> list[TrainConfig]:
    return [config.replace(seed=s) for s in values]


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_a_stacked_seed_equals_its_lone_run(tmp_path: Path, setting: str) -> None:
    configs = seeds(toy_config(**SETTINGS[setting]), 3, 4)
    alone = [train(c, tmp_path / f"alone{c.seed}", progress=False) for c in configs]
    stacked = train_stack(configs, [tmp_path / f"stack{c.seed}" for c in configs],
                          progress=False)
    assert not rows(alone[0]).equals(rows(alone[1]))  # the seeds differ
    for lone, member in zip(alone, stacked, strict=True):
        assert member.status == "finished"
        assert list(rows(member).columns) == list(rows(lone).columns)
        assert member.metrics["gen_iter"].tolist() == list(range(1, 13))
        np.testing.assert_allclose(rows(member).to_numpy(), rows(lone).to_numpy(),
                                   rtol=METRICS_RTOL, atol=METRICS_ATOL)
        mine = load_checkpoint(member.run_dir / "checkpoint.pt")
        theirs = load_checkpoint(lone.run_dir / "checkpoint.pt")
        assert mine["gen_iter"] == theirs["gen_iter"] == 12
        for net in ("generator", "critic"):
            assert mine[net].keys() == theirs[net].keys()
            for key, value in theirs[net].items():
                torch.testing.assert_close(mine[net][key], value, rtol=0, atol=WEIGHTS_ATOL)
        for name in ("optimizer_g", "optimizer_d"):
            assert mine[name]["param_groups"] == theirs[name]["param_groups"]
            for index, state in theirs[name]["state"].items():
                for key, value in state.items():
                    torch.testing.assert_close(mine[name]["state"][index][key], value,
                                               rtol=0, atol=WEIGHTS_ATOL)
        assert torch.equal(mine["rng"]["noise"], theirs["rng"]["noise"])  # same draws
        assert torch.equal(mine["rng"]["batches"]["generator"],
                           theirs["rng"]["batches"]["generator"])


def test_a_stack_writes_the_files_of_its_lone_runs(tmp_path: Path) -> None:
    configs = seeds(toy_config(snapshot_every=4), 0, 1, 2)
    lone = train(configs[1], tmp_path / "alone", progress=False)
    stacked = train_stack(configs, [tmp_path / f"s{c.seed}" for c in configs], progress=False)
    member = stacked[1]
    assert file_names(member.run_dir) == file_names(lone.run_dir)
    assert member.snapshots == lone.snapshots == [0, 4, 8, 12]
    assert json.loads((member.run_dir / "config.json").read_text())["seed"] == 1
    status = json.loads((member.run_dir / "status.json").read_text())
    assert status["status"] == "finished" and status["checkpoint_gen_iter"] == 12
    assert status["stack"] == 3 and "stack" not in json.loads(
        (lone.run_dir / "status.json").read_text())  # a member's wall_time is its stack's
    z = torch.randn(16, 2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(member.load_generator(iteration=4)(z),
                                   lone.load_generator(iteration=4)(z), rtol=0, atol=1e-4)


def test_a_killed_stack_resumes_to_the_uninterrupted_stacks_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = seeds(toy_config(), 0, 1)
    whole = train_stack(configs, [tmp_path / f"whole{c.seed}" for c in configs],
                        progress=False)
    calls = {"n": 0}
    real_step = wgan.training.stack_run.stacked_generator_step

    def crashing_step(*args: object) -> dict[str, torch.Tensor]:
        calls["n"] += 1
        if calls["n"] == 7:  # after the checkpoint at 5 and the metrics row of 6
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(wgan.training.stack_run, "stacked_generator_step", crashing_step)
    broken = [tmp_path / f"broken{c.seed}" for c in configs]
    with pytest.raises(KeyboardInterrupt):
        train_stack(configs, broken, progress=False)
    for run_dir in broken:
        lines = (run_dir / "metrics.jsonl").read_text().splitlines()
        assert [json.loads(line)["gen_iter"] for line in lines] == [1, 2, 3, 4, 5, 6]
        assert json.loads((run_dir / "status.json").read_text())["status"] == "running"
    monkeypatch.setattr(wgan.training.stack_run, "stacked_generator_step", real_step)
    resumed = train_stack(configs, broken, progress=False)
    for one, other in zip(whole, resumed, strict=True):
        pd.testing.assert_frame_equal(rows(one), rows(other))


def test_a_stopped_stack_checkpoints_at_once_and_resumes_without_gap(tmp_path: Path) -> None:
    configs = seeds(toy_config(), 0, 1)
    whole = train_stack(configs, [tmp_path / f"whole{c.seed}" for c in configs],
                        progress=False)
    asked: list[int] = []
    dirs = [tmp_path / f"stopped{c.seed}" for c in configs]
    stopped = train_stack(configs, dirs, progress=False,
                          stop=lambda: asked.append(1) or len(asked) == 3)
    assert [r.detail["checkpoint_gen_iter"] for r in stopped] == [3, 3]
    assert [r.status for r in stopped] == ["running", "running"]
    resumed = train_stack(configs, dirs, progress=False)
    for one, other in zip(whole, resumed, strict=True):
        assert other.status == "finished"
        pd.testing.assert_frame_equal(rows(one), rows(other))


def test_members_checkpointed_at_different_iterations_resume_each_to_its_end(
    tmp_path: Path,
) -> None:
    # a kill between two members' checkpoint writes: member 0 at iteration 3, member 1 fresh
    configs = seeds(toy_config(), 0, 1)
    whole = train_stack(configs, [tmp_path / f"whole{c.seed}" for c in configs],
                        progress=False)
    asked: list[int] = []
    train(configs[0], tmp_path / "late0", progress=False,
          stop=lambda: asked.append(1) or len(asked) == 3)
    resumed = train_stack(configs, [tmp_path / "late0", tmp_path / "late1"], progress=False)
    for one, other in zip(whole, resumed, strict=True):
        np.testing.assert_allclose(rows(other).to_numpy(), rows(one).to_numpy(),
                                   rtol=METRICS_RTOL, atol=METRICS_ATOL)


def test_a_diverged_member_stops_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = seeds(toy_config(), 0, 1)
    whole = train_stack(configs, [tmp_path / f"whole{c.seed}" for c in configs],
                        progress=False)
    calls = {"n": 0}
    real_step = wgan.training.stack_run.stacked_generator_step

    def nan_for_member_1_at_7(*args: object) -> dict[str, torch.Tensor]:
        stats = real_step(*args)
        calls["n"] += 1
        if calls["n"] == 7:
            stats["loss_g"][1] = float("nan")
        return stats

    monkeypatch.setattr(wgan.training.stack_run, "stacked_generator_step", nan_for_member_1_at_7)
    results = train_stack(configs, [tmp_path / f"nan{c.seed}" for c in configs], progress=False)
    assert [r.status for r in results] == ["finished", "diverged"]
    pd.testing.assert_frame_equal(rows(results[0]), rows(whole[0]))
    assert results[1].metrics["gen_iter"].tolist() == [1, 2, 3, 4, 5, 6]
    assert results[1].detail["losses"] == ["loss_g"]
    assert results[1].detail["checkpoint_gen_iter"] == 5  # the last good one, kept


def test_a_finished_member_is_left_alone(tmp_path: Path) -> None:
    configs = seeds(toy_config(), 0, 1)
    done = train(configs[0], tmp_path / "r0", progress=False)
    before = (done.run_dir / "metrics.jsonl").read_text()
    results = train_stack(configs, [tmp_path / "r0", tmp_path / "r1"], progress=False)
    assert (done.run_dir / "metrics.jsonl").read_text() == before
    assert [r.status for r in results] == ["finished", "finished"]


@pytest.mark.parametrize(("configs", "words"), [
    ([], "at least one"),
    ([toy_config(seed=0), toy_config(seed=1, lr_d=1e-3)], "differ only in their seed"),
    ([toy_config(seed=0), toy_config(seed=0)], "distinct seeds"),
    ([TrainConfig(dataset="digits", image_size=16, seed=0)], "toy runs of MLPs"),
    ([toy_config(log_update_cosine=True)], "log_update_cosine"),
    ([toy_config(precision="bfloat16")], "plain float32"),
])
def test_configs_that_cannot_stack_are_refused(
    tmp_path: Path, configs: list[TrainConfig], words: str
) -> None:
    with pytest.raises(ValueError, match=f"'configs'.*{words}"):
        train_stack(configs, [tmp_path / str(i) for i in range(len(configs))])
    assert not any(tmp_path.iterdir())


def test_one_directory_per_config(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'run_dirs'"):
        train_stack(seeds(toy_config(), 0, 1), [tmp_path / "only"])


def test_stacked_mlp_holds_each_members_weights() -> None:
    config = toy_config(lipschitz="sn")
    nets = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        nets.append(build_models(config, (2,)))
    critics = [critic for _, critic in nets]
    stacked = StackedMLP(critics)
    assert stacked.names == [name for name, _ in critics[0].named_parameters()]
    x = torch.randn(2, 5, 2, generator=torch.Generator().manual_seed(0))
    stacked.eval()
    for critic in critics:
        critic.eval()
    out = stacked(x)
    for k, critic in enumerate(critics):
        torch.testing.assert_close(out[k], critic(x[k]), rtol=1e-5, atol=1e-6)
    copy = build_models(config, (2,))[1]
    stacked.write_member(1, copy)
    for key, value in critics[1].state_dict().items():
        assert torch.equal(copy.state_dict()[key], value), key
    with pytest.raises(ValueError, match="'k'"):
        stacked.write_member(2, copy)
