"""What every image dataset provides to the preprocessing cache.

A source is a numbered list of items (lmdb records, image files, embedded images). The
cache (:mod:`wgan.data.cache`) reads each item in two steps so that decoding can run on
several threads while the source itself is touched by one: :meth:`ImageSource.fetch`
(cheap, calling thread: read the bytes) and :meth:`ImageSource.decode` (costly,
thread-safe: decode, resize, crop).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np


def check_limit(limit: int | None) -> int | None:
    """Return ``limit`` if it is ``None`` or a positive int, else raise."""
    if limit is None:
        return None
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError(
            f"The 'limit' parameter of load_images must be an int or None. "
            f"Got {type(limit).__name__} instead."
        )
    if limit <= 0:
        raise ValueError(
            f"The 'limit' parameter of load_images must be positive (a maximum number of "
            f"images) or None for all of them. Got {limit} instead."
        )
    return limit


class ImageSource(ABC):
    """A numbered list of images, the first ``limit`` of a dataset's items.

    Parameters
    ----------
    available : int
        Number of items the dataset holds.
    limit : int or None
        Use only the first ``limit`` items (all when ``None``).

    Attributes
    ----------
    dataset : str
        The dataset name of :data:`wgan.data.DATASETS`.
    channels : int
        Channels of every decoded image (1 grey, 3 RGB).
    """

    dataset: str
    channels: int

    def __init__(self, available: int, limit: int | None) -> None:
        self.available = available
        self.limit = check_limit(limit)

    def __len__(self) -> int:
        """Number of items used: the first ``limit`` of those available."""
        return self.available if self.limit is None else min(self.available, self.limit)

    @abstractmethod
    def describe(self) -> str:
        """Where the items come from, for messages (e.g. ``lmdb '/data/bedroom_train_lmdb'``)."""

    @abstractmethod
    def fingerprint(self) -> dict[str, Any]:
        """JSON-able facts that change when the items change (path, entry count, versions)."""

    @abstractmethod
    def fetch(self, index: int) -> Any:
        """Read item ``index`` (cheap; called from one thread only)."""

    @abstractmethod
    def decode(self, raw: Any, image_size: int) -> np.ndarray:
        """Turn what :meth:`fetch` returned into an array of shape (channels, size, size).

        Thread-safe. Raises :class:`wgan.data.images.BadImageError` for an unusable item.
        """

    def close(self) -> None:
        """Release files or handles the source holds (nothing by default)."""
        return None

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
