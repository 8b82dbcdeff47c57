"""The fixed held-out split (wgan.data.split) and its use by load_images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wgan.data import load_images
from wgan.data.split import HELDOUT_MAX, check_split, heldout_size, split_indices


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, 0), (9, 0), (10, 1), (32, 3), (1_797, 179), (5_000, 500),
     (100_000, 10_000), (3_033_042, 10_000)],
)
def test_heldout_size_is_a_tenth_rounded_down_capped_at_10000(n: int, expected: int) -> None:
    assert heldout_size(n) == expected
    assert heldout_size(n) == min(HELDOUT_MAX, n // 10)


def test_heldout_size_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match=r"The item count 'n' must be non-negative\. Got -1"):
        heldout_size(-1)


@pytest.mark.parametrize("n", [1, 10, 1_797, 123_457])
def test_split_is_disjoint_sorted_and_covers_every_item(n: int) -> None:
    heldout, train = split_indices(n)
    assert len(heldout) == heldout_size(n) and len(train) == n - heldout_size(n)
    assert not set(heldout.tolist()) & set(train.tolist())
    np.testing.assert_array_equal(np.sort(np.concatenate([heldout, train])), np.arange(n))
    assert (np.diff(heldout) > 0).all() and (np.diff(train) > 0).all()


def test_split_is_reproducible_and_ignores_the_global_seeds() -> None:
    first = split_indices(1_797)
    torch.manual_seed(1)
    np.random.default_rng(2)
    second = split_indices(1_797)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_split_is_not_the_first_items() -> None:
    heldout, _ = split_indices(1_000)
    assert heldout.max() > 500 and heldout.min() < 500


def test_check_split_names_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"The 'split' parameter of load_images must be one of "
                       r"'train', 'heldout', 'all'\. Got 'test' instead\."):
        check_split("test")


def test_loaded_heldout_and_train_images_partition_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path))
    every = load_images("digits", image_size=8, split="all", limit=200)
    heldout = load_images("digits", image_size=8, split="heldout", limit=200)
    train = load_images("digits", image_size=8, split="train", limit=200)
    assert len(heldout) == 20 and len(train) == 180
    assert torch.equal(torch.cat([heldout, train]), every)
