"""The one table of tools/gpu_check.sh, from the files its parts left in its work folder.

    python tools/gpu_check_report.py WORK REPORT.md SECONDS

Reads ``WORK``: ``machine.json``, the tests' JUnit files (``tests_*.xml``), the bench's
JSON (``bench_off.json``, ``bench_reduce-overhead.json``), the K processes' rates
(``concurrent.json``), the paper-settings run (``train/``), chapter 4's quick runs
(``runs/quick/*``, ``quick_seconds``), the smoke book's outcomes (``smoke_book.json``) and
the notes of skipped or failed parts (``notes.tsv``). A part that left nothing has no row
but its note. Writes ``REPORT.md`` (part | what | value) and ``REPORT.json``.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

Row = tuple[str, str, str]  # (part, what, value)
MACHINE_KEYS = ("device", "capability", "memory GiB", "multiprocessors", "torch", "cuda",
                "cudnn", "python", "cpus", "commit", "date")
WARMUP_ITERS = 25
"""The authors' first generator iterations with 100 critic steps each: left out of a rate."""


def load(work: Path, name: str) -> Any:
    """The JSON file ``name`` of ``work``, or ``None`` when the part left none."""
    path = work / name
    return json.loads(path.read_text()) if path.is_file() else None


def metrics_rows(run_dir: Path) -> list[dict[str, float]]:
    """The complete rows of ``run_dir/metrics.jsonl`` (a killed run's torn last row left out)."""
    path = run_dir / "metrics.jsonl"
    rows = []
    for line in path.read_text().splitlines() if path.is_file() else []:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return rows


def machine_rows(machine: dict[str, Any], seconds: int) -> list[Row]:
    """The machine's description and the check's wall time."""
    rows = [("machine", key, str(machine[key])) for key in MACHINE_KEYS if key in machine]
    return [*rows, ("machine", "check wall time", f"{seconds} s")]


def test_rows(work: Path) -> list[Row]:
    """One row per test case of the JUnit files: outcome, time, worst difference printed."""
    rows = []
    for path in sorted(work.glob("tests_*.xml")):
        for case in ET.parse(path).getroot().iter("testcase"):
            outcome = "passed"
            for tag in ("failure", "error", "skipped"):
                node = case.find(tag)
                if node is not None:
                    message = (node.get("message") or "").splitlines()
                    kind = "failed" if tag == "failure" else tag
                    outcome = f"{kind}: {message[0][:160] if message else ''}"
                    break
            worst = re.findall(r"worst column difference / scale ([0-9.e+-]+)",
                               case.findtext("system-out") or "")
            extra = f"; worst difference / scale {worst[0]}" if worst else ""
            rows.append(("tests", case.get("name") or "?",
                         f"{outcome} ({float(case.get('time', 0)):.1f} s{extra})"))
    return rows


def bench_rows(work: Path) -> list[Row]:
    """The bench's loops, without and with graphs, and its matmul rates."""
    rows = []
    for mode in ("off", "reduce-overhead"):
        bench = load(work, f"bench_{mode}.json")
        if bench is None:
            continue
        for row in bench["rows"]:
            what = f"{row['setting']}: {row['loop']}"
            if row["loop"].startswith("authors") and mode != "off":
                what += " (again, beside graphs)"
            rows.append(("bench", what,
                         f"{row['gen it/s']} gen it/s; floor {row['floor it/s']} it/s "
                         f"({row['of floor']} of it); x{row['x authors']} the authors'"))
        rates = ", ".join(f"{k} {v:,.0f}" for k, v in bench["matmul_gflops"].items())
        rows.append(("bench", f"matmul GFLOP/s (compile={mode} run)", rates))
    return rows


def concurrent_rows(work: Path) -> list[Row]:
    """K processes sharing the GPU: their summed rate."""
    rows = []
    for row in load(work, "concurrent.json") or []:
        graphs = "whole-step CUDA graphs" if row["compile"] == "reduce-overhead" else "no graphs"
        rows.append(("K runs", f"{row['processes']} processes, {graphs}",
                     f"{row['sum it/s']} gen it/s summed (one process: {row['min it/s']}-"
                     f"{row['max it/s']}; started up to {row['late s']} s late)"))
    return rows


def train_rows(run_dir: Path) -> list[Row]:
    """The paper-settings run's rate after the warm-up, its speed settings named."""
    if not run_dir.is_dir():
        return []
    rows = metrics_rows(run_dir)
    late = [row for row in rows if row["gen_iter"] > WARMUP_ITERS]
    what = "wgan train, paper settings, photos 64x64 (checkpoints every 100, samples every 500"
    if len(late) < 2:
        return [("train", what + ")",
                 f"{len(rows)} generator iterations in its budget: too few after the "
                 f"{WARMUP_ITERS} warm-up iterations for a rate")]
    first, last = late[0], late[-1]
    rate = (last["gen_iter"] - first["gen_iter"]) / (last["wall_time"] - first["wall_time"])
    status = load(run_dir, "status.json") or {}
    return [("train", f"{what}; {status.get('speed', 'speed not recorded')})",
             f"{rate:.1f} gen it/s over iterations {first['gen_iter']}-{last['gen_iter']}")]


def quick_rows(work: Path) -> list[Row]:
    """Chapter 4's quick runs in their budget: finished, iterations, summed rate, devices."""
    run_dirs = sorted(path.parent for path in (work / "runs" / "quick").glob("*/metrics.jsonl"))
    if not run_dirs:
        return []
    seconds = float((work / "quick_seconds").read_text()) if (
        work / "quick_seconds").is_file() else float("nan")
    statuses = [load(run_dir, "status.json") or {} for run_dir in run_dirs]
    finished = sum(status.get("status") == "finished" for status in statuses)
    iterations = sum(rows[-1]["gen_iter"] for rows in map(metrics_rows, run_dirs) if rows)
    devices = ", ".join(sorted({status.get("device", "?") for status in statuses}))
    rate = (f"{iterations / seconds:.1f} gen it/s summed (data preparation and start-up "
            "included)" if seconds > 0 else "its wall time was not recorded")
    return [("quick", f"chapter 4's quick runs (on {devices})",
             f"{finished} of {len(run_dirs)} started runs finished in {seconds:.0f} s; "
             f"{iterations} generator iterations; {rate}")]


def book_rows(book: dict[str, Any] | None) -> list[Row]:
    """The smoke book's runs and each notebook's outcome (tools/gpu_smoke_book.py)."""
    if book is None:
        return []
    rows = [("smoke book", f"runs (--device {book['device']})",
             f"{book['runs']['outcome']} ({book['runs']['seconds']} s)")]
    return rows + [("smoke book", row["notebook"], f"{row['outcome']} ({row['seconds']} s)")
                   for row in book["notebooks"]]


def note_rows(work: Path) -> list[Row]:
    """The notes of skipped or failed parts."""
    path = work / "notes.tsv"
    lines = path.read_text().splitlines() if path.is_file() else []
    return [(part, "note", message)
            for part, _, message in (line.partition("\t") for line in lines)]


def cell(text: str) -> str:
    """A markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def write(work: Path, report: Path, seconds: int) -> list[Row]:
    """Write ``report`` (markdown) and its JSON beside it; the rows."""
    machine = load(work, "machine.json") or {}
    book = load(work, "smoke_book.json")
    rows = [*machine_rows(machine, seconds), *test_rows(work), *bench_rows(work),
            *concurrent_rows(work), *train_rows(work / "train"), *quick_rows(work),
            *book_rows(book), *note_rows(work)]
    title = f"GPU check: {machine.get('device', 'unknown device')}, {machine.get('date', '')}"
    lines = [f"# {title}", "", "| part | what | value |", "| --- | --- | --- |"]
    lines += [f"| {cell(p)} | {cell(w)} | {cell(v)} |" for p, w, v in rows]
    report.write_text("\n".join(lines) + "\n")
    report.with_suffix(".json").write_text(json.dumps(
        {"machine": machine, "rows": [dict(part=p, what=w, value=v) for p, w, v in rows],
         "bench": {m: load(work, f"bench_{m}.json") for m in ("off", "reduce-overhead")},
         "concurrent": load(work, "concurrent.json"), "smoke book": book}, indent=1))
    print("\n".join(lines))
    return rows


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
