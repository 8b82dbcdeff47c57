"""The correlation tests of Section 4.3 beyond the plain rank correlation: the time baseline,
the detrended (changes) and partial correlations, flat curves, and the comparison across runs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wgan.quality import (
    across_runs,
    change_correlation,
    partial_spearman,
    rho_in_words,
    spearman,
    within_run,
)

ITERATIONS = np.arange(0, 2001, 100)


def improving_samples(seed: int = 0) -> np.ndarray:
    """A pixel W1 that falls with time, with wiggles of its own."""
    rng = np.random.default_rng(seed)
    return 10 * np.exp(-ITERATIONS / 600) + 3 + rng.normal(0, 0.3, ITERATIONS.size)


def test_a_curve_that_only_tracks_time_passes_the_plain_test_and_fails_the_detrended_one() -> None:
    quality = improving_samples()
    rng = np.random.default_rng(1)
    # Falls smoothly with time, plus wiggles unrelated to the samples' wiggles.
    curve = 5 * np.exp(-ITERATIONS / 800) + rng.normal(0, 0.1, ITERATIONS.size)
    run = within_run(ITERATIONS, curve, quality)
    assert run.rho >= 0.8 and run.rho_time >= 0.8  # the plain test cannot tell
    assert run.rho_partial < 0.3  # the detrended one (controlling for the iteration) can
    # The changes of two curves that both decay fast and then slowly still rank alike: the
    # reason the rule reads the partial correlation and only reports the changes.
    assert run.rho_changes > 0.5
    assert not run.flat


def test_a_curve_that_follows_the_samples_passes_all_three() -> None:
    quality = improving_samples()
    curve = 0.5 * quality + np.random.default_rng(2).normal(0, 0.02, ITERATIONS.size)
    run = within_run(ITERATIONS, curve, quality)
    assert run.rho >= 0.8 and run.rho_changes >= 0.8 and run.rho_partial >= 0.5


def test_the_time_curve_itself_has_no_changes_to_rank() -> None:
    quality = improving_samples()
    run = within_run(ITERATIONS, -ITERATIONS.astype(float), quality)
    assert run.rho == pytest.approx(run.rho_time)
    assert math.isnan(run.rho_changes)  # equal steps: the changes are constant
    assert math.isnan(run.rho_partial)  # nothing left once time is removed


def test_a_curve_flat_from_mid_run_is_flat_and_its_ties_give_a_rho() -> None:
    # Figure 4's failed run: the estimate drops to exactly 0 and stays there.
    curve = np.where(ITERATIONS < 300, 1.0 - ITERATIONS / 1000, 0.0)
    quality = np.where(ITERATIONS < 300, 20.0 - ITERATIONS / 100, 17.0)
    run = within_run(ITERATIONS, curve, quality)
    assert run.flat
    assert run.rho > 0.5  # made of ties: the reason the flat rule replaces it
    assert math.isnan(run.rho_changes) or run.rho_changes < 1


def test_change_correlation_reads_the_differences() -> None:
    x = np.array([0.0, 1.0, 3.0, 6.0, 10.0])
    y = np.array([0.0, 2.0, 3.0, 9.0, 10.0])  # steps 2, 1, 6, 1 against 1, 2, 3, 4
    expected = spearman(np.diff(x), np.diff(y)).rho
    assert change_correlation(x, y).rho == pytest.approx(expected)
    assert math.isnan(change_correlation([1, 2, 3], [3, 2, 1]).rho)  # two changes: too few


def test_partial_spearman_matches_the_closed_form() -> None:
    rng = np.random.default_rng(3)
    x, y, z = rng.normal(size=(3, 30))
    ranks = [pd.Series(v).rank().to_numpy() for v in (x, y, z)]
    c = np.corrcoef(ranks)
    expected = (c[0, 1] - c[0, 2] * c[1, 2]) / math.sqrt((1 - c[0, 2] ** 2) * (1 - c[1, 2] ** 2))
    assert partial_spearman(x, y, z) == pytest.approx(expected)


def test_rho_in_words_never_prints_nan() -> None:
    assert rho_in_words(0.5) == "+0.50"
    assert "nan" not in rho_in_words(math.nan).lower()


def test_across_runs_ranks_the_runs_at_each_snapshot() -> None:
    snapshots = [0, 100, 200]
    curves = pd.DataFrame({"a": [1.0, 0.8, 0.6], "b": [2.0, 1.5, 1.2], "c": [3.0, 3.0, 3.0]},
                          index=snapshots)
    better = pd.DataFrame({"a": [5.0, 4.0, 3.0], "b": [6.0, 5.0, 4.0], "c": [7.0, 7.0, 7.0]},
                          index=snapshots)
    result = across_runs(curves, better)
    assert result.runs == 3 and result.counted == 3 and result.positive == 3
    assert result.mean_rho == pytest.approx(1.0)
    worse = across_runs(curves, -better)
    assert worse.mean_rho == pytest.approx(-1.0) and worse.positive == 0
    assert "mean rho -1.00 over 3 snapshots" in worse.describe()


def test_across_runs_skips_tied_snapshots_and_says_so_in_words() -> None:
    curves = pd.DataFrame({"a": [0.0], "b": [0.0], "c": [0.0]}, index=[100])
    quality = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0]}, index=[100])
    result = across_runs(curves, quality)
    assert result.counted == 0 and math.isnan(result.mean_rho)
    assert "nan" not in result.describe().lower()
    with pytest.raises(ValueError, match="same runs"):
        across_runs(curves, quality[["a", "b"]])
