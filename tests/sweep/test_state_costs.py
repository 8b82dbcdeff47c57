"""A run directory's state, and costs from measured runs and measured GPU rates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wgan.experiments.images import image_config
from wgan.experiments.theory_fits import figure3_fit, js_fit
from wgan.plan.fits import FIT_NAME, FitConfig, fit
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.sweep.costs import (
    RATES_PATH,
    Cost,
    GpuRate,
    estimate,
    fit_cost,
    fit_rates,
    flops_per_step,
    gpu_rates,
    measure,
    measurements,
    steps,
)
from wgan.sweep.listing import Row, total_hours
from wgan.sweep.pack import RUNS_PER_GPU
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.state import RunState, fit_state, run_state
from wgan.training.config import TrainConfig
from wgan.training.device import MEASURED_PLACEMENT
from wgan.training.run import train
from wgan.training.rundir import locked

DCGAN = image_config("wgan-dcgan", Scale("paper"))  # 64x64, batch 64, the paper's settings


def ring(**changes: object) -> TrainConfig:
    base = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                       batch_size=8, n_critic=2, critic_warmup=False, generator_iters=6,
                       checkpoint_every=2, seed=1)
    return base.replace(**changes)


def test_states_missing_partial_finished(tmp_path: Path) -> None:
    config = ring()
    assert str(run_state(tmp_path / "run", 6)) == "missing"
    asked: list[int] = []
    train(config, tmp_path / "run", stop=lambda: bool(asked.append(1)) or len(asked) == 4)
    state = run_state(tmp_path / "run", 6)
    assert (state.state, state.done, str(state)) == ("partial", 4, "partial 4/6")
    assert not state.terminal
    with locked(tmp_path / "run"):  # as a training process holds it
        assert run_state(tmp_path / "run", 6).state == "running"
    train(config, tmp_path / "run")
    assert run_state(tmp_path / "run", 6).terminal


def test_diverged_state(tmp_path: Path) -> None:
    config = ring(lr_d=1e30, lr_g=1e30, clip_value=1e30, optimizer_d="adam",
                  optimizer_g="adam", generator_iters=50)
    result = train(config, tmp_path / "run")
    if result.status != "diverged":
        pytest.skip("this config did not diverge here")
    assert run_state(tmp_path / "run", 50).state == "diverged"


def test_steps_count_the_critic_schedule() -> None:
    assert steps(ring()) == 6 + 6 * 2
    assert steps(ring(critic_warmup=True, generator_iters=30)) == 30 + 25 * 100 + 5 * 2
    assert steps(ring(algorithm="gan", n_critic=1)) == 12


def test_estimates_measured_then_same_shape_then_fitted(tmp_path: Path) -> None:
    config = ring()
    assert estimate(config, tmp_path / "a", [], {}, where="cpu").seconds is None
    for width, iters in ((8, 6), (64, 8), (256, 4)):
        train(config.replace(mlp_hidden=width, generator_iters=iters),
              tmp_path / "quick" / f"w{width}")
    known = measurements(tmp_path)
    assert len(known) == 3
    models = fit_rates(known)
    own = estimate(config, tmp_path / "quick" / "w8", known, models, where="cpu")
    measured = next(m for m in known if m.run_dir.name == "w8")
    assert own.source == "measured" and own.seconds == pytest.approx(measured.seconds)
    longer = estimate(config.replace(generator_iters=60, seed=9), tmp_path / "b", known, models,
                      where="cpu")
    assert longer.source == "measured on w8"
    assert longer.seconds == pytest.approx(10 * measured.seconds)
    wider = estimate(config.replace(mlp_hidden=1024), tmp_path / "c", known, models,
                     where="cpu")
    assert wider.source.startswith("fit to 3 runs")
    model = next(iter(models.values()))
    assert model.overhead >= 0 and model.throughput > 0
    assert wider.seconds == pytest.approx(
        model.rate(flops_per_step(config.replace(mlp_hidden=1024))) * steps(config))


def test_forward_flops_grow_with_the_networks() -> None:
    small, large = ring(mlp_hidden=8), ring(mlp_hidden=64)
    assert 0 < flops_per_step(small) < flops_per_step(large)
    # 3 hidden layers of 64: the 64 x 64 products dominate, 2 FLOPs per multiply-add, 3 passes
    assert flops_per_step(large) > 3 * 2 * 8 * 2 * 64 * 64


def test_costs_read_in_the_unit_that_fits() -> None:
    assert Cost(30.0, "cpu", "").describe() == "30 s cpu"
    assert Cost(600.0, "cpu", "").describe() == "10 min cpu"
    assert Cost(5400.0, "cuda:0", "").describe() == "1.5 h cuda:0"
    assert Cost(3600.0 * 2053.4, "cpu", "").describe() == "2,053 h cpu"
    assert Cost(None, "", "no run measured").describe() == "unknown"


def fake_measured(run_dir: Path, config: TrainConfig, seconds: float, device: str) -> Path:
    """A run directory as a run on ``device`` leaves it after ``seconds`` of training."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict()))
    done = config.generator_iters
    row = {"gen_iter": done, "critic_iters_total": steps(config) - done, "wall_time": seconds}
    (run_dir / "metrics.jsonl").write_text(json.dumps(row) + "\n")
    (run_dir / "status.json").write_text(json.dumps({"status": "finished", "device": device}))
    return run_dir


def test_the_gpu_rates_say_where_and_when_and_cover_every_family() -> None:
    table = json.loads(RATES_PATH.read_text())
    assert {"date", "device", "torch", "commit"} <= set(table)
    rates = gpu_rates()
    assert set(rates) == set(MEASURED_PLACEMENT)
    measured = table["families"]["conv"]["gen_iters_per_s"]
    assert rates["conv"].each == {int(k): v for k, v in measured.items()}
    assert rates["conv"].n_critic == 5
    assert rates["conv"].device == f"{table['device']}, {table['date']}"


def test_an_unreadable_rates_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rates.json").write_text('{"device": "x", "families": {}}')
    with pytest.raises(ValueError, match=r"rates\.json' cannot be read \(KeyError"):
        gpu_rates(tmp_path / "rates.json")


@pytest.mark.parametrize(("runs_per_gpu", "each"), [
    (1, 23.75), (4, 25.4), (2, 23.75 / 2), (8, 4 * 25.4 / 8)])
def test_each_run_gets_its_share_of_the_largest_measured_packing(
    runs_per_gpu: int, each: float,
) -> None:
    rate = GpuRate("conv", {1: 23.75, 4: 25.4}, 5, "H200")
    assert rate.each_rate(runs_per_gpu) == pytest.approx(each)


def test_below_every_measured_packing_a_run_is_as_fast_as_in_the_smallest() -> None:
    assert GpuRate("toy", {8: 25.0}, 5, "H200").each_rate(4) == 25.0


@pytest.mark.parametrize("runs_per_gpu", [1, 4])
def test_a_gpu_run_is_priced_from_the_table_in_gpu_hours_shared_by_its_packing(
    tmp_path: Path, runs_per_gpu: int,
) -> None:
    each = gpu_rates()["conv"].each[runs_per_gpu]
    cost = estimate(DCGAN, tmp_path / "a", [], {}, where="cuda", runs_per_gpu=runs_per_gpu)
    assert cost.device == "cuda" and cost.source.startswith("GPU table (NVIDIA H200")
    assert cost.seconds == pytest.approx(steps(DCGAN) / (each * 6))  # 5 critic steps + 1
    assert cost.device_hours == pytest.approx(cost.seconds / runs_per_gpu / 3600)
    # the paper's DCGAN run, 236,175 generator iterations, at the default packing
    default = estimate(DCGAN, tmp_path / "a", [], {}, where="cuda")
    assert default.seconds == pytest.approx(
        steps(DCGAN) / (gpu_rates()["conv"].each_rate(RUNS_PER_GPU) * 6))


def test_a_gpu_run_measured_on_disk_prices_before_the_table_and_a_cpu_run_does_not(
    tmp_path: Path,
) -> None:
    on_gpu = fake_measured(tmp_path / "paper" / "gpu-run", DCGAN.replace(seed=5), 3600.0,
                           "cuda:0")
    fake_measured(tmp_path / "paper" / "cpu-run", DCGAN.replace(seed=6), 36_000.0, "cpu")
    known = measurements(tmp_path)
    cost = estimate(DCGAN, tmp_path / "new", known, fit_rates(known), where="cuda")
    assert (cost.source, cost.device) == ("measured on gpu-run", "cuda")
    assert cost.seconds == pytest.approx(measure(on_gpu).rate * steps(DCGAN))
    assert cost.device_hours == pytest.approx(cost.seconds / 4 / 3600)
    on_cpu = estimate(DCGAN, tmp_path / "new", known, fit_rates(known), where="cpu")
    assert on_cpu.source == "measured on cpu-run" and on_cpu.device_hours == pytest.approx(10)
    alone = [m for m in known if m.kind == "cpu"]
    assert estimate(DCGAN, tmp_path / "new", alone, fit_rates(alone),
                    where="cuda").source.startswith("GPU table")


def test_runs_per_gpu_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'runs_per_gpu' parameter \(--runs-per-gpu\) must"):
        estimate(DCGAN, tmp_path / "a", [], {}, where="cuda", runs_per_gpu=0)


def test_totals_count_gpu_hours_and_core_hours_apart() -> None:
    def row(cost: Cost) -> Row:
        spec = RunSpec("r", DCGAN)
        return Row(RegisteredRun(spec, Path("r")), RunState("missing", 0, 1), cost)

    table = [row(Cost(8 * 3600.0, "cuda", "", 0.25)), row(Cost(4 * 3600.0, "cuda", "", 0.25)),
             row(Cost(150 * 3600.0, "cpu", "")), row(Cost(None, "cpu", ""))]
    assert total_hours(table) == ("3 GPU-hours (2 runs, 4 per GPU), 150 core-hours (1 run), "
                                  "1 run unpriced")


TINY_FIT = {"theta": 0.3, "hidden": 4, "steps": 3, "batch_size": 8, "lr": 1e-3,
            "eval_samples": 16}


def test_fit_states_missing_partial_finished(tmp_path: Path) -> None:
    config = FitConfig.of(js_fit, TINY_FIT, steps=3)
    assert str(fit_state(tmp_path / "fit", 3)) == "missing"
    (tmp_path / "fit").mkdir()
    (tmp_path / "fit" / FIT_NAME).write_text(json.dumps(config.to_dict()))  # stopped early
    state = fit_state(tmp_path / "fit", 3)
    assert (state.state, state.terminal) == ("partial", False)
    fit(config, tmp_path / "fit")
    state = fit_state(tmp_path / "fit", 3)
    assert (str(state), state.done, state.terminal) == ("finished", 3, True)


def test_a_fit_is_priced_by_itself_then_by_a_made_fit_of_its_task_at_its_scale(
    tmp_path: Path,
) -> None:
    config = FitConfig.of(js_fit, TINY_FIT, steps=3)
    longer = FitConfig.of(js_fit, {**TINY_FIT, "theta": 0.1}, steps=30)
    other_task = FitConfig.of(figure3_fit, {}, steps=30)
    assert fit_cost(longer, tmp_path / "quick" / "b").seconds is None
    made = fit(config, tmp_path / "quick" / "a")
    own = fit_cost(config, tmp_path / "quick" / "a")
    assert (own.seconds, own.device, own.source) == (made.seconds, "cpu", "measured")
    priced = fit_cost(longer, tmp_path / "quick" / "b")
    assert priced.source == "measured on a"
    assert priced.seconds == pytest.approx(10 * made.seconds)
    assert fit_cost(other_task, tmp_path / "quick" / "c").seconds is None
    assert fit_cost(longer, tmp_path / "paper" / "b").seconds is None  # another scale
    assert measurements(tmp_path) == []  # a fit is no training run to price runs from
