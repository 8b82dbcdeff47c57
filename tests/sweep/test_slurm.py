"""The sweep on a real SLURM cluster (``tools/slurm_up.sh`` brings one up on this machine).

Skipped without ``sinfo``, except under ``CI=true``, where a missing or unreachable cluster
is a failure: CI must have run these.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from wgan.paths import project_root
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.sweep.registry import RegisteredRun, registry, select
from wgan.sweep.slurm import (
    Resources,
    check_cluster,
    log_tail,
    manifests,
    queued,
    slurm_states,
    submit,
    wait,
)
from wgan.sweep.state import run_state
from wgan.training.config import TrainConfig
from wgan.training.run import train
from wgan.training.rundir import load_run, read_status

pytestmark = pytest.mark.slurm

# The ring chapter's runs and the image runs of the architectures chapter: toy and image
# data, so the data job and the array's dependency on it are exercised.
CHAPTER_RUNS = ["mixture-wgan", "mixture-gan", "wgan-dcgan", "gan-dcgan", "wgan-nobn",
                "gan-nobn", "wgan-mlp", "gan-mlp"]
ONE_CPU = Resources(time_min=10, cpus_per_job=1)


@pytest.fixture(autouse=True)
def _cluster(cluster: None) -> None:
    """Every test of this file needs the cluster (tests/sweep/conftest.py)."""


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Runs and cache of the test in ``tmp_path``; the jobs inherit the environment."""
    env = {"WGAN_RUNS_DIR": str(tmp_path / "runs"), "WGAN_CACHE_DIR": str(tmp_path / "cache"),
           "OMP_NUM_THREADS": "1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _wgan(*args: str, timeout: int = 600, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wgan", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env})


def test_a_smoke_sweep_finishes_and_the_notebooks_read_its_runs_without_training(
    places: dict[str, str], tmp_path: Path,
) -> None:
    done = _wgan("sweep", "run", "--scale", "smoke", "--executor", "slurm", "--wait",
                 "--time", "10", "--cpus-per-job", "1", *CHAPTER_RUNS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Data job" in done.stdout and "Job array" in done.stdout
    runs = select(registry(Scale("smoke")), CHAPTER_RUNS)
    assert {str(run_state(r.run_dir, r.config.generator_iters)) for r in runs} == {"finished"}
    assert list((tmp_path / "cache").glob("digits-16px-*.json")), "the data job built no cache"
    written = {r.key: (r.run_dir / "metrics.jsonl").stat().st_mtime_ns for r in runs}

    again = _wgan("sweep", "run", "--scale", "smoke", "--executor", "slurm", *CHAPTER_RUNS)
    assert again.returncode == 0 and f"{len(runs)} of {len(runs)} runs already" in again.stdout

    for notebook in ("03_mixture", "05_architectures"):
        executed = subprocess.run(
            [sys.executable, "-m", "papermill", "--cwd", "notebooks", "--log-level", "ERROR",
             "-p", "scale", "smoke", f"notebooks/{notebook}.ipynb",
             str(tmp_path / f"{notebook}.ipynb")],
            cwd=project_root(), capture_output=True, text=True, timeout=600,
            env={**os.environ, "WGAN_RUNS_READ_ONLY": "1"},
        )
        assert executed.returncode == 0, executed.stderr[-3000:]
    assert written == {r.key: (r.run_dir / "metrics.jsonl").stat().st_mtime_ns for r in runs}


def _long_ring(seed: int, root: Path, generator_iters: int = 3000) -> RegisteredRun:
    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=16, nz=2,
                         batch_size=16, n_critic=5, critic_warmup=False,
                         generator_iters=generator_iters, checkpoint_every=10_000, seed=seed,
                         device="cpu")
    return RegisteredRun(RunSpec("ring", config, ("test",)), root / f"ring-{seed}")


def _rows(run: RegisteredRun) -> int:
    path = run.run_dir / "metrics.jsonl"
    return path.read_text().count("\n") if path.is_file() else 0


def _until(condition, what: str, limit_s: float = 240) -> None:
    end = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < end, f"waited {limit_s} s for {what}"
        time.sleep(0.5)


def _contiguous(run: RegisteredRun) -> list[int]:
    return load_run(run.run_dir).metrics["gen_iter"].tolist()


def _scancel(*args: str, tries: int = 8, timeout_s: float = 15) -> None:
    """``scancel ARGS`` until it succeeds: a job in a transitional state refuses it ("Job can
    not be altered now"), and scancel's own retries then take minutes."""
    said = ""
    for _ in range(tries):
        try:
            done = subprocess.run(["scancel", *args], capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired:
            said = f"no answer within {timeout_s} s"
            continue
        if done.returncode == 0:
            return
        said = done.stderr.strip()
        time.sleep(2)
    pytest.fail(f"scancel {' '.join(args)} failed {tries} times; the last: {said}")


def test_requeued_and_cancelled_jobs_resume_without_a_gap_or_a_repeated_row(
    places: dict[str, str], tmp_path: Path,
) -> None:
    requeued, cancelled = _long_ring(1, tmp_path), _long_ring(2, tmp_path)
    manifest = submit([requeued, cancelled], "smoke", ONE_CPU)
    jobs = {e["key"]: e for e in manifest["runs"]}
    _until(lambda: _rows(requeued) >= 20 and _rows(cancelled) >= 20, "both runs to start")
    assert queued("smoke") == {requeued.key, cancelled.key}  # a new sweep leaves them be
    # The warning SLURM sends before a time limit or a preemption: checkpoint, requeue.
    _scancel("--signal=USR2", jobs[requeued.key]["job_id"])
    _scancel(jobs[cancelled.key]["job_id"])

    final = wait(manifest)
    assert final[requeued.key] == "COMPLETED", log_tail(jobs[requeued.key]["stderr"])
    assert final[cancelled.key] == "CANCELLED"
    log = Path(jobs[requeued.key]["stdout"]).read_text()
    assert "SIGUSR2: checkpoint written at generator iteration" in log
    stopped_at = int(log.split("SIGUSR2: checkpoint written at generator iteration ")[1]
                     .split()[0])
    assert 20 <= stopped_at < 3000  # at once: the periodic checkpoint is every 10,000
    assert _contiguous(requeued) == list(range(1, 3001))

    state = run_state(cancelled.run_dir, 3000)
    assert state.state == "partial" and 20 <= state.done < 3000
    # scancel's SIGTERM: a checkpoint covering every row written, at once
    on_cancel = load_run(cancelled.run_dir, allow_unfinished=True).detail
    assert on_cancel["checkpoint_gen_iter"] == state.done
    resubmitted = submit([cancelled], "smoke", ONE_CPU)
    assert resubmitted["folder"] != manifest["folder"]  # a fresh submitit folder per sweep
    assert wait(resubmitted) == {cancelled.key: "COMPLETED"}
    assert _contiguous(cancelled) == list(range(1, 3001))


def test_a_failing_job_reports_its_error(places: dict[str, str], tmp_path: Path) -> None:
    run = _long_ring(3, tmp_path)
    run.run_dir.mkdir(parents=True)
    (run.run_dir / "config.json").write_text(json.dumps(run.config.replace(seed=4).to_dict()))
    manifest = submit([run], "smoke", ONE_CPU)
    job = manifest["runs"][0]
    assert wait(manifest) == {run.key: "FAILED"}
    assert slurm_states([job["job_id"]]) == {job["job_id"]: "FAILED"}
    assert "holds a run with a different config (seed: 4 there, 3 here)" in log_tail(
        job["stderr"], 40)


def test_a_failing_data_job_reports_its_error_and_cancels_the_array(
    places: dict[str, str], tmp_path: Path,
) -> None:
    config = TrainConfig(dataset="folder", data_root=str(tmp_path / "no-such-folder"),
                         image_size=16, batch_size=4, ngf=4, ndf=4, nz=4, generator_iters=2,
                         device="cpu")
    run = RegisteredRun(RunSpec("images", config, ("test",)), tmp_path / "images")
    manifest = submit([run], "smoke", ONE_CPU)
    assert wait(manifest) == {run.key: "CANCELLED"}  # its dependency can never be met
    data_job = manifest["data_job"]["job_id"]
    assert slurm_states([data_job]) == {data_job: "FAILED"}
    assert "no-such-folder" in log_tail(manifest["data_job"]["stderr"], 40)


def _smoke_rings(n: int) -> list[RegisteredRun]:
    """``n`` toy runs of the smoke book (seconds each), which ``sweep run`` can select."""
    return [r for r in registry(Scale("smoke"))
            if isinstance(r.config, TrainConfig) and r.config.dataset == "ring8"][:n]


def _hold_the_node() -> str:
    """Submit a job that takes the whole node, and wait until it runs: the jobs after it
    stay pending until it is cancelled."""
    done = subprocess.run(["sbatch", "--parsable", "--exclusive", "--time=15", "-J",
                           "wgan-test-hold", "-o", "/dev/null", "--wrap", "sleep 900"],
                          capture_output=True, text=True, timeout=60, check=True)
    job = done.stdout.strip().split(";")[0]
    _until(lambda: slurm_states([job])[job] == "RUNNING", "the job holding the node to run")
    return job


def test_a_run_queued_in_an_earlier_sweep_is_not_submitted_again(places: dict[str, str]) -> None:
    first, second, third = _smoke_rings(3)
    hold = _hold_the_node()
    try:
        earlier = submit([first], "smoke", ONE_CPU)
        later = submit([second, third], "smoke", ONE_CPU)
        assert queued("smoke") == {first.key, second.key, third.key}  # every sweep counts
        again = _wgan("sweep", "run", "--scale", "smoke", "--executor", "slurm", "--time", "10",
                      "--cpus-per-job", "1", first.key)
        assert again.returncode == 0, again.stdout + again.stderr
        # the one run skipped is counted, not the two jobs waiting in the last sweep
        assert ("1 of them already queued or running in a sweep at scale smoke: not submitted "
                "again.") in again.stdout
        assert "Job array" not in again.stdout and len(manifests("smoke")) == 2
    finally:
        _scancel(hold)
    assert wait(earlier) == {first.key: "COMPLETED"}
    assert wait(later) == {second.key: "COMPLETED", third.key: "COMPLETED"}


def test_sweep_status_shows_a_failure_of_an_earlier_sweep_with_its_log(
    places: dict[str, str],
) -> None:
    failing, other = _smoke_rings(2)
    failing.run_dir.mkdir(parents=True)
    (failing.run_dir / "config.json").write_text(
        json.dumps(failing.config.replace(seed=99).to_dict()))
    earlier = submit([failing], "smoke", ONE_CPU)
    assert wait(earlier) == {failing.key: "FAILED"}
    later = submit([other], "smoke", ONE_CPU)
    assert wait(later) == {other.key: "COMPLETED"}

    status = _wgan("sweep", "status", "--scale", "smoke")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert f"Sweeps at scale smoke: 2, the last {later['folder']}" in status.stdout
    failed, done = earlier["runs"][0], later["runs"][0]
    assert any(line.startswith(f"{failing.key} ") and line.endswith(f"{failed['job_id']} FAILED")
               for line in lines), status.stdout
    assert any(line.startswith(f"{other.key} ") and line.endswith(f"{done['job_id']} COMPLETED")
               for line in lines), status.stdout
    assert f"    log: {failed['stderr']} (stdout: {failed['stdout']})" in lines
    assert "holds a run with a different config (seed: 99 there" in status.stdout


def test_a_job_trains_on_the_cpus_of_its_allocation_and_records_them(
    places: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = _long_ring(5, tmp_path, generator_iters=60)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # started here on two threads, stopped after one iteration
    try:
        train(run.config, run.run_dir, stop=lambda: True)
    finally:
        torch.set_num_threads(threads)
    assert read_status(run.run_dir)["threads"] == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # the job inherits it: its allocation wins
    manifest = submit([run], "smoke", ONE_CPU)
    job = manifest["runs"][0]
    assert wait(manifest) == {run.key: "COMPLETED"}, log_tail(job["stderr"], 40)
    assert read_status(run.run_dir)["threads"] == 1  # ONE_CPU: --cpus-per-task 1
    assert (f"{run.key}: resumed at generator iteration 1 with 1 torch threads; it trained "
            "with 2 before") in log_tail(job["stderr"], 40)
    assert _contiguous(run) == list(range(1, 61))


def test_slurm_up_refuses_an_unknown_verb_and_leaves_the_cluster_up() -> None:
    done = subprocess.run([str(project_root() / "tools" / "slurm_up.sh"), "nonsense"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: tools/slurm_up.sh [up|down|stop]")
    assert "got 'nonsense'" in done.stderr
    check_cluster()  # still up
