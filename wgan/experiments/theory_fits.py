"""The fits of chapter 2 (the theory), made by ``make runs`` and read back by the chapter.

Chapter 2 checks Theorems 1-3 with exact transport solves, which it makes itself (each a
fraction of a second), and three claims with networks trained against distributions held
fixed (:mod:`wgan.experiments.critic_fit`), which took nearly all of its time: at ``quick``
about 6 of its 6.5 minutes on one core. Those are fits (:class:`~wgan.plan.fits.FitConfig`),
one per network or pair of networks, registered for the sweep (:func:`theory_specs`) and
fetched by the chapter (:func:`js_estimates`, :func:`clipped_critic_table`,
:func:`figure3_results`):

- ``theory-js``: at each angle theta of Theorem 1's rotating line, a fresh GAN
  discriminator between the line at 0 and the line at theta, whose held-out loss bounds JS
  from below (:func:`js_fit`);
- ``theory-critic``: the clipped critic on each pair with known W, Gaussians shifted by
  ``w`` and Example 1's lines ``w`` apart (:func:`clipped_critic_fit`);
- ``theory-figure3``: Figure 3's discriminator and critic between N(-2, 0.5^2) and
  N(2, 0.5^2), one fit per seed (:func:`figure3_fit`,
  :func:`wgan.experiments.saturation.figure3_seeds`).

Their sizes at every scale are :data:`SETTINGS`, the notebook's before they moved here. The
fits run on the CPU whatever the book's device (their networks are MLPs on one- or
two-dimensional points).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wgan.experiments.critic_fit import (
    Figure3Result,
    clipped_critic_estimate,
    discriminator_js,
    figure3,
    known_pair,
)
from wgan.experiments.saturation import figure3_seeds
from wgan.plan.fetch import fetch_fit
from wgan.plan.fits import FitConfig
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.theory.theorems import rotating_line_sampler

CHAPTER = "02_theory"
"""The notebook that reads every fit of this module."""

JS_FIXED: dict[str, Any] = {"lr": 1e-3, "eval_samples": 2000}
"""The discriminator's Adam rate and held-out samples per law, at every scale."""
CRITIC_FIXED: dict[str, Any] = {"clip_value": 0.01, "batch_size": 64, "lr": 2e-4}
"""The clipped critic's c, batch and RMSProp rate (4 times the paper's, so that it nears its
optimum in the steps a scale affords), at every scale."""
FIGURE3_FIXED: dict[str, Any] = {
    "real_mean": -2.0, "fake_mean": 2.0, "std": 0.5, "batch_size": 64, "clip_value": 0.01,
    "critic_lr": 5e-5, "discriminator_lr": 1e-3, "eval_samples": 1000, "grid_points": 401,
}
"""Figure 3's two Gaussians, batch, the paper's c and critic rate, the discriminator's Adam
rate, held-out samples and grid, at every scale."""


@dataclass(frozen=True)
class TheorySettings:
    """The sizes of chapter 2's fits at one scale.

    Attributes
    ----------
    js_thetas : tuple of float
        Angles of Theorem 1's line with a discriminator each (0 among them).
    js : dict
        The discriminator's ``hidden`` width, Adam ``steps`` and ``batch_size``.
    critic : dict
        The clipped critic's ``hidden`` width, RMSProp ``steps`` and ``eval_samples``.
    shifts, offsets : tuple of float
        W of the shifted Gaussians and of the parallel lines the critic is fitted to.
    figure3 : dict
        Figure 3's ``hidden`` width, ``critic_steps`` and ``discriminator_steps``.
    """

    js_thetas: tuple[float, ...]
    js: dict[str, int]
    critic: dict[str, int]
    shifts: tuple[float, ...]
    offsets: tuple[float, ...]
    figure3: dict[str, int]


SETTINGS: dict[str, TheorySettings] = {
    "smoke": TheorySettings(
        js_thetas=(-0.3, -0.1, 0.0, 0.1, 0.3),
        js={"hidden": 32, "steps": 200, "batch_size": 128},
        critic={"hidden": 32, "steps": 100, "eval_samples": 500},
        shifts=(0.5, 2.0, 8.0), offsets=(0.5, 2.0),
        figure3={"hidden": 32, "critic_steps": 200, "discriminator_steps": 200},
    ),
    "quick": TheorySettings(
        js_thetas=tuple(np.linspace(-0.6, 0.6, 25).tolist()),
        js={"hidden": 64, "steps": 600, "batch_size": 256},
        critic={"hidden": 512, "steps": 600, "eval_samples": 2000},
        shifts=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0), offsets=(0.25, 0.5, 1.0, 2.0, 4.0),
        figure3={"hidden": 512, "critic_steps": 3000, "discriminator_steps": 1000},
    ),
    "paper": TheorySettings(
        js_thetas=tuple(np.linspace(-0.6, 0.6, 49).tolist()),
        js={"hidden": 128, "steps": 2000, "batch_size": 256},
        critic={"hidden": 512, "steps": 3000, "eval_samples": 3000},
        shifts=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0), offsets=(0.25, 0.5, 1.0, 2.0, 4.0),
        figure3={"hidden": 512, "critic_steps": 10_000, "discriminator_steps": 3000},
    ),
}
"""Chapter 2's :class:`TheorySettings`, per scale name."""


def theory_settings(scale: Scale) -> TheorySettings:
    """The :data:`SETTINGS` entry of ``scale``; a dry run of ``paper`` caps every fit's
    steps to 20 (:meth:`wgan.plan.scale.Scale.cap`)."""
    settings = SETTINGS[scale.name]
    if scale.name != "paper":
        return settings
    return replace(
        settings, js={**settings.js, "steps": scale.cap(settings.js["steps"], 20)},
        critic={**settings.critic, "steps": scale.cap(settings.critic["steps"], 20)},
        figure3={**settings.figure3,
                 "critic_steps": scale.cap(settings.figure3["critic_steps"], 20),
                 "discriminator_steps": scale.cap(settings.figure3["discriminator_steps"], 20)},
    )


def js_fit(*, theta: float, seed: int, **settings: Any) -> dict[str, float]:
    """A fit: ``{"js": ...}``, :func:`~wgan.experiments.critic_fit.discriminator_js` between
    Theorem 1's line at angle 0 and at ``theta`` (``settings``: ``hidden``, ``steps``,
    ``batch_size``, ``lr``, ``eval_samples``)."""
    return {"js": discriminator_js(rotating_line_sampler(0.0), rotating_line_sampler(theta),
                                   seed=seed, **settings)}


def clipped_critic_fit(*, family: str, w: float, seed: int, **settings: Any) -> dict[str, Any]:
    """A fit: :func:`~wgan.experiments.critic_fit.clipped_critic_estimate` on
    :func:`~wgan.experiments.critic_fit.known_pair` ``(family, w)``."""
    return clipped_critic_estimate(known_pair(family, w), seed=seed, **settings)


def figure3_fit(*, seed: int, **settings: Any) -> dict[str, Any]:
    """A fit: :func:`~wgan.experiments.critic_fit.figure3` of ``seed``, as JSON values
    (:meth:`~wgan.experiments.critic_fit.Figure3Result.to_dict`)."""
    return figure3(seed=seed, **settings).to_dict()


def js_specs(scale: Scale, *, seed: int = 0) -> dict[float, RunSpec]:
    """``theta -> spec`` of every ``theory-js`` fit, every angle with seed ``seed``."""
    settings = theory_settings(scale)
    return {theta: RunSpec("theory-js", FitConfig.of(
        js_fit, {"theta": theta, **settings.js, **JS_FIXED}, seed=seed,
        steps=settings.js["steps"]), (CHAPTER,)) for theta in settings.js_thetas}


def critic_specs(scale: Scale, *, seed: int = 0) -> dict[tuple[str, float], RunSpec]:
    """``(family, w) -> spec`` of every ``theory-critic`` fit: the shifted Gaussians, then
    the parallel lines, each with seed ``seed``."""
    settings = theory_settings(scale)
    pairs = ([("shifted Gaussians", w) for w in settings.shifts]
             + [("parallel lines", w) for w in settings.offsets])
    return {(family, w): RunSpec("theory-critic", FitConfig.of(
        clipped_critic_fit, {"family": family, "w": w, **settings.critic, **CRITIC_FIXED},
        seed=seed, steps=settings.critic["steps"]), (CHAPTER,)) for family, w in pairs}


def figure3_specs(scale: Scale, *, seed: int = 0) -> dict[int, RunSpec]:
    """``seed -> spec`` of every ``theory-figure3`` fit
    (:func:`~wgan.experiments.saturation.figure3_seeds`)."""
    settings = theory_settings(scale).figure3
    steps = settings["critic_steps"] + settings["discriminator_steps"]
    return {s: RunSpec("theory-figure3", FitConfig.of(
        figure3_fit, {**settings, **FIGURE3_FIXED}, seed=s, steps=steps), (CHAPTER,))
        for s in figure3_seeds(scale, seed)}


def theory_specs(scale: Scale, *, seed: int = 0, device: str = "auto") -> list[RunSpec]:
    """Every fit of chapter 2, for the run registry: :func:`js_specs`, :func:`critic_specs`,
    then :func:`figure3_specs`. ``device`` is not used: the fits run on the CPU."""
    del device  # every source of the registry is called with it
    return [spec for family in (js_specs, critic_specs, figure3_specs)
            for spec in family(scale, seed=seed).values()]


def js_estimates(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The angles of :func:`js_specs` and the JS estimate at each, fetched
    (:func:`wgan.plan.fetch.fetch_fit`; ``root``, the parent of the scale folders, is
    :func:`wgan.paths.runs_dir` when ``None``)."""
    specs = js_specs(scale, seed=seed)
    return (np.array(list(specs)),
            np.array([fetch_fit(spec, scale, root).result["js"] for spec in specs.values()]))


def clipped_critic_table(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                         ) -> pd.DataFrame:
    """One row per pair of :func:`critic_specs`
    (:func:`~wgan.experiments.critic_fit.clipped_critic_estimate`'s), fetched as
    :func:`js_estimates`."""
    return pd.DataFrame([fetch_fit(spec, scale, root).result
                         for spec in critic_specs(scale, seed=seed).values()])


def figure3_results(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                    ) -> dict[int, Figure3Result]:
    """``seed -> result`` of :func:`figure3_specs`, fetched as :func:`js_estimates`."""
    return {s: Figure3Result.from_dict(fetch_fit(spec, scale, root).result)
            for s, spec in figure3_specs(scale, seed=seed).items()}
