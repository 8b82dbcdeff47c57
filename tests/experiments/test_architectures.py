"""Tests for wgan.experiments.architectures: chapter 5's verdict rules, each verdict reached
on made-up numbers, and the read-back of chapter 8's clipped digit runs."""

import math

import pytest

from wgan.experiments.architectures import (
    PARTLY_CLASSES,
    architecture_comparison,
    architectures_verdict,
    clipped_digit_runs_coverage,
    effective_in_words,
    mode_collapse_verdict,
)
from wgan.plan.scale import Scale

QUICK, SMOKE = Scale("quick"), Scale("smoke")


JITTER = (0.0, 0.1, -0.1, 0.2, -0.2)  # five seeds around each value


def _seeds(value: float) -> list[float]:
    return [value + j for j in JITTER]


def _w1(nobn: tuple[float, float], mlp: tuple[float, float]) -> dict[str, list[float]]:
    return {"wgan-dcgan": _seeds(5.0), "gan-dcgan": _seeds(4.0),
            "wgan-nobn": _seeds(nobn[0]), "gan-nobn": _seeds(nobn[1]),
            "wgan-mlp": _seeds(mlp[0]), "gan-mlp": _seeds(mlp[1])}


@pytest.mark.parametrize(("w1", "expected"), [
    (_w1((5.0, 6.0), (5.0, 7.0)), "reproduced"),
    (_w1((5.0, math.nan), (5.0, 7.0)), "reproduced"),  # the GAN's samples overflowed
    (_w1((5.0, 6.0), (8.0, 7.0)), "partly reproduced"),
    (_w1((6.0, 6.0), (8.0, 7.0)), "not reproduced"),  # a tie is no win
    (_w1((math.nan, math.nan), (math.nan, 7.0)), "not reproduced"),  # a WGAN that overflowed
])
def test_architectures_verdict_reaches_each_verdict(w1, expected):
    assert architectures_verdict(w1, QUICK) == expected
    assert architectures_verdict(w1, SMOKE) == "not tested at this scale"
    two_seeds = {key: values[:2] for key, values in w1.items()}
    assert architectures_verdict(two_seeds, QUICK) == "not tested at this scale"


def test_a_win_needs_the_interval_above_zero():
    # The WGAN is closer on average (mean difference 0.4) but not in every seed: the
    # interval of the paired differences reaches below 0, so no win.
    w1 = _w1((5.0, 6.0), (5.0, 7.0))
    w1["gan-nobn"] = [5.0 + d for d in (2.5, -0.5, -0.3, 0.2, 0.1)]
    comparison = architecture_comparison(w1)
    assert not comparison["dcgan_nobn"][0] and comparison["mlp"][0]
    assert "t-interval over 5 seeds" in comparison["dcgan_nobn"][1]
    assert "dcgan" not in comparison  # the DCGAN generator is shown, not judged


PAGE_FULL = {"wgan-dcgan": 10.0, "wgan-nobn": 10.0, "wgan-mlp": 10.0}


@pytest.mark.parametrize(("page", "clipped", "expected"), [
    (PAGE_FULL, {"c = 0.01, seed 0": 10.0}, "reproduced"),
    (PAGE_FULL, None, "partly reproduced"),  # chapter 8 not read: cannot be reproduced
    (PAGE_FULL | {"wgan-mlp": 8.0}, {"c = 0.01, seed 0": 9.0}, "partly reproduced"),
    (PAGE_FULL, {"c = 0.01, seed 0": 1.0, "c = 0.1, seed 0": 1.0}, "not reproduced"),
    (PAGE_FULL | {"wgan-mlp": 7.0}, None, "not reproduced"),
    (PAGE_FULL | {"wgan-mlp": math.nan}, {"c = 0.01, seed 0": 10.0}, "not reproduced"),
])
def test_mode_collapse_verdict_reaches_each_verdict(page, clipped, expected):
    assert mode_collapse_verdict(page, clipped, QUICK) == expected


def test_a_collapsed_clipped_run_forbids_reproduced():
    """Chapter 8, Part 4: the clipped WGAN on digits covers 1 class while this page's WGAN
    runs cover all 10: the claim about every experiment is not reproduced."""
    for covered in range(PARTLY_CLASSES):
        assert mode_collapse_verdict(PAGE_FULL, {"c = 0.01, seed 0": float(covered)},
                                     QUICK) == "not reproduced"


def test_mode_collapse_verdict_without_labels_or_at_smoke_is_not_tested():
    assert mode_collapse_verdict({}, None, QUICK) == "not tested at this scale"
    assert mode_collapse_verdict(PAGE_FULL, {"c": 10.0}, SMOKE) == "not tested at this scale"


def test_clipped_runs_not_trained_are_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    assert clipped_digit_runs_coverage(SMOKE, None, n_samples=8) is None
    assert not any(tmp_path.iterdir())  # nothing trained, nothing written


def test_effective_classes_in_words():
    assert effective_in_words(3.21) == "3.2 effective"
    assert effective_in_words(math.nan) == "no sample judged a digit"


@pytest.mark.slow  # trains chapter 8's five clipped digit runs at smoke (seconds each)
def test_clipped_runs_read_back_once_trained(tmp_path, monkeypatch):
    from wgan.experiments import lipschitz_runs
    from wgan.quality.digits import digit_classifier

    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    lipschitz_runs.digit_clip_sweep_runs(SMOKE, device="cpu")  # holds the c = 0.01 seed 0 run
    coverage = clipped_digit_runs_coverage(SMOKE, digit_classifier().model, n_samples=16,
                                           device="cpu")
    assert list(coverage["clip"]) == sorted(lipschitz_runs.CLIP_SWEEP)  # c = 0.01 once
    assert coverage["classes_covered"].between(0, 10).all()
    assert coverage["run"].iloc[0] == "c = 0.001, seed 0"
