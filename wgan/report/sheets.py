"""Sample grids and full sample sheets (Figures 4-8 and Appendix H of the paper).

A grid is drawn from a run's generator at one snapshot with a stated noise seed
(:func:`wgan.quality.along_run.generate`), so every sheet in the book can be regenerated
exactly and none is cherry-picked: the first ``n`` draws of the seed are shown, in order.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from wgan.quality.along_run import evenly_spaced, generate
from wgan.report.curves import loss_curve
from wgan.training.rundir import RunResult


def image_grid(images: torch.Tensor, nrow: int | None = None, padding: int = 1) -> np.ndarray:
    """Tile a batch of images into one picture for :func:`matplotlib.pyplot.imshow`.

    Parameters
    ----------
    images : torch.Tensor of shape (n, C, H, W)
        Floats on the [-1, 1] scale (clamped) or uint8 in [0, 255]; C = 1 or 3.
    nrow : int or None, default=None
        Images per row; ``ceil(sqrt(n))`` when ``None``.
    padding : int, default=1
        Pixels of white between images.

    Returns
    -------
    numpy.ndarray of shape (H', W', 3), float in [0, 1]
    """
    if images.ndim != 4 or images.shape[1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "The 'images' parameter of image_grid must be a non-empty batch of shape "
            f"(n, C, H, W) with C = 1 or 3. Got shape {tuple(images.shape)} instead."
        )
    if images.dtype == torch.uint8:
        unit = images.float() / 255.0
    else:
        unit = (images.detach().float().clamp(-1, 1) + 1) / 2
    rows = nrow if nrow is not None else math.ceil(math.sqrt(len(unit)))
    grid = make_grid(unit.cpu(), nrow=rows, padding=padding, pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def show_samples(ax: Axes, result: RunResult, iteration: int | None, n: int, seed: int,
                 title: str | None = None) -> torch.Tensor:
    """Draw ``n`` samples of a run's generator at one snapshot on ``ax``, as a grid.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    result : RunResult
    iteration : int or None
        A snapshot of the run (``None``: its last checkpoint).
    n : int
        Samples: the first ``n`` draws of noise seed ``seed``.
    seed : int
        Noise seed (see :func:`wgan.quality.along_run.generate`).
    title : str or None, default=None

    Returns
    -------
    torch.Tensor of shape (n, *sample_shape)
        The images drawn.
    """
    images = generate(result, iteration, n, seed)
    ax.imshow(image_grid(images), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return images


def curves_with_samples(
    runs: dict[str, RunResult],
    column: str,
    ylabel: str,
    width: int,
    *,
    labels: dict[str, str] | None = None,
    reference: tuple[float, str] | None = None,
    n_grids: int = 4,
    n_samples: int = 16,
    seed: int = 0,
) -> Figure:
    """The layout of Figures 4 and 5: one row per run, a loss curve and sample grids.

    Each row plots ``column`` of the run's metrics against generator iterations, raw
    (grey) and median-filtered (:func:`wgan.report.curves.loss_curve`), with dotted lines at
    ``n_grids`` evenly spaced snapshots, and beside it the first ``n_samples`` draws of
    noise seed ``seed`` through the generator at each of those snapshots.

    Parameters
    ----------
    runs : dict of str to RunResult
        Rows, in order; keys name the runs.
    column : str
        Metrics column (``w_estimate``, ``js_lower_bound``, ``loss_g``).
    ylabel : str
    width : int
        Median-filter width, in generator iterations (odd).
    labels : dict of str to str or None, default=None
        Panel titles by run key (the key when missing).
    reference : (float, str) or None, default=None
        A horizontal dashed line and its legend label (e.g. ``log 2``).
    n_grids, n_samples, seed : int, default=(4, 16, 0)

    Returns
    -------
    matplotlib.figure.Figure
        The vertical axis of each curve spans the filtered curve and the central 98% of
        the raw values: isolated spikes of the raw curve run off the panel.
    """
    fig = plt.figure(figsize=(12, 2.6 * len(runs)))
    grid = fig.add_gridspec(len(runs), 2 + n_grids, width_ratios=[2.6, 0.15] + [1] * n_grids)
    for row, (key, run) in enumerate(runs.items()):
        ax = fig.add_subplot(grid[row, 0])
        x, y = loss_curve(run.metrics, column, width)
        ax.plot(x, run.metrics[column], color="0.8", lw=0.6, label="raw")
        ax.plot(x, y, color="C0" if run.config.algorithm == "wgan" else "C3", lw=1.5,
                label=f"median filter ({width})")
        if reference is not None:
            ax.axhline(reference[0], color="k", ls="--", lw=0.8, label=reference[1])
        low, high = _limits(run.metrics[column].to_numpy(), y, width)
        if reference is not None:  # keep the reference line in view
            low, high = min(low, reference[0]), max(high, reference[0] + 0.02 * (high - low))
        ax.set_ylim(low, high)
        shown = evenly_spaced(run.snapshots, n_grids)
        for iteration in shown:
            ax.axvline(iteration, color="0.5", ls=":", lw=0.8)
        title = (labels or {}).get(key, key)
        ax.set_title(title if run.status == "finished" else f"{title} ({run.status})", fontsize=9)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("generator iterations")
        ax.legend(fontsize=7, loc="best")
        for col, iteration in enumerate(shown):
            show_samples(fig.add_subplot(grid[row, 2 + col]), run, iteration, n_samples, seed,
                         title=f"iteration {iteration}")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _limits(raw: np.ndarray, filtered: np.ndarray, width: int) -> tuple[float, float]:
    """Vertical range: the filtered curve away from its zero-padded ends, and the 1-99%
    quantiles of the raw values, with a margin of 5%."""
    inner = filtered[width // 2: len(filtered) - width // 2] if len(filtered) > width else filtered
    finite = raw[np.isfinite(raw)]
    low = min(np.min(inner), np.quantile(finite, 0.01))
    high = max(np.max(inner), np.quantile(finite, 0.99))
    margin = 0.05 * (high - low) or 0.05 * max(abs(high), 1e-12)
    return float(low - margin), float(high + margin)
