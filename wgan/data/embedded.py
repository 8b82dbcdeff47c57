"""Real images that ship inside packages the project already installs: no download, ever.

(scikit-learn and scikit-image are imported when these datasets are used, not with
:mod:`wgan.data`: they take seconds to import.)

They stand in for LSUN at the smoke and quick scales, where a notebook must train in
seconds or minutes on a laptop CPU and cannot assume a 43 GB download.

``digits``
    scikit-learn's 1,797 handwritten digits (``sklearn.datasets.load_digits``: 8x8
    pixels, 17 grey levels 0..16, from the UCI optical-recognition set). Grey levels are
    mapped linearly to [0, 255] and the images upscaled to ``image_size`` with bilinear
    interpolation (``torch.nn.functional.interpolate``, ``align_corners=False``; bilinear
    rather than bicubic because it cannot overshoot [0, 255]). One channel.
``photos``
    :data:`PHOTO_CROPS` = 5,000 square crops of the eight natural colour photographs
    bundled with scikit-image (astronaut, coffee, chelsea the cat, rocket, the left and
    right motorcycle stereo views) and scikit-learn (``load_sample_images``: china,
    flower), all of which load offline from the installed wheels. Each crop takes a
    photograph uniformly at random, a side of U[0.25, 1] times the photograph's short
    side, a uniformly random position and a horizontal flip with probability 1/2, all
    drawn from :data:`PHOTO_CROP_SEED`; it is then resized to ``image_size`` (bilinear,
    antialiased, as for LSUN). Three channels. The crops overlap heavily, so the
    held-out crops are not independent of the training crops: a held-out metric on
    ``photos`` measures fit to these eight scenes, not generalisation.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import numpy as np
import PIL.Image
import torch

from wgan.data.images import resize_center_crop
from wgan.data.source import ImageSource

PHOTO_CROPS = 5_000
PHOTO_CROP_SEED = 1_701
CROP_FRACTION = (0.25, 1.0)
# (package, name): scikit-image functions and scikit-learn sample-image file names.
PHOTOS: tuple[tuple[str, str], ...] = (
    ("skimage", "astronaut"),
    ("skimage", "coffee"),
    ("skimage", "chelsea"),
    ("skimage", "rocket"),
    ("skimage", "motorcycle_left"),
    ("skimage", "motorcycle_right"),
    ("sklearn", "china.jpg"),
    ("sklearn", "flower.jpg"),
)


def upscale_digit(image: np.ndarray, image_size: int) -> np.ndarray:
    """Map an 8x8 digit with grey levels 0..16 to a uint8 image of side ``image_size``.

    Parameters
    ----------
    image : numpy.ndarray of shape (8, 8)
        Grey levels in [0, 16] (``load_digits().images[i]``).
    image_size : int
        Output side in pixels (bilinear, ``align_corners=False``; antialiased when
        shrinking).

    Returns
    -------
    numpy.ndarray of shape (1, image_size, image_size), uint8
    """
    grey = torch.as_tensor(image, dtype=torch.float32)[None, None] * (255.0 / 16.0)
    resized = torch.nn.functional.interpolate(
        grey, size=(image_size, image_size), mode="bilinear", align_corners=False,
        antialias=image_size < grey.shape[-1],
    )
    return resized[0].round().clamp(0, 255).to(torch.uint8).numpy()


def load_photos() -> list[np.ndarray]:
    """The photographs of :data:`PHOTOS`, as arrays of shape (H, W, 3), uint8."""
    import skimage.data
    from sklearn.datasets import load_sample_images

    samples = load_sample_images()
    by_file = {path.rsplit("/", 1)[-1]: image for path, image in
               zip(samples.filenames, samples.images, strict=True)}
    left, right, _ = skimage.data.stereo_motorcycle()
    extra = {"motorcycle_left": left, "motorcycle_right": right}
    photos = []
    for package, name in PHOTOS:
        if package == "sklearn":
            photos.append(by_file[name])
        else:
            photos.append(extra[name] if name in extra else getattr(skimage.data, name)())
    return [np.ascontiguousarray(photo[..., :3], dtype=np.uint8) for photo in photos]


def crop_boxes(shapes: list[tuple[int, int]], count: int = PHOTO_CROPS) -> np.ndarray:
    """Where the crops of ``photos`` lie, drawn once from :data:`PHOTO_CROP_SEED`.

    Parameters
    ----------
    shapes : list of (int, int)
        Height and width of each photograph, in pixels.
    count : int, default=PHOTO_CROPS
        Number of crops.

    Returns
    -------
    numpy.ndarray of shape (count, 5), int64
        Columns: photograph index, top row, left column, side (pixels), flip (0 or 1).
    """
    rng = np.random.default_rng(PHOTO_CROP_SEED)
    heights, widths = np.array(shapes, dtype=np.int64).T
    photo = rng.integers(len(shapes), size=count)
    short = np.minimum(heights, widths)[photo]
    side = np.rint(short * rng.uniform(*CROP_FRACTION, size=count)).astype(np.int64)
    top = np.floor(rng.random(count) * (heights[photo] - side + 1)).astype(np.int64)
    left = np.floor(rng.random(count) * (widths[photo] - side + 1)).astype(np.int64)
    flip = rng.integers(2, size=count)
    return np.stack([photo, top, left, side, flip], axis=1)


class DigitsSource(ImageSource):
    """scikit-learn's handwritten digits, one grey channel.

    Parameters
    ----------
    limit : int or None, default=None
        Use only the first ``limit`` digits.
    """

    dataset = "digits"
    channels = 1

    def __init__(self, limit: int | None = None) -> None:
        from sklearn.datasets import load_digits

        self.images = load_digits().images
        super().__init__(len(self.images), limit)

    def describe(self) -> str:
        return "scikit-learn's digits"

    def fingerprint(self) -> dict[str, Any]:
        return {"sklearn": version("scikit-learn"), "digits": self.available}

    def fetch(self, index: int) -> np.ndarray:
        return self.images[index]

    def decode(self, raw: np.ndarray, image_size: int) -> np.ndarray:
        return upscale_digit(raw, image_size)


class PhotosSource(ImageSource):
    """Random square crops of the photographs bundled with scikit-image and scikit-learn.

    Parameters
    ----------
    limit : int or None, default=None
        Use only the first ``limit`` of the :data:`PHOTO_CROPS` crops.
    """

    dataset = "photos"
    channels = 3

    def __init__(self, limit: int | None = None) -> None:
        super().__init__(PHOTO_CROPS, limit)
        self._photos: list[np.ndarray] | None = None
        self._boxes: np.ndarray | None = None

    def describe(self) -> str:
        return "the photographs bundled with scikit-image and scikit-learn"

    def fingerprint(self) -> dict[str, Any]:
        return {
            "skimage": version("scikit-image"), "sklearn": version("scikit-learn"),
            "photos": [name for _, name in PHOTOS], "crops": PHOTO_CROPS,
            "seed": PHOTO_CROP_SEED, "fraction": list(CROP_FRACTION),
        }

    def fetch(self, index: int) -> np.ndarray:
        if self._photos is None:
            self._photos = load_photos()
            self._boxes = crop_boxes([photo.shape[:2] for photo in self._photos])
        photo, top, left, side, flip = self._boxes[index]
        region = self._photos[photo][top : top + side, left : left + side]
        return region[:, ::-1] if flip else region

    def decode(self, raw: np.ndarray, image_size: int) -> np.ndarray:
        return resize_center_crop(PIL.Image.fromarray(np.ascontiguousarray(raw)), image_size)
