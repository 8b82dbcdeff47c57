"""Training curves as the paper plots them: the median-filtered loss estimates.

Figures 4, 5 and 9 plot, against generator iterations, the WGAN estimate (3) of the EM
distance, ``f(real) - f(fake)`` (or the GAN's JS lower bound, or its generator loss),
"passed through a median filter for visualization purposes". The authors' code uses
``scipy.signal.medfilt(x, 101)``; :func:`median_filter` does the same, shrinking the
width for runs shorter than the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import medfilt

PAPER_FILTER_WIDTH = 101  # the authors' median-filter width, in generator iterations


def median_filter(x: np.ndarray | pd.Series | list[float], width: int = PAPER_FILTER_WIDTH
                  ) -> np.ndarray:
    """Running median of ``x`` over ``width`` points, as :func:`scipy.signal.medfilt`.

    The width is reduced to the largest odd number not above ``len(x)``, so a run shorter
    than the window is still filtered rather than rejected. Like ``medfilt`` the signal is
    padded with zeros at both ends, so the first and last ``width // 2`` points are pulled
    toward 0 (as in the paper's figures).

    Parameters
    ----------
    x : array-like of shape (n,)
        One value per generator iteration.
    width : int, default=101
        Window, an odd positive number of points.

    Returns
    -------
    numpy.ndarray of shape (n,), float64

    Raises
    ------
    ValueError
        If ``width`` is not a positive odd int or ``x`` is not one-dimensional.
    """
    if not isinstance(width, int) or width <= 0 or width % 2 == 0:
        raise ValueError(
            "The 'width' parameter of median_filter must be a positive odd int "
            f"(scipy.signal.medfilt's kernel_size). Got {width!r} instead."
        )
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(
            "The 'x' parameter of median_filter must be one-dimensional. Got an array of "
            f"shape {values.shape} instead."
        )
    if values.size == 0:
        return values
    width = min(width, values.size if values.size % 2 else values.size - 1)
    return medfilt(values, width)


def loss_curve(
    metrics: pd.DataFrame, column: str = "w_estimate", width: int = PAPER_FILTER_WIDTH
) -> tuple[np.ndarray, np.ndarray]:
    """A run's curve as plotted in Figures 4, 5 and 9: generator iteration and filtered value.

    Parameters
    ----------
    metrics : pandas.DataFrame
        ``RunResult.metrics`` (columns ``gen_iter`` and ``column``).
    column : str, default="w_estimate"
        ``w_estimate`` for a WGAN (Figure 4), ``js_lower_bound`` (Figure 5) or ``loss_g``
        (Figure 9) for a GAN.
    width : int, default=101
        Median-filter width (:func:`median_filter`).

    Returns
    -------
    gen_iter : numpy.ndarray of shape (n,), int64
    value : numpy.ndarray of shape (n,), float64
    """
    if column not in metrics.columns:
        raise ValueError(
            f"The 'column' parameter of loss_curve must be a metrics column, one of "
            f"{sorted(metrics.columns)}. Got {column!r} instead."
        )
    return metrics["gen_iter"].to_numpy(np.int64), median_filter(metrics[column], width)
