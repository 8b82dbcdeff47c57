"""Tests for wgan.report.tables: missing numbers shown in words."""

import math

import pandas as pd
import pytest

from wgan.report.tables import NO_VALUE, readable


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
