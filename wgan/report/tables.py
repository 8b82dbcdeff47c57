"""Tables as a reader sees them: numbers that do not exist written in words, never "nan".

A measure that has no value (a run that never covered every mode, a rank correlation of a
constant series, a ratio with a non-positive denominator) is NaN in the data, which is
right for computing; on a page it must say what happened. :func:`readable` makes the
display copy of a table; the data keep their NaN. A number too small for a fixed count of
decimals (a clipped critic's K of 1e-6 beside an exact W1 of 0.85) is written with
significant figures (:func:`significant`), never rounded to "0.0".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping

import pandas as pd

NO_VALUE = "–"
"""What a missing number reads as when its column names no better word."""


def significant(value: float, figures: int = 3) -> str:
    """``value`` with ``figures`` significant figures, readable at any magnitude.

    Parameters
    ----------
    value : float
        A finite number (integers are written whole, e.g. a count or a seed).
    figures : int, default=3
        Significant figures kept, at least 1.

    Returns
    -------
    str
        ``"0.853"``, ``"0.00012"``, ``"1.23e-6"``, ``"12"``, ``"805"`` or ``"1.23e+7"``:
        plain decimals from 1e-4 up to 10**figures, whole numbers up to a million (their
        digits are all kept: ``805``, not ``8.05e+2``), scientific notation beyond (its
        exponent without a leading zero).
    """
    if figures < 1:
        raise ValueError(f"The 'figures' parameter of significant must be at least 1. "
                         f"Got {figures} instead.")
    magnitude = abs(value)
    if magnitude < 1e6 and (float(value).is_integer() or magnitude >= 10 ** figures):
        return f"{value:.0f}"
    text = f"{value:.{figures}g}"
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent):+d}" if exponent else text


def readable(frame: pd.DataFrame, *, digits: int | None = None,
             fmt: Callable[[float], str] | None = None, figures: int | None = None,
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
    figures : int, optional
        Write each real number (not a bool, not text) with this many significant figures
        (:func:`significant`), so that 1e-6 and 0.85 both read as numbers; the other
        cells are left as they are. Excludes ``digits`` and ``fmt``.
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
    if figures is not None and (digits is not None or fmt is not None):
        raise ValueError("The 'figures' parameter of readable excludes 'digits' and 'fmt': "
                         "give one way to write the numbers.")
    if figures is not None:
        def fmt(value: object) -> object:
            real = isinstance(value, numbers.Real) and not isinstance(value, bool)
            return significant(float(value), figures) if real and math.isfinite(value) else value
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
