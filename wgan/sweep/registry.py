"""Every training run (and fit) the book's chapters read, listed without executing a notebook.

Each family of runs is listed by the experiment that makes it, as
:class:`~wgan.plan.spec.RunSpec` values (:data:`SOURCES`); a network fitted to fixed
distributions rather than trained as a GAN is a fit (:mod:`wgan.plan.fits`), listed the same
way. The chapters fetch the same specs (:func:`wgan.plan.fetch.fetch`,
:func:`wgan.plan.fetch.fetch_fit`), and both place them with
:func:`wgan.plan.spec.run_dir`, so this registry names exactly the directories the chapters
read. A chapter that adds a family of runs adds one entry to :data:`SOURCES`;
``tests/sweep/test_registry.py`` fails when the smoke book's run directories differ from the
registry's, and ``tests/sweep/test_run_addresses.py`` when a run's directory moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wgan.experiments.images import grid_specs, image_specs
from wgan.experiments.lipschitz_fits import lipschitz_fit_specs
from wgan.experiments.lipschitz_runs import lipschitz_specs
from wgan.experiments.mixture import ring_specs
from wgan.experiments.momentum import momentum_specs
from wgan.experiments.theory_fits import theory_specs
from wgan.plan.fits import FitConfig, family_of
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, run_dir
from wgan.speed.equivalence import curve_specs
from wgan.training.config import TrainConfig

SOURCES: tuple[Callable[..., list[RunSpec]], ...] = (
    ring_specs, image_specs, grid_specs, momentum_specs, curve_specs, lipschitz_specs,
    theory_specs, lipschitz_fit_specs,
)
"""One function per family of runs (or fits, :mod:`wgan.plan.fits`):
``(scale, *, seed, device) -> list of RunSpec``."""


@dataclass(frozen=True)
class RegisteredRun:
    """One training run of the book, placed at a scale.

    Attributes
    ----------
    spec : RunSpec
        Its name, config and the chapters that read it (all of them, when several list it).
    run_dir : pathlib.Path
        :func:`wgan.plan.spec.run_dir` of the spec at the registry's scale.
    """

    spec: RunSpec
    run_dir: Path

    @property
    def name(self) -> str:
        """The spec's name, shared by the seeds and variants of a run."""
        return self.spec.name

    @property
    def config(self) -> TrainConfig | FitConfig:
        """The spec's config: a training run's, or a fit's."""
        return self.spec.config

    @property
    def chapters(self) -> tuple[str, ...]:
        """The notebooks (``NN_topic``) that read the run."""
        return self.spec.chapters

    @property
    def key(self) -> str:
        """The run directory's name: unique within a scale."""
        return self.run_dir.name


def registry(
    scale: Scale, *, seed: int = 0, device: str = "auto", root: str | Path | None = None
) -> list[RegisteredRun]:
    """Every run of the book at ``scale``, each once, in the order the chapters ask.

    Parameters
    ----------
    scale : Scale
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
    found: dict[Path, RegisteredRun] = {}
    for source in SOURCES:
        for spec in source(scale, seed=seed, device=device):
            directory = run_dir(spec, scale, root)
            if directory in found:
                known = found[directory].spec
                spec = RunSpec(spec.name, spec.config,
                               tuple(dict.fromkeys(known.chapters + spec.chapters)))
            found[directory] = RegisteredRun(spec, directory)
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


def chapter_families(chapter: str, scale: Scale) -> tuple[str, ...]:
    """The network families (:func:`wgan.training.fast.network_family`; ``toy`` for a fit,
    :func:`wgan.plan.fits.family_of`) of the runs a chapter reads at ``scale``, in a fixed
    order (``toy``, ``mlp``, ``conv``): what its provenance box says they trained on.

    Raises
    ------
    ValueError
        For a chapter that reads no run of the registry (a misspelt ``NN_topic``).
    """
    runs = registry(scale)
    found = {family_of(run.config) for run in runs if chapter in run.chapters}
    if not found:
        chapters = sorted({c for run in runs for c in run.chapters})
        raise ValueError(f"No run of the registry is read by chapter {chapter!r} at scale "
                         f"{scale.name}; the chapters with runs: {', '.join(chapters)}.")
    return tuple(f for f in ("toy", "mlp", "conv") if f in found)
