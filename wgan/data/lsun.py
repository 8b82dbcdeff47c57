"""LSUN scene categories read straight from the lmdb the LSUN project distributes.

``bedroom_train_lmdb/`` (the paper's dataset, Section 4.2) is an lmdb environment: a
directory holding ``data.mdb`` and ``lock.mdb``. Each record's key is an image id (40 hex
characters) and its value the encoded image: WebP in the released files, although LSUN's
README says JPEG (quality 75, short side 256); PIL decodes both. The lmdb is opened
read-only, without locking and without read-ahead (random reads of a 40+ GB file).

Listing the keys of the 3,033,042 bedrooms takes minutes, so the full key list is cached
under :func:`wgan.paths.cache_dir` (``lsun-keys-<fingerprint>.npz``) and reused; a run
with a ``limit`` reads only the first ``limit`` keys. Keys are in the lmdb's (sorted)
order; LSUN's ids are hashes, so the first keys are an arbitrary subset of the scenes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import lmdb
import numpy as np
from tqdm import tqdm

from wgan import paths
from wgan.data.images import BadImageError, decode_image
from wgan.data.source import ImageSource
from wgan.files import atomic_write_bytes

HOW_TO_GET = "see data/README.md for how to download bedroom_train_lmdb"


def _layout_error(path: Path, problem: str) -> ValueError:
    inside = sorted(p.parent.name for p in path.glob("*/data.mdb")) if path.is_dir() else []
    hint = (
        f" It contains the lmdb(s) {', '.join(inside)}: pass one of them as root."
        if inside
        else f" Pass the directory holding data.mdb (e.g. .../bedroom_train_lmdb); {HOW_TO_GET}."
    )
    return ValueError(
        f"{str(path)!r} is not an lmdb in LSUN's layout: {problem}.{hint}"
    )


def open_lmdb(root: str | Path) -> lmdb.Environment:
    """Open an LSUN lmdb read-only (no lock, no read-ahead), checking its layout.

    Parameters
    ----------
    root : str or pathlib.Path
        The lmdb directory, e.g. ``.../bedroom_train_lmdb``.

    Raises
    ------
    ValueError
        If the path does not exist, is not a directory holding ``data.mdb``, cannot be
        opened by lmdb, or holds no records. The message names the path.
    """
    path = Path(root).expanduser()
    if not path.exists():
        raise ValueError(f"The LSUN lmdb {str(path)!r} does not exist; {HOW_TO_GET}.")
    if not path.is_dir():
        raise _layout_error(path, "it is a file, not a directory")
    if not (path / "data.mdb").is_file():
        raise _layout_error(path, "it has no data.mdb")
    try:
        env = lmdb.open(
            str(path), readonly=True, lock=False, readahead=False, meminit=False,
            max_readers=1,
        )
    except lmdb.Error as err:
        raise _layout_error(path, f"lmdb cannot open it ({err})") from err
    if env.stat()["entries"] == 0:
        env.close()
        raise _layout_error(path, "it holds no records")
    return env


def _keys_path(fingerprint: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
    return paths.cache_dir() / f"lsun-keys-{digest[:16]}.npz"


def save_keys(path: Path, keys: list[bytes]) -> None:
    """Store a list of byte-string keys as one blob plus offsets (``.npz``), atomically."""
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    buffer = io.BytesIO()
    np.savez(
        buffer,
        blob=np.frombuffer(b"".join(keys), dtype=np.uint8),
        offsets=np.concatenate([[0], np.cumsum(lengths)]),
    )
    atomic_write_bytes(path, buffer.getvalue())


def load_keys(path: Path) -> list[bytes]:
    """Read a key list written by :func:`save_keys`."""
    with np.load(path) as stored:
        blob = stored["blob"].tobytes()
        offsets = stored["offsets"].tolist()
    return [blob[a:b] for a, b in itertools.pairwise(offsets)]


def list_keys(
    env: lmdb.Environment, fingerprint: dict[str, Any], limit: int | None = None
) -> list[bytes]:
    """The lmdb's keys in order, the full list cached after the first listing.

    Parameters
    ----------
    env : lmdb.Environment
        An environment from :func:`open_lmdb`.
    fingerprint : dict
        Identifies the lmdb (path, entry count, size); names the key-list file.
    limit : int or None, default=None
        Return only the first ``limit`` keys. Without a cached full list this reads only
        those keys (and caches nothing).

    Returns
    -------
    list of bytes
    """
    cached = _keys_path(fingerprint)
    if cached.is_file():
        try:
            keys = load_keys(cached)
        except (OSError, ValueError, KeyError):
            keys = []
        if len(keys) == fingerprint["entries"]:
            return keys[:limit]
    entries = int(fingerprint["entries"])
    wanted = entries if limit is None else min(limit, entries)
    keys = []
    with env.begin(buffers=False) as txn:
        cursor = txn.cursor()
        listing = tqdm(
            cursor.iternext(keys=True, values=False), total=wanted, unit="key",
            desc="listing LSUN keys", disable=None, mininterval=2.0,
        )
        for key in listing:
            keys.append(key)
            if len(keys) == wanted:
                break
    if wanted == entries:
        save_keys(cached, keys)
    return keys


def write_lsun_lmdb(path: str | Path, records: Iterable[tuple[bytes, bytes]]) -> None:
    """Write ``(key, encoded image)`` records into a new lmdb in LSUN's layout.

    Used to build small test and benchmark databases; LSUN's own files come from its
    download script.

    Parameters
    ----------
    path : str or pathlib.Path
        Directory to create (it will hold ``data.mdb`` and ``lock.mdb``).
    records : iterable of (bytes, bytes)
        Keys and values, stored as they are.
    """
    records = list(records)
    map_size = 2 * sum(len(k) + len(v) for k, v in records) + 2**20
    env = lmdb.open(str(path), map_size=map_size, subdir=True)
    with env.begin(write=True) as txn:
        for key, value in records:
            txn.put(key, value)
    env.close()


class LsunSource(ImageSource):
    """The records of an LSUN lmdb, as RGB images.

    Parameters
    ----------
    root : str or pathlib.Path
        The lmdb directory, e.g. ``.../bedroom_train_lmdb``.
    limit : int or None, default=None
        Use only the first ``limit`` records in key order.
    """

    dataset = "lsun"
    channels = 3

    def __init__(self, root: str | Path, limit: int | None = None) -> None:
        self.path = Path(root).expanduser().resolve()
        self.env = open_lmdb(self.path)
        super().__init__(self.env.stat()["entries"], limit)
        self._keys: list[bytes] | None = None
        self._txn: lmdb.Transaction | None = None

    def describe(self) -> str:
        return f"lmdb {str(self.path)!r}"

    def fingerprint(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "entries": self.available,
            "data_mdb_bytes": (self.path / "data.mdb").stat().st_size,
        }

    @property
    def keys(self) -> list[bytes]:
        """The keys used, in order (listed on first access, see :func:`list_keys`)."""
        if self._keys is None:
            self._keys = list_keys(self.env, self.fingerprint(), self.limit)
        return self._keys

    def fetch(self, index: int) -> tuple[bytes, bytes | None]:
        if self._txn is None:
            self._txn = self.env.begin(buffers=False)
        key = self.keys[index]
        return key, self._txn.get(key)

    def decode(self, raw: tuple[bytes, bytes | None], image_size: int) -> np.ndarray:
        key, value = raw
        name = f"with key {key!r} in {self.describe()}"
        if value is None:
            raise BadImageError(f"Image {name} has no value. The lmdb may be damaged.")
        return decode_image(value, name, image_size)

    def close(self) -> None:
        if self._txn is not None:
            self._txn.abort()
            self._txn = None
        self.env.close()
