"""Tests for wgan.theory.distances: closed forms, an independent solver, and bad input."""

import math

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from wgan.theory.distances import (
    LOG2,
    histogram_divergences,
    js_divergence,
    kl_divergence,
    parallel_lines_closed_form,
    total_variation,
    wasserstein1,
)


def test_wasserstein1_matches_scipy_in_one_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 300), rng.exponential(1.0, 250)
    assert wasserstein1(x, y) == pytest.approx(wasserstein_distance(x, y), rel=1e-9)


def test_wasserstein1_of_translated_cloud_is_the_shift_length():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    shift = np.array([0.3, -0.4, 0.0])
    assert wasserstein1(x, x + shift) == pytest.approx(0.5, abs=1e-9)


def test_wasserstein1_uses_weights():
    # All mass of a at 0; b splits it between 0 and 2: W = 0.25 * 2.
    assert wasserstein1([0.0], [0.0, 2.0], b=[0.75, 0.25]) == pytest.approx(0.5)


def test_wasserstein1_is_not_squared_euclidean():
    assert wasserstein1([[0.0, 0.0]], [[3.0, 4.0]]) == pytest.approx(5.0)


def test_wasserstein1_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="same dimension"):
        wasserstein1(np.zeros((3, 2)), np.zeros((3, 3)))


def test_wasserstein1_rejects_weights_not_summing_to_one():
    with pytest.raises(ValueError, match="'a' parameter must be 2 non-negative weights"):
        wasserstein1([0.0, 1.0], [0.0], a=[0.5, 0.6])


def test_wasserstein1_rejects_empty_cloud():
    with pytest.raises(ValueError, match="non-empty point cloud"):
        wasserstein1(np.zeros((0, 2)), np.zeros((1, 2)))


def test_js_of_disjoint_histograms_is_log_two():
    assert js_divergence([1, 0, 0], [0, 0.5, 0.5]) == pytest.approx(LOG2)


def test_js_is_symmetric_and_zero_on_equal_histograms():
    p, q = [0.2, 0.3, 0.5], [0.6, 0.1, 0.3]
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p))
    assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)


def test_kl_is_infinite_when_support_is_not_covered():
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LOG2)


def test_total_variation_of_disjoint_histograms_is_one():
    assert total_variation([1, 0], [0, 1]) == pytest.approx(1.0)


def test_divergences_reject_non_probability_vectors():
    with pytest.raises(ValueError, match="'p' parameter must be a non-empty probability"):
        js_divergence([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="same bins"):
        total_variation([1.0], [0.5, 0.5])


@pytest.mark.parametrize("theta", [-1.0, -0.3, 0.2, 1.0])
def test_parallel_lines_closed_form_off_zero(theta):
    d = parallel_lines_closed_form(theta)
    assert d == {"em": abs(theta), "js": LOG2, "kl": math.inf, "tv": 1.0}


def test_parallel_lines_closed_form_at_zero_is_all_zero():
    assert parallel_lines_closed_form(0.0) == {"em": 0.0, "js": 0.0, "kl": 0.0, "tv": 0.0}


def test_histogram_divergences_see_lines_farther_apart_than_a_cell_as_disjoint():
    ys = np.linspace(0, 1, 100)
    x = np.stack([np.zeros(100), ys], 1)
    y = np.stack([np.full(100, 0.5), ys], 1)
    d = histogram_divergences(x, y, bins=10, bounds=[[-1, 1], [0, 1]])
    assert d["js"] == pytest.approx(LOG2)
    assert d["tv"] == pytest.approx(1.0)
    assert d["kl_xy"] == math.inf


def test_histogram_divergences_refuse_points_outside_bounds():
    with pytest.raises(ValueError, match="outside 'bounds'"):
        histogram_divergences([[2.0, 0.5]], [[0.0, 0.5]], bins=4, bounds=[[-1, 1], [0, 1]])
