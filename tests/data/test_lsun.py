"""LSUN lmdb reading (wgan.data.lsun) through load_images, on a small lmdb in LSUN's format.

The fixture lmdb mirrors the released files: 40-hex-character keys, values that are
encoded images (WebP and JPEG), varied sizes and aspect ratios, plus one corrupt record
and one image smaller than the crop.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from torchvision import transforms

from wgan.data import BadImageError, SkippedImagesWarning, load_images
from wgan.data.lsun import LsunSource, list_keys, load_keys, open_lmdb, save_keys, write_lsun_lmdb
from wgan.data.lsun_sample import encode_image as encode
from wgan.data.lsun_sample import lsun_key as key

SIZE = 16
GOOD = 30


def reference(data: bytes) -> np.ndarray:
    """The authors' preprocessing: torchvision's Resize(SIZE) then CenterCrop(SIZE)."""
    transform = transforms.Compose([transforms.Resize(SIZE), transforms.CenterCrop(SIZE)])
    image = PIL.Image.open(io.BytesIO(data)).convert("RGB")
    return np.asarray(transform(image)).transpose(2, 0, 1)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def lsun(tmp_path: Path) -> tuple[Path, dict[bytes, bytes]]:
    """GOOD usable records (WebP and JPEG, 16..48 px sides), one corrupt, one too small."""
    rng = np.random.default_rng(0)
    records = {}
    for i in range(GOOD):
        height, width = rng.integers(SIZE, 49, size=2)
        array = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
        records[key(i)] = encode(array, "WEBP" if i % 2 else "JPEG")
    records[key(GOOD)] = b"RIFF\x00\x00\x00\x00WEBPVP8 garbage"
    records[key(GOOD + 1)] = encode(np.zeros((SIZE - 4, 40, 3), dtype=np.uint8), "WEBP")
    path = tmp_path / "bedroom_train_lmdb"
    write_lsun_lmdb(path, records.items())
    return path, records


def load_all(path: Path, **kwargs: object):
    with pytest.warns(SkippedImagesWarning):
        return load_images("lsun", root=str(path), image_size=SIZE, split="all", **kwargs)


def test_lsun_images_have_shape_dtype_and_range(lsun, cache) -> None:
    images = load_all(lsun[0])
    assert images.shape == (GOOD, 3, SIZE, SIZE)
    assert images.dtype.is_floating_point is False and str(images.dtype) == "torch.uint8"
    assert int(images.min()) >= 0 and int(images.max()) <= 255 and int(images.max()) > 200


def test_lsun_decodes_webp_and_jpeg_records_as_the_reference_does(lsun, cache) -> None:
    path, records = lsun
    images = load_all(path).numpy()
    expected = np.stack([reference(records[key(i)]) for i in range(GOOD)])
    # The cache stores held-out items first: compare as sets of images.
    found = sorted(image.tobytes() for image in images)
    assert found == sorted(image.tobytes() for image in expected)


def test_lsun_skips_and_counts_corrupt_and_too_small_records(lsun, cache) -> None:
    path, _ = lsun
    with pytest.warns(SkippedImagesWarning, match=r"Skipped 2 of 32 images of lmdb .*holds the "
                      r"other 30") as record:
        load_images("lsun", root=str(path), image_size=SIZE, split="all")
    message = str(record[0].message)
    assert key(GOOD).decode() in message and "could not be decoded" in message
    assert key(GOOD + 1).decode() in message and "smaller than the 16x16 crop" in message
    header = json.loads(next(cache.glob("lsun-*.json")).read_text())
    assert header["skipped"] == 2 and header["shape"][0] == GOOD


def test_lsun_key_list_is_cached_and_reused_without_the_lmdb(lsun, cache) -> None:
    path, records = lsun
    load_all(path)
    with LsunSource(path) as source:
        fingerprint = source.fingerprint()
    (stored,) = cache.glob("lsun-keys-*.npz")
    assert load_keys(stored) == sorted(records)
    # With the list cached, the environment is not touched at all.
    assert list_keys(None, fingerprint) == sorted(records)  # type: ignore[arg-type]
    assert list_keys(None, fingerprint, limit=3) == sorted(records)[:3]  # type: ignore[arg-type]


def test_key_list_round_trips_arbitrary_bytes(tmp_path: Path) -> None:
    keys = [b"", b"\x00a\x00", b"0001c44e5f5175a7e6358d207660f971d90abaf4", bytes(range(256))]
    save_keys(tmp_path / "k.npz", keys)
    assert load_keys(tmp_path / "k.npz") == keys


def test_lsun_limit_uses_the_first_keys_and_caches_no_key_list(lsun, cache) -> None:
    path, records = lsun
    first = [k for k in sorted(records)[:8] if k not in (key(GOOD), key(GOOD + 1))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedImagesWarning)  # a bad record may be among them
        images = load_images("lsun", root=str(path), image_size=SIZE, split="all", limit=8)
    expected = sorted(reference(records[k]).tobytes() for k in first)
    assert sorted(image.tobytes() for image in images.numpy()) == expected
    assert not list(cache.glob("lsun-keys-*"))


def test_lsun_split_sizes_follow_the_heldout_rule(lsun, cache) -> None:
    path, _ = lsun
    with pytest.warns(SkippedImagesWarning):
        train = load_images("lsun", root=str(path), image_size=SIZE)
    heldout = load_images("lsun", root=str(path), image_size=SIZE, split="heldout")
    # 32 records -> 3 held out by the rule; the 2 bad ones may fall in either part.
    assert len(train) + len(heldout) == GOOD and 1 <= len(heldout) <= 3
    assert not {i.tobytes() for i in train.numpy()} & {i.tobytes() for i in heldout.numpy()}


def test_lsun_missing_path_is_named(tmp_path: Path, cache) -> None:
    missing = tmp_path / "nowhere_lmdb"
    with pytest.raises(ValueError, match=r"The LSUN lmdb '.*nowhere_lmdb' does not exist; see "
                       r"data/README\.md"):
        load_images("lsun", root=str(missing))


def test_lsun_file_instead_of_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data.mdb").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"'.*data\.mdb' is not an lmdb in LSUN's layout: it is "
                       r"a file, not a directory\. Pass the directory holding data\.mdb"):
        open_lmdb(tmp_path / "data.mdb")


def test_lsun_parent_directory_points_to_the_lmdb_inside(lsun) -> None:
    path, _ = lsun
    with pytest.raises(ValueError, match=r"it has no data\.mdb\. It contains the lmdb\(s\) "
                       r"bedroom_train_lmdb: pass one of them as root"):
        open_lmdb(path.parent)


def test_lsun_directory_without_lmdb_says_what_to_pass(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    with pytest.raises(ValueError, match=r"'.*photos' is not an lmdb in LSUN's layout: it has no "
                       r"data\.mdb\. Pass the directory holding data\.mdb \(e\.g\. "
                       r"\.\.\./bedroom_train_lmdb\); see data/README\.md"):
        open_lmdb(tmp_path / "photos")


def test_lsun_record_without_value_is_named(lsun) -> None:
    with LsunSource(lsun[0]) as source, pytest.raises(
        BadImageError, match=r"Image with key b'abc' in lmdb '.*' has no value\. The lmdb may "
        r"be damaged\."
    ):
        source.decode((b"abc", None), SIZE)


def test_lsun_unreadable_data_mdb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken_lmdb").mkdir()
    (tmp_path / "broken_lmdb" / "data.mdb").write_bytes(b"not an lmdb" * 100)
    with pytest.raises(ValueError, match=r"'.*broken_lmdb' is not an lmdb in LSUN's layout: "
                       r"lmdb cannot open it"):
        open_lmdb(tmp_path / "broken_lmdb")


def test_lsun_empty_lmdb_is_refused(tmp_path: Path) -> None:
    write_lsun_lmdb(tmp_path / "empty_lmdb", [])
    with pytest.raises(ValueError, match=r"'.*empty_lmdb' is not an lmdb in LSUN's layout: it "
                       r"holds no records"):
        open_lmdb(tmp_path / "empty_lmdb")


def test_lsun_lmdb_of_non_images_is_refused(tmp_path: Path, cache) -> None:
    write_lsun_lmdb(tmp_path / "labels_lmdb", [(key(i), b"%d" % i) for i in range(4)])
    with pytest.raises(ValueError, match=r"None of the 4 images of lmdb '.*labels_lmdb' could be "
                       r"used\. First problem: Image with key b'[0-9a-f]{40}' .*could not be "
                       r"decoded"):
        load_images("lsun", root=str(tmp_path / "labels_lmdb"), image_size=SIZE, split="all")
    assert not list(cache.glob("*.u8*")), "a failed build left files behind"


def test_lsun_opens_readonly_without_creating_files(lsun) -> None:
    path, _ = lsun
    (path / "lock.mdb").unlink()
    before = sorted(p.name for p in path.iterdir())
    env = open_lmdb(path)
    env.close()
    assert sorted(p.name for p in path.iterdir()) == before
