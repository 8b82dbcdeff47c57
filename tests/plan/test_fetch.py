"""wgan.plan.fetch: a chapter's run, read back when finished, else trained; read-only mode."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wgan.plan.fetch import READ_ONLY_VARIABLE, fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, run_dir
from wgan.training.config import TrainConfig

SPEC = RunSpec("toy", TrainConfig(
    dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2, batch_size=8,
    n_critic=2, critic_warmup=False, generator_iters=6, checkpoint_every=2, seed=3,
))
SMOKE = Scale("smoke")


def test_fetch_trains_into_the_specs_directory_then_reads_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(READ_ONLY_VARIABLE, raising=False)
    result = fetch(SPEC, SMOKE, tmp_path)
    assert result.run_dir == run_dir(SPEC, SMOKE, tmp_path) and result.status == "finished"
    again = fetch(SPEC, SMOKE, tmp_path)
    pd.testing.assert_frame_equal(result.metrics, again.metrics)


def test_read_only_fetch_refuses_to_train_and_reads_finished_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    with pytest.raises(ValueError, match=r"forbids training, and the run .*/smoke/toy-\w{8}' "
                                         r"is missing"):
        fetch(SPEC, SMOKE, tmp_path)
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv(READ_ONLY_VARIABLE)
    trained = fetch(SPEC, SMOKE, tmp_path)
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    read = fetch(SPEC, SMOKE, tmp_path)
    pd.testing.assert_frame_equal(read.metrics, trained.metrics)
