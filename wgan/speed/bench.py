"""Training-step benchmark: the authors' loop against the project's, side by side.

``python -m wgan.speed.bench`` (and ``make bench``) trains the same networks (same
architecture, same initial weights) on the same images on the same device, in one
process, first with a port of the authors' loop (``bench/authors_loop.py``: a DataLoader
over decoded images, a per-parameter clamp loop, separate real and fake backward passes,
float32, a host sync per iteration) and then with the project's own iteration, the one
:func:`wgan.training.run.train` runs (batches gathered from the uint8 cache already on the device,
the foreach clamp, fakes under ``no_grad``, the speed switches of :mod:`wgan.training.fast`). For
each setting it prints generator iterations per second for both and their ratio.

Timing is robust to a machine shared with other work: after warm-up iterations, the two
loops take turns (``rounds`` alternations of ``iters`` iterations each), so both see the
same load; the ratio is the median of the per-round ratios. The load average is printed
next to the table. Taking turns must not charge one loop for the other's memory traffic:
the authors' DataLoader workers persist (a fork makes the whole process copy-on-write),
and glibc's malloc is told to keep freed memory (:func:`steady_allocator`).

It also prints the arithmetic floor: the matrix-multiply and convolution FLOPs of one
generator iteration (counted by :class:`torch.utils.flop_counter.FlopCounterMode`;
elementwise work excluded) over the best matrix-multiply rate measured on the device
(measured once per round, between the loops' turns, and the best kept), i.e. the
iterations per second the device could sustain if every FLOP ran at its best matmul rate.
The fraction of that floor reached shows how far each loop is from the hardware.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import itertools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pandas as pd
import torch
from torch.utils.flop_counter import FlopCounterMode

from wgan.paths import project_root
from wgan.speed.conv_rates import critic_conv_rates
from wgan.training.algorithm1 import critic_step, generator_step, make_optimizer, prior
from wgan.training.config import TrainConfig
from wgan.training.device import resolve_device
from wgan.training.fast import Speed, resolve_speed
from wgan.training.models import build_models
from wgan.training.run import _Loop

SETTINGS: dict[str, dict[str, str]] = {
    "dcgan": {"generator": "dcgan", "critic": "dcgan"},
    "mlp": {"generator": "mlp", "critic": "mlp"},
}
"""Benchmark settings by name: the architectures of the generator and the critic."""

AUTHORS_LOOP_PATH = Path("bench") / "authors_loop.py"


@dataclass
class BenchResult:
    """Timings of one setting.

    Attributes
    ----------
    label : str
        E.g. ``dcgan 64x64 batch 64``.
    device : str
        Resolved device.
    speed : Speed
        The project's resolved speed switches.
    rates : dict of str to list of float
        Generator iterations per second of each timed loop (``"authors"``, ``"ours"``, or
        one key per switch combination in a sweep), one value per round.
    precisions : dict of str to str
        Precision of each timed loop (``"float32"`` or ``"bfloat16"``): which matmul rate
        its floor uses.
    flops : int
        Matrix-multiply and convolution FLOPs of one generator iteration.
    matmul_rate : dict of str to float
        Best measured matrix-multiply rate of the device per dtype, FLOP/s.
    """

    label: str
    device: str
    speed: Speed
    rates: dict[str, list[float]]
    precisions: dict[str, str]
    flops: int
    matmul_rate: dict[str, float] = field(default_factory=dict)

    def median(self, key: str) -> float:
        """Median iterations per second of loop ``key`` over the rounds."""
        return statistics.median(self.rates[key])

    def ratio(self, key: str = "ours", reference: str = "authors") -> float:
        """Median over rounds of ``key``'s rate over ``reference``'s in the same round."""
        return statistics.median(
            a / b for a, b in zip(self.rates[key], self.rates[reference], strict=True)
        )

    def floor(self, key: str) -> float:
        """Iterations per second of loop ``key`` if every FLOP ran at its dtype's matmul rate."""
        return self.matmul_rate[self.precisions[key]] / self.flops


def bench_config(setting: str, **overrides: object) -> TrainConfig:
    """The training configuration benchmarked for ``setting``.

    The paper's defaults (batch 64, n_critic 5, RMSProp, 64x64 images) on the embedded
    ``photos`` dataset (RGB), with the authors' 100-iteration critic warm-up off so that
    every timed generator iteration has ``n_critic`` critic steps.

    Parameters
    ----------
    setting : str
        A key of :data:`SETTINGS`.
    **overrides
        Any :class:`~wgan.training.config.TrainConfig` field.

    Returns
    -------
    TrainConfig
        Validated.
    """
    if setting not in SETTINGS:
        raise ValueError(
            f"The 'setting' parameter of bench_config must be one of "
            f"{', '.join(map(repr, SETTINGS))}. Got {setting!r} instead."
        )
    base = {"dataset": "photos", "critic_warmup": False, **SETTINGS[setting]}
    return TrainConfig(**(base | overrides))


def load_authors_loop() -> ModuleType:
    """Import ``bench/authors_loop.py`` from the checkout (it is not part of the package).

    Raises
    ------
    ValueError
        If the checkout has no ``bench/authors_loop.py`` (a non-editable install).
    """
    path = project_root() / AUTHORS_LOOP_PATH
    if not path.is_file():
        raise ValueError(
            f"The baseline {str(path)!r} is missing: run the benchmark from a checkout of the "
            "repository (pip install -e .), where bench/authors_loop.py lives."
        )
    spec = importlib.util.spec_from_file_location("authors_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def authors_iterations(config: TrainConfig, workers: int) -> Iterator[dict[str, float]]:
    """The authors' loop on ``config``'s data, networks and device, one item per iteration.

    The networks are built and initialised exactly as :func:`wgan.training.run.train` builds them
    (same seed, so the same initial weights).
    """
    from wgan.data import load_images

    device = resolve_device(config.device)
    images = load_images(config.dataset, root=config.data_root, image_size=config.image_size,
                         split="train", limit=config.data_limit)
    torch.manual_seed(config.seed)
    generator, critic = build_models(config, tuple(images.shape[1:]))
    return load_authors_loop().authors_loop(
        generator, critic, images, device=device, batch_size=config.batch_size, nz=config.nz,
        lr=config.lr_d, clip_value=config.clip_value, n_critic=config.n_critic,
        critic_warmup=config.critic_warmup, workers=workers, seed=config.seed,
    )


def project_loop(config: TrainConfig, scratch: Path) -> _Loop:
    """The state of :func:`wgan.training.run.train` on ``config``; its ``_iteration()`` is one
    generator iteration exactly as a run does it, without the run's file output.

    Parameters
    ----------
    config : TrainConfig
    scratch : pathlib.Path
        Run directory the loop is given; nothing is written there.
    """
    return _Loop(config, scratch)


def count_flops(config: TrainConfig, sample_shape: tuple[int, ...]) -> int:
    """Matrix-multiply and convolution FLOPs of one generator iteration of ``config``.

    ``n_critic`` calls of :func:`~wgan.training.algorithm1.critic_step` and one of
    :func:`~wgan.training.algorithm1.generator_step` are run on the meta device (shapes only, no
    arithmetic) under :class:`~torch.utils.flop_counter.FlopCounterMode`, which counts
    forward and backward matrix products and convolutions (2 FLOPs per multiply-add).

    Returns
    -------
    int
    """
    torch.manual_seed(config.seed)
    generator, critic = (net.to("meta") for net in build_models(config, sample_shape))
    optimizer_d = make_optimizer(config.optimizer_d, critic.parameters(), config.lr_d)
    optimizer_g = make_optimizer(config.optimizer_g, generator.parameters(), config.lr_g)
    real = torch.empty(config.batch_size, *sample_shape, device="meta")
    z = prior(config.batch_size, config.nz, device="meta")
    with FlopCounterMode(display=False) as counter:
        for _ in range(config.n_critic):
            critic_step(critic, generator, real, z, optimizer_d, config.clip_value)
        generator_step(critic, generator, z, optimizer_g)
    return int(counter.get_total_flops())


def matmul_rate(device: torch.device, dtype: torch.dtype, size: int | None = None,
                repeats: int = 5) -> float:
    """Best measured rate of a square matrix product on ``device``, in FLOP/s.

    Parameters
    ----------
    device : torch.device
    dtype : torch.dtype
    size : int or None, default=None
        Side of the matrices; 1024 on the CPU, 8192 on a GPU when ``None``.
    repeats : int, default=5
        Timed products; the fastest counts.
    """
    size = size or (8192 if device.type == "cuda" else 1024)
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    torch.mm(a, b)  # warm-up
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        torch.mm(a, b)
        _sync(device)
        times.append(time.perf_counter() - start)
    best = min(times)
    return 2 * size**3 / best


class PeakMatmulRates:
    """Best matrix-multiply rates seen over repeated measurements, per dtype (FLOP/s).

    Called once per benchmark round, it measures float32 and bfloat16 again and keeps the
    best: on a machine shared with other work, the best of several measurements spread
    over the benchmark is the closest to what the device can do.

    Parameters
    ----------
    device : torch.device
    """

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.rates: dict[str, float] = {"float32": 0.0, "bfloat16": 0.0}

    def __call__(self) -> None:
        """Measure both dtypes once more and keep the best rates."""
        for name in self.rates:
            rate = matmul_rate(self.device, getattr(torch, name))
            self.rates[name] = max(self.rates[name], rate)


def steady_allocator() -> bool:
    """Make glibc's ``malloc`` keep the memory it frees, for the rest of the process.

    The loops taking turns allocate tensors of different sizes (float32 against bfloat16,
    with and without autograd graphs). Under glibc's adaptive defaults, one loop's turn
    gives memory back to the operating system (heap trimming, large blocks mapped and
    unmapped one by one) that the next turn faults in again: up to 540,000 page faults
    and a quarter of the wall time of a turn were measured here, a cost that a single
    training run, once warm, does not pay. Fixing the trim threshold (never trim) and
    the mmap threshold (blocks up to 32 MiB come from the reused heap) removes it for
    both loops alike.

    Returns
    -------
    bool
        Whether the settings were applied (``False`` where the C library is not glibc).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's <malloc.h>
    return bool(mallopt(m_trim_threshold, 2**31 - 1)) and bool(
        mallopt(m_mmap_threshold, 32 * 2**20))


def take_turns(
    loops: dict[str, Callable[[], object]], *, device: torch.device, warmup: int, iters: int,
    rounds: int, probe: Callable[[], object] | None = None,
) -> dict[str, list[float]]:
    """Iterations per second of each loop, the loops taking turns so they share the load.

    Parameters
    ----------
    loops : dict of str to callable
        Each call runs one generator iteration.
    device : torch.device
        Synchronised before each clock reading.
    warmup : int
        Untimed iterations of each loop first (compilation, allocator, caches).
    iters : int
        Iterations per timed turn.
    rounds : int
        Turns of each loop.
    probe : callable or None, default=None
        Called once per round after the loops' turns (e.g. a matmul-rate measurement, so
        that it too sees the load the loops saw).

    Returns
    -------
    dict of str to list of float
        One rate per round for each loop.

    Notes
    -----
    Calls :func:`steady_allocator` first, so that no loop pays page faults for memory
    another loop's turn released.
    """
    steady_allocator()
    for step in loops.values():
        for _ in range(warmup):
            step()
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(rounds):
        for name, step in loops.items():
            _sync(device)
            start = time.perf_counter()
            for _ in range(iters):
                step()
            _sync(device)
            rates[name].append(iters / (time.perf_counter() - start))
        if probe is not None:
            probe()
    return rates


def run_bench(config: TrainConfig, *, warmup: int = 1, iters: int = 2, rounds: int = 3,
              workers: int = 2) -> BenchResult:
    """Time the authors' loop and the project's on ``config`` (see the module docstring).

    Parameters
    ----------
    config : TrainConfig
        Data, networks, device and the project's speed switches.
    warmup, iters, rounds : int, default=(1, 2, 3)
        See :func:`take_turns`.
    workers : int, default=2
        DataLoader workers of the authors' loop (their default).

    Returns
    -------
    BenchResult
    """
    for name, value in (("warmup", warmup), ("iters", iters), ("rounds", rounds)):
        if value < (0 if name == "warmup" else 1):
            raise ValueError(f"The '{name}' parameter of run_bench must be at least "
                             f"{0 if name == 'warmup' else 1}. Got {value!r} instead.")
    device = resolve_device(config.device)
    with tempfile.TemporaryDirectory() as scratch:
        ours = project_loop(config, Path(scratch))
        authors = authors_iterations(config, workers)
        peak = PeakMatmulRates(device)
        rates = take_turns({"authors": lambda: next(authors), "ours": ours._iteration},
                           device=device, warmup=warmup, iters=iters, rounds=rounds, probe=peak)
        authors.close()
    return _result(config, ours, rates, {"authors": "float32", "ours": ours.speed.precision},
                   peak.rates)


def sweep(config: TrainConfig, *, warmup: int = 1, iters: int = 2,
          rounds: int = 3) -> BenchResult:
    """Time the project's iteration under every combination of the speed switches.

    What :data:`wgan.training.fast.MEASURED_DEFAULTS` is chosen from. Compilation modes are tried
    on CUDA only (on the CPU they are ``"off"``).

    Returns
    -------
    BenchResult
        ``rates`` keyed by :meth:`wgan.training.fast.Speed.describe` of each combination.
    """
    device = resolve_device(config.device)
    modes = ("off", "default", "reduce-overhead") if device.type == "cuda" else ("off",)
    loops = {}
    with tempfile.TemporaryDirectory() as scratch:
        for i, (precision, layout, mode) in enumerate(
            itertools.product(("float32", "bfloat16"), (False, True), modes)
        ):
            variant = config.replace(precision=precision, channels_last=layout, compile=mode)
            loops[resolve_speed(variant, device).describe()] = project_loop(
                variant, Path(scratch) / str(i))
        peak = PeakMatmulRates(device)
        rates = take_turns({key: loop._iteration for key, loop in loops.items()},
                           device=device, warmup=warmup, iters=iters, rounds=rounds, probe=peak)
    precisions = {key: loop.speed.precision for key, loop in loops.items()}
    return _result(config, next(iter(loops.values())), rates, precisions, peak.rates)


def results_table(results: list[BenchResult]) -> pd.DataFrame:
    """One row per setting and timed loop: it/s, ratio to the authors' loop, floor fraction."""
    rows = []
    for result in results:
        for key in result.rates:
            loop = {"authors": "authors (float32)",
                    "ours": f"ours ({result.speed.describe()})"}.get(key, key)
            row = {
                "setting": result.label,
                "loop": loop,
                "gen it/s": round(result.median(key), 4),
                "GFLOP/iter": round(result.flops / 1e9, 2),
                "floor it/s": round(result.floor(key), 3),
                "of floor": f"{result.median(key) / result.floor(key):.0%}",
            }
            if "authors" in result.rates:
                row["x authors"] = round(result.ratio(key), 2)
            rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m wgan.speed.bench --device auto`` prints the table."""
    parser = argparse.ArgumentParser(prog="python -m wgan.speed.bench", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS),
                        help="architectures to benchmark")
    parser.add_argument("--dataset", default="photos", help="dataset of wgan.data")
    parser.add_argument("--dataroot", default=None, help="path of an on-disk dataset")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=None,
                        help="ngf = ndf (DCGAN) and MLP hidden units; the paper's if omitted")
    parser.add_argument("--precision", default="auto", help="auto, float32 or bfloat16")
    parser.add_argument("--channels-last", default="auto", choices=["auto", "on", "off"])
    parser.add_argument("--compile", default="auto",
                        help="auto, off, default or reduce-overhead (CUDA)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed iterations per loop")
    parser.add_argument("--iters", type=int, default=2, help="iterations per timed turn")
    parser.add_argument("--rounds", type=int, default=3, help="timed turns per loop")
    parser.add_argument("--workers", type=int, default=2,
                        help="DataLoader workers of the authors' loop (their default: 2)")
    parser.add_argument("--sweep", action="store_true",
                        help="time the project's step under every switch combination instead")
    parser.add_argument("--layers", action="store_true",
                        help="also time each convolution of the critic in each direction, "
                             "float32 against ours (wgan.speed.conv_rates)")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="also write the table, the device and its matmul rates as JSON")
    args = parser.parse_args(argv)
    layout = {"auto": "auto", "on": True, "off": False}[args.channels_last]
    widths = ({} if args.width is None else
              {"ngf": args.width, "ndf": args.width, "mlp_hidden": args.width})
    device = resolve_device(args.device)
    print(f"device: {_describe(device)}; torch {torch.__version__}; "
          f"load average before: {_load()}")
    results, configs = [], []
    for setting in args.settings:
        config = bench_config(
            setting, device=args.device, dataset=args.dataset, data_root=args.dataroot,
            image_size=args.image_size, batch_size=args.batch_size, precision=args.precision,
            channels_last=layout, compile=args.compile, **widths,
        )
        configs.append(config)
        timing = dict(warmup=args.warmup, iters=args.iters, rounds=args.rounds)
        results.append(sweep(config, **timing) if args.sweep else
                       run_bench(config, workers=args.workers, **timing))
    table = results_table(results)
    print(table.to_string(index=False))
    rates = ", ".join(f"{k} {v / 1e9:.0f}" for k, v in results[0].matmul_rate.items())
    print(f"matmul GFLOP/s: {rates}; load average after: {_load()}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "device": _describe(device), "torch": str(torch.__version__),
            "matmul_gflops": {k: round(v / 1e9, 1) for k, v in results[0].matmul_rate.items()},
            "rows": json.loads(table.to_json(orient="records")),
        }, indent=1))
    if args.layers:
        for config in configs:
            if config.critic != "mlp":
                print(f"\nconvolutions of the {config.critic} critic, GFLOP/s:")
                print(critic_conv_rates(config).to_string(index=False))


# ---------------------------------------------------------------- helpers
def _result(config: TrainConfig, loop: _Loop, rates: dict[str, list[float]],
            precisions: dict[str, str], peak_rates: dict[str, float]) -> BenchResult:
    shape = tuple(loop.sample_shape)
    label = (f"{config.generator}/{config.critic} {'x'.join(map(str, shape))} "
             f"batch {config.batch_size}")
    return BenchResult(
        label=label, device=str(loop.device), speed=resolve_speed(config, loop.device),
        rates=rates, precisions=precisions, flops=count_flops(config, shape),
        matmul_rate=peak_rates,
    )


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
