"""The local pool, the job callable's signal handling, and the sweep commands."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from wgan.cli import main
from wgan.plan.fetch import fetch_fit
from wgan.plan.fits import FitConfig, family_of
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.sweep.costs import Cost, steps
from wgan.sweep.local import Lane, _init_worker, plan_lanes, run_local, schedule, visible_gpus
from wgan.sweep.registry import RegisteredRun, registry
from wgan.sweep.task import RunStopped, TrainTask
from wgan.training.config import TrainConfig
from wgan.training.fast import cpu_name
from wgan.training.rundir import load_run


def ring(**changes: object) -> TrainConfig:
    base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                       batch_size=8, n_critic=2, critic_warmup=False, generator_iters=6,
                       checkpoint_every=2, seed=1, device="cpu")
    return base.replace(**changes)


def test_pool_trains_every_run_and_reports_a_failure(tmp_path: Path) -> None:
    runs = [RegisteredRun(RunSpec("ring", ring(seed=s), ("03_mixture",)), tmp_path / f"ring-{s}")
            for s in (1, 2, 3)]
    (tmp_path / "ring-3").mkdir()
    (tmp_path / "ring-3" / "stray.txt").write_text("not a run")
    costs = {r.key: Cost(None, "", "") for r in runs}
    outcomes = {o.run.key: o for o in run_local(runs, costs, jobs=2, threads=1)}
    assert outcomes["ring-1"].status == outcomes["ring-2"].status == "finished"
    assert outcomes["ring-1"].where == "cpu, stack of 3"  # the seeds trained as one stack
    assert load_run(tmp_path / "ring-2").metrics["gen_iter"].tolist() == [1, 2, 3, 4, 5, 6]
    assert outcomes["ring-3"].status == "failed"
    assert "is not empty and holds no run" in outcomes["ring-3"].error


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'jobs' parameter of run_local must be a positive"):
        run_local([], {}, jobs=0)


def test_runs_per_gpu_must_be_positive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match=r"'runs_per_gpu' parameter \(--runs-per-gpu\) must"):
        run_local([], {}, runs_per_gpu=0)
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    assert main(["sweep", "run", "--scale", "smoke", "--runs-per-gpu", "0"]) == 2
    assert "(--runs-per-gpu) must be a positive int" in capsys.readouterr().err
    assert not list(tmp_path.glob("smoke/*"))  # refused before anything trained


@pytest.mark.parametrize(("gpu_runs", "jobs", "cpu_lane"), [
    (20, None, Lane("cpu", 8, 1)),  # 8 processes drive the 2 GPUs; 8 cores left
    (2, None, Lane("cpu", 14, 1)),  # only 2 GPU runs: 14 cores left
    (0, None, Lane("cpu", 16, 1)),
    (20, 4, Lane("cpu", 1, 8)),  # fewer jobs than GPU processes: one CPU run, on 8 threads
])
def test_lanes_share_the_cores_between_cpu_runs_and_the_processes_driving_gpus(
    gpu_runs: int, jobs: int | None, cpu_lane: Lane,
) -> None:
    lanes = plan_lanes(cpu_runs=10, gpu_runs=gpu_runs, gpus=("0", "1"), cores=16, jobs=jobs,
                       runs_per_gpu=4)
    gpu_lanes = [Lane("cuda", 4, 1, "0"), Lane("cuda", 4, 1, "1")] if gpu_runs else []
    assert lanes == [cpu_lane, *gpu_lanes]


def test_lanes_without_cpu_runs_are_the_gpus_alone() -> None:
    assert plan_lanes(cpu_runs=0, gpu_runs=3, gpus=("7",), cores=4, threads=2,
                      runs_per_gpu=2) == [Lane("cuda", 2, 1, "7")]


def _fake_runs(kinds: str) -> list[tuple[RegisteredRun, str]]:
    return [(RegisteredRun(RunSpec(f"run{i}", ring(seed=i)), Path(f"run{i}")),
             {"c": "cpu", "g": "cuda"}[kind]) for i, kind in enumerate(kinds)]


def test_schedule_fills_the_cpu_and_gpu_slots_at_once_and_refills_them() -> None:
    runs = _fake_runs("ccccc" + "gggggggggg")
    lanes = [Lane("cpu", 2, 1), Lane("cuda", 2, 1, "0"), Lane("cuda", 2, 1, "1")]
    kind_of = {run.key: kind for run, kind in runs}
    lock = threading.Lock()
    active: dict[Lane, int] = dict.fromkeys(lanes, 0)
    peak: dict[Lane, int] = dict.fromkeys(lanes, 0)
    both: list[bool] = []
    started: list[str] = []

    def fake_train(lane: Lane, run: RegisteredRun) -> str:
        with lock:
            active[lane] += 1
            peak[lane] = max(peak[lane], active[lane])
            kinds = {lane.kind for lane, n in active.items() if n}
            both.append(kinds == {"cpu", "cuda"})
        time.sleep(0.05)
        with lock:
            active[lane] -= 1
        return run.key

    with ThreadPoolExecutor(max_workers=8) as threads:
        def start(lane: Lane, run: RegisteredRun) -> Future:
            started.append(run.key)
            return threads.submit(fake_train, lane, run)

        ended = [(run, lane, future.result()) for run, lane, future in
                 schedule(runs, lanes, start)]
    assert sorted(key for *_, key in ended) == sorted(kind_of)
    assert all(lane.kind == kind_of[run.key] for run, lane, _ in ended)
    assert peak == dict.fromkeys(lanes, 2)  # every lane full, none over
    assert any(both)  # CPU and GPU runs trained at the same time
    assert {lane.gpu for run, lane, _ in ended if lane.kind == "cuda"} == {"0", "1"}
    assert [k for k in started if kind_of[k] == "cpu"] == [r.key for r, k in runs if k == "cpu"]


def test_schedule_refuses_runs_without_a_lane_of_their_kind() -> None:
    with pytest.raises(ValueError, match=r"no lane for the runs on cuda\. Got lanes for cpu"):
        list(schedule(_fake_runs("cg"), [Lane("cpu", 1, 1)], lambda lane, run: Future()))


def test_gpu_runs_without_a_gpu_or_naming_one_are_refused(tmp_path: Path) -> None:
    runs = [RegisteredRun(RunSpec("ring", ring(device="cuda")), tmp_path / "ring")]
    costs = {runs[0].key: Cost(None, "", "")}
    with pytest.raises(ValueError, match=r"no CUDA GPU .* runs on device 'cuda' \(1 of 1\)"):
        run_local(runs, costs, gpus=())
    named = [RegisteredRun(RunSpec("ring", ring(device="cuda:1")), tmp_path / "ring")]
    with pytest.raises(ValueError, match="Runs ask for cuda:1: the local pool pins each"):
        run_local(named, costs, gpus=("0", "1"))
    assert not (tmp_path / "ring").exists()


def test_a_worker_sees_its_gpu_alone_and_its_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    before = torch.get_num_threads()
    try:
        _init_worker(2, "3")
        assert (os.environ["CUDA_VISIBLE_DEVICES"], torch.get_num_threads()) == ("3", 2)
    finally:
        torch.set_num_threads(before)


def test_visible_gpus_are_named_as_cuda_visible_devices_names_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert visible_gpus() == ()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,6")
    assert visible_gpus() == ("4", "6")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert visible_gpus() == ("0", "1")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR2])
def test_a_signal_checkpoints_at_once_and_the_run_resumes_without_gap(
    tmp_path: Path, signum: int,
) -> None:
    config = ring(generator_iters=400, checkpoint_every=1000)  # no periodic checkpoint
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signum))
    timer.start()
    with pytest.raises(RunStopped, match=f"stopped by {signal.Signals(signum).name}"):
        TrainTask()(config.to_dict(), str(tmp_path / "run"))
    timer.join()
    stopped = load_run(tmp_path / "run", allow_unfinished=True)
    done = stopped.detail["checkpoint_gen_iter"]
    assert 0 < done < 400 and len(stopped.metrics) == done
    assert signal.getsignal(signum) is not None  # the previous handlers are back
    result = TrainTask()(config.to_dict(), str(tmp_path / "run"))
    assert result == {"run_dir": str(tmp_path / "run"), "status": "finished", "gen_iter": 400}
    assert load_run(tmp_path / "run").metrics["gen_iter"].tolist() == list(range(1, 401))


def test_sweep_list_shows_every_run_and_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["sweep", "list", "--scale", "smoke"]) == 0
    out = capsys.readouterr().out
    assert f"WGAN_CACHE_DIR={tmp_path / 'cache'}" in out and "digits at 16x16" in out
    for run in registry(Scale("smoke"), root=tmp_path / "runs"):
        assert f"{run.key} " in out
    assert "missing" in out and "Total:" in out


def test_sweep_list_prices_gpu_runs_in_gpu_hours_and_cpu_runs_in_core_hours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    for width, seconds in ((8, 10.0), (256, 200.0)):  # two toy runs measured on the CPU
        config = ring(mlp_hidden=width, device="auto")
        run_dir = tmp_path / "quick" / f"ring-{width}"
        run_dir.mkdir(parents=True)
        (run_dir / "config.json").write_text(json.dumps(config.to_dict()))
        (run_dir / "metrics.jsonl").write_text(json.dumps(
            {"gen_iter": 6, "critic_iters_total": steps(config) - 6, "wall_time": seconds}) + "\n")
        (run_dir / "status.json").write_text(json.dumps({"status": "finished", "device": "cpu"}))
    runs = registry(Scale("smoke"), root=tmp_path)
    fits = [r for r in runs if isinstance(r.config, FitConfig)]
    for task in {r.config.task for r in fits}:  # a fit of each task measured on the CPU
        made = next(r for r in fits if r.config.task == task)
        made.run_dir.mkdir(parents=True)
        (made.run_dir / "fit.json").write_text(json.dumps(made.config.to_dict()))
        (made.run_dir / "result.json").write_text(json.dumps({"result": {}, "seconds": 5.0}))
    toys = sum(family_of(r.config) == "toy" for r in runs)
    assert main(["sweep", "list", "--scale", "smoke", "--gpu", "--runs-per-gpu", "2"]) == 0
    total = capsys.readouterr().out.splitlines()[-1]
    assert total.startswith("Total: ") and "unpriced" not in total
    assert f" GPU-hours ({len(runs) - toys} runs, 2 per GPU), " in total
    assert total.endswith(f" core-hours ({toys} runs)")
    assert main(["sweep", "list", "--scale", "smoke", "--no-gpu"]) == 0
    assert f" core-hours ({len(runs)} runs)" in capsys.readouterr().out  # all on the CPU
    assert main(["sweep", "list", "--scale", "smoke", "--device", "cuda"]) == 0
    # explicit: every run on the GPU; the fits, on the CPU whatever the device
    assert capsys.readouterr().out.splitlines()[-1].endswith(f" core-hours ({len(fits)} runs)")


def test_sweep_run_skips_finished_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    assert main(["sweep", "run", "--scale", "smoke", "--jobs", "1", "speed-float32"]) == 0
    out = capsys.readouterr().out
    assert "0 of 3 runs already finished or diverged; 3 to train" in out
    assert "Trained 3 runs in " in out and f"on {cpu_name()}; this CPU has" in out
    assert main(["sweep", "run", "--scale", "smoke", "speed-float32"]) == 0
    assert "3 of 3 runs already finished" in capsys.readouterr().out
    assert main(["sweep", "status", "--scale", "smoke"]) == 0
    lines = capsys.readouterr().out.splitlines()
    finished = [line.split()[0] for line in lines if line.split()[1:] == ["finished", "-"]]
    assert sorted(finished) == sorted(r.key for r in registry(Scale("smoke"), root=tmp_path)
                                      if r.name == "speed-float32")


def test_sweep_run_makes_a_fit_once_then_reads_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    made = next(r for r in registry(Scale("smoke"), root=tmp_path) if r.name == "theory-critic")
    assert made.chapters == ("02_theory",)
    assert main(["sweep", "run", "--scale", "smoke", "--jobs", "1", made.key]) == 0
    assert "0 of 1 runs already finished or diverged; 1 to train" in capsys.readouterr().out
    written = (made.run_dir / "result.json").stat().st_mtime_ns
    assert main(["sweep", "list", "--scale", "smoke"]) == 0
    assert any(line.split()[:3] == [made.key, "02", "finished"]
               for line in capsys.readouterr().out.splitlines())
    assert main(["sweep", "run", "--scale", "smoke", made.key]) == 0
    assert "1 of 1 runs already finished" in capsys.readouterr().out
    assert (made.run_dir / "result.json").stat().st_mtime_ns == written
    monkeypatch.setenv("WGAN_RUNS_READ_ONLY", "1")  # as the notebooks read it
    read = fetch_fit(made.spec, Scale("smoke"), tmp_path)
    assert read.result == json.loads((made.run_dir / "result.json").read_text())["result"]


def test_slurm_executor_without_a_cluster_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))  # no sinfo, no sbatch
    assert main(["sweep", "run", "--scale", "smoke", "--executor", "slurm"]) == 3
    err = capsys.readouterr().err
    assert "No SLURM client here (sinfo, sbatch, squeue not on the PATH)" in err


def test_slurm_executor_with_the_controller_down_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for tool, code in (("sinfo", "echo 'slurm_load_partitions: Unable to contact slurm "
                        "controller (connect failure)' >&2; exit 1"),
                       ("sbatch", "exit 1"), ("squeue", "exit 1")):
        (tmp_path / tool).write_text(f"#!/bin/sh\n{code}\n")
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    assert main(["sweep", "run", "--scale", "smoke", "--executor", "slurm"]) == 3
    err = capsys.readouterr().err
    assert "Unable to contact slurm controller" in err and "slurmctld) is down" in err


@pytest.mark.parametrize(("text", "minutes"), [("30", 30), ("01:30:00", 90), ("2-00", 2880),
                                               ("1-02:03", 1563), ("00:00:30", 1)])
def test_time_limits_parse_to_minutes(text: str, minutes: int) -> None:
    from wgan.sweep.slurm import parse_time

    assert parse_time(text) == minutes


def test_bad_time_limit_is_refused() -> None:
    from wgan.sweep.slurm import parse_time

    with pytest.raises(ValueError, match="'--time' parameter must be a SLURM time limit"):
        parse_time("soon")


def test_data_prepare_builds_each_cache_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path))
    assert main(["data", "prepare", "--scale", "quick"]) == 0
    out = capsys.readouterr().out
    assert out.count("Building the cache of") == 2  # digits at 16x16 and at 32x32
    assert len(list(tmp_path.glob("digits-*px-*.json"))) == 2
    assert main(["data", "prepare", "--scale", "quick"]) == 0
    out = capsys.readouterr().out
    assert "Building" not in out and out.count("Cache ready: digits at") == 2


def test_sigterm_to_the_pool_checkpoints_its_runs_and_ends_every_worker(
        tmp_path: Path, terminated_pool) -> None:
    config = ring(generator_iters=100_000, checkpoint_every=100_000)
    runs = [RegisteredRun(RunSpec("ring", config.replace(seed=s), ("x",)), tmp_path / f"ring-{s}")
            for s in (1, 2, 3)]
    terminated_pool(runs, "jobs=2, threads=1, stack=False")  # three lone runs
    assert not (tmp_path / "ring-3").exists()
    for run in runs[:2]:
        stopped = load_run(run.run_dir, allow_unfinished=True)
        assert stopped.detail["checkpoint_gen_iter"] == len(stopped.metrics) >= 5
