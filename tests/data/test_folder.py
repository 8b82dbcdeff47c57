"""A directory tree of images (wgan.data.folder) through load_images."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from torchvision import transforms

from wgan.data import SkippedImagesWarning, load_images
from wgan.data.folder import FolderSource, image_files

SIZE = 16


def write_image(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    PIL.Image.fromarray(array).save(path)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """20 images in nested folders (PNG, JPEG, WebP, upper-case suffix), plus non-images."""
    rng = np.random.default_rng(1)
    root = tmp_path / "images"
    suffixes = [".png", ".jpg", ".webp", ".PNG"]
    for i in range(20):
        height, width = rng.integers(SIZE, 40, size=2)
        array = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
        write_image(root / f"part{i % 3}" / f"img{i:02d}{suffixes[i % 4]}", array)
    (root / "notes.txt").write_text("not an image")
    write_image(root / ".hidden" / "skip.png", np.zeros((20, 20, 3), dtype=np.uint8))
    write_image(root / "part0" / ".skip.png", np.zeros((20, 20, 3), dtype=np.uint8))
    return root


def test_folder_lists_images_recursively_sorted_ignoring_hidden_and_other_files(folder) -> None:
    names = [p.relative_to(folder).as_posix() for p in image_files(folder)]
    assert len(names) == 20 and names == sorted(names)
    assert all(not any(part.startswith(".") for part in n.split("/")) for n in names)
    assert "part0/img15.PNG" in names


def test_folder_images_match_the_authors_transform(folder, cache) -> None:
    images = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    assert images.shape == (20, 3, SIZE, SIZE) and str(images.dtype) == "torch.uint8"
    transform = transforms.Compose([transforms.Resize(SIZE), transforms.CenterCrop(SIZE)])
    expected = [
        np.asarray(transform(PIL.Image.open(p).convert("RGB"))).transpose(2, 0, 1).tobytes()
        for p in image_files(folder)
    ]
    assert sorted(i.tobytes() for i in images.numpy()) == sorted(expected)


def test_folder_grey_images_become_three_channels(tmp_path: Path, cache) -> None:
    for i in range(3):
        write_image(tmp_path / "g" / f"{i}.png", np.full((20, 24), 40 * i, dtype=np.uint8))
    images = load_images("folder", root=str(tmp_path / "g"), image_size=SIZE, split="all")
    assert images.shape == (3, 3, SIZE, SIZE)
    assert sorted(int(v) for v in images[:, 1, 5, 5]) == [0, 40, 80]


def test_folder_adding_a_file_gives_a_new_cache_entry(folder, cache) -> None:
    first = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    write_image(folder / "new.png", np.zeros((20, 20, 3), dtype=np.uint8))
    second = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    assert len(first) == 20 and len(second) == 21
    assert len(list(cache.glob("folder-*.json"))) == 2


def test_folder_replacing_a_file_gives_a_new_cache_entry(folder, cache) -> None:
    load_images("folder", root=str(folder), image_size=SIZE, split="all")
    victim = image_files(folder)[0]
    write_image(victim, np.zeros((30, 30, 3), dtype=np.uint8))
    os.utime(victim, ns=(1, 1))
    images = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    assert len(list(cache.glob("folder-*.json"))) == 2
    assert any((image == 0).all() for image in images.numpy())


def test_folder_skips_and_names_a_corrupt_file(folder, cache) -> None:
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.warns(SkippedImagesWarning, match=r"(?s)Skipped 1 of 21 images of folder .*"
                      r"Image '.*broken\.jpg' could not be decoded"):
        images = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    assert len(images) == 20


def test_folder_skips_and_names_an_image_smaller_than_the_crop(folder, cache) -> None:
    write_image(folder / "small.png", np.zeros((10, 30, 3), dtype=np.uint8))
    with pytest.warns(SkippedImagesWarning, match=r"Image '.*small\.png' is 30x10 pixels, "
                      r"smaller than the 16x16 crop"):
        images = load_images("folder", root=str(folder), image_size=SIZE, split="all")
    assert len(images) == 20


def test_folder_limit_uses_the_first_files(folder, cache) -> None:
    images = load_images("folder", root=str(folder), image_size=SIZE, split="all", limit=4)
    with FolderSource(folder, limit=4) as source:
        expected = sorted(source.decode(source.fetch(i), SIZE).tobytes() for i in range(4))
    assert sorted(i.tobytes() for i in images.numpy()) == expected


def test_folder_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"The image folder '.*nowhere' does not exist\. Pass an "
                       r"existing directory"):
        load_images("folder", root=str(tmp_path / "nowhere"))


def test_folder_file_instead_of_directory_is_named(folder) -> None:
    with pytest.raises(ValueError, match=r"The image folder '.*notes\.txt' is a file, not a "
                       r"directory"):
        load_images("folder", root=str(folder / "notes.txt"))


def test_folder_without_images_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "readme.md").write_text("no images")
    with pytest.raises(ValueError, match=r"The image folder '.*empty' holds no image files "
                       r"\(looked for \.bmp, .*\.webp in it and its subfolders\)"):
        load_images("folder", root=str(tmp_path / "empty"))


def test_folder_of_only_corrupt_files_raises(tmp_path: Path, cache) -> None:
    (tmp_path / "bad").mkdir()
    for i in range(3):
        (tmp_path / "bad" / f"{i}.png").write_bytes(b"nope")
    with pytest.raises(ValueError, match=r"None of the 3 images of folder '.*bad' could be used"):
        load_images("folder", root=str(tmp_path / "bad"), image_size=SIZE, split="all")
