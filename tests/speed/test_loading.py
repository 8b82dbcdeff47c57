"""The data-throughput benchmark (wgan.speed.loading) on a tiny workload."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import PIL.Image
import pytest

from wgan.speed.loading import benchmark, main, synthetic_records


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_synthetic_records_have_lsun_keys_and_short_side(fmt: str) -> None:
    records = synthetic_records(4, 40, fmt)
    assert [len(key) for key, _ in records] == [40] * 4
    for i, (_, value) in enumerate(records):
        image = PIL.Image.open(io.BytesIO(value))
        assert image.format == fmt and min(image.size) == 40 and max(image.size) <= 60
        assert (image.size[0] > image.size[1]) == bool(i % 2) or image.size[0] == image.size[1]


def test_benchmark_reports_every_format_and_mode_and_restores_the_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path / "mine"))
    rows = benchmark(images=6, image_size=16, side=32, batch_size=4, batches=3, workers=1)
    assert [(r["format"], r["mode"].split(" (")[0]) for r in rows] == [
        (fmt, mode) for fmt in ("JPEG", "WEBP")
        for mode in ("on the fly", "cache build", "from cache")
    ]
    assert all(r["images_per_s"] > 0 for r in rows)
    assert os.environ["WGAN_CACHE_DIR"] == str(tmp_path / "mine")
    assert not (tmp_path / "mine").exists(), "the benchmark wrote into the user's cache"


def test_bench_command_line_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "bench.json"
    main(["--images", "4", "--size", "16", "--side", "24", "--batch", "2", "--batches", "2",
          "--workers", "1", "--json", str(out)])
    assert len(json.loads(out.read_text())) == 6
    assert "from cache (cpu)" in capsys.readouterr().out
