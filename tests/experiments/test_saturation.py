"""Figure 3's rule: each verdict reachable on made-up numbers, over seeds."""

import math

import pytest

from wgan.experiments.saturation import figure3_intervals, figure3_verdict
from wgan.plan.scale import Scale
from wgan.report.claims import VERDICTS

QUICK = Scale("quick")
GOOD = {"d_slope_fake": 1e-6, "d_slope_max": 1.0, "critic_slope_fake": 0.3,
        "critic_slope_max": 1.0, "critic_r2": 0.97}
NOT_SATURATED = GOOD | {"d_slope_fake": 0.5}
CURVED = GOOD | {"critic_r2": 0.5}
BOTH_FAIL = NOT_SATURATED | {"critic_r2": 0.5}


@pytest.mark.parametrize(("per_seed", "scale", "expected"), [
    ([GOOD] * 5, QUICK, "reproduced"),
    ([NOT_SATURATED] * 5, QUICK, "partly reproduced"),  # the critic is clean everywhere
    ([GOOD] * 3 + [BOTH_FAIL] * 2, QUICK, "partly reproduced"),  # both in 3 of 5
    ([GOOD] + [BOTH_FAIL] * 2 + [CURVED, NOT_SATURATED], QUICK, "not reproduced"),
    ([BOTH_FAIL] * 5, QUICK, "not reproduced"),
    ([GOOD] * 5, Scale("smoke"), "not tested at this scale"),
    ([GOOD] * 2, QUICK, "not tested at this scale"),
])
def test_figure3_reaches_each_verdict(per_seed, scale, expected):
    verdict, measured = figure3_verdict(per_seed, scale)
    assert verdict == expected and verdict in VERDICTS
    assert "nan" not in measured.lower()


def test_a_gradient_exactly_zero_has_a_logarithm():
    text = figure3_intervals([GOOD | {"d_slope_fake": 0.0}, GOOD, GOOD | {"d_slope_max": math.nan}])
    assert "-12.00" in text and "1 undefined" in text and "nan" not in text.lower()
