"""tools/gpu_check.sh, its table (gpu_check_report.py) and its wheels (gpu_wheels.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

from wgan.paths import project_root

TOOLS = project_root() / "tools"


def tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="with a GPU the check runs for minutes")
def test_without_a_gpu_the_check_skips_each_gpu_part_and_says_so(tmp_path: Path) -> None:
    env = os.environ | {"PYTHON": sys.executable, "GPU_CHECK_WHEELS": str(tmp_path / "none")}
    done = subprocess.run(["bash", str(TOOLS / "gpu_check.sh"), str(tmp_path / "check.md")],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:]
    rows = json.loads((tmp_path / "check.json").read_text())["rows"]
    skipped = " ".join(row["value"] for row in rows if row["part"] == "skipped")
    for part in ("CUDA tests", "bench", "K runs at once", "wgan train at the paper's settings",
                 "chapter 4's quick runs", "smoke notebooks"):
        assert f"{part}" in skipped and "no CUDA device" in skipped, part
    assert any(row["part"] == "tests" and row["value"].startswith("passed") for row in rows)
    assert {"device", "torch", "commit", "check wall time"} <= {
        row["what"] for row in rows if row["part"] == "machine"}
    assert (tmp_path / "check.log").is_file()


def _metrics(run_dir: Path, iterations: int, seconds_each: float, status: dict) -> None:
    run_dir.mkdir(parents=True)
    rows = [{"gen_iter": i, "critic_iters_total": 5 * i, "wall_time": seconds_each * i}
            for i in range(1, iterations + 1)]
    text = "\n".join(json.dumps(row) for row in rows) + '\n{"gen_iter": '  # a torn last row
    (run_dir / "metrics.jsonl").write_text(text)
    (run_dir / "status.json").write_text(json.dumps(status))


def test_the_table_reads_what_each_part_left(tmp_path: Path) -> None:
    report = tool("gpu_check_report")
    work = tmp_path / "work"
    _metrics(work / "train", 60, 0.05, {"speed": "bfloat16, graphs"})  # 20 it/s
    _metrics(work / "runs" / "quick" / "a", 10, 0.1, {"status": "finished", "device": "cuda"})
    _metrics(work / "runs" / "quick" / "b", 4, 0.1, {"status": "running", "device": "cuda"})
    (work / "quick_seconds").write_text("7\n")
    (work / "machine.json").write_text(json.dumps({"device": "a GPU", "torch": "2.x"}))
    (work / "smoke_book.json").write_text(json.dumps({
        "device": "cuda", "runs": {"outcome": "passed", "seconds": 30.0},
        "notebooks": [{"notebook": "01_distances", "outcome": "passed", "seconds": 9.5},
                      {"notebook": "99_claims", "outcome": "not reached", "seconds": 0.0}]}))
    (work / "notes.tsv").write_text("bench\tcompile=off: exit code 124\n")
    rows = report.write(work, tmp_path / "check.md", 321)
    by_part = {(part, what): value for part, what, value in rows}
    assert by_part[("machine", "check wall time")] == "321 s"
    train = next(value for (part, _), value in by_part.items() if part == "train")
    assert train == "20.0 gen it/s over iterations 26-60"
    quick = next(value for (part, _), value in by_part.items() if part == "quick")
    assert quick.startswith("1 of 2 started runs finished in 7 s; 14 generator iterations; 2.0")
    assert by_part[("smoke book", "99_claims")] == "not reached (0.0 s)"
    assert by_part[("bench", "note")] == "compile=off: exit code 124"
    table = (tmp_path / "check.md").read_text()
    assert table.startswith("# GPU check: a GPU") and "| smoke book | 01_distances |" in table
    assert json.loads((tmp_path / "check.json").read_text())["smoke book"]["device"] == "cuda"


def test_a_run_stopped_inside_the_warmup_has_no_rate(tmp_path: Path) -> None:
    report = tool("gpu_check_report")
    _metrics(tmp_path / "train", 20, 1.0, {})
    [(_, _, value)] = report.train_rows(tmp_path / "train")
    assert value.startswith("20 generator iterations in its budget: too few")


def test_the_wheels_are_what_the_check_imports_less_the_gpu_image() -> None:
    wheels = tool("gpu_wheels")
    needed = wheels.requirements()
    for name in ("wgan", "papermill", "ipykernel", "jupyter-client", "pot", "lmdb", "submitit",
                 "pytest", "torch", "numpy"):
        assert name in needed, name
    image = wheels.image_packages()
    assert {"torch", "numpy", "matplotlib", "scipy", "pytest"} <= image
    missing = wheels.missing(needed, image)
    assert {"papermill", "ipykernel", "pot", "lmdb", "submitit", "pyzmq"} <= set(missing)
    assert not {"torch", "numpy", "wgan", "pytest"} & set(missing)
    assert missing["papermill"] == needed["papermill"]  # the version installed here


def test_the_wheels_script_names_a_package_that_is_not_installed() -> None:
    wheels = tool("gpu_wheels")
    with pytest.raises(ValueError, match=r"no-such-package is not installed .*make venv"):
        wheels.requirements((("no-such-package", ()),))
