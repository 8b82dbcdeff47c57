"""The training loop: metrics rows, schedule, determinism, resume, divergence."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
from PIL import Image

import wgan.training.run
from wgan.training.checkpoint import load_checkpoint
from wgan.training.config import TrainConfig
from wgan.training.run import METRIC_COLUMNS, train
from wgan.training.rundir import RunResult, load_run


def toy_config(**changes: object) -> TrainConfig:
    """A run that takes well under a second: MLPs of width 8 on the ring of Gaussians."""
    base = TrainConfig(
        dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2, batch_size=8,
        n_critic=2, critic_warmup=False, generator_iters=6, checkpoint_every=2, seed=3,
    )
    return base.replace(**changes)


def rows_without_time(result: RunResult) -> pd.DataFrame:
    return result.metrics.drop(columns="wall_time")


def test_metrics_has_one_row_per_generator_iteration(tmp_path: Path) -> None:
    result = train(toy_config(), tmp_path / "run")
    assert result.status == "finished"
    expected = ["gen_iter", "critic_iters_total", *METRIC_COLUMNS["wgan"], "wall_time"]
    assert list(result.metrics.columns) == expected
    assert result.metrics["gen_iter"].tolist() == [1, 2, 3, 4, 5, 6]
    assert result.metrics["critic_iters_total"].tolist() == [2, 4, 6, 8, 10, 12]
    torch.testing.assert_close(
        torch.tensor(result.metrics["w_estimate"].to_numpy()),
        torch.tensor((result.metrics["f_real"] - result.metrics["f_fake"]).to_numpy()),
    )
    assert (result.metrics["wall_time"].diff().dropna() >= 0).all()


def test_critic_schedule_counted_in_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts: list[int] = [0]
    zero = torch.tensor(0.0)

    def counting_step(*args: object) -> dict[str, torch.Tensor]:
        counts[-1] += 1
        return {"loss_d": zero, "f_real": zero, "f_fake": zero, "w_estimate": zero}

    def generator_marker(*args: object) -> dict[str, torch.Tensor]:
        counts.append(0)
        return {"loss_g": zero}

    # Count the critic steps between generator steps: 100 for the first 25, then n_critic.
    monkeypatch.setattr(wgan.training.run, "critic_step", counting_step)
    monkeypatch.setattr(wgan.training.run, "generator_step", generator_marker)
    config = toy_config(critic_warmup=True, generator_iters=27, checkpoint_every=27)
    result = train(config, tmp_path / "run")
    assert counts[:-1] == [100] * 25 + [2, 2]
    assert result.metrics["critic_iters_total"].iloc[-1] == 2504


def test_rerun_is_deterministic(tmp_path: Path) -> None:
    first = train(toy_config(), tmp_path / "a")
    second = train(toy_config(), tmp_path / "b")
    pd.testing.assert_frame_equal(rows_without_time(first), rows_without_time(second))
    other_seed = train(toy_config(seed=4), tmp_path / "c")
    assert not rows_without_time(first).equals(rows_without_time(other_seed))


@pytest.mark.parametrize("changes", [{}, {"lipschitz": "gp"}, {"lipschitz": "sn"}])
def test_resume_after_interruption_matches_uninterrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object]
) -> None:
    uninterrupted = train(toy_config(**changes), tmp_path / "whole")
    calls = {"n": 0}
    real_step = wgan.training.run.generator_step

    def crashing_step(*args: object) -> dict[str, torch.Tensor]:
        calls["n"] += 1
        if calls["n"] == 4:  # after the checkpoint at 2 and the metrics row of 3
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(wgan.training.run, "generator_step", crashing_step)
    with pytest.raises(KeyboardInterrupt):
        train(toy_config(**changes), tmp_path / "broken")
    lines = (tmp_path / "broken" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["gen_iter"] for line in lines] == [1, 2, 3]
    monkeypatch.setattr(wgan.training.run, "generator_step", real_step)
    resumed = train(toy_config(**changes), tmp_path / "broken")
    pd.testing.assert_frame_equal(rows_without_time(uninterrupted), rows_without_time(resumed))


def test_penalised_run_logs_the_penalty_and_leaves_weights_unclipped(tmp_path: Path) -> None:
    result = train(toy_config(lipschitz="gp", clip_value=1e-4, lr_d=1e-2,
                              optimizer_d="adam"), tmp_path / "run")
    assert list(result.metrics.columns) == ["gen_iter", "critic_iters_total",
                                            *METRIC_COLUMNS["wgan"], "penalty", "wall_time"]
    assert (result.metrics["penalty"] >= 0).all()
    critic = load_checkpoint(result.run_dir / "checkpoint.pt")["critic"]
    assert max(float(w.abs().max()) for w in critic.values()) > 1e-4  # no clip box


def test_finished_run_returns_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = train(toy_config(), tmp_path / "run")

    def forbidden(*args: object) -> None:
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(wgan.training.run, "critic_step", forbidden)
    again = train(toy_config(), tmp_path / "run")
    pd.testing.assert_frame_equal(first.metrics, again.metrics)


def test_different_config_is_refused_and_left_untouched(tmp_path: Path) -> None:
    train(toy_config(), tmp_path / "run")
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.is_file()}
    with pytest.raises(ValueError, match=r"holds a run with a different config \(lr_d: 5e-05 "
                                         r"there, 0\.001 here\)"):
        train(toy_config(lr_d=1e-3), tmp_path / "run")
    after = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.is_file()}
    assert before == after


def test_non_empty_directory_without_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not empty and holds no run"):
        train(toy_config(), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_run_killed_while_writing_its_config_starts_afresh(tmp_path: Path) -> None:
    (tmp_path / ".lock").touch()
    (tmp_path / ".config.json.tmp").write_text('{"algori')
    assert train(toy_config(), tmp_path).status == "finished"


def test_divergence_stops_run_and_keeps_last_good_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_step = wgan.training.run.generator_step

    def blowing_up(*args: object) -> dict[str, torch.Tensor]:
        calls["n"] += 1
        out = real_step(*args)
        return {"loss_g": torch.tensor(math.nan)} if calls["n"] == 4 else out

    monkeypatch.setattr(wgan.training.run, "generator_step", blowing_up)
    result = train(toy_config(), tmp_path / "run")
    assert result.status == "diverged"
    assert result.detail["gen_iter"] == 4
    assert result.detail["losses"] == ["loss_g"]
    assert "diverged at generator iteration 4: non-finite loss_g" in result.detail["message"]
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["gen_iter"] == 2
    assert result.metrics["gen_iter"].tolist() == [1, 2, 3]


def test_huge_learning_rate_diverges_gracefully(tmp_path: Path) -> None:
    config = toy_config(optimizer_g="adam", optimizer_d="adam", lr_g=1e10, lr_d=1e10,
                        clip_value=1e30, checkpoint_every=1)
    result = train(config, tmp_path / "run")
    assert result.status == "diverged"
    assert result.detail["gen_iter"] == 1
    assert "w_estimate" in result.detail["losses"]
    assert result.metrics.empty
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


def test_snapshots_and_load_generator(tmp_path: Path) -> None:
    result = train(toy_config(snapshot_every=3), tmp_path / "run")
    assert result.snapshots == [0, 3, 6]
    last = result.load_generator()
    assert not last.training
    z = torch.randn(5, 2)
    torch.testing.assert_close(last(z), result.load_generator(6)(z))
    assert not torch.equal(result.load_generator(0)(z), last(z))
    with pytest.raises(ValueError, match=r"must be one of the kept iterations \[0, 3, 6\]"):
        result.load_generator(4)


def test_load_run_refuses_unfinished_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(wgan.training.run, "generator_step", crash)
    with pytest.raises(KeyboardInterrupt):
        train(toy_config(), tmp_path / "run")
    with pytest.raises(ValueError, match="has not finished"):
        load_run(tmp_path / "run")


def test_gan_run_logs_js_lower_bound(tmp_path: Path) -> None:
    result = train(toy_config(algorithm="gan", optimizer_d="adam", optimizer_g="adam",
                              lr_d=2e-4, lr_g=2e-4), tmp_path / "run")
    assert list(result.metrics.columns[2:-1]) == list(METRIC_COLUMNS["gan"])
    assert result.metrics["critic_iters_total"].tolist() == [1, 2, 3, 4, 5, 6]
    assert (result.metrics["js_lower_bound"] <= math.log(2)).all()


def test_progress_bar_quiet_when_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(toy_config(), tmp_path / "run")
    assert capsys.readouterr().err == ""


def test_image_run_writes_grids_and_checkpoints(
    tmp_path: Path, tiny_image_config: TrainConfig
) -> None:
    result = train(tiny_image_config, tmp_path / "run")
    assert sorted(p.name for p in (result.run_dir / "samples").iterdir()) == [
        "iter_0000002.png", "iter_0000004.png"]
    with Image.open(result.run_dir / "samples" / "iter_0000004.png") as grid:
        assert grid.size == (8 * 18 + 2, 8 * 18 + 2)  # 8 x 8 images of 16 px, 2 px padding
    assert load_checkpoint(result.run_dir / "checkpoint.pt")["gen_iter"] == 4
    assert result.load_generator()(torch.randn(2, 4)).shape == (2, 1, 16, 16)


KILL_SCRIPT = """
import sys
from wgan.training.run import train
from wgan.training.config import TrainConfig
config = TrainConfig.from_dict({config})
train(config, sys.argv[1], progress=False)
"""


@pytest.mark.slow
def test_resume_after_sigkill_matches_uninterrupted(tmp_path: Path) -> None:
    config = toy_config(generator_iters=150, checkpoint_every=7)
    run_dir = tmp_path / "killed"
    script = KILL_SCRIPT.format(config=repr(config.to_dict()))
    process = subprocess.Popen([sys.executable, "-c", script, str(run_dir)],
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
    metrics = run_dir / "metrics.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if metrics.is_file() and len(metrics.read_text().splitlines()) >= 30:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert json.loads((run_dir / "status.json").read_text())["status"] == "running"
    resumed = train(config, run_dir)
    whole = train(config, tmp_path / "whole")
    pd.testing.assert_frame_equal(rows_without_time(whole), rows_without_time(resumed))


def test_stop_writes_a_checkpoint_at_once_and_resume_continues_without_gap(
    tmp_path: Path,
) -> None:
    config = toy_config(generator_iters=9, checkpoint_every=4)
    whole = train(config, tmp_path / "whole")
    asked: list[int] = []

    def stop_at_3() -> bool:
        asked.append(1)
        return len(asked) == 3  # after iteration 3, between the periodic checkpoints 0 and 4

    stopped = train(config, tmp_path / "stopped", stop=stop_at_3)
    assert stopped.status == "running"
    assert stopped.detail["checkpoint_gen_iter"] == 3
    assert stopped.metrics["gen_iter"].tolist() == [1, 2, 3]
    resumed = train(config, tmp_path / "stopped")
    assert resumed.metrics["gen_iter"].tolist() == list(range(1, 10))
    pd.testing.assert_frame_equal(rows_without_time(resumed), rows_without_time(whole))


def _stopped_after(config: TrainConfig, run_dir: Path, iterations: int) -> None:
    """Train ``config`` in ``run_dir`` and stop it with a checkpoint after ``iterations``."""
    asked: list[int] = []
    train(config, run_dir, stop=lambda: asked.append(1) or len(asked) == iterations)


def test_an_auto_run_resumes_on_the_device_it_started_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started on the CPU; on resume, the placement rule would pick another device (as on a
    # GPU machine): the run stays on the CPU and ends as the uninterrupted one.
    config = toy_config(generator_iters=6, checkpoint_every=6)
    whole = train(config, tmp_path / "whole")
    _stopped_after(config, tmp_path / "run", 3)

    def placement_elsewhere(device: str, config: TrainConfig | None = None) -> torch.device:
        raise AssertionError("a resumed auto run asked the placement rule again")

    monkeypatch.setattr(wgan.training.run, "resolve_device", placement_elsewhere)
    resumed = train(config, tmp_path / "run")
    assert resumed.detail["device"] == "cpu"
    pd.testing.assert_frame_equal(rows_without_time(resumed), rows_without_time(whole))


def test_a_run_started_on_a_gpu_is_not_resumed_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = toy_config(generator_iters=6, checkpoint_every=6)
    run_dir = tmp_path / "run"
    _stopped_after(config, run_dir, 3)
    status = json.loads((run_dir / "status.json").read_text())
    (run_dir / "status.json").write_text(json.dumps(status | {"device": "cuda:0"}))
    with pytest.raises(ValueError, match=r"started on a GPU .* no CUDA GPU is visible"):
        train(config, run_dir)
