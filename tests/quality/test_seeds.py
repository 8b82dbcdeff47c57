"""The interval over seeds: Student's t, NaN counted apart, never printed."""

import math

import pytest

from wgan.quality.seeds import t_interval


def test_t_interval_is_the_textbook_one():
    values = [0.41, 0.52, 0.45, 0.50, 0.47]
    interval = t_interval(values)
    # mean 0.47, squared deviations summing to 0.0074, and t(0.975, 4 df) = 2.776445 from a
    # table of Student's t
    half = 2.776445 * math.sqrt(0.0074 / 4) / math.sqrt(5)
    low, high = 0.47 - half, 0.47 + half
    assert interval.mean == pytest.approx(0.47)
    assert (interval.low, interval.high) == pytest.approx((low, high))
    assert interval.n == 5 and interval.has_interval
    assert interval.describe(".2f").startswith("0.47 [0.42, 0.52] (95% t-interval over 5 seeds")


def test_undefined_values_are_counted_not_averaged():
    interval = t_interval([1.0, math.nan, 3.0])
    assert interval.mean == 2.0 and interval.n == 2
    text = interval.describe()
    assert "1 undefined" in text and "per seed 1, undefined, 3" in text
    assert "nan" not in text.lower()


def test_too_few_values_give_no_interval_in_words():
    assert not t_interval([0.5]).has_interval
    assert "no interval" in t_interval([0.5, math.nan]).describe()
    assert t_interval([math.nan, math.nan]).describe() == "undefined in all 2 seeds"
    with pytest.raises(ValueError, match="'level'"):
        t_interval([1.0, 2.0], level=1.5)


def test_values_without_spread_have_an_interval_of_one_point():
    interval = t_interval([0.5, 0.5, 0.5])
    assert (interval.low, interval.mean, interval.high) == (0.5, 0.5, 0.5)
    assert interval.has_interval
