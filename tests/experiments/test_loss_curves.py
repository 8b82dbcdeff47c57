"""The verdict rules of Section 4.3 (meaningful-loss, js-uninformative, figure9): each verdict
is reachable, the time baseline alone does not pass, and each number sits next to its run."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from wgan.experiments.loss_curves import (
    failed_run_agrees,
    meaningful_loss_verdict,
    uninformative_verdict,
)
from wgan.plan.scale import Scale
from wgan.quality.correlation import AcrossRuns, WithinRun
from wgan.report.claims import CLAIMS, VERDICTS

QUICK = Scale("quick")

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


def across(mean: float) -> AcrossRuns:
    return AcrossRuns(per_snapshot=pd.Series([mean], index=[100]), runs=3, mean_rho=mean,
                      positive=int(mean > 0), counted=1)


def wgan(dcgan: WithinRun, mlp: WithinRun, failed: WithinRun = FAILED_FLAT
         ) -> dict[str, WithinRun]:
    return {"wgan-dcgan": dcgan, "wgan-mlp": mlp, "wgan-mlp-mlp-hilr": failed}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (wgan(TRACKS, TRACKS), 0.5, QUICK, "reproduced"),
    (wgan(TRACKS, TIME_ONLY), 0.5, QUICK, "partly reproduced"),
    (wgan(TRACKS, TRACKS), -0.5, QUICK, "partly reproduced"),  # across runs it fails
    (wgan(TIME_ONLY, TIME_ONLY), 0.5, QUICK, "not reproduced"),  # the time baseline alone
    (wgan(TRACKS, TRACKS), 0.5, Scale("smoke"), "not tested at this scale"),
    (wgan(replace(TRACKS, n=3), TRACKS), 0.5, QUICK, "not tested at this scale"),
])
def test_meaningful_loss_reaches_each_verdict(runs: dict[str, WithinRun], across_rho: float,
                                              scale: Scale, expected: str) -> None:
    verdict, measured = meaningful_loss_verdict(runs, across(across_rho), scale)
    assert verdict == expected and verdict in VERDICTS
    assert "nan" not in measured.lower()


def test_meaningful_loss_names_the_test_it_passed() -> None:
    _, measured = meaningful_loss_verdict(wgan(TRACKS, TRACKS), across(0.5), QUICK)
    assert measured.startswith("passed: plain and detrended")
    _, measured = meaningful_loss_verdict(wgan(TIME_ONLY, TIME_ONLY), across(0.5), QUICK)
    assert "detrended" in measured and "time curve +0.95" in measured


def test_the_failed_run_agrees_when_flat_with_flat_bad_samples() -> None:
    agrees, text = failed_run_agrees(FAILED_FLAT, [TRACKS, TRACKS])
    assert agrees and "ties" in text and "nan" not in text.lower()
    # A flat estimate while the samples still improve, or end as good as a normal run's,
    # disagrees with the claim.
    improving = replace(FAILED_FLAT, quality_late_min=12.0)
    assert not failed_run_agrees(improving, [TRACKS])[0]
    good = replace(FAILED_FLAT, quality_last=5.0)
    assert not failed_run_agrees(good, [TRACKS])[0]
    # Not flat: it must track its samples.
    assert failed_run_agrees(TRACKS, [TRACKS])[0]
    assert not failed_run_agrees(TIME_ONLY, [TRACKS])[0]
    # A failed run that disagrees keeps "reproduced" out of reach.
    verdict, _ = meaningful_loss_verdict(wgan(TRACKS, TRACKS, improving), across(0.5), QUICK)
    assert verdict == "partly reproduced"


def gan(dcgan: WithinRun, mlp: WithinRun) -> dict[str, WithinRun]:
    return {"gan-mlp": mlp, "gan-dcgan": dcgan, "gan-mlp-mlp": FLAT_GAN}


@pytest.mark.parametrize(("runs", "across_rho", "scale", "expected"), [
    (gan(FLAT_GAN, FLAT_GAN), 0.0, QUICK, "reproduced"),
    (gan(FLAT_GAN, TRACKS), 0.0, QUICK, "partly reproduced"),
    (gan(FLAT_GAN, FLAT_GAN), 1.0, QUICK, "partly reproduced"),  # across runs it tracks
    (gan(TRACKS, TIME_ONLY), 0.0, QUICK, "not reproduced"),
    (gan(NO_IMPROVEMENT, NO_IMPROVEMENT), 0.0, QUICK, "not tested at this scale"),
    (gan(FLAT_GAN, FLAT_GAN), 0.0, Scale("smoke"), "not tested at this scale"),
])
def test_uninformative_reaches_each_verdict(runs: dict[str, WithinRun], across_rho: float,
                                            scale: Scale, expected: str) -> None:
    verdict, measured = uninformative_verdict(runs, across(across_rho), scale,
                                              curve="JS estimate")
    assert verdict == expected and verdict in VERDICTS
    assert "nan" not in measured.lower()


def test_each_gan_number_sits_next_to_its_own_run() -> None:
    # Item 7 of issue 21: the numbers followed one order and the labels another.
    runs = {"gan-mlp": replace(TRACKS, rho=0.11), "gan-dcgan": replace(TRACKS, rho=0.22),
            "gan-mlp-mlp": replace(TRACKS, rho=0.33)}
    _, measured = uninformative_verdict(runs, across(0.0), QUICK, curve="generator loss")
    assert "DCGAN G: rho +0.22" in measured
    assert "MLP G: rho +0.11" in measured
    assert "MLP/MLP: rho +0.33" in measured


def test_the_claims_are_declared_with_their_rules() -> None:
    declared = {claim.key: claim for claim in CLAIMS}
    for key in ("meaningful-loss", "js-uninformative", "figure9"):
        claim = declared[key]
        assert claim.chapter == "04_loss_curves" and claim.kind == "empirical"
        assert claim.test and claim.rule and claim.seeds and claim.reason
