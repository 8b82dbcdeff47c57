"""Tables as a reader sees them: numbers that do not exist written in words, never "nan".

A measure that has no value (a run that never covered every mode, a rank correlation of a
constant series, a ratio with a non-positive denominator) is NaN in the data, which is
right for computing; on a page it must say what happened. :func:`readable` makes the
display copy of a table; the data keep their NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

NO_VALUE = "–"
"""What a missing number reads as when its column names no better word."""


def readable(frame: pd.DataFrame, *, digits: int | None = None,
             fmt: Callable[[float], str] | None = None,
             words: Mapping[str, str] | None = None, default: str = NO_VALUE) -> pd.DataFrame:
    """A display copy of ``frame`` whose missing numbers are words.

    Parameters
    ----------
    frame : pandas.DataFrame
    digits : int, optional
        Round the numbers to this many decimals first (as ``frame.round(digits)``).
    fmt : callable, optional
        Format each present number as text (e.g. ``"{:.3g}".format``); missing ones are
        never passed to it.
    words : mapping, optional
        Column -> what a missing value in that column means, in words (e.g.
        ``{"first_full": "never"}``).
    default : str, default=NO_VALUE
        The word for missing values of the other columns.

    Returns
    -------
    pandas.DataFrame
        Same index and columns; missing values replaced, for display only.
    """
    words = dict(words or {})
    unknown = [name for name in words if name not in frame.columns]
    if unknown:
        raise ValueError(
            f"The 'words' parameter of readable names columns that 'frame' lacks: {unknown}. "
            f"Its columns: {list(frame.columns)}."
        )
    shown = frame.round(digits) if digits is not None else frame.copy()
    missing = shown.isna()
    if fmt is not None:
        shown = shown.astype(object).where(missing, shown.map(
            lambda value: value if pd.isna(value) else fmt(value)))
    shown = shown.astype(object)
    for column in shown.columns:
        shown.loc[missing[column], column] = words.get(column, default)
    return shown
