"""The verdicts of Section 4.3 (Figures 4, 5 and 9): does a loss curve track sample quality?

The statistics are :mod:`wgan.quality.correlation`'s; the rules (the entries
``meaningful-loss``, ``js-uninformative`` and ``figure9`` of
:data:`wgan.report.claims.CLAIMS`) are here. Sample quality is the yardstick's Fréchet
distance (:mod:`wgan.quality.yardstick`; lower is better), which no blur can fake; pixel
W1, which a moment-matched Gaussian beats, is reported beside it and never judged.

**Adequacy.** A run has *learned* when its last snapshot beats the best trivial generator
(:mod:`wgan.quality.trivial`; the Gaussian with the data's moments): before that there is
no sample quality to track. A setting is tested on its learned seeds, and only when it has
at least :data:`MIN_SEEDS` of them; a claim none of whose settings can be tested is *not
tested at this scale*, never *not reproduced*.

**Undefined is untestable, not zero.** A statistic that does not exist (a rank correlation
of a constant sequence, or the partial correlation of a curve that is a monotone function
of the iteration) is left out of the mean, and a test with fewer than :data:`MIN_SEEDS`
defined values is undefined: the verdict comes from the tests that are defined.

A setting *tracks* its samples when every defined one of these holds, at least one of the
last two (which control for time) being defined:

- the mean over seeds of its curve's plain rank correlation with the quality is at least
  :data:`PLAIN_MIN` (the *time curve*, minus the iteration number, is printed beside it as
  the baseline any falling curve reaches);
- the mean of its partial rank correlation given the iteration number is at least
  :data:`DETRENDED_MIN`, with its t-interval above 0 (the detrended test);
- across the seeds, at each shared snapshot, a lower curve goes with better samples
  (:func:`wgan.quality.across_runs`: mean rho above 0; the seeds share their settings, so
  their critics' constants K differ by chance only).

The rank correlation of the *changes* between consecutive snapshots is reported, not
judged. A GAN setting's curve is *uninformative* when its samples improved (mean
time-curve rho at least :data:`TIME_MIN`), its curve is flat or its mean plain rho is below
:data:`GAN_MAX`, the defined partial's interval lies below :data:`GAN_MAX`, and the mean
across-seed rho is below :data:`ACROSS_AGAINST_GAN`.

**Comparing runs** (``compare-runs``, ``no-balancing``): the grid of chapter 4
(:func:`wgan.experiments.images.grid_cells`: learning rate x n_critic x clip value, one run
each) read at its end, one row per run (:data:`GRID_COLUMNS`): the final estimate
(:func:`final_estimate`) and the final quality. :func:`compare_runs_verdict` asks whether the
estimate ranks the runs by quality within a clip value (:func:`pooled_rank`),
:func:`no_balancing_verdict` whether more critic iterations give samples at least as good
at the same number of generator iterations (:func:`n_critic_pairs`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from wgan.experiments.judgement import NOT_TESTED, Judgement
from wgan.plan.scale import Scale
from wgan.quality.correlation import AcrossRuns, WithinRun, rank_correlation, rho_in_words
from wgan.quality.seeds import SeedInterval, t_interval

PLAIN_MIN = 0.6  # mean plain within-run rho for a curve that tracks its samples (the old rule)
DETRENDED_MIN = 0.3  # mean partial rho given the iteration: a weak positive association
GAN_MAX = 0.3  # an uninformative GAN curve: plain and partial rho both below (the old 0.3)
TIME_MIN = 0.6  # samples improved with time (time-curve rho): there was quality to track
ACROSS_AGAINST_GAN = 0.5  # mean across-seed rho at or above it contradicts "uninformative"
LATE_IMPROVEMENT = 0.05  # samples improve over the second half: best below (1 - this) x mid
MIN_SNAPSHOTS = 6  # fewer measured snapshots test nothing
MIN_SEEDS = 3  # fewer seeds per setting give no interval worth reading
MEASURE = "FD"  # the quality the verdicts read, as their sentences name it
FINAL_SHARE = 0.1  # the final estimate: median over this last share of generator iterations
RANK_MIN = 0.6  # compare-runs: a pooled rho at least this ranks runs usefully
MIN_STRATUM = 4  # runs with finite values a clip value needs to enter the pooled rho (n - 3)
RHO_CAP = 0.999  # a stratum's |rho| is capped here, so that its Fisher z is finite
MIN_LEARNED_RUNS = 3  # compare-runs: runs that beat the moment-matched Gaussian (adequacy)
NO_WORSE = 1.25  # no-balancing: more critic iterations at most this factor worse in FD
MIN_CELLS = 3  # no-balancing: judged (learning rate, clip) cells, for a t-interval
GRID_COLUMNS: tuple[str, ...] = ("lr", "n_critic", "clip_value", "estimate", "quality")
"""One row per grid run: its settings, final estimate and final quality (lower: better)."""

SHORT_NAMES: dict[str, str] = {
    "wgan-dcgan": "DCGAN G", "wgan-mlp": "MLP G", "wgan-mlp-mlp-hilr": "MLP/MLP high lr",
    "gan-dcgan": "DCGAN G", "gan-mlp": "MLP G", "gan-mlp-mlp": "MLP/MLP",
}
"""How the measured sentences name each run."""


def over_seeds(runs: Sequence[WithinRun], statistic: str) -> SeedInterval:
    """One within-run statistic (``"rho"``, ``"rho_time"``, ``"rho_partial"``,
    ``"rho_changes"``) over the seeds of a setting; an undefined value is left out."""
    return t_interval(getattr(run, statistic) for run in runs)


def partial_in_words(runs: Sequence[WithinRun]) -> str:
    """The partial rho given the iteration over the seeds, with its interval over the seeds
    where it is defined. A seed whose partial is undefined (the curve or the quality a
    monotone function of the iteration: nothing is left once time is removed) is named as
    such; with fewer than :data:`MIN_SEEDS` defined seeds the test is said to be undefined.
    """
    measured = t_interval(run.rho_partial for run in runs)
    if measured.n == len(runs):
        return measured.describe("+.2f")
    why = ("undefined: the curve or the quality is a monotone function of the iteration, so "
           "nothing is left once time is removed")
    if measured.n < MIN_SEEDS:
        return (f"per seed {measured.per_seed('+.2f')} ({why}); defined in {measured.n} of "
                f"{len(runs)} seeds: the detrended test is undefined")
    return (f"per seed {measured.per_seed('+.2f')} ({why}); over the {measured.n} defined "
            f"seeds {measured.describe('+.2f')}")


def tracking_tests(runs: Sequence[WithinRun], across: AcrossRuns | None) -> dict[str, bool]:
    """The defined tests of a WGAN setting and whether each passed (the module docstring):
    ``"plain"``, ``"detrended"`` and ``"across seeds"``; an undefined test is absent."""
    plain, partial = over_seeds(runs, "rho"), over_seeds(runs, "rho_partial")
    tests = {}
    if plain.n >= MIN_SEEDS:
        tests["plain"] = plain.mean >= PLAIN_MIN
    if partial.n >= MIN_SEEDS and partial.has_interval:
        tests["detrended"] = partial.mean >= DETRENDED_MIN and partial.low > 0
    if across is not None and across.counted > 0:
        tests["across seeds"] = across.mean_rho > 0
    return tests


def tracks(runs: Sequence[WithinRun], across: AcrossRuns | None = None) -> bool | None:
    """Whether a WGAN setting tracks its samples: ``True`` when every defined test of
    :func:`tracking_tests` passes and one that controls for time (detrended or across
    seeds) is defined, ``False`` when a defined test fails, ``None`` (untestable) else."""
    tests = tracking_tests(runs, across)
    if not all(tests.values()):
        return False
    if "detrended" in tests or "across seeds" in tests:
        return True
    return None


def mean_in_words(runs: Sequence[WithinRun], statistic: str) -> str:
    """The mean over seeds of one within-run statistic (:func:`over_seeds`), ``"+0.42"``,
    or ``"undefined"`` when no seed has a value: no figure or table prints a number for an
    undefined statistic."""
    interval = over_seeds(runs, statistic)
    return f"{interval.mean:+.2f}" if interval.n else "undefined"


def describe_setting(name: str, runs: Sequence[WithinRun]) -> str:
    """A setting's numbers over its seeds in words: plain rho, the time baseline, the
    partial rho with its interval, the changes."""
    return (f"{name}: mean rho {mean_in_words(runs, 'rho')} (time curve "
            f"{mean_in_words(runs, 'rho_time')}), partial given iteration "
            f"{partial_in_words(runs)}, changes {mean_in_words(runs, 'rho_changes')}, "
            f"{runs[0].n} snapshots")


def failed_run_agrees(failed: WithinRun, normal: Sequence[WithinRun], measure: str = MEASURE
                      ) -> tuple[bool, str]:
    """Does one seed of Figure 4's failed run (MLP/MLP, high learning rate) agree with the
    claim?

    It agrees when its estimate is flat over the second half of the run
    (:attr:`WithinRun.flat`) while its samples neither improve there (their best quality
    stays within :data:`LATE_IMPROVEMENT` of the quality at mid-run) nor end better than any
    normal run's of the same seed: a flat estimate with flat, bad samples. Its plain rho is
    then made of ties and is not read. It also agrees when its estimate is not flat and
    follows its samples in this run (plain rho >= :data:`PLAIN_MIN`, partial >=
    :data:`DETRENDED_MIN`). Otherwise it disagrees (a flat estimate while the samples
    improve or end good, or a moving estimate that does not follow them).
    """
    best_normal = min((run.quality_last for run in normal), default=math.inf)
    samples_flat = failed.quality_late_min >= (1 - LATE_IMPROVEMENT) * failed.quality_mid
    samples_bad = failed.quality_last > best_normal
    if failed.flat:
        agrees = samples_flat and samples_bad
        how = (f"estimate flat, samples {'flat' if samples_flat else 'still improving'} and "
               f"{'worse' if samples_bad else 'no worse'} at the end ({measure} "
               f"{failed.quality_last:.3g} against {best_normal:.3g})")
    else:
        agrees = failed.rho >= PLAIN_MIN and failed.rho_partial >= DETRENDED_MIN
        how = (f"estimate not flat; it {'tracks' if agrees else 'does not track'} its samples "
               f"(rho {rho_in_words(failed.rho)}, partial {rho_in_words(failed.rho_partial)})")
    return agrees, how


def _too_few(runs: Mapping[str, Sequence[WithinRun]], keys: Sequence[str]) -> str:
    """Why the settings ``keys`` test nothing at this size, or ``""``."""
    if min(len(runs[k]) for k in keys) < MIN_SEEDS:
        return f"fewer than {MIN_SEEDS} seeds per setting"
    if min(run.n for k in keys for run in runs[k]) < MIN_SNAPSHOTS:
        return f"fewer than {MIN_SNAPSHOTS} snapshots in a run"
    return ""


def _across_text(across: Mapping[str, AcrossRuns], keys: Sequence[str]) -> str:
    return "; ".join(f"{SHORT_NAMES.get(k, k)} {across[k].describe()}" for k in keys)


def learned_seeds(runs: Mapping[str, Sequence[WithinRun]],
                  learned: Mapping[str, Sequence[bool]] | None, keys: Sequence[str]
                  ) -> tuple[dict[str, list[WithinRun]], str]:
    """The seeds of each setting that learned, and the adequacy sentence.

    Parameters
    ----------
    runs : mapping of str to sequence of WithinRun
        One per seed.
    learned : mapping of str to sequence of bool or None
        Per setting and seed: the last snapshot beat the best trivial generator; ``None``:
        every seed counts (no trivial baseline was measured).
    keys : sequence of str
        The settings judged.

    Returns
    -------
    kept : dict of str to list of WithinRun
        The learned seeds of the settings with at least :data:`MIN_SEEDS` of them.
    text : str
        Per setting, how many seeds learned.
    """
    kept, parts = {}, []
    for key in keys:
        flags = [True] * len(runs[key]) if learned is None else list(learned[key])
        chosen = [run for run, ok in zip(runs[key], flags, strict=True) if ok]
        if len(chosen) >= MIN_SEEDS:
            kept[key] = chosen
        parts.append(f"{SHORT_NAMES.get(key, key)} {len(chosen)} of {len(flags)}")
    return kept, ("seeds whose last samples beat the moment-matched Gaussian: "
                  + ", ".join(parts) + f" (a setting is tested with at least {MIN_SEEDS})")


def meaningful_loss_verdict(
    runs: Mapping[str, Sequence[WithinRun]],
    across: Mapping[str, AcrossRuns],
    scale: Scale,
    *,
    learned: Mapping[str, Sequence[bool]] | None = None,
    measure: str = MEASURE,
    normal: Sequence[str] = ("wgan-dcgan", "wgan-mlp"),
    failed: str = "wgan-mlp-mlp-hilr",
) -> Judgement:
    """The judgement of ``meaningful-loss`` (Figure 4).

    - *reproduced*: every normal WGAN setting was tested and :func:`tracks` its samples, and
      the failed run agrees (:func:`failed_run_agrees`) in at least half of its seeds;
    - *partly reproduced*: at least one normal setting tracks, but not all of the above;
    - *not reproduced*: no normal setting tracks, and a defined test failed in one;
    - *not tested at this scale*: at ``smoke``, with fewer than :data:`MIN_SEEDS` seeds or
      :data:`MIN_SNAPSHOTS` snapshots, when no normal setting has :data:`MIN_SEEDS` learned
      seeds (inadequate), or when no test that controls for time is defined.

    Parameters
    ----------
    runs : mapping of str to sequence of WithinRun
        The W estimate against the quality, per run key (``normal`` and ``failed``), one per
        seed in seed order (the failed run's seed ``i`` is judged against the normal runs'
        seed ``i``).
    across : mapping of str to AcrossRuns
        The W estimate against the quality across the learned seeds of each normal setting.
    scale : Scale
    learned : mapping of str to sequence of bool or None, default=None
        See :func:`learned_seeds`.
    measure : str, default="FD"
        The quality's name in the sentences.

    Returns
    -------
    Judgement
    """
    too_few = _too_few(runs, [*normal, failed])
    if scale.name == "smoke" or too_few:
        why = too_few or "smoke runs are too short to learn digits"
        return Judgement(NOT_TESTED, f"{why}.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    kept, adequacy = learned_seeds(runs, learned, normal)
    numbers = "; ".join(describe_setting(SHORT_NAMES.get(k, k), runs[k]) for k in normal)
    if not kept:
        return Judgement(NOT_TESTED, f"no normal setting learned. {numbers}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    outcome = {key: tracks(kept[key], across.get(key)) for key in kept}
    judged = [failed_run_agrees(run, [runs[k][i] for k in normal if i < len(runs[k])], measure)
              for i, run in enumerate(runs[failed])]
    agreeing = sum(agrees for agrees, _ in judged)
    agrees = 2 * agreeing >= len(judged) > 0
    tests = "; ".join(
        f"{SHORT_NAMES.get(k, k)}: " + (", ".join(
            f"{name} {'passed' if ok else 'failed'}"
            for name, ok in tracking_tests(kept[k], across.get(k)).items()) or "no test defined")
        for k in kept)
    failed_text = (f"the failed run agrees in {agreeing} of {len(judged)} seeds ("
                   + "; ".join(f"seed {i}: {how}" for i, (_, how) in enumerate(judged)) + ")")
    passing = [k for k, ok in outcome.items() if ok]
    if len(passing) == len(normal) and agrees:
        verdict, test = "reproduced", "every normal setting tracked its samples"
    elif passing:
        verdict, test = "partly reproduced", (f"{len(passing)} of {len(normal)} normal "
                                              "settings tracked their samples")
    elif any(ok is False for ok in outcome.values()):
        verdict, test = "not reproduced", "no normal setting tracked its samples"
    else:
        verdict, test = NOT_TESTED, "no test that controls for time is defined"
    measured = (f"{test} (tests over learned seeds: {tests}). {numbers}; {failed_text}; "
                f"W estimate across seeds: {_across_text(across, list(kept))}")
    return Judgement(verdict, measured, adequate=True, adequacy=adequacy)


def uninformative(runs: Sequence[WithinRun], across: AcrossRuns | None = None) -> bool:
    """The samples improved (mean time-curve rho >= :data:`TIME_MIN`) and the curve follows
    them neither in rank (flat, or mean plain rho over the seeds where it is not flat below
    :data:`GAN_MAX`), nor beyond time (the defined partial's t-interval below
    :data:`GAN_MAX`), nor across seeds (mean rho below :data:`ACROSS_AGAINST_GAN`)."""
    moving = [run for run in runs if not run.flat]
    plain = over_seeds(moving, "rho") if moving else None
    partial = over_seeds(runs, "rho_partial")
    return (over_seeds(runs, "rho_time").mean >= TIME_MIN
            and (plain is None or not plain.n or plain.mean < GAN_MAX)
            and (partial.n < MIN_SEEDS or (partial.has_interval and partial.high < GAN_MAX))
            and (across is None or not across.counted
                 or across.mean_rho < ACROSS_AGAINST_GAN))


def uninformative_verdict(
    runs: Mapping[str, Sequence[WithinRun]],
    across: Mapping[str, AcrossRuns],
    scale: Scale,
    *,
    curve: str,
    learned: Mapping[str, Sequence[bool]] | None = None,
    judged: Sequence[str] = ("gan-dcgan", "gan-mlp"),
) -> Judgement:
    """The judgement of ``js-uninformative`` (Figure 5) or ``figure9``.

    A GAN setting is tested on its learned seeds (:func:`learned_seeds`) when their
    samples improved with time (mean time-curve rho at least :data:`TIME_MIN`: otherwise
    any curve would "not correlate"); it is uninformative by :func:`uninformative`.

    - *reproduced*: both judged settings (the DCGAN-discriminator ones) are tested and
      uninformative;
    - *partly reproduced*: at least one judged setting is uninformative;
    - *not reproduced*: settings were tested, and none is uninformative;
    - *not tested at this scale*: at ``smoke``, with fewer than :data:`MIN_SEEDS` seeds or
      :data:`MIN_SNAPSHOTS` snapshots, or when no judged setting learned and improved.

    Parameters
    ----------
    runs : mapping of str to sequence of WithinRun
        The curve against the quality, per GAN run key (every key of ``judged``), one per
        seed.
    across : mapping of str to AcrossRuns
        The curve against the quality across the learned seeds of each judged setting.
    scale : Scale
    curve : str
        The curve's name in the sentence ("JS estimate", "generator loss").
    learned : mapping of str to sequence of bool or None, default=None
        See :func:`learned_seeds`.

    Returns
    -------
    Judgement
    """
    too_few = _too_few(runs, judged)
    if scale.name == "smoke" or too_few:
        why = too_few or "smoke runs are too short to learn digits"
        return Judgement(NOT_TESTED, f"{why}.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    kept, adequacy = learned_seeds(runs, learned, judged)
    counted = {k: v for k, v in kept.items() if over_seeds(v, "rho_time").mean >= TIME_MIN}
    numbers = "; ".join(describe_setting(SHORT_NAMES.get(k, k), v) for k, v in runs.items())
    adequacy += (f"; of those, samples improved with time (mean time-curve rho >= {TIME_MIN}) "
                 f"in {len(counted)} of {len(kept)}")
    if not counted:
        return Judgement(NOT_TESTED, f"no judged setting learned and improved: nothing to "
                         f"track. {numbers}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    flat = [key for key, v in counted.items() if uninformative(v, across.get(key))]
    if len(flat) == len(judged):
        verdict = "reproduced"
        test = (f"the {curve} followed the samples neither in rank, nor beyond time, nor "
                "across seeds in every judged setting")
    elif flat:
        verdict = "partly reproduced"
        test = f"the {curve} was uninformative in {len(flat)} of {len(judged)} judged settings"
    else:
        verdict = "not reproduced"
        test = (f"the {curve} followed the samples (in rank, beyond time or across seeds) in "
                "every tested setting")
    measured = (f"{test}. {numbers}; {curve} across seeds: "
                f"{_across_text(across, list(counted))}")
    return Judgement(verdict, measured, adequate=True, adequacy=adequacy)


JS_DROP_MAX = 0.1  # the JS estimate "goes down": its late level below the early one by more
# than this share of log 2 (the t-interval's lower end over the learned seeds)
LOG2 = math.log(2.0)


def js_change(metrics: pd.DataFrame, column: str = "js_lower_bound") -> float:
    """The change of a GAN run's JS estimate over training, in units of log 2.

    The median of ``column`` over the last quarter of the generator iterations minus its
    median over the first quarter, divided by log 2 (the estimate's ceiling): positive
    when the estimate went up, about 0 when it stayed, negative when it went down.

    Parameters
    ----------
    metrics : pandas.DataFrame
        A run's metrics, one row per generator iteration (at least 4), with ``column``.
    column : str, default="js_lower_bound"

    Returns
    -------
    float
        NaN when the run has fewer than 4 finite values (no quarter to read).
    """
    values = pd.to_numeric(metrics[column], errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 4:
        return math.nan
    quarter = len(values) // 4
    return float((np.median(values[-quarter:]) - np.median(values[:quarter])) / LOG2)


def js_level_verdict(changes: Mapping[str, Sequence[float]],
                     learned: Mapping[str, Sequence[bool]] | None, scale: Scale, *,
                     judged: Sequence[str] = ("gan-dcgan", "gan-mlp")) -> Judgement:
    """The judgement of ``js-stays-up``: the GAN's JS estimate "usually stays constant or
    goes up instead of going down" (Section 4.3).

    Per judged setting, over its learned seeds (:func:`learned_seeds`' rule: final FD below
    the moment-matched Gaussian's), the t-interval of :func:`js_change`; the setting agrees
    when the interval's lower end lies above ``-JS_DROP_MAX`` (the estimate did not go down
    by more than a tenth of log 2). *Reproduced*: every judged setting tested and agreeing;
    *partly*: some agree; *not reproduced*: settings tested and none agrees; *not tested at
    this scale*: at smoke, or with no setting of at least :data:`MIN_SEEDS` learned seeds
    (while the samples do not improve, a discriminator that wins is no news).

    Parameters
    ----------
    changes : mapping of str to sequence of float
        :func:`js_change` per setting, one per seed.
    learned : mapping of str to sequence of bool or None
        Per setting and seed, whether the run learned; ``None``: every seed counts.
    scale : Scale
    judged : sequence of str, default=("gan-dcgan", "gan-mlp")

    Returns
    -------
    Judgement
    """
    if scale.name == "smoke":
        return Judgement(NOT_TESTED, "smoke runs are too short to learn digits.",
                         adequate=False, adequacy="smoke runs; the quick scale tests it")
    tested, parts = {}, []
    for key in judged:
        flags = [True] * len(changes[key]) if learned is None else list(learned[key])
        kept = [c for c, ok in zip(changes[key], flags, strict=True) if ok]
        interval = t_interval(kept)
        name = SHORT_NAMES.get(key, key)
        if interval.n >= MIN_SEEDS and interval.has_interval:
            tested[key] = interval.low > -JS_DROP_MAX
            said = "agrees" if tested[key] else "went down"
            parts.append(f"{name}: late minus early JS estimate over log 2 "
                         f"{interval.describe('+.2f')} ({said})")
        else:
            parts.append(f"{name}: {interval.n} learned seeds with a value, not tested")
    text = "; ".join(parts)
    adequacy = (f"{len(tested)} of {len(judged)} settings with at least {MIN_SEEDS} learned "
                "seeds")
    if not tested:
        return Judgement(NOT_TESTED, f"no setting learned. {text}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    agreeing = sum(tested.values())
    if agreeing == len(judged):
        verdict = "reproduced"
    elif agreeing:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    return Judgement(verdict, f"the JS estimate stayed or went up in {agreeing} of "
                     f"{len(judged)} settings: {text}", adequate=True, adequacy=adequacy)


def interval_text(runs: Mapping[str, Sequence[WithinRun]], keys: Sequence[str]) -> str:
    """The interval the verdicts read: the partial rho given the iteration of each setting
    over its seeds."""
    return "partial rho given the iteration, " + "; ".join(
        f"{SHORT_NAMES.get(k, k)} {partial_in_words(runs[k])}"
        for k in keys)


# ------------------------------------------------------------- comparing runs across a grid
def final_estimate(metrics: pd.DataFrame, share: float = FINAL_SHARE) -> float:
    """A run's final W estimate: the median of ``w_estimate`` over the last ``share`` of its
    generator iterations (at least one), its finite values only; NaN when none is finite.

    Parameters
    ----------
    metrics : pandas.DataFrame
        A run's metrics (:attr:`wgan.training.rundir.RunResult.metrics`), one row per
        generator iteration, with a ``w_estimate`` column.
    share : float, default=0.1
        In (0, 1].
    """
    if not 0 < share <= 1:
        raise ValueError(
            f"The 'share' parameter of final_estimate must be in (0, 1]. Got {share!r} instead.")
    if "w_estimate" not in metrics or metrics.empty:
        raise ValueError("The 'metrics' parameter of final_estimate must have rows and a "
                         f"'w_estimate' column. Got columns {list(metrics.columns)}.")
    last = metrics["w_estimate"].to_numpy(dtype=np.float64)[-max(1, round(share * len(metrics))):]
    finite = last[np.isfinite(last)]
    return float(np.median(finite)) if finite.size else math.nan


def _check_grid(table: pd.DataFrame, caller: str) -> None:
    missing = [column for column in GRID_COLUMNS if column not in table]
    if missing:
        raise ValueError(f"The 'table' parameter of {caller} must have the columns "
                         f"{', '.join(GRID_COLUMNS)}. Missing: {', '.join(missing)}.")


@dataclass(frozen=True)
class RankInterval:
    """A Spearman rho over runs with its 95% interval: Fisher's z with the Bonett-Wright
    variance ``(1 + rho^2 / 2) / (n - 3)``, pooled over strata by inverse-variance weights.

    Attributes
    ----------
    rho, low, high : float
        The (pooled) rho and its interval.
    n : int
        Runs counted.
    strata : tuple of str
        Each stratum counted, with its own rho and number of runs, in words.
    """

    rho: float
    low: float
    high: float
    n: int
    strata: tuple[str, ...]

    def describe(self) -> str:
        """``"+0.71 [+0.20, +0.92] (95%, Fisher z with the Bonett-Wright variance, 12 runs:
        ...)"``."""
        return (f"{self.rho:+.2f} [{self.low:+.2f}, {self.high:+.2f}] (95%, Fisher z with the "
                f"Bonett-Wright variance, {self.n} runs: {'; '.join(self.strata)})")


def pooled_rank(table: pd.DataFrame, by: str | None = "clip_value") -> RankInterval | None:
    """Spearman's rho between the final estimate and the final quality, within each value of
    ``by``, pooled.

    Each stratum with at least :data:`MIN_STRATUM` runs of finite values and a defined rho
    gives ``z = atanh(rho)`` (``|rho|`` capped at :data:`RHO_CAP`) with the Bonett-Wright
    variance ``(1 + rho^2 / 2) / (n - 3)``; the strata's z are averaged with inverse-variance
    weights, and the pooled z and its 95% interval are turned back into rho. A positive rho:
    a lower estimate goes with better samples.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per run, the columns of :data:`GRID_COLUMNS`.
    by : str or None, default="clip_value"
        The column whose values are compared apart; ``None``: the whole table at once.

    Returns
    -------
    RankInterval or None
        ``None`` when no stratum can be counted.
    """
    _check_grid(table, "pooled_rank")
    finite = table[np.isfinite(table["estimate"]) & np.isfinite(table["quality"])]
    groups = [("all runs", finite)] if by is None else [
        (f"{by.replace('_', ' ')} {value:g}", rows) for value, rows in finite.groupby(by)]
    weights, zs, counted, words = [], [], 0, []
    for name, rows in groups:
        rho = (rank_correlation(rows["estimate"], rows["quality"]).rho
               if len(rows) >= MIN_STRATUM else math.nan)
        words.append(f"{name} rho {rho_in_words(rho)} over {len(rows)} runs"
                     + ("" if math.isfinite(rho) else " (not counted)"))
        if not math.isfinite(rho):
            continue
        capped = min(max(rho, -RHO_CAP), RHO_CAP)
        weights.append((len(rows) - 3) / (1 + capped ** 2 / 2))
        zs.append(math.atanh(capped))
        counted += len(rows)
    if not weights:
        return None
    z = float(np.average(zs, weights=weights))
    half = float(norm.ppf(0.975)) / math.sqrt(sum(weights))
    return RankInterval(math.tanh(z), math.tanh(z - half), math.tanh(z + half), counted,
                        tuple(words))


def _left_out(table: pd.DataFrame) -> str:
    bad = table[~(np.isfinite(table["estimate"]) & np.isfinite(table["quality"]))]
    if bad.empty:
        return ""
    return "; left out, no finite final values: " + ", ".join(
        f"lr {row.lr:g} n_critic {row.n_critic} c {row.clip_value:g}" for row in bad.itertuples())


def compare_runs_verdict(table: pd.DataFrame, scale: Scale, *, blur: float,
                         measure: str = MEASURE) -> Judgement:
    """The judgement of ``compare-runs``: does the final estimate rank the grid's runs by
    their final quality, within a clip value (:func:`pooled_rank`)?

    - *reproduced*: the pooled rho is at least :data:`RANK_MIN` and its interval lies above 0;
    - *partly reproduced*: the interval lies above 0, the rho below :data:`RANK_MIN`;
    - *not reproduced*: the interval does not lie above 0 and its upper end is below
      :data:`RANK_MIN` (the estimate does not rank the runs usefully);
    - *not tested at this scale*: the interval holds both 0 and :data:`RANK_MIN` (too few runs
      to tell); at ``smoke``; inadequate: fewer than :data:`MIN_LEARNED_RUNS` runs beat the
      moment-matched Gaussian (the grid spans no range of quality), or no clip value has
      :data:`MIN_STRATUM` runs with finite values.

    The same rho over the whole grid (across clip values, whose boxes give the estimate
    different constants K) is reported, not judged.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per run of the grid, the columns of :data:`GRID_COLUMNS`.
    scale : Scale
    blur : float
        The moment-matched Gaussian's quality (:data:`wgan.quality.trivial.GAUSSIAN`): a run
        below it has learned.
    measure : str, default="FD"
        The quality's name in the sentences.

    Returns
    -------
    Judgement
    """
    _check_grid(table, "compare_runs_verdict")
    if scale.name == "smoke":
        why = "smoke runs are too short to learn digits"
        return Judgement(NOT_TESTED, f"{why}.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    learned = int((table["quality"] < blur).sum())
    adequacy = (f"{learned} of {len(table)} runs learned (final {measure} below the "
                f"moment-matched Gaussian's {blur:.3g}; at least {MIN_LEARNED_RUNS} needed)")
    within, across = pooled_rank(table), pooled_rank(table, by=None)
    if learned < MIN_LEARNED_RUNS:
        return Judgement(NOT_TESTED, f"the grid spans no range of quality: {adequacy}.",
                         adequate=False, adequacy=f"{adequacy}; longer runs (the paper "
                         "scale's lengths on the digits) would test it")
    if within is None:
        why = f"no clip value has {MIN_STRATUM} runs with finite, non-constant final values"
        return Judgement(NOT_TESTED, f"{why}{_left_out(table)}.", adequate=False,
                         adequacy=f"{adequacy}; {why}")
    if within.low > 0:
        verdict = "reproduced" if within.rho >= RANK_MIN else "partly reproduced"
    elif within.high < RANK_MIN:
        verdict = "not reproduced"
    else:
        verdict = NOT_TESTED
    across_text = across.describe() if across is not None else "undefined"
    measured = (f"final estimate against final {measure}, Spearman rho within clip value "
                f"{within.describe()}; across the whole grid (not judged: the clip box sets K) "
                f"{across_text}{_left_out(table)}")
    if verdict == NOT_TESTED:
        measured = (f"too few runs to tell: the interval holds both 0 and {RANK_MIN}. "
                    + measured)
    return Judgement(verdict, measured, adequate=True, adequacy=adequacy)


def n_critic_pairs(table: pd.DataFrame, blur: float) -> pd.DataFrame:
    """Per (learning rate, clip value) cell of the grid: the final quality at its smallest and
    largest n_critic, their ratio, and whether the cell is judged.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per run, the columns of :data:`GRID_COLUMNS`.
    blur : float
        The moment-matched Gaussian's quality: a cell is judged when one of its two runs
        beats it and both have a finite quality.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lr`` and ``clip_value``: ``fewer`` and ``more`` (n_critic values),
        ``quality_fewer``, ``quality_more``, ``ratio`` (``quality_fewer / quality_more``: above 1
        when more critic iterations gave better samples) and ``judged``.
    """
    _check_grid(table, "n_critic_pairs")
    rows = []
    for (lr, clip), cell in table.groupby(["lr", "clip_value"], sort=False):
        fewer = cell.loc[cell["n_critic"].idxmin()]
        more = cell.loc[cell["n_critic"].idxmax()]
        low, high = float(fewer["quality"]), float(more["quality"])
        finite = math.isfinite(low) and math.isfinite(high) and fewer.name != more.name
        rows.append({"lr": lr, "clip_value": clip, "fewer": int(fewer["n_critic"]),
                     "more": int(more["n_critic"]), "quality_fewer": low, "quality_more": high,
                     "ratio": low / high if finite else math.nan,
                     "judged": finite and min(low, high) < blur})
    return pd.DataFrame(rows).set_index(["lr", "clip_value"])


def ratio_interval(pairs: pd.DataFrame) -> SeedInterval:
    """The t-interval over the judged cells of :func:`n_critic_pairs` of the log ratio."""
    return t_interval(np.log(pairs.loc[pairs["judged"], "ratio"].to_numpy(dtype=np.float64)))


def ratio_in_words(interval: SeedInterval) -> str:
    """The geometric-mean ratio with its interval, e.g. ``"1.42 [1.10, 1.83] (95% t-interval
    of the log ratio over 6 cells)"``."""
    if not interval.has_interval:
        return f"undefined ({interval.n} judged cells)"
    return (f"{math.exp(interval.mean):.2f} [{math.exp(interval.low):.2f}, "
            f"{math.exp(interval.high):.2f}] ({interval.level:.0%} t-interval of the log ratio "
            f"over {interval.n} cells)")


def no_balancing_verdict(table: pd.DataFrame, scale: Scale, *, blur: float,
                         measure: str = MEASURE) -> Judgement:
    """The judgement of ``no-balancing``: at the same number of generator iterations, do more
    critic iterations give samples at least as good?

    Per (learning rate, clip value) cell, the final quality at the smallest n_critic over the
    quality at the largest (:func:`n_critic_pairs`); the 95% t-interval over the judged cells
    of its log (:func:`ratio_interval`), read as a ratio:

    - *not reproduced*: the interval lies below 1 (more critic iterations, worse samples);
    - *reproduced*: it lies above 1 (more critic iterations, better samples);
    - *partly reproduced*: its lower end is above ``1 / NO_WORSE`` (more critic iterations
      no worse than :data:`NO_WORSE` times, better not shown);
    - *not tested at this scale*: else (too few cells to tell); at ``smoke``; inadequate:
      fewer than :data:`MIN_CELLS` judged cells (a cell is judged when one of its two runs
      beat the moment-matched Gaussian).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per run of the grid, the columns of :data:`GRID_COLUMNS`.
    scale : Scale
    blur : float
        The moment-matched Gaussian's quality.
    measure : str, default="FD"
        The quality's name in the sentences.

    Returns
    -------
    Judgement
    """
    _check_grid(table, "no_balancing_verdict")
    if scale.name == "smoke":
        why = "smoke runs are too short to learn digits"
        return Judgement(NOT_TESTED, f"{why}.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    pairs = n_critic_pairs(table, blur)
    judged = pairs[pairs["judged"]]
    adequacy = (f"{len(judged)} of {len(pairs)} (learning rate, clip) cells judged (one of "
                f"their runs' final {measure} below the moment-matched Gaussian's {blur:.3g}; "
                f"at least {MIN_CELLS} needed)")
    if len(judged) < MIN_CELLS:
        return Judgement(NOT_TESTED, f"too few cells learned: {adequacy}.", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale's lengths on the "
                         "digits) would test it")
    interval = ratio_interval(pairs)
    per_cell = "; ".join(
        f"lr {lr:g} c {clip:g}: {row.quality_fewer:.3g} at n_critic {row.fewer}, "
        f"{row.quality_more:.3g} at {row.more}" for (lr, clip), row in judged.iterrows())
    if interval.high < 0:
        verdict = "not reproduced"
    elif interval.low > 0:
        verdict = "reproduced"
    elif interval.low > -math.log(NO_WORSE):
        verdict = "partly reproduced"
    else:
        verdict = NOT_TESTED
    measured = (f"final {measure} at the fewest over the most critic iterations "
                f"{ratio_in_words(interval)} (above 1: more critic iterations, better samples); "
                f"{per_cell}")
    if verdict == NOT_TESTED:
        measured = (f"too few cells to tell: the interval holds 1 and reaches below "
                    f"1/{NO_WORSE:g}. " + measured)
    return Judgement(verdict, measured, adequate=True, adequacy=adequacy)
