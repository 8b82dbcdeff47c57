"""Figure helpers shared by the notebooks."""

from __future__ import annotations

from matplotlib.figure import Figure

from wgan.provenance import Provenance


def stamp(fig: Figure, record: Provenance) -> Figure:
    """Write the provenance tag (scale, data, device, seed) in the figure's bottom corner.

    Every figure in the book says how it was produced; this puts it on the image itself,
    so it survives being copied out of the page.
    """
    fig.text(0.995, 0.005, record.tag, ha="right", va="bottom", fontsize=7, color="0.4")
    return fig
