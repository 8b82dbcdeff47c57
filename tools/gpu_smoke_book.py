"""The smoke book's runs and notebooks on one device within a time budget (tools/gpu_check.sh).

Trains the runs the notebooks read (``python -m wgan sweep run --scale smoke``) with the
runs directory in ``WORK``, then executes the notebooks through papermill with
``-p device DEVICE``, a few at a time, the claims ledger last; what the budget leaves
unreached is recorded as such::

    python tools/gpu_smoke_book.py WORK --device cuda --seconds 110

Writes ``WORK/smoke_book.json``: the runs' exit code and seconds, and per notebook its
outcome (``passed``, ``failed: <last line>``, ``stopped at the budget``, ``not reached``)
and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS_SHARE = 0.45
"""The part of the budget the runs may take before the notebooks start."""


def _run(command: list[str], env: dict[str, str], seconds: float, log: Path) -> tuple[str, float]:
    """Run ``command`` in its own process group with at most ``seconds`` (then SIGTERM to the
    group, so a sweep's workers stop with it, and SIGKILL 10 s later); its outcome and time."""
    if seconds <= 1:
        return "not reached", 0.0
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT / "notebooks", start_new_session=True)
        try:
            code = process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return "stopped at the budget", time.perf_counter() - start
    elapsed = time.perf_counter() - start
    if code == 0:
        return "passed", elapsed
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return f"failed: {lines[-1][:160] if lines else f'exit code {code}'}", elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="folder of the runs, logs and the JSON")
    parser.add_argument("--device", default="cuda", help="the notebooks' device parameter")
    parser.add_argument("--seconds", type=float, default=110.0, help="the whole budget")
    parser.add_argument("--parallel", type=int, default=4, help="notebooks at a time")
    args = parser.parse_args(argv)
    deadline = time.perf_counter() + args.seconds
    work = args.work.resolve()
    (work / "notebook_logs").mkdir(parents=True, exist_ok=True)
    env = os.environ | {"WGAN_RUNS_DIR": str(work / "runs"), "PYTHONUNBUFFERED": "1"}

    runs, runs_s = _run([sys.executable, "-m", "wgan", "sweep", "run", "--scale", "smoke",
                         "--device", args.device, "--jobs", "8"],
                        env, args.seconds * RUNS_SHARE, work / "notebook_logs" / "runs.log")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    chapters = [nb for nb in notebooks if not nb.name.startswith("99_")]
    ledger = [nb for nb in notebooks if nb.name.startswith("99_")]
    read_only = env | {"WGAN_RUNS_READ_ONLY": "1", "OMP_NUM_THREADS": "1"}

    def execute(notebook: Path) -> tuple[str, str, float]:
        out = work / "notebook_logs" / notebook.name
        command = [sys.executable, "-m", "papermill", "--log-level", "WARNING",
                   "-p", "scale", "smoke", "-p", "device", args.device, "-p", "seed", "0",
                   str(notebook), str(out)]
        outcome, seconds = _run(command, read_only, deadline - time.perf_counter(),
                                out.with_suffix(".log"))
        return notebook.stem, outcome, seconds

    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        results = list(pool.map(execute, chapters))
    results += [execute(notebook) for notebook in ledger]
    report = {"device": args.device, "budget s": args.seconds,
              "runs": {"outcome": runs, "seconds": round(runs_s, 1)},
              "notebooks": [{"notebook": name, "outcome": outcome, "seconds": round(seconds, 1)}
                            for name, outcome, seconds in results]}
    (work / "smoke_book.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
