"""Tests for wgan.experiments.coverage: exact counts on hand-made sample sets, closed forms,
bad input."""

import math

import numpy as np
import pytest
import torch

from wgan.experiments.coverage import (
    high_quality_fraction,
    mixture_metrics,
    mode_counts,
    mode_shares,
    modes_covered,
    radial_error,
)
from wgan.theory.toy import gaussian_ring, ring_means

MEANS = ring_means().numpy()  # (8, 2), radius 2
STD = 0.02


def _around(mean: np.ndarray, count: int, radius: float) -> np.ndarray:
    """``count`` points on the circle of ``radius`` around ``mean``, shape (count, 2)."""
    angles = np.linspace(0.0, 2 * math.pi, count, endpoint=False)
    return mean + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def test_mode_counts_all_modes_covered_exactly():
    samples = np.concatenate([_around(m, 25, 2.5 * STD) for m in MEANS])
    np.testing.assert_array_equal(mode_counts(samples), np.full(8, 25))
    assert modes_covered(samples, min_samples=20) == 8
    assert high_quality_fraction(samples) == 1.0


def test_mode_counts_one_mode_collapse():
    samples = _around(MEANS[3], 100, 1.0 * STD)
    expected = np.zeros(8, dtype=np.int64)
    expected[3] = 100
    np.testing.assert_array_equal(mode_counts(samples), expected)
    assert modes_covered(samples) == 1
    assert high_quality_fraction(samples) == 1.0


def test_off_mode_points_count_nowhere():
    between = 2.0 * np.array([[math.cos(math.pi / 8), math.sin(math.pi / 8)]])  # between modes 0, 1
    off = np.concatenate([
        np.zeros((10, 2)),  # the centre of the ring
        _around(MEANS[0], 10, 3.5 * STD),  # just outside mode 0's 3-sigma disc
        np.repeat(between, 10, axis=0),
    ])
    on = _around(MEANS[5], 30, 2.0 * STD)
    samples = np.concatenate([off, on])
    expected = np.zeros(8, dtype=np.int64)
    expected[5] = 30
    np.testing.assert_array_equal(mode_counts(samples), expected)
    assert high_quality_fraction(samples) == pytest.approx(30 / 60)
    assert modes_covered(samples, min_samples=30) == 1
    assert modes_covered(samples, min_samples=31) == 0


def test_mode_counts_disc_radius_is_n_sigma_times_std():
    inside = _around(MEANS[1], 12, 2.9 * STD)
    outside = _around(MEANS[1], 12, 3.1 * STD)
    samples = np.concatenate([inside, outside])
    assert mode_counts(samples)[1] == 12
    assert mode_counts(samples, n_sigma=3.2)[1] == 24
    assert mode_counts(samples, std=2 * STD)[1] == 24
    assert mode_counts(samples, n_sigma=2.0)[1] == 0


def test_modes_covered_needs_min_samples_per_mode():
    samples = np.concatenate([_around(MEANS[0], 19, STD), _around(MEANS[1], 20, STD)])
    assert modes_covered(samples, min_samples=20) == 1
    assert modes_covered(samples, min_samples=19) == 2
    assert modes_covered(samples, min_samples=1) == 2


def test_mode_counts_uses_given_means():
    means = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    # 3 sigma = 0.3: the first two are inside, the last two 0.35 and 7.1 from a mean
    samples = np.array([[0.0, 0.1], [10.2, 0.0], [10.0, -0.35], [5.0, 5.0]])
    np.testing.assert_array_equal(mode_counts(samples, means, std=0.1), [1, 1, 0])


def test_non_finite_samples_are_off_mode_and_w1_is_nan():
    samples = np.concatenate([_around(MEANS[2], 4, STD), [[np.nan, 0.0], [np.inf, 2.0]]])
    counts = mode_counts(samples)
    assert counts[2] == 4 and counts.sum() == 4
    metrics = mixture_metrics(samples, MEANS)
    assert metrics["high_quality"] == pytest.approx(4 / 6)
    assert math.isnan(metrics["w1"])


def test_high_quality_fraction_of_the_ring_itself_matches_rayleigh_tail():
    # |x - mean| / std is Rayleigh-distributed in 2-D: P(r <= 3) = 1 - exp(-9/2).
    samples = gaussian_ring(40_000, torch.Generator().manual_seed(0))
    expected = 1 - math.exp(-4.5)
    tolerance = 4 * math.sqrt(expected * (1 - expected) / 40_000)
    assert high_quality_fraction(samples) == pytest.approx(expected, abs=tolerance)
    assert modes_covered(samples, min_samples=4000) == 8


def test_mixture_metrics_w1_of_collapse_onto_one_mean_is_mean_chord_length():
    # All mass on mode 0 against one point at each mean: W1 = mean distance from mean 0
    # to the 8 means = (1/8) sum_k 4 sin(pi k / 8).
    collapsed = np.repeat(MEANS[:1], 8, axis=0)
    metrics = mixture_metrics(collapsed, MEANS, min_samples=8)
    expected = sum(4 * math.sin(math.pi * k / 8) for k in range(8)) / 8
    assert metrics == pytest.approx(
        {"modes": 1.0, "high_quality": 1.0, "min_share": 0.0, "w1": expected}
    )


def test_mixture_metrics_accepts_tensors_and_matches_arrays():
    generator = torch.Generator().manual_seed(1)
    fake = gaussian_ring(300, generator) * 1.02
    real = gaussian_ring(200, generator)
    from_tensors = mixture_metrics(fake.requires_grad_(), real)
    from_arrays = mixture_metrics(fake.detach().numpy(), real.numpy())
    assert from_tensors == pytest.approx(from_arrays)


def test_mode_shares_count_far_samples_at_their_nearest_mode():
    samples = np.concatenate([
        _around(MEANS[0], 6, 0.5),  # blurred far beyond 3 sigma, still nearest to mode 0
        _around(MEANS[4], 2, STD),
        [[np.nan, np.nan], [0.3, 0.0]],  # not finite; and nearest to mode 0
    ])
    expected = np.zeros(8)
    expected[0], expected[4] = 7 / 10, 2 / 10
    np.testing.assert_allclose(mode_shares(samples), expected)


def test_min_share_is_one_for_a_balanced_sample():
    balanced = np.concatenate([_around(m, 5, 0.3) for m in MEANS])
    assert mixture_metrics(balanced, MEANS)["min_share"] == pytest.approx(1.0)


def test_radial_error_of_circles_is_their_radius_offset():
    circle = _around(np.zeros(2), 16, 2.3)
    inner = _around(np.zeros(2), 16, 1.9)
    assert radial_error(circle) == pytest.approx(0.3)
    assert radial_error(np.concatenate([circle, inner])) == pytest.approx(0.2)
    assert radial_error(inner, radius=1.0) == pytest.approx(0.9)


def test_radial_error_of_the_ring_is_the_half_normal_mean():
    samples = gaussian_ring(20_000, torch.Generator().manual_seed(2))
    assert radial_error(samples) == pytest.approx(STD * math.sqrt(2 / math.pi), rel=0.03)


def test_radial_error_rejects_three_dimensional_points():
    with pytest.raises(ValueError, match=r"'samples' parameter of radial_error must hold 2-D"):
        radial_error(np.zeros((3, 3)))


def test_mode_counts_rejects_one_dimensional_samples():
    with pytest.raises(ValueError, match=r"'samples' parameter of mode_counts must be a non-empty"):
        mode_counts(np.zeros(5))


def test_mode_counts_rejects_dimension_mismatch():
    with pytest.raises(ValueError, match="must have the same dimension d"):
        mode_counts(np.zeros((4, 3)))


@pytest.mark.parametrize("name", ["std", "n_sigma"])
def test_mode_counts_rejects_non_positive_radius(name):
    with pytest.raises(ValueError, match=rf"'{name}' parameter of mode_counts must be a positive"):
        mode_counts(MEANS, **{name: 0.0})


def test_modes_covered_rejects_non_integer_min_samples():
    with pytest.raises(ValueError, match="'min_samples' parameter of modes_covered must be a pos"):
        modes_covered(MEANS, min_samples=2.5)


def test_mixture_metrics_rejects_empty_real_sample():
    with pytest.raises(ValueError, match="'real' parameter of mixture_metrics must be a non-empty"):
        mixture_metrics(MEANS, np.zeros((0, 2)))
