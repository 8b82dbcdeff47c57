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
    return AcrossRuns(per_snapshot=pd.Series([mean], index=[100]), runs=SEEDS, mean_rho=mean,
                      positive=int(mean > 0), counted=1)


def wgan(dcgan: list[WithinRun], mlp: list[WithinRun],
         failed: list[WithinRun] | None = None) -> dict[str, list[WithinRun]]:
    return {"wgan-dcgan": dcgan, "wgan-mlp": mlp,
            "wgan-mlp-mlp-hilr": seeds(FAILED_FLAT) if failed is None else failed}


def wgan_across(rho: float) -> dict[str, AcrossRuns]:
    return {"wgan-dcgan": across(rho), "wgan-mlp": across(rho)}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (wgan(seeds(TRACKS), seeds(TRACKS)), 0.5, QUICK, "reproduced"),
    (wgan(seeds(TRACKS), seeds(TIME_ONLY)), 0.5, QUICK, "partly reproduced"),
    (wgan(seeds(TRACKS), seeds(TRACKS)), -0.5, QUICK, "partly reproduced"),  # across seeds
    (wgan(seeds(TIME_ONLY), seeds(TIME_ONLY)), 0.5, QUICK, "not reproduced"),  # time alone
    (wgan(seeds(TRACKS), seeds(TRACKS)), 0.5, Scale("smoke"), "not tested at this scale"),
    (wgan(seeds(replace(TRACKS, n=3)), seeds(TRACKS)), 0.5, QUICK,
     "not tested at this scale"),
    (wgan(seeds(TRACKS)[:2], seeds(TRACKS)[:2], seeds(FAILED_FLAT)[:2]), 0.5, QUICK,
     "not tested at this scale"),  # two seeds: no interval worth reading
])
def test_meaningful_loss_reaches_each_verdict(runs: dict[str, list[WithinRun]],
                                              across_rho: float, scale: Scale,
                                              expected: str) -> None:
    verdict, measured = meaningful_loss_verdict(runs, wgan_across(across_rho), scale)
    assert verdict == expected and verdict in VERDICTS
    assert "nan" not in measured.lower()


def test_a_mean_carried_by_one_seed_does_not_track() -> None:
    # Mean partial rho 0.32 >= 0.3, but four seeds near 0: the interval reaches below 0.
    spread = seeds(TRACKS, [1.4, -0.02, 0.05, 0.1, 0.07])
    assert not tracks(spread)
    assert tracks(seeds(TRACKS, [0.35, 0.4, 0.3, 0.45, 0.5]))
    # An undefined partial rho (a flat curve) counts as 0, never as a pass.
    assert not tracks(seeds(TRACKS, [math.nan] * 4 + [0.9]))


def test_an_undefined_partial_is_named_and_its_zero_said_to_be_the_rules() -> None:
    # Every seed undefined (the estimate a monotone function of the iteration): no measured
    # interval of zeros is printed, only the rule's mean.
    text = partial_in_words(seeds(TRACKS, [math.nan] * 5))
    assert text.startswith("per seed undefined, undefined, undefined, undefined, undefined")
    assert "monotone function of the iteration" in text and text.endswith("mean +0.00")
    assert "[+0.00, +0.00]" not in text
    some = partial_in_words(seeds(TRACKS, [math.nan, 0.4, 0.5, 0.6, 0.5]))
    assert some.startswith("per seed undefined, +0.40, +0.50, +0.60, +0.50")
    assert some.endswith("mean +0.40 [+0.11, +0.69]")  # the rule's: undefined counted as 0
    assert partial_in_words(seeds(TRACKS, [0.4, 0.5])).startswith("+0.45 [")


def test_meaningful_loss_names_the_test_it_passed() -> None:
    _, measured = meaningful_loss_verdict(wgan(seeds(TRACKS), seeds(TRACKS)), wgan_across(0.5),
                                          QUICK)
    assert measured.startswith("passed: plain and detrended")
    assert "t-interval over 5 seeds" in measured
    _, measured = meaningful_loss_verdict(wgan(seeds(TIME_ONLY), seeds(TIME_ONLY)),
                                          wgan_across(0.5), QUICK)
    assert "detrended" in measured and "time curve +0.95" in measured


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
    verdict, measured = meaningful_loss_verdict(wgan(seeds(TRACKS), seeds(TRACKS), mostly),
                                                wgan_across(0.5), QUICK)
    assert verdict == "partly reproduced" and "agrees in 2 of 5 seeds" in measured


def gan(dcgan: list[WithinRun], mlp: list[WithinRun]) -> dict[str, list[WithinRun]]:
    return {"gan-mlp": mlp, "gan-dcgan": dcgan, "gan-mlp-mlp": seeds(FLAT_GAN)}


def gan_across(rho: float) -> dict[str, AcrossRuns]:
    return {"gan-dcgan": across(rho), "gan-mlp": across(rho)}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 0.0, QUICK, "reproduced"),
    (gan(seeds(FLAT_GAN), seeds(TRACKS)), 0.0, QUICK, "partly reproduced"),
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 1.0, QUICK, "partly reproduced"),  # across seeds
    (gan(seeds(TRACKS), seeds(TIME_ONLY)), 0.0, QUICK, "not reproduced"),
    (gan(seeds(NO_IMPROVEMENT), seeds(NO_IMPROVEMENT)), 0.0, QUICK,
     "not tested at this scale"),
    (gan(seeds(FLAT_GAN), seeds(FLAT_GAN)), 0.0, Scale("smoke"), "not tested at this scale"),
])
def test_uninformative_reaches_each_verdict(runs: dict[str, list[WithinRun]],
                                            across_rho: float, scale: Scale,
                                            expected: str) -> None:
    verdict, measured = uninformative_verdict(runs, gan_across(across_rho), scale,
                                              curve="JS estimate")
    assert verdict == expected and verdict in VERDICTS
    assert "nan" not in measured.lower()


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
    _, measured = uninformative_verdict(runs, gan_across(0.0), QUICK, curve="generator loss")
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
