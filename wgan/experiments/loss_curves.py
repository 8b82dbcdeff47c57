"""The verdicts of Section 4.3 (Figures 4, 5 and 9): does a loss curve track sample quality?

The statistics are :mod:`wgan.quality.correlation`'s; the rules, declared before the runs
(the entries ``meaningful-loss``, ``js-uninformative`` and ``figure9`` of
:data:`wgan.report.claims.CLAIMS`), are here. Every setting runs with several seeds
(:func:`wgan.experiments.images.image_seeds`, at least :data:`MIN_SEEDS`), and each
within-run statistic is read over them with its t-interval (:mod:`wgan.quality.seeds`;
an undefined rho, from a flat curve, counts as 0: it follows nothing). A setting *tracks*
its samples when

- the mean over seeds of its curve's plain rank correlation with the pixel W1 is at least
  :data:`PLAIN_MIN` (the old test; the *time curve*, minus the iteration number, is printed
  beside it as the baseline any falling curve reaches), and
- the mean of its partial rank correlation with the pixel W1 controlling for the iteration
  number is at least :data:`DETRENDED_MIN`, with its interval above 0 (the detrended test:
  a curve that only falls with time fails it). The rank correlation of the *changes*
  between consecutive snapshots is reported beside it, not judged: the changes of two
  curves that both fall fast and then slowly rank alike whatever their wiggles, so it does
  not remove a curved trend.

A setting's curve is *uninformative* when its samples improved (mean time-curve rho at least
:data:`TIME_MIN`) and its plain and partial rho have means below :data:`GAN_MAX`, the
partial's interval entirely below it. Across runs, the curve and the pixel W1 are ranked
over the seeds of one setting at each shared snapshot (:func:`wgan.quality.across_runs`):
the runs then share their settings, so the critics' constants K differ by chance only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from wgan.plan.scale import Scale
from wgan.quality.correlation import AcrossRuns, WithinRun, rho_in_words
from wgan.quality.seeds import SeedInterval, t_interval

PLAIN_MIN = 0.6  # mean plain within-run rho for a curve that tracks its samples (the old rule)
DETRENDED_MIN = 0.3  # mean partial rho given the iteration: a weak positive association
GAN_MAX = 0.3  # an uninformative GAN curve: plain and partial rho both below (the old 0.3)
TIME_MIN = 0.6  # samples improved with time (time-curve rho): there was quality to track
ACROSS_AGAINST_GAN = 0.5  # mean across-seed rho at or above it contradicts "uninformative"
LATE_IMPROVEMENT = 0.05  # samples improve over the second half: best below (1 - this) x mid
MIN_SNAPSHOTS = 6  # fewer measured snapshots test nothing
MIN_SEEDS = 3  # fewer seeds per setting give no interval worth reading

SHORT_NAMES: dict[str, str] = {
    "wgan-dcgan": "DCGAN G", "wgan-mlp": "MLP G", "wgan-mlp-mlp-hilr": "MLP/MLP high lr",
    "gan-dcgan": "DCGAN G", "gan-mlp": "MLP G", "gan-mlp-mlp": "MLP/MLP",
}
"""How the measured sentences name each run."""


def over_seeds(runs: Sequence[WithinRun], statistic: str) -> SeedInterval:
    """One within-run statistic (``"rho"``, ``"rho_time"``, ``"rho_partial"``,
    ``"rho_changes"``) over the seeds of a setting, an undefined value counted as 0."""
    values = [getattr(run, statistic) for run in runs]
    return t_interval([v if math.isfinite(v) else 0.0 for v in values])


def partial_in_words(runs: Sequence[WithinRun]) -> str:
    """The partial rho given the iteration over the seeds, with its interval. A seed whose
    partial is undefined (the curve or the pixel W1 a monotone function of the iteration:
    nothing is left once time is removed) is named as such, and the rule's mean and
    interval, with those counted as 0, follow."""
    measured = t_interval(run.rho_partial for run in runs)
    if measured.n == len(runs):
        return measured.describe("+.2f")
    rule = over_seeds(runs, "rho_partial")
    spread = (f" [{rule.low:+.2f}, {rule.high:+.2f}]"
              if rule.has_interval and rule.high > rule.low else "")
    return (f"per seed {measured.per_seed('+.2f')} (undefined: the curve or the pixel W1 is "
            f"a monotone function of the iteration, so nothing is left once time is removed); "
            f"the rule counts an undefined value as 0: mean {rule.mean:+.2f}{spread}")


def tracks(runs: Sequence[WithinRun]) -> bool:
    """Mean plain rho >= :data:`PLAIN_MIN`, mean partial rho given the iteration >=
    :data:`DETRENDED_MIN` with its t-interval above 0 (undefined values count as 0)."""
    plain, partial = over_seeds(runs, "rho"), over_seeds(runs, "rho_partial")
    return (plain.mean >= PLAIN_MIN and partial.mean >= DETRENDED_MIN
            and partial.has_interval and partial.low > 0)


def describe_setting(name: str, runs: Sequence[WithinRun]) -> str:
    """A setting's numbers over its seeds in words: plain rho, the time baseline, the
    partial rho with its interval, the changes."""
    plain, time_curve = over_seeds(runs, "rho"), over_seeds(runs, "rho_time")
    changes = over_seeds(runs, "rho_changes")
    return (f"{name}: mean rho {plain.mean:+.2f} (time curve {time_curve.mean:+.2f}), partial "
            f"given iteration {partial_in_words(runs)}, changes {changes.mean:+.2f}, "
            f"{runs[0].n} snapshots")


def failed_run_agrees(failed: WithinRun, normal: Sequence[WithinRun]) -> tuple[bool, str]:
    """Does one seed of Figure 4's failed run (MLP/MLP, high learning rate) agree with the
    claim?

    It agrees when its estimate is flat over the second half of the run
    (:attr:`WithinRun.flat`) while its samples neither improve there (their best pixel W1
    stays within :data:`LATE_IMPROVEMENT` of the W1 at mid-run) nor end better than any
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
               f"{'worse' if samples_bad else 'no worse'} at the end (pixel W1 "
               f"{failed.quality_last:.2f} against {best_normal:.2f})")
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


def meaningful_loss_verdict(
    runs: Mapping[str, Sequence[WithinRun]],
    across: Mapping[str, AcrossRuns],
    scale: Scale,
    *,
    normal: Sequence[str] = ("wgan-dcgan", "wgan-mlp"),
    failed: str = "wgan-mlp-mlp-hilr",
) -> tuple[str, str]:
    """The verdict of ``meaningful-loss`` (Figure 4) and its measured sentence.

    - *reproduced*: both normal WGAN settings :func:`tracks` their samples over their seeds
      (plain and detrended), the failed run agrees (:func:`failed_run_agrees`) in at least
      half of its seeds, and across the seeds of each normal setting a lower estimate goes
      with better samples (mean per-snapshot rho above 0);
    - *partly reproduced*: at least one normal setting tracks, but not all of the above;
    - *not reproduced*: no normal setting passes (a plain rho however high then says only
      that the estimate falls with time, as the time curve does);
    - *not tested at this scale*: at ``smoke``, fewer than :data:`MIN_SEEDS` seeds or
      fewer than :data:`MIN_SNAPSHOTS` snapshots.

    Parameters
    ----------
    runs : mapping of str to sequence of WithinRun
        The W estimate against the pixel W1, per run key (``normal`` and ``failed``), one
        per seed in seed order (the failed run's seed ``i`` is judged against the normal
        runs' seed ``i``).
    across : mapping of str to AcrossRuns
        The W estimate against the pixel W1 across the seeds of each normal setting.
    scale : Scale

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
        The test passed (or not) and its numbers, in words (no NaN).
    """
    passing = [key for key in normal if tracks(runs[key])]
    judged = [failed_run_agrees(run, [runs[k][i] for k in normal if i < len(runs[k])])
              for i, run in enumerate(runs[failed])]
    agreeing = sum(agrees for agrees, _ in judged)
    agrees = 2 * agreeing >= len(judged) > 0
    across_ok = all(across[k].counted > 0 and across[k].mean_rho > 0 for k in normal)
    numbers = "; ".join(describe_setting(SHORT_NAMES.get(k, k), runs[k]) for k in normal)
    failed_text = (f"the failed run agrees in {agreeing} of {len(judged)} seeds ("
                   + "; ".join(f"seed {i}: {how}" for i, (_, how) in enumerate(judged)) + ")")
    too_few = _too_few(runs, [*normal, failed])
    if scale.name == "smoke" or too_few:
        verdict, test = "not tested at this scale", too_few or "runs too short to test"
    elif not passing:
        verdict = "not reproduced"
        test = "no normal setting passed the detrended test (partial rho given the iteration)"
    elif len(passing) == len(normal) and agrees and across_ok:
        verdict = "reproduced"
        test = ("passed: plain and detrended within-run tests over the seeds of every normal "
                "setting, the failed run, and the across-seed comparison")
    else:
        missing = [name for name, ok in (("the failed run", agrees),
                                         ("the across-seed comparison", across_ok)) if not ok]
        verdict = "partly reproduced"
        test = (f"passed the within-run tests (plain and detrended) in {len(passing)} of "
                f"{len(normal)} normal settings" + (f"; not {' or '.join(missing)}" if missing
                                                    else ""))
    measured = (f"{test}. {numbers}; {failed_text}; W estimate across seeds: "
                f"{_across_text(across, normal)}")
    return verdict, measured


def uninformative(runs: Sequence[WithinRun]) -> bool:
    """The samples improved (mean time-curve rho >= :data:`TIME_MIN`) and the curve follows
    them neither in rank (mean plain rho below :data:`GAN_MAX`) nor beyond time (mean
    partial rho given the iteration below :data:`GAN_MAX`, its t-interval too); an
    undefined rho (a flat curve) counts as 0: it follows nothing."""
    partial = over_seeds(runs, "rho_partial")
    return (over_seeds(runs, "rho_time").mean >= TIME_MIN
            and over_seeds(runs, "rho").mean < GAN_MAX
            and partial.has_interval and partial.high < GAN_MAX)


def uninformative_verdict(
    runs: Mapping[str, Sequence[WithinRun]],
    across: Mapping[str, AcrossRuns],
    scale: Scale,
    *,
    curve: str,
    judged: Sequence[str] = ("gan-dcgan", "gan-mlp"),
) -> tuple[str, str]:
    """The verdict of ``js-uninformative`` (Figure 5) or ``figure9`` and its measured sentence.

    A GAN setting counts when its samples improved with time (mean time-curve rho over its
    seeds at least :data:`TIME_MIN`: otherwise there was no quality to track and any curve
    would "not correlate"); it is uninformative by :func:`uninformative`.

    - *reproduced*: both judged settings (the DCGAN-discriminator ones) count and are
      uninformative, and across the seeds of each a lower curve does not go with better
      samples (mean per-snapshot rho below :data:`ACROSS_AGAINST_GAN`, or no snapshot
      comparable);
    - *partly reproduced*: at least one judged setting is uninformative, but not all of
      the above;
    - *not reproduced*: settings count, and none is uninformative;
    - *not tested at this scale*: at ``smoke``, fewer than :data:`MIN_SEEDS` seeds or
      :data:`MIN_SNAPSHOTS` snapshots, or no judged setting whose samples improved.

    Parameters
    ----------
    runs : mapping of str to sequence of WithinRun
        The curve against the pixel W1, per GAN run key (every key of ``judged``), one per
        seed.
    across : mapping of str to AcrossRuns
        The curve against the pixel W1 across the seeds of each judged setting.
    scale : Scale
    curve : str
        The curve's name in the sentence ("JS estimate", "generator loss").

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
    """
    counted = [key for key in judged if over_seeds(runs[key], "rho_time").mean >= TIME_MIN]
    flat = [key for key in judged if uninformative(runs[key])]
    across_ok = not any(across[k].counted > 0 and across[k].mean_rho >= ACROSS_AGAINST_GAN
                        for k in judged)
    numbers = "; ".join(describe_setting(SHORT_NAMES.get(k, k), v) for k, v in runs.items())
    too_few = _too_few(runs, judged)
    if scale.name == "smoke" or too_few:
        verdict, test = "not tested at this scale", too_few or "runs too short to test"
    elif not counted:
        verdict = "not tested at this scale"
        test = "the samples of no judged setting improved with time: nothing to track"
    elif not flat:
        verdict = "not reproduced"
        test = (f"the {curve} followed the samples (plain or detrended, over the seeds) in "
                "every judged setting whose samples improved")
    elif len(flat) == len(judged) and across_ok:
        verdict = "reproduced"
        test = (f"passed: the {curve} followed the samples neither in rank nor beyond time "
                "in every judged setting, and not across seeds")
    else:
        verdict = "partly reproduced"
        test = (f"the {curve} was uninformative in {len(flat)} of {len(judged)} judged "
                "settings" + ("" if across_ok else
                              "; across seeds a lower curve went with better samples"))
    measured = f"{test}. {numbers}; {curve} across seeds: {_across_text(across, judged)}"
    return verdict, measured


def interval_text(runs: Mapping[str, Sequence[WithinRun]], keys: Sequence[str]) -> str:
    """The interval the verdicts read: the partial rho given the iteration of each setting
    over its seeds."""
    return "partial rho given the iteration, " + "; ".join(
        f"{SHORT_NAMES.get(k, k)} {partial_in_words(runs[k])}"
        for k in keys)
