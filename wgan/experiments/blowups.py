"""Blow-ups of a WGAN run, defined operationally, and their relation to the update cosine.

The paper says the loss "blew up" (Section 4.3 of [1]) without a definition. Ours, used
everywhere in the book:

    A run is *outside its band* at generator iteration t when its Wasserstein estimate
    ``w_estimate`` (f(real) - f(fake) on the critic's batch, the quantity of Figure 4) is
    not finite, or exceeds in absolute value ``BAND_FACTOR`` times the *reference level*:
    the largest |w_estimate| of the run with Algorithm 1's own setting (RMSProp, alpha =
    5e-5) on the same dataset with the same seed. A run *blows up* at the first such
    iteration, its *onset*; a run stopped by the run loop's non-finite guard
    (``status == "diverged"``) blows up at the iteration it stopped, if not before.

Weight clipping bounds the critic, so the estimate cannot grow without bound while the
generator stays in place; leaving the band means the critic's loss jumped far beyond
anything the paper's setting reaches (a generator thrown far from the data, a critic
flipping sign) or overflowed.

The *unstable stretch* of a run is every iteration within ``WINDOW`` generator iterations
of an out-of-band iteration (and of a divergence); the other iterations are *stable*.
An iteration has a *negative cosine* when at least one of its critic steps moved the
critic's weights against the gradient (``update_cos_neg_frac > 0``,
:mod:`wgan.training.instrument`).

The opposite of a blow-up is also tracked: the critic has *collapsed* at an iteration
when its |estimate| is below ``COLLAPSE_FRACTION`` of the reference level (the critic no
longer separates real from fake, whether or not the generator is good).

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest, fisher_exact

from wgan.experiments.momentum import PAPER_LR, RUN_KEYS, Sweep
from wgan.plan.scale import Scale

BAND_FACTOR = 3.0  # out of band: |W estimate| above this many times the reference level
WINDOW = 10  # generator iterations either side of an out-of-band iteration
COLLAPSE_FRACTION = 0.05  # collapsed critic: |W estimate| below this share of the reference
REFERENCE_OPTIMIZER = "rmsprop"  # with PAPER_LR: Algorithm 1's setting
LEVEL_EDGES: tuple[float, ...] = (0.0, 0.01, COLLAPSE_FRACTION, 0.2, 1.0, BAND_FACTOR, np.inf)


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


def _reference_per_row(sweep: Sweep) -> np.ndarray:
    """The reference level of each row of ``sweep.metrics``, shape (rows,)."""
    index = pd.MultiIndex.from_frame(sweep.metrics[["dataset", "seed"]])
    return reference_levels(sweep).reindex(index).to_numpy()


def _outside(w: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Out of band: not finite, or |w| above ``band`` (same shapes, boolean result)."""
    return ~np.isfinite(w) | (np.abs(w) > band)


def mark_iterations(sweep: Sweep, factor: float = BAND_FACTOR, window: int = WINDOW
                    ) -> pd.DataFrame:
    """The sweep's metrics with the definitions of this module as columns.

    Parameters
    ----------
    sweep : Sweep
    factor : float, default=BAND_FACTOR
        Half-width of the band, in reference levels.
    window : int, default=WINDOW
        Generator iterations either side of an out-of-band iteration that count as unstable.

    Returns
    -------
    pandas.DataFrame
        :attr:`Sweep.metrics` plus ``level`` (|W estimate| over the reference level),
        ``band`` (float), ``outside`` (bool), ``unstable`` (bool), ``collapsed`` (bool)
        and ``negative_cos`` (bool).
    """
    if not factor > 0 or not isinstance(window, int) or window < 0:
        raise ValueError(
            "The 'factor' parameter of mark_iterations must be positive and 'window' a "
            f"non-negative int. Got factor={factor!r}, window={window!r} instead."
        )
    marked = sweep.metrics.copy()
    reference = _reference_per_row(sweep)
    marked["level"] = marked["w_estimate"].abs().to_numpy() / reference
    marked["band"] = factor * reference
    marked["outside"] = _outside(marked["w_estimate"].to_numpy(), factor * reference)
    marked["collapsed"] = marked["level"] < COLLAPSE_FRACTION
    marked["negative_cos"] = marked["update_cos_neg_frac"] > 0
    onsets = blow_up_onsets(sweep, factor)
    unstable = np.zeros(len(marked), dtype=bool)
    for keys, rows in marked.groupby(list(RUN_KEYS), sort=False):
        centres = rows.loc[rows["outside"], "gen_iter"].to_numpy()
        diverged_at = onsets.loc[keys, "diverged_at"]
        if np.isfinite(diverged_at):
            centres = np.append(centres, diverged_at)
        if centres.size:
            distance = np.abs(rows["gen_iter"].to_numpy()[:, None] - centres[None, :]).min(axis=1)
            unstable[marked.index.get_indexer(rows.index)] = distance <= window
    marked["unstable"] = unstable
    return marked


def blow_up_onsets(sweep: Sweep, factor: float = BAND_FACTOR) -> pd.DataFrame:
    """First out-of-band iteration of every run, or the iteration its divergence stopped it.

    Returns
    -------
    pandas.DataFrame
        :attr:`Sweep.runs` indexed by :data:`~wgan.experiments.momentum.RUN_KEYS`, plus
        ``reference`` (the level of :func:`reference_levels`), ``blew_up`` (bool) and
        ``onset`` (generator iteration, NaN when the run stayed in its band).
    """
    levels = reference_levels(sweep)
    runs = sweep.runs.set_index(list(RUN_KEYS))
    metrics = sweep.metrics
    band = factor * _reference_per_row(sweep)
    outside = metrics[_outside(metrics["w_estimate"].to_numpy(), band)]
    first = outside.groupby(list(RUN_KEYS))["gen_iter"].min()
    onset = pd.concat([first.reindex(runs.index), runs["diverged_at"]], axis=1).min(axis=1)
    return runs.assign(
        reference=levels.reindex(pd.MultiIndex.from_arrays(
            [runs.index.get_level_values("dataset"), runs.index.get_level_values("seed")]
        )).to_numpy(),
        blew_up=onset.notna(),
        onset=onset,
    )


def blow_up_table(sweep: Sweep, factor: float = BAND_FACTOR, window: int = WINDOW
                  ) -> pd.DataFrame:
    """The runs that blew up, with the negative-cosine iterations around their onsets.

    Returns
    -------
    pandas.DataFrame
        One row per run that blew up: :data:`~wgan.experiments.momentum.RUN_KEYS`, ``label``,
        ``beta1``, ``status``, ``onset``, ``negative before`` (negative-cosine iterations
        among the ``window`` iterations before the onset) and ``negative from onset``
        (among the onset and the ``window`` iterations after it).
    """
    onsets = blow_up_onsets(sweep, factor)
    blown = onsets[onsets["blew_up"]]
    negative = mark_iterations(sweep, factor, window).set_index(list(RUN_KEYS))
    negative = negative.loc[negative["negative_cos"], "gen_iter"]
    before, after = [], []
    for keys, onset in blown["onset"].items():
        at = negative.loc[[keys]].to_numpy() - onset if keys in negative.index else np.array([])
        before.append(int(((at >= -window) & (at < 0)).sum()))
        after.append(int(((at >= 0) & (at <= window)).sum()))
    return blown.assign(**{"negative before": before, "negative from onset": after})[
        ["label", "beta1", "status", "onset", "negative before", "negative from onset"]
    ].reset_index()


def summary_table(sweep: Sweep, factor: float = BAND_FACTOR) -> pd.DataFrame:
    """One row per (dataset, optimizer, learning rate), seeds counted.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``optimizer`` (label), ``lr``, ``runs`` (seeds),
        ``diverged`` (stopped by the non-finite guard), ``blew up``, ``median onset``
        (generator iteration, over the runs that blew up), ``final W`` (median over runs of
        the median W estimate of each run's last 10% of iterations), ``negative-cosine
        iterations`` (fraction, over all iterations of the runs) and ``min cosine``.
    """
    onsets = blow_up_onsets(sweep, factor).reset_index()
    metrics = sweep.metrics
    length = metrics.groupby(list(RUN_KEYS))["gen_iter"].transform("max")
    last = metrics[metrics["gen_iter"] > 0.9 * length]
    finals = last.groupby(list(RUN_KEYS))["w_estimate"].median().rename("final")
    onsets = onsets.join(finals, on=list(RUN_KEYS))
    cosines = metrics.groupby(["dataset", "optimizer", "lr"]).agg(
        negative=("update_cos_neg_frac", lambda v: float((v > 0).mean())),
        min_cos=("update_cos_min", "min"))
    table = onsets.groupby(["dataset", "optimizer", "lr"], sort=False).agg(
        label=("label", "first"), runs=("seed", "size"),
        diverged=("status", lambda v: int((v == "diverged").sum())),
        blew_up=("blew_up", "sum"), onset=("onset", "median"), final=("final", "median"),
    ).join(cosines).reset_index()
    return table.drop(columns="optimizer").rename(columns={
        "label": "optimizer", "blew_up": "blew up", "onset": "median onset",
        "final": "final W", "negative": "negative-cosine iterations", "min_cos": "min cosine",
    })[["dataset", "optimizer", "lr", "runs", "diverged", "blew up", "median onset",
        "final W", "negative-cosine iterations", "min cosine"]]


@dataclass(frozen=True)
class CosineEvidence:
    """The numbers that answer Section 4.3's claim, pooled over datasets and seeds.

    Attributes
    ----------
    blowups_momentum, runs_momentum : int
        Runs that blew up, and runs, with Adam and beta1 > 0.
    blowups_plain, runs_plain : int
        The same without momentum (RMSProp, Adam with beta1 = 0).
    blowups_high_lr, runs_high_lr : int
        The same at the sweep's highest learning rate (all optimizers).
    blowups_paper_lr, runs_paper_lr : int
        The same at alpha = 5e-5 (all optimizers).
    negative_before, negative_at : int
        Momentum blow-ups with a negative-cosine iteration in the ``WINDOW`` iterations
        before the onset, and in the onset and the ``WINDOW`` iterations after it.
    negative_near : int
        Momentum blow-ups with either.
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
    runs_momentum: int
    blowups_plain: int
    runs_plain: int
    blowups_high_lr: int
    runs_high_lr: int
    blowups_paper_lr: int
    runs_paper_lr: int
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

    @property
    def negative_total(self) -> int:
        """Negative-cosine iterations of momentum runs."""
        return self.negative_unstable + self.negative_stable

    @property
    def negative_rate_collapsed(self) -> float:
        """Fraction of the collapsed-critic iterations of momentum runs with a negative cosine."""
        return self.negative_collapsed / self.iterations_collapsed if self.iterations_collapsed \
            else float("nan")

    @property
    def negative_rate_healthy(self) -> float:
        """The same fraction over the other iterations of momentum runs."""
        healthy = self.iterations_unstable + self.iterations_stable - self.iterations_collapsed
        return (self.negative_total - self.negative_collapsed) / healthy if healthy \
            else float("nan")


def cosine_evidence(sweep: Sweep, factor: float = BAND_FACTOR, window: int = WINDOW
                    ) -> CosineEvidence:
    """Count blow-ups per setting and negative cosines near them (definitions: module doc)."""
    onsets = blow_up_onsets(sweep, factor).reset_index()
    marked = mark_iterations(sweep, factor, window)
    momentum_runs = onsets["beta1"] > 0
    momentum_rows = marked["optimizer"].isin(onsets.loc[momentum_runs, "optimizer"].unique())
    high, paper = onsets["lr"] == onsets["lr"].max(), onsets["lr"] == PAPER_LR
    blown = blow_up_table(sweep, factor, window)
    blown = blown[blown["beta1"] > 0]
    has_before, has_at = blown["negative before"] > 0, blown["negative from onset"] > 0
    before, at, near = int(has_before.sum()), int(has_at.sum()), int((has_before | has_at).sum())
    momentum = marked[momentum_rows]
    return CosineEvidence(
        blowups_momentum=int(onsets.loc[momentum_runs, "blew_up"].sum()),
        runs_momentum=int(momentum_runs.sum()),
        blowups_plain=int(onsets.loc[~momentum_runs, "blew_up"].sum()),
        runs_plain=int((~momentum_runs).sum()),
        blowups_high_lr=int(onsets.loc[high, "blew_up"].sum()),
        runs_high_lr=int(high.sum()),
        blowups_paper_lr=int(onsets.loc[paper, "blew_up"].sum()),
        runs_paper_lr=int(paper.sum()),
        negative_before=before,
        negative_at=at,
        negative_near=near,
        negative_unstable=int((momentum["negative_cos"] & momentum["unstable"]).sum()),
        iterations_unstable=int(momentum["unstable"].sum()),
        negative_stable=int((momentum["negative_cos"] & ~momentum["unstable"]).sum()),
        iterations_stable=int((~momentum["unstable"]).sum()),
        negative_plain=int(marked.loc[~momentum_rows, "negative_cos"].sum()),
        negative_collapsed=int((momentum["negative_cos"] & momentum["collapsed"]).sum()),
        iterations_collapsed=int(momentum["collapsed"].sum()),
    )


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
    marked = mark_iterations(sweep)
    momentum = marked[marked["optimizer"].isin(
        sweep.runs.loc[sweep.runs["beta1"] > 0, "optimizer"].unique())]
    bins = pd.cut(momentum["level"], list(edges), right=False)
    grouped = momentum.groupby(bins, observed=False)["negative_cos"].agg(["size", "sum"])
    return pd.DataFrame({
        "|W| / reference": [f"[{i.left:g}, {i.right:g})" for i in grouped.index],
        "iterations": grouped["size"].to_numpy(),
        "negative-cosine iterations": grouped["sum"].astype(int).to_numpy(),
        "share": (grouped["sum"] / grouped["size"].where(grouped["size"] > 0)).to_numpy(),
    })


MOMENTUM_ALPHA = 0.05  # one-sided Fisher exact test: momentum runs blow up more often


@dataclass(frozen=True)
class BlowUpComparison:
    """Blow-up counts of two groups of runs, compared with a one-sided Fisher exact test.

    Attributes
    ----------
    blown_a, runs_a : int
        Runs that blew up, and runs, of the group the claim says is less stable.
    blown_b, runs_b : int
        The same for the other group.
    p_value : float
        One-sided p-value of Fisher's exact test on the 2 x 2 table, alternative: group
        ``a`` blows up more often than group ``b`` (1 when neither group has runs).
    """

    blown_a: int
    runs_a: int
    blown_b: int
    runs_b: int
    p_value: float

    @property
    def more_often(self) -> bool:
        """Group ``a``'s blow-up rate is strictly above group ``b``'s."""
        return self.blown_a * max(self.runs_b, 1) > self.blown_b * max(self.runs_a, 1) \
            and self.runs_a > 0

    @property
    def significant(self) -> bool:
        """:attr:`more_often`, with a p-value below :data:`MOMENTUM_ALPHA`."""
        return self.more_often and self.p_value < MOMENTUM_ALPHA

    def describe(self, name_a: str, name_b: str) -> str:
        """The counts, their direction and the test, in words (no NaN)."""
        counts = (f"{name_a} {self.blown_a}/{self.runs_a} runs blew up, {name_b} "
                  f"{self.blown_b}/{self.runs_b}")
        if self.blown_a + self.blown_b == 0:
            return f"{counts}: no blow-up happened in either group"
        direction = ("more often" if self.more_often else
                     "as often" if self.blown_a * self.runs_b == self.blown_b * self.runs_a
                     else "less often")
        return (f"{counts}: {name_a} blew up {direction} (one-sided Fisher exact test, "
                f"p = {self.p_value:.2g})")


    def intervals(self, name_a: str, name_b: str) -> str:
        """Each group's blow-up rate with its exact (Clopper-Pearson) 95% interval."""
        parts = []
        for name, blown, runs in ((name_a, self.blown_a, self.runs_a),
                                  (name_b, self.blown_b, self.runs_b)):
            if runs:
                ci = binomtest(blown, runs).proportion_ci(0.95, method="exact")
                parts.append(f"{name} {blown}/{runs} [{ci.low:.0%}, {ci.high:.0%}]")
            else:
                parts.append(f"{name}: no runs")
        return "blow-up rate " + ", ".join(parts) + " (Clopper-Pearson, 95%)"


def compare_blow_ups(blown_a: int, runs_a: int, blown_b: int, runs_b: int) -> BlowUpComparison:
    """:class:`BlowUpComparison` of two groups' counts (Fisher's exact test, one-sided)."""
    for name, (blown, runs) in {"a": (blown_a, runs_a), "b": (blown_b, runs_b)}.items():
        if not 0 <= blown <= runs:
            raise ValueError(
                f"The counts of group {name} of compare_blow_ups must satisfy 0 <= blown <= "
                f"runs. Got blown={blown!r}, runs={runs!r} instead."
            )
    p_value = 1.0
    if runs_a and runs_b:
        table = [[blown_a, runs_a - blown_a], [blown_b, runs_b - blown_b]]
        p_value = float(fisher_exact(table, alternative="greater").pvalue)
    return BlowUpComparison(blown_a, runs_a, blown_b, runs_b, p_value)


def share_in_words(count: int, total: int, what: str) -> str:
    """``"12.0% of 250 <what>"``, or ``"no <what>"`` when ``total`` is 0 (never NaN)."""
    return f"{count / total:.1%} of {total} {what}" if total else f"no {what}"


def cosine_clause(evidence: CosineEvidence) -> bool:
    """The cosine part of the claim: at least half of the momentum blow-ups have a
    negative-cosine iteration within ``WINDOW`` iterations of their onset, and negative
    cosines are at least twice as frequent in unstable stretches as in stable ones (false
    when momentum never blew up: nothing to go with)."""
    e = evidence
    if e.blowups_momentum == 0 or e.iterations_unstable == 0:
        return False
    stable = e.negative_rate_stable if e.iterations_stable else 0.0
    return 2 * e.negative_near >= e.blowups_momentum and e.negative_rate_unstable >= 2 * stable


def verdict(evidence: CosineEvidence, scale: Scale) -> tuple[str, str]:
    """The claim's verdict and the measured sentence, computed from ``evidence``.

    The rule, declared before the runs (``CLAIMS["momentum"]``). The claim's main
    statement is the momentum clause: runs with momentum (Adam, beta1 > 0) blow up more
    often than runs without (RMSProp, Adam with beta1 = 0), pooled over datasets, learning
    rates and seeds, compared by a one-sided Fisher exact test
    (:func:`compare_blow_ups`, level :data:`MOMENTUM_ALPHA`). The cosine clause is
    :func:`cosine_clause`.

    - *reproduced*: momentum blew up more often, significantly, and the cosine clause holds;
    - *partly reproduced*: momentum blew up more often, but not significantly or without the
      cosine clause;
    - *not reproduced*: momentum did not blow up more often than plain RMSProp (also when
      nothing blew up at all: no instability was seen).

    The high-learning-rate clause (highest learning rate against alpha = 5e-5, the same
    test) is reported in the measured sentence and does not move the verdict. At ``smoke``
    the runs are too short to test anything: "not tested at this scale".

    Parameters
    ----------
    evidence : CosineEvidence
        From :func:`cosine_evidence`.
    scale : Scale
        The sweep's (:attr:`~wgan.experiments.momentum.Sweep.scale`).

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
        The counts and tests, in words (no NaN).
    """
    e = evidence
    momentum = compare_blow_ups(e.blowups_momentum, e.runs_momentum, e.blowups_plain,
                                e.runs_plain)
    high_lr = compare_blow_ups(e.blowups_high_lr, e.runs_high_lr, e.blowups_paper_lr,
                               e.runs_paper_lr)
    cosine = cosine_clause(e)
    if e.blowups_momentum:
        near = (f"negative cosine within {WINDOW} iterations of {e.negative_near}/"
                f"{e.blowups_momentum} momentum blow-ups (before {e.negative_before}, at or "
                f"after {e.negative_at})")
    else:
        near = "no momentum run blew up, so no blow-up onset to hold the cosine against"
    healthy = e.iterations_unstable + e.iterations_stable - e.iterations_collapsed
    unstable = share_in_words(e.negative_unstable, e.iterations_unstable, "unstable iterations")
    stable = share_in_words(e.negative_stable, e.iterations_stable, "stable iterations")
    collapsed = share_in_words(e.negative_collapsed, e.iterations_collapsed,
                               "collapsed-critic iterations")
    others = share_in_words(e.negative_total - e.negative_collapsed, healthy, "other iterations")
    measured = (
        "momentum clause (the verdict): "
        f"{momentum.describe('Adam beta1>0', 'RMSProp or Adam beta1=0')}; "
        "high-learning-rate clause (reported, not judged): "
        f"{high_lr.describe('highest lr', 'lr 5e-5')}; {near}; negative-cosine iterations of "
        f"momentum runs: {unstable} vs {stable}; "
        f"{e.negative_collapsed} of them with a collapsed critic (|W| < "
        f"{COLLAPSE_FRACTION:g} x reference: "
        f"{collapsed} vs {others}); "
        f"none without momentum ({e.negative_plain}); cosine clause "
        f"{'holds' if cosine else 'does not hold'}"
    )
    if scale.name == "smoke":
        return "not tested at this scale", measured
    if not momentum.more_often:
        return "not reproduced", measured
    return ("reproduced" if momentum.significant and cosine else "partly reproduced"), measured
