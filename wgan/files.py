"""Files written whole and files held by one process: the package's atomic writes and locks.

A write goes to a hidden temporary file beside its target, ``.<name>.<pid>.tmp``
(:func:`temporary_path`), is flushed to disk, and then replaces the target with
:func:`os.replace`, which is atomic on POSIX file systems: a reader (or a resumed run) sees
the old file or the new one, never a torn one. A write that fails removes its temporary
file; one killed (kill -9, a lost node) leaves it behind, never read (:func:`is_temporary`
tells one). The process id keeps two processes writing one file (two notebooks training
the same judge) off each other's temporary file.

A lock is an exclusive ``flock`` on a file (:func:`locked`), released by the operating
system when its holder dies; :func:`is_locked` asks whether someone holds it now. On a
shared file system a lock is as good as its ``flock`` (NFS v4 and Lustre honour it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def temporary_path(path: Path) -> Path:
    """Where this process writes the next content of ``path``: ``.<name>.<pid>.tmp`` beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is the temporary file of a write (:func:`temporary_path`)."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """The temporary path to write ``path``'s new content to, moved onto ``path`` at the end.

    The block writes the temporary file by its path (``torch.save``, a memmap, ``to_csv``);
    when it ends without an error the file is flushed to disk and renamed onto ``path``.
    When it raises, the temporary file is removed and ``path`` keeps its old content.

    Parameters
    ----------
    path : pathlib.Path
        Target; its directory is created if needed.

    Yields
    ------
    pathlib.Path
        The temporary file (:func:`temporary_path`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        yield temporary
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


@contextlib.contextmanager
def locked(path: Path, waiting: str | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if absent) for the block.

    Parameters
    ----------
    path : pathlib.Path
        The lock file; its directory is created if needed.
    waiting : str, optional
        Printed to standard error when another process holds the lock, before waiting for
        it; without it the wait is silent.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                print(waiting, file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_locked(path: Path) -> bool:
    """Whether someone holds the lock on ``path`` now (:func:`locked`); no file, no lock."""
    if not path.is_file():
        return False
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False
