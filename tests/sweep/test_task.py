"""A SLURM task's torch threads: its allocation's CPUs, recorded, and a change warned of; a
task given a fit makes it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from wgan.experiments import theory_fits
from wgan.plan.fits import FitConfig, load_fit
from wgan.sweep.task import CPU_VARIABLES, TrainTask, allocated_cpus
from wgan.training.config import TrainConfig
from wgan.training.run import train
from wgan.training.rundir import load_run, read_status

RING = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                   batch_size=8, n_critic=2, critic_warmup=False, generator_iters=6,
                   checkpoint_every=2, seed=1, device="cpu")


@pytest.fixture(autouse=True)
def outside_slurm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SLURM variable from the environment; torch's threads as they were afterwards."""
    for name in CPU_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize(("variables", "expected"), [
    ({"SLURM_CPUS_PER_TASK": "3", "SLURM_CPUS_ON_NODE": "5"}, 3),
    ({"SLURM_CPUS_ON_NODE": "5"}, 5),
    ({}, len(os.sched_getaffinity(0))),
])
def test_the_cpus_come_from_the_allocation_first(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: int,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert allocated_cpus() == expected


@pytest.mark.parametrize("value", ["0", "2(x3)", "-1"])
def test_a_variable_that_is_not_a_count_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str,
) -> None:
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", value)
    with pytest.raises(ValueError, match=re.escape(
            f"SLURM_CPUS_PER_TASK must be a positive number of CPUs. Got '{value}'")):
        allocated_cpus()


def test_a_run_resumed_on_other_threads_records_them_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_dir = tmp_path / "ring"
    torch.set_num_threads(1)
    train(RING, run_dir, stop=lambda: True)  # one iteration on one thread, checkpointed
    assert read_status(run_dir)["threads"] == 1
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "2")
    with pytest.warns(RuntimeWarning, match="ring: resumed at generator iteration 1 with 2 "
                      "torch threads; it trained with 1 before"):
        TrainTask(allocation=True)(RING.to_dict(), str(run_dir))
    assert torch.get_num_threads() == 2
    assert read_status(run_dir)["threads"] == 2
    assert load_run(run_dir).metrics["gen_iter"].tolist() == [1, 2, 3, 4, 5, 6]


def test_a_local_task_leaves_the_threads_to_its_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    torch.set_num_threads(1)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "2")  # e.g. a local sweep inside an allocation
    TrainTask()(RING.to_dict(), str(tmp_path / "ring"))
    assert read_status(tmp_path / "ring")["threads"] == 1


def test_a_task_makes_a_fit_once_and_then_reads_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = FitConfig.of(theory_fits.js_fit, {"theta": 0.2, "hidden": 4, "steps": 3,
                                               "batch_size": 8, "lr": 1e-3, "eval_samples": 16})
    done = TrainTask()(config.to_dict(), str(tmp_path / "fit"))
    assert done["status"] == "finished" and done["seconds"] > 0
    made = load_fit(tmp_path / "fit")
    monkeypatch.setattr(theory_fits, "js_fit", lambda **_: pytest.fail("fitted again"))
    again = TrainTask()(config.to_dict(), str(tmp_path / "fit"))
    assert again == done and load_fit(tmp_path / "fit").result == made.result
