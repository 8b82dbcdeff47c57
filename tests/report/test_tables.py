"""Tests for wgan.report.tables: missing numbers shown in words."""

import math

import pandas as pd
import pytest

from wgan.report.tables import NO_VALUE, readable, significant


def _frame():
    return pd.DataFrame({"first_full": [120.0, math.nan], "k": [0.123456, math.nan],
                         "name": ["a", None]})


def test_readable_writes_missing_numbers_in_words_and_keeps_the_rest():
    shown = readable(_frame(), digits=2, words={"first_full": "never"})
    assert list(shown["first_full"]) == [120.0, "never"]
    assert list(shown["k"]) == [0.12, NO_VALUE]
    assert list(shown["name"]) == ["a", NO_VALUE]
    assert "nan" not in shown.to_html().lower() and "nan" not in repr(shown).lower()


def test_readable_formats_only_present_numbers_and_leaves_the_data_alone():
    frame = _frame()
    shown = readable(frame[["k"]], fmt="{:.3g}".format, default="no value")
    assert list(shown["k"]) == ["0.123", "no value"]
    assert math.isnan(frame.loc[1, "k"])


def test_readable_rejects_words_for_an_unknown_column():
    with pytest.raises(ValueError, match=r"'words' parameter of readable names columns .* \['x'\]"):
        readable(_frame(), words={"x": "never"})


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.853, "0.853"), (0.000123, "0.000123"), (1.234e-6, "1.23e-6"), (-3.2e-8, "-3.2e-8"),
     (12.0, "12"), (7, "7"), (12.345, "12.3"), (804.7, "805"), (1.5e7, "1.5e+7"), (0.0, "0")],
)
def test_significant_keeps_small_numbers_readable_and_counts_whole(value, text):
    assert significant(value) == text


def test_significant_needs_a_figure():
    with pytest.raises(ValueError, match="'figures' parameter of significant must be at least 1"):
        significant(0.5, figures=0)


def test_readable_with_figures_writes_a_tiny_k_beside_an_exact_w1():
    frame = pd.DataFrame({"w1": [0.85, 0.9], "k": [1.2e-5, math.nan], "seed": [0, 1],
                          "status": ["constant", "varying"], "counted": [True, False]})
    shown = readable(frame, figures=3, words={"k": "no value"})
    assert list(shown["k"]) == ["1.2e-5", "no value"]
    assert list(shown["w1"]) == ["0.85", "0.9"] and list(shown["seed"]) == ["0", "1"]
    assert list(shown["status"]) == ["constant", "varying"]
    assert list(shown["counted"]) == [True, False]
    assert "0.0" not in shown.to_string()
    assert readable(frame[["k"]], digits=3).loc[0, "k"] == 0.0  # what figures avoids


def test_readable_takes_one_way_to_write_the_numbers():
    with pytest.raises(ValueError, match="'figures' parameter of readable excludes"):
        readable(_frame(), digits=2, figures=3)
