"""One statistic over the seeds of a setting: the per-seed values, their mean and an interval.

A verdict that compares settings or reads a correlation rests on several seeds of each run
(the registry trains them, :mod:`wgan.plan.spec`). :func:`t_interval` summarises a
statistic over them with Student's t-interval of the mean, the interval the book prints
beside every such verdict; its text never contains "nan" (a seed whose value does not
exist is counted and named, not averaged).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.stats import sem
from scipy.stats import t as t_dist

LEVEL = 0.95
"""Coverage of every interval over seeds in the book."""


@dataclass(frozen=True)
class SeedInterval:
    """A statistic over seeds.

    Attributes
    ----------
    values : tuple of float
        One value per seed, in seed order; NaN where the statistic does not exist.
    mean : float
        Mean of the finite values; NaN when there is none.
    low, high : float
        Student's t-interval of the mean at :attr:`level`; NaN with fewer than two finite
        values.
    level : float
        Coverage, e.g. 0.95.
    """

    values: tuple[float, ...]
    mean: float
    low: float
    high: float
    level: float

    @property
    def n(self) -> int:
        """Seeds with a finite value."""
        return sum(math.isfinite(v) for v in self.values)

    @property
    def has_interval(self) -> bool:
        """At least two finite values."""
        return math.isfinite(self.low)

    def per_seed(self, fmt: str = ".3g") -> str:
        """The values in seed order, in words ("0.41, 0.52, undefined")."""
        return ", ".join(format(v, fmt) if math.isfinite(v) else "undefined"
                         for v in self.values)

    def describe(self, fmt: str = ".3g") -> str:
        """Mean, interval and per-seed values in words, e.g. ``"0.47 [0.38, 0.56] (95%
        t-interval over 5 seeds; per seed 0.41, 0.52, 0.45, 0.50, 0.47)"``."""
        missing = len(self.values) - self.n
        lost = f", {missing} undefined" if missing else ""
        if self.n == 0:
            count = len(self.values)
            return ("undefined in its one seed" if count == 1 else
                    f"undefined in all {count} seeds" if count else "no seed")
        if not self.has_interval:
            return (f"{self.mean:{fmt}} (one seed with a value{lost}: no interval; per seed "
                    f"{self.per_seed(fmt)})")
        return (f"{self.mean:{fmt}} [{self.low:{fmt}}, {self.high:{fmt}}] ({self.level:.0%} "
                f"t-interval over {self.n} seeds{lost}; per seed {self.per_seed(fmt)})")

    def __str__(self) -> str:
        return self.describe()


def t_interval(values: Iterable[float], level: float = LEVEL) -> SeedInterval:
    """Student's t-interval of the mean of ``values`` (one per seed; NaN ignored).

    Parameters
    ----------
    values : iterable of float
        The statistic per seed.
    level : float, default=0.95
        Coverage, in (0, 1).

    Returns
    -------
    SeedInterval
    """
    if not 0 < level < 1:
        raise ValueError(
            f"The 'level' parameter of t_interval must be in (0, 1). Got {level!r} instead.")
    array = np.asarray(list(values), dtype=np.float64)
    finite = array[np.isfinite(array)]
    mean = float(finite.mean()) if finite.size else math.nan
    if finite.size < 2:
        low = high = math.nan
    else:
        # the standard t's interval, scaled: a zero spread gives [mean, mean], not NaN
        ends = mean + sem(finite) * np.asarray(t_dist.interval(level, finite.size - 1))
        low, high = float(ends[0]), float(ends[1])
    return SeedInterval(tuple(float(v) for v in array), mean, low, high, level)
