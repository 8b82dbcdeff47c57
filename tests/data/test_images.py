"""Decoding and the authors' preprocessing (short side resized, centre crop), wgan.data.images."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest
from torchvision import transforms

from wgan.data.images import BadImageError, decode_image, resize_center_crop


def encode(array: np.ndarray, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def reference_preprocess(image: PIL.Image.Image, size: int) -> np.ndarray:
    """The authors' transforms: torchvision's Resize(size) then CenterCrop(size)."""
    transform = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size)])
    return np.asarray(transform(image.convert("RGB"))).transpose(2, 0, 1)


def centre_and_borders(height: int, width: int) -> np.ndarray:
    """Red centred square of side min(height, width), blue elsewhere; shape (H, W, 3)."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[..., 2] = 255
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    image[top : top + side, left : left + side] = (255, 0, 0)
    return image


@pytest.mark.parametrize(("height", "width"), [(32, 96), (96, 32)])
def test_center_crop_keeps_the_centre_square(height: int, width: int) -> None:
    out = resize_center_crop(PIL.Image.fromarray(centre_and_borders(height, width)), 16)
    assert out.shape == (3, 16, 16)
    red, blue = out[0].astype(int), out[2].astype(int)
    assert (red > blue).all(), "a blue border pixel leaked into the centre crop"
    assert (red[2:-2, 2:-2] == 255).all() and (blue[2:-2, 2:-2] == 0).all()


@pytest.mark.parametrize(
    ("height", "width", "fmt", "size"),
    [
        (40, 40, "JPEG", 16), (37, 61, "WEBP", 16), (64, 23, "JPEG", 16), (50, 75, "PNG", 16),
        (19, 16, "WEBP", 16), (256, 341, "WEBP", 64), (384, 256, "JPEG", 64),
    ],
)
def test_decode_matches_torchvision_resize_and_center_crop(
    height: int, width: int, fmt: str, size: int
) -> None:
    rng = np.random.default_rng(height * width)
    array = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    data = encode(array, fmt)
    expected = reference_preprocess(PIL.Image.open(io.BytesIO(data)), size)
    np.testing.assert_array_equal(decode_image(data, "x", size), expected)


def test_decode_output_is_uint8_channels_first() -> None:
    out = decode_image(encode(centre_and_borders(20, 30), "PNG"), "x", 16)
    assert out.dtype == np.uint8 and out.shape == (3, 16, 16) and out.flags.c_contiguous


@pytest.mark.parametrize("mode", ["L", "RGBA", "P"])
def test_decode_converts_any_mode_to_rgb(mode: str) -> None:
    base = PIL.Image.fromarray(centre_and_borders(24, 24)).convert(mode)
    buffer = io.BytesIO()
    base.save(buffer, format="PNG")
    out = decode_image(buffer.getvalue(), "x", 16)
    assert out.shape == (3, 16, 16)
    if mode == "L":
        np.testing.assert_array_equal(out[0], out[1])


def test_decode_reads_a_file_path(tmp_path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(encode(centre_and_borders(30, 20), "JPEG"))
    np.testing.assert_array_equal(
        decode_image(path, "a", 16), decode_image(path.read_bytes(), "a", 16)
    )


def test_decode_refuses_image_smaller_than_crop_naming_it() -> None:
    data = encode(np.zeros((12, 40, 3), dtype=np.uint8), "PNG")
    with pytest.raises(BadImageError, match=r"Image 'tiny\.png' is 40x12 pixels, smaller than "
                       r"the 16x16 crop\. .*smaller image_size \(at most 12\)"):
        decode_image(data, "'tiny.png'", 16)


def test_decode_refuses_corrupt_data_naming_it() -> None:
    truncated = encode(centre_and_borders(40, 40), "JPEG")[:30]
    with pytest.raises(BadImageError, match=r"Image key7 could not be decoded .*replace or remove"):
        decode_image(truncated, "key7", 16)


def test_bad_image_error_is_a_value_error() -> None:
    assert issubclass(BadImageError, ValueError)
