"""A fit of the book as a value: a network fitted once, outside the notebooks, and read back.

Some chapters need networks trained against distributions held fixed (a clipped critic or
a GAN discriminator between two known laws, as for Figure 3 of the paper), not a GAN run.
Such a *fit* is registered, priced and made by the sweep like a run
(:mod:`wgan.sweep.registry`, ``make runs``), in the directory its
:class:`~wgan.plan.spec.RunSpec` names (:func:`~wgan.plan.spec.run_dir`), and the chapter
reads its result back (:func:`wgan.plan.fetch.fetch_fit`).

A :class:`FitConfig` is plain data, as a :class:`~wgan.training.config.TrainConfig` is: the
import path of the function that fits (``task``), the keyword arguments it is called with,
its seed and its optimizer steps. The function returns a JSON object, written once into the
fit's directory::

    fit.json       the FitConfig (a different one is refused, never overwritten)
    result.json    what the function returned, its wall time, torch threads and commit
    .lock          held while the fit runs, so two processes asking for it fit it once

A fit is short (seconds to minutes of one core at ``quick``) and keeps no checkpoint: one
stopped before its result is written starts again from its beginning, one whose result is
written is read back and never fitted again. Fits run on the CPU (:attr:`FitConfig.device`):
their networks are small MLPs on points, which a GPU does not speed up.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from wgan.files import atomic_write_bytes
from wgan.paths import git_revision
from wgan.training.checkpoint import atomic_write_json
from wgan.training.config import TrainConfig
from wgan.training.fast import network_family
from wgan.training.rundir import LOCK_NAME, locked

FIT_NAME = "fit.json"
RESULT_NAME = "result.json"

FitFunction = Callable[..., dict[str, Any]]
"""``function(seed=seed, **params)``: a JSON object (numbers, strings, lists, dicts)."""


@dataclass(frozen=True)
class FitConfig:
    """Every setting of one fit.

    Parameters
    ----------
    task : str
        Import path of the function that fits, ``"package.module:function"``; it is called
        as ``function(seed=seed, **params)`` and returns a JSON object. Part of the fit's
        hash: renaming the function moves its directory, as a changed setting would.
    params : dict, default={}
        Its keyword arguments: JSON values only.
    seed : int, default=0
    steps : int, default=1
        Optimizer steps of the fit, all its networks together: what its cost grows with
        (:func:`wgan.sweep.costs.fit_cost` prices a fit from another's seconds per step).
    """

    task: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    steps: int = 1

    def __post_init__(self) -> None:
        """Check every setting on construction; raise ``ValueError`` naming the bad one."""
        module, _, name = self.task.partition(":")
        if not module or not name:
            raise ValueError(
                "The 'task' parameter of FitConfig must be an import path "
                f"'package.module:function'. Got {self.task!r} instead."
            )
        for name, value in (("seed", self.seed), ("steps", self.steps)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"The '{name}' parameter of FitConfig must be an int. "
                                 f"Got {value!r} instead.")
        if self.steps < 1:
            raise ValueError(f"The 'steps' parameter of FitConfig must be positive. "
                             f"Got {self.steps!r} instead.")
        try:
            json.dumps(self.params, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise ValueError(
                "The 'params' parameter of FitConfig must hold JSON values only (numbers, "
                f"strings, lists, dicts), as fit.json stores them: {err}."
            ) from err

    @classmethod
    def of(cls, function: FitFunction, params: Mapping[str, Any], *, seed: int = 0,
           steps: int = 1) -> FitConfig:
        """The fit of ``function`` (a module-level function) with ``params``."""
        return cls(f"{function.__module__}:{function.__qualname__}", dict(params), seed, steps)

    @property
    def device(self) -> str:
        """Where a fit runs: always ``"cpu"``."""
        return "cpu"

    def function(self) -> FitFunction:
        """The function :attr:`task` names, imported.

        Raises
        ------
        ValueError
            When the module or the function cannot be found.
        """
        module, _, name = self.task.partition(":")
        try:
            target: Any = importlib.import_module(module)
            for part in name.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as err:
            raise ValueError(f"The fit's task {self.task!r} names no function "
                             f"({type(err).__name__}: {err}).") from err
        return target

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON object (what ``fit.json`` holds and the hash covers)."""
        return {"task": self.task, "params": dict(self.params), "seed": self.seed,
                "steps": self.steps}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FitConfig:
        """The config :meth:`to_dict` wrote."""
        return cls(data["task"], dict(data["params"]), data["seed"], data["steps"])


def is_fit(config: Mapping[str, Any]) -> bool:
    """Whether a config's dict (:meth:`FitConfig.to_dict` or
    :meth:`~wgan.training.config.TrainConfig.to_dict`) is a fit's."""
    return "task" in config


def family_of(config: TrainConfig | FitConfig) -> str:
    """:func:`~wgan.training.fast.network_family` of a run; ``"toy"`` for a fit (small MLPs
    on points, trained on the CPU)."""
    return "toy" if isinstance(config, FitConfig) else network_family(config)


def length_of(config: TrainConfig | FitConfig) -> int:
    """A run's generator iterations, a fit's optimizer steps."""
    return config.steps if isinstance(config, FitConfig) else config.generator_iters


@dataclass
class FitResult:
    """A fit, read back from its directory.

    Attributes
    ----------
    run_dir : pathlib.Path
    config : FitConfig
    result : dict
        What the fit's function returned.
    seconds : float
        Its wall time.
    detail : dict
        The rest of ``result.json``: ``threads`` (torch threads) and ``git_sha``.
    """

    run_dir: Path
    config: FitConfig
    result: dict[str, Any]
    seconds: float
    detail: dict[str, Any]


def fit(config: FitConfig, run_dir: str | Path) -> FitResult:
    """Make the fit of ``config`` in ``run_dir``, or read it back when it is made.

    Holds the directory's lock while it fits; the result is written atomically, so a
    fit stopped at any moment leaves no result, and the next call fits again.

    Raises
    ------
    ValueError
        When ``run_dir`` holds another fit, or something that is not a fit.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with locked(run_dir):
        _claim(run_dir, config)
        if not (run_dir / RESULT_NAME).is_file():
            start = time.perf_counter()
            result = config.function()(seed=config.seed, **config.params)
            text = json.dumps({  # in the function's order: tables keep their columns
                "result": result, "seconds": time.perf_counter() - start,
                "threads": torch.get_num_threads(), "git_sha": git_revision(),
            }, indent=2) + "\n"
            atomic_write_bytes(run_dir / RESULT_NAME, text.encode())
    return load_fit(run_dir)


def _claim(run_dir: Path, config: FitConfig) -> None:
    """Write ``fit.json`` into a fresh directory, or check that it holds ``config``."""
    wanted = json.loads(json.dumps(config.to_dict()))
    path = run_dir / FIT_NAME
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored != wanted:
            raise ValueError(
                f"The directory {str(run_dir)!r} holds another fit ({stored}, not {wanted}). "
                "It is left untouched: use another directory, or delete it to start over."
            )
        return
    others = sorted(p.name for p in run_dir.iterdir()
                    if p.name != LOCK_NAME and not p.name.startswith("."))
    if others:
        raise ValueError(f"The directory {str(run_dir)!r} is not empty and holds no fit (no "
                         f"{FIT_NAME}; found {others[:5]}). Use an empty or new directory.")
    atomic_write_json(path, wanted)


def load_fit(run_dir: str | Path) -> FitResult:
    """Read a made fit from its directory.

    Raises
    ------
    ValueError
        If ``run_dir`` holds no fit, or one whose result is not written yet.
    """
    run_dir = Path(run_dir)
    if not (run_dir / FIT_NAME).is_file():
        raise ValueError(f"{str(run_dir)!r} holds no fit (no {FIT_NAME}).")
    if not (run_dir / RESULT_NAME).is_file():
        raise ValueError(f"The fit in {str(run_dir)!r} has not finished (no {RESULT_NAME}); "
                         "wgan.plan.fits.fit makes it again from its start.")
    config = FitConfig.from_dict(json.loads((run_dir / FIT_NAME).read_text()))
    stored = json.loads((run_dir / RESULT_NAME).read_text())
    result, seconds = stored.pop("result"), float(stored.pop("seconds"))
    return FitResult(run_dir, config, result, seconds, stored)
