"""Several runs on one GPU: packs of runs, and the task that trains a pack as processes."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from wgan.plan.spec import RunSpec
from wgan.sweep.pack import PackedTask, pack_runs, submit_packed
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.task import RunStopped
from wgan.training.config import TrainConfig
from wgan.training.rundir import load_run


def ring(**changes: object) -> TrainConfig:
    base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                       batch_size=8, n_critic=2, critic_warmup=False, generator_iters=6,
                       checkpoint_every=2, seed=1, device="cpu")
    return base.replace(**changes)


def registered(name: str, config: TrainConfig, root: Path = Path("runs")) -> RegisteredRun:
    return RegisteredRun(RunSpec(name, config), root / name)


def test_packs_hold_one_family_each_longest_first() -> None:
    digits = TrainConfig(dataset="digits", image_size=16, ngf=4, ndf=4, nz=4)
    runs = [registered("toy-short", ring(generator_iters=10)),
            registered("conv-short", digits.replace(generator_iters=10)),
            registered("toy-long", ring(generator_iters=1000)),
            registered("conv-long", digits.replace(generator_iters=1000)),
            registered("toy-mid", ring(generator_iters=100))]
    packs = pack_runs(runs, 2)
    assert [[r.name for r in pack] for pack in packs] == [
        ["conv-long", "conv-short"], ["toy-long", "toy-mid"], ["toy-short"]]
    with pytest.raises(ValueError, match=r"'runs_per_gpu' parameter \(--runs-per-gpu\) must"):
        pack_runs(runs, 0)


def test_a_packed_task_trains_each_run_in_its_own_process(tmp_path: Path) -> None:
    dirs = [str(tmp_path / f"ring-{s}") for s in (1, 2)]
    results = PackedTask()([ring(seed=1).to_dict(), ring(seed=2).to_dict()], dirs)
    assert results == [{"run_dir": d, "status": "finished", "gen_iter": 6} for d in dirs]
    for run_dir in dirs:
        assert load_run(run_dir).metrics["gen_iter"].tolist() == [1, 2, 3, 4, 5, 6]


def _signal_when_started(paths: list[Path], signum: int) -> threading.Thread:
    def wait_and_signal() -> None:
        while not all(p.is_file() and p.read_text().count("\n") >= 5 for p in paths):
            time.sleep(0.1)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=wait_and_signal, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR2])
def test_a_signal_to_a_packed_task_checkpoints_every_run_and_they_resume(
    tmp_path: Path, signum: int,
) -> None:
    configs = [ring(seed=s, generator_iters=1500, checkpoint_every=10_000).to_dict()
               for s in (1, 2)]
    dirs = [tmp_path / f"ring-{s}" for s in (1, 2)]
    watcher = _signal_when_started([d / "metrics.jsonl" for d in dirs], signum)
    name = signal.Signals(signum).name
    with pytest.raises(RunStopped, match=f"2 runs of the pack stopped by {name}"):
        PackedTask()(configs, [str(d) for d in dirs])
    watcher.join()
    assert signal.getsignal(signum) is not None  # the previous handlers are back
    for run_dir in dirs:
        stopped = load_run(run_dir, allow_unfinished=True)
        done = stopped.detail["checkpoint_gen_iter"]  # at once: the periodic one is at 10,000
        assert 5 <= done < 1500 and len(stopped.metrics) == done
    assert [r["status"] for r in PackedTask()(configs, [str(d) for d in dirs])] == ["finished"] * 2
    for run_dir in dirs:
        assert load_run(run_dir).metrics["gen_iter"].tolist() == list(range(1, 1501))


def test_a_failed_run_fails_the_task_once_the_others_have_ended(tmp_path: Path) -> None:
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "notes.txt").write_text("not a run")
    with pytest.raises(RuntimeError, match=r"1 of the 2 runs of the pack failed: stray: .*is "
                       "not empty and holds no run"):
        PackedTask()([ring().to_dict(), ring().to_dict()],
                     [str(tmp_path / "ring"), str(tmp_path / "stray")])
    assert load_run(tmp_path / "ring").status == "finished"


def test_a_packed_task_refuses_configs_and_directories_that_do_not_pair() -> None:
    with pytest.raises(ValueError, match=r"non-empty lists of the same length\. Got 1 "
                       "configs and 2 run directories"):
        PackedTask()([ring().to_dict()], ["a", "b"])


class FakeExecutor:
    """submitit's ``map_array``, recording what was submitted."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def map_array(self, task: Any, *lists: list[Any]) -> list[str]:
        self.calls.append((task, *lists))
        return [f"7_{i}" for i in range(len(lists[0]))]


def test_submitting_packs_gives_each_run_the_job_of_its_pack(tmp_path: Path) -> None:
    runs = [registered(f"ring-{s}", ring(seed=s, generator_iters=10 * s), tmp_path)
            for s in (1, 2, 3)]
    executor = FakeExecutor()
    order, jobs = submit_packed(executor, runs, 2, term_wait_s=300)
    assert [r.name for r in order] == ["ring-3", "ring-2", "ring-1"]
    assert jobs == ["7_0", "7_0", "7_1"]
    (task, configs, dirs), = executor.calls
    assert isinstance(task, PackedTask) and task.term_wait_s == 300
    assert dirs == [[str(tmp_path / "ring-3"), str(tmp_path / "ring-2")],
                    [str(tmp_path / "ring-1")]]
    assert configs[1] == [runs[0].config.to_dict()]


@pytest.mark.slurm
def test_a_packed_sweep_on_slurm_trains_two_runs_per_task_and_a_signal_checkpoints_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cluster: None,
) -> None:
    from wgan.sweep.slurm import Resources, submit, wait

    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    runs = [registered(f"ring-{s}", ring(seed=s, mlp_hidden=16, generator_iters=n,
                                         checkpoint_every=10_000), tmp_path)
            for s, n in ((1, 2000), (2, 2000), (3, 30))]
    manifest = submit(runs, "smoke", Resources(time_min=10, cpus_per_job=2), runs_per_gpu=2)
    job = {e["key"]: e["job_id"] for e in manifest["runs"]}
    assert job["ring-1"] == job["ring-2"] != job["ring-3"]  # the two long runs share a task
    metrics = [tmp_path / f"ring-{s}" / "metrics.jsonl" for s in (1, 2)]
    end = time.monotonic() + 240
    while not all(p.is_file() and p.read_text().count("\n") >= 20 for p in metrics):
        assert time.monotonic() < end, "the packed task did not start both runs in 240 s"
        time.sleep(0.5)
    # SLURM's warning before a time limit: both runs checkpoint, the task is requeued
    for _ in range(8):  # a job in a transitional state refuses scancel for a while
        if subprocess.run(["scancel", "--signal=USR2", job["ring-1"]], capture_output=True,
                          timeout=15).returncode == 0:
            break
        time.sleep(2)
    final = wait(manifest)
    assert set(final.values()) == {"COMPLETED"}, final
    log = Path(next(e["stdout"] for e in manifest["runs"] if e["key"] == "ring-1")).read_text()
    assert log.count("SIGUSR2: checkpoint written at generator iteration") == 2
    for run in runs:
        iters = run.config.generator_iters
        assert load_run(run.run_dir).metrics["gen_iter"].tolist() == list(range(1, iters + 1))
