"""The load_images contract (wgan.data): names, arguments and their error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import PIL.Image
import pytest
import torch

from wgan.data import DATASETS, load_images, open_source


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


def test_datasets_name_the_four_image_sources() -> None:
    assert list(DATASETS) == ["digits", "photos", "folder", "lsun"]
    assert {name: info.channels for name, info in DATASETS.items()} == {
        "digits": 1, "photos": 3, "folder": 3, "lsun": 3,
    }
    assert [name for name, info in DATASETS.items() if info.needs_root] == ["folder", "lsun"]


def test_load_images_returns_uint8_nchw_of_the_requested_size() -> None:
    images = load_images("digits", image_size=12, limit=30)
    assert isinstance(images, torch.Tensor) and images.dtype == torch.uint8
    assert images.shape == (27, DATASETS["digits"].channels, 12, 12)


def test_unknown_dataset_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown dataset 'lsnu'\. Known datasets: digits, "
                       r"photos, folder, lsun\."):
        load_images("lsnu")


def test_lsun_without_root_says_what_to_pass() -> None:
    with pytest.raises(ValueError, match=r"The 'lsun' dataset is read from disk and needs a root: "
                       r"pass --dataroot \.\.\./bedroom_train_lmdb \(root=\.\.\. in Python\) or "
                       r"use --dataset digits"):
        load_images("lsun")


def test_folder_without_root_says_what_to_pass() -> None:
    with pytest.raises(ValueError, match=r"The 'folder' dataset is read from disk and needs a "
                       r"root: pass --dataroot \.\.\./my_images"):
        open_source("folder")


@pytest.mark.parametrize("split", ["test", "val", ""])
def test_unknown_split_is_refused(split: str) -> None:
    with pytest.raises(ValueError, match=rf"The 'split' parameter of load_images must be one of "
                       rf"'train', 'heldout', 'all'\. Got '{split}' instead\."):
        load_images("digits", split=split)


@pytest.mark.parametrize("size", [0, -16])
def test_non_positive_image_size_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match=rf"The 'image_size' parameter of load_images must be "
                       rf"positive\. Got {size} instead\."):
        load_images("digits", image_size=size)


@pytest.mark.parametrize("size", [64.0, "64", True])
def test_non_int_image_size_is_refused(size: object) -> None:
    with pytest.raises(TypeError, match=rf"The 'image_size' parameter of load_images must be an "
                       rf"int\. Got {type(size).__name__} instead\."):
        load_images("digits", image_size=size)  # type: ignore[arg-type]


def test_non_positive_limit_is_refused() -> None:
    with pytest.raises(ValueError, match=r"The 'limit' parameter of load_images must be positive "
                       r"\(a maximum number of images\) or None for all of them\. Got 0 instead\."):
        load_images("digits", limit=0)


def test_non_int_limit_is_refused() -> None:
    with pytest.raises(TypeError, match=r"The 'limit' parameter of load_images must be an int or "
                       r"None\. Got float instead\."):
        load_images("digits", limit=2.5)  # type: ignore[arg-type]


def test_too_few_images_for_a_heldout_split_says_so(tmp_path: Path) -> None:
    for i in range(4):
        PIL.Image.fromarray(np.full((16, 16, 3), i, dtype=np.uint8)).save(tmp_path / f"{i}.png")
    assert len(load_images("folder", root=tmp_path, image_size=8)) == 4
    with pytest.raises(ValueError, match=r"The 'folder' dataset has no heldout images: of its 4 "
                       r"usable images 0 are held out \(10% of the items, rounded down, at most "
                       r"10,000\)\. Use more images or split='all'\."):
        load_images("folder", root=tmp_path, image_size=8, split="heldout")


def test_embedded_datasets_ignore_root(tmp_path: Path) -> None:
    images = load_images("digits", root=tmp_path / "unused", image_size=8, limit=20)
    assert images.shape == (18, 1, 8, 8)
