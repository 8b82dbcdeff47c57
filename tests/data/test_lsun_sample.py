"""The synthetic LSUN-format lmdb (wgan.data.lsun_sample), read back through wgan.data."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import PIL.Image
import pytest

from wgan.data import load_images
from wgan.data.lsun import LsunSource, open_lmdb
from wgan.data.lsun_sample import LONG_RATIO, SHORT_SIDE, write_sample_lmdb

N = 24


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture(scope="module")
def lmdb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_lmdb(tmp_path_factory.mktemp("lsun") / "bedroom_train_lmdb", N, seed=1)


def records(path: Path) -> list[tuple[bytes, bytes]]:
    with open_lmdb(path).begin() as txn:
        return list(txn.cursor())


def test_keys_are_forty_hex_characters_in_lsun_layout(lmdb_path: Path, cache: Path) -> None:
    assert sorted(p.name for p in lmdb_path.iterdir()) == ["data.mdb", "lock.mdb"]
    with LsunSource(lmdb_path) as source:
        keys = source.keys
    assert len(keys) == N
    assert all(re.fullmatch(rb"[0-9a-f]{40}", key) for key in keys)


def test_values_are_webp_and_some_jpeg_of_varied_shapes(lmdb_path: Path) -> None:
    formats, shapes = [], []
    for _, value in records(lmdb_path):
        with PIL.Image.open(io.BytesIO(value)) as image:
            formats.append(image.format)
            shapes.append(image.size)
    assert set(formats) == {"WEBP", "JPEG"}
    assert formats.count("WEBP") > formats.count("JPEG") > 0
    ratios = [max(w, h) / min(w, h) for w, h in shapes]
    assert all(LONG_RATIO[0] <= r <= LONG_RATIO[1] + 0.05 for r in ratios)
    assert max(ratios) > 1.5
    assert any(w > h for w, h in shapes) and any(h > w for w, h in shapes)
    assert all(SHORT_SIDE[0] <= min(w, h) <= SHORT_SIDE[1] for w, h in shapes)


def test_loader_reads_every_record_at_the_paper_size(lmdb_path: Path, cache: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no record skipped as corrupt or too small
        images = load_images("lsun", root=lmdb_path, image_size=64, split="all")
    assert images.shape == (N, 3, 64, 64)
    assert images.float().std() > 10  # drawn rooms, not a constant


def test_same_seed_same_bytes_and_existing_lmdb_refused(tmp_path: Path, lmdb_path: Path) -> None:
    again = write_sample_lmdb(tmp_path / "again_lmdb", N, seed=1)
    assert records(again) == records(lmdb_path)
    with pytest.raises(ValueError, match=r"must not hold an lmdb yet\. Got '.*again_lmdb', "
                                         r"which holds data\.mdb"):
        write_sample_lmdb(again, N)
    with pytest.raises(ValueError, match=r"'n_images' parameter of write_sample_lmdb must be a "
                                         r"positive int\. Got 0 instead\."):
        write_sample_lmdb(tmp_path / "empty_lmdb", 0)
