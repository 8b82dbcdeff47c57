"""The median filter of the paper's curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import medfilt

from wgan.report.curves import loss_curve, median_filter


def test_median_filter_equals_scipy_medfilt_101() -> None:
    x = np.random.default_rng(0).normal(size=500)
    np.testing.assert_array_equal(median_filter(x), medfilt(x, 101))


def test_median_filter_removes_isolated_spikes() -> None:
    x = np.ones(50)
    x[[10, 30]] = 100.0
    np.testing.assert_array_equal(median_filter(x, 5)[2:-2], np.ones(46))


def test_median_filter_shrinks_width_for_short_runs() -> None:
    x = np.array([3.0, 1.0, 2.0, 5.0])
    np.testing.assert_array_equal(median_filter(x, 101), medfilt(x, 3))
    np.testing.assert_array_equal(median_filter([7.0], 101), [7.0])
    assert median_filter([], 101).shape == (0,)


@pytest.mark.parametrize("width", [0, 4, -3, 2.5])
def test_median_filter_rejects_bad_width(width: object) -> None:
    with pytest.raises(ValueError, match="'width' parameter of median_filter must be a positive"):
        median_filter(np.ones(10), width)  # type: ignore[arg-type]


def test_median_filter_rejects_two_dimensional_input() -> None:
    with pytest.raises(ValueError, match=r"must be one-dimensional\. Got an array of shape"):
        median_filter(np.ones((3, 3)))


def test_loss_curve_pairs_generator_iterations_with_filtered_values() -> None:
    metrics = pd.DataFrame({"gen_iter": [1, 2, 3, 4, 5], "w_estimate": [5.0, 0.0, 4.0, 3.0, 2.0]})
    gen_iter, values = loss_curve(metrics, width=3)
    np.testing.assert_array_equal(gen_iter, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(values, medfilt(metrics["w_estimate"].to_numpy(), 3))
    with pytest.raises(ValueError, match="'column' parameter of loss_curve must be a metrics"):
        loss_curve(metrics, "js_lower_bound")
