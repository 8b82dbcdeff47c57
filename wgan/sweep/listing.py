"""The text of ``python -m wgan sweep list`` and ``sweep status``, and the book's run table."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from wgan.paths import cache_dir
from wgan.plan.fits import FitConfig, family_of
from wgan.sweep.costs import (
    Cost,
    device_kind,
    estimate,
    fit_cost,
    fit_rates,
    gpu_rates,
    in_stack,
    measurements,
)
from wgan.sweep.data import info, needs
from wgan.sweep.pack import RUNS_PER_GPU
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.stacks import STACK_SIZE, form_stacks
from wgan.sweep.state import RunState, fit_state, run_state
from wgan.training.device import place

UNITS = {"cuda": "GPU-hours", "cpu": "core-hours"}
"""What a device's summed cost is counted in (:attr:`wgan.sweep.costs.Cost.device_hours`)."""


@dataclass(frozen=True)
class Row:
    """One run with its state and price."""

    run: RegisteredRun
    state: RunState
    cost: Cost


def rows(runs: list[RegisteredRun], *, gpu: bool | None = None,
         runs_per_gpu: int = RUNS_PER_GPU, stack: bool = True) -> list[Row]:
    """Every run's state on disk and cost estimate (:mod:`wgan.sweep.costs`), on the device
    it trains on; a fit's (:mod:`wgan.plan.fits`) on the CPU, where fits run.

    Parameters
    ----------
    runs : list of RegisteredRun
    gpu : bool or None, default=None
        Price for a machine with a GPU, where ``device="auto"`` places each network where it
        trains fastest (:func:`wgan.training.device.place`), or without one; ``None``: as
        this machine.
    runs_per_gpu : int, default=RUNS_PER_GPU
        Runs sharing a GPU (:mod:`wgan.sweep.pack`).
    stack : bool, default=True
        Price each toy seed as a member of the stack it would train in among ``runs``
        (:func:`wgan.sweep.stacks.form_stacks`, finished runs counted: the cost of the whole
        run), at its lone cost over the stack's speedup (:func:`wgan.sweep.costs.in_stack`;
        the rate's source ends ``stack of K``); ``False``: every run alone.
    """
    gpu = torch.cuda.is_available() if gpu is None else gpu
    known = measurements()
    models = fit_rates(known)
    rates = gpu_rates()
    kinds = {r.key: device_kind(place(r.config.device, family_of(r.config), gpu=gpu))
             for r in runs}
    sizes = {r.key: len(task) for task, _ in form_stacks(
        [(r, kinds[r.key]) for r in runs], size=STACK_SIZE if stack else 1) for r in task}

    def row(r: RegisteredRun) -> Row:
        if isinstance(r.config, FitConfig):
            return Row(r, fit_state(r.run_dir, r.config.steps), fit_cost(r.config, r.run_dir))
        return Row(r, run_state(r.run_dir, r.config.generator_iters), in_stack(
            estimate(r.config, r.run_dir, known, models, runs_per_gpu=runs_per_gpu,
                     rates=rates, where=kinds[r.key]), sizes[r.key]))

    return [row(r) for r in runs]


def total_hours(table: list[Row]) -> str:
    """The summed estimate per device, in GPU-hours and core-hours, and how many runs have
    none: ``29 GPU-hours (67 runs, 4 per GPU), 161 core-hours (110 runs), 1 run unpriced``."""
    priced = [row.cost for row in table if row.cost.seconds is not None]
    parts = []
    order = list(UNITS)  # GPUs first, then CPUs, then any other device
    for device in sorted({cost.device for cost in priced},
                         key=lambda d: (order.index(d) if d in order else len(order), d)):
        costs = [cost for cost in priced if cost.device == device]
        hours = sum(cost.device_hours for cost in costs)
        packing = {round(1 / cost.share) for cost in costs}
        shared = f", {packing.pop()} per GPU" if device == "cuda" and len(packing) == 1 else ""
        amount = f"{hours:,.0f}" if hours >= 100 else f"{hours:.2g}"
        parts.append(f"{amount} {UNITS.get(device, f'h {device}')} ({_runs(len(costs))}{shared})")
    unknown = sum(row.cost.seconds is None for row in table)
    if unknown:
        parts.append(f"{_runs(unknown)} unpriced")
    return ", ".join(parts) or "nothing measured"


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def cache_lines(runs: list[RegisteredRun]) -> list[str]:
    """One line per image cache the runs read: what, where, how large, built or not."""
    lines = [f"Image caches (WGAN_CACHE_DIR={cache_dir()}):"]
    for need in needs(runs):
        entry = info(need)
        state = "built" if entry.ready else "not built"
        lines.append(f"  {need.describe()}: {entry.nbytes / 1e9:.3g} GB, {state}, {entry.path}")
    if len(lines) == 1:
        lines.append("  none (toy data only)")
    return lines


def table_lines(table: list[Row]) -> list[str]:
    """The runs as aligned text columns (``iters``: a run's generator iterations, a fit's
    optimizer steps)."""
    header = ("run", "chapters", "status", "iters", "cost", "rate from")
    body = [(row.run.key, ",".join(c[:2] for c in row.run.chapters), str(row.state),
             f"{row.state.total:,}", row.cost.describe(), row.cost.source)
            for row in table]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header) - 1)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  "
            + r[-1] for r in [header, *body]]


def markdown_lines(table: list[Row]) -> list[str]:
    """The runs as a Markdown table (for the book's reproducibility page)."""
    lines = ["| run | chapters | generator iterations (fits: steps) | status | cost | rate from |",
             "|---|---|---|---|---|---|"]
    for row in table:
        lines.append(f"| `{row.run.key}` | {', '.join(row.run.chapters)} | "
                     f"{row.state.total:,} | {row.state} | {row.cost.describe()} | "
                     f"{row.cost.source} |")
    lines.append(f"| **total** | | | | **{total_hours(table)}** | |")
    return lines
