"""Image datasets by name, decoded once into the preprocessing cache.

:func:`load_images` is the one entry point the trainer uses (through
:func:`wgan.training.batches.real_batches`): it returns uint8 images of shape
``(N, C, image_size, image_size)`` for one split of one dataset of :data:`DATASETS`.

Modules, one job each:

- :mod:`wgan.data.images`   decode one image; the authors' resize + centre crop.
- :mod:`wgan.data.source`   the interface every dataset implements.
- :mod:`wgan.data.lsun`     LSUN lmdb records (and the cached key list).
- :mod:`wgan.data.lsun_sample` a small LSUN-format lmdb of synthetic rooms (tests, dry run).
- :mod:`wgan.data.folder`   a directory tree of images.
- :mod:`wgan.data.embedded` scikit-learn's digits, crops of bundled photographs.
- :mod:`wgan.data.split`    the fixed held-out split.
- :mod:`wgan.data.cache`    the on-disk uint8 cache (atomic, checked, rebuilt if damaged).

How fast the cache serves images against decoding on the fly is measured in
:mod:`wgan.speed.loading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from wgan.data.cache import SkippedImagesWarning, cached_array
from wgan.data.embedded import PHOTO_CROPS, DigitsSource, PhotosSource
from wgan.data.folder import FolderSource
from wgan.data.images import BadImageError
from wgan.data.lsun import LsunSource
from wgan.data.source import ImageSource, check_limit
from wgan.data.split import HELDOUT_FRACTION, HELDOUT_MAX, SPLITS, check_split

__all__ = [
    "DATASETS",
    "SPLITS",
    "BadImageError",
    "DatasetInfo",
    "SkippedImagesWarning",
    "load_images",
    "open_source",
]


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset name stands for.

    Attributes
    ----------
    description : str
        One line for help texts and the book.
    channels : int
        Channels of its images (1 grey, 3 RGB).
    needs_root : bool
        Whether it is read from a path on disk (``root``, ``--dataroot``).
    """

    description: str
    channels: int
    needs_root: bool


DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo(
        "scikit-learn's 1,797 handwritten 8x8 digits, upscaled bilinearly (embedded)", 1, False
    ),
    "photos": DatasetInfo(
        f"{PHOTO_CROPS:,} random square crops of the 8 natural photographs bundled with "
        "scikit-image and scikit-learn (embedded)", 3, False,
    ),
    "folder": DatasetInfo("any directory tree of images (root: the directory)", 3, True),
    "lsun": DatasetInfo(
        "an LSUN scene lmdb as distributed, e.g. bedroom_train (root: the ..._lmdb directory)",
        3, True,
    ),
}

_ROOT_EXAMPLES = {"lsun": ".../bedroom_train_lmdb", "folder": ".../my_images"}


def open_source(name: str, root: str | Path | None = None, limit: int | None = None) -> ImageSource:
    """The items of dataset ``name``, not yet decoded.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    root : str or pathlib.Path or None, default=None
        Path of the dataset on disk, for ``lsun`` and ``folder``; ignored otherwise.
    limit : int or None, default=None
        Use only the first ``limit`` items.

    Raises
    ------
    ValueError
        For an unknown name, a missing root, or a root that cannot be read (see each
        source).
    """
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Known datasets: {', '.join(DATASETS)}. "
            "(Toy distributions such as 'ring8' are sampled by wgan.training.batches, not loaded.)"
        )
    check_limit(limit)
    if DATASETS[name].needs_root and root is None:
        raise ValueError(
            f"The {name!r} dataset is read from disk and needs a root: pass --dataroot "
            f"{_ROOT_EXAMPLES[name]} (root=... in Python) or use --dataset digits, "
            "which is embedded and needs no download."
        )
    if name == "lsun":
        return LsunSource(root, limit)
    if name == "folder":
        return FolderSource(root, limit)
    if name == "digits":
        return DigitsSource(limit)
    return PhotosSource(limit)


def load_images(
    name: str,
    *,
    root: str | Path | None = None,
    image_size: int = 64,
    split: str = "train",
    limit: int | None = None,
    workers: int | None = None,
) -> torch.Tensor:
    """Images of one split of a dataset, from the preprocessing cache (built on first use).

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`: ``digits``, ``photos``, ``folder`` or ``lsun``.
    root : str or pathlib.Path or None, default=None
        Path of the dataset on disk (``lsun``: the ``..._lmdb`` directory; ``folder``: the
        directory of images). Not used by the embedded datasets.
    image_size : int, default=64
        Side of the square images, in pixels: short side resized to it, centre cropped
        (the authors' preprocessing, :mod:`wgan.data.images`).
    split : {"train", "heldout", "all"}, default="train"
        ``heldout`` is a fixed set of real images no run trains on: 10% of the items,
        capped at 10,000, drawn with a seed of its own (:mod:`wgan.data.split`); ``train``
        is the rest; ``all`` is both (held-out images first).
    limit : int or None, default=None
        Use only the first ``limit`` items of the dataset (a subset of LSUN for quick
        runs). Another limit is another cache entry and another split.
    workers : int or None, default=None
        Decoding threads when the cache is built (the CPU count, at most 8, when ``None``).

    Returns
    -------
    torch.Tensor of shape (N, C, image_size, image_size), uint8
        Values in [0, 255]; C is ``DATASETS[name].channels``. The tensor shares memory
        with the cache file, mapped copy-on-write: writing to it changes only this
        process's memory, never the cache; callers should treat it as read-only.

    Raises
    ------
    ValueError
        For an unknown dataset or split, a bad size or limit, a missing root, data that
        cannot be read, or an empty held-out split.
    TypeError
        If ``image_size`` or ``limit`` is not an int.

    Warns
    -----
    SkippedImagesWarning
        When the cache is built and some items could not be used (corrupt, too small).

    Examples
    --------
    >>> images = load_images("digits", image_size=32)  # doctest: +SKIP
    >>> images.shape, images.dtype  # doctest: +SKIP
    (torch.Size([1618, 1, 32, 32]), torch.uint8)
    """
    if not isinstance(image_size, int) or isinstance(image_size, bool):
        raise TypeError(
            f"The 'image_size' parameter of load_images must be an int. "
            f"Got {type(image_size).__name__} instead."
        )
    if image_size <= 0:
        raise ValueError(
            f"The 'image_size' parameter of load_images must be positive. Got {image_size} "
            "instead."
        )
    check_split(split)
    with open_source(name, root, limit) as source:
        images, header = cached_array(source, image_size, workers)
    n_heldout = header["n_heldout"]
    selected = {"train": images[n_heldout:], "heldout": images[:n_heldout], "all": images}
    if len(selected[split]) == 0:
        raise ValueError(
            f"The {name!r} dataset has no {split} images: of its {len(images)} usable images "
            f"{n_heldout} are held out ({HELDOUT_FRACTION:.0%} of the items, rounded down, at "
            f"most {HELDOUT_MAX:,}). Use more images or split='all'."
        )
    return torch.from_numpy(selected[split])
