"""The held-out split: real images the generator never trains on, the same for every run.

Which items are held out depends only on the number of source items and on
:data:`SPLIT_SEED`, never on a run's training seed, so every run on a dataset (and every
metric computed against its held-out images) shares one split. The rule:

    n_heldout = min(HELDOUT_MAX, floor(HELDOUT_FRACTION * n))

that is 10% of the items, capped at 10,000 (LSUN's 3,033,042 bedrooms keep all but
10,000 for training; the 1,797 digits hold out 179). The held-out items are a uniformly
random subset drawn with :data:`SPLIT_SEED`.

Changing the item count (another ``limit``, a file added to a folder) gives another
split; the cache key includes the count, so each split is stored with its own data.
"""

from __future__ import annotations

import numpy as np

SPLITS: tuple[str, ...] = ("train", "heldout", "all")
SPLIT_SEED = 20170126  # the paper's arXiv submission date; not a training seed
HELDOUT_FRACTION = 0.1
HELDOUT_MAX = 10_000


def check_split(split: str) -> str:
    """Return ``split`` if it is one of :data:`SPLITS`, else raise ``ValueError``."""
    if split not in SPLITS:
        raise ValueError(
            f"The 'split' parameter of load_images must be one of "
            f"{', '.join(map(repr, SPLITS))}. Got {split!r} instead."
        )
    return split


def heldout_size(n: int) -> int:
    """Number of held-out items among ``n``: 10% rounded down, at most 10,000."""
    if n < 0:
        raise ValueError(f"The item count 'n' must be non-negative. Got {n} instead.")
    return min(HELDOUT_MAX, int(n * HELDOUT_FRACTION))


def split_indices(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Split item indices ``0 .. n-1`` into held-out and training indices.

    Parameters
    ----------
    n : int
        Number of source items.

    Returns
    -------
    heldout : numpy.ndarray of shape (heldout_size(n),), int64
        Sorted indices of the held-out items.
    train : numpy.ndarray of shape (n - heldout_size(n),), int64
        Sorted indices of the remaining items.
    """
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    k = heldout_size(n)
    return np.sort(order[:k]), np.sort(order[k:])
