"""The image caches a sweep's runs read, built once before any of them trains.

At the paper scale every image run reads the same uint8 cache of LSUN bedrooms at 64x64
(about 37 GB, :mod:`wgan.data.cache`). :func:`prepare` builds each cache the runs need,
once; a sweep runs it first (on SLURM, as a job the runs depend on). A second builder of
the same entry waits on its lock and then reads it; an interrupted build leaves a
temporary file and no header, which no reader takes for a cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from wgan.data import DATASETS, open_source
from wgan.data.cache import cache_paths, cached_array, read_header
from wgan.experiments.images import LSUN_BEDROOMS
from wgan.sweep.registry import RegisteredRun
from wgan.training.config import TrainConfig


@dataclass(frozen=True)
class DataNeed:
    """One cache entry some runs read.

    Attributes
    ----------
    dataset : str
        A :data:`wgan.data.DATASETS` name.
    root : str or None
        Its path on disk.
    image_size : int
    limit : int or None
        The config's ``data_limit``.
    """

    dataset: str
    root: str | None
    image_size: int
    limit: int | None

    def describe(self) -> str:
        """``lsun at 64x64 from /data/bedroom_train_lmdb``."""
        where = f" from {self.root}" if self.root else ""
        return f"{self.dataset} at {self.image_size}x{self.image_size}{where}"


def needs(runs: list[RegisteredRun]) -> list[DataNeed]:
    """The cache entries ``runs`` read, each once (toy data and fits need none)."""
    found = {DataNeed(r.config.dataset, r.config.data_root, r.config.image_size,
                      r.config.data_limit): None
             for r in runs if isinstance(r.config, TrainConfig) and r.config.dataset in DATASETS}
    return list(found)


@dataclass(frozen=True)
class CacheInfo:
    """Where a cache entry goes and how large it is.

    Attributes
    ----------
    need : DataNeed
    path : str
        The ``.u8`` file, or a description of where it will go when the source is not on
        disk yet.
    nbytes : int
        Its size (before skipped images are left out).
    ready : bool
        Whether a complete entry is there.
    """

    need: DataNeed
    path: str
    nbytes: int
    ready: bool


def info(need: DataNeed) -> CacheInfo:
    """The size and place of ``need``'s cache entry, without building it."""
    channels = DATASETS[need.dataset].channels
    per_image = channels * need.image_size**2
    try:
        source = open_source(need.dataset, need.root, need.limit)
    except (ValueError, OSError) as err:
        if need.dataset != "lsun":
            raise
        count = min(LSUN_BEDROOMS, need.limit or LSUN_BEDROOMS)
        return CacheInfo(need, f"$WGAN_CACHE_DIR (the source is not readable yet: {err})",
                         count * per_image, False)
    data_path, header_path = cache_paths(source, need.image_size)
    ready = header_path.is_file() and data_path.is_file()
    return CacheInfo(need, str(data_path), len(source) * per_image, ready)


def prepare(data: list[DataNeed]) -> list[str]:
    """Build every cache entry of ``data`` that is not built yet; return their paths.

    Raises
    ------
    ValueError
        If a dataset cannot be read (e.g. no LSUN at the path given).
    """
    built = []
    for need in data:
        source = open_source(need.dataset, need.root, need.limit)
        data_path, header_path = cache_paths(source, need.image_size)
        if read_header(data_path, header_path)[0] is None:
            print(f"Building the cache of {need.describe()} in {data_path}", flush=True)
        _, header = cached_array(source, need.image_size)
        print(f"Cache ready: {need.describe()}, {header['shape'][0]:,} images, "
              f"{header['nbytes'] / 1e9:.3g} GB in {data_path}", flush=True)
        built.append(str(data_path))
    return built
