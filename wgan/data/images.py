"""Decoding one encoded image and bringing it to the square size a run trains at.

The preprocessing is the authors': the short side is resized to ``image_size`` with
PIL's bilinear filter (antialiased: its support widens with the downscaling factor), then
the centre ``image_size x image_size`` square is cropped. This is what torchvision's
``Resize(image_size)`` followed by ``CenterCrop(image_size)`` computes on PIL images, the
transforms their script applies to LSUN (the tests check the two agree pixel for pixel);
it is written with PIL alone so that importing :mod:`wgan.data` does not import
torchvision. The result stays uint8 in [0, 255]; :class:`wgan.training.batches.TensorBatches` maps
it to [-1, 1] (their ``Normalize(mean=0.5, std=0.5)``).

An image whose short side is smaller than ``image_size`` is refused rather than
upscaled: LSUN's images all have a short side of 256 (LSUN README), so a smaller one is
a damaged record or a wrong folder, and upscaling would train on blur.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import PIL.Image


class BadImageError(ValueError):
    """An image (file or lmdb record) that cannot be used: undecodable or too small."""


def resize_center_crop(image: PIL.Image.Image, image_size: int) -> np.ndarray:
    """Resize the short side to ``image_size`` and crop the centre square.

    Parameters
    ----------
    image : PIL.Image.Image
        Any size and mode; converted to RGB (grey, palette and alpha images included,
        alpha is dropped).
    image_size : int
        Side of the output square, in pixels.

    Returns
    -------
    numpy.ndarray of shape (3, image_size, image_size), uint8
        Channels first, values in [0, 255].
    """
    image = image.convert("RGB")
    width, height = image.size
    # The long side is truncated, as torchvision's Resize(int) does.
    if width <= height:
        width, height = image_size, int(image_size * height / width)
    else:
        width, height = int(image_size * width / height), image_size
    image = image.resize((width, height), PIL.Image.BILINEAR)
    top = round((height - image_size) / 2)
    left = round((width - image_size) / 2)
    image = image.crop((left, top, left + image_size, top + image_size))
    return np.asarray(image, dtype=np.uint8).transpose(2, 0, 1).copy()


def decode_image(data: bytes | Path, name: str, image_size: int) -> np.ndarray:
    """Decode an encoded image (JPEG, WebP, PNG, ...) and preprocess it.

    Parameters
    ----------
    data : bytes or pathlib.Path
        The encoded image, or the file holding it.
    name : str
        What to call the image in error messages (a file path or an lmdb key).
    image_size : int
        Side of the output square, in pixels.

    Returns
    -------
    numpy.ndarray of shape (3, image_size, image_size), uint8

    Raises
    ------
    BadImageError
        If the data does not decode as an image, or its short side is below
        ``image_size``. The message names the image and says what to do.
    """
    try:
        with PIL.Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
            image.load()
            width, height = image.size
            if min(width, height) < image_size:
                raise BadImageError(
                    f"Image {name} is {width}x{height} pixels, smaller than the "
                    f"{image_size}x{image_size} crop. Remove it from the dataset or use a "
                    f"smaller image_size (at most {min(width, height)})."
                )
            return resize_center_crop(image, image_size)
    except BadImageError:
        raise
    except (OSError, SyntaxError, ValueError, PIL.Image.DecompressionBombError) as err:
        raise BadImageError(
            f"Image {name} could not be decoded ({type(err).__name__}: {err}). "
            "The file or record is corrupt or not an image: replace or remove it."
        ) from err
