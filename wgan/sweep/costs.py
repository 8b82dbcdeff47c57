"""What a run costs where it trains, read from measured runs.

A run's cost is counted in *steps*: its critic (or discriminator) steps plus its generator
steps, which :func:`steps` counts from the config (the authors' 100-step critic schedule
included). Every run directory records its training time (``wall_time`` of its last
metrics row), the steps it took and the device it ran on, so every run on disk, finished or
not, measures a rate in seconds per step on that device. :func:`estimate` prices a run on
the device it trains on (``cpu`` or ``cuda``: :func:`wgan.training.device.place`), from runs
measured on that device only, in this order of preference:

1. from its own directory, when it has started (``measured``);
2. from a run on disk with the same networks, data and sizes, whatever its length, seed,
   optimizer or learning rate (``measured on <run>``);
3. from a line fitted to every run measured on the device (:func:`fit_rates`): seconds per
   step = overhead + FLOPs per step / throughput (``fit to N runs``). The FLOPs of a step
   are those of the networks' forward passes (:func:`flops_per_step`); small runs pin the
   overhead, large ones the throughput. The fit extrapolates: from the CPU runs of the
   quick scale to the paper's sizes it is an estimate of CPU time, not a measurement;
4. on a GPU, from the rates measured on a GPU per network family and packing
   (:data:`RATES_PATH`, :class:`GpuRate`): a GPU step at these sizes is bound by kernel
   launches (2% of the bfloat16 floor on an H200), so its time is taken as the same for every
   run of a family (``GPU table (<device>, <date>)``).

Nothing else is assumed: with none of these the cost is ``unknown``. A run on a GPU shares
it with the runs packed beside it (``runs_per_gpu``, :mod:`wgan.sweep.pack`), so it holds
``1 / runs_per_gpu`` of a GPU while it trains, and a run on the CPU holds one core (one
torch thread): :attr:`Cost.device_hours` is in GPU-hours and core-hours.

A fit (:mod:`wgan.plan.fits`) is priced by :func:`fit_cost`, on the CPU: from its own result
once made, else from the seconds per step of a made fit of the same task at the same scale.

Toy seeds that train as one batched model (a stack of K, :mod:`wgan.sweep.stacks`) are priced
by :func:`in_stack`: a member's lone estimate over the stack's measured speedup
(:func:`wgan.sweep.stacks.stack_speedup`), its share of the stack's time. A member's
directory records the stack's wall time and its size (``stack`` in ``status.json``), so its
:attr:`Measurement.rate` is turned back into a lone run's rate by the same speedup before it
prices anything. Stacks are priced on the CPU only, where the speedups were measured, until a
GPU measures them: a run placed on a GPU never stacks, and GPU rates are left as they are.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from wgan.data import DATASETS
from wgan.paths import runs_dir
from wgan.plan.fits import FIT_NAME, RESULT_NAME, FitConfig
from wgan.sweep.pack import RUNS_PER_GPU, check_runs_per_gpu
from wgan.sweep.stacks import check_stack_size, stack_speedup
from wgan.training.algorithm1 import critic_iters
from wgan.training.config import TrainConfig
from wgan.training.fast import network_family
from wgan.training.models import build_models
from wgan.training.rundir import CONFIG_NAME, METRICS_NAME, STATUS_NAME

RATES_PATH = Path(__file__).with_name("measured_rates.json")
"""Generator iterations/s measured on a GPU, by network family and packing, with where and
when they were measured (device, torch, commit, date): one file, which a GPU check refreshes."""

# Fields that change neither the networks nor the data a step runs on.
_NOT_SHAPE = ("seed", "generator_iters", "snapshot_every", "sample_every", "checkpoint_every",
              "lr_g", "lr_d", "beta1", "beta2", "clip_value", "critic_warmup", "n_critic",
              "optimizer_g", "optimizer_d", "device")


def steps(config: TrainConfig) -> int:
    """Critic (discriminator) steps plus generator steps of the whole run."""
    if config.algorithm == "gan":
        return 2 * config.generator_iters
    return config.generator_iters + _critic_steps(config.generator_iters, config.n_critic,
                                                  config.critic_warmup)


@functools.lru_cache(maxsize=64)
def _critic_steps(iters: int, n_critic: int, warmup: bool) -> int:
    return sum(critic_iters(i, n_critic, warmup) for i in range(iters))


def _shape(config: TrainConfig) -> str:
    kept = {k: v for k, v in config.to_dict().items() if k not in _NOT_SHAPE}
    return json.dumps(kept, sort_keys=True)


def flops_per_step(config: TrainConfig) -> float:
    """FLOPs of one critic step's forward passes: the generator on a batch of noise, the
    critic on a real and a fake batch (a generator step runs about as many)."""
    return _forward_flops(_shape(config))


@functools.lru_cache(maxsize=512)
def _forward_flops(shape: str) -> float:
    config = TrainConfig.from_dict(json.loads(shape))
    sample_shape = ((DATASETS[config.dataset].channels, config.image_size, config.image_size)
                    if config.dataset in DATASETS else (2,))
    with torch.device("meta"):
        generator, critic = build_models(config, sample_shape)
        z = torch.empty(config.batch_size, config.nz)
        x = torch.empty(config.batch_size, *sample_shape)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        generator(z)
        critic(x)
        critic(x)
    return float(counter.get_total_flops())


@dataclass(frozen=True)
class Measurement:
    """The training time a run directory records.

    Attributes
    ----------
    run_dir : pathlib.Path
    config : TrainConfig
    seconds : float
        Training time so far (``wall_time`` of the last metrics row): its stack's, for a
        member of a stack.
    steps : int
        Critic plus generator steps in that time.
    device : str
        Where it ran (``status.json``; ``"?"`` for runs older than that field).
    stack : int, default=1
        Seeds in the stack it trained in (``status.json``; 1 for a lone run).
    """

    run_dir: Path
    config: TrainConfig
    seconds: float
    steps: int
    device: str
    stack: int = 1

    @property
    def rate(self) -> float:
        """Seconds per step of a lone run: for a member of a stack of K, the stack's seconds
        per step over K, times :func:`~wgan.sweep.stacks.stack_speedup` of K."""
        return self.seconds / self.steps * stack_speedup(self.stack) / self.stack

    @property
    def kind(self) -> str:
        """The device's type: ``cpu``, ``cuda`` (of ``cuda:1`` too), or ``?``."""
        return device_kind(self.device)


def device_kind(device: str) -> str:
    """``cuda:1`` -> ``cuda``; ``cpu`` -> ``cpu``."""
    return device.split(":")[0]


def _last_line(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        lines = handle.read().splitlines()
    return lines[-1].decode() if lines else ""


def measure(run_dir: Path) -> Measurement | None:
    """The measurement of the run in ``run_dir``, or ``None`` when it has no metrics row."""
    metrics = run_dir / METRICS_NAME
    if not (run_dir / CONFIG_NAME).is_file() or not metrics.is_file():
        return None
    try:
        row = json.loads(_last_line(metrics))
        config = TrainConfig.from_dict(json.loads((run_dir / CONFIG_NAME).read_text()))
    except (json.JSONDecodeError, TypeError, ValueError):
        return None  # a torn last row, or a run directory of another version
    status_path = run_dir / STATUS_NAME
    status = json.loads(status_path.read_text()) if status_path.is_file() else {}
    done = int(row["gen_iter"]) + int(row["critic_iters_total"])
    if done == 0 or float(row["wall_time"]) <= 0:
        return None
    return Measurement(run_dir, config, float(row["wall_time"]), done,
                       status.get("device", "?"), int(status.get("stack", 1)))


def measurements(root: str | Path | None = None) -> list[Measurement]:
    """Every run on disk under ``root`` (:func:`wgan.paths.runs_dir`), all scales."""
    root = Path(root if root is not None else runs_dir())
    found = (measure(path.parent) for path in sorted(root.glob(f"*/*/{CONFIG_NAME}")))
    return [m for m in found if m is not None]


@dataclass(frozen=True)
class RateModel:
    """Seconds per step on one device: ``overhead + flops / throughput``.

    Attributes
    ----------
    device : str
        A device type: ``cpu`` or ``cuda``.
    overhead : float
        Seconds per step that do not grow with the FLOPs.
    throughput : float
        FLOP/s of the part that does.
    n_runs : int
        Runs it was fitted to.
    """

    device: str
    overhead: float
    throughput: float
    n_runs: int

    def rate(self, flops: float) -> float:
        """Seconds per step of a step of ``flops`` FLOPs."""
        return self.overhead + flops / self.throughput


def fit_rates(known: list[Measurement]) -> dict[str, RateModel]:
    """One :class:`RateModel` per device type (``cpu``, ``cuda``), fitted to the runs
    measured on it.

    Least squares on the relative error of each run's rate; a device whose runs span less
    than a factor of two in FLOPs per step gets no model (it cannot separate overhead from
    throughput).
    """
    models = {}
    for device in sorted({m.kind for m in known}):
        runs = [m for m in known if m.kind == device]
        flops = np.array([flops_per_step(m.config) for m in runs])
        rates = np.array([m.rate for m in runs])
        if len(runs) < 2 or flops.max() < 2 * flops.min():
            continue
        design = np.stack([np.ones_like(flops), flops], axis=1) / rates[:, None]
        (overhead, per_flop), *_ = np.linalg.lstsq(design, np.ones_like(rates), rcond=None)
        if per_flop <= 0:
            continue
        models[device] = RateModel(device, max(float(overhead), 0.0), 1.0 / float(per_flop),
                                   len(runs))
    return models


@dataclass(frozen=True)
class Cost:
    """A run's price.

    Attributes
    ----------
    seconds : float or None
        Training time of the whole run (wall clock; a member of a stack of K: its stack's
        over K, :func:`in_stack`); ``None`` when unknown.
    device : str
        The device type it trains on (``cpu`` or ``cuda``), where its rate was measured.
    source : str
        Where the rate comes from (see the module docstring).
    share : float, default=1.0
        What of its device the run holds while it trains: ``1 / runs_per_gpu`` of a GPU
        shared with other runs, one core of a CPU.
    """

    seconds: float | None
    device: str
    source: str
    share: float = 1.0

    @property
    def device_hours(self) -> float | None:
        """``seconds * share`` in hours: GPU-hours on a GPU, core-hours on a CPU."""
        return None if self.seconds is None else self.seconds * self.share / 3600

    def describe(self) -> str:
        """``"42 s cpu"`` below a minute, ``"13 min cpu"`` below an hour, else ``"1.2 h cpu"``;
        ``"unknown"`` without an estimate."""
        if self.seconds is None:
            return "unknown"
        if self.seconds < 60:
            return f"{self.seconds:.2g} s {self.device}"
        if self.seconds < 3600:
            return f"{self.seconds / 60:.2g} min {self.device}"
        hours = self.seconds / 3600
        return f"{hours:.2g} h {self.device}" if hours < 10 else f"{hours:,.0f} h {self.device}"


@dataclass(frozen=True)
class GpuRate:
    """Generator iterations/s of one network family measured on a GPU (:data:`RATES_PATH`).

    Attributes
    ----------
    family : {"toy", "mlp", "conv"}
        :func:`wgan.training.fast.network_family`.
    each : dict of int to float
        Runs sharing the GPU -> generator iterations/s of each of them.
    n_critic : int
        Critic steps per generator iteration in the measured runs (after the warm-up).
    device : str
        Where and when: ``NVIDIA H200, 2026-12-04`` (the file has the torch version).
    """

    family: str
    each: dict[int, float]
    n_critic: int
    device: str

    def each_rate(self, runs_per_gpu: int) -> float:
        """Generator iterations/s of each of ``runs_per_gpu`` runs sharing the GPU.

        The summed rate of the largest measured packing not above ``runs_per_gpu``, shared
        by the runs (no gain beyond what was measured); below every measured packing, the
        rate of each run of the smallest (a run with less company is not slower).
        """
        check_runs_per_gpu(runs_per_gpu)
        below = [k for k in self.each if k <= runs_per_gpu]
        if below:
            k = max(below)
            return k * self.each[k] / runs_per_gpu
        return self.each[min(self.each)]

    def seconds(self, config: TrainConfig, runs_per_gpu: int) -> float:
        """Training time of ``config``, one of ``runs_per_gpu`` runs on the GPU: its
        :func:`steps` at the measured steps per second (``n_critic + 1`` per iteration)."""
        return steps(config) / (self.each_rate(runs_per_gpu) * (self.n_critic + 1))


def gpu_rates(path: str | Path = RATES_PATH) -> dict[str, GpuRate]:
    """The GPU rates of ``path`` (:data:`RATES_PATH`), by network family.

    Raises
    ------
    ValueError
        When the file does not hold a table of this form (see :data:`RATES_PATH`'s file).
    """
    try:
        table = json.loads(Path(path).read_text())
        device = f"{table['device']}, {table['date']}"
        return {family: GpuRate(family, {int(k): float(v)
                                         for k, v in entry["gen_iters_per_s"].items()},
                                int(entry["n_critic"]), device)
                for family, entry in table["families"].items()}
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"The measured GPU rates in {str(path)!r} cannot be read ({type(err).__name__}: "
            f"{err}); they need 'device', 'torch', 'date' and per family 'n_critic' and "
            "'gen_iters_per_s' (runs sharing the GPU -> each run's rate)."
        ) from err


def estimate(config: TrainConfig, run_dir: Path, known: list[Measurement],
             models: dict[str, RateModel], *, where: str, runs_per_gpu: int = RUNS_PER_GPU,
             rates: dict[str, GpuRate] | None = None) -> Cost:
    """The cost of training ``config`` (in ``run_dir``) from start to end on ``where``.

    Parameters
    ----------
    config : TrainConfig
    run_dir : pathlib.Path
        Its directory, which measures it once it has started.
    known : list of Measurement
        The runs on disk (:func:`measurements`); only those measured on ``where`` count.
    models : dict
        :func:`fit_rates` of ``known``.
    where : {"cpu", "cuda"}
        The device type the run trains on (:func:`wgan.training.device.place`).
    runs_per_gpu : int, default=RUNS_PER_GPU
        Runs sharing a GPU: a GPU run holds that fraction of it.
    rates : dict or None, default=None
        :func:`gpu_rates`, used on a GPU when no run on disk prices it; read from
        :data:`RATES_PATH` when ``None``.
    """
    check_runs_per_gpu(runs_per_gpu)
    share = 1 / runs_per_gpu if where == "cuda" else 1.0
    total = steps(config)
    own = measure(run_dir)
    if own is not None and own.kind == where:
        return Cost(own.rate * total, where, "measured", share)
    shape = _shape(config)
    same = [m for m in known if m.kind == where and _shape(m.config) == shape]
    if same:
        best = max(same, key=lambda m: m.steps)
        return Cost(best.rate * total, where, f"measured on {best.run_dir.name}", share)
    model = models.get(where)
    if model is not None:
        return Cost(model.rate(flops_per_step(config)) * total, where,
                    f"fit to {model.n_runs} runs ({model.overhead * 1e3:.2g} ms/step + "
                    f"{model.throughput / 1e9:.2g} GFLOP/s)", share)
    if where == "cuda":
        rate = (gpu_rates() if rates is None else rates).get(network_family(config))
        if rate is not None:
            return Cost(rate.seconds(config, runs_per_gpu), where,
                        f"GPU table ({rate.device}): {rate.each_rate(runs_per_gpu):.3g} it/s "
                        f"each, {runs_per_gpu} per GPU", share)
    return Cost(None, where, f"no run measured on {where}")


def in_stack(cost: Cost, size: int) -> Cost:
    """``cost``, a lone run's on the CPU, as a member of a stack of ``size`` seeds: its
    seconds over :func:`~wgan.sweep.stacks.stack_speedup` of ``size`` (a stack of 5 trains
    its seeds 2.36x faster than one after another, so each costs 1 / 2.36 of its lone time);
    ``size`` 1 leaves it as it is.

    Raises
    ------
    ValueError
        When ``size`` is not a positive int, or ``cost`` is not on the CPU (no GPU has
        measured stacks).
    """
    check_stack_size("in_stack", size)
    if size == 1:
        return cost
    if cost.device != "cpu":
        raise ValueError("The 'cost' parameter of in_stack must be a cost on the CPU (stacks "
                         f"are measured there only). Got one on {cost.device!r} instead.")
    seconds = None if cost.seconds is None else cost.seconds / stack_speedup(size)
    return Cost(seconds, cost.device, f"{cost.source}, stack of {size}", cost.share)


def fit_cost(config: FitConfig, run_dir: Path) -> Cost:
    """The cost of the fit of ``config`` in ``run_dir``, on the CPU (where fits run).

    From its own ``result.json`` once it is made (``measured``); else from the seconds per
    step of the made fit of the same task in the same scale folder with the most steps
    (``measured on <fit>``: the fits of a task at one scale share their networks and
    batches, and differ in what they are fitted to); else unknown.
    """
    own = run_dir / RESULT_NAME
    if own.is_file():
        return Cost(float(json.loads(own.read_text())["seconds"]), "cpu", "measured")
    made = []
    for path in sorted(run_dir.parent.glob(f"*/{RESULT_NAME}")):
        try:
            other = FitConfig.from_dict(json.loads((path.parent / FIT_NAME).read_text()))
            seconds = float(json.loads(path.read_text())["seconds"])
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue  # not a fit, or a fit of another version
        if other.task == config.task:
            made.append((other.steps, seconds, path.parent.name))
    if made:
        steps_made, seconds, name = max(made)
        return Cost(seconds / steps_made * config.steps, "cpu", f"measured on {name}")
    return Cost(None, "cpu", "no fit of this task measured")
