"""Chapter 8's figures: K within each family as its verdict reads it, the digit runs'
curves, and a clip value swept, on the ring or on the digits.

The fits come from :func:`wgan.experiments.lipschitz.population_estimates` and their cells
from :func:`wgan.experiments.lipschitz_verdicts.constant_k_cells`; the runs and their
measures from :mod:`wgan.experiments.lipschitz_runs`
(:func:`~wgan.experiments.lipschitz_runs.ring_measures`,
:func:`~wgan.experiments.lipschitz_runs.digit_measures`). This module only draws them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from wgan.experiments.lipschitz_verdicts import COUNTED, K_RATIO_LIMIT
from wgan.report.plotting import stamp
from wgan.report.provenance import Provenance
from wgan.report.tables import significant

RATIO_TICKS: tuple[float, ...] = (0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0,
                                  30.0, 100.0, 1e3, 1e4)
"""Where the ratio axes of :func:`k_spread_figure` put their ticks (log scale, plain
numbers): fine around 1 and the 1.25 limit, coarse far from them."""


def _ratio_axis(ax: Axes, values: Sequence[float], around: Sequence[float]) -> None:
    """A log y axis with plain tick labels, spanning ``values`` and ``around``."""
    finite = [v for v in (*values, *around) if math.isfinite(v) and v > 0]
    low, high = min(finite) / 1.08, max(finite) * 1.08
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    ax.yaxis.set_major_locator(FixedLocator([t for t in RATIO_TICKS if low <= t <= high]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: significant(value, 3)))


def per_seed_ratios(table: pd.DataFrame, counted: pd.Series) -> pd.Series:
    """Max/min K over a family's pairs, per (family, constraint, seed) whose fits all count.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`wgan.experiments.lipschitz.population_estimates` (``family``,
        ``constraint``, ``seed``, ``k_paired``).
    counted : pandas.Series of bool
        Aligned with ``table``: which fits count
        (:func:`wgan.experiments.lipschitz_verdicts.counted`).

    Returns
    -------
    pandas.Series
        Indexed by (``family``, ``constraint``, ``seed``), in the table's order; only the
        seeds whose every pair counted, as in
        :func:`~wgan.experiments.lipschitz_verdicts.constant_k_cells`.
    """
    frame = table.assign(counted=counted.astype(bool))
    groups = frame.groupby(["family", "constraint", "seed"], sort=False)
    ratios = groups["k_paired"].max() / groups["k_paired"].min()
    return ratios[groups["counted"].all()]


def k_spread_figure(table: pd.DataFrame, counted: pd.Series, cells: pd.DataFrame,
                    colors: Mapping[str, str], record: Provenance, *,
                    limit: float = K_RATIO_LIMIT) -> Figure:
    """K within each (family, constraint) cell, as the constant-K verdict reads it.

    The absolute K of the constraints spans many decades (a clipped critic at c = 0.001
    estimates about 1e-8 of W1); the verdict asks only whether K stays within a factor
    ``limit`` over a family's pairs. So the top row divides K by its cell's median, and the
    bottom panel draws the verdict's statistic itself.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`wgan.experiments.lipschitz.population_estimates` (``family``,
        ``constraint``, ``seed``, ``w``, ``k_paired``).
    counted : pandas.Series of bool
        Aligned with ``table``: which fits count; the others are not drawn.
    cells : pandas.DataFrame
        :func:`wgan.experiments.lipschitz_verdicts.constant_k_cells` of ``table``
        (``status``, ``ratio``, ``ratio_low``, ``ratio_high``).
    colors : mapping of str to str
        Constraint -> colour, in the order the constraints are drawn.
    record : Provenance
        Stamped on the figure.
    limit : float, default=K_RATIO_LIMIT
        The verdict's limit on max/min K.

    Returns
    -------
    matplotlib.figure.Figure
        Top row, one panel per family: the mean over counted seeds of K at each population
        W1 divided by the median K of the cell's counted fits, one line per constraint,
        log scale with plain ticks; shaded, the band 1/sqrt(limit) to sqrt(limit) (points
        inside it have max/min below ``limit``). Bottom: per cell, each seed's max/min K
        over the pairs (dots) and the mean with its t-interval over seeds (bar), the limit
        drawn; a cell that is not counted has open markers and its status written above it.
    """
    families = list(dict.fromkeys(table["family"]))
    fig = plt.figure(figsize=(max(9.0, 3.6 * len(families)), 7.4))
    grid = fig.add_gridspec(2, len(families), height_ratios=(1.0, 1.15), hspace=0.55,
                            wspace=0.3)
    top = [fig.add_subplot(grid[0, i]) for i in range(len(families))]
    bottom = fig.add_subplot(grid[1, :])
    band = (limit ** -0.5, limit ** 0.5)
    good = table[counted.astype(bool)]
    relatives = []
    for ax, family in zip(top, families, strict=True):
        ax.axhspan(*band, color="0.92", zorder=0)
        ax.axhline(1.0, color="k", ls="--", lw=0.8)
        for constraint, color in colors.items():
            cell = good[(good["family"] == family) & (good["constraint"] == constraint)]
            if cell.empty:
                continue
            relative = cell.groupby("w")["k_paired"].mean() / cell["k_paired"].median()
            relatives.extend(relative)
            ax.plot(relative.index, relative, "o-", color=color, ms=3, label=constraint)
        ax.set_title(family, fontsize=10)
        ax.set_xlabel("population W1")
    for ax in top:
        _ratio_axis(ax, relatives, band)
    top[0].set_ylabel("K / the cell's median K")
    fig.legend(handles=[Line2D([], [], color=color, marker="o", ms=3, label=constraint)
                        for constraint, color in colors.items()],
               loc="upper center", ncol=len(colors), fontsize=8, frameon=False)

    ratios = per_seed_ratios(table, counted)
    positions, names, shown = [], [], list(ratios)
    for g, family in enumerate(families):
        start = g * (len(colors) + 1)
        bottom.text(start + (len(colors) - 1) / 2, 1.02, family, ha="center", va="bottom",
                    fontsize=9, transform=bottom.get_xaxis_transform())
        for j, (constraint, color) in enumerate(colors.items()):
            if (family, constraint) not in cells.index:
                continue
            x = start + j
            positions.append(x)
            names.append(constraint)
            row = cells.loc[(family, constraint)]
            judged = row["status"] in COUNTED
            face = color if judged else "none"
            seeds = ratios[(ratios.index.get_level_values("family") == family)
                           & (ratios.index.get_level_values("constraint") == constraint)]
            spread = 0.18 if len(seeds) > 1 else 0.0  # the seeds side by side
            bottom.scatter(x + np.linspace(-spread, spread, len(seeds)), seeds, s=12,
                           color=color, facecolors=face, alpha=0.7, zorder=3)
            if math.isfinite(row["ratio_low"]) and math.isfinite(row["ratio_high"]):
                bottom.errorbar([x], [row["ratio"]], yerr=[[row["ratio"] - row["ratio_low"]],
                                                           [row["ratio_high"] - row["ratio"]]],
                                fmt="s", ms=5, color=color, mfc=face, capsize=3, zorder=4)
                shown.extend([row["ratio_low"], row["ratio_high"]])
            if not judged:
                bottom.text(x, 0.97, row["status"], rotation=90, ha="center", va="top",
                            fontsize=7, color="0.35", transform=bottom.get_xaxis_transform())
    bottom.axhline(limit, color="C3", ls="--", lw=1.0)
    bottom.text(1.0, limit, f" limit {limit:g}", color="C3", fontsize=8, va="center",
                transform=bottom.get_yaxis_transform())
    _ratio_axis(bottom, shown, (1.0, limit * 1.6))
    bottom.set_xticks(positions, names, rotation=25, ha="right", fontsize=8)
    bottom.set_xlim(-0.7, (len(families) - 1) * (len(colors) + 1) + len(colors) - 0.3)
    bottom.set_ylabel("max/min K over the pairs")
    fig.subplots_adjust(left=0.08, right=0.92, top=0.9, bottom=0.16)
    return stamp(fig, record)


def curve_panels(axes: Sequence[Axes], curves: Mapping[tuple[str, int], pd.DataFrame],
                 colors: Mapping[str, str], labels: Mapping[str, str], *, seed: int,
                 floor: float, alone: str = "clip") -> None:
    """The digit runs' measures along training on four panels, the critics' estimates on
    two: ``alone``'s critic on its own axis, whose scale is not the others'.

    A clipped critic's estimate is K times W1 with K of the order of 1e-3: on the axis of
    the penalised and spectrally normalised critics (of the order of 1 to 100) it lies
    flat at 0.

    Parameters
    ----------
    axes : sequence of four matplotlib Axes
        Pixel W1 (with ``floor``), classes covered, the estimates of every method but
        ``alone``, and ``alone``'s estimate.
    curves : mapping of (str, int) to pandas.DataFrame
        ``(method, seed) ->`` measures along the run (``gen_iter``, ``pixel_w1``,
        ``classes_covered``, ``estimate``).
    colors, labels : mapping of str to str
        Method -> colour, method -> its name in the legend and the titles.
    seed : int
        The seed whose line carries the legend's label.
    floor : float
        The pixel W1 of real digits, drawn dashed on the first panel.
    alone : str, default="clip"
        The method whose estimate gets the fourth panel.
    """
    if len(axes) != 4:
        raise ValueError(f"The 'axes' parameter of curve_panels must hold four axes. "
                         f"Got {len(axes)} instead.")
    seeds = {method: sum(m == method for m, _ in curves) for method, _ in curves}
    for (method, s), curve in curves.items():
        count = f"{seeds[method]} seed{'s' if seeds[method] > 1 else ''}"
        label = f"{labels[method]} ({count})" if s == seed else None
        style = {"color": colors[method], "ms": 3}
        axes[0].plot(curve["gen_iter"], curve["pixel_w1"], "o-", label=label, **style)
        axes[1].plot(curve["gen_iter"], curve["classes_covered"], "o-", **style)
        axes[3 if method == alone else 2].plot(curve["gen_iter"], curve["estimate"], "o-",
                                               **style)
    axes[0].axhline(floor, color="k", ls="--", lw=0.8)
    for ax in axes[2:]:  # a power of ten above the axis, not five decimals per tick
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    others = ", ".join(labels[m] for m in seeds if m != alone)
    titles = ("pixel W1 to held-out digits", "classes covered", f"critic's estimate\n{others}",
              f"critic's estimate\n{labels[alone]} (its own scale)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("generator iteration")
    axes[0].legend(fontsize=7)


def sweep_figure(curves: Mapping[float, pd.DataFrame], table: pd.DataFrame,
                 panels: Sequence[tuple[str, str]], record: Provenance, *,
                 floor: float | None = None, log_second: bool = False) -> Figure:
    """Two measures along the runs of a clip sweep, one colour per c, and the final
    critic's median gradient norm against c (log-log).

    Parameters
    ----------
    curves : mapping of float to pandas.DataFrame
        ``c -> `` a run's measures along training, with a ``gen_iter`` column and the
        columns named in ``panels``; drawn in the mapping's order, coloured along viridis.
    table : pandas.DataFrame
        One row per clip value (the index) with a ``grad_norm_median`` column: the final
        measures of the runs.
    panels : sequence of two (str, str)
        ``(column, title)`` of the first and the second panel.
    record : Provenance
        Stamped on the figure (:func:`wgan.report.plotting.stamp`).
    floor : float or None, default=None
        Drawn as a dashed horizontal line on the first panel (e.g. the pixel W1 floor).
    log_second : bool, default=False
        Log scale on the second panel's y axis.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels side by side.
    """
    if len(panels) != 2:
        raise ValueError(
            f"The 'panels' parameter of sweep_figure must hold two (column, title) pairs. "
            f"Got {len(panels)} instead."
        )
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    cmap = plt.get_cmap("viridis")
    for i, (c, curve) in enumerate(curves.items()):
        color = cmap(i / max(1, len(curves) - 1))
        for ax, (column, _) in zip(axes[:2], panels, strict=True):
            ax.plot(curve["gen_iter"], curve[column], color=color, label=f"c = {c:g}")
    for ax, (_, title) in zip(axes[:2], panels, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("generator iteration")
    if floor is not None:
        axes[0].axhline(floor, color="k", ls="--", lw=0.8)
    if log_second:
        axes[1].set_yscale("log")
    axes[0].legend(fontsize=7)
    axes[2].loglog(table.index, table["grad_norm_median"].clip(lower=1e-30), "o-")
    axes[2].set_xlabel("clip value c")
    axes[2].set_title("median gradient norm of the critic", fontsize=10)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return stamp(fig, record)
