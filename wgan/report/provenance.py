"""The record of what produced a result: scale, data, device, seed, versions and commit.

Every notebook creates one :class:`Provenance` at the top, shows it, and stamps each
figure with :attr:`Provenance.tag`, so the book says next to each figure at which scale,
on which data and on which device it was produced.
"""

from __future__ import annotations

import html
import platform
import time
from dataclasses import dataclass, field

import torch

from wgan.experiments.images import SCALES as IMAGE_SCALES
from wgan.experiments.images import image_data
from wgan.paths import git_revision
from wgan.plan.scale import DRY_RUN_NOTE, Scale
from wgan.training.device import place, resolve_device
from wgan.training.fast import auto_speed, cpu_bfloat16_note

WALL_TIME_MARKER = 'data-wgan="wall-time"'
"""Attribute of the provenance box's wall-time cell, which the book's build fills in."""


def device_description(device: torch.device) -> str:
    """Human-readable name of a device, e.g. ``cpu (2 threads)`` or the GPU's model."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads, {platform.machine()})"


def package_versions() -> dict[str, str]:
    """Versions of the packages a result depends on."""
    import numpy
    import ot

    import wgan

    return {
        "wgan": wgan.__version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "pot": ot.__version__,
    }


@dataclass
class Provenance:
    """What produced a notebook's results.

    Parameters
    ----------
    scale : {"smoke", "quick", "paper"}
    device : str
        The device request (``auto``, ``cpu``, ``cuda``); resolved on creation.
    seed : int
    dataset : str, default="none"
        The data the results come from (``digits``, ``lsun``, ``toy: ring of 8 Gaussians``).
    families : tuple of str, default=()
        The network families (:func:`wgan.training.fast.network_family`: ``toy``, ``mlp``,
        ``conv``) of the training runs the page reads
        (:func:`wgan.sweep.registry.chapter_families`); empty for a page without runs.

    Attributes
    ----------
    dry_run : bool
        ``scale.dry``: a dry run's record says so in its tag, its line and its box.
    run_devices : dict of str to str
        Where the runs of each family trained: :func:`wgan.training.device.place` of the
        request on this machine (under ``auto``, toy networks on the CPU even beside a GPU).
    run_speeds : dict of str to str
        The speed settings (precision, layout, compilation) the runs of each family trained
        with: :func:`wgan.training.fast.auto_speed` on their device, on this machine (the
        runs' configs leave them ``auto``; each run's ``status.json`` records its own).
    """

    scale: Scale
    device: str
    seed: int
    dataset: str = "none"
    families: tuple[str, ...] = ()
    resolved_device: torch.device = field(init=False)
    run_devices: dict[str, str] = field(init=False)
    run_speeds: dict[str, str] = field(init=False)
    dry_run: bool = field(init=False)
    revision: str = field(init=False)
    versions: dict[str, str] = field(init=False)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scale, Scale):
            raise ValueError(
                "The 'scale' parameter of Provenance must be a wgan.plan.scale.Scale "
                f"(Scale.from_env(name) in a notebook). Got {self.scale!r} instead."
            )
        self.resolved_device = resolve_device(self.device)
        gpu = torch.cuda.is_available()
        self.run_devices = {family: torch.device(place(self.device, family, gpu=gpu)).type
                            for family in self.families}
        self.run_speeds = {family: auto_speed(torch.device(device), family).describe()
                           for family, device in self.run_devices.items()}
        self.dry_run = self.scale.dry
        self.revision = git_revision()
        self.versions = package_versions()
        self.started = time.perf_counter()

    @property
    def tag(self) -> str:
        """Short stamp for figures: ``scale quick · digits · cpu · seed 0``.

        The device is where the page's runs trained (``cpu+cuda`` when its families were
        placed apart), or the notebook's own device for a page without runs. A dry run's
        stamp starts with ``DRY RUN (not results) · ``.
        """
        prefix = "DRY RUN (not results) · " if self.dry_run else ""
        devices = ("+".join(sorted(set(self.run_devices.values()))) if self.run_devices
                   else self.resolved_device.type)
        return f"{prefix}scale {self.scale.name} · {self.dataset} · {devices} · seed {self.seed}"

    def runs_line(self) -> str:
        """Where each family of the page's runs trained: ``toy networks: cpu; conv ...``."""
        return "; ".join(f"{family} networks: {device}"
                         for family, device in self.run_devices.items())

    def speeds_line(self) -> str:
        """The speed settings of each family of the page's runs and, when one trained on the
        CPU, whether this CPU has bfloat16 instructions
        (:func:`wgan.training.fast.cpu_bfloat16_note`): ``conv networks: float32,
        channels-last, not compiled; this CPU has no bfloat16 instructions (...), so ...``."""
        on_cpu = [cpu_bfloat16_note()] if "cpu" in self.run_devices.values() else []
        return "; ".join([*(f"{family} networks: {speed}"
                            for family, speed in self.run_speeds.items()), *on_cpu])

    def elapsed(self) -> float:
        """Seconds since this record was created."""
        return time.perf_counter() - self.started

    def line(self) -> str:
        """The one-line record."""
        versions = " ".join(f"{k}={v}" for k, v in self.versions.items())
        prefix = "DRY RUN (counts capped, not results): " if self.dry_run else ""
        return (
            f"{prefix}scale={self.scale.name} dataset={self.dataset} "
            f"device={device_description(self.resolved_device)} "
            + (f"runs=[{self.runs_line()}] speed=[{self.speeds_line()}] "
               if self.run_devices else "")
            + f"seed={self.seed} commit={self.revision} {versions}"
        )

    def __str__(self) -> str:
        return self.line()

    def rows(self) -> list[tuple[str, str]]:
        """The record as (field, value) pairs, in the order the provenance box shows them.

        A dry run's first row is ``("dry run", DRY_RUN_NOTE)``; a page with runs has a
        ``runs trained on`` row and a ``runs' precision`` row (:meth:`speeds_line`) after the
        notebook's ``device``.
        """
        dry = [("dry run", DRY_RUN_NOTE)] if self.dry_run else []
        runs = ([("runs trained on", self.runs_line()), ("runs' precision", self.speeds_line())]
                if self.run_devices else [])
        return [
            *dry,
            ("scale", self.scale.name),
            ("data", self.dataset),
            ("device", device_description(self.resolved_device)),
            *runs,
            ("seed", str(self.seed)),
            ("commit", self.revision),
            ("versions", ", ".join(f"{k} {v}" for k, v in self.versions.items())),
        ]

    def _repr_html_(self) -> str:
        """The provenance box: an admonition holding the record as a two-column table.

        The last row, the wall time, is not known when the record is shown at the top of a
        notebook; the book's build fills in papermill's run time of the whole notebook
        (``book/_ext/executed_notebooks.py`` replaces the cell marked
        :data:`WALL_TIME_MARKER`).
        """
        body = "".join(
            f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>"
            for key, value in self.rows()
        )
        wall_time = (
            f"<tr><th>wall time</th><td {WALL_TIME_MARKER}>"
            "not known yet: printed by the notebook's last cell</td></tr>"
        )
        kind, title = (("warning", "Provenance of this page: a dry run, not results")
                       if self.dry_run else ("note", "Provenance of this page's results"))
        return (
            f'<div class="admonition {kind} wgan-provenance">'
            f'<p class="admonition-title">{html.escape(title)}</p>'
            f'<table>{body}{wall_time}</table></div>'
        )

    def summary(self) -> str:
        """Closing line with the wall time so far."""
        return f"{self.tag} · wall time {self.elapsed():.1f} s"


def provenance(scale: Scale, device: str, seed: int, dataset: str = "none",
               families: tuple[str, ...] = ()) -> Provenance:
    """Create the provenance record of a notebook (see :class:`Provenance`)."""
    return Provenance(scale=scale, device=device, seed=seed, dataset=dataset,
                      families=tuple(families))


def image_provenance(scale: Scale, device: str, seed: int,
                     families: tuple[str, ...] = ()) -> Provenance:
    """The provenance box of an image chapter: scale, device, seed, data and image size
    (:func:`wgan.experiments.images.image_data`), and its runs' ``families``."""
    size = IMAGE_SCALES[scale.name].image_size
    return provenance(scale, device, seed,
                      dataset=f"{image_data(scale).note}, {size}x{size}", families=families)
