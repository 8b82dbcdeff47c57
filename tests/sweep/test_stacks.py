"""Toy seeds a sweep trains as one stack: which runs stack, their price, and ``sweep run``'s
stacks against the same runs trained alone."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from wgan.cli import main
from wgan.plan.fits import FitConfig, family_of
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.sweep.costs import Cost, in_stack, measure, steps
from wgan.sweep.listing import rows
from wgan.sweep.local import run_local
from wgan.sweep.registry import RegisteredRun, registry
from wgan.sweep.stacks import STACK_SIZE, form_stacks, stack_speedup
from wgan.sweep.task import RunStopped, TrainTask
from wgan.training.config import TrainConfig
from wgan.training.rundir import load_run, read_status

METRICS_RTOL, METRICS_ATOL = 1e-4, 1e-5
"""A stacked member's logged values against its lone run's: the tolerance of
tests/training/test_stack.py (batched and single matrix products round differently)."""


def ring(**changes: object) -> TrainConfig:
    base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                       batch_size=8, n_critic=2, critic_warmup=False, generator_iters=6,
                       checkpoint_every=2, seed=1, device="cpu")
    return base.replace(**changes)


def registered(name: str, config: TrainConfig | FitConfig, root: Path) -> RegisteredRun:
    return RegisteredRun(RunSpec(name, config, ("x",)), root / f"{name}-{config.seed}")


def keys(tasks: list[tuple[tuple[RegisteredRun, ...], str]]) -> list[tuple[str, ...]]:
    return [tuple(run.key for run in task) for task, _ in tasks]


def test_seeds_of_one_toy_config_on_the_cpu_stack_and_the_others_train_alone(
    tmp_path: Path,
) -> None:
    smoke = registry(Scale("smoke"), root=tmp_path)
    image = next(r.config for r in smoke if family_of(r.config) == "conv")
    fit = next(r.config for r in smoke if isinstance(r.config, FitConfig))
    runs = [
        (registered("a", ring(seed=1), tmp_path), "cpu"),
        (registered("image", image.replace(seed=1), tmp_path), "cpu"),
        (registered("b", ring(mlp_hidden=16, seed=1), tmp_path), "cpu"),
        (registered("a", ring(seed=2), tmp_path), "cpu"),
        (registered("image", image.replace(seed=2), tmp_path), "cpu"),
        (registered("gpu", ring(seed=1), tmp_path / "g"), "cuda"),
        (registered("gpu", ring(seed=2), tmp_path / "g"), "cuda"),
        (registered("cosine", ring(log_update_cosine=True, seed=1), tmp_path), "cpu"),
        (registered("cosine", ring(log_update_cosine=True, seed=2), tmp_path), "cpu"),
        (registered("bf16", ring(precision="bfloat16", seed=1), tmp_path), "cpu"),
        (registered("bf16", ring(precision="bfloat16", seed=2), tmp_path), "cpu"),
        (registered("fit", fit, tmp_path), "cpu"),
        (registered("a", ring(seed=3), tmp_path), "cpu"),
    ]
    tasks = form_stacks(runs)
    assert keys(tasks) == [
        ("a-1", "a-2", "a-3"),  # one stack, at its first member's place, in the runs' order
        ("image-1",), ("b-1",),  # a lone seed of its config
        ("image-2",), ("gpu-1",), ("gpu-2",), ("cosine-1",), ("cosine-2",),
        ("bf16-1",), ("bf16-2",), (f"fit-{fit.seed}",),
    ]
    assert [kind for _, kind in tasks] == ["cpu"] * 4 + ["cuda"] * 2 + ["cpu"] * 5
    alone = form_stacks(runs, size=1)  # sweep run --no-stack
    assert keys(alone) == [(run.key,) for run, _ in runs]


def test_two_names_with_one_config_stack_apart(tmp_path: Path) -> None:
    """A paper dry run's ring runs of chapters 3 and 8 share their configs under two names:
    one stack each, never one stack holding a seed twice."""
    runs = [(registered(name, ring(seed=s), tmp_path), "cpu")
            for name in ("mixture", "lipschitz") for s in (0, 1)]
    tasks = form_stacks(runs)
    assert keys(tasks) == [("mixture-0", "mixture-1"), ("lipschitz-0", "lipschitz-1")]
    assert all(len({run.config.seed for run in task}) == len(task) for task, _ in tasks)


@pytest.mark.parametrize(("seeds", "sizes"), [
    (STACK_SIZE, [STACK_SIZE]), (STACK_SIZE + 1, [6, 5]), (12, [6, 6]), (23, [8, 8, 7]),
    (2, [2]),
])
def test_a_config_s_seeds_split_into_the_fewest_stacks_of_even_size(
    tmp_path: Path, seeds: int, sizes: list[int],
) -> None:
    runs = [(registered("a", ring(seed=s), tmp_path), "cpu") for s in range(seeds)]
    tasks = form_stacks(runs)
    assert [len(task) for task, _ in tasks] == sizes
    assert [run.key for task, _ in tasks for run in task] == [run.key for run, _ in runs]


def test_a_stack_size_must_be_a_positive_int() -> None:
    with pytest.raises(ValueError, match=r"'size' parameter of form_stacks must be a positive "
                       r"int\. Got 0 instead"):
        form_stacks([], size=0)
    with pytest.raises(ValueError, match="'size' parameter of stack_speedup must be a"):
        stack_speedup(True)


def test_the_speedup_is_measured_at_1_5_10_and_interpolated_between() -> None:
    assert [stack_speedup(k) for k in (1, 5, 10, 20)] == [1.0, 2.36, 2.80, 2.80]
    assert stack_speedup(3) == pytest.approx(1.68)
    assert stack_speedup(7) == pytest.approx(2.536)


def test_a_member_of_a_stack_costs_its_lone_time_over_the_speedup() -> None:
    lone = Cost(236.0, "cpu", "fit to 4 runs")
    member = in_stack(lone, 5)
    assert member.seconds == pytest.approx(100.0)
    assert member.source == "fit to 4 runs, stack of 5"
    assert in_stack(lone, 1) is lone
    assert in_stack(Cost(None, "cpu", "no run"), 2).seconds is None
    with pytest.raises(ValueError, match="'cost' parameter of in_stack must be a cost on the "
                       "CPU"):
        in_stack(Cost(1.0, "cuda", "GPU table"), 2)


def test_a_stacked_run_measures_the_rate_of_a_lone_run(tmp_path: Path) -> None:
    config = ring()
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    (tmp_path / "metrics.jsonl").write_text(json.dumps(
        {"gen_iter": 6, "critic_iters_total": steps(config) - 6, "wall_time": 50.0}) + "\n")
    (tmp_path / "status.json").write_text(json.dumps({"status": "finished", "device": "cpu",
                                                      "stack": 5}))
    measured = measure(tmp_path)
    assert measured.stack == 5
    # the stack's 50 s trained 5 seeds 2.36x faster than one after another
    assert measured.rate * steps(config) == pytest.approx(50.0 * 2.36 / 5)


def test_sweep_list_prices_the_seeds_that_stack_as_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    for width, seconds in ((8, 10.0), (256, 200.0)):  # two toy runs measured on the CPU
        config = ring(mlp_hidden=width, device="auto")
        run_dir = tmp_path / "quick" / f"ring-{width}"
        run_dir.mkdir(parents=True)
        (run_dir / "config.json").write_text(json.dumps(config.to_dict()))
        (run_dir / "metrics.jsonl").write_text(json.dumps(
            {"gen_iter": 6, "critic_iters_total": steps(config) - 6, "wall_time": seconds})
            + "\n")
        (run_dir / "status.json").write_text(json.dumps({"status": "finished", "device": "cpu"}))
    runs = registry(Scale("smoke"), root=tmp_path)
    sizes = {run.key: len(task) for task, _ in form_stacks(
        [(r, "cpu" if family_of(r.config) == "toy" else "cuda") for r in runs]) for run in task}
    stacked = {row.run.key: row.cost for row in rows(runs, gpu=True)}
    alone = {row.run.key: row.cost for row in rows(runs, gpu=True, stack=False)}
    members = [key for key, size in sizes.items() if size > 1]
    assert len(members) >= 4  # the smoke scale has toy seeds to stack
    for key in members:
        assert stacked[key].seconds == pytest.approx(
            alone[key].seconds / stack_speedup(sizes[key]))
        assert stacked[key].source == f"{alone[key].source}, stack of {sizes[key]}"
    assert all(stacked[key] == alone[key] for key, size in sizes.items() if size == 1)
    assert main(["sweep", "list", "--scale", "smoke", "--gpu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    member = next(line for line in lines if line.split()[:1] == [members[0]])
    assert member.endswith(f", stack of {sizes[members[0]]}")
    assert any("priced as a member of a stack of K seeds" in line for line in lines)
    assert main(["sweep", "list", "--scale", "smoke", "--gpu", "--no-stack"]) == 0
    assert "stack of" not in capsys.readouterr().out


def _toy_stacks(root: Path) -> list[str]:
    """Two stacks of the smoke scale (weight clipping, the penalty: runs of 20 iterations)
    and a lone seed: their run names."""
    runs = [r for r in registry(Scale("smoke"), root=root) if r.name.startswith("lipschitz")
            and isinstance(r.config, TrainConfig) and r.config.lipschitz in ("clip", "gp")]
    tasks = [task for task, _ in form_stacks([(r, "cpu") for r in runs])]
    chosen = [next(t for t in tasks if len(t) == 2 and t[0].config.lipschitz == kind)
              for kind in ("clip", "gp")] + [next(t for t in tasks if len(t) == 1)]
    return [run.key for task in chosen for run in task]


def test_sweep_run_trains_seeds_as_stacks_whose_runs_equal_the_runs_trained_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    names = _toy_stacks(tmp_path)
    out = {}
    for folder, flags in (("stacked", []), ("alone", ["--no-stack"])):
        monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / folder))
        assert main(["sweep", "run", "--scale", "smoke", "--jobs", "1", *flags, *names]) == 0
        out[folder] = capsys.readouterr().out
    for name in names[:4]:
        assert f"] {name} (cpu, stack of 2): finished (" in out["stacked"]
        assert f"] {name} (cpu): finished (" in out["alone"]
    assert f"] {names[4]} (cpu): finished (" in out["stacked"]
    assert "stack of" not in out["alone"]
    assert "Trained 5 runs in " in out["stacked"] and "Trained 5 runs in " in out["alone"]
    for name in names:
        stacked = load_run(tmp_path / "stacked" / "smoke" / name)
        alone = load_run(tmp_path / "alone" / "smoke" / name)
        assert stacked.status == alone.status == "finished"
        assert len(stacked.metrics) == 20
        columns = [c for c in alone.metrics.columns if c != "wall_time"]
        assert list(stacked.metrics.columns) == list(alone.metrics.columns)
        np.testing.assert_allclose(stacked.metrics[columns].to_numpy(),
                                   alone.metrics[columns].to_numpy(),
                                   rtol=METRICS_RTOL, atol=METRICS_ATOL)
        expected = 2 if name in names[:4] else None
        assert read_status(stacked.run_dir).get("stack") == expected
        assert "stack" not in read_status(alone.run_dir)


def test_a_signal_checkpoints_every_member_of_a_stack_task_which_then_resumes(
    tmp_path: Path,
) -> None:
    configs = [ring(generator_iters=400, checkpoint_every=1000, seed=s).to_dict()
               for s in (1, 2)]
    dirs = [str(tmp_path / f"ring-{s}") for s in (1, 2)]
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    with pytest.raises(RunStopped, match=r"A stack of 2 runs \(ring-1, ring-2\) stopped by "
                       "SIGTERM"):
        TrainTask().stack(configs, dirs)
    timer.join()
    for run_dir in dirs:
        stopped = load_run(run_dir, allow_unfinished=True)
        assert 0 < stopped.detail["checkpoint_gen_iter"] == len(stopped.metrics) < 400
    assert signal.getsignal(signal.SIGTERM) is not None  # the previous handler is back
    results = TrainTask().stack(configs, dirs)
    assert results == [{"run_dir": d, "status": "finished", "gen_iter": 400} for d in dirs]
    for run_dir in dirs:
        assert load_run(run_dir).metrics["gen_iter"].tolist() == list(range(1, 401))


def test_sigterm_to_the_pool_checkpoints_every_member_of_its_stack(
        tmp_path: Path, terminated_pool) -> None:
    config = ring(generator_iters=100_000, checkpoint_every=100_000)
    runs = [RegisteredRun(RunSpec("ring", config.replace(seed=s), ("x",)), tmp_path / f"ring-{s}")
            for s in (1, 2)]
    runs.append(RegisteredRun(RunSpec("wide", config.replace(mlp_hidden=16), ("x",)),
                              tmp_path / "wide"))
    terminated_pool(runs, "jobs=1, threads=1")
    assert not (tmp_path / "wide").exists()  # the stack of two held the one slot
    for run in runs[:2]:
        stopped = load_run(run.run_dir, allow_unfinished=True)
        assert stopped.detail["checkpoint_gen_iter"] == len(stopped.metrics) >= 5
        assert read_status(run.run_dir)["stack"] == 2


def test_a_member_whose_directory_refuses_it_fails_alone(tmp_path: Path) -> None:
    runs = [RegisteredRun(RunSpec("ring", ring(seed=s), ("x",)), tmp_path / f"ring-{s}")
            for s in (1, 2, 3)]
    (tmp_path / "ring-2").mkdir()
    (tmp_path / "ring-2" / "stray.txt").write_text("not a run")
    outcomes = {o.run.key: o for o in run_local(runs, {r.key: Cost(None, "", "") for r in runs},
                                                jobs=1, threads=1)}
    assert {key: o.where for key, o in outcomes.items()} == dict.fromkeys(outcomes,
                                                                         "cpu, stack of 3")
    assert [outcomes[f"ring-{s}"].status for s in (1, 2, 3)] == ["finished", "failed",
                                                                  "finished"]
    assert "is not empty and holds no run" in outcomes["ring-2"].error
    assert outcomes["ring-2"].seconds == 0.0 < outcomes["ring-1"].seconds
    assert read_status(tmp_path / "ring-3")["stack"] == 2  # trained as a stack of the two
