"""The sweep on a real SLURM cluster (``tools/slurm_up.sh`` brings one up on this machine).

Skipped without ``sinfo``, except under ``CI=true``, where a missing or unreachable cluster
is a failure: CI must have run these.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wgan.paths import project_root
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.sweep import ClusterUnavailable
from wgan.sweep.registry import RegisteredRun, registry, select
from wgan.sweep.slurm import (
    Resources,
    check_cluster,
    log_tail,
    queued,
    slurm_states,
    submit,
    wait,
)
from wgan.sweep.state import run_state
from wgan.training.config import TrainConfig
from wgan.training.rundir import load_run

pytestmark = pytest.mark.slurm

# The ring chapter's runs and the image runs of the architectures chapter: toy and image
# data, so the data job and the array's dependency on it are exercised.
CHAPTER_RUNS = ["mixture-wgan", "mixture-gan", "wgan-dcgan", "gan-dcgan", "wgan-nobn",
                "gan-nobn", "wgan-mlp", "gan-mlp"]
ONE_CPU = Resources(time_min=10, cpus_per_job=1)


@pytest.fixture(autouse=True)
def cluster() -> None:
    if shutil.which("sinfo") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no sinfo: .ci/run brings a cluster up with "
                        "tools/slurm_up.sh before the tests")
        pytest.skip("no SLURM cluster here (no sinfo; tools/slurm_up.sh starts one)")
    try:
        check_cluster()
    except ClusterUnavailable as err:
        if os.environ.get("CI") == "true":
            pytest.fail(str(err))
        pytest.skip(str(err))


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


def _long_ring(seed: int, root: Path) -> RegisteredRun:
    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=16, nz=2,
                         batch_size=16, n_critic=5, critic_warmup=False, generator_iters=3000,
                         checkpoint_every=10_000, seed=seed, device="cpu")
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


def test_requeued_and_cancelled_jobs_resume_without_a_gap_or_a_repeated_row(
    places: dict[str, str], tmp_path: Path,
) -> None:
    requeued, cancelled = _long_ring(1, tmp_path), _long_ring(2, tmp_path)
    manifest = submit([requeued, cancelled], "smoke", ONE_CPU)
    jobs = {e["key"]: e for e in manifest["runs"]}
    _until(lambda: _rows(requeued) >= 20 and _rows(cancelled) >= 20, "both runs to start")
    assert queued("smoke") == {requeued.key, cancelled.key}  # a new sweep leaves them be
    # The warning SLURM sends before a time limit or a preemption: checkpoint, requeue.
    subprocess.run(["scancel", "--signal=USR2", jobs[requeued.key]["job_id"]], check=True)
    subprocess.run(["scancel", jobs[cancelled.key]["job_id"]], check=True)

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
