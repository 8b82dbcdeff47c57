"""The text of ``python -m wgan sweep list`` and ``sweep status``, and the book's run table."""

from __future__ import annotations

from dataclasses import dataclass

from wgan.paths import cache_dir
from wgan.sweep.costs import Cost, estimate, fit_rates, measurements
from wgan.sweep.data import info, needs
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.state import RunState, run_state


@dataclass(frozen=True)
class Row:
    """One run with its state and price."""

    run: RegisteredRun
    state: RunState
    cost: Cost


def rows(runs: list[RegisteredRun]) -> list[Row]:
    """Every run's state on disk and cost estimate (:mod:`wgan.sweep.costs`)."""
    known = measurements()
    models = fit_rates(known)
    return [Row(r, run_state(r.run_dir, r.config.generator_iters),
                estimate(r.config, r.run_dir, known, models)) for r in runs]


def total_hours(table: list[Row]) -> str:
    """The summed estimate per device, and how many runs have none."""
    by_device: dict[str, float] = {}
    for row in table:
        if row.cost.seconds is not None:
            by_device[row.cost.device] = by_device.get(row.cost.device, 0.0) + row.cost.seconds
    parts = [f"{seconds / 3600:,.3g} h {device}" for device, seconds in by_device.items()]
    unknown = sum(row.cost.seconds is None for row in table)
    if unknown:
        parts.append(f"{unknown} runs unpriced")
    return ", ".join(parts) or "nothing measured"


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
    """The runs as aligned text columns."""
    header = ("run", "chapters", "status", "iters", "cost", "rate from")
    body = [(row.run.key, ",".join(c[:2] for c in row.run.chapters), str(row.state),
             f"{row.run.config.generator_iters:,}", row.cost.describe(), row.cost.source)
            for row in table]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header) - 1)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  "
            + r[-1] for r in [header, *body]]


def markdown_lines(table: list[Row]) -> list[str]:
    """The runs as a Markdown table (for the book's reproducibility page)."""
    lines = ["| run | chapters | generator iterations | status | cost | rate from |",
             "|---|---|---|---|---|---|"]
    for row in table:
        lines.append(f"| `{row.run.key}` | {', '.join(row.run.chapters)} | "
                     f"{row.run.config.generator_iters:,} | {row.state} | {row.cost.describe()} | "
                     f"{row.cost.source} |")
    lines.append(f"| **total** | | | | **{total_hours(table)}** | |")
    return lines
