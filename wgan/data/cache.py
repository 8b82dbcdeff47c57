"""The preprocessing cache: every image decoded and resized once, into a uint8 array on disk.

One cache entry is two files under :func:`wgan.paths.cache_dir`:

- ``<dataset>-<size>px-<key>.u8``: the raw array of shape ``(count, C, size, size)``,
  uint8, C-order, the held-out images first (``[:n_heldout]``) and the training images
  after them, so that every split is a contiguous slice (no copy of a 37 GB LSUN cache);
- ``<same>.json``: a small header with the shape, ``n_heldout``, the byte count, the
  SHA-256 of the array, the source's fingerprint and the records that were skipped.

The key hashes the dataset, the image size, the number of items, the source's fingerprint
(path plus lmdb entry count, folder file list, package versions) and
:data:`FORMAT_VERSION`; a change in any of them is another entry. Both files are written
to temporary names and renamed into place, the header last (:mod:`wgan.files`), so an
interrupted build leaves no entry (its temporary file is removed, or left behind by a kill,
never read). Builders of one entry take turns on ``<same>.lock``: a second one waits, then
reads the first one's entry instead of building it again. On a shared filesystem the lock
is as good as its ``flock``; the rename of the header, last, is what makes an entry
complete either way. On load, a missing or unreadable header, a wrong byte count or (for
arrays up to :data:`VERIFY_LIMIT` bytes) a wrong checksum makes the entry be rebuilt.

Items that cannot be used (a corrupt record, an image smaller than the crop) are skipped
and counted, and reported once at the end of the build by a
:class:`SkippedImagesWarning`; a build where nothing can be used raises.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from wgan import paths
from wgan.data.images import BadImageError
from wgan.data.source import ImageSource
from wgan.data.split import split_indices
from wgan.files import atomic_path, atomic_write_bytes, locked

FORMAT_VERSION = 1
# Arrays up to this many bytes are checksummed at every load; larger ones (LSUN at full
# size) only have their byte count checked, which catches truncation but not bit rot.
VERIFY_LIMIT = 2**30
CHUNK = 256  # items fetched, then decoded in parallel, at a time
SKIPPED_SHOWN = 20  # skipped items named in the warning and the header


class SkippedImagesWarning(UserWarning):
    """Some items of a dataset could not be used and were left out of the cache."""


def default_workers() -> int:
    """Decoding threads used when none are asked for: the CPU count, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def cache_paths(source: ImageSource, image_size: int) -> tuple[Path, Path]:
    """The data and header paths of the cache entry for ``source`` at ``image_size``."""
    identity = {
        "format": FORMAT_VERSION,
        "dataset": source.dataset,
        "image_size": image_size,
        "items": len(source),
        "source": source.fingerprint(),
    }
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    stem = paths.cache_dir() / f"{source.dataset}-{image_size}px-{key}"
    return stem.with_suffix(".u8"), stem.with_suffix(".json")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 8 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(8 * 2**20):
            digest.update(block)
    return digest.hexdigest()


def read_header(data_path: Path, header_path: Path) -> tuple[dict[str, Any] | None, str]:
    """Read and check a cache entry.

    Returns
    -------
    header : dict or None
        The header when the entry is complete and intact, else ``None``.
    problem : str
        Why the entry is unusable ("" when it is usable, "missing" when absent).
    """
    if not header_path.is_file():
        return None, "missing"
    try:
        header = json.loads(header_path.read_text())
        nbytes = int(header["nbytes"])
        checksum = str(header["sha256"])
        shape = [int(extent) for extent in header["shape"]]
        int(header["n_heldout"])
        if header["format"] != FORMAT_VERSION:
            return None, f"format {header['format']} is not {FORMAT_VERSION}"
        if math.prod(shape) != nbytes:
            return None, f"shape {shape} does not hold {nbytes} bytes"
    except (OSError, ValueError, KeyError, TypeError) as err:
        return None, f"unreadable header ({type(err).__name__}: {err})"
    if not data_path.is_file():
        return None, "data file missing"
    size = data_path.stat().st_size
    if size != nbytes:
        return None, f"data file has {size} bytes, the header says {nbytes}"
    if nbytes <= VERIFY_LIMIT and file_sha256(data_path) != checksum:
        return None, "checksum mismatch"
    return header, ""


def _decoded(
    source: ImageSource, order: np.ndarray, image_size: int, workers: int
) -> Iterator[tuple[int, np.ndarray | BadImageError]]:
    """Yield ``(position in order, image or error)`` for every item of ``order``."""

    def attempt(raw: Any) -> np.ndarray | BadImageError:
        try:
            return source.decode(raw, image_size)
        except BadImageError as err:
            return err

    # One worker decodes on the calling thread: no hand-offs between threads.
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        mapper = pool.map if pool is not None else map
        for start in range(0, len(order), CHUNK):
            raws = [source.fetch(int(index)) for index in order[start : start + CHUNK]]
            for offset, result in enumerate(mapper(attempt, raws)):
                yield start + offset, result


def build(
    source: ImageSource, image_size: int, workers: int | None = None
) -> dict[str, Any]:
    """Decode every item of ``source`` into a new cache entry; return its header.

    Parameters
    ----------
    source : ImageSource
        The items, in their order; the held-out ones (:func:`wgan.data.split.split_indices`)
        are written first.
    image_size : int
        Side of the square images, in pixels.
    workers : int or None, default=None
        Decoding threads (:func:`default_workers` when ``None``).

    Returns
    -------
    dict
        The header written next to the array (see the module docstring).

    Raises
    ------
    ValueError
        If no item of the source can be used.
    """
    data_path, header_path = cache_paths(source, image_size)
    data_path.parent.mkdir(parents=True, exist_ok=True)
    header_path.unlink(missing_ok=True)
    heldout, train = split_indices(len(source))
    order = np.concatenate([heldout, train])
    item_shape = (source.channels, image_size, image_size)
    started = time.perf_counter()
    with atomic_path(data_path) as temporary:
        array = np.memmap(temporary, dtype=np.uint8, mode="w+",
                          shape=(len(order), *item_shape))
        digest = hashlib.sha256()
        written = n_heldout = 0
        skipped: list[str] = []
        progress = tqdm(
            _decoded(source, order, image_size, workers or default_workers()),
            total=len(order), desc=f"caching {source.dataset} at {image_size}px",
            unit="img", disable=None, mininterval=2.0,
        )
        for position, result in progress:
            if isinstance(result, BadImageError):
                skipped.append(str(result))
                continue
            array[written] = result
            digest.update(result.tobytes())
            written += 1
            n_heldout += position < len(heldout)
        array.flush()
        del array
        if written == 0:
            raise ValueError(
                f"None of the {len(order)} images of {source.describe()} could be used. "
                f"First problem: {skipped[0]} Check that the path holds the dataset you meant."
            )
        os.truncate(temporary, written * int(np.prod(item_shape)))
    header = {
        "format": FORMAT_VERSION,
        "dataset": source.dataset,
        "description": source.describe(),
        "image_size": image_size,
        "shape": [written, *item_shape],
        "n_heldout": n_heldout,
        "items": len(order),
        "nbytes": written * int(np.prod(item_shape)),
        "sha256": digest.hexdigest(),
        "source": source.fingerprint(),
        "skipped": len(skipped),
        "skipped_first": skipped[:SKIPPED_SHOWN],
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    atomic_write_bytes(header_path, json.dumps(header, indent=1).encode())
    if skipped:
        shown = "\n  ".join(skipped[:SKIPPED_SHOWN])
        warnings.warn(
            f"Skipped {len(skipped)} of {len(order)} images of {source.describe()} that "
            f"could not be used; the cache holds the other {written}. Fix or remove them "
            f"and the cache is rebuilt; a few bad records in a large dataset do no harm.\n  "
            f"{shown}",
            SkippedImagesWarning,
            stacklevel=3,
        )
    return header


def cached_array(
    source: ImageSource, image_size: int, workers: int | None = None
) -> tuple[np.memmap, dict[str, Any]]:
    """The cached images of ``source``, built first when absent or damaged.

    Parameters
    ----------
    source : ImageSource
        The items to cache.
    image_size : int
        Side of the square images, in pixels.
    workers : int or None, default=None
        Decoding threads for a build.

    Returns
    -------
    images : numpy.memmap of shape (count, C, image_size, image_size), uint8
        Memory-mapped copy-on-write: writing to it changes this process's pages only,
        never the file. Held-out images are ``images[:header["n_heldout"]]``.
    header : dict
        The entry's header (see the module docstring).
    """
    data_path, header_path = cache_paths(source, image_size)
    header, problem = read_header(data_path, header_path)
    if header is None:
        waiting = f"Waiting for another process building the cache {str(data_path)!r}..."
        # a second builder waits, then finds the entry built
        with locked(data_path.with_suffix(".lock"), waiting):
            header, problem = read_header(data_path, header_path)
            if header is None:
                if problem != "missing":
                    warnings.warn(
                        f"The cache {str(data_path)!r} is damaged ({problem}); rebuilding it.",
                        stacklevel=2,
                    )
                header = build(source, image_size, workers)
    images = np.memmap(data_path, dtype=np.uint8, mode="c", shape=tuple(header["shape"]))
    return images, header
