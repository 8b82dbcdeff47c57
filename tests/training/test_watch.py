"""TensorBoard event files of a run (wgan.training.watch), read back with EventAccumulator."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import torch

import wgan.training.run
import wgan.training.watch
from wgan.training.config import TrainConfig
from wgan.training.run import METRIC_COLUMNS, train
from wgan.training.watch import SAMPLES_TAG, SCALAR_PREFIX, TENSORBOARD_VARIABLE, wanted

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator",
    reason="the 'tensorboard' package (extra [watch]) is not installed",
)


def toy_config(**changes: object) -> TrainConfig:
    base = TrainConfig(
        dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2, batch_size=8,
        n_critic=2, critic_warmup=False, generator_iters=6, checkpoint_every=2, seed=3,
    )
    return base.replace(**changes)


def read_events(run_dir: Path) -> event_accumulator.EventAccumulator:
    """Every event file of ``run_dir`` as TensorBoard reads it (purges applied)."""
    accumulator = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.SCALARS: 0,
                                     event_accumulator.IMAGES: 0})
    return accumulator.Reload()


def scalar_steps(events: event_accumulator.EventAccumulator, column: str) -> list[int]:
    return [event.step for event in events.Scalars(SCALAR_PREFIX + column)]


def test_every_metrics_column_is_a_scalar_at_every_iteration(tmp_path: Path) -> None:
    result = train(toy_config(), tmp_path / "run", tensorboard=True)
    events = read_events(result.run_dir)
    columns = ["critic_iters_total", *METRIC_COLUMNS["wgan"], "wall_time"]
    assert sorted(events.Tags()["scalars"]) == sorted(SCALAR_PREFIX + c for c in columns)
    for column in columns:
        assert scalar_steps(events, column) == [1, 2, 3, 4, 5, 6]
        values = [event.value for event in events.Scalars(SCALAR_PREFIX + column)]
        torch.testing.assert_close(torch.tensor(values),
                                   torch.tensor(result.metrics[column].to_numpy()),
                                   check_dtype=False)
    assert events.Tags()["images"] == []  # 2-D samples: no grids


def test_image_run_writes_its_sample_grids_as_images(
    tmp_path: Path, tiny_image_config: TrainConfig
) -> None:
    result = train(tiny_image_config, tmp_path / "run", tensorboard=True)
    grids = read_events(result.run_dir).Images(SAMPLES_TAG)
    assert [grid.step for grid in grids] == [2, 4]
    assert (grids[0].width, grids[0].height) == (8 * 18 + 2, 8 * 18 + 2)  # as the PNG grid


def test_resumed_run_has_each_step_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_step = wgan.training.run.generator_step

    def crashing_step(*args: object) -> dict[str, torch.Tensor]:
        calls["n"] += 1
        if calls["n"] == 4:  # after the checkpoint at 2 and the rows (and events) of 3
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(wgan.training.run, "generator_step", crashing_step)
    with pytest.raises(KeyboardInterrupt):
        train(toy_config(), tmp_path / "run", tensorboard=True)
    assert scalar_steps(read_events(tmp_path / "run"), "w_estimate") == [1, 2, 3]
    monkeypatch.setattr(wgan.training.run, "generator_step", real_step)
    resumed = train(toy_config(), tmp_path / "run", tensorboard=True)
    assert len(list(resumed.run_dir.glob("events.out.tfevents.*"))) == 2
    events = read_events(resumed.run_dir)
    assert scalar_steps(events, "w_estimate") == [1, 2, 3, 4, 5, 6]
    values = [event.value for event in events.Scalars(SCALAR_PREFIX + "w_estimate")]
    torch.testing.assert_close(torch.tensor(values),
                               torch.tensor(resumed.metrics["w_estimate"].to_numpy()),
                               check_dtype=False)


def test_off_by_request_or_variable_writes_no_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train(toy_config(), tmp_path / "off", tensorboard=False)
    monkeypatch.setenv(TENSORBOARD_VARIABLE, "0")
    train(toy_config(), tmp_path / "variable")
    assert not list(tmp_path.glob("*/events.out.tfevents.*"))
    monkeypatch.setenv(TENSORBOARD_VARIABLE, "auto")
    train(toy_config(), tmp_path / "auto")
    assert len(list((tmp_path / "auto").glob("events.out.tfevents.*"))) == 1


def test_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TENSORBOARD_VARIABLE, "yes")
    with pytest.raises(ValueError, match=r"WGAN_TENSORBOARD must be '1', '0' or 'auto'\. "
                                         r"Got 'yes' instead\."):
        wanted()


@pytest.fixture
def without_tensorboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package were not installed: its imports fail, and nothing was said yet."""
    monkeypatch.setattr(wgan.training.watch, "installed", lambda: False)
    monkeypatch.setattr(wgan.training.watch, "_missing_said", False)
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    monkeypatch.delenv(TENSORBOARD_VARIABLE, raising=False)


def test_without_the_package_runs_train_and_say_so_once(
    tmp_path: Path, without_tensorboard: None
) -> None:
    with pytest.warns(RuntimeWarning, match=r"TensorBoard event files are off: the "
                                            r"'tensorboard' package is not installed"):
        first = train(toy_config(), tmp_path / "first")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = train(toy_config(seed=4), tmp_path / "second")
    assert first.status == second.status == "finished"
    assert not list(tmp_path.glob("*/events.out.tfevents.*"))


def test_without_the_package_a_required_writer_is_refused(
    tmp_path: Path, without_tensorboard: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=r"requested, but the 'tensorboard' package is not "
                                         r"installed: pip install -e '\.\[watch\]'"):
        train(toy_config(), tmp_path / "run", tensorboard=True)
    monkeypatch.setenv(TENSORBOARD_VARIABLE, "1")
    with pytest.raises(ValueError, match=r"'tensorboard' package is not installed"):
        wanted()
