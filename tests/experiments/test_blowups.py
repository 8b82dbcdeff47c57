"""Blow-ups read on sample quality, adequacy, the stratified test and the verdict, on
hand-made sweeps and tables with known answers (no training)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from wgan.experiments.blowups import (
    ALPHA,
    CosineEvidence,
    ReferenceAdequacy,
    Stratum,
    blow_up_table,
    cosine_clause,
    cosine_evidence,
    estimate_excursions,
    high_lr_strata,
    mark_iterations,
    momentum_strata,
    negative_cosine_by_level,
    quality_blow_ups,
    reference_adequacy,
    reference_levels,
    stratified_test,
    summary_table,
    verdict,
    worse_snapshots,
)
from wgan.experiments.judgement import NOT_TESTED
from wgan.experiments.momentum import PAPER_LR, RUN_KEYS, Sweep
from wgan.plan.scale import Scale

N = 40  # generator iterations of every hand-made run
EVERY = 5  # snapshots every 5 iterations: 0, 5, ..., 40
BETA1 = {"rmsprop": math.nan, "adam0": 0.0, "adam0.5": 0.5, "adam0.9": 0.9}
QUICK = Scale("quick")
LARGER = "the paper scale (20,000 ring iterations)"


def _sweep(runs: dict[tuple[str, float, int], dict]) -> tuple[Sweep, pd.DataFrame]:
    """A sweep on "ring8" and its quality table, from ``{(optimizer, lr, seed): {"q":
    quality at the snapshots 0, 5, ..., "w": W estimates (default 1), "neg": iterations
    with a negative cosine, "diverged_at": int}}``; a run with fewer snapshots or W values
    than N stopped early."""
    rows, frames, quality = [], [], []
    for (optimizer, lr, seed), spec in runs.items():
        q = np.asarray(spec.get("q", np.linspace(2.0, 0.5, N // EVERY + 1)), dtype=float)
        w = np.asarray(spec.get("w", np.ones(N)), dtype=float)
        neg = np.isin(np.arange(1, len(w) + 1), spec.get("neg", []))
        keys = {"dataset": "ring8", "optimizer": optimizer, "lr": lr, "seed": seed}
        diverged_at = spec.get("diverged_at", math.nan)
        rows.append(keys | {"label": optimizer, "beta1": BETA1[optimizer],
                            "status": "finished" if math.isnan(diverged_at) else "diverged",
                            "iterations": len(w), "diverged_at": diverged_at,
                            "seconds": 1.0, "run_dir": "-"})
        frames.append(pd.DataFrame({
            "gen_iter": np.arange(1, len(w) + 1), "w_estimate": w,
            "update_cos_mean": 0.5, "update_cos_min": np.where(neg, -0.2, 0.3),
            "update_cos_neg_frac": np.where(neg, 0.2, 0.0),
        }).assign(**keys))
        quality.append(pd.DataFrame({"gen_iter": np.arange(len(q)) * EVERY, "quality": q})
                       .assign(**keys))
    sweep = Sweep(QUICK, pd.DataFrame(rows), pd.concat(frames, ignore_index=True), {})
    return sweep, pd.concat(quality, ignore_index=True)


FLOORS = {"ring8": 0.05}
REFERENCE = {("rmsprop", PAPER_LR, 0): {}}  # falls from 2 to 0.5, W estimate 1


def _spike_at_end(best: float = 0.5, bad: float = 5.0, from_snapshot: int = 6) -> np.ndarray:
    q = np.linspace(2.0, best, N // EVERY + 1)
    q[from_snapshot:] = bad
    return q


# --- the definition -------------------------------------------------------------------


def test_worse_is_above_factor_times_best_so_far_or_floor() -> None:
    worse = worse_snapshots([2.0, 1.0, 0.4, 0.79, 0.81, math.nan], floor=0.05)
    assert worse.tolist() == [False, False, False, False, True, True]
    # near the floor, the floor is the yardstick: 0.012 is not twice 0.05
    assert not worse_snapshots([2.0, 0.01, 0.012, 0.09], floor=0.05).any()


def test_worse_snapshots_rejects_a_factor_that_cannot_mean_worse() -> None:
    with pytest.raises(ValueError, match=r"'factor' parameter .* Got factor=1\.0"):
        worse_snapshots([1.0], floor=0.0, factor=1.0)


def test_onset_is_the_first_snapshot_of_the_final_worse_stretch() -> None:
    q = _spike_at_end()
    q[3] = 10.0  # a transient while learning, recovered from: not the onset
    sweep, quality = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"q": q}})
    run = quality_blow_ups(sweep, quality, FLOORS).loc[("ring8", "adam0.9", 1e-2, 0)]
    assert bool(run["blew_up"]) and (run["onset_from"], run["onset"]) == (25, 30)
    assert (run["best"], run["final"]) == (pytest.approx(q[:6].min()), 5.0)


def test_a_run_that_recovers_before_the_end_did_not_blow_up() -> None:
    q = _spike_at_end()
    q[-1] = 0.6
    sweep, quality = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"q": q}})
    run = quality_blow_ups(sweep, quality, FLOORS).loc[("ring8", "adam0.9", 1e-2, 0)]
    assert not run["blew_up"] and math.isnan(run["onset"])


def test_a_run_thrown_off_at_once_blows_up_from_its_first_snapshot() -> None:
    """The referee's case: samples 800 times the ring's radius from the first snapshot on."""
    q = np.full(N // EVERY + 1, 804.7)
    q[0] = 2.0
    sweep, quality = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"q": q}})
    run = quality_blow_ups(sweep, quality, FLOORS).loc[("ring8", "adam0.9", 1e-2, 0)]
    assert bool(run["blew_up"]) and (run["onset_from"], run["onset"]) == (0, 5)


def test_non_finite_samples_and_the_divergence_guard_are_blow_ups() -> None:
    nan_end = _spike_at_end(bad=math.nan, from_snapshot=8)
    sweep, quality = _sweep(REFERENCE | {
        ("adam0", 1e-2, 0): {"q": nan_end},
        ("rmsprop", 1e-2, 0): {"q": np.linspace(2, 1, 4), "w": np.ones(17), "diverged_at": 18},
    })
    blowups = quality_blow_ups(sweep, quality, FLOORS)
    assert blowups.loc[("ring8", "adam0", 1e-2, 0), "onset"] == 40
    assert bool(blowups.loc[("ring8", "adam0", 1e-2, 0), "non_finite"])
    guard = blowups.loc[("ring8", "rmsprop", 1e-2, 0)]
    assert bool(guard["blew_up"]) and guard["onset"] == guard["onset_from"] == 18


def test_blow_ups_need_every_run_measured_and_every_floor() -> None:
    sweep, quality = _sweep(REFERENCE | {("adam0.5", 1e-3, 0): {}})
    with pytest.raises(ValueError, match=r"no snapshot of the runs \[\('ring8', 'adam0\.5'"):
        quality_blow_ups(sweep, quality[quality["optimizer"] != "adam0.5"], FLOORS)
    with pytest.raises(ValueError, match=r"'floors' parameter has no floor .*'ring8'"):
        quality_blow_ups(sweep, quality, {})
    with pytest.raises(ValueError, match="'quality' parameter must have the columns"):
        quality_blow_ups(sweep, quality.drop(columns="quality"), FLOORS)


# --- adequacy -------------------------------------------------------------------------


def _reference_quality(curves: dict[int, list[float]], dataset: str = "ring8") -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"gen_iter": np.arange(len(q)) * EVERY, "quality": q})
                      .assign(dataset=dataset, optimizer="rmsprop", lr=PAPER_LR, seed=s)
                      for s, q in curves.items()], ignore_index=True)


CONVERGED = [2.0, 1.2, 0.8, 0.6, 0.52, 0.5, 0.5, 0.49, 0.48]  # late (30) 0.5, end 0.48
STILL_FALLING = [2.0, 1.95, 1.9, 1.8, 1.7, 1.6, 1.45, 1.3, 1.1]  # neither halved nor flat
SLOW_BUT_HALVED = [2.0, 1.9, 1.7, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5]  # halved, not flat


def test_reference_converges_when_it_improved_and_flattened() -> None:
    adequacy = reference_adequacy(_reference_quality({0: CONVERGED, 1: SLOW_BUT_HALVED,
                                                      2: STILL_FALLING}))
    runs = adequacy.runs.set_index("seed")
    assert runs["converged"].tolist() == [True, False, False]
    assert runs["improved"].tolist() == [True, True, False]
    assert runs["flat"].tolist() == [True, False, False]
    assert runs.loc[0, "late"] == 0.5  # the snapshot at three quarters of 40 iterations
    assert adequacy.adequate == {"ring8": False} and adequacy.judged == ()
    assert "ring8: 1 of 3 reference runs converged" in adequacy.describe()


def test_half_of_the_reference_runs_converged_is_adequate() -> None:
    adequacy = reference_adequacy(_reference_quality({0: CONVERGED, 1: STILL_FALLING}))
    assert adequacy.adequate == {"ring8": True} and adequacy.judged == ("ring8",)


def test_digits_reference_must_also_beat_the_blur() -> None:
    curve = [2000.0, 900.0, 600.0, 500.0, 480.0, 470.0, 465.0, 462.0, 460.0]
    quality = _reference_quality({0: curve}, dataset="images")
    assert reference_adequacy(quality).adequate == {"images": True}
    adequacy = reference_adequacy(quality, learned={"images": 88.6})
    assert adequacy.adequate == {"images": False}
    assert not adequacy.runs.loc[0, "learned"] and adequacy.runs.loc[0, "flat"]


def test_reference_adequacy_needs_the_reference_runs() -> None:
    quality = _reference_quality({0: CONVERGED}).assign(optimizer="adam0")
    with pytest.raises(ValueError, match=r"no reference run \(rmsprop, lr=5e-05\) .*'ring8'"):
        reference_adequacy(quality)


# --- the stratified test --------------------------------------------------------------


def test_stratified_test_against_a_hand_computed_example() -> None:
    """Stratum 1: 2/3 against 0/2; stratum 2: 1/2 against 0/2. Given the margins, the
    first group's blow-ups are hypergeometric: P(2) = 3/10 in the first stratum, P(1) =
    1/2 in the second, so P(S >= 3) = 0.3 x 0.5 = 0.15; E[S] = 3 x 2/5 + 2 x 1/4 = 1.7.
    Mantel-Haenszel: (4/5 + 2/4) / (6/5 + 4/4) = 1.3 / 2.2; Greenland-Robins variance
    (16/150 + 8/64) / 2.2^2."""
    test = stratified_test([Stratum("one", 2, 3, 0, 2), Stratum("two", 1, 2, 0, 2)])
    assert (test.observed, test.expected) == (3, pytest.approx(1.7))
    assert test.p_value == pytest.approx(0.15)
    assert test.risk_difference == pytest.approx(1.3 / 2.2)
    half = 1.959964 * math.sqrt((16 / 150 + 8 / 64) / 2.2 ** 2)
    assert (test.low, test.high) == (pytest.approx(1.3 / 2.2 - half, abs=1e-6), 1.0)
    assert test.more_often and not test.significant


def test_stratified_test_of_one_stratum_is_fishers_exact_test() -> None:
    test = stratified_test([Stratum("s", 8, 12, 1, 12)])
    assert test.p_value == pytest.approx(fisher_exact([[8, 4], [1, 11]],
                                                      alternative="greater").pvalue)
    assert test.significant and test.p_value < ALPHA


def test_stratified_test_sees_what_pooling_hides() -> None:
    """Within each learning rate momentum blows up more; pooled, the rates are equal,
    because the plain runs are concentrated at the high learning rate."""
    strata = [Stratum("lr low", 1, 10, 0, 2), Stratum("lr high", 2, 2, 8, 10)]
    test = stratified_test(strata)
    assert test.more_often and test.observed == 3 and test.expected == pytest.approx(2.5)
    pooled = fisher_exact([[3, 9], [8, 4]], alternative="greater").pvalue
    assert pooled > 0.9 and test.p_value < pooled


def test_stratified_test_drops_strata_holding_one_group() -> None:
    test = stratified_test([Stratum("only a", 3, 3, 0, 0)])
    assert test.strata == () and test.p_value == 1.0 and not test.more_often
    assert "no stratum holds both groups" in test.interval("a", "b")
    assert "no stratum to compare" in test.describe("a", "b")


def test_stratum_rejects_more_blow_ups_than_runs() -> None:
    with pytest.raises(ValueError, match=r"group b of stratum 'x' .* Got blown=3, runs=2"):
        Stratum("x", 0, 2, 3, 2)


def test_strata_are_learning_rates_and_optimizers() -> None:
    sweep, quality = _sweep(REFERENCE | {
        ("adam0.9", PAPER_LR, 0): {"q": _spike_at_end()},
        ("adam0", PAPER_LR, 0): {},
        ("adam0.9", 1e-2, 0): {"q": _spike_at_end()},
        ("rmsprop", 1e-2, 0): {"q": _spike_at_end()},
    })
    blowups = quality_blow_ups(sweep, quality, FLOORS)
    assert [(s.label, s.blown_a, s.runs_a, s.blown_b, s.runs_b)
            for s in momentum_strata(blowups, ["ring8"])] == [
        ("ring8, lr 5e-05", 1, 1, 0, 2), ("ring8, lr 0.01", 1, 1, 1, 1)]
    assert [(s.label, s.blown_a, s.runs_a, s.blown_b, s.runs_b)
            for s in high_lr_strata(blowups, ["ring8"])] == [
        ("ring8, rmsprop", 1, 1, 0, 1), ("ring8, adam0.9", 1, 1, 1, 1),
        ("ring8, adam0", 0, 0, 0, 1)]
    assert momentum_strata(blowups, []) == []


# --- the cosine, around the onsets ----------------------------------------------------


def test_unstable_stretch_runs_from_before_the_onset_interval_to_the_end() -> None:
    sweep, quality = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"q": _spike_at_end()}})
    blowups = quality_blow_ups(sweep, quality, FLOORS)  # onset 30, onset_from 25
    run = mark_iterations(sweep, blowups, window=3).query("optimizer == 'adam0.9'")
    assert run.loc[run["unstable"], "gen_iter"].tolist() == list(range(22, N + 1))
    assert run.loc[run["near"], "gen_iter"].tolist() == list(range(22, 34))
    with pytest.raises(ValueError, match=r"'window' parameter .* Got -1"):
        mark_iterations(sweep, blowups, window=-1)


def test_evidence_counts_negative_cosines_near_onsets_and_in_stable_stretches() -> None:
    sweep, quality = _sweep(REFERENCE | {
        ("adam0.9", 1e-2, 0): {"q": _spike_at_end(), "neg": [18]},  # before 25
        ("adam0.5", 1e-2, 0): {"q": _spike_at_end(), "neg": [27]},  # from the interval on
        ("adam0.5", PAPER_LR, 0): {"neg": [3]},  # stable, no blow-up
        ("adam0", 1e-2, 0): {"q": _spike_at_end()},  # a blow-up without momentum
    })
    blowups = quality_blow_ups(sweep, quality, FLOORS)
    e = cosine_evidence(sweep, blowups, ["ring8"], window=10)
    assert e.blowups_momentum == 2
    assert (e.negative_before, e.negative_at, e.negative_near) == (1, 1, 2)
    assert (e.negative_unstable, e.iterations_unstable) == (2, 2 * 26)  # 15-40 in 2 runs
    assert (e.negative_stable, e.iterations_stable) == (1, 3 * N - 52)
    assert e.negative_plain == 0 and cosine_clause(e)
    assert cosine_evidence(sweep, blowups, []).blowups_momentum == 0


def test_blow_up_table_counts_negative_cosines_around_each_onset() -> None:
    sweep, quality = _sweep(REFERENCE | {
        ("adam0.9", 1e-2, 0): {"q": _spike_at_end(), "neg": [14, 15, 24, 25, 40]},
        ("adam0.5", 1e-2, 0): {},
    })
    table = blow_up_table(sweep, quality_blow_ups(sweep, quality, FLOORS), window=10)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["optimizer"], row["onset_from"], row["onset"]) == ("adam0.9", 25, 30)
    assert (row["negative before"], row["negative from onset"]) == (2, 2)  # 15, 24 | 25, 40


# --- the critic's estimate, reported ---------------------------------------------------


def test_the_estimate_band_misses_a_run_whose_samples_were_lost() -> None:
    """The referee's finding: clipping kept the estimate in its band while the samples
    went 800 times the radius away; the estimate's excursion is reported, never judged."""
    w = np.ones(N)
    w[4] = -2.0  # the reference level is |-2| = 2, the band 6
    q = np.full(N // EVERY + 1, 804.7)
    q[0] = 2.0
    sweep, quality = _sweep({("rmsprop", PAPER_LR, 0): {"w": w},
                             ("adam0.9", 1e-2, 0): {"q": q, "w": np.full(N, 5.9)},
                             ("adam0", 1e-2, 0): {"w": np.where(np.arange(N) == 11, 7.0, 1)}})
    assert reference_levels(sweep).to_dict() == {("ring8", 0): 2.0}
    excursions = estimate_excursions(sweep)
    assert math.isnan(excursions.loc[("ring8", "adam0.9", 1e-2, 0)])
    assert excursions.loc[("ring8", "adam0", 1e-2, 0)] == 12
    blowups = quality_blow_ups(sweep, quality, FLOORS)
    assert bool(blowups.loc[("ring8", "adam0.9", 1e-2, 0), "blew_up"])
    assert not blowups.loc[("ring8", "adam0", 1e-2, 0), "blew_up"]


def test_reference_missing_for_a_seed_raises() -> None:
    sweep, _ = _sweep(REFERENCE | {("adam0.9", 1e-2, 1): {}})
    with pytest.raises(ValueError, match=r"no finite reference run .* \[\('ring8', 1\)\]"):
        reference_levels(sweep)


def test_summary_table_counts_seeds_divergences_blow_ups_and_excursions() -> None:
    sweep, quality = _sweep(REFERENCE | {
        ("rmsprop", PAPER_LR, 1): {},
        ("adam0.9", 1e-2, 0): {"q": _spike_at_end(), "neg": [19], "w": np.full(N, 9.0)},
        ("adam0.9", 1e-2, 1): {"q": np.linspace(2, 1, 2), "w": np.ones(9), "diverged_at": 10},
    })
    table = summary_table(sweep, quality_blow_ups(sweep, quality, FLOORS))
    row = table.set_index(["optimizer", "lr"]).loc[("adam0.9", 1e-2)]
    assert (row["runs"], row["diverged"], row["blew up"], row["median onset"]) == (2, 1, 2, 20.0)
    assert row["left the estimate's band"] == 1  # 9 > 3 x 1; the diverged run stayed in
    assert row["negative-cosine iterations"] == pytest.approx(1 / 49)
    assert row["min cosine"] == pytest.approx(-0.2)
    reference = table.set_index(["optimizer", "lr"]).loc[("rmsprop", PAPER_LR)]
    assert reference["blew up"] == 0 and reference["median final quality"] == 0.5


def test_negative_cosines_binned_by_estimate_over_reference_level() -> None:
    w = np.ones(N)  # level 1 / 2 against the reference's 2
    w[:10] = 0.01  # iterations 1-10: level 0.005, a collapsed critic
    sweep, _ = _sweep({("rmsprop", PAPER_LR, 0): {"w": np.full(N, 2.0)},
                       ("adam0.9", 1e-3, 0): {"w": w, "neg": [2, 3, 4, 30]},
                       ("adam0", 1e-3, 0): {"w": np.full(N, 0.01)}})  # no momentum
    table = negative_cosine_by_level(sweep).set_index("|W| / reference")
    assert table.loc["[0, 0.01)", "iterations"] == 10
    assert table.loc["[0, 0.01)", "negative-cosine iterations"] == 3
    assert table.loc["[0.2, 1)", "share"] == pytest.approx(1 / 30)
    assert math.isnan(table.loc["[1, 3)", "share"]) and table["iterations"].sum() == N


# --- the verdict, on made-up tables ---------------------------------------------------


def _blowups(counts: dict[tuple[str, float], tuple[int, int]]) -> pd.DataFrame:
    """A blow-up table: ``{(optimizer, lr): (blown, runs)}`` on the ring."""
    rows = []
    for (optimizer, lr), (blown, runs) in counts.items():
        rows += [{"dataset": "ring8", "optimizer": optimizer, "lr": lr, "seed": s,
                  "beta1": BETA1[optimizer], "blew_up": s < blown} for s in range(runs)]
    return pd.DataFrame(rows).set_index(list(RUN_KEYS))


def _evidence(**changes: int) -> CosineEvidence:
    """The cosine clause holds: 4 of 8 momentum blow-ups with a negative cosine near the
    onset, 10% of unstable iterations against 0.1% of stable ones."""
    base = dict(blowups_momentum=8, negative_before=2, negative_at=3, negative_near=4,
                negative_unstable=10, iterations_unstable=100, negative_stable=1,
                iterations_stable=1000, negative_plain=0, negative_collapsed=0,
                iterations_collapsed=10)
    return CosineEvidence(**(base | changes))


ADEQUATE = ReferenceAdequacy(pd.DataFrame({
    "dataset": ["ring8"] * 2, "seed": [0, 1], "initial": 2.0, "late": 0.5, "final": 0.48,
    "improved": True, "flat": True, "learned": True, "converged": True}), {"ring8": True})
INADEQUATE = ReferenceAdequacy(ADEQUATE.runs.assign(flat=False, converged=False),
                               {"ring8": False})
# momentum 8/10 and 6/10 at two learning rates, plain 0/10 and 1/10: p < 0.001
CLEAR = {("adam0.9", PAPER_LR): (8, 10), ("rmsprop", PAPER_LR): (0, 10),
         ("adam0.5", 1e-2): (6, 10), ("adam0", 1e-2): (1, 10)}


def test_verdict_reproduced_when_momentum_blows_up_more_within_strata_with_the_cosine(
) -> None:
    judgement = verdict(_blowups(CLEAR), _evidence(), ADEQUATE, QUICK, larger=LARGER)
    assert judgement.verdict == "reproduced" and judgement.adequate is True
    assert "Adam beta1>0 14/20 runs blew up, RMSProp or Adam beta1=0 1/20 (2 strata)" in \
        judgement.measured
    assert "cosine clause holds" in judgement.measured
    assert "ring8: 2 of 2 reference runs converged" in judgement.adequacy


def test_verdict_partly_when_the_cosine_is_not_concentrated_in_blow_ups() -> None:
    e = _evidence(negative_stable=500)
    assert not cosine_clause(e)
    assert verdict(_blowups(CLEAR), e, ADEQUATE, QUICK, larger=LARGER).verdict == \
        "partly reproduced"


def test_verdict_partly_when_momentum_blows_up_more_but_not_significantly() -> None:
    counts = {("adam0.9", 1e-2): (3, 5), ("rmsprop", 1e-2): (2, 5)}
    assert not stratified_test(momentum_strata(_blowups(counts), ["ring8"])).significant
    assert verdict(_blowups(counts), _evidence(), ADEQUATE, QUICK, larger=LARGER).verdict \
        == "partly reproduced"


def test_verdict_not_reproduced_when_only_plain_runs_blew_up() -> None:
    counts = {("adam0.9", 1e-2): (0, 10), ("rmsprop", 1e-2): (4, 10)}
    e = _evidence(blowups_momentum=0, negative_near=0, negative_before=0, negative_at=0,
                  negative_unstable=0, iterations_unstable=0)
    judgement = verdict(_blowups(counts), e, ADEQUATE, QUICK, larger=LARGER)
    assert judgement.verdict == "not reproduced" and judgement.adequate is True
    assert "blew up less often than expected within strata" in judgement.measured
    assert "nan" not in judgement.measured.lower()


def test_verdict_not_reproduced_when_nothing_blew_up_in_an_adequate_experiment() -> None:
    counts = {("adam0.9", 1e-2): (0, 10), ("rmsprop", 1e-2): (0, 10)}
    e = _evidence(blowups_momentum=0, negative_near=0, negative_unstable=0,
                  iterations_unstable=0)
    judgement = verdict(_blowups(counts), e, ADEQUATE, QUICK, larger=LARGER)
    assert judgement.verdict == "not reproduced"
    assert "no blow-up happened in either group" in judgement.measured


def test_verdict_not_tested_when_the_reference_did_not_converge() -> None:
    """An inadequate experiment is never evidence against, however clear its counts."""
    judgement = verdict(_blowups(CLEAR), _evidence(), INADEQUATE, QUICK, larger=LARGER)
    assert judgement.verdict == NOT_TESTED and judgement.adequate is False
    assert "nothing was judged" in judgement.measured
    assert "Adam beta1>0 14/20 runs blew up, RMSProp or Adam beta1=0 1/20" in judgement.measured
    assert "0 of 2 reference runs converged" in judgement.adequacy
    assert judgement.adequacy.endswith(f"{LARGER} would test it")


def test_verdict_leaves_out_a_dataset_whose_reference_did_not_converge() -> None:
    images = _blowups({("adam0.9", 1e-2): (10, 10), ("rmsprop", 1e-2): (0, 10)}).rename(
        index={"ring8": "images"})
    blowups = pd.concat([_blowups({("adam0.9", 1e-2): (0, 10), ("rmsprop", 1e-2): (0, 10)}),
                         images])
    adequacy = ReferenceAdequacy(ADEQUATE.runs, {"ring8": True, "images": False})
    judgement = verdict(blowups, _evidence(), adequacy, QUICK, larger=LARGER)
    assert judgement.verdict == "not reproduced"  # the images' 10/10 are not counted
    assert "judged on ring8 (images left out: its reference did not converge)" in \
        judgement.measured


def test_verdict_at_smoke_is_not_tested() -> None:
    judgement = verdict(_blowups(CLEAR), _evidence(), ADEQUATE, Scale("smoke"), larger=LARGER)
    assert judgement.verdict == NOT_TESTED and judgement.adequate is False
    assert "Adam beta1>0 14/20 runs blew up" in judgement.measured
