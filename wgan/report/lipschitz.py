"""Chapter 8's figures: a clip value swept, on the ring or on the digits.

The runs and their measures come from :mod:`wgan.experiments.lipschitz_runs`
(:func:`~wgan.experiments.lipschitz_runs.ring_measures`,
:func:`~wgan.experiments.lipschitz_runs.digit_measures`); this module only draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from wgan.report.plotting import stamp
from wgan.report.provenance import Provenance


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
