"""Trivial generators: the baselines every sample-quality number is read against.

A measure of sample quality is only worth trusting if it ranks generators that no one
would call good below real data. :func:`trivial_samples` draws ``n`` images from each of
them, built from the training images alone (no network):

``real digits (floor)``
    ``n`` real training images: what a perfect generator scores at this sample size.
``Gaussian, data moments``
    A Gaussian with the training images' mean and full pixel covariance (a blur that
    matches the first two moments exactly).
``Gaussian per class``
    One such Gaussian per digit class, mixed in the classes' proportions (only with
    labels): a stronger blur, which no measure here was shown during its training.
``mean image``
    The mean training image, ``n`` times.
``one digit repeated``
    One real training image, ``n`` times: total collapse with a perfect sample.
``uniform grey``
    Every pixel at the middle of the range (0 on the [-1, 1] scale).
``uniform noise``
    Every pixel uniform in [-1, 1], independently.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from wgan.quality.pixel import as_pixels

FLOOR = "real digits (floor)"
GAUSSIAN = "Gaussian, data moments"
CLASS_GAUSSIAN = "Gaussian per class"
MEAN_IMAGE = "mean image"
ONE_DIGIT = "one digit repeated"
GREY = "uniform grey"
NOISE = "uniform noise"

TRIVIAL: tuple[str, ...] = (FLOOR, GAUSSIAN, CLASS_GAUSSIAN, MEAN_IMAGE, ONE_DIGIT, GREY, NOISE)
"""The trivial generators, best first as a reader would rank them (the floor, then blurs,
then collapsed and empty generators)."""


def moment_matched_gaussian(images: torch.Tensor, n: int, generator: torch.Generator
                            ) -> torch.Tensor:
    """``n`` draws of a Gaussian with the mean and full covariance of ``images``' pixels.

    Parameters
    ----------
    images : torch.Tensor of shape (m, C, H, W)
        uint8 or floats in [-1, 1]; ``m >= 2``.
    n : int
    generator : torch.Generator
        CPU source of randomness.

    Returns
    -------
    torch.Tensor of shape (n, C, H, W), float32, clamped to [-1, 1]
    """
    pixels = torch.from_numpy(as_pixels(images, "images", "moment_matched_gaussian"))
    if len(pixels) < 2:
        raise ValueError(
            "The 'images' parameter of moment_matched_gaussian must hold at least 2 images "
            f"(a covariance needs two). Got {len(pixels)} instead."
        )
    mean = pixels.mean(0)
    centred = (pixels - mean) / math.sqrt(len(pixels) - 1)
    # The covariance is centred.T @ centred, so mean + centred.T @ z with z ~ N(0, I_m) has
    # exactly the data's mean and covariance: no d x d matrix is ever formed or factorised
    # (d = 12,288 pixels at 64x64 in colour), and the digits' singular covariance (border
    # pixels never change) needs no care.
    z = torch.randn(n, len(pixels), generator=generator, dtype=torch.float64)
    draws = mean + z @ centred
    return draws.clamp(-1, 1).float().reshape(n, *images.shape[1:])


def trivial_samples(train: torch.Tensor, n: int, *, labels: torch.Tensor | None = None,
                    seed: int = 0) -> dict[str, torch.Tensor]:
    """``n`` images from each trivial generator of :data:`TRIVIAL`.

    Parameters
    ----------
    train : torch.Tensor of shape (N, C, H, W), uint8
        The training images (never the held-out reference the measures compare against).
    n : int
        Images per generator; at most ``N`` (the floor draws without replacement).
    labels : torch.Tensor of shape (N,) or None, default=None
        Class labels of ``train``; ``Gaussian per class`` is left out without them.
    seed : int, default=0
        Seed of every draw.

    Returns
    -------
    dict of str to torch.Tensor of shape (n, C, H, W), float32 in [-1, 1]
        Keyed by the names of :data:`TRIVIAL`, in its order.
    """
    if not isinstance(n, int) or not 2 <= n <= len(train):
        raise ValueError(
            f"The 'n' parameter of trivial_samples must be an int in [2, {len(train)}] (the "
            f"training images available). Got {n!r} instead."
        )
    if labels is not None and len(labels) != len(train):
        raise ValueError(
            f"The 'labels' parameter of trivial_samples must hold one label per training "
            f"image ({len(train)}). Got {len(labels)} instead."
        )
    generator = torch.Generator().manual_seed(seed)
    shape = train.shape[1:]
    real = torch.from_numpy(as_pixels(train, "train", "trivial_samples")).float()
    real = real.reshape(len(train), *shape)
    index = torch.from_numpy(np.random.default_rng(seed).choice(len(train), n, replace=False))
    samples = {FLOOR: real[index], GAUSSIAN: moment_matched_gaussian(train, n, generator)}
    if labels is not None:
        classes = labels[torch.randint(0, len(labels), (n,), generator=generator)]
        mixture = torch.empty(n, *shape)
        for label in classes.unique():
            chosen = classes == label
            mixture[chosen] = moment_matched_gaussian(train[labels == label],
                                                      int(chosen.sum()), generator)
        samples[CLASS_GAUSSIAN] = mixture
    samples[MEAN_IMAGE] = real.mean(0, keepdim=True).expand(n, *shape).clone()
    one = int(torch.randint(0, len(train), (1,), generator=generator))
    samples[ONE_DIGIT] = real[one : one + 1].expand(n, *shape).clone()
    samples[GREY] = torch.zeros(n, *shape)
    samples[NOISE] = torch.rand(n, *shape, generator=generator) * 2 - 1
    return samples
