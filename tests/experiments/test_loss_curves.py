"""The verdict rules of Section 4.3 (meaningful-loss, js-uninformative, figure9) and of
chapter 4's grid (compare-runs, no-balancing): each verdict is reachable, not tested
included, the time baseline alone does not pass, the spread between seeds counts, and each
number sits next to its run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from wgan.experiments.images import GRID_CLIP_VALUES, grid_cells
from wgan.experiments.loss_curves import (
    NO_WORSE,
    RANK_MIN,
    compare_runs_verdict,
    failed_run_agrees,
    final_estimate,
    interval_text,
    js_change,
    js_level_verdict,
    meaningful_loss_verdict,
    n_critic_pairs,
    no_balancing_verdict,
    partial_in_words,
    pooled_rank,
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
    for key in ("meaningful-loss", "js-uninformative", "figure9", "compare-runs",
                "no-balancing"):
        claim = declared[key]
        assert claim.chapter == "04_loss_curves" and claim.kind == "empirical"
        assert claim.test and claim.rule and claim.seeds and claim.reason
    for key in ("compare-runs", "no-balancing"):
        assert declared[key].adequacy and "quick" in declared[key].seeds


# ----------------------------------------------------- the grid: compare-runs, no-balancing
BLUR = 87.7  # the moment-matched Gaussian's FD (quick)
CELLS = grid_cells(QUICK)  # 12 runs: clip value, then learning rate, then n_critic
K = {GRID_CLIP_VALUES[0]: 1.0, GRID_CLIP_VALUES[1]: 25.0}  # the clip box's constant


def grid(quality: Sequence[float], estimate: Sequence[float] | None = None) -> pd.DataFrame:
    """The grid's table, runs in the order of ``CELLS``; the estimate is K times the quality
    (a perfect ranking within each clip value) unless given."""
    if estimate is None:
        estimate = [K[cell.clip_value] * q for cell, q in zip(CELLS, quality, strict=True)]
    return pd.DataFrame([{"lr": cell.lr, "n_critic": cell.n_critic, "clip_value": cell.clip_value,
                          "estimate": e, "quality": q}
                         for cell, q, e in zip(CELLS, quality, estimate, strict=True)])


# per clip value: (lr 5e-5, 2e-4, 1e-3) x (n_critic 1, 5); four runs beat the blur
LEARNED = [300.0, 200.0, 80.0, 40.0, 150.0, 120.0] * 2


def test_final_estimate_is_the_median_of_the_last_tenth() -> None:
    metrics = pd.DataFrame({"w_estimate": [100.0] * 18 + [2.0, math.nan]})
    assert final_estimate(metrics) == 2.0  # the last 2 of 20, the NaN left out
    assert final_estimate(metrics, share=0.2) == 100.0  # median of 100, 100, 2
    assert math.isnan(final_estimate(pd.DataFrame({"w_estimate": [math.nan]})))
    with pytest.raises(ValueError, match="'share' parameter of final_estimate"):
        final_estimate(metrics, share=0)
    with pytest.raises(ValueError, match="'metrics' parameter of final_estimate"):
        final_estimate(pd.DataFrame({"loss_d": [1.0]}))


def test_the_pooled_rho_is_fisher_z_with_the_bonett_wright_variance() -> None:
    # one clip value, 6 runs, rho 0.6: z = atanh(0.6), variance (1 + 0.18) / 3
    estimate = [1, 2, 3, 4, 5, 6]
    quality = [2, 1, 4, 3, 6, 5]  # rho = 0.8286
    table = pd.DataFrame({"lr": 1.0, "n_critic": 1, "clip_value": 0.01,
                          "estimate": estimate, "quality": quality})
    pooled = pooled_rank(table)
    rho = 0.8285714285714286
    half = 1.959963984540054 * math.sqrt((1 + rho ** 2 / 2) / 3)
    assert pooled.rho == pytest.approx(rho)
    assert pooled.low == pytest.approx(math.tanh(math.atanh(rho) - half))
    assert pooled.high == pytest.approx(math.tanh(math.atanh(rho) + half))
    assert pooled.n == 6 and "clip value 0.01 rho +0.83 over 6 runs" in pooled.describe()


def test_the_clip_values_constant_is_compared_apart() -> None:
    # the estimate ranks the runs perfectly within each clip value, but the larger box's K
    # puts every one of its runs above the other's: across the grid the ranking is lost
    table = grid(LEARNED)
    within, across = pooled_rank(table), pooled_rank(table, by=None)
    assert within.rho > 0.99 and within.low > 0.9
    assert across.rho < within.rho - 0.3
    assert within.n == across.n == 12


@pytest.mark.parametrize(("quality", "estimate", "scale", "expected"), [
    (LEARNED, None, QUICK, "reproduced"),
    # the estimate ranks the runs backwards within each clip value
    (LEARNED, [-q for q in LEARNED], QUICK, "not reproduced"),
    # rho +0.31 within each clip value: the interval holds 0 and 0.6
    (LEARNED, [4, 6, 1, 5, 3, 2] * 2, QUICK, "not tested at this scale"),
    (LEARNED, None, Scale("smoke"), "not tested at this scale"),
    # two runs beat the blur: the grid spans no range of quality
    ([300.0, 200.0, 80.0, 95.0, 150.0, 120.0, 300.0, 200.0, 90.0, 85.0, 150.0, 120.0], None,
     QUICK, "not tested at this scale"),
])
def test_compare_runs_reaches_each_verdict(quality: list[float], estimate: list[float] | None,
                                           scale: Scale, expected: str) -> None:
    judgement = compare_runs_verdict(grid(quality, estimate), scale, blur=BLUR)
    assert judgement.verdict == expected
    assert judgement.adequate is (expected != "not tested at this scale"
                                  or estimate is not None)
    assert "nan" not in judgement.measured


def test_compare_runs_is_partly_reproduced_by_a_weak_but_certain_ranking() -> None:
    # 12 runs cannot show a rho below 0.6 to be above 0; 3 clip values of 30 runs can
    rng = np.random.default_rng(0)
    quality = rng.uniform(10, 300, 90)
    estimate = quality + rng.normal(0, 140, 90)
    table = pd.DataFrame({"lr": 1.0, "n_critic": 1, "clip_value": np.repeat([0.01, 0.02, 0.05], 30),
                          "estimate": estimate, "quality": quality})
    pooled = pooled_rank(table)
    assert 0 < pooled.low and pooled.rho < RANK_MIN
    assert compare_runs_verdict(table, QUICK, blur=BLUR).verdict == "partly reproduced"


def test_compare_runs_counts_only_finite_runs_and_names_the_others() -> None:
    quality = list(LEARNED)
    quality[0] = quality[6] = quality[7] = math.nan  # diverged runs
    judgement = compare_runs_verdict(grid(quality), QUICK, blur=BLUR)
    assert judgement.verdict == "reproduced"
    assert ("left out, no finite final values: lr 5e-05 n_critic 1 c 0.01, lr 5e-05 n_critic 1 "
            "c 0.05, lr 5e-05 n_critic 5 c 0.05") in judgement.measured
    assert "clip value 0.01 rho +1.00 over 5 runs" in judgement.measured
    assert "clip value 0.05 rho +1.00 over 4 runs" in judgement.measured
    # a clip value left with 3 runs is not counted, and with none counted nothing is tested
    quality[1] = quality[4] = quality[10] = math.nan
    sparse = compare_runs_verdict(grid(quality), QUICK, blur=BLUR)
    assert sparse.verdict == "not tested at this scale" and sparse.adequate is False
    assert "no clip value has 4 runs" in sparse.measured


def pairs_grid(ratios: Sequence[float], fewer_quality: float = 60.0) -> pd.DataFrame:
    """A grid whose (lr, clip) cells have FD(n_critic 1) / FD(n_critic 5) = ``ratios``."""
    quality = []
    for ratio in ratios:
        quality += [fewer_quality, fewer_quality / ratio]
    return grid(quality)


@pytest.mark.parametrize(("ratios", "scale", "expected"), [
    ([1.5, 1.6, 1.4, 1.5, 1.7, 1.45], QUICK, "reproduced"),
    ([0.6, 0.7, 0.65, 0.6, 0.7, 0.55], QUICK, "not reproduced"),
    ([1.02, 0.97, 1.0, 1.03, 0.98, 1.0], QUICK, "partly reproduced"),  # no worse
    ([0.5, 2.0, 0.6, 1.8, 0.7, 1.9], QUICK, "not tested at this scale"),  # too few to tell
    ([1.5, 1.6, 1.4, 1.5, 1.7, 1.45], Scale("smoke"), "not tested at this scale"),
])
def test_no_balancing_reaches_each_verdict(ratios: list[float], scale: Scale,
                                           expected: str) -> None:
    judgement = no_balancing_verdict(pairs_grid(ratios), scale, blur=BLUR)
    assert judgement.verdict == expected
    assert judgement.adequate is (scale.name != "smoke")


def test_no_balancing_partly_needs_the_interval_above_the_margin() -> None:
    # mean ratio 1, but spread so that the interval reaches below 1 / NO_WORSE
    ratios = [1.0, 0.9, 1.1, 0.85, 1.15, 1.0]
    interval_low = no_balancing_verdict(pairs_grid(ratios), QUICK, blur=BLUR)
    assert interval_low.verdict == "partly reproduced"
    wide = [1.0, 0.7, 1.4, 0.65, 1.5, 1.0]
    assert no_balancing_verdict(pairs_grid(wide), QUICK, blur=BLUR).verdict == (
        "not tested at this scale")
    assert NO_WORSE == 1.25


def test_no_balancing_judges_only_cells_where_a_run_learned() -> None:
    # every run above the blur: no cell judged, the claim is not tested, never not reproduced
    judgement = no_balancing_verdict(pairs_grid([0.6] * 6, fewer_quality=200.0), QUICK,
                                     blur=BLUR)
    assert judgement.verdict == "not tested at this scale" and judgement.adequate is False
    assert "0 of 6 (learning rate, clip) cells judged" in judgement.adequacy
    # a cell whose n_critic = 1 run diverged (no finite FD) is not judged either
    table = pairs_grid([1.5] * 6)
    table.loc[0, "quality"] = math.nan
    pairs = n_critic_pairs(table, BLUR)
    assert pairs["judged"].sum() == 5 and math.isnan(pairs["ratio"].iloc[0])
    assert list(pairs.columns) == ["fewer", "more", "quality_fewer", "quality_more", "ratio",
                                   "judged"]
    assert (pairs["fewer"] == 1).all() and (pairs["more"] == 5).all()


def test_no_balancing_names_each_judged_cell() -> None:
    judgement = no_balancing_verdict(pairs_grid([1.5, 1.6, 1.4, 1.5, 1.7, 1.45]), QUICK,
                                     blur=BLUR)
    assert "lr 0.0002 c 0.05: 60 at n_critic 1, 35.3 at 5" in judgement.measured
    assert judgement.measured.startswith("final FD at the fewest over the most critic "
                                         "iterations 1.52 [")


def test_the_grid_rules_refuse_a_table_without_its_columns() -> None:
    with pytest.raises(ValueError, match="'table' parameter of compare_runs_verdict"):
        compare_runs_verdict(pd.DataFrame({"quality": [1.0]}), QUICK, blur=BLUR)
    with pytest.raises(ValueError, match="Missing: lr, n_critic, clip_value, estimate"):
        no_balancing_verdict(pd.DataFrame({"quality": [1.0]}), QUICK, blur=BLUR)


@pytest.mark.parametrize(("dcgan", "mlp", "expected"), [
    ([0.0, 0.05, -0.02, 0.1, 0.03], [0.2, 0.25, 0.3, 0.2, 0.22], "reproduced"),
    ([0.0, 0.05, -0.02, 0.1, 0.03], [-0.5, -0.6, -0.4, -0.55, -0.5], "partly reproduced"),
    ([-0.5, -0.6, -0.4, -0.55, -0.5], [-0.3, -0.35, -0.4, -0.3, -0.3], "not reproduced"),
])
def test_js_level_reaches_each_verdict(dcgan, mlp, expected) -> None:
    changes = {"gan-dcgan": dcgan, "gan-mlp": mlp}
    judged = js_level_verdict(changes, None, QUICK)
    assert judged.verdict == expected and judged.adequate is True
    assert js_level_verdict(changes, None, Scale("smoke")).verdict == "not tested at this scale"
    never = {key: [False] * 5 for key in changes}
    inadequate = js_level_verdict(changes, never, QUICK)
    assert inadequate.verdict == "not tested at this scale" and inadequate.adequate is False


def test_js_change_reads_the_first_and_last_quarters() -> None:
    rising = pd.DataFrame({"js_lower_bound": [0.1] * 10 + [0.5] * 10 + [math.log(2)] * 20})
    assert js_change(rising) == pytest.approx((math.log(2) - 0.1) / math.log(2))
    assert math.isnan(js_change(pd.DataFrame({"js_lower_bound": [0.1, math.nan, 0.2]})))
