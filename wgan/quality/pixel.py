"""Exact Wasserstein-1 distance between generated and real images, in pixel space.

The critic's estimate (3) of the EM distance is only defined up to the unknown Lipschitz
constant K of the clipped critic, and it is measured by the same network that trains the
generator. :func:`pixel_w1` is an independent yardstick: the exact optimal-transport cost
(equation (1) of the paper, Euclidean ground cost) between a batch of generated images and
a batch of *held-out* real images that no run trains on, solved by POT
(:func:`wgan.theory.distances.wasserstein1`).

Units: images are compared as vectors of ``C * H * W`` pixel values in [-1, 1] (the scale
the networks see), so the distance is a Euclidean norm over all pixels. Two finite
samples of the *same* distribution are still a positive distance apart; the notebooks
print that floor (two real sets of the same size) next to every value.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from wgan.theory.distances import wasserstein1


def as_pixels(images: torch.Tensor | ArrayLike, name: str = "images",
              caller: str = "as_pixels") -> np.ndarray:
    """Flatten a batch of images to float64 pixel vectors in [-1, 1].

    Parameters
    ----------
    images : torch.Tensor or array-like of shape (n, C, H, W)
        uint8 in [0, 255] (the data cache's format, mapped by ``x / 127.5 - 1`` as in
        :class:`wgan.training.batches.TensorBatches`) or floats on the networks' [-1, 1] scale.
        Floats are clamped to [-1, 1]: the images as they are displayed and saved (the
        MLP generator has no final Tanh and can leave the range).
    name, caller : str
        Used in error messages.

    Returns
    -------
    numpy.ndarray of shape (n, C * H * W), float64

    Raises
    ------
    ValueError
        If the batch is not 4-dimensional and non-empty, or holds non-finite values.
    """
    if isinstance(images, torch.Tensor):
        images = images.detach().cpu().numpy()
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[0] == 0:
        raise ValueError(
            f"The '{name}' parameter of {caller} must be a non-empty batch of images of shape "
            f"(n, C, H, W). Got shape {array.shape} instead."
        )
    if array.dtype == np.uint8:
        pixels = array.astype(np.float64) / 127.5 - 1.0
    else:
        pixels = array.astype(np.float64)
        if not np.all(np.isfinite(pixels)):
            raise ValueError(
                f"The '{name}' parameter of {caller} holds non-finite values (a diverged "
                "generator?). Measure only finite images."
            )
        pixels = np.clip(pixels, -1.0, 1.0)
    return pixels.reshape(len(pixels), -1)


def pixel_w1(generated: torch.Tensor | ArrayLike, real: torch.Tensor | ArrayLike) -> float:
    """Exact W1 between two batches of images, with the Euclidean distance over all pixels.

    Parameters
    ----------
    generated : torch.Tensor or array-like of shape (n, C, H, W)
        Generated images (floats in [-1, 1], clamped) or uint8 images.
    real : torch.Tensor or array-like of shape (m, C, H, W)
        Real images, normally the held-out split (``load_images(..., split="heldout")``).

    Returns
    -------
    float
        The optimal-transport cost between the two uniform empirical distributions, in
        pixel units of the [-1, 1] scale (at most ``2 * sqrt(C * H * W)``).

    Raises
    ------
    ValueError
        If either batch is malformed or their image shapes differ.

    Notes
    -----
    The solver is exact (network simplex): O(n^3) time, so keep n and m to a few
    thousand. The empirical distance is biased upwards by the sampling error; compare
    values at equal n and m.
    """
    x = as_pixels(generated, "generated", "pixel_w1")
    y = as_pixels(real, "real", "pixel_w1")
    if np.shape(generated)[1:] != np.shape(real)[1:]:
        raise ValueError(
            "The 'generated' and 'real' parameters of pixel_w1 must hold images of the same "
            f"shape. Got {tuple(np.shape(generated)[1:])} and {tuple(np.shape(real)[1:])} "
            "instead."
        )
    return wasserstein1(x, y)
