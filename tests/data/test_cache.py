"""The preprocessing cache (wgan.data.cache): round trip, atomic writes, damage detection."""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

from wgan.data import cache as cache_module
from wgan.data import load_images
from wgan.data.cache import cache_paths, cached_array, read_header
from wgan.data.embedded import DigitsSource, upscale_digit
from wgan.data.split import split_indices
from wgan.files import is_temporary, locked

SIZE = 8


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WGAN_CACHE_DIR", str(directory))
    return directory


def entry() -> tuple[Path, Path]:
    with DigitsSource(limit=100) as source:
        return cache_paths(source, SIZE)


def load() -> np.ndarray:
    return load_images("digits", image_size=SIZE, split="all", limit=100).numpy()


def expected_digits() -> np.ndarray:
    """The first 100 digits in cache order (held-out first), computed independently."""
    with DigitsSource(limit=100) as source:
        heldout, train = split_indices(100)
        order = np.concatenate([heldout, train])
        return np.stack([upscale_digit(source.images[i], SIZE) for i in order])


def test_cache_lives_under_the_cache_dir_env_var(cache) -> None:
    load()
    data, header = entry()
    assert data.parent == cache and data.is_file() and header.is_file()
    lock = data.with_suffix(".lock")  # builders take turns on it
    assert sorted(p.name for p in cache.iterdir()) == sorted([data.name, header.name, lock.name])


def test_cache_round_trip_returns_the_decoded_images(cache) -> None:
    np.testing.assert_array_equal(load(), expected_digits())


def test_cache_hit_does_not_rebuild(cache, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load()

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was rebuilt although it was intact")

    monkeypatch.setattr(cache_module, "build", no_build)
    np.testing.assert_array_equal(load(), first)


def test_cache_header_records_shape_split_and_checksum(cache) -> None:
    load()
    data, header_path = entry()
    header = json.loads(header_path.read_text())
    assert header["shape"] == [100, 1, SIZE, SIZE]
    assert header["n_heldout"] == 10 and header["items"] == 100 and header["skipped"] == 0
    assert header["nbytes"] == data.stat().st_size == 100 * SIZE * SIZE
    assert header["sha256"] == cache_module.file_sha256(data)


HEADER_EDITS = {
    "format": lambda fields: {**fields, "format": 0},
    "shape": lambda fields: {**fields, "shape": [99, 1, 8, 8]},
    "keys": lambda fields: {k: v for k, v in fields.items() if k != "n_heldout"},
}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncate", r"data file has 6300 bytes, the header says 6400"),
        ("flip", r"checksum mismatch"),
        ("header", r"unreadable header \(JSONDecodeError"),
        ("data", r"data file missing"),
        ("format", r"format 0 is not 1"),
        ("shape", r"shape \[99, 1, 8, 8\] does not hold 6400 bytes"),
        ("keys", r"unreadable header \(KeyError: 'n_heldout'"),
    ],
)
def test_damaged_cache_is_detected_and_rebuilt(cache, damage: str, reason: str) -> None:
    load()
    data, header = entry()
    if damage == "truncate":
        data.write_bytes(data.read_bytes()[:-100])
    elif damage == "flip":
        raw = bytearray(data.read_bytes())
        raw[1234] ^= 0xFF
        data.write_bytes(bytes(raw))
    elif damage == "header":
        header.write_text('{"format": 1, "nbytes": ')
    elif damage in HEADER_EDITS:
        header.write_text(json.dumps(HEADER_EDITS[damage](json.loads(header.read_text()))))
    else:
        data.unlink()
    with pytest.warns(UserWarning, match=rf"The cache '.*' is damaged \({reason}.*\); "
                      r"rebuilding it"):
        images = load()
    np.testing.assert_array_equal(images, expected_digits())
    assert read_header(data, header)[1] == ""


def test_missing_header_rebuilds_silently(cache) -> None:
    load()
    _, header = entry()
    header.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(load(), expected_digits())
    assert header.is_file()


def test_large_cache_is_only_size_checked(cache, monkeypatch: pytest.MonkeyPatch) -> None:
    load()
    data, header = entry()
    raw = bytearray(data.read_bytes())
    raw[0] ^= 0xFF
    data.write_bytes(bytes(raw))
    monkeypatch.setattr(cache_module, "VERIFY_LIMIT", 1000)
    assert read_header(data, header)[0] is not None
    monkeypatch.setattr(cache_module, "VERIFY_LIMIT", 10**9)
    assert read_header(data, header) == (None, "checksum mismatch")


def test_other_size_or_limit_is_another_entry(cache) -> None:
    with DigitsSource(limit=100) as a, DigitsSource(limit=50) as b:
        assert cache_paths(a, 8) != cache_paths(a, 16)
        assert cache_paths(a, 8) != cache_paths(b, 8)
        assert cache_paths(a, 8) == cache_paths(DigitsSource(limit=100), 8)


def test_build_leaves_no_temporary_files(cache) -> None:
    load()
    assert not [p for p in cache.iterdir() if is_temporary(p)]


def test_writing_the_returned_tensor_never_reaches_the_cache(cache) -> None:
    images = load_images("digits", image_size=SIZE, split="all", limit=100)
    images[0].fill_(7)
    data, header = entry()
    assert read_header(data, header)[1] == ""
    np.testing.assert_array_equal(load(), expected_digits())


def test_cached_array_is_copy_on_write_memmap(cache) -> None:
    with DigitsSource(limit=100) as source:
        images, header = cached_array(source, SIZE)
    assert isinstance(images, np.memmap) and images.mode == "c"
    assert images.shape == tuple(header["shape"])


def test_a_second_builder_waits_and_then_reads_the_first_builders_entry(
    cache, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    data, _ = entry()
    data.parent.mkdir(parents=True)
    source = DigitsSource(limit=100)
    with locked(data.with_suffix(".lock")):  # the first builder, still building
        second = threading.Thread(target=cached_array, args=(source, SIZE))
        second.start()
        while "Waiting for another process" not in capfd.readouterr().err:
            second.join(0.05)
        assert second.is_alive()
        cache_module.build(source, SIZE)  # the first builder finishes its entry

        def no_build(*args: object, **kwargs: object) -> None:
            raise AssertionError("the second builder built the entry again")

        monkeypatch.setattr(cache_module, "build", no_build)
    second.join()
    np.testing.assert_array_equal(cached_array(source, SIZE)[0], expected_digits())


def test_an_interrupted_build_leaves_no_entry_that_looks_complete(
    cache, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(*args: object, **kwargs: object):
        yield 0, np.zeros((1, SIZE, SIZE), dtype=np.uint8)
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module, "_decoded", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load()
    data, header = entry()
    assert read_header(data, header) == (None, "missing")
    assert not data.exists()
    assert not [p for p in cache.iterdir() if is_temporary(p)]
