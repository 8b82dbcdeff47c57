"""The verdicts of Section 4.3 (Figures 4, 5 and 9): does a loss curve track sample quality?

The statistics are :mod:`wgan.quality.correlation`'s; the rules, declared before the runs
(the entries ``meaningful-loss``, ``js-uninformative`` and ``figure9`` of
:data:`wgan.report.claims.CLAIMS`), are here. A run *tracks* its samples when

- its curve's plain rank correlation with the pixel W1 is at least :data:`PLAIN_MIN`
  (the old test; the *time curve*, minus the iteration number, is printed beside it as
  the baseline any falling curve reaches), and
- its partial rank correlation with the pixel W1 controlling for the iteration number is
  at least :data:`DETRENDED_MIN` (the detrended test: a curve that only falls with time
  fails it). The rank correlation of the *changes* between consecutive snapshots is
  reported beside it, not judged: the changes of two curves that both fall fast and then
  slowly rank alike whatever their wiggles, so it does not remove a curved trend.

An undefined correlation (a flat curve: ties) never passes. Across runs, the curve and the
pixel W1 are ranked over the runs at each shared snapshot (:func:`wgan.quality.across_runs`);
with one seed per setting the runs differ in their settings (and their critics' constants
K), and the measured text says how many runs it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from wgan.plan.scale import Scale
from wgan.quality.correlation import AcrossRuns, WithinRun, rho_in_words

PLAIN_MIN = 0.6  # plain within-run rho for a curve that tracks its samples (the old rule)
DETRENDED_MIN = 0.3  # partial rho given the iteration: a weak positive association
GAN_MAX = 0.3  # an uninformative GAN curve: plain and partial rho both below (the old 0.3)
TIME_MIN = 0.6  # samples improved with time (time-curve rho): there was quality to track
ACROSS_AGAINST_GAN = 0.5  # mean across-run rho at or above it contradicts "uninformative"
LATE_IMPROVEMENT = 0.05  # samples improve over the second half: best below (1 - this) x mid
MIN_SNAPSHOTS = 6  # fewer measured snapshots test nothing

SHORT_NAMES: dict[str, str] = {
    "wgan-dcgan": "DCGAN G", "wgan-mlp": "MLP G", "wgan-mlp-mlp-hilr": "MLP/MLP high lr",
    "gan-dcgan": "DCGAN G", "gan-mlp": "MLP G", "gan-mlp-mlp": "MLP/MLP",
}
"""How the measured sentences name each run."""


def tracks(run: WithinRun) -> bool:
    """Plain rho >= :data:`PLAIN_MIN` and partial rho given the iteration >=
    :data:`DETRENDED_MIN` (NaN fails)."""
    return run.rho >= PLAIN_MIN and run.rho_partial >= DETRENDED_MIN


def describe_run(name: str, run: WithinRun) -> str:
    """One run's numbers in words: plain rho, the time baseline, the changes, the partial."""
    return (f"{name}: rho {rho_in_words(run.rho)} (time curve {rho_in_words(run.rho_time)}), "
            f"partial given iteration {rho_in_words(run.rho_partial)}, changes "
            f"{rho_in_words(run.rho_changes)}, n = {run.n}")


def failed_run_agrees(failed: WithinRun, normal: Sequence[WithinRun]) -> tuple[bool, str]:
    """Does Figure 4's failed run (MLP/MLP, high learning rate) agree with the claim?

    It agrees when its estimate is flat over the second half of the run
    (:attr:`WithinRun.flat`) while its samples neither improve there (their best pixel W1
    stays within :data:`LATE_IMPROVEMENT` of the W1 at mid-run) nor end better than any
    normal run's: a flat estimate with flat, bad samples. Its plain rho is then made of
    ties and is not read. It also agrees when its estimate is not flat and :func:`tracks`
    its samples. Otherwise it disagrees (a flat estimate while the samples improve or end
    good, or a moving estimate that does not follow them).
    """
    best_normal = min((run.quality_last for run in normal), default=math.inf)
    samples_flat = failed.quality_late_min >= (1 - LATE_IMPROVEMENT) * failed.quality_mid
    samples_bad = failed.quality_last > best_normal
    if failed.flat:
        agrees = samples_flat and samples_bad
        how = (f"estimate flat over the second half (ties: its plain rho "
               f"{rho_in_words(failed.rho)} is not read); samples "
               f"{'flat' if samples_flat else 'still improving'} there and "
               f"{'worse' if samples_bad else 'no worse'} at the end than the best normal run "
               f"(pixel W1 {failed.quality_last:.2f} against {best_normal:.2f})")
    else:
        agrees = tracks(failed)
        how = (f"estimate not flat; it {'tracks' if agrees else 'does not track'} its samples "
               f"(rho {rho_in_words(failed.rho)}, partial {rho_in_words(failed.rho_partial)})")
    return agrees, f"failed run {'agrees' if agrees else 'disagrees'}: {how}"


def meaningful_loss_verdict(
    runs: Mapping[str, WithinRun],
    across: AcrossRuns,
    scale: Scale,
    *,
    normal: Sequence[str] = ("wgan-dcgan", "wgan-mlp"),
    failed: str = "wgan-mlp-mlp-hilr",
) -> tuple[str, str]:
    """The verdict of ``meaningful-loss`` (Figure 4) and its measured sentence.

    - *reproduced*: both normal WGAN runs :func:`tracks` their samples (plain and
      detrended), the failed run agrees (:func:`failed_run_agrees`), and across the WGAN
      runs a lower estimate goes with better samples (mean per-snapshot rho above 0);
    - *partly reproduced*: at least one normal run tracks, but not all of the above;
    - *not reproduced*: no normal run passes the detrended test (a plain rho however high
      then says only that the estimate falls with time, as the time curve does);
    - *not tested at this scale*: at ``smoke``, or fewer than :data:`MIN_SNAPSHOTS`
      snapshots in a normal run.

    Parameters
    ----------
    runs : mapping of str to WithinRun
        The W estimate against the pixel W1, per run key (``normal`` and ``failed``).
    across : AcrossRuns
        The W estimate against the pixel W1 across the WGAN runs.
    scale : Scale

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
        The test passed (or not) and its numbers, in words (no NaN).
    """
    passing = [key for key in normal if tracks(runs[key])]
    agrees, failed_text = failed_run_agrees(runs[failed], [runs[k] for k in normal])
    across_ok = across.counted > 0 and across.mean_rho > 0
    numbers = "; ".join(describe_run(SHORT_NAMES.get(k, k), runs[k]) for k in normal)
    if scale.name == "smoke" or min(runs[k].n for k in normal) < MIN_SNAPSHOTS:
        verdict, test = "not tested at this scale", "too few snapshots to test"
    elif not passing:
        verdict = "not reproduced"
        test = "no normal run passed the detrended test (partial rho given the iteration)"
    elif len(passing) == len(normal) and agrees and across_ok:
        verdict = "reproduced"
        test = ("passed: plain and detrended within-run tests in every normal run, the "
                "failed run, and the across-run comparison")
    else:
        missing = [name for name, ok in (("the failed run", agrees),
                                         ("the across-run comparison", across_ok)) if not ok]
        verdict = "partly reproduced"
        test = (f"passed the within-run tests (plain and detrended) in {len(passing)} of "
                f"{len(normal)} normal runs" + (f"; not {' or '.join(missing)}" if missing
                                                else ""))
    measured = (f"{test}. {numbers}; {failed_text}; W estimate {across.describe()} (one seed "
                "per setting: the runs differ in critic, so in the constant K)")
    return verdict, measured


def uninformative(run: WithinRun) -> bool:
    """The samples improved (time-curve rho >= :data:`TIME_MIN`) and the curve follows them
    neither in rank (plain rho below :data:`GAN_MAX`) nor beyond time (partial rho given
    the iteration below :data:`GAN_MAX`); an undefined rho (a flat curve) follows nothing."""
    return (run.rho_time >= TIME_MIN and not run.rho >= GAN_MAX
            and not run.rho_partial >= GAN_MAX)


def uninformative_verdict(
    runs: Mapping[str, WithinRun],
    across: AcrossRuns,
    scale: Scale,
    *,
    curve: str,
    judged: Sequence[str] = ("gan-dcgan", "gan-mlp"),
) -> tuple[str, str]:
    """The verdict of ``js-uninformative`` (Figure 5) or ``figure9`` and its measured sentence.

    A GAN run counts when its samples improved with time (the time-curve baseline, at
    least :data:`TIME_MIN`: otherwise there was no quality to track and any curve would
    "not correlate"); it is uninformative by :func:`uninformative`.

    - *reproduced*: both judged runs (the DCGAN-discriminator ones) count and are
      uninformative, and across the GAN runs a lower curve does not go with better samples
      (mean per-snapshot rho below :data:`ACROSS_AGAINST_GAN`, or no snapshot comparable);
    - *partly reproduced*: at least one judged run is uninformative, but not all of the
      above;
    - *not reproduced*: runs count, and none is uninformative;
    - *not tested at this scale*: at ``smoke``, fewer than :data:`MIN_SNAPSHOTS` snapshots,
      or no judged run whose samples improved.

    Parameters
    ----------
    runs : mapping of str to WithinRun
        The curve against the pixel W1, per GAN run key (every key of ``judged``).
    across : AcrossRuns
        The curve against the pixel W1 across the GAN runs.
    scale : Scale
    curve : str
        The curve's name in the sentence ("JS estimate", "generator loss").

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
    """
    counted = [key for key in judged if runs[key].rho_time >= TIME_MIN]
    flat = [key for key in judged if uninformative(runs[key])]
    across_ok = not (across.counted > 0 and across.mean_rho >= ACROSS_AGAINST_GAN)
    numbers = "; ".join(describe_run(SHORT_NAMES.get(k, k), v) for k, v in runs.items())
    if scale.name == "smoke" or min(runs[k].n for k in judged) < MIN_SNAPSHOTS:
        verdict, test = "not tested at this scale", "too few snapshots to test"
    elif not counted:
        verdict = "not tested at this scale"
        test = "the samples of no judged run improved with time: nothing to track"
    elif not flat:
        verdict = "not reproduced"
        test = (f"the {curve} followed the samples (plain or detrended) in every judged run "
                "whose samples improved")
    elif len(flat) == len(judged) and across_ok:
        verdict = "reproduced"
        test = (f"passed: the {curve} followed the samples neither in rank nor beyond time "
                "in every judged run, and not across runs")
    else:
        verdict = "partly reproduced"
        test = (f"the {curve} was uninformative in {len(flat)} of {len(judged)} judged runs"
                + ("" if across_ok else "; across runs a lower curve went with better samples"))
    measured = f"{test}. {numbers}; {curve} {across.describe()} (one seed per setting)"
    return verdict, measured
