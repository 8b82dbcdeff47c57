"""Chapter 8's verdict rules: each can return each of its verdicts on made-up inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wgan.experiments.judgement import NOT_TESTED
from wgan.experiments.lipschitz_verdicts import (
    GATE_DRIFT,
    K_RATIO_LIMIT,
    constant_k_cells,
    constant_k_verdict,
    gp_closed_form_check,
    gp_norms_verdict,
    large_slow_verdict,
    simple_functions_verdict,
    small_vanishing_verdict,
)
from wgan.plan.scale import Scale
from wgan.report.claims import VERDICTS

QUICK, SMOKE = Scale("quick"), Scale("smoke")
CLIPS = ("clip c=0.1", "clip c=0.01")


def fits(k_by_seed: dict[int, list[float]], *, family: str = "g", constraint: str = "clip c=0.1",
         drift: float = 0.0, estimate_scale: float = 1.0, k_linear: float = math.nan
         ) -> pd.DataFrame:
    """Rows as population_estimates gives them: K per pair (w = 1, 2, 3...) per seed."""
    rows = []
    for seed, ks in k_by_seed.items():
        for i, k in enumerate(ks):
            w = float(i + 1)
            rows.append({"family": family, "constraint": constraint, "pair": f"p{i}",
                         "seed": seed, "w": w, "exact": w, "estimate": k * w * estimate_scale,
                         "se": 0.01, "k_paired": k * estimate_scale, "k_linear": k_linear,
                         "drift": drift})
    return pd.DataFrame(rows)


def cell(table: pd.DataFrame) -> pd.Series:
    return constant_k_cells(table).iloc[0]


def test_cells_are_constant_varying_or_undecided_from_the_interval_over_seeds() -> None:
    constant = fits({0: [1.0, 1.05, 1.1], 1: [1.0, 1.04, 1.1], 2: [1.0, 1.06, 1.1]})
    varying = fits({0: [1.0, 1.5, 2.0], 1: [1.0, 1.6, 2.0], 2: [1.0, 1.55, 2.1]})
    straddling = fits({0: [1.0, 1.0, 1.1], 1: [1.0, 1.0, 1.5]})
    assert cell(constant)["status"] == "constant"
    assert cell(varying)["status"] == "varying"
    assert cell(straddling)["status"] == "undecided"
    assert cell(constant)["seeds"] == 3
    assert "t-interval over 3 seeds" in cell(constant)["ratio_text"]


def test_unconverged_and_unmeasurable_fits_are_not_counted() -> None:
    unconverged = fits({0: [1.0, 1.0], 1: [1.0, 1.0]}, drift=2 * GATE_DRIFT)
    row = cell(unconverged)
    assert row["status"] == "not converged" and row["unconverged"] == 4
    about_zero = fits({0: [1.0, 1.0], 1: [1.0, 1.0]}, estimate_scale=1e-4)  # 1e-4 < 3 se
    row = cell(about_zero)
    assert row["status"] == "no measurable estimate" and row["unmeasurable"] == 4
    assert "nan" not in row["ratio_text"]
    # one seed of three unconverged: the other two still count
    mixed = pd.concat([fits({0: [1.0, 1.0], 1: [1.0, 1.0]}),
                       fits({2: [1.0, 3.0]}, drift=1.0)], ignore_index=True)
    assert cell(mixed)["status"] == "constant" and cell(mixed)["seeds"] == 2


def test_a_clipped_critic_below_its_boxs_linear_critic_has_not_met_the_condition() -> None:
    below = fits({0: [1.0, 1.0], 1: [1.0, 1.0]}, k_linear=3.0)
    assert cell(below)["status"] == "condition not met"
    above = fits({0: [3.0, 3.1], 1: [3.0, 3.1]}, k_linear=3.0)
    assert cell(above)["status"] == "constant"


def _cells(*statuses_and_ks: tuple[str, dict[int, list[float]]]) -> pd.DataFrame:
    tables = [fits(ks, constraint=label, drift=drift)
              for label, (drift, ks) in zip(CLIPS, statuses_and_ks, strict=True)]
    return constant_k_cells(pd.concat(tables, ignore_index=True))


CONSTANT = (0.0, {0: [1.0, 1.05], 1: [1.0, 1.05], 2: [1.0, 1.04]})
VARYING = (0.0, {0: [1.0, 2.0], 1: [1.0, 2.1], 2: [1.0, 2.0]})
UNDECIDED = (0.0, {0: [1.0, 1.0], 1: [1.0, 1.5]})
UNCONVERGED = (1.0, {0: [1.0, 1.0], 1: [1.0, 1.0]})


@pytest.mark.parametrize(("first", "second", "expected"), [
    (CONSTANT, CONSTANT, "reproduced"),
    (CONSTANT, UNCONVERGED, "reproduced"),  # the unconverged cell is reported, not counted
    (CONSTANT, VARYING, "partly reproduced"),
    (CONSTANT, UNDECIDED, "partly reproduced"),
    (VARYING, VARYING, "not reproduced"),
    (VARYING, UNDECIDED, "not reproduced"),
    (UNDECIDED, UNCONVERGED, "not tested at this scale"),
    (UNCONVERGED, UNCONVERGED, "not tested at this scale"),
])
def test_constant_k_verdict_returns_each_verdict(first, second, expected) -> None:
    judged = constant_k_verdict(_cells(first, second), CLIPS, QUICK)
    assert judged.verdict == expected
    assert f"<= {K_RATIO_LIMIT}" in judged.measured and "nan" not in judged.measured
    # adequate unless no cell had converged fits: an undecided cell was tested, inconclusively
    assert judged.adequate is ((first, second) != (UNCONVERGED, UNCONVERGED))


def test_constant_k_verdict_is_not_tested_when_no_fit_converged() -> None:
    """Cells whose K would be constant, from fits that did not pass the gate: inadequate."""
    cells = constant_k_cells(pd.concat(
        [fits(CONSTANT[1], constraint=label, drift=2 * GATE_DRIFT) for label in CLIPS],
        ignore_index=True))
    judged = constant_k_verdict(cells, CLIPS, QUICK)
    assert judged.verdict == NOT_TESTED and judged.adequate is False
    assert "0 of 2 clipped cells" in judged.adequacy and "12 of 12 clipped fits did not " \
        "converge" in judged.adequacy and "longer fits" in judged.adequacy
    unmeasurable = constant_k_cells(pd.concat(
        [fits(CONSTANT[1], constraint=label, estimate_scale=1e-4) for label in CLIPS],
        ignore_index=True))
    assert constant_k_verdict(unmeasurable, CLIPS, QUICK).adequate is False


def test_constant_k_verdict_is_not_tested_at_smoke_and_needs_clipped_cells() -> None:
    assert constant_k_verdict(_cells(CONSTANT, CONSTANT), CLIPS, SMOKE).verdict == \
        "not tested at this scale"
    with pytest.raises(ValueError, match="constant_k_verdict"):
        constant_k_verdict(_cells(CONSTANT, CONSTANT), ["gradient penalty"], QUICK)


@pytest.mark.parametrize(("large", "expected"), [
    ([300, 300], "reproduced"), ([300, 50], "partly reproduced"), ([50, 50], "not reproduced"),
])
def test_large_slow_verdict_returns_each_verdict(large: list[int], expected: str) -> None:
    table = pd.DataFrame({"family": ["a", "b", "a", "b"],
                          "constraint": ["clip c=0.1"] * 2 + ["clip c=0.01"] * 2,
                          "steps_to_90": [*large, 100, 100]})
    assert large_slow_verdict(table, QUICK).verdict == expected
    assert large_slow_verdict(table, SMOKE).verdict == "not tested at this scale"


@pytest.mark.parametrize(("ratios", "expected"), [
    ((0.01, 0.01), "reproduced"), ((0.01, 0.5), "partly reproduced"),
    ((0.5, 0.5), "not reproduced"),
])
def test_small_vanishing_verdict_returns_each_verdict(ratios, expected) -> None:
    norms = {label: [np.array([r * j, 0.5, 1.0]) for j in (1.0, 1.1, 0.9)] for label, r in
             zip(("clip c=0.01", "clip c=0.001"), ratios, strict=True)}
    judged = small_vanishing_verdict(norms, QUICK, hidden=64)
    assert judged.verdict == expected and "width 64" in judged.measured
    assert small_vanishing_verdict(norms, SMOKE).verdict == "not tested at this scale"


def test_small_vanishing_verdict_says_when_no_ratio_exists() -> None:
    norms = {"clip c=0.01": [np.zeros(3)] * 3, "clip c=0.001": [np.zeros(3)] * 3}
    judged = small_vanishing_verdict(norms, QUICK)
    assert judged.verdict == "not reproduced" and "no ratio" in judged.measured
    assert "nan" not in judged.measured


@pytest.mark.parametrize(("gp", "expected"), [
    ([[1.0, 2.0, 5.0], [1.0, 2.0, 4.0], [1.0, 3.0, 5.0]], "reproduced"),
    ([[1e-3, 1.0, 2.0]] * 3, "not reproduced"),
    ([[1.0, 2.0, 5.0], [1.0, 2.0, 5.0], [0.0, 1.0, 2.0]], "not reproduced"),  # a norm of 0
    # Below 10 on average, but one seed at 1,000: the interval reaches above the limit.
    ([[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [1.0, 1.0, 1000.0]], "not reproduced"),
])
def test_gp_norms_verdict_returns_each_verdict(gp: list[list[float]], expected: str) -> None:
    norms = {"gradient penalty": gp, "clip c=0.1": [[1e-6, 1.0, 1.0]] * 3}
    judged = gp_norms_verdict(norms, QUICK)
    assert judged.verdict == expected
    assert "nan" not in judged.measured and "inf" not in judged.measured
    assert gp_norms_verdict(norms, SMOKE).verdict == "not tested at this scale"


def surfaces(edge: float, clip_cosine: float, drift: float = 0.0,
             penalised_drift: tuple[float, ...] = (0.0, 0.0, 0.0)) -> pd.DataFrame:
    """Part 2's table on two problems, three seeds: the clipped critics' edge share, both
    critics' cosines (the penalised ones 0.5) and gate numbers."""
    index = pd.MultiIndex.from_product([["8 Gaussians", "Swiss roll"],
                                        ["clip c=0.01", "gradient penalty"], [0, 1, 2]],
                                       names=["data", "constraint", "seed"])
    jitter = [0.0, 0.01, -0.01]
    return pd.DataFrame({"at the box edge": ([edge + j for j in jitter] + [math.nan] * 3) * 2,
                         "cosine": ([clip_cosine + j for j in jitter] + [0.5] * 3) * 2,
                         "drift": ([drift] * 3 + list(penalised_drift)) * 2}, index=index)


@pytest.mark.parametrize(("edge", "clip_cosine", "expected"), [
    (0.9, 0.1, "reproduced"), (0.9, 0.9, "partly reproduced"), (0.1, 0.1, "partly reproduced"),
    (0.1, 0.9, "not reproduced"),
])
def test_simple_functions_verdict_returns_each_verdict(edge, clip_cosine, expected) -> None:
    judged = simple_functions_verdict(surfaces(edge, clip_cosine), QUICK)
    assert judged.verdict == expected and judged.adequate is True
    assert "nan" not in judged.measured.lower() and "3 of 3" in judged.adequacy
    assert simple_functions_verdict(surfaces(edge, clip_cosine), SMOKE).verdict == \
        "not tested at this scale"


def test_simple_functions_verdict_is_not_tested_when_the_critics_did_not_converge() -> None:
    """Numbers that would reproduce the claim, from penalised critics still moving in two
    seeds of three: one converged seed per problem is too few."""
    moving = (0.0, 3 * GATE_DRIFT, 10 * GATE_DRIFT)
    judged = simple_functions_verdict(surfaces(0.9, 0.1, penalised_drift=moving), QUICK)
    assert judged.verdict == NOT_TESTED and judged.adequate is False
    assert "8 Gaussians 1 of 3" in judged.adequacy and "longer fits" in judged.adequacy
    assert "over all seeds, not judged" in judged.measured  # the numbers, shown
    assert "t-interval over 3 seeds" in judged.measured
    clipped_moving = simple_functions_verdict(surfaces(0.9, 0.1, drift=2 * GATE_DRIFT), QUICK)
    assert clipped_moving.verdict == NOT_TESTED and clipped_moving.adequate is False


def test_simple_functions_verdict_reads_only_the_converged_seeds() -> None:
    """A third seed whose penalised critic is still moving (and follows the data worse than
    the clipped one) is left out: the two converged seeds decide."""
    table = surfaces(0.9, 0.1, penalised_drift=(0.0, 0.0, 1.0))
    table.loc[(slice(None), "gradient penalty", 2), "cosine"] = -0.9
    judged = simple_functions_verdict(table, QUICK)
    assert judged.verdict == "reproduced" and judged.adequate is True
    assert "t-interval over 2 seeds" in judged.measured and "2 of 3" in judged.adequacy


def test_every_verdict_is_one_the_ledger_knows() -> None:
    outcomes = {constant_k_verdict(_cells(a, b), CLIPS, QUICK).verdict
                for a in (CONSTANT, VARYING, UNDECIDED, UNCONVERGED)
                for b in (CONSTANT, VARYING, UNDECIDED, UNCONVERGED)}
    assert outcomes == set(VERDICTS)


def test_gp_closed_form_check_agrees_at_the_optimum_and_not_at_k_one() -> None:
    rows = []
    for weight, at_optimum in ((0.1, True), (1.0, False)):
        for seed in (0, 1, 2):
            for w in (0.5, 2.0):
                k = 1 + w / (2 * weight) if at_optimum else 1.0
                rows.append({"gp_weight": weight, "seed": seed, "w": w, "exact": w,
                             "estimate": k * w, "se": 0.01, "k_paired": k, "drift": 0.0})
    rows.append({"gp_weight": 10.0, "seed": 0, "w": 1.0, "exact": 1.0, "estimate": 1.0,
                 "se": 0.01, "k_paired": 1.0, "drift": 1.0})  # unconverged
    check = gp_closed_form_check(pd.DataFrame(rows))
    assert check.loc[0.1, "agrees"] == "yes" and check.loc[0.1, "r_mean"] == pytest.approx(1.0)
    assert check.loc[1.0, "agrees"] == "no" and check.loc[1.0, "r_mean"] == pytest.approx(0.0)
    assert check.loc[10.0, "agrees"] == "no counted fit" and check.loc[10.0, "counted"] == 0
    assert check.loc[0.1, "k_star_mean"] == pytest.approx(1 + 1.25 / 0.2)
    assert "nan" not in " ".join(check["r_text"])
