"""A small lmdb in the format of LSUN's ``bedroom_train_lmdb``, of synthetic rooms.

For the tests and for the paper scale's dry run (``make execute SCALE=paper DRY_RUN=1``),
which need an lmdb that :mod:`wgan.data.lsun` reads exactly as it reads the released one:
keys of 40 hex characters (LSUN's ids are SHA-1 digests), values that are encoded images,
mostly WebP as in the released files and some JPEG as LSUN's README describes, of varied
sizes and aspect ratios (landscape and portrait, up to 2.5:1). The pictures are drawn,
not photographed: a wall, a floor, a window and a bed in random colours and places, with
pixel noise, so that a generator has something to fit; they stand in for bedrooms only in
format.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import PIL.Image

from wgan.data.lsun import write_lsun_lmdb

JPEG_EVERY = 4  # every 4th record is a JPEG, the others WebP
SHORT_SIDE = (64, 160)  # pixels, inclusive range of the short side
LONG_RATIO = (1.0, 2.5)  # long side / short side


def lsun_key(i: int) -> bytes:
    """The key of record ``i``: 40 hex characters, like LSUN's image ids."""
    return hashlib.sha1(f"image {i}".encode()).hexdigest().encode()


def encode_image(array: np.ndarray, fmt: str) -> bytes:
    """``array`` of shape (H, W, 3), uint8, encoded as ``fmt`` (``"WEBP"``, ``"JPEG"``)."""
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def synthetic_room(rng: np.random.Generator) -> np.ndarray:
    """One drawn room of random size and aspect ratio.

    Returns
    -------
    numpy.ndarray of shape (H, W, 3), uint8
        The short side in :data:`SHORT_SIDE`, the long side up to ``LONG_RATIO[1]`` times
        it, landscape or portrait with equal odds.
    """
    short = int(rng.integers(SHORT_SIDE[0], SHORT_SIDE[1] + 1))
    long = int(short * rng.uniform(*LONG_RATIO))
    height, width = (short, long) if rng.random() < 0.5 else (long, short)
    wall, floor, window, bed = rng.integers(0, 256, size=(4, 3))
    image = np.empty((height, width, 3), dtype=np.float32)
    horizon = int(height * rng.uniform(0.5, 0.75))
    image[:horizon] = wall
    image[horizon:] = floor
    top, left = int(height * rng.uniform(0.1, 0.3)), int(width * rng.uniform(0.05, 0.6))
    image[top:top + height // 4, left:left + width // 4] = window
    bed_top, bed_left = int(height * rng.uniform(0.45, 0.65)), int(width * rng.uniform(0, 0.5))
    image[bed_top:bed_top + height // 3, bed_left:bed_left + width // 2] = bed
    image += rng.normal(0.0, 12.0, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_sample_lmdb(path: str | Path, n_images: int, seed: int = 0) -> Path:
    """Write ``n_images`` synthetic rooms as a new lmdb in LSUN's layout at ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        Directory to create, e.g. ``.../bedroom_train_lmdb`` (parents included); must not
        hold an lmdb yet.
    n_images : int
        Records to write; positive.
    seed : int, default=0
        Seed of the drawings, sizes and formats.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If ``n_images`` is not positive or ``path`` already holds an lmdb.
    """
    if isinstance(n_images, bool) or not isinstance(n_images, int) or n_images < 1:
        raise ValueError(
            "The 'n_images' parameter of write_sample_lmdb must be a positive int. "
            f"Got {n_images!r} instead."
        )
    path = Path(path)
    if (path / "data.mdb").exists():
        raise ValueError(
            f"The 'path' parameter of write_sample_lmdb must not hold an lmdb yet. Got "
            f"{str(path)!r}, which holds data.mdb: delete it first."
        )
    rng = np.random.default_rng(seed)
    records = (
        (lsun_key(i), encode_image(synthetic_room(rng), "JPEG" if i % JPEG_EVERY == 0 else "WEBP"))
        for i in range(n_images)
    )
    # Written beside, then renamed: an interrupted write leaves no lmdb that looks complete.
    partial = path.with_name(f".{path.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    write_lsun_lmdb(partial, records)
    shutil.rmtree(path, ignore_errors=True)
    partial.rename(path)
    return path
