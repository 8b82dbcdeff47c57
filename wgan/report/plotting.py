"""Figure helpers shared by the notebooks."""

from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from wgan.report.provenance import Provenance


def stamp(fig: Figure, record: Provenance) -> Figure:
    """Write the provenance tag (scale, data, device, seed) in the figure's bottom corner.

    Every figure in the book says how it was produced; this puts it on the image itself,
    so it survives being copied out of the page.
    """
    fig.text(0.995, 0.005, record.tag, ha="right", va="bottom", fontsize=7, color="0.4")
    return fig


def ring_panel(ax: Axes, samples: np.ndarray, means: np.ndarray, title: str) -> None:
    """Draw 2-D generator samples as in Figure 2: a KDE, the points and the mode centres.

    Parameters
    ----------
    ax : matplotlib Axes
    samples : ndarray of shape (n, 2)
        Non-finite rows (a diverged generator) are left out.
    means : ndarray of shape (k, 2)
        The mixture's mode centres, drawn as crosses.
    title : str
    """
    shown = samples[np.isfinite(samples).all(axis=1)]
    if len(shown) > 2 and np.ptp(shown, axis=0).min() > 0:
        sns.kdeplot(x=shown[:, 0], y=shown[:, 1], fill=True, color="C2", levels=8,
                    thresh=0.05, ax=ax, warn_singular=False)
    ax.scatter(shown[:, 0], shown[:, 1], s=1.5, color="C0", alpha=0.4)
    ax.scatter(means[:, 0], means[:, 1], marker="x", s=25, color="k", lw=1)
    ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xticks=[], yticks=[])
    ax.set_title(title, fontsize=8)
