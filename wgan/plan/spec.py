"""A run of the book as a value, and the one place its directory is computed.

A :class:`RunSpec` is what an experiment returns for each run a chapter reads: a name
shared by the seeds and variants of a run, the :class:`~wgan.training.config.TrainConfig`
(or, for a network fitted to fixed distributions, the :class:`~wgan.plan.fits.FitConfig`),
and the chapters that read it. :func:`run_dir` turns a spec and a
:class:`~wgan.plan.scale.Scale` into the run's directory::

    <runs>/<scale folder>/<name>-<config hash>

(``<runs>`` is :func:`wgan.paths.runs_dir`; the scale folder is ``paper-dry`` in a dry
run of ``paper``). The hash covers every setting, so equal configs share a directory and a
changed setting gets a new one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from wgan.paths import runs_dir
from wgan.plan.fits import FitConfig
from wgan.plan.scale import Scale
from wgan.training.config import TrainConfig


def config_hash(config: TrainConfig | FitConfig) -> str:
    """First 8 hex digits of the SHA-256 of the config's sorted JSON."""
    text = json.dumps(config.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class RunSpec:
    """One training run of the book.

    Parameters
    ----------
    name : str
        Readable prefix of the directory name, shared by the seeds and variants of a run,
        e.g. ``"mixture-wgan"``; no path separators.
    config : TrainConfig or FitConfig
        A training run's, or a fit's (:mod:`wgan.plan.fits`).
    chapters : tuple of str, default=()
        The notebooks (``NN_topic``) that read the run.
    """

    name: str
    config: TrainConfig | FitConfig
    chapters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or "\\" in self.name:
            raise ValueError(
                "The 'name' parameter of RunSpec must be a non-empty name without path "
                f"separators. Got {self.name!r} instead."
            )

    @property
    def key(self) -> str:
        """The run directory's own name, ``<name>-<config hash>``: unique within a scale."""
        return f"{self.name}-{config_hash(self.config)}"


def run_dir(spec: RunSpec, scale: Scale, root: str | Path | None = None) -> Path:
    """The directory of ``spec``'s run at ``scale``: ``<root>/<scale.folder>/<spec.key>``.

    Parameters
    ----------
    spec : RunSpec
    scale : Scale
    root : str or pathlib.Path or None, default=None
        Parent of the scale folders; :func:`wgan.paths.runs_dir` when ``None``.
    """
    return Path(root if root is not None else runs_dir()) / scale.folder / spec.key
