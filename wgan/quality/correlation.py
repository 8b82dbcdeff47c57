"""The paper's central claim as a number: does the loss curve rank the checkpoints by quality?

Section 4.3 says the WGAN estimate of the EM distance "correlate[s] well with the visual
quality of the generated samples" and that the GAN's JS estimate does not. Along a run we
have the loss curve (one value per generator iteration) and, at a few generator
snapshots, an independent quality measure (:mod:`wgan.quality.pixel`,
:mod:`wgan.quality.digits`). :func:`curve_at` reads the curve at the snapshots and
:func:`spearman` gives the rank correlation between the two.

Spearman's rho, not Pearson's r: the critic's estimate is W only up to an unknown
constant K and the quality measures are on unrelated scales, so only the ordering of the
checkpoints is comparable.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation between two sequences.

    Attributes
    ----------
    rho : float
        In [-1, 1]; NaN when either sequence is constant (a rank correlation is undefined).
    p_value : float
        Two-sided p-value of the null hypothesis of no association (scipy's t
        approximation; rough for fewer than about 10 points); NaN with ``rho``.
    n : int
        Number of pairs.
    """

    rho: float
    p_value: float
    n: int

    def __str__(self) -> str:
        return f"Spearman rho = {self.rho:+.2f} (p = {self.p_value:.2g}, n = {self.n})"


def spearman(x: ArrayLike, y: ArrayLike) -> RankCorrelation:
    """Spearman's rank correlation between paired values (ties get their average rank).

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Paired, finite values; n >= 3.

    Returns
    -------
    RankCorrelation
        With ``rho = nan`` when either sequence is constant: a flat loss curve (Figure 4's
        failed run) ranks nothing.

    Examples
    --------
    >>> spearman([1, 2, 3, 4], [10, 20, 30, 45]).rho
    1.0
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.size < 3:
        raise ValueError(
            "The 'x' and 'y' parameters of spearman must be one-dimensional, of equal length "
            f"and at least 3 long. Got shapes {a.shape} and {b.shape} instead."
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(
            "The 'x' and 'y' parameters of spearman must be finite. Drop the checkpoints "
            "with missing values first."
        )
    if np.all(a == a[0]) or np.all(b == b[0]):
        return RankCorrelation(math.nan, math.nan, int(a.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        result = stats.spearmanr(a, b)
    return RankCorrelation(float(result.statistic), float(result.pvalue), int(a.size))


def rank_correlation(x: ArrayLike, y: ArrayLike) -> RankCorrelation:
    """:func:`spearman`, or NaN for fewer than 3 pairs: too few snapshots to rank.

    A run that diverged in its first snapshot interval, or a dry run's runs of one
    generator iteration (snapshots before and after it), leave two points or fewer.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Paired, finite values.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1 and a.shape == np.shape(y) and a.size < 3:
        return RankCorrelation(math.nan, math.nan, int(a.size))
    return spearman(x, y)


def curve_at(
    metrics: pd.DataFrame, column: str, iterations: Sequence[int], width: int
) -> np.ndarray:
    """A logged curve's running median at generator snapshots.

    Row ``gen_iter = k`` of a run's metrics holds the critic's (or discriminator's)
    values measured just before the k-th generator update, so on the generator after
    ``k - 1`` updates. The value for the snapshot after ``s`` updates is the median of
    ``column`` over the rows ``k`` with ``|k - (s + 1)| <= width // 2`` (the window is
    cut at the ends of the run, never padded with zeros as :func:`scipy.signal.medfilt`
    does). When that window holds no row (the final generator is measured by no row;
    with ``width=1`` its snapshot has none), the nearest rows are used.

    Parameters
    ----------
    metrics : pandas.DataFrame
        ``RunResult.metrics``: column ``gen_iter`` (1-based) and ``column``.
    column : str
        e.g. ``"w_estimate"``, ``"js_lower_bound"``, ``"loss_g"``.
    iterations : sequence of int
        Generator iterations of the snapshots (0 = before training).
    width : int
        Odd window, in generator iterations.

    Returns
    -------
    numpy.ndarray of shape (len(iterations),), float64
    """
    if column not in metrics.columns or "gen_iter" not in metrics.columns or metrics.empty:
        raise ValueError(
            f"The 'metrics' parameter of curve_at must have rows and the columns 'gen_iter' "
            f"and {column!r}. Got {len(metrics)} rows of {sorted(metrics.columns)} instead."
        )
    if not isinstance(width, int) or width <= 0 or width % 2 == 0:
        raise ValueError(
            f"The 'width' parameter of curve_at must be a positive odd int. Got {width!r} "
            "instead."
        )
    rows = metrics["gen_iter"].to_numpy(np.int64)
    values = metrics[column].to_numpy(np.float64)
    half = width // 2
    out = np.empty(len(iterations))
    for i, snapshot in enumerate(iterations):
        distance = np.abs(rows - (int(snapshot) + 1))
        inside = distance <= max(half, int(distance.min()))
        out[i] = np.median(values[inside])
    return out
