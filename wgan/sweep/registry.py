"""Every training run the book's chapters read, listed without executing a notebook.

Each chapter asks for its runs through a function of :mod:`wgan.experiments` or
:mod:`wgan.speed` that also lists them (:data:`SOURCES`), so this registry and the chapters
build the same configurations and name the same run directories
(``<runs>/<scale>/<name>-<config hash>``, :func:`wgan.training.run.cached_run`). A chapter
that adds runs adds one entry to :data:`SOURCES`; ``tests/sweep/test_registry.py`` fails
when the smoke book's run directories differ from the registry's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wgan.book.scales import run_folder
from wgan.experiments.images import EXPERIMENTS, image_config
from wgan.experiments.lipschitz_runs import lipschitz_runs
from wgan.experiments.mixture import ring_runs
from wgan.experiments.momentum import sweep_runs
from wgan.paths import runs_dir
from wgan.speed.equivalence import curve_runs
from wgan.training.config import TrainConfig
from wgan.training.run import config_hash

CHAPTER_OF_FIGURE: dict[str, str] = {
    "4": "04_loss_curves", "5": "04_loss_curves", "9": "04_loss_curves",
    "6": "05_architectures", "7": "05_architectures", "8": "05_architectures",
}
"""The chapter that draws each of the paper's image figures."""

Entry = tuple[str, TrainConfig, tuple[str, ...]]
"""``(cached_run name, config, chapters that read the run)``."""


def _image_runs(scale: str, seed: int, device: str) -> list[Entry]:
    entries = []
    for key, experiment in EXPERIMENTS.items():
        chapters = {CHAPTER_OF_FIGURE[f.strip()] for f in experiment.figures.split(",")}
        entries.append((key, image_config(key, scale, seed=seed, device=device),
                        tuple(sorted(chapters))))
    return entries


def _ring_runs(scale: str, seed: int, device: str) -> list[Entry]:
    return [(name, config, ("03_mixture",))
            for name, config in ring_runs(scale, seed=seed, device=device)]


def _momentum_runs(scale: str, seed: int, device: str) -> list[Entry]:
    return [(name, config, ("06_momentum",))
            for name, _, config in sweep_runs(scale, seed=seed, device=device)]


def _speed_runs(scale: str, seed: int, device: str) -> list[Entry]:
    return [(name, config.replace(seed=s), ("07_speed",))
            for name, (config, seeds) in curve_runs(scale, seed=seed, device=device).items()
            for s in seeds]


def _lipschitz_runs(scale: str, seed: int, device: str) -> list[Entry]:
    return [(name, config, ("08_lipschitz",))
            for name, config in lipschitz_runs(scale, seed=seed, device=device)]


SOURCES: tuple[Callable[[str, int, str], list[Entry]], ...] = (
    _ring_runs, _image_runs, _momentum_runs, _speed_runs, _lipschitz_runs,
)
"""One function per family of runs: ``(scale, seed, device) -> entries``."""


@dataclass(frozen=True)
class RegisteredRun:
    """One training run of the book.

    Attributes
    ----------
    name : str
        The ``name`` given to :func:`wgan.training.run.cached_run` (shared by the seeds and
        variants of a run).
    config : TrainConfig
    run_dir : pathlib.Path
        ``<root>/<scale>/<name>-<config hash>`` (``<scale>-dry`` in a dry run).
    chapters : tuple of str
        The notebooks (``NN_topic``) that read the run.
    """

    name: str
    config: TrainConfig
    run_dir: Path
    chapters: tuple[str, ...]

    @property
    def key(self) -> str:
        """The run directory's name: unique within a scale."""
        return self.run_dir.name


def registry(
    scale: str, *, seed: int = 0, device: str = "auto", root: str | Path | None = None
) -> list[RegisteredRun]:
    """Every run of the book at ``scale``, each once, in the order the chapters ask.

    Parameters
    ----------
    scale : {"smoke", "quick", "paper"}
    seed : int, default=0
        The book's ``seed`` parameter.
    device : str, default="auto"
        The book's ``device`` parameter (part of each config, so of its directory).
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.

    Returns
    -------
    list of RegisteredRun
        A run read by several chapters appears once, with all of them.
    """
    parent = Path(root if root is not None else runs_dir()) / run_folder(scale)
    found: dict[Path, RegisteredRun] = {}
    for source in SOURCES:
        for name, config, chapters in source(scale, seed, device):
            run_dir = parent / f"{name}-{config_hash(config)}"
            if run_dir in found:
                known = found[run_dir]
                merged = tuple(dict.fromkeys(known.chapters + chapters))
                found[run_dir] = RegisteredRun(name, config, run_dir, merged)
            else:
                found[run_dir] = RegisteredRun(name, config, run_dir, chapters)
    return list(found.values())


def select(runs: list[RegisteredRun], names: list[str] | None) -> list[RegisteredRun]:
    """The runs whose key or name is in ``names`` (all of them when ``names`` is empty).

    Raises
    ------
    ValueError
        When a name matches no run.
    """
    if not names:
        return runs
    unknown = [n for n in names if not any(n in (r.key, r.name) for r in runs)]
    if unknown:
        raise ValueError(
            f"The 'runs' parameter names no run of the registry: {unknown}. "
            "`python -m wgan sweep list` shows the names."
        )
    return [r for r in runs if r.key in names or r.name in names]
