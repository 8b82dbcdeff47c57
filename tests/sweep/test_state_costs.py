"""A run directory's state, and costs from measured runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgan.sweep.costs import Cost, estimate, fit_rates, flops_per_step, measurements, steps
from wgan.sweep.state import run_state
from wgan.training.config import TrainConfig
from wgan.training.run import train


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
    assert estimate(config, tmp_path / "a", [], {}).seconds is None
    for width, iters in ((8, 6), (64, 8), (256, 4)):
        train(config.replace(mlp_hidden=width, generator_iters=iters),
              tmp_path / "quick" / f"w{width}")
    known = measurements(tmp_path)
    assert len(known) == 3
    models = fit_rates(known)
    own = estimate(config, tmp_path / "quick" / "w8", known, models)
    measured = next(m for m in known if m.run_dir.name == "w8")
    assert own.source == "measured" and own.seconds == pytest.approx(measured.seconds)
    longer = estimate(config.replace(generator_iters=60, seed=9), tmp_path / "b", known, models)
    assert longer.source == "measured on w8"
    assert longer.seconds == pytest.approx(10 * measured.seconds)
    wider = estimate(config.replace(mlp_hidden=1024), tmp_path / "c", known, models)
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
