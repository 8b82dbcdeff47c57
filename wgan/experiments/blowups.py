"""Blow-ups of a WGAN run, defined on sample quality, and their relation to the update cosine.

The paper says that "the loss blew up and samples got worse" (Section 4.3 of [1]) without
a definition. The book's reads the samples, measured without the critic at the run's
generator snapshots (:func:`wgan.experiments.momentum.sample_quality`: on the ring, the
exact W1 of the samples to the ring; on the digits, the yardstick's Fréchet distance;
lower is better for both):

    A snapshot is *worse* when its samples are not finite, or when their quality exceeds
    ``WORSE_FACTOR`` times the larger of the run's best quality so far (every snapshot up
    to it, iteration 0 included) and the dataset's *floor* (the same measure for true
    samples, below which differences are sampling noise). A run *blows up* when its last
    snapshot is worse; its *onset* is the first snapshot of the unbroken stretch of worse
    snapshots that reaches the end, and the samples went bad between the snapshot before
    it (``onset_from``) and the onset. A run stopped by the run loop's non-finite guard
    (``status == "diverged"``) blows up where it stopped, if not before.

The rule reads the end of the run against the run's own best, so a run that was worse for
a while as it learned (in its first quarter, the burn-in, or later) and came back is not
a blow-up; an onset can lie in the first quarter (a run thrown off in its first
iterations that never came back). The critic's estimate is not the measure: weight
clipping keeps it inside a band whatever the generator does (the quick book of 6ecac2d had
an Adam run end at sample W1 804.7, 13,000 times the floor, with its estimate inside the
band). The estimate's *excursions* (the definition before: ``|w_estimate|`` above
``BAND_FACTOR`` times the largest of the RMSProp, alpha = 5e-5 run) are reported beside,
never judged (:func:`estimate_excursions`).

**Adequacy** (:func:`reference_adequacy`). Instability is judged only where the reference
optimizer's runs (RMSProp, alpha = 5e-5: Algorithm 1) converged within their length: on
a dataset, at least ``ADEQUATE_SHARE`` of them end at most ``IMPROVE_FACTOR`` times their
initial quality (improved), moved by at most ``FLAT_SHARE`` of that improvement over the
last quarter of the run (flattened) and, on the digits, end below the FD of a Gaussian
with the digits' moments (learned, as chapters 4 and 5 read it). A dataset whose
reference did not converge is left out; with no dataset left the claim is *not tested at
this scale*, never *not reproduced*.

**The comparison** (:func:`stratified_test`) is made within each (dataset, learning rate)
stratum, since a high learning rate destabilises any optimizer: the runs with momentum
(Adam, beta1 > 0) against the runs without (RMSProp, Adam beta1 = 0), combined by the
exact conditional form of the Cochran-Mantel-Haenszel test (the number of momentum
blow-ups summed over strata, against its distribution given every stratum's margins: a
convolution of hypergeometric distributions; with one stratum it is Fisher's exact test),
one-sided, with the Mantel-Haenszel risk difference and its Greenland-Robins interval.

The *unstable stretch* of a blown-up run is every iteration from ``WINDOW`` generator
iterations before ``onset_from`` to the end (the samples stayed bad); the other
iterations are *stable*. An iteration has a *negative cosine* when at least one of its
critic steps moved the critic's weights against the gradient (``update_cos_neg_frac >
0``, :mod:`wgan.training.instrument`). The critic has *collapsed* at an iteration when its
|estimate| is below ``COLLAPSE_FRACTION`` of the reference level.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.3.
.. [2] Mantel & Haenszel, "Statistical aspects of the analysis of data from retrospective
   studies of disease", JNCI 22, 1959.
.. [3] Greenland & Robins, "Estimation of a common effect parameter from sparse follow-up
   data", Biometrics 41, 1985.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import hypergeom, norm

from wgan.experiments.judgement import NOT_TESTED, Judgement
from wgan.experiments.momentum import PAPER_LR, RUN_KEYS, Sweep
from wgan.plan.scale import Scale

WORSE_FACTOR = 2.0  # a snapshot is worse above this many times max(best so far, floor)
WINDOW = 10  # generator iterations before the onset interval that count as near it
COLLAPSE_FRACTION = 0.05  # collapsed critic: |W estimate| below this share of the reference
BAND_FACTOR = 3.0  # the estimate's excursions (reported): |W| above this x the reference
REFERENCE_OPTIMIZER = "rmsprop"  # with PAPER_LR: Algorithm 1's setting
LEVEL_EDGES: tuple[float, ...] = (0.0, 0.01, COLLAPSE_FRACTION, 0.2, 1.0, BAND_FACTOR, np.inf)
IMPROVE_FACTOR = 0.5  # a converged reference run ends at most this x its initial quality
FLAT_SHARE = 0.2  # ... and moved at most this share of its improvement in its last quarter
ADEQUATE_SHARE = 0.5  # share of a dataset's reference runs that must have converged
ALPHA = 0.05  # one-sided level of the stratified test
CONFIDENCE = 0.95  # of the Mantel-Haenszel risk difference's interval
QUALITY_COLUMNS: tuple[str, ...] = (*RUN_KEYS, "gen_iter", "quality")
"""Columns of the quality table the blow-ups are read from (one row per snapshot)."""


def _check_quality(quality: pd.DataFrame) -> None:
    missing = [column for column in QUALITY_COLUMNS if column not in quality]
    if missing:
        raise ValueError(
            f"The 'quality' parameter must have the columns {', '.join(QUALITY_COLUMNS)}. "
            f"Missing: {', '.join(missing)}."
        )


def worse_snapshots(quality: Sequence[float], floor: float, factor: float = WORSE_FACTOR
                    ) -> np.ndarray:
    """Which snapshots of one run are *worse* (module doc), in snapshot order.

    Parameters
    ----------
    quality : sequence of float
        The run's quality at its snapshots, oldest first (lower is better; NaN or inf
        for samples that are not finite).
    floor : float
        The measure for true samples.
    factor : float, default=WORSE_FACTOR

    Returns
    -------
    numpy.ndarray of bool
    """
    if not factor > 1 or not floor >= 0:
        raise ValueError(
            "The 'factor' parameter of worse_snapshots must exceed 1 and 'floor' be "
            f"non-negative. Got factor={factor!r}, floor={floor!r} instead."
        )
    q = np.asarray(quality, dtype=float)
    finite = np.isfinite(q)
    best = np.minimum.accumulate(np.where(finite, q, np.inf))
    with np.errstate(invalid="ignore"):
        return ~finite | (q > factor * np.maximum(best, floor))


def quality_blow_ups(sweep: Sweep, quality: pd.DataFrame, floors: Mapping[str, float],
                     factor: float = WORSE_FACTOR) -> pd.DataFrame:
    """Every run's blow-up by the definition of the module doc.

    Parameters
    ----------
    sweep : Sweep
    quality : pandas.DataFrame
        One row per snapshot of every run: :data:`QUALITY_COLUMNS`.
    floors : mapping of str to float
        The floor of each dataset of the sweep.
    factor : float, default=WORSE_FACTOR

    Returns
    -------
    pandas.DataFrame
        :attr:`Sweep.runs` indexed by :data:`~wgan.experiments.momentum.RUN_KEYS`, plus
        ``initial``, ``best`` and ``final`` quality (first, best finite and last snapshot),
        ``non_finite`` (samples not finite at a snapshot), ``blew_up``, ``onset`` and
        ``onset_from`` (generator iterations; NaN when the run did not blow up).

    Raises
    ------
    ValueError
        If a run has no snapshot in ``quality``, or a dataset no floor.
    """
    _check_quality(quality)
    runs = sweep.runs.set_index(list(RUN_KEYS))
    missing = sorted(set(runs.index.get_level_values("dataset")) - set(floors))
    if missing:
        raise ValueError(f"The 'floors' parameter has no floor for the datasets {missing}.")
    by_run = dict(tuple(quality.sort_values("gen_iter").groupby(list(RUN_KEYS), sort=False)))
    unmeasured = [keys for keys in runs.index if keys not in by_run]
    if unmeasured:
        raise ValueError(
            f"The 'quality' parameter has no snapshot of the runs {unmeasured[:3]}"
            f"{' and more' if len(unmeasured) > 3 else ''}."
        )
    rows = []
    for keys, run in runs.iterrows():
        snapshots = by_run[keys]
        q, iters = snapshots["quality"].to_numpy(float), snapshots["gen_iter"].to_numpy(float)
        worse = worse_snapshots(q, floors[keys[0]], factor)
        onset = onset_from = np.nan
        if worse[-1]:
            good = np.flatnonzero(~worse)
            first = good[-1] + 1 if good.size else 0
            onset, onset_from = iters[first], iters[max(first - 1, 0)]
        if run["status"] == "diverged" and not onset <= run["diverged_at"]:
            onset = onset_from = float(run["diverged_at"])
        finite = q[np.isfinite(q)]
        rows.append({"initial": q[0], "best": finite.min() if finite.size else np.nan,
                     "final": q[-1], "non_finite": bool((~np.isfinite(q)).any()),
                     "blew_up": bool(np.isfinite(onset)), "onset": onset,
                     "onset_from": onset_from})
    return runs.assign(**pd.DataFrame(rows, index=runs.index))


@dataclass(frozen=True)
class ReferenceAdequacy:
    """Whether the reference runs (RMSProp, alpha = 5e-5) converged, per dataset.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per reference run: ``dataset``, ``seed``, ``initial``, ``late`` (quality
        at the last snapshot at or before three quarters of the run), ``final``,
        ``improved``, ``flat``, ``learned`` (below the dataset's ``learned`` threshold, or
        True without one) and ``converged`` (all three).
    adequate : dict of str to bool
        Per dataset: at least :data:`ADEQUATE_SHARE` of its reference runs converged.
    """

    runs: pd.DataFrame
    adequate: dict[str, bool]

    @property
    def judged(self) -> tuple[str, ...]:
        """The datasets whose reference converged: the ones instability is judged on."""
        return tuple(dataset for dataset, ok in self.adequate.items() if ok)

    def describe(self) -> str:
        """Per dataset, the converged reference runs and their median qualities, in words."""
        parts = []
        for dataset, rows in self.runs.groupby("dataset", sort=False):
            parts.append(
                f"{dataset}: {int(rows['converged'].sum())} of {len(rows)} reference runs "
                f"converged (improved {int(rows['improved'].sum())}, flattened "
                f"{int(rows['flat'].sum())}, learned {int(rows['learned'].sum())}; median "
                f"quality {rows['initial'].median():.3g} at iteration 0, "
                f"{rows['late'].median():.3g} at three quarters, {rows['final'].median():.3g} "
                f"at the end)")
        return "; ".join(parts)


def reference_adequacy(quality: pd.DataFrame, learned: Mapping[str, float] | None = None
                       ) -> ReferenceAdequacy:
    """:class:`ReferenceAdequacy` of the reference runs in ``quality`` (module doc).

    Parameters
    ----------
    quality : pandas.DataFrame
        :data:`QUALITY_COLUMNS`, one row per snapshot; the reference runs are its rows
        with ``optimizer == "rmsprop"`` and ``lr == 5e-5``.
    learned : mapping of str to float or None, default=None
        Per dataset, the quality a converged reference run must end below (the digits:
        the FD of the Gaussian with the data's moments); a dataset without one has no
        such condition.

    Raises
    ------
    ValueError
        If ``quality`` holds no reference run for one of its datasets.
    """
    _check_quality(quality)
    learned = dict(learned or {})
    reference = quality[(quality["optimizer"] == REFERENCE_OPTIMIZER)
                        & (quality["lr"] == PAPER_LR)]
    missing = sorted(set(quality["dataset"]) - set(reference["dataset"]))
    if missing:
        raise ValueError(
            f"The 'quality' parameter has no reference run ({REFERENCE_OPTIMIZER}, "
            f"lr={PAPER_LR}) for the datasets {missing}."
        )
    rows = []
    for (dataset, seed), run in reference.sort_values("gen_iter").groupby(
            ["dataset", "seed"], sort=False):
        q, iters = run["quality"].to_numpy(float), run["gen_iter"].to_numpy(float)
        late = q[np.flatnonzero(iters <= 0.75 * iters[-1])[-1]]
        initial, final = q[0], q[-1]
        finite = bool(np.isfinite([initial, late, final]).all())
        improved = finite and final <= IMPROVE_FACTOR * initial
        rows.append({
            "dataset": dataset, "seed": seed, "initial": initial, "late": late, "final": final,
            "improved": improved,
            "flat": finite and late - final <= FLAT_SHARE * (initial - final),
            "learned": finite and final < learned.get(dataset, np.inf),
        })
    table = pd.DataFrame(rows)
    table["converged"] = table["improved"] & table["flat"] & table["learned"]
    share = table.groupby("dataset", sort=False)["converged"].mean()
    return ReferenceAdequacy(table, {d: bool(s >= ADEQUATE_SHARE) for d, s in share.items()})


@dataclass(frozen=True)
class Stratum:
    """One stratum's 2 x 2 table: blow-ups and runs of two groups.

    Attributes
    ----------
    label : str
        The stratum, in words (e.g. ``"ring8, lr 0.001"``).
    blown_a, runs_a : int
        Runs that blew up, and runs, of the group the claim says is less stable.
    blown_b, runs_b : int
        The same for the other group.
    """

    label: str
    blown_a: int
    runs_a: int
    blown_b: int
    runs_b: int

    def __post_init__(self) -> None:
        for group, blown, runs in (("a", self.blown_a, self.runs_a),
                                   ("b", self.blown_b, self.runs_b)):
            if not 0 <= blown <= runs:
                raise ValueError(
                    f"The counts of group {group} of stratum {self.label!r} must satisfy "
                    f"0 <= blown <= runs. Got blown={blown!r}, runs={runs!r} instead."
                )

    @property
    def total(self) -> int:
        """Runs of both groups."""
        return self.runs_a + self.runs_b

    @property
    def blown(self) -> int:
        """Blow-ups of both groups."""
        return self.blown_a + self.blown_b


@dataclass(frozen=True)
class StratifiedComparison:
    """Blow-ups of group ``a`` against group ``b`` within strata (module doc).

    Attributes
    ----------
    strata : tuple of Stratum
    observed : int
        Blow-ups of group ``a``, summed over the strata.
    expected : float
        Their expectation given every stratum's margins (no association).
    p_value : float
        One-sided exact conditional p-value: the probability, given the margins, of at
        least ``observed`` blow-ups in group ``a`` (1 without strata).
    risk_difference : float
        Mantel-Haenszel estimate of the common difference of blow-up rates, ``a`` minus
        ``b`` (NaN without a stratum holding both groups).
    low, high : float
        Its Greenland-Robins interval at :data:`CONFIDENCE`, clipped to [-1, 1].
    """

    strata: tuple[Stratum, ...]
    observed: int
    expected: float
    p_value: float
    risk_difference: float
    low: float
    high: float

    @property
    def more_often(self) -> bool:
        """Group ``a`` blew up more often than the margins lead one to expect."""
        return self.observed > self.expected + 1e-12

    @property
    def significant(self) -> bool:
        """:attr:`more_often`, with a p-value below :data:`ALPHA`."""
        return self.more_often and self.p_value < ALPHA

    def counts(self, name_a: str, name_b: str) -> str:
        """The pooled counts and the strata, in words."""
        runs_a, runs_b = sum(s.runs_a for s in self.strata), sum(s.runs_b for s in self.strata)
        blown_b = sum(s.blown_b for s in self.strata)
        strata = f"{len(self.strata)} {'stratum' if len(self.strata) == 1 else 'strata'}"
        return (f"{name_a} {self.observed}/{runs_a} runs blew up, {name_b} {blown_b}/{runs_b}"
                f" ({strata})")

    def describe(self, name_a: str, name_b: str) -> str:
        """The counts, the direction and the test, in words (no NaN)."""
        counts = self.counts(name_a, name_b)
        if not self.strata:
            return f"{counts}: no stratum to compare"
        if sum(s.blown for s in self.strata) == 0:
            return f"{counts}: no blow-up happened in either group"
        direction = ("more often" if self.more_often else
                     "less often" if self.observed < self.expected - 1e-12 else "as often")
        return (f"{counts}: {name_a} blew up {direction} than expected within strata "
                f"({self.observed} against {self.expected:.2f}; exact stratified "
                f"(Cochran-Mantel-Haenszel) test, one-sided, p = {self.p_value:.2g})")

    def interval(self, name_a: str, name_b: str) -> str:
        """The Mantel-Haenszel risk difference with its interval, in words (no NaN)."""
        if not np.isfinite(self.risk_difference):
            return f"blow-up rate {name_a} minus {name_b}: no stratum holds both groups"
        if sum(s.blown for s in self.strata) == 0:
            return f"blow-up rate {name_a} minus {name_b}: 0 (no blow-up in either group)"
        return (f"blow-up rate {name_a} minus {name_b} {self.risk_difference:+.2f} "
                f"[{self.low:+.2f}, {self.high:+.2f}] (Mantel-Haenszel over "
                f"{len(self.strata)} {'stratum' if len(self.strata) == 1 else 'strata'}, "
                f"Greenland-Robins {CONFIDENCE:.0%})")


def stratified_test(strata: Sequence[Stratum]) -> StratifiedComparison:
    """Exact stratified test and Mantel-Haenszel risk difference of ``strata``.

    Strata holding only one group carry no information and are dropped.

    Parameters
    ----------
    strata : sequence of Stratum

    Returns
    -------
    StratifiedComparison
    """
    kept = tuple(s for s in strata if s.runs_a and s.runs_b)
    observed = sum(s.blown_a for s in kept)
    expected = sum(s.runs_a * s.blown / s.total for s in kept)
    distribution = np.ones(1)  # of the summed blow-ups of group a, from 0
    for s in kept:
        support = np.arange(0, s.runs_a + 1)
        distribution = np.convolve(distribution, hypergeom.pmf(support, s.total, s.blown,
                                                               s.runs_a))
    p_value = float(min(1.0, distribution[observed:].sum())) if kept else 1.0
    weights = sum(s.runs_a * s.runs_b / s.total for s in kept)
    if not kept:
        return StratifiedComparison(kept, 0, 0.0, 1.0, np.nan, np.nan, np.nan)
    difference = sum((s.blown_a * s.runs_b - s.blown_b * s.runs_a) / s.total
                     for s in kept) / weights
    variance = sum((s.blown_a * (s.runs_a - s.blown_a) * s.runs_b ** 3
                    + s.blown_b * (s.runs_b - s.blown_b) * s.runs_a ** 3)
                   / (s.runs_a * s.runs_b * s.total ** 2) for s in kept) / weights ** 2
    half = norm.ppf(0.5 + CONFIDENCE / 2) * np.sqrt(variance)
    return StratifiedComparison(kept, observed, expected, p_value, float(difference),
                                float(max(-1.0, difference - half)),
                                float(min(1.0, difference + half)))


def momentum_strata(blowups: pd.DataFrame, datasets: Sequence[str]) -> list[Stratum]:
    """One stratum per (dataset, learning rate) of ``datasets``: runs with momentum (Adam,
    beta1 > 0) against runs without (RMSProp, Adam beta1 = 0).

    Parameters
    ----------
    blowups : pandas.DataFrame
        From :func:`quality_blow_ups` (``beta1`` NaN for RMSProp).
    datasets : sequence of str
    """
    table = blowups.reset_index()
    table = table[table["dataset"].isin(datasets)]
    momentum = table["beta1"] > 0
    strata = []
    for (dataset, lr), rows in table.groupby(["dataset", "lr"], sort=False):
        a, b = rows[momentum.loc[rows.index]], rows[~momentum.loc[rows.index]]
        strata.append(Stratum(f"{dataset}, lr {lr:g}", int(a["blew_up"].sum()), len(a),
                              int(b["blew_up"].sum()), len(b)))
    return strata


def high_lr_strata(blowups: pd.DataFrame, datasets: Sequence[str]) -> list[Stratum]:
    """One stratum per (dataset, optimizer) of ``datasets``: the sweep's highest learning
    rate against alpha = 5e-5 (the high-learning-rate clause, reported)."""
    table = blowups.reset_index()
    table = table[table["dataset"].isin(datasets)]
    highest = table["lr"].max() if len(table) else np.nan
    strata = []
    for (dataset, optimizer), rows in table.groupby(["dataset", "optimizer"], sort=False):
        a, b = rows[rows["lr"] == highest], rows[rows["lr"] == PAPER_LR]
        strata.append(Stratum(f"{dataset}, {optimizer}", int(a["blew_up"].sum()), len(a),
                              int(b["blew_up"].sum()), len(b)))
    return strata


def reference_levels(sweep: Sweep) -> pd.Series:
    """Largest finite |w_estimate| of the reference run (RMSProp, alpha = 5e-5), per run seed.

    Returns
    -------
    pandas.Series
        Indexed by ``(dataset, seed)``, in the units of the W estimate.

    Raises
    ------
    ValueError
        If the sweep lacks the reference run for a (dataset, seed) it holds.
    """
    metrics = sweep.metrics
    ref = metrics[(metrics["optimizer"] == REFERENCE_OPTIMIZER) & (metrics["lr"] == PAPER_LR)]
    finite = ref[np.isfinite(ref["w_estimate"])]
    levels = finite["w_estimate"].abs().groupby([finite["dataset"], finite["seed"]]).max()
    missing = sorted(set(zip(sweep.runs["dataset"], sweep.runs["seed"], strict=True))
                     - set(levels.index))
    if missing:
        raise ValueError(
            f"The sweep has no finite reference run ({REFERENCE_OPTIMIZER}, lr={PAPER_LR}) for "
            f"(dataset, seed) {missing}. Include lr={PAPER_LR} in the sweep's learning rates."
        )
    return levels


def _levels(sweep: Sweep) -> np.ndarray:
    """|W estimate| over the reference level, for each row of ``sweep.metrics``."""
    index = pd.MultiIndex.from_frame(sweep.metrics[["dataset", "seed"]])
    reference = reference_levels(sweep).reindex(index).to_numpy()
    return sweep.metrics["w_estimate"].abs().to_numpy() / reference


def estimate_excursions(sweep: Sweep, factor: float = BAND_FACTOR) -> pd.Series:
    """First iteration of every run whose W estimate left its band (reported, not judged).

    The band is ``factor`` times the reference level (:func:`reference_levels`) either
    side of 0; a non-finite estimate is outside it.

    Returns
    -------
    pandas.Series
        Indexed by :data:`~wgan.experiments.momentum.RUN_KEYS`: the generator iteration,
        NaN for a run that stayed in its band.
    """
    if not factor > 0:
        raise ValueError(
            f"The 'factor' parameter of estimate_excursions must be positive. Got {factor!r}.")
    metrics = sweep.metrics
    level = _levels(sweep)
    outside = metrics[~np.isfinite(metrics["w_estimate"].to_numpy()) | (level > factor)]
    first = outside.groupby(list(RUN_KEYS))["gen_iter"].min()
    return first.reindex(sweep.runs.set_index(list(RUN_KEYS)).index).astype(float)


def mark_iterations(sweep: Sweep, blowups: pd.DataFrame, window: int = WINDOW
                    ) -> pd.DataFrame:
    """The sweep's metrics with the definitions of this module as columns.

    Parameters
    ----------
    sweep : Sweep
    blowups : pandas.DataFrame
        From :func:`quality_blow_ups`.
    window : int, default=WINDOW
        Generator iterations before the onset interval that count as unstable and near.

    Returns
    -------
    pandas.DataFrame
        :attr:`Sweep.metrics` plus ``level`` (|W estimate| over the reference level),
        ``unstable`` (at or after ``onset_from - window`` in a run that blew up),
        ``near`` (within ``window`` of the onset interval ``[onset_from, onset]``),
        ``collapsed`` and ``negative_cos`` (bool).
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ValueError(
            f"The 'window' parameter of mark_iterations must be a non-negative int. Got "
            f"{window!r} instead."
        )
    marked = sweep.metrics.copy()
    marked["level"] = _levels(sweep)
    marked["collapsed"] = marked["level"] < COLLAPSE_FRACTION
    marked["negative_cos"] = marked["update_cos_neg_frac"] > 0
    index = pd.MultiIndex.from_frame(marked[list(RUN_KEYS)])
    start = blowups["onset_from"].reindex(index).to_numpy() - window
    end = blowups["onset"].reindex(index).to_numpy() + window
    iters = marked["gen_iter"].to_numpy()
    with np.errstate(invalid="ignore"):
        marked["unstable"] = iters >= start
        marked["near"] = (iters >= start) & (iters <= end)
    return marked


@dataclass(frozen=True)
class CosineEvidence:
    """The numbers of the cosine clause, over the judged datasets' runs with momentum.

    Attributes
    ----------
    blowups_momentum : int
        Runs with momentum (Adam, beta1 > 0) that blew up.
    negative_before, negative_at : int
        Those with a negative-cosine iteration in the ``WINDOW`` iterations before the
        onset interval, and in the interval or the ``WINDOW`` iterations after the onset.
    negative_near : int
        Those with either.
    negative_unstable, iterations_unstable : int
        Negative-cosine iterations, and iterations, in unstable stretches of momentum runs.
    negative_stable, iterations_stable : int
        The same in stable iterations of momentum runs.
    negative_plain : int
        Negative-cosine iterations of the runs without momentum (0 by construction).
    negative_collapsed, iterations_collapsed : int
        Negative-cosine iterations, and iterations, of momentum runs whose critic had
        collapsed (|W| below ``COLLAPSE_FRACTION`` of the reference level).
    """

    blowups_momentum: int
    negative_before: int
    negative_at: int
    negative_near: int
    negative_unstable: int
    iterations_unstable: int
    negative_stable: int
    iterations_stable: int
    negative_plain: int
    negative_collapsed: int
    iterations_collapsed: int

    @property
    def negative_rate_unstable(self) -> float:
        """Fraction of unstable iterations of momentum runs with a negative cosine."""
        return self.negative_unstable / self.iterations_unstable if self.iterations_unstable \
            else float("nan")

    @property
    def negative_rate_stable(self) -> float:
        """Fraction of stable iterations of momentum runs with a negative cosine."""
        return self.negative_stable / self.iterations_stable if self.iterations_stable \
            else float("nan")


def cosine_evidence(sweep: Sweep, blowups: pd.DataFrame, datasets: Sequence[str],
                    window: int = WINDOW) -> CosineEvidence:
    """The counts of :class:`CosineEvidence` on the runs of ``datasets``."""
    marked = mark_iterations(sweep, blowups, window)
    marked = marked[marked["dataset"].isin(datasets)]
    runs = blowups.reset_index()
    momentum_keys = runs.loc[runs["beta1"] > 0, "optimizer"].unique()
    momentum = marked[marked["optimizer"].isin(momentum_keys)]
    table = blow_up_table(sweep, blowups, window)
    table = table[(table["beta1"] > 0) & table["dataset"].isin(datasets)]
    before, at = table["negative before"] > 0, table["negative from onset"] > 0
    return CosineEvidence(
        blowups_momentum=len(table),
        negative_before=int(before.sum()),
        negative_at=int(at.sum()),
        negative_near=int((before | at).sum()),
        negative_unstable=int((momentum["negative_cos"] & momentum["unstable"]).sum()),
        iterations_unstable=int(momentum["unstable"].sum()),
        negative_stable=int((momentum["negative_cos"] & ~momentum["unstable"]).sum()),
        iterations_stable=int((~momentum["unstable"]).sum()),
        negative_plain=int(marked.loc[~marked["optimizer"].isin(momentum_keys),
                                      "negative_cos"].sum()),
        negative_collapsed=int((momentum["negative_cos"] & momentum["collapsed"]).sum()),
        iterations_collapsed=int(momentum["collapsed"].sum()),
    )


def blow_up_table(sweep: Sweep, blowups: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """The runs that blew up, with the negative-cosine iterations around their onsets.

    Returns
    -------
    pandas.DataFrame
        One row per run that blew up: :data:`~wgan.experiments.momentum.RUN_KEYS`,
        ``label``, ``beta1``, ``status``, ``onset_from``, ``onset``, ``best`` and ``final``
        quality, ``negative before`` (negative-cosine iterations among the ``window``
        iterations before ``onset_from``) and ``negative from onset`` (from ``onset_from``
        to ``window`` iterations after the onset).
    """
    blown = blowups[blowups["blew_up"]]
    marked = mark_iterations(sweep, blowups, window)
    negative = marked[marked["negative_cos"]].set_index(list(RUN_KEYS))["gen_iter"]
    before, after = [], []
    for keys, run in blown.iterrows():
        at = negative.loc[[keys]].to_numpy() if keys in negative.index else np.array([])
        before.append(int(((at >= run["onset_from"] - window) & (at < run["onset_from"])).sum()))
        after.append(int(((at >= run["onset_from"]) & (at <= run["onset"] + window)).sum()))
    return blown.assign(**{"negative before": before, "negative from onset": after})[
        ["label", "beta1", "status", "onset_from", "onset", "best", "final",
         "negative before", "negative from onset"]
    ].reset_index()


def summary_table(sweep: Sweep, blowups: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, optimizer, learning rate), seeds counted.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``optimizer`` (label), ``lr``, ``runs`` (seeds),
        ``diverged`` (stopped by the non-finite guard), ``blew up`` (sample quality),
        ``median onset`` (generator iteration, over the runs that blew up), ``median
        final quality``, ``left the estimate's band`` (runs, reported:
        :func:`estimate_excursions`), ``negative-cosine iterations`` (fraction, over all
        iterations of the runs) and ``min cosine``.
    """
    runs = blowups.assign(band=estimate_excursions(sweep).notna()).reset_index()
    cosines = sweep.metrics.groupby(["dataset", "optimizer", "lr"]).agg(
        negative=("update_cos_neg_frac", lambda v: float((v > 0).mean())),
        min_cos=("update_cos_min", "min"))
    table = runs.groupby(["dataset", "optimizer", "lr"], sort=False).agg(
        label=("label", "first"), runs=("seed", "size"),
        diverged=("status", lambda v: int((v == "diverged").sum())),
        blew_up=("blew_up", "sum"), onset=("onset", "median"), final=("final", "median"),
        band=("band", "sum"),
    ).join(cosines).reset_index()
    return table.drop(columns="optimizer").rename(columns={
        "label": "optimizer", "blew_up": "blew up", "onset": "median onset",
        "final": "median final quality", "band": "left the estimate's band",
        "negative": "negative-cosine iterations", "min_cos": "min cosine",
    })[["dataset", "optimizer", "lr", "runs", "diverged", "blew up", "median onset",
        "median final quality", "left the estimate's band", "negative-cosine iterations",
        "min cosine"]]


def negative_cosine_by_level(sweep: Sweep, edges: tuple[float, ...] = LEVEL_EDGES
                             ) -> pd.DataFrame:
    """Where the negative cosines of the momentum runs are, by |W estimate| / reference level.

    Parameters
    ----------
    sweep : Sweep
    edges : tuple of float, default=LEVEL_EDGES
        Increasing bin edges of |W| / reference level, from 0.

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``|W| / reference`` (the bin, as text), ``iterations``,
        ``negative-cosine iterations`` and ``share`` (their fraction; NaN for an empty bin).
    """
    metrics = sweep.metrics.assign(level=_levels(sweep),
                                   negative_cos=sweep.metrics["update_cos_neg_frac"] > 0)
    momentum = metrics[metrics["optimizer"].isin(
        sweep.runs.loc[sweep.runs["beta1"] > 0, "optimizer"].unique())]
    bins = pd.cut(momentum["level"], list(edges), right=False)
    grouped = momentum.groupby(bins, observed=False)["negative_cos"].agg(["size", "sum"])
    return pd.DataFrame({
        "|W| / reference": [f"[{i.left:g}, {i.right:g})" for i in grouped.index],
        "iterations": grouped["size"].to_numpy(),
        "negative-cosine iterations": grouped["sum"].astype(int).to_numpy(),
        "share": (grouped["sum"] / grouped["size"].where(grouped["size"] > 0)).to_numpy(),
    })


def share_in_words(count: int, total: int, what: str) -> str:
    """``"12.0% of 250 <what>"``, or ``"no <what>"`` when ``total`` is 0 (never NaN)."""
    return f"{count / total:.1%} of {total} {what}" if total else f"no {what}"


def cosine_clause(evidence: CosineEvidence) -> bool:
    """The cosine part of the claim: at least half of the momentum blow-ups have a
    negative-cosine iteration near their onset, and negative cosines are at least twice
    as frequent in unstable stretches as in stable ones (false when momentum never blew
    up: nothing to go with)."""
    e = evidence
    if e.blowups_momentum == 0 or e.iterations_unstable == 0:
        return False
    stable = e.negative_rate_stable if e.iterations_stable else 0.0
    return 2 * e.negative_near >= e.blowups_momentum and e.negative_rate_unstable >= 2 * stable


def verdict(blowups: pd.DataFrame, evidence: CosineEvidence, adequacy: ReferenceAdequacy,
            scale: Scale, *, larger: str) -> Judgement:
    """The claim's judgement (``CLAIMS["momentum"]``).

    On the datasets whose reference converged (:attr:`ReferenceAdequacy.judged`), runs
    with momentum are compared with runs without within each learning rate
    (:func:`momentum_strata`, :func:`stratified_test`); the cosine clause is
    :func:`cosine_clause` on the same datasets.

    - *reproduced*: momentum blew up more often than expected within strata, p <
      :data:`ALPHA`, and the cosine clause holds;
    - *partly reproduced*: more often, but not significantly or without the cosine clause;
    - *not reproduced*: not more often (also when nothing blew up);
    - *not tested at this scale*: at ``smoke``, and when no dataset's reference converged
      (``adequate=False``, naming ``larger``).

    The high-learning-rate clause (highest learning rate against alpha = 5e-5 within each
    optimizer, the same test) is reported and never moves the verdict.

    Parameters
    ----------
    blowups : pandas.DataFrame
        From :func:`quality_blow_ups`.
    evidence : CosineEvidence
        From :func:`cosine_evidence` on ``adequacy.judged``.
    adequacy : ReferenceAdequacy
    scale : Scale
    larger : str
        The scale, in words, whose runs would test the claim where this one's do not.

    Returns
    -------
    Judgement
    """
    judged = adequacy.judged
    if scale.name == "smoke" or not judged:
        why = ("smoke runs are a code path, too short to converge" if scale.name == "smoke"
               else "the reference runs did not converge")
        counted = stratified_test(momentum_strata(blowups, list(adequacy.adequate))).counts(
            "Adam beta1>0", "RMSProp or Adam beta1=0")
        return Judgement(
            NOT_TESTED, f"{why}, so nothing was judged; counted on every measured dataset: "
            f"{counted}", adequate=False,
            adequacy=f"{adequacy.describe()}; {larger} would test it")
    momentum = stratified_test(momentum_strata(blowups, judged))
    high_lr = stratified_test(high_lr_strata(blowups, judged))
    e = evidence
    cosine = cosine_clause(e)
    left_out = [d for d in adequacy.adequate if d not in judged]
    if e.blowups_momentum:
        near = (f"negative cosine near the onset of {e.negative_near}/{e.blowups_momentum} "
                f"momentum blow-ups (before {e.negative_before}, from the onset interval on "
                f"{e.negative_at})")
    else:
        near = "no momentum run blew up, so no onset to hold the cosine against"
    unstable = share_in_words(e.negative_unstable, e.iterations_unstable, "unstable iterations")
    stable = share_in_words(e.negative_stable, e.iterations_stable, "stable iterations")
    measured = (
        f"judged on {', '.join(judged)}"
        + (f" ({', '.join(left_out)} left out: its reference did not converge)"
           if left_out else "")
        + f"; momentum clause (the verdict): "
        f"{momentum.describe('Adam beta1>0', 'RMSProp or Adam beta1=0')}; "
        "high-learning-rate clause (reported, not judged): "
        f"{high_lr.describe('highest lr', 'lr 5e-5')}; {near}; negative-cosine iterations of "
        f"momentum runs: {unstable} vs {stable}; none without momentum ({e.negative_plain}); "
        f"cosine clause {'holds' if cosine else 'does not hold'}"
    )
    result = ("not reproduced" if not momentum.more_often else
              "reproduced" if momentum.significant and cosine else "partly reproduced")
    return Judgement(result, measured, adequate=True, adequacy=adequacy.describe())
