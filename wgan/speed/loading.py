"""Images per second: decoding LSUN records on the fly against reading the uint8 cache.

Run ``python -m wgan.speed.loading`` (``--help`` for the options). It writes two synthetic
lmdbs in LSUN's format to a temporary directory, one of JPEG records (quality 75, as
LSUN's README describes) and one of WebP records (as the released files hold), each of
``--images`` images with a short side of ``--side`` pixels (256, as in LSUN) and a long
side drawn in [side, 1.5 side]; their content is cut from the embedded photographs, so
they compress like real photographs. It then measures, for each lmdb:

``on the fly``
    fetch + decode + resize + centre crop, one image after another on one thread: what
    a data-loader worker does for every image of every batch when nothing is cached.
``cache build``
    the one-off :func:`wgan.data.load_images` that fills the cache, with ``--workers``
    decoding threads.
``from cache``
    :class:`wgan.training.batches.TensorBatches` batches of ``--batch`` images drawn from the
    cached array and scaled to [-1, 1] on ``--device``: what training does.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import torch

from wgan.data.cache import default_workers
from wgan.data.embedded import load_photos
from wgan.data.lsun import LsunSource, write_lsun_lmdb
from wgan.training.batches import TensorBatches
from wgan.training.device import resolve_device

FORMATS = {"JPEG": {"quality": 75}, "WEBP": {"quality": 80}}


def synthetic_records(count: int, side: int, fmt: str, seed: int = 0) -> list[tuple[bytes, bytes]]:
    """``count`` encoded photographs of short side ``side``, keyed like LSUN (40 hex chars).

    Parameters
    ----------
    count : int
        Number of records.
    side : int
        Short side of every image, in pixels; the long side is drawn in [side, 1.5 side].
    fmt : {"JPEG", "WEBP"}
        Encoding.
    seed : int, default=0
        Seed of the crop positions and sizes.

    Returns
    -------
    list of (bytes, bytes)
    """
    rng = np.random.default_rng(seed)
    photos = load_photos()
    records = []
    for i in range(count):
        photo = photos[rng.integers(len(photos))]
        height, width = photo.shape[:2]
        long = int(rng.integers(side, side * 3 // 2 + 1))
        aspect = long / side
        crop_h = int(rng.integers(min(height, width) // 2, min(height, width) + 1))
        crop_w = min(width, int(crop_h * aspect))
        top = int(rng.integers(height - crop_h + 1))
        left = int(rng.integers(width - crop_w + 1))
        image = PIL.Image.fromarray(photo[top : top + crop_h, left : left + crop_w])
        size = (long, side) if i % 2 else (side, long)  # landscape and portrait
        buffer = io.BytesIO()
        image.resize(size, PIL.Image.BILINEAR).save(buffer, format=fmt, **FORMATS[fmt])
        records.append((f"{i:040x}".encode(), buffer.getvalue()))
    return records


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def benchmark(
    images: int = 300,
    image_size: int = 64,
    side: int = 256,
    batch_size: int = 64,
    batches: int = 200,
    workers: int | None = None,
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """Measure images/s on the fly, for the cache build and from the cache, per format.

    Parameters
    ----------
    images : int, default=300
        Records per synthetic lmdb.
    image_size : int, default=64
        Training image side, in pixels.
    side : int, default=256
        Short side of the stored images, in pixels.
    batch_size, batches : int, default=64, 200
        Batches drawn from the cache, and their size.
    workers : int or None, default=None
        Decoding threads of the cache build (:func:`wgan.data.cache.default_workers`).
    device : str, default="cpu"
        Where batches from the cache are delivered (``auto``, ``cpu``, ``cuda``).

    Returns
    -------
    list of dict
        One row per (format, mode) with ``images_per_s`` and the settings.
    """
    from wgan.data import load_images

    target = resolve_device(device)
    workers = workers or default_workers()
    rows = []
    previous = os.environ.get("WGAN_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="wgan-bench-") as tmp:
        os.environ["WGAN_CACHE_DIR"] = str(Path(tmp) / "cache")
        try:
            for fmt in FORMATS:
                path = Path(tmp) / f"{fmt.lower()}_lmdb"
                records = synthetic_records(images, side, fmt)
                write_lsun_lmdb(path, records)
                mean_kb = sum(len(v) for _, v in records) / len(records) / 1024
                common = {"format": fmt, "images": images, "image_size": image_size,
                          "side": side, "mean_record_kb": round(mean_kb, 1)}

                with LsunSource(path) as source:
                    _ = source.keys  # list the keys outside the timed loop
                    start = time.perf_counter()
                    for index in range(len(source)):
                        source.decode(source.fetch(index), image_size)
                    seconds = time.perf_counter() - start
                rows.append({**common, "mode": "on the fly (1 thread)",
                             "images_per_s": _rate(images, seconds)})

                start = time.perf_counter()
                cached = load_images("lsun", root=path, image_size=image_size, split="all",
                                     workers=workers)
                seconds = time.perf_counter() - start
                rows.append({**common, "mode": f"cache build ({workers} threads)",
                             "images_per_s": _rate(images, seconds)})

                stream = TensorBatches(cached, min(batch_size, len(cached)), target, seed=0)
                stream.next()  # warm-up: moves the data to the device if it fits
                if target.type == "cuda":
                    torch.cuda.synchronize(target)
                start = time.perf_counter()
                for _ in range(batches):
                    batch = stream.next()
                if target.type == "cuda":
                    torch.cuda.synchronize(target)
                seconds = time.perf_counter() - start
                rows.append({**common, "mode": f"from cache ({target.type})",
                             "images_per_s": _rate(batches * len(batch), seconds)})
        finally:
            if previous is None:
                os.environ.pop("WGAN_CACHE_DIR", None)
            else:
                os.environ["WGAN_CACHE_DIR"] = previous
    return rows


def main(argv: list[str] | None = None) -> None:
    """Command line: run :func:`benchmark` and print a table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        prog="python -m wgan.speed.loading",
        description="Images/s decoding LSUN-style records on the fly vs from the uint8 cache.",
    )
    parser.add_argument("--images", type=int, default=300, help="records per lmdb (300)")
    parser.add_argument("--size", type=int, default=64, help="training image side (64)")
    parser.add_argument("--side", type=int, default=256, help="stored short side (256)")
    parser.add_argument("--batch", type=int, default=64, help="batch size from the cache (64)")
    parser.add_argument("--batches", type=int, default=200, help="batches timed (200)")
    parser.add_argument("--workers", type=int, default=None, help="cache-build threads")
    parser.add_argument("--device", default="cpu", help="auto, cpu or cuda (cpu)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (torch's default); 1 on a shared machine")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    rows = benchmark(args.images, args.size, args.side, args.batch, args.batches,
                     args.workers, args.device)
    print(f"{'format':6} {'mode':28} {'images/s':>10}  (record ~kB, {args.images} images, "
          f"{args.side}px -> {args.size}px, torch {torch.__version__}, {os.cpu_count()} CPUs, "
          f"{torch.get_num_threads()} torch threads)")
    for row in rows:
        print(f"{row['format']:6} {row['mode']:28} {row['images_per_s']:10.0f}  "
              f"({row['mean_record_kb']} kB)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
