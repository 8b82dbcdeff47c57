"""Every run directory of the book, at every scale, dry or not, is where it always was.

``registered_runs.json`` was written from the registry before the run addresses were
gathered into one function (main 6e30778): a run directory's name holds its config's
hash, so a change here means finished runs would no longer be found (or that a config
changed). The directories are read the way a user sees them, from ``python -m wgan sweep
list``, with the environment the Makefile sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wgan.cli import main

RECORDED = json.loads((Path(__file__).with_name("registered_runs.json")).read_text())
LSUN = "/data/lsun/bedroom_train_lmdb"


def listed_run_dirs(capsys: pytest.CaptureFixture[str], root: Path, scale: str) -> list[str]:
    """``<folder>/<run>`` of every run ``sweep list`` prints, relative to the runs dir."""
    assert main(["sweep", "list", "--scale", scale]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("Runs at scale"))
    folder = Path(header.split("(runs dir ")[1].split(")")[0]).relative_to(root)
    start = next(i for i, line in enumerate(lines) if line.startswith("run ")) + 1
    rows = [line for line in lines[start:] if line.strip() and not line.startswith("Total:")]
    return sorted(f"{folder}/{line.split()[0]}" for line in rows)


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_run_directories_are_the_recorded_ones(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scale = key.split("-")[0]
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WGAN_DRY_RUN", "1" if "-dry" in key else "0")
    if key.endswith("-lsun"):
        monkeypatch.setenv("WGAN_LSUN_ROOT", LSUN)
    else:
        monkeypatch.delenv("WGAN_LSUN_ROOT", raising=False)
    assert listed_run_dirs(capsys, tmp_path, scale) == RECORDED[key]
