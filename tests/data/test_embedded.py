"""The embedded datasets (wgan.data.embedded): scikit-learn's digits, bundled photographs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from skimage.transform import resize
from sklearn.datasets import load_digits

from wgan.data import DATASETS, embedded, load_images
from wgan.data.embedded import (
    CROP_FRACTION,
    PHOTO_CROPS,
    PHOTOS,
    PhotosSource,
    crop_boxes,
    load_photos,
    upscale_digit,
)
from wgan.data.split import split_indices


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


def test_digit_at_native_size_is_its_grey_levels_scaled_to_255() -> None:
    digit = load_digits().images[5]
    expected = np.rint(digit * 255 / 16).astype(np.uint8)[None]
    np.testing.assert_array_equal(upscale_digit(digit, 8), expected)


def test_digit_upscaling_matches_skimage_bilinear() -> None:
    digit = load_digits().images[7] * (255 / 16)
    ours = upscale_digit(load_digits().images[7], 32)[0].astype(float)
    # order=1 with half-pixel centres and edge clamping is bilinear, align_corners=False.
    theirs = resize(digit, (32, 32), order=1, mode="edge", anti_aliasing=False)
    assert np.abs(ours - theirs).max() <= 0.5 + 1e-4


def test_constant_digit_stays_constant_when_upscaled() -> None:
    out = upscale_digit(np.full((8, 8), 16.0), 24)
    assert out.shape == (1, 24, 24) and (out == 255).all()


def test_digits_load_as_one_channel_images_in_their_split(cache) -> None:
    train = load_images("digits", image_size=16)
    heldout = load_images("digits", image_size=16, split="heldout")
    assert train.shape == (1618, 1, 16, 16) and heldout.shape == (179, 1, 16, 16)
    assert DATASETS["digits"].channels == 1
    digits = load_digits().images
    heldout_index, train_index = split_indices(len(digits))
    np.testing.assert_array_equal(
        heldout.numpy(), np.stack([upscale_digit(digits[i], 16) for i in heldout_index])
    )
    np.testing.assert_array_equal(
        train.numpy()[:50], np.stack([upscale_digit(digits[i], 16) for i in train_index[:50]])
    )


def test_photos_all_load_offline_as_rgb() -> None:
    photos = load_photos()
    assert len(photos) == len(PHOTOS) == 8
    for photo in photos:
        assert photo.ndim == 3 and photo.shape[2] == 3 and photo.dtype == np.uint8
        assert min(photo.shape[:2]) >= 300 and photo.std() > 20


def test_crop_boxes_lie_inside_their_photo_with_sides_in_range() -> None:
    shapes = [photo.shape[:2] for photo in load_photos()]
    boxes = crop_boxes(shapes)
    assert boxes.shape == (PHOTO_CROPS, 5)
    heights, widths = np.array(shapes).T
    photo, top, left, side, flip = boxes.T
    short = np.minimum(heights, widths)[photo]
    assert (top >= 0).all() and (left >= 0).all()
    assert (top + side <= heights[photo]).all() and (left + side <= widths[photo]).all()
    assert (side >= np.floor(CROP_FRACTION[0] * short)).all() and (side <= short).all()
    assert set(np.unique(photo)) == set(range(8)) and set(np.unique(flip)) == {0, 1}


def test_crop_boxes_are_fixed_by_their_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = [(300, 400), (500, 500)]
    first = crop_boxes(shapes, 50)
    np.testing.assert_array_equal(first, crop_boxes(shapes, 50))
    monkeypatch.setattr(embedded, "PHOTO_CROP_SEED", embedded.PHOTO_CROP_SEED + 1)
    assert (crop_boxes(shapes, 50) != first).any()


def test_photo_crop_is_the_resized_flipped_region() -> None:
    source = PhotosSource(limit=40)
    photos = load_photos()
    boxes = crop_boxes([p.shape[:2] for p in photos])
    for index in (int(np.argmax(boxes[:40, 4])), int(np.argmin(boxes[:40, 4]))):
        photo, top, left, side, flip = boxes[index]
        region = photos[photo][top : top + side, left : left + side]
        region = region[:, ::-1] if flip else region
        expected = PIL.Image.fromarray(np.ascontiguousarray(region)).resize((16, 16),
                                                                             PIL.Image.BILINEAR)
        np.testing.assert_array_equal(
            source.decode(source.fetch(index), 16), np.asarray(expected).transpose(2, 0, 1)
        )


def test_photos_limit_loads_rgb_crops(cache) -> None:
    images = load_images("photos", image_size=16, split="all", limit=60)
    assert images.shape == (60, 3, 16, 16) and DATASETS["photos"].channels == 3
    assert len({image.tobytes() for image in images.numpy()}) == 60


@pytest.mark.slow
def test_photos_full_set_holds_out_a_tenth(cache) -> None:
    train = load_images("photos", image_size=16)
    heldout = load_images("photos", image_size=16, split="heldout")
    assert len(train) == 4_500 and len(heldout) == 500
