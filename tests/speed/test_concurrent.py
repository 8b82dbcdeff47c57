"""Several training processes at once: the workers' protocol and the summed rates."""

from __future__ import annotations

import json
import re

import pytest

from wgan.speed import concurrent
from wgan.speed.bench import bench_config


def test_measure_refuses_no_process():
    with pytest.raises(ValueError, match=re.escape(
            "measure needs at least one process, a positive window and one mode. Got "
            "processes=0")):
        concurrent.measure(bench_config("mlp"), 0, ["off"])


@pytest.mark.slow
def test_two_processes_time_the_same_windows_and_sum_their_rates(tmp_path):
    out = tmp_path / "rows.json"
    concurrent.main(["--device", "cpu", "--setting", "mlp", "--dataset", "digits",
                     "--image-size", "16", "--width", "8", "--batch-size", "8",
                     "--processes", "1", "2", "--compile", "off", "--seconds", "0.5",
                     "--warmup", "1", "--json", str(out)])
    rows = json.loads(out.read_text())
    assert [(row["processes"], row["compile"]) for row in rows] == [(1, "off"), (2, "off")]
    for row in rows:
        assert 0 < row["min it/s"] <= row["max it/s"]
        assert row["sum it/s"] == pytest.approx(
            row["min it/s"] + row["max it/s"] if row["processes"] == 2 else row["min it/s"],
            abs=0.02)
