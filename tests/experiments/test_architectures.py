"""Tests for wgan.experiments.architectures: chapter 5's rules, each verdict reached on
made-up numbers (not tested for an inadequate experiment included), and the read-back of
chapter 8's clipped digit runs."""

import math

import pandas as pd
import pytest

from wgan.experiments.architectures import (
    MIN_PRECISION,
    PARTLY_CLASSES,
    Collapse,
    architecture_comparison,
    architectures_interval,
    architectures_verdict,
    clipped_digit_runs_coverage,
    figure6_verdict,
    figure8_verdict,
    late_coverage,
    mode_collapse_verdict,
)
from wgan.plan.scale import Scale

QUICK, SMOKE = Scale("quick"), Scale("smoke")
BLUR = 80.0  # the moment-matched Gaussian's FD: a run learned when below it
NOT_TESTED = "not tested at this scale"

JITTER = (0.0, 1.0, -1.0, 2.0, -2.0)  # five seeds around each value


def _seeds(value: float) -> list[float]:
    return [value + j for j in JITTER]


def _fd(nobn: tuple[float, float], mlp: tuple[float, float]) -> dict[str, list[float]]:
    return {"wgan-nobn": _seeds(nobn[0]), "gan-nobn": _seeds(nobn[1]),
            "wgan-mlp": _seeds(mlp[0]), "gan-mlp": _seeds(mlp[1])}


@pytest.mark.parametrize(("fd", "expected"), [
    (_fd((30.0, 60.0), (30.0, 70.0)), "reproduced"),
    (_fd((30.0, math.nan), (30.0, 70.0)), "reproduced"),  # the GAN's samples overflowed
    (_fd((30.0, 200.0), (30.0, 300.0)), "reproduced"),  # the GAN never learned
    (_fd((30.0, 60.0), (80.0, 70.0)), "partly reproduced"),
    (_fd((60.0, 60.0), (80.0, 70.0)), "not reproduced"),  # a tie is no win
    (_fd((math.nan, 40.0), (math.nan, 70.0)), "not reproduced"),  # a WGAN that overflowed
    (_fd((200.0, 300.0), (400.0, 500.0)), NOT_TESTED),  # neither method learned: inadequate
])
def test_architectures_verdict_reaches_each_verdict(fd, expected):
    judged = architectures_verdict(fd, BLUR, QUICK)
    assert judged.verdict == expected
    assert judged.adequate is (expected != NOT_TESTED)
    assert architectures_verdict(fd, BLUR, SMOKE).verdict == NOT_TESTED
    two_seeds = {key: values[:2] for key, values in fd.items()}
    assert architectures_verdict(two_seeds, BLUR, QUICK).verdict == NOT_TESTED


def test_a_generator_neither_method_learned_is_not_tested():
    comparison = architecture_comparison(_fd((30.0, 60.0), (200.0, 300.0)), BLUR)
    assert comparison["dcgan_nobn"][0] is True and comparison["mlp"][0] is None
    judged = architectures_verdict(_fd((30.0, 60.0), (200.0, 300.0)), BLUR, QUICK)
    assert judged.verdict == "partly reproduced"  # one tested and won; the other untested
    assert "1 of 2 generators tested" in judged.adequacy


def test_a_win_needs_the_interval_above_zero():
    # The WGAN is better on average but not in every seed: the interval of the paired
    # differences reaches below 0, so no win.
    fd = _fd((30.0, 60.0), (30.0, 70.0))
    fd["gan-nobn"] = [30.0 + d for d in (25.0, -5.0, -3.0, 2.0, 1.0)]
    comparison = architecture_comparison(fd, BLUR)
    assert comparison["dcgan_nobn"][0] is False and comparison["mlp"][0] is True
    assert "t-interval over 5 seeds" in comparison["dcgan_nobn"][1]
    text = architectures_interval(fd)
    assert text.startswith("GAN minus WGAN final FD, paired by seed: dcgan_nobn +")
    assert "mlp +40 [" in text


@pytest.mark.parametrize(("wgan", "gan", "expected"), [
    (30.0, 40.0, "reproduced"),
    (30.0, 100.0, "partly reproduced"),
    ([30.0, 30.0, 30.0, 90.0, 90.0], 100.0, "not reproduced"),  # learned in 3 seeds, not all
    (100.0, 120.0, NOT_TESTED),
])
def test_figure6_reaches_each_verdict(wgan, gan, expected):
    fd = {"wgan-dcgan": wgan if isinstance(wgan, list) else _seeds(wgan),
          "gan-dcgan": _seeds(gan)}
    judged = figure6_verdict(fd, BLUR, QUICK)
    assert judged.verdict == expected
    assert figure6_verdict(fd, BLUR, SMOKE).verdict == NOT_TESTED


def run(name: str, coverage: tuple[float, ...], precision: float = 0.6) -> Collapse:
    return Collapse(name, precision, coverage)


FULL = [run(f"wgan, seed {s}", (10.0, 10.0, 10.0)) for s in range(3)]
COLLAPSED = run("clipped c = 0.01, seed 0", (1.0, 2.0, 1.0))


@pytest.mark.parametrize(("page", "clipped", "expected"), [
    (FULL, [run("clipped", (10.0, 10.0, 10.0))], "reproduced"),
    (FULL, None, "partly reproduced"),  # chapter 8 not read: cannot be reproduced
    ([*FULL[:2], run("mlp", (10.0, 9.0, 8.0))], [], "partly reproduced"),
    (FULL, [COLLAPSED], "not reproduced"),
    # a dip below 8 that does not persist is no collapse
    ([*FULL[:2], run("mlp", (7.0, 9.0, 7.0))], [], "partly reproduced"),
    # runs that never learned digits are reported, not counted as collapse: inadequate
    ([run(f"nobn, seed {s}", (0.0, 0.0, 0.0), precision=0.01) for s in range(5)], None,
     NOT_TESTED),
])
def test_mode_collapse_verdict_reaches_each_verdict(page, clipped, expected):
    judged = mode_collapse_verdict(page, clipped, QUICK)
    assert judged.verdict == expected
    assert judged.adequate is (expected != NOT_TESTED)


def test_a_run_that_never_learned_is_said_so():
    never = run("wgan-nobn, seed 0", (0.0, 0.0, 0.0), precision=0.02)
    assert not never.judged and never.collapsed
    assert never.describe() == "wgan-nobn, seed 0: did not learn (precision 0.02)"
    judged = mode_collapse_verdict([*FULL, never], None, QUICK)
    assert judged.verdict == "partly reproduced" and "did not learn" in judged.measured
    assert "3 of 4 WGAN runs judged" in judged.adequacy
    assert MIN_PRECISION > 0.02 and PARTLY_CLASSES > 0


def test_mode_collapse_verdict_without_labels_or_at_smoke_is_not_tested():
    assert mode_collapse_verdict([], None, QUICK).verdict == NOT_TESTED
    assert mode_collapse_verdict(FULL, [COLLAPSED], SMOKE).verdict == NOT_TESTED


@pytest.mark.parametrize(("coverages", "expected"), [
    ([(1.0, 1.0, 1.0)] * 5, "reproduced"),
    ([(1.0, 1.0, 1.0)] + [(10.0, 10.0, 10.0)] * 4, "partly reproduced"),
    ([(10.0, 10.0, 10.0)] * 5, "not reproduced"),
])
def test_figure8_reaches_each_verdict(coverages, expected):
    runs = [run(f"gan-mlp, seed {s}", c) for s, c in enumerate(coverages)]
    assert figure8_verdict(runs, QUICK).verdict == expected
    never = [run(f"gan-mlp, seed {s}", c, precision=0.0) for s, c in enumerate(coverages)]
    assert figure8_verdict(never, QUICK).verdict == NOT_TESTED


def test_late_coverage_reads_the_last_snapshots():
    table = pd.DataFrame({"gen_iter": [0, 10, 20, 30, 40], "precision": [0.0, 0.1, 0.2, 0.5, 0.7],
                          "coverage": [0, 3, 9, 10, 8]})
    late = late_coverage("x", table)
    assert late.coverage == (9.0, 10.0, 8.0) and late.precision == 0.7
    assert late.judged and not late.collapsed


def test_clipped_runs_not_trained_are_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    assert clipped_digit_runs_coverage(SMOKE, None, None, n_samples=8) is None
    assert not any(tmp_path.iterdir())  # nothing trained, nothing written


@pytest.mark.slow  # trains chapter 8's five clipped digit runs at smoke (seconds each)
def test_clipped_runs_read_back_once_trained(tmp_path, monkeypatch):
    from wgan.data import load_images
    from wgan.experiments import lipschitz_runs
    from wgan.quality.yardstick import yardstick

    judge = yardstick()  # from the project's cache, where the smoke book or a test left it
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path / "cache"))
    lipschitz_runs.digit_clip_sweep_runs(SMOKE, device="cpu")  # holds the c = 0.01 seed 0 run
    heldout = load_images("digits", image_size=16, split="heldout")
    coverage = clipped_digit_runs_coverage(SMOKE, judge, heldout, n_samples=16, device="cpu")
    assert [r.run for r in coverage] == sorted(
        f"clipped c = {c:g}, seed 0" for c in lipschitz_runs.CLIP_SWEEP)
    assert all(0 <= c <= 10 for r in coverage for c in r.coverage if math.isfinite(c))
