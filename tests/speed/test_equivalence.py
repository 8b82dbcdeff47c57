"""Learning-curve distances: closed forms on hand-made curves."""

from __future__ import annotations

import numpy as np
import pytest

from wgan.speed.equivalence import curve_distances


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
