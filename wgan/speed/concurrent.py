"""Several training processes on one device at once: their summed generator iterations/s.

A small run leaves a large GPU mostly idle (its step is bound by kernel launches), so a
sweep may train several runs on one device at a time. :func:`measure` starts ``K``
processes, each running the project's loop (:func:`wgan.speed.bench.project_loop`, one
generator iteration exactly as a run does it, metrics read back every iteration) on the
benchmark's configuration (:func:`wgan.speed.bench.bench_config`: the paper's sizes, the
critic warm-up schedule off), once per speed setting given. Each process builds its loops
and warms them up (compiling or capturing CUDA graphs), says it is ready, and waits; when
all are ready, they time the same wall-clock windows, one per setting, so the ``K`` rates
are measured side by side and can be summed::

    python -m wgan.speed.concurrent --device cuda --processes 1 4 8 --compile off reduce-overhead
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from wgan.training.config import TrainConfig

READY, RESULT = "@ready", "@result "
GAP_S = 1.0  # between two settings' windows, so one's last iteration ends before the next


def worker(config: TrainConfig, modes: list[str], seconds: float, warmup: int) -> None:
    """One process of :func:`measure`: build and warm up a loop per mode, print ``@ready``,
    read the start time (a ``time.time()`` value) from stdin, time each mode in its window
    and print ``@result`` and the JSON list of ``{"compile", "iters", "seconds", "late"}``."""
    import torch

    from wgan.speed.bench import project_loop

    with tempfile.TemporaryDirectory() as scratch:
        loops = {}
        for mode in modes:
            loops[mode] = project_loop(config.replace(compile=mode), Path(scratch) / mode)
            for _ in range(warmup):
                loops[mode]._iteration()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        print(READY, flush=True)
        start_at = float(sys.stdin.readline())
        rows = []
        for i, (mode, loop) in enumerate(loops.items()):
            window = start_at + i * (seconds + GAP_S)
            late = max(0.0, time.time() - window)
            time.sleep(max(0.0, window - time.time()))
            begin = time.perf_counter()
            iters = 0
            while time.time() < window + seconds:
                loop._iteration()  # reads its metrics back: one host sync per iteration
                iters += 1
            rows.append({"compile": mode, "iters": iters,
                         "seconds": time.perf_counter() - begin, "late": late})
    print(RESULT + json.dumps(rows), flush=True)


def measure(config: TrainConfig, processes: int, modes: list[str], *, seconds: float = 10.0,
            warmup: int = 5, ready_timeout: float = 600.0) -> list[dict[str, Any]]:
    """Run ``processes`` workers on ``config`` at once; one row per mode.

    Parameters
    ----------
    config : TrainConfig
        Device, data and sizes; ``compile`` is replaced by each of ``modes``.
    processes : int
        K, the processes sharing the device.
    modes : list of str
        ``compile`` settings timed one after another, in the same windows by all processes
        (e.g. ``["off", "reduce-overhead"]``).
    seconds : float, default=10.0
        Length of each timed window.
    warmup : int, default=5
        Untimed iterations of each loop first.
    ready_timeout : float, default=600.0
        Seconds to wait for every process to be ready.

    Returns
    -------
    list of dict
        Per mode: ``processes``, ``compile``, ``sum it/s`` (the K rates summed),
        ``min it/s`` and ``max it/s`` (of one process), ``late s`` (the most a process
        started its window late; near 0 when the windows were shared).

    Raises
    ------
    RuntimeError
        If a worker fails or is not ready in time.
    """
    if processes < 1 or seconds <= 0 or not modes:
        raise ValueError(
            "measure needs at least one process, a positive window and one mode. Got "
            f"processes={processes!r}, seconds={seconds!r}, modes={modes!r} instead."
        )
    command = [sys.executable, "-m", "wgan.speed.concurrent", "--worker",
               "--config-json", json.dumps(config.to_dict()), "--compile", *modes,
               "--seconds", str(seconds), "--warmup", str(warmup)]
    procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(processes)]
    try:
        deadline = time.monotonic() + ready_timeout
        for proc in procs:
            _read_until(proc, READY, deadline)
        start_at = time.time() + 0.5
        for proc in procs:
            proc.stdin.write(f"{start_at!r}\n")
            proc.stdin.flush()
        results = [json.loads(_read_until(proc, RESULT, deadline + len(modes) * (seconds + 60)))
                   for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    rows = []
    for i, mode in enumerate(modes):
        rates = [result[i]["iters"] / result[i]["seconds"] for result in results]
        rows.append({"processes": processes, "compile": mode, "sum it/s": round(sum(rates), 2),
                     "min it/s": round(min(rates), 2), "max it/s": round(max(rates), 2),
                     "late s": round(max(result[i]["late"] for result in results), 2)})
    return rows


def _read_until(proc: subprocess.Popen, prefix: str, deadline: float) -> str:
    """The rest of the first stdout line of ``proc`` starting with ``prefix``."""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"A worker of wgan.speed.concurrent exited with code "
                               f"{proc.wait()} before printing {prefix.strip()!r}.")
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise RuntimeError(f"A worker of wgan.speed.concurrent did not print {prefix.strip()!r} "
                       "in time.")


def main(argv: list[str] | None = None) -> None:
    """Command line: the table of summed rates, per number of processes and mode."""
    parser = argparse.ArgumentParser(prog="python -m wgan.speed.concurrent",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    parser.add_argument("--setting", default="dcgan", help="a setting of wgan.speed.bench")
    parser.add_argument("--dataset", default="photos", help="dataset of wgan.data")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=None,
                        help="ngf = ndf (DCGAN) and MLP hidden units; the paper's if omitted")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4, 8],
                        help="numbers of processes sharing the device, one measurement each")
    parser.add_argument("--compile", nargs="+", default=["off"],
                        help="compile settings timed, each in its own window")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each window")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations per loop")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="also write the rows as a JSON list")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config-json", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(TrainConfig.from_dict(json.loads(args.config_json)), args.compile,
               args.seconds, args.warmup)
        return
    from wgan.speed.bench import bench_config

    widths = ({} if args.width is None else
              {"ngf": args.width, "ndf": args.width, "mlp_hidden": args.width})
    config = bench_config(args.setting, device=args.device, dataset=args.dataset,
                          image_size=args.image_size, batch_size=args.batch_size, **widths)
    rows = []
    for k in args.processes:
        rows += measure(config, k, args.compile, seconds=args.seconds, warmup=args.warmup)
        print(pd.DataFrame(rows[-len(args.compile):]).to_string(index=False), flush=True)
        if args.json:  # after each K, so that a run stopped early keeps what it measured
            Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
