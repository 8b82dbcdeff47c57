"""Mode-collapse metrics for a mixture of Gaussians (Section 4.1, Figure 2).

The mode-collapse literature that followed Metz et al. (2016) scores a generator on a
mixture of well-separated Gaussians with two counts, both built on one rule: a sample
*belongs* to a mode when it lies within ``n_sigma`` standard deviations (3 by default) of
that mode's mean.

- :func:`mode_counts`: how many samples belong to each mode.
- :func:`modes_covered`: how many modes hold at least ``min_samples`` samples. The
  threshold is stated with every result because the count depends on it: one stray
  sample per mode is not coverage.
- :func:`high_quality_fraction`: the fraction of samples that belong to some mode.
- :func:`mode_shares`: the fraction of samples nearest to each mode, at any distance: a
  mode nobody lands near is dropped (mode collapse), however blurred the rest is.
- :func:`radial_error`: mean distance of the samples from the ring's circle, the
  "low dimensional structure" Figure 2's caption says the WGAN learns first.
- :func:`mixture_metrics`: modes covered, high-quality fraction and smallest share, plus
  the exact Wasserstein-1 distance between the generated and a real sample
  (:func:`wgan.theory.distances.wasserstein1`), which also sees *how much* mass each mode gets
  and how far the off-mode samples are.

The defaults are the ring of Figure 2 (:func:`wgan.theory.toy.gaussian_ring`: 8 modes on a
circle of radius 2, standard deviation 0.02), so 3 sigma is a disc of radius 0.06 around
each mean; neighbouring means are 4 sin(pi/8) = 1.53 apart, so the discs never overlap.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.1, Figure 2.
.. [2] Metz, Poole, Pfau & Sohl-Dickstein, "Unrolled Generative Adversarial Networks",
   2016 (the ring of 8 Gaussians).
.. [3] Srivastava, Valkov, Russell, Gutmann & Sutton, "VEEGAN", NeurIPS 2017 (modes
   captured and high-quality samples within 3 standard deviations of a mode).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from numpy.typing import ArrayLike

from wgan.theory.distances import wasserstein1
from wgan.theory.toy import ring_means

RING_STD = 0.02  # standard deviation of each mode of the ring (wgan.theory.toy.gaussian_ring)
N_SIGMA = 3.0  # a sample belongs to a mode within this many standard deviations of its mean


def _as_points(x: ArrayLike | torch.Tensor, name: str, caller: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    array = np.asarray(x, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(
            f"The '{name}' parameter of {caller} must be a non-empty array of shape (n, d). "
            f"Got shape {array.shape} instead."
        )
    return array


def _check_positive(name: str, value: float, caller: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(
            f"The '{name}' parameter of {caller} must be a positive number. "
            f"Got {value!r} instead."
        )


def mode_counts(
    samples: ArrayLike | torch.Tensor,
    means: ArrayLike | torch.Tensor | None = None,
    std: float = RING_STD,
    *,
    n_sigma: float = N_SIGMA,
) -> np.ndarray:
    """Number of samples within ``n_sigma * std`` of each mode's mean.

    Each sample is assigned to its nearest mean and counted there if it is at most
    ``n_sigma * std`` away (Euclidean distance). Samples farther from every mean, and
    non-finite samples (a diverged generator), are counted nowhere.

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, d)
        Generated (or real) samples.
    means : array-like or torch.Tensor of shape (k, d), default=None
        Means of the modes; ``None`` is the ring of Figure 2, ``wgan.theory.toy.ring_means()``.
    std : float, default=0.02
        Standard deviation of each (isotropic) mode, in the samples' units.
    n_sigma : float, default=3.0
        Radius of a mode's disc, in standard deviations.

    Returns
    -------
    numpy.ndarray of shape (k,), int64
        Samples belonging to each mode; the sum is at most n.

    Raises
    ------
    ValueError
        On an empty or non-2-D array, mismatched dimensions, or a non-positive
        ``std`` / ``n_sigma``.

    Examples
    --------
    >>> mode_counts([[2.0, 0.0], [2.01, 0.0], [0.0, 0.0]], [[2.0, 0.0], [-2.0, 0.0]])
    array([2, 0])
    """
    caller = "mode_counts"
    points = _as_points(samples, "samples", caller)
    centres = _as_points(ring_means() if means is None else means, "means", caller)
    if points.shape[1] != centres.shape[1]:
        raise ValueError(
            f"The 'samples' and 'means' parameters of {caller} must have the same dimension "
            f"d. Got samples of shape {points.shape} and means of shape {centres.shape}."
        )
    _check_positive("std", std, caller)
    _check_positive("n_sigma", n_sigma, caller)
    # (n, k) distances from every sample to every mean
    distance = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    finite = np.isfinite(distance).all(axis=1)
    nearest = np.argmin(np.where(finite[:, None], distance, np.inf), axis=1)
    inside = finite & (distance[np.arange(len(points)), nearest] <= n_sigma * std)
    return np.bincount(nearest[inside], minlength=len(centres)).astype(np.int64)


def modes_covered(
    samples: ArrayLike | torch.Tensor,
    means: ArrayLike | torch.Tensor | None = None,
    std: float = RING_STD,
    *,
    n_sigma: float = N_SIGMA,
    min_samples: int = 20,
) -> int:
    """Number of modes holding at least ``min_samples`` samples within ``n_sigma * std``.

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, d)
    means : array-like or torch.Tensor of shape (k, d), default=None
        ``None`` is the ring of Figure 2.
    std : float, default=0.02
    n_sigma : float, default=3.0
    min_samples : int, default=20
        Samples a mode needs to count as covered. With 2,500 samples from the ring, a
        perfect generator puts about 312 in each mode, so 20 is a sixteenth of that.

    Returns
    -------
    int
        Between 0 and k.

    See Also
    --------
    mode_counts : the per-mode counts this thresholds.
    """
    if isinstance(min_samples, bool) or not isinstance(min_samples, int) or min_samples < 1:
        raise ValueError(
            "The 'min_samples' parameter of modes_covered must be a positive int. "
            f"Got {min_samples!r} instead."
        )
    counts = mode_counts(samples, means, std, n_sigma=n_sigma)
    return int(np.count_nonzero(counts >= min_samples))


def high_quality_fraction(
    samples: ArrayLike | torch.Tensor,
    means: ArrayLike | torch.Tensor | None = None,
    std: float = RING_STD,
    *,
    n_sigma: float = N_SIGMA,
) -> float:
    """Fraction of samples within ``n_sigma * std`` of some mode's mean ("high quality").

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, d)
    means : array-like or torch.Tensor of shape (k, d), default=None
        ``None`` is the ring of Figure 2.
    std : float, default=0.02
    n_sigma : float, default=3.0

    Returns
    -------
    float
        In [0, 1]. For samples from the mixture itself (2-D, 3 sigma) it is
        ``1 - exp(-9 / 2) = 0.989``.
    """
    counts = mode_counts(samples, means, std, n_sigma=n_sigma)
    return float(counts.sum() / len(_as_points(samples, "samples", "high_quality_fraction")))


def mode_shares(
    samples: ArrayLike | torch.Tensor, means: ArrayLike | torch.Tensor | None = None
) -> np.ndarray:
    """Fraction of the samples whose nearest mean is each mode, at any distance.

    Unlike :func:`mode_counts` there is no radius: this measures where the mass goes,
    not how sharply. A share of 0 means no sample is even nearest to that mode.

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, d)
    means : array-like or torch.Tensor of shape (k, d), default=None
        ``None`` is the ring of Figure 2.

    Returns
    -------
    numpy.ndarray of shape (k,), float64
        Sums to the fraction of finite samples (1 when all are finite); ``1 / k`` each
        for a perfectly balanced generator.

    Examples
    --------
    >>> mode_shares([[2.0, 0.0], [1.0, 0.1], [-3.0, 0.0], [-2.0, 0.0]],
    ...             [[2.0, 0.0], [-2.0, 0.0]])
    array([0.5, 0.5])
    """
    counts = mode_counts(samples, means, std=1.0, n_sigma=math.inf)
    return counts / len(_as_points(samples, "samples", "mode_shares"))


def radial_error(samples: ArrayLike | torch.Tensor, radius: float = 2.0) -> float:
    """Mean absolute distance of the samples from the circle of ``radius`` at the origin.

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, 2)
    radius : float, default=2.0
        Radius of the ring (:func:`wgan.theory.toy.gaussian_ring`).

    Returns
    -------
    float
        ``mean | ||x|| - radius |`` in coordinate units; ``nan`` if a sample is not finite.
        For the ring itself it is about ``std * sqrt(2 / pi) = 0.016``.
    """
    points = _as_points(samples, "samples", "radial_error")
    if points.shape[1] != 2:
        raise ValueError(
            "The 'samples' parameter of radial_error must hold 2-D points, shape (n, 2). "
            f"Got shape {points.shape} instead."
        )
    _check_positive("radius", radius, "radial_error")
    return float(np.mean(np.abs(np.linalg.norm(points, axis=1) - radius)))


def mixture_metrics(
    samples: ArrayLike | torch.Tensor,
    real: ArrayLike | torch.Tensor,
    means: ArrayLike | torch.Tensor | None = None,
    std: float = RING_STD,
    *,
    n_sigma: float = N_SIGMA,
    min_samples: int = 20,
) -> dict[str, float]:
    """Modes covered, high-quality fraction and exact W1 to a real sample, in one call.

    Parameters
    ----------
    samples : array-like or torch.Tensor of shape (n, d)
        Generated samples.
    real : array-like or torch.Tensor of shape (m, d)
        Samples of the target mixture, for the Wasserstein-1 distance.
    means, std, n_sigma, min_samples
        As in :func:`modes_covered` (defaults: the ring of Figure 2, 3 sigma, 20).

    Returns
    -------
    dict
        ``modes`` (float, for a table of means), ``high_quality`` (fraction),
        ``min_share`` (k times the smallest of :func:`mode_shares`: 1 when every mode gets
        its fair share of the mass, 0 when a mode is dropped) and ``w1`` (exact W1
        between the two empirical distributions, coordinate units; ``nan`` when a
        sample is not finite). Even two samples of the target itself are at a W1 above
        zero: compare with that floor, not with zero.
    """
    points = _as_points(samples, "samples", "mixture_metrics")
    reference = _as_points(real, "real", "mixture_metrics")
    finite = bool(np.isfinite(points).all())
    shares = mode_shares(points, means)
    return {
        "modes": float(
            modes_covered(points, means, std, n_sigma=n_sigma, min_samples=min_samples)
        ),
        "high_quality": high_quality_fraction(points, means, std, n_sigma=n_sigma),
        "min_share": float(len(shares) * shares.min()),
        "w1": wasserstein1(points, reference) if finite else float("nan"),
    }
