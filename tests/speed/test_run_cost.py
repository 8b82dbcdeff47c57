"""The run-against-its-steps benchmark: its default is the quick image run, its bare steps compute
what the run computes, and it accounts for every part. No timings are asserted: the benchmark
is the measurement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wgan.experiments.images import image_config
from wgan.plan.scale import Scale
from wgan.speed.run_cost import (
    PARTS,
    QUICK_IMAGE_RUN,
    cost_lines,
    main,
    run_cost,
    timed_run,
)
from wgan.training.config import TrainConfig

TINY = TrainConfig(dataset="digits", image_size=16, ngf=4, ndf=4, nz=4, batch_size=8,
                   n_critic=2, critic_warmup=False, generator_iters=6, snapshot_every=2,
                   sample_every=3, checkpoint_every=4, device="cpu")


def test_the_default_is_the_quick_wgan_dcgan_run():
    assert QUICK_IMAGE_RUN == image_config("wgan-dcgan", Scale("quick"), device="auto")


def test_the_bare_steps_log_what_the_run_logs_and_every_part_is_counted():
    cost = run_cost(TINY, rounds=2, tensorboard=False)
    assert cost.same_values
    assert len(cost.runs) == len(cost.bare) == 2
    run = cost.runs[0]
    assert len(run.metrics) == len(cost.bare[0].values) == 6
    assert set(run.parts) == set(PARTS)
    # 6 iterations; checkpoints at 4 and at the end; snapshots at 0, 2, 4, 6; grids at 3, 6
    assert run.calls == {"_iteration": 6, "_save_checkpoint": 2, "_save_snapshot": 4,
                         "_save_samples": 2}
    assert 0 < run.steps < run.wall
    lines = cost_lines(cost)
    assert "the bare steps logged exactly the run's values" in lines[-2]
    assert lines[-1].startswith("the rest, first round: checkpoint ")


def test_a_run_differing_from_its_bare_steps_is_reported():
    cost = run_cost(TINY.replace(generator_iters=2), tensorboard=False)
    cost.bare[0].values[1]["loss_g"] += 1.0
    assert "did NOT log" in cost_lines(cost)[-2]


def test_refusals_name_the_parameter(tmp_path: Path):
    with pytest.raises(ValueError, match="'rounds' parameter of run_cost must be at least 1"):
        run_cost(TINY, rounds=0)
    with pytest.raises(ValueError, match="'run_dir' parameter of timed_run must be a new "
                                         "directory"):
        timed_run(TINY, tmp_path)


def test_the_command_line_names_the_cpu_and_prints_both_ratios(tmp_path: Path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(TINY.to_dict()))
    main(["--config", str(path), "--iters", "3", "--steps", "--step-rounds", "1"])
    out = capsys.readouterr().out
    assert out.startswith("cpu: ")
    assert "bfloat16 instructions" in out.splitlines()[0]
    assert "3 generator iterations" in out
    assert "<- auto" in out
    assert "a run costs " in out and "x its bare steps" in out
