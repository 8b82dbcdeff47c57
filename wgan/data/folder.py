"""Any directory tree of images, read in sorted path order (the authors' ``--dataset folder``).

Every file below the root whose extension is in :data:`IMAGE_EXTENSIONS` (any case) is an
item; hidden files and folders (names starting with ``.``) are ignored. Images are
converted to RGB. The source's fingerprint hashes every file's relative path, size and
modification time, so adding, removing or replacing a file gives a new cache entry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from wgan.data.images import decode_image
from wgan.data.source import ImageSource

IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".bmp", ".gif", ".jpeg", ".jpg", ".pgm", ".png", ".ppm", ".tif", ".tiff", ".webp",
)


def image_files(root: Path) -> list[Path]:
    """Image files below ``root`` (recursively), sorted by relative path."""
    found = [
        path for path in root.rglob("*")
        if path.suffix.lower() in IMAGE_EXTENSIONS
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.is_file()
    ]
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


class FolderSource(ImageSource):
    """The images of a directory tree, as RGB images.

    Parameters
    ----------
    root : str or pathlib.Path
        The directory.
    limit : int or None, default=None
        Use only the first ``limit`` files in sorted order.

    Raises
    ------
    ValueError
        If ``root`` does not exist, is not a directory, or holds no image file.
    """

    dataset = "folder"
    channels = 3

    def __init__(self, root: str | Path, limit: int | None = None) -> None:
        self.path = Path(root).expanduser().resolve()
        if not self.path.exists():
            raise ValueError(
                f"The image folder {str(self.path)!r} does not exist. Pass an existing "
                "directory of images as root (--dataroot)."
            )
        if not self.path.is_dir():
            raise ValueError(
                f"The image folder {str(self.path)!r} is a file, not a directory. Pass the "
                "directory holding the images as root (--dataroot)."
            )
        self.files = image_files(self.path)
        if not self.files:
            raise ValueError(
                f"The image folder {str(self.path)!r} holds no image files (looked for "
                f"{', '.join(IMAGE_EXTENSIONS)} in it and its subfolders). Put images "
                "there or pass another directory."
            )
        super().__init__(len(self.files), limit)
        self._fingerprint: dict[str, Any] | None = None

    def describe(self) -> str:
        return f"folder {str(self.path)!r}"

    def fingerprint(self) -> dict[str, Any]:
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for path in self.files[: len(self)]:
                stat = path.stat()
                relative = path.relative_to(self.path).as_posix()
                digest.update(f"{relative}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
            self._fingerprint = {
                "path": str(self.path), "files": len(self), "listing_sha256": digest.hexdigest(),
            }
        return self._fingerprint

    def fetch(self, index: int) -> Path:
        return self.files[index]

    def decode(self, raw: Path, image_size: int) -> np.ndarray:
        return decode_image(raw, repr(str(raw)), image_size)
