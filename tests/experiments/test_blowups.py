"""Blow-up definitions and the cosine evidence, on hand-made sweeps with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from wgan.experiments.blowups import (
    MOMENTUM_ALPHA,
    CosineEvidence,
    blow_up_onsets,
    blow_up_table,
    compare_blow_ups,
    cosine_clause,
    cosine_evidence,
    mark_iterations,
    negative_cosine_by_level,
    reference_levels,
    summary_table,
    verdict,
)
from wgan.experiments.momentum import PAPER_LR, Sweep
from wgan.plan.scale import Scale

N = 40  # generator iterations of every hand-made run
BETA1 = {"rmsprop": math.nan, "adam0": 0.0, "adam0.5": 0.5, "adam0.9": 0.9}


def _sweep(runs: dict[tuple[str, float, int], dict]) -> Sweep:
    """A sweep on "ring8" from ``{(optimizer, lr, seed): {"w": array, "neg": iterations,
    "diverged_at": int}}``; W arrays shorter than N are runs stopped by divergence."""
    rows, frames = [], []
    for (optimizer, lr, seed), spec in runs.items():
        w = np.asarray(spec["w"], dtype=float)
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
    return Sweep(Scale("quick"), pd.DataFrame(rows), pd.concat(frames, ignore_index=True), {})


def _flat(level: float = 1.0, n: int = N) -> np.ndarray:
    return np.full(n, level)


def _spike(at: int, height: float, level: float = 1.0) -> np.ndarray:
    w = _flat(level)
    w[at - 1] = height
    return w


REFERENCE = {("rmsprop", PAPER_LR, 0): {"w": _spike(5, -2.0)}}  # reference level |-2| = 2


def test_reference_level_is_largest_absolute_estimate_of_paper_setting() -> None:
    sweep = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"w": _flat(50.0)}})
    assert reference_levels(sweep).to_dict() == {("ring8", 0): 2.0}


def test_reference_missing_for_a_seed_raises() -> None:
    sweep = _sweep(REFERENCE | {("adam0.9", 1e-2, 1): {"w": _flat()}})
    with pytest.raises(ValueError, match=r"no finite reference run .* \[\('ring8', 1\)\]"):
        reference_levels(sweep)


def test_onset_is_first_iteration_outside_band() -> None:
    w = _flat()
    w[[11, 25]] = [6.5, -7.0]  # iterations 12 and 26; the band is 3 x 2 = 6
    sweep = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"w": w}})
    onsets = blow_up_onsets(sweep)
    run = onsets.loc[("ring8", "adam0.9", 1e-2, 0)]
    assert bool(run["blew_up"]) and run["onset"] == 12 and run["reference"] == 2.0
    assert not onsets.loc[("ring8", "rmsprop", PAPER_LR, 0), "blew_up"]


def test_estimate_just_inside_band_is_no_blow_up() -> None:
    sweep = _sweep(REFERENCE | {("adam0.5", 1e-3, 0): {"w": _flat(5.99)}})
    assert not blow_up_onsets(sweep).loc[("ring8", "adam0.5", 1e-3, 0), "blew_up"]


def test_divergence_is_a_blow_up_at_the_iteration_it_stopped() -> None:
    sweep = _sweep(REFERENCE | {("rmsprop", 1e-2, 0): {"w": _flat(n=14), "diverged_at": 15}})
    run = blow_up_onsets(sweep).loc[("ring8", "rmsprop", 1e-2, 0)]
    assert bool(run["blew_up"]) and run["onset"] == 15


def test_non_finite_estimate_is_outside_band() -> None:
    sweep = _sweep(REFERENCE | {("adam0", 1e-2, 0): {"w": _spike(30, math.inf)}})
    assert blow_up_onsets(sweep).loc[("ring8", "adam0", 1e-2, 0), "onset"] == 30


def test_unstable_stretch_spans_window_around_outside_iterations() -> None:
    sweep = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"w": _spike(20, 100.0)}})
    marked = mark_iterations(sweep, window=3)
    run = marked[marked["optimizer"] == "adam0.9"]
    assert run.loc[run["unstable"], "gen_iter"].tolist() == [17, 18, 19, 20, 21, 22, 23]
    assert run.loc[run["outside"], "gen_iter"].tolist() == [20]


def test_unstable_stretch_includes_iterations_before_divergence() -> None:
    sweep = _sweep(REFERENCE | {("adam0.9", 1e-2, 0): {"w": _flat(n=9), "diverged_at": 10}})
    marked = mark_iterations(sweep, window=2)
    run = marked[marked["optimizer"] == "adam0.9"]
    assert run.loc[run["unstable"], "gen_iter"].tolist() == [8, 9]


def test_mark_iterations_rejects_bad_window() -> None:
    with pytest.raises(ValueError, match=r"non-negative int\. Got factor=3\.0, window=-1"):
        mark_iterations(_sweep(REFERENCE), factor=3.0, window=-1)


def test_evidence_counts_negative_cosines_before_and_at_onsets() -> None:
    sweep = _sweep(REFERENCE | {
        ("adam0.9", 1e-2, 0): {"w": _spike(20, 100.0), "neg": [15]},  # before its onset
        ("adam0.5", 1e-2, 0): {"w": _spike(20, 100.0), "neg": [25, 38]},  # at, and stable
        ("adam0.5", PAPER_LR, 0): {"w": _flat(), "neg": [3]},  # stable, no blow-up
        ("adam0", 1e-2, 0): {"w": _spike(20, 100.0)},  # a blow-up without momentum
    })
    e = cosine_evidence(sweep, window=10)
    assert (e.blowups_momentum, e.runs_momentum, e.blowups_plain, e.runs_plain) == (2, 3, 1, 2)
    assert (e.negative_before, e.negative_at, e.negative_near) == (1, 1, 2)
    assert (e.negative_unstable, e.iterations_unstable) == (2, 42)  # 2 runs x 21 iterations
    assert (e.negative_stable, e.iterations_stable) == (2, 3 * N - 42)
    assert (e.blowups_high_lr, e.runs_high_lr, e.blowups_paper_lr, e.runs_paper_lr) == (
        3, 3, 0, 2)
    assert e.negative_plain == 0


def _evidence(**changes: int) -> CosineEvidence:
    """Momentum blew up 8/12 times, plain runs 0/12 (Fisher p < 0.001); the cosine clause
    holds: 4 of 8 blow-ups with a negative cosine near the onset, 10% of unstable
    iterations against 0.1% of stable ones."""
    base = dict(blowups_momentum=8, runs_momentum=12, blowups_plain=0, runs_plain=12,
                blowups_high_lr=5, runs_high_lr=8, blowups_paper_lr=0, runs_paper_lr=8,
                negative_before=2, negative_at=3, negative_near=4, negative_unstable=10,
                iterations_unstable=100, negative_stable=1, iterations_stable=1000,
                negative_plain=0, negative_collapsed=0, iterations_collapsed=10)
    return CosineEvidence(**(base | changes))


def test_verdict_reproduced_when_momentum_blows_up_significantly_more_with_the_cosine() -> None:
    result, measured = verdict(_evidence(), Scale("quick"))
    assert result == "reproduced"
    assert "cosine clause holds" in measured


def test_verdict_partly_when_cosine_not_concentrated_in_blow_ups() -> None:
    e = _evidence(negative_stable=500)
    assert not cosine_clause(e)
    assert verdict(e, Scale("quick"))[0] == "partly reproduced"


def test_verdict_partly_when_momentum_blows_up_more_but_not_significantly() -> None:
    e = _evidence(blowups_momentum=4, runs_momentum=8, blowups_plain=1, runs_plain=8,
                  negative_near=2)
    assert compare_blow_ups(4, 8, 1, 8).p_value > MOMENTUM_ALPHA
    assert verdict(e, Scale("quick"))[0] == "partly reproduced"


def test_verdict_not_reproduced_when_only_plain_runs_blew_up() -> None:
    """The quick book of 6e30778: momentum 0/24, plain 2/24; the high-lr clause held. It
    cannot lift the verdict, and no rate of an empty set is printed."""
    e = _evidence(blowups_momentum=0, runs_momentum=24, blowups_plain=2, runs_plain=24,
                  blowups_high_lr=2, runs_high_lr=16, blowups_paper_lr=0, runs_paper_lr=16,
                  negative_before=0, negative_at=0, negative_near=0, negative_unstable=0,
                  iterations_unstable=0, negative_stable=30, iterations_stable=9000)
    result, measured = verdict(e, Scale("quick"))
    assert result == "not reproduced"
    assert "Adam beta1>0 0/24 runs blew up, RMSProp or Adam beta1=0 2/24" in measured
    assert "blew up less often" in measured and "no unstable iterations" in measured
    assert "nan" not in measured.lower()


def test_verdict_not_reproduced_when_nothing_blew_up() -> None:
    e = _evidence(blowups_momentum=0, blowups_plain=0, blowups_high_lr=0, negative_near=0,
                  negative_unstable=0, iterations_unstable=0, iterations_collapsed=0,
                  negative_collapsed=0)
    result, measured = verdict(e, Scale("quick"))
    assert result == "not reproduced"
    assert "no blow-up happened in either group" in measured
    assert "nan" not in measured.lower()


def test_verdict_at_smoke_is_not_tested() -> None:
    result, measured = verdict(_evidence(), Scale("smoke"))
    assert result == "not tested at this scale"
    assert "Adam beta1>0 8/12 runs blew up" in measured and "4/8 momentum blow-ups" in measured


def test_compare_blow_ups_is_fishers_one_sided_test() -> None:
    comparison = compare_blow_ups(8, 12, 0, 12)
    assert comparison.more_often and comparison.significant
    assert comparison.p_value == pytest.approx(fisher_exact(
        [[8, 4], [0, 12]], alternative="greater").pvalue)
    assert compare_blow_ups(0, 24, 2, 24).p_value == pytest.approx(1.0)
    assert not compare_blow_ups(0, 0, 0, 4).more_often
    assert compare_blow_ups(0, 24, 2, 24).intervals("momentum", "plain") == (
        "blow-up rate momentum 0/24 [0%, 14%], plain 2/24 [1%, 27%] (Clopper-Pearson, 95%)")


def test_compare_blow_ups_rejects_more_blow_ups_than_runs() -> None:
    with pytest.raises(ValueError, match="0 <= blown <= runs"):
        compare_blow_ups(3, 2, 0, 2)


def test_summary_table_counts_seeds_divergences_and_blow_ups() -> None:
    sweep = _sweep(REFERENCE | {
        ("rmsprop", PAPER_LR, 1): {"w": _flat()},
        ("adam0.9", 1e-2, 0): {"w": _spike(20, 100.0), "neg": [19]},
        ("adam0.9", 1e-2, 1): {"w": _flat(n=9), "diverged_at": 10},
    })
    table = summary_table(sweep).set_index(["optimizer", "lr"])
    row = table.loc[("adam0.9", 1e-2)]
    assert (row["runs"], row["diverged"], row["blew up"], row["median onset"]) == (2, 1, 2, 15.0)
    assert row["negative-cosine iterations"] == pytest.approx(1 / 49)
    assert row["min cosine"] == pytest.approx(-0.2)
    assert table.loc[("rmsprop", PAPER_LR), "blew up"] == 0
    assert table.loc[("rmsprop", PAPER_LR), "final W"] == pytest.approx(1.0)


def test_negative_cosines_binned_by_estimate_over_reference_level() -> None:
    w = _flat(1.0)  # level 1 / 2 = 0.5
    w[:10] = 0.01  # iterations 1-10: level 0.005, a collapsed critic
    sweep = _sweep(REFERENCE | {
        ("adam0.9", 1e-3, 0): {"w": w, "neg": [2, 3, 4, 30]},
        ("adam0", 1e-3, 0): {"w": _flat(0.01)},  # no momentum: not counted
    })
    table = negative_cosine_by_level(sweep).set_index("|W| / reference")
    assert table.loc["[0, 0.01)", "iterations"] == 10
    assert table.loc["[0, 0.01)", "negative-cosine iterations"] == 3
    assert table.loc["[0.2, 1)", "share"] == pytest.approx(1 / 30)
    assert math.isnan(table.loc["[1, 3)", "share"]) and table["iterations"].sum() == N


def test_evidence_counts_negative_cosines_of_collapsed_critics() -> None:
    w = _flat(1.0)
    w[:10] = 0.01
    sweep = _sweep(REFERENCE | {("adam0.5", 1e-3, 0): {"w": w, "neg": [2, 3, 30]}})
    e = cosine_evidence(sweep)
    assert (e.negative_collapsed, e.iterations_collapsed) == (2, 10)
    assert e.negative_rate_collapsed == pytest.approx(0.2)
    assert e.negative_rate_healthy == pytest.approx(1 / 30)


def test_blow_up_table_counts_negative_cosines_around_each_onset() -> None:
    sweep = _sweep(REFERENCE | {
        ("adam0.9", 1e-2, 0): {"w": _spike(20, 100.0), "neg": [9, 10, 19, 20, 30, 31]},
        ("adam0.5", 1e-2, 0): {"w": _flat()},
    })
    table = blow_up_table(sweep, window=10)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["optimizer"], row["onset"]) == ("adam0.9", 20)
    assert (row["negative before"], row["negative from onset"]) == (2, 2)  # 10, 19 | 20, 30
