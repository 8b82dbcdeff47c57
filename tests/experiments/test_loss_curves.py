"""The verdict rules of Section 4.3 (meaningful-loss, js-uninformative, figure9): each verdict
is reachable over seeds, the time baseline alone does not pass, the spread between seeds
counts, and each number sits next to its run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import pytest

from wgan.experiments.loss_curves import (
    failed_run_agrees,
    interval_text,
    meaningful_loss_verdict,
    partial_in_words,
    tracking_tests,
    tracks,
    uninformative,
    uninformative_verdict,
)
from wgan.plan.scale import Scale
from wgan.quality.correlation import AcrossRuns, WithinRun
from wgan.report.claims import CLAIMS, VERDICTS

QUICK = Scale("quick")
SEEDS = 5

TRACKS = WithinRun(n=21, rho=0.9, rho_time=0.95, rho_changes=0.6, rho_partial=0.5, flat=False,
                   quality_first=20.0, quality_mid=8.0, quality_last=6.0, quality_late_min=6.0)
TIME_ONLY = replace(TRACKS, rho_partial=0.05)  # falls with time, nothing more
FAILED_FLAT = WithinRun(n=21, rho=0.8, rho_time=0.9, rho_changes=math.nan,
                        rho_partial=math.nan, flat=True, quality_first=20.0, quality_mid=17.0,
                        quality_last=17.1, quality_late_min=16.9)
FLAT_GAN = WithinRun(n=21, rho=math.nan, rho_time=0.9, rho_changes=math.nan,
                     rho_partial=math.nan, flat=True, quality_first=20.0, quality_mid=8.0,
                     quality_last=6.0, quality_late_min=6.0)
NO_IMPROVEMENT = replace(FLAT_GAN, rho_time=0.1)


def seeds(run: WithinRun, partials: Sequence[float] | None = None) -> list[WithinRun]:
    """``SEEDS`` copies of ``run``, with the partial rho of each seed when given."""
    if partials is None:  # a small spread, so that an interval exists
        return [replace(run, rho_partial=run.rho_partial + 0.01 * i)
                if math.isfinite(run.rho_partial) else run for i in range(SEEDS)]
    return [replace(run, rho_partial=p) for p in partials]


def across(mean: float) -> AcrossRuns:
    """Across-seed comparison with mean rho ``mean``; NaN: no snapshot comparable."""
    counted = int(math.isfinite(mean))
    return AcrossRuns(per_snapshot=pd.Series([mean], index=[100]), runs=SEEDS, mean_rho=mean,
                      positive=int(mean > 0), counted=counted)


def wgan(dcgan: list[WithinRun], mlp: list[WithinRun],
         failed: list[WithinRun] | None = None) -> dict[str, list[WithinRun]]:
    return {"wgan-dcgan": dcgan, "wgan-mlp": mlp,
            "wgan-mlp-mlp-hilr": seeds(FAILED_FLAT) if failed is None else failed}


def wgan_across(rho: float) -> dict[str, AcrossRuns]:
    return {"wgan-dcgan": across(rho), "wgan-mlp": across(rho)}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (wgan(seeds(TRACKS), seeds(TRACKS)), 0.5, QUICK, "reproduced"),
    (wgan(seeds(TRACKS), seeds(TIME_ONLY)), 0.5, QUICK, "partly reproduced"),
    (wgan(seeds(TRACKS), seeds(TRACKS)), -0.5, QUICK, "not reproduced"),  # across seeds
    (wgan(seeds(TIME_ONLY), seeds(TIME_ONLY)), 0.5, QUICK, "not reproduced"),  # time alone
    # the detrended test undefined in every seed, across seeds not comparable: untestable
    (wgan(seeds(TRACKS, [math.nan] * 5), seeds(TRACKS, [math.nan] * 5)), math.nan, QUICK,
     "not tested at this scale"),
    (wgan(seeds(TRACKS), seeds(TRACKS)), 0.5, Scale("smoke"), "not tested at this scale"),
    (wgan(seeds(replace(TRACKS, n=3)), seeds(TRACKS)), 0.5, QUICK,
     "not tested at this scale"),
    (wgan(seeds(TRACKS)[:2], seeds(TRACKS)[:2], seeds(FAILED_FLAT)[:2]), 0.5, QUICK,
     "not tested at this scale"),  # two seeds: no interval worth reading
])
def test_meaningful_loss_reaches_each_verdict(runs: dict[str, list[WithinRun]],
                                              across_rho: float, scale: Scale,
                                              expected: str) -> None:
    judged = meaningful_loss_verdict(runs, wgan_across(across_rho), scale)
    assert judged.verdict == expected and judged.verdict in VERDICTS
    assert "nan" not in judged.measured.lower()


def test_an_inadequate_experiment_is_not_tested_never_not_reproduced() -> None:
    """Runs whose samples never beat the moment-matched Gaussian test nothing."""
    runs = wgan(seeds(TIME_ONLY), seeds(TIME_ONLY))
    learned = {"wgan-dcgan": [True, True, False, False, False], "wgan-mlp": [False] * 5}
    judged = meaningful_loss_verdict(runs, wgan_across(0.5), QUICK, learned=learned)
    assert judged.verdict == "not tested at this scale" and judged.adequate is False
    assert "DCGAN G 2 of 5" in judged.adequacy and "MLP G 0 of 5" in judged.adequacy
    # three learned seeds of one setting are enough to test that setting, and no more
    learned["wgan-dcgan"] = [True, True, True, False, False]
    runs = wgan(seeds(TRACKS), seeds(TRACKS))
    judged = meaningful_loss_verdict(runs, wgan_across(0.5), QUICK, learned=learned)
    assert judged.verdict == "partly reproduced" and judged.adequate is True


def test_a_mean_carried_by_one_seed_does_not_track() -> None:
    # Mean partial rho 0.32 >= 0.3, but four seeds near 0: the interval reaches below 0.
    spread = seeds(TRACKS, [1.4, -0.02, 0.05, 0.1, 0.07])
    assert tracks(spread) is False
    assert tracks(seeds(TRACKS, [0.35, 0.4, 0.3, 0.45, 0.5])) is True


def test_undefined_is_untestable_not_zero() -> None:
    # The detrended test undefined (4 of 5 seeds): the verdict rests on the tests that are
    # defined, here the across-seed comparison; without it, the setting is untestable.
    undefined = seeds(TRACKS, [math.nan] * 4 + [0.9])
    assert tracks(undefined) is None
    assert tracks(undefined, across(0.5)) is True
    assert tracks(undefined, across(-0.5)) is False
    assert set(tracking_tests(undefined, across(0.5))) == {"plain", "across seeds"}


def test_an_undefined_partial_is_named_and_no_number_printed_for_it() -> None:
    text = partial_in_words(seeds(TRACKS, [math.nan] * 5))
    assert text.startswith("per seed undefined, undefined, undefined, undefined, undefined")
    assert "monotone function of the iteration" in text
    assert text.endswith("the detrended test is undefined")
    assert "0.00" not in text
    some = partial_in_words(seeds(TRACKS, [math.nan, 0.4, 0.5, 0.6, 0.5]))
    assert some.startswith("per seed undefined, +0.40, +0.50, +0.60, +0.50")
    assert "over the 4 defined seeds +0.50 [" in some
    assert partial_in_words(seeds(TRACKS, [0.4, 0.5])).startswith("+0.45 [")


def test_meaningful_loss_names_the_tests_it_read() -> None:
    judged = meaningful_loss_verdict(wgan(seeds(TRACKS), seeds(TRACKS)), wgan_across(0.5),
                                     QUICK)
    assert judged.measured.startswith("every normal setting tracked its samples")
    assert "plain passed, detrended passed, across seeds passed" in judged.measured
    assert "t-interval over 5 seeds" in judged.measured
    judged = meaningful_loss_verdict(wgan(seeds(TIME_ONLY), seeds(TIME_ONLY)),
                                     wgan_across(0.5), QUICK)
    assert "detrended failed" in judged.measured and "time curve +0.95" in judged.measured


def test_the_failed_run_agrees_when_flat_with_flat_bad_samples() -> None:
    agrees, text = failed_run_agrees(FAILED_FLAT, [TRACKS, TRACKS])
    assert agrees and "flat" in text and "nan" not in text.lower()
    # A flat estimate while the samples still improve, or end as good as a normal run's,
    # disagrees with the claim.
    improving = replace(FAILED_FLAT, quality_late_min=12.0)
    assert not failed_run_agrees(improving, [TRACKS])[0]
    good = replace(FAILED_FLAT, quality_last=5.0)
    assert not failed_run_agrees(good, [TRACKS])[0]
    # Not flat: it must track its samples.
    assert failed_run_agrees(TRACKS, [TRACKS])[0]
    assert not failed_run_agrees(TIME_ONLY, [TRACKS])[0]
    # A failed run that disagrees in most seeds keeps "reproduced" out of reach.
    mostly = [improving] * 3 + [FAILED_FLAT] * 2
    judged = meaningful_loss_verdict(wgan(seeds(TRACKS), seeds(TRACKS), mostly),
                                     wgan_across(0.5), QUICK)
    assert judged.verdict == "partly reproduced"
    assert "agrees in 2 of 5 seeds" in judged.measured


def gan(dcgan: list[WithinRun], mlp: list[WithinRun]) -> dict[str, list[WithinRun]]:
    return {"gan-mlp": mlp, "gan-dcgan": dcgan, "gan-mlp-mlp": seeds(FLAT_GAN)}


def gan_across(rho: float) -> dict[str, AcrossRuns]:
    return {"gan-dcgan": across(rho), "gan-mlp": across(rho)}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 0.0, QUICK, "reproduced"),
    (gan(seeds(FLAT_GAN), seeds(TRACKS)), 0.0, QUICK, "partly reproduced"),
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 1.0, QUICK, "not reproduced"),  # across seeds
    (gan(seeds(TRACKS), seeds(TIME_ONLY)), 0.0, QUICK, "not reproduced"),
    (gan(seeds(NO_IMPROVEMENT), seeds(NO_IMPROVEMENT)), 0.0, QUICK,
     "not tested at this scale"),
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 0.0, Scale("smoke"), "not tested at this scale"),
])
def test_uninformative_reaches_each_verdict(runs: dict[str, list[WithinRun]],
                                            across_rho: float, scale: Scale,
                                            expected: str) -> None:
    judged = uninformative_verdict(runs, gan_across(across_rho), scale, curve="JS estimate")
    assert judged.verdict == expected and judged.verdict in VERDICTS
    assert "nan" not in judged.measured.lower()


def test_gan_settings_that_never_learned_leave_the_claim_untested() -> None:
    runs = gan(seeds(FLAT_GAN), seeds(FLAT_GAN))
    learned = {"gan-dcgan": [False] * 5, "gan-mlp": [True, False, True, False, False]}
    judged = uninformative_verdict(runs, gan_across(0.0), QUICK, curve="JS estimate",
                                   learned=learned)
    assert judged.verdict == "not tested at this scale" and judged.adequate is False


def test_uninformative_needs_the_interval_below_the_threshold() -> None:
    low = replace(TRACKS, rho=0.1)
    assert uninformative(seeds(low, [0.0, 0.05, -0.05, 0.02, 0.0]))
    # Mean partial 0.12 < 0.3, but one seed at 0.6: the interval reaches above 0.3.
    assert not uninformative(seeds(low, [0.6, 0.0, 0.0, 0.0, 0.0]))


def test_each_gan_number_sits_next_to_its_own_run() -> None:
    # Item 7 of issue 21: the numbers followed one order and the labels another.
    runs = {"gan-mlp": seeds(replace(TRACKS, rho=0.11)),
            "gan-dcgan": seeds(replace(TRACKS, rho=0.22)),
            "gan-mlp-mlp": seeds(replace(TRACKS, rho=0.33))}
    measured = uninformative_verdict(runs, gan_across(0.0), QUICK,
                                     curve="generator loss").measured
    assert "DCGAN G: mean rho +0.22" in measured
    assert "MLP G: mean rho +0.11" in measured
    assert "MLP/MLP: mean rho +0.33" in measured
    text = interval_text(runs, ["gan-dcgan"])
    assert text.startswith("partial rho given the iteration, DCGAN G +0.52 [")


def test_the_claims_are_declared_with_their_rules() -> None:
    declared = {claim.key: claim for claim in CLAIMS}
    for key in ("meaningful-loss", "js-uninformative", "figure9"):
        claim = declared[key]
        assert claim.chapter == "04_loss_curves" and claim.kind == "empirical"
        assert claim.test and claim.rule and claim.seeds and claim.reason
