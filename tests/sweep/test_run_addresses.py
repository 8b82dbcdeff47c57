"""Every run directory of the book, at every scale, dry or not, is where it always was.

``registered_runs.json`` was first written from the registry before the run addresses
were gathered into one function (main 6e30778): a run directory's name holds its config's
hash, so a change here means finished runs would no longer be found (or that a config
changed). The directories are read the way a user sees them, from ``python -m wgan sweep
list``, with the environment the Makefile sets.

A change of the runs on purpose (new seeds, other sizes) is recorded again with
``python tests/sweep/test_run_addresses.py``, and the commit says why.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from wgan.cli import main

RECORDED = json.loads((Path(__file__).with_name("registered_runs.json")).read_text())
LSUN = "/data/lsun/bedroom_train_lmdb"


def listed_run_dirs(root: Path, scale: str) -> list[str]:
    """``<folder>/<run>`` of every run ``sweep list`` prints, relative to the runs dir."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["sweep", "list", "--scale", scale]) == 0
    lines = out.getvalue().splitlines()
    header = next(line for line in lines if line.startswith("Runs at scale"))
    folder = Path(header.split("(runs dir ")[1].split(")")[0]).relative_to(root)
    start = next(i for i, line in enumerate(lines) if line.startswith("run ")) + 1
    rows = [line for line in lines[start:] if line.strip() and not line.startswith("Total:")]
    return sorted(f"{folder}/{line.split()[0]}" for line in rows)


def environment(key: str, root: Path) -> dict[str, str | None]:
    """The variables of case ``key`` (``<scale>[-dry][-lsun]``); ``None``: unset."""
    return {"WGAN_RUNS_DIR": str(root), "WGAN_CACHE_DIR": str(root / "cache"),
            "WGAN_DRY_RUN": "1" if "-dry" in key else "0",
            "WGAN_LSUN_ROOT": LSUN if key.endswith("-lsun") else None}


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_run_directories_are_the_recorded_ones(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in environment(key, tmp_path).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert listed_run_dirs(tmp_path, key.split("-")[0]) == RECORDED[key]


def record() -> None:
    """Write ``registered_runs.json`` again from today's registry, every case."""
    recorded = {}
    with tempfile.TemporaryDirectory() as folder:
        for key in sorted(RECORDED):
            for name, value in environment(key, Path(folder)).items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            recorded[key] = listed_run_dirs(Path(folder), key.split("-")[0])
    Path(__file__).with_name("registered_runs.json").write_text(
        json.dumps(recorded, indent=1) + "\n")
    print({key: len(runs) for key, runs in recorded.items()}, file=sys.stderr)


if __name__ == "__main__":
    record()
