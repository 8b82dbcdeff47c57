"""The paper's central claim as a number: does the loss curve rank the checkpoints by quality?

Section 4.3 says the WGAN estimate of the EM distance "correlate[s] well with the visual
quality of the generated samples" and that the GAN's JS estimate does not. Along a run we
have the loss curve (one value per generator iteration) and, at a few generator
snapshots, an independent quality measure (:mod:`wgan.quality.pixel`,
:mod:`wgan.quality.digits`). :func:`curve_at` reads the curve at the snapshots and
:func:`spearman` gives the rank correlation between the two.

Along one run whose samples improve steadily, any falling curve ranks the snapshots
correctly, so the plain rank correlation cannot fail. :func:`within_run` sets it beside
checks that can: the same correlation for the *time curve* (minus the iteration number:
the baseline a curve that only falls with time also reaches), and the partial rank
correlation controlling for the iteration (:func:`partial_spearman`, detrended). The
correlation of the *changes* between consecutive snapshots (:func:`change_correlation`) is
computed too, but it does not remove a curved trend: two curves that both fall fast and
then slowly have changes that rank alike whatever their wiggles. :func:`across_runs`
compares runs at the same iteration: does a lower curve mean
better samples between runs?

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


# ------------------------------------------ a test that can fail: beyond "both fall with time"
def rho_in_words(rho: float) -> str:
    """A rank correlation as text: ``"+0.85"``, or ``"undefined"`` when it does not exist.

    A flat sequence (ties) or too few points rank nothing (:func:`spearman` gives NaN); a
    page says so instead of printing "nan".
    """
    return f"{rho:+.2f}" if math.isfinite(rho) else "undefined"


def change_correlation(x: ArrayLike, y: ArrayLike) -> RankCorrelation:
    """Spearman's rho between the changes of two sequences from one snapshot to the next.

    Detrends a linear trend only: two curves that fall fast and then slowly (a curved
    trend) have changes that still rank alike whatever their wiggles; prefer
    :func:`partial_spearman` given the iteration.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Paired, finite values at consecutive snapshots.

    Returns
    -------
    RankCorrelation
        Over the ``n - 1`` changes; NaN when fewer than 3 changes or when either sequence
        of changes is constant (a curve rising by the same step, or flat: it has no moves
        to match).
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            "The 'x' and 'y' parameters of change_correlation must be one-dimensional and of "
            f"equal length. Got shapes {a.shape} and {b.shape} instead."
        )
    return rank_correlation(np.diff(a), np.diff(b))


def partial_spearman(x: ArrayLike, y: ArrayLike, z: ArrayLike) -> float:
    """Spearman's rho between ``x`` and ``y`` controlling for ``z`` (partial rank correlation).

    The Pearson partial correlation of the ranks (ties averaged):
    ``(r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2))``. With ``z`` the iteration
    number it asks whether the curve and the quality agree beyond what time explains.

    Returns
    -------
    float
        NaN when a sequence is constant or ``x`` or ``y`` is a monotone function of ``z``
        (nothing is left once time is removed).
    """
    ranks = [stats.rankdata(np.asarray(v, dtype=np.float64)) for v in (x, y, z)]
    if len({r.shape for r in ranks}) != 1 or ranks[0].ndim != 1 or ranks[0].size < 4:
        raise ValueError(
            "The 'x', 'y' and 'z' parameters of partial_spearman must be one-dimensional, of "
            "equal length and at least 4 long."
        )
    if any(np.all(r == r[0]) for r in ranks):
        return math.nan
    c = np.corrcoef(np.stack(ranks))
    r_xy, r_xz, r_yz = c[0, 1], c[0, 2], c[1, 2]
    denominator = (1 - r_xz**2) * (1 - r_yz**2)
    if denominator <= 1e-12:
        return math.nan
    return float((r_xy - r_xz * r_yz) / math.sqrt(denominator))


FLAT_FRACTION = 0.05
"""A curve is flat over the second half of a run when its range there is at most this
fraction of its range over the whole run (Figure 4's failed run: exactly 0 from mid-run)."""


@dataclass(frozen=True)
class WithinRun:
    """A loss curve against a quality measure at the snapshots of one run.

    Quality is a distance (pixel W1: lower is better), so every rho is positive when the
    curve goes down as the samples get better.

    Attributes
    ----------
    n : int
        Snapshots.
    rho : float
        Plain Spearman rho of the curve with the quality (the old test).
    rho_time : float
        The baseline: rho of the *time curve* (minus the iteration number, a curve that only
        falls) with the quality. Any falling curve scores about this.
    rho_changes : float
        :func:`change_correlation` (reported; it does not remove a curved trend).
    rho_partial : float
        :func:`partial_spearman` controlling for the iteration: the detrended test.
    flat : bool
        The curve is flat over the second half of the run (:data:`FLAT_FRACTION`); its
        plain rho is then made of ties and is not read.
    quality_first, quality_mid, quality_last, quality_late_min : float
        The quality at the first snapshot, the first of the second half, the last, and its
        best over the second half.
    """

    n: int
    rho: float
    rho_time: float
    rho_changes: float
    rho_partial: float
    flat: bool
    quality_first: float
    quality_mid: float
    quality_last: float
    quality_late_min: float


def within_run(iterations: ArrayLike, curve: ArrayLike, quality: ArrayLike) -> WithinRun:
    """The within-run statistics of one curve against one quality measure.

    Parameters
    ----------
    iterations : array-like of shape (n,)
        Generator iterations of the snapshots, increasing.
    curve : array-like of shape (n,)
        The loss curve read at them (:func:`curve_at`).
    quality : array-like of shape (n,)
        A distance to the real data (pixel W1), finite.

    Returns
    -------
    WithinRun
    """
    t = np.asarray(iterations, dtype=np.float64)
    c = np.asarray(curve, dtype=np.float64)
    q = np.asarray(quality, dtype=np.float64)
    if not (t.ndim == c.ndim == q.ndim == 1 and t.shape == c.shape == q.shape and t.size >= 1):
        raise ValueError(
            "The 'iterations', 'curve' and 'quality' parameters of within_run must be "
            f"one-dimensional and of equal length. Got shapes {t.shape}, {c.shape} and "
            f"{q.shape} instead."
        )
    half = t.size // 2
    late = c[half:]
    whole = float(np.ptp(c))
    flat = bool(np.ptp(late) <= FLAT_FRACTION * whole) if whole > 0 else True
    return WithinRun(
        n=int(t.size),
        rho=rank_correlation(c, q).rho,
        rho_time=rank_correlation(-t, q).rho,
        rho_changes=change_correlation(c, q).rho,
        rho_partial=partial_spearman(c, q, t) if t.size >= 4 else math.nan,
        flat=flat,
        quality_first=float(q[0]),
        quality_mid=float(q[half]),
        quality_last=float(q[-1]),
        quality_late_min=float(q[half:].min()),
    )


@dataclass(frozen=True)
class AcrossRuns:
    """Do runs with a lower curve have better samples, at the same iteration?

    Attributes
    ----------
    per_snapshot : pandas.Series
        Spearman rho over the runs at each shared snapshot (index: iteration); NaN where
        the runs' values tie.
    runs : int
        Runs compared (one seed per setting today: the runs differ in their settings).
    mean_rho : float
        Mean of the defined per-snapshot rhos; NaN when none is defined.
    positive : int
        Snapshots where the rho is positive (lower curve, better samples).
    counted : int
        Snapshots with a defined rho.
    """

    per_snapshot: pd.Series
    runs: int
    mean_rho: float
    positive: int
    counted: int

    def describe(self) -> str:
        """The comparison in words (no NaN)."""
        if not self.counted:
            return (f"across {self.runs} runs: no snapshot where the runs could be ranked "
                    "(ties or missing values)")
        return (f"across {self.runs} runs at the same iteration: mean rho "
                f"{self.mean_rho:+.2f} over {self.counted} snapshots, positive at "
                f"{self.positive} of them")


def across_runs(curves: pd.DataFrame, quality: pd.DataFrame) -> AcrossRuns:
    """Spearman rho over runs at each snapshot they share, summarised.

    Parameters
    ----------
    curves, quality : pandas.DataFrame
        Index: generator iteration of the snapshot; columns: runs (the same in both). A
        snapshot is compared when at least 3 runs have both values there.

    Returns
    -------
    AcrossRuns
    """
    if list(curves.columns) != list(quality.columns):
        raise ValueError(
            "The 'curves' and 'quality' parameters of across_runs must have the same runs "
            f"as columns. Got {list(curves.columns)} and {list(quality.columns)} instead."
        )
    shared = curves.index.intersection(quality.index)
    rhos = {}
    for iteration in shared:
        pair = pd.DataFrame({"c": curves.loc[iteration], "q": quality.loc[iteration]}).dropna()
        rhos[iteration] = rank_correlation(pair["c"], pair["q"]).rho if len(pair) else math.nan
    per_snapshot = pd.Series(rhos, dtype=np.float64)
    defined = per_snapshot.dropna()
    return AcrossRuns(
        per_snapshot=per_snapshot,
        runs=int(curves.shape[1]),
        mean_rho=float(defined.mean()) if len(defined) else math.nan,
        positive=int((defined > 0).sum()),
        counted=len(defined),
    )
