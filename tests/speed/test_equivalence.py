"""Learning-curve distances: closed forms on hand-made curves; the speed chapter's runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wgan.plan.scale import Scale
from wgan.plan.spec import run_dir
from wgan.speed.equivalence import (
    CANDIDATE,
    CURVE_SETTINGS,
    REFERENCE,
    curve_distances,
    curve_specs,
    equivalence_curves,
)
from wgan.training.rundir import METRICS_NAME


def test_identical_curves_have_zero_paired_distance():
    reference = np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])
    distances = curve_distances(reference, reference.copy())
    assert distances.paired == 0.0
    assert distances.equivalent


def test_distances_equal_their_closed_forms():
    # Seeds at constant levels 0, 1, 3: pairwise RMS gaps 1, 3, 2, mean 2.
    reference = np.array([[0.0] * 4, [1.0] * 4, [3.0] * 4])
    # Candidate shifted by +0.5 everywhere for seed 0, -0.5 for seed 1, +-1 alternating
    # for seed 2: per-seed RMS 0.5, 0.5, 1, mean 2/3.
    shift = np.array([[0.5] * 4, [-0.5] * 4, [1.0, -1.0, 1.0, -1.0]])
    distances = curve_distances(reference, reference + shift)
    assert distances.seed_to_seed == pytest.approx(2.0)
    assert distances.paired == pytest.approx(2 / 3)
    assert distances.ratio == pytest.approx(1 / 3)


def test_a_shift_larger_than_the_seed_spread_is_not_equivalent():
    reference = np.array([[0.0, 0.0], [0.1, 0.1]])
    assert not curve_distances(reference, reference + 1.0).equivalent


@pytest.mark.parametrize(
    ("reference", "candidate"),
    [
        (np.zeros((3, 4)), np.zeros((3, 5))),
        (np.zeros((1, 4)), np.zeros((1, 4))),
        (np.zeros(4), np.zeros(4)),
    ],
)
def test_mismatched_or_single_seed_curves_are_refused(reference, candidate):
    with pytest.raises(ValueError, match="must have the same shape \\(n_seeds, n_iterations\\) "
                                         "with at least 2 seeds"):
        curve_distances(reference, candidate)


def test_curves_of_a_diverged_run_are_refused():
    reference = np.array([[0.0, np.nan], [1.0, 1.0]])
    with pytest.raises(ValueError, match="must be finite; a run diverged"):
        curve_distances(reference, np.zeros((2, 2)))


@pytest.mark.parametrize("name", ["smoke", "quick", "paper"])
def test_curve_runs_differ_in_the_way_of_computing_only(name: str) -> None:
    specs = curve_specs(Scale(name), seed=3, device="cpu")
    seeds = CURVE_SETTINGS[name].seeds
    assert [s.name for s in specs] == [REFERENCE] * seeds + [CANDIDATE] * seeds
    assert [s.config.seed for s in specs] == [*range(3, 3 + seeds)] * 2
    assert {s.chapters for s in specs} == {("07_speed",)}
    reference, candidate = specs[0].config, specs[seeds].config
    assert (reference.precision, reference.channels_last, reference.compile) == (
        "float32", False, "off")
    assert (candidate.precision, candidate.channels_last) == ("bfloat16", True)
    assert candidate.replace(precision="float32", channels_last=False,
                             compile="off") == reference
    assert reference.generator_iters == CURVE_SETTINGS[name].sizes["generator_iters"]


def test_a_dry_run_caps_the_iterations_and_seeds() -> None:
    specs = curve_specs(Scale("paper", dry=True))
    assert len(specs) == 4 and {s.config.generator_iters for s in specs} == {2}
    assert {s.config.image_size for s in specs} == {64}


def test_equivalence_curves_fetch_the_specs_runs(tmp_path: Path) -> None:
    scale = Scale("smoke", dry=True)
    reference, fast, configs = equivalence_curves(scale, device="cpu", root=tmp_path)
    assert reference.shape == fast.shape == (2, 2)
    assert [c.seed for c in configs] == [0, 1]
    for spec in curve_specs(scale, device="cpu"):
        assert (run_dir(spec, scale, tmp_path) / METRICS_NAME).is_file()
