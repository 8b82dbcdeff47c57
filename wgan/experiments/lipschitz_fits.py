"""The fits of chapter 8 (the Lipschitz constraints), made by ``make runs`` and read back.

Chapter 8's first two parts fit critics against distributions held fixed, which took most
of its time when it fitted them itself (about 680 s at ``quick``). They are fits
(:class:`~wgan.plan.fits.FitConfig`), registered for the sweep (:func:`lipschitz_fit_specs`)
and fetched by the chapter:

- ``lipschitz-population``: Part 1, every constraint of
  :data:`~wgan.experiments.lipschitz.CONSTRAINTS` fitted to one pair of known population W1
  with one seed, scored on the pair's shared sample
  (:func:`~wgan.experiments.lipschitz.population_estimates`; :func:`population_fit`), read
  back by :func:`population_table`;
- ``lipschitz-lambda``: Part 1's sweep of the penalty, one lambda of :data:`LAMBDAS` on one
  translated pair in two dimensions with one seed
  (:func:`~wgan.experiments.lipschitz.lambda_sweep`; :func:`lambda_fit`), read back by
  :func:`lambda_sweep_table`;
- ``lipschitz-surface``: Part 2(a), WGAN-GP's Figure 1(a), one critic per toy problem,
  constraint (:data:`SURFACE_CONSTRAINTS`) and seed against the data plus unit noise, with
  its value surface (:func:`surface_fit`), read back by :func:`surface_fits`;
- ``lipschitz-deep``: Part 2(b), WGAN-GP's Figure 1(b), the 12-layer critic on the Swiss
  roll per constraint (:data:`DEEP_CONSTRAINTS`) and seed, with its layers' gradient norms
  and the histogram of its weights (:func:`deep_fit`), read back by :func:`deep_fits`.

Every fit uses the seeds, generators and settings the chapter used when it fitted them
itself, in the same order, so the numbers are those it printed. Their sizes at every scale
are :data:`SETTINGS`, the notebook's before they moved here. The fits run on the CPU
whatever the book's device (their networks are MLPs on points).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.stats import chi

from wgan.experiments.critic_fit import critic_gap
from wgan.experiments.gp_figure import (
    TOY_DATA,
    DeepCritic,
    layer_gradient_norms,
    plus_unit_noise,
    surface_grid,
    value_surface,
    weights_of,
)
from wgan.experiments.lipschitz import (
    CONSTRAINTS,
    Constraint,
    FitSettings,
    PopulationPair,
    constrain_,
    constrained_critic,
    fit,
    gaussian_family,
    gradient_cosine,
    lambda_sweep,
    monitored_fit,
    population_estimates,
    scaled_gaussian_family,
)
from wgan.plan.fetch import fetch_fit
from wgan.plan.fits import FitConfig
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.theory.distances import wasserstein1

CHAPTER = "08_lipschitz"
"""The notebook that reads every fit of this module."""

LAMBDAS: tuple[float, ...] = (0.1, 1.0)
"""The penalty's lambdas swept beside :attr:`FitSettings.gp_weight` (10, WGAN-GP's)."""
POPULATION_FINAL_LR = 0.1
"""Part 1's learning rate decays to this fraction over the second half of each fit
(:attr:`~wgan.experiments.lipschitz.FitSettings.final_lr`), so that a critic at its optimum
settles."""
SURFACE_CONSTRAINTS: dict[str, Constraint] = {
    "clip c=0.01": CONSTRAINTS[1], "gradient penalty": CONSTRAINTS[3]}
"""Figure 1(a)'s critics: clipped at c = 0.01, and penalised."""
DEEP_CONSTRAINTS: dict[str, Constraint] = {c.label: c for c in CONSTRAINTS[:4]}
"""Figure 1(b)'s critics: clipped at c = 0.1, 0.01, 0.001, and penalised."""
SURFACE_LIMIT = 2.0
"""Half side of the square on which a value surface is measured."""
SURFACE_POINTS = 60
"""Grid points per side of a value surface."""
SURFACE_SHOWN = 300
"""Real points a value surface's panel draws (the first of the scoring sample)."""
HISTOGRAM_BINS = 60
"""Bins of the histogram of a deep critic's weights."""
MONITOR_POINTS = 2000
"""Points per side of the fixed sample on which Part 2(a)'s fits are monitored."""


@dataclass(frozen=True)
class LipschitzFitSettings:
    """The sizes of chapter 8's fits at one scale.

    Attributes
    ----------
    fit : FitSettings
        Part 2's critics (a constant learning rate); Part 1's and Part 2(a)'s are derived
        from it (:attr:`population`, :attr:`surface`).
    population_eval_samples : int
        Part 1's shared sample, points per side and per (pair, seed).
    seeds : int
        Seeds of every fit, ``seed``, ``seed + 1``, ... (:func:`fit_seeds`).
    n_cosine : int
        Points of the shared sample on which Part 1 measures the gradient cosine.
    n_pairs : int
        Pairs per family of Part 1, with W1 evenly spaced from 0.5 to 2.
    dims : tuple of int
        Dimensions of Part 1's translated Gaussians (the first is also the lambda sweep's).
    deep_hidden : int
        Width of Part 2(b)'s 12-layer critic.
    """

    fit: FitSettings
    population_eval_samples: int
    seeds: int
    n_cosine: int
    n_pairs: int
    dims: tuple[int, ...]
    deep_hidden: int

    @property
    def population(self) -> FitSettings:
        """Part 1's critics: :attr:`fit`, its learning rate decayed to
        :data:`POPULATION_FINAL_LR`, scored on :attr:`population_eval_samples` points."""
        return replace(self.fit, final_lr=POPULATION_FINAL_LR,
                       eval_samples=self.population_eval_samples)

    @property
    def surface(self) -> FitSettings:
        """Part 2(a)'s critics: :attr:`fit`, four times as long (at Part 1's length the
        penalised critic on the 25 Gaussians had not reached its optimum)."""
        return replace(self.fit, steps=4 * self.fit.steps)

    @property
    def deep(self) -> FitSettings:
        """Part 2(b)'s critics: :attr:`fit`, its ``hidden`` the deep critic's width."""
        return replace(self.fit, hidden=self.deep_hidden)

    @property
    def gp_weights(self) -> tuple[float, ...]:
        """Every lambda of Part 1: :data:`LAMBDAS`, then the fits' own."""
        return (*LAMBDAS, self.fit.gp_weight)


SETTINGS: dict[str, LipschitzFitSettings] = {
    "smoke": LipschitzFitSettings(
        fit=FitSettings(hidden=8, steps=30, batch_size=64, lr=1e-3, gp_weight=10.0,
                        eval_samples=128),
        population_eval_samples=512, seeds=2, n_cosine=256, n_pairs=2, dims=(2,),
        deep_hidden=8),
    "quick": LipschitzFitSettings(
        fit=FitSettings(hidden=64, steps=500, batch_size=256, lr=1e-3, gp_weight=10.0,
                        eval_samples=500),
        population_eval_samples=10_000, seeds=5, n_cosine=500, n_pairs=3, dims=(2, 16),
        deep_hidden=64),
    "paper": LipschitzFitSettings(
        fit=FitSettings(hidden=512, steps=5000, batch_size=256, lr=1e-3, gp_weight=10.0,
                        eval_samples=2000),
        population_eval_samples=10_000, seeds=5, n_cosine=1000, n_pairs=6, dims=(2, 16, 64),
        deep_hidden=512),
}
"""Chapter 8's :class:`LipschitzFitSettings`, per scale name."""


def lipschitz_fit_settings(scale: Scale) -> LipschitzFitSettings:
    """The :data:`SETTINGS` entry of ``scale``.

    A dry run of ``paper`` caps (:meth:`wgan.plan.scale.Scale.cap`) its steps to 20, its
    samples to 256 points, its seeds and its pairs per family to 2; ``smoke`` and ``quick``
    are short already.
    """
    settings = SETTINGS[scale.name]
    if scale.name != "paper":
        return settings
    fitted = settings.fit
    return replace(
        settings,
        fit=replace(fitted, steps=scale.cap(fitted.steps, 20),
                    eval_samples=scale.cap(fitted.eval_samples, 256)),
        population_eval_samples=scale.cap(settings.population_eval_samples, 256),
        seeds=scale.cap(settings.seeds, 2), n_cosine=scale.cap(settings.n_cosine, 256),
        n_pairs=scale.cap(settings.n_pairs, 2))


def fit_seeds(scale: Scale, seed: int = 0) -> list[int]:
    """The seeds of every fit: ``seed``, ``seed + 1``, ...
    (:attr:`LipschitzFitSettings.seeds` of them)."""
    return list(range(seed, seed + lipschitz_fit_settings(scale).seeds))


# ---------------------------------------------------------------- the fits
def population_pair(*, kind: str, dim: int, size: float) -> PopulationPair:
    """The pair of known population W1 that a fit's ``pair`` parameters name.

    Parameters
    ----------
    kind : {"translation", "scaling"}
        N(0, I) against N(size e_1, I) (:func:`~wgan.experiments.lipschitz.gaussian_family`),
        or against N(0, size^2 I)
        (:func:`~wgan.experiments.lipschitz.scaled_gaussian_family`).
    dim : int
    size : float
        The shift |v|, or the scale sigma.
    """
    if kind == "translation":
        return gaussian_family(dim, [size])[0]
    if kind == "scaling":
        return scaled_gaussian_family(dim, [size])[0]
    raise ValueError("The 'kind' parameter of population_pair must be 'translation' or "
                     f"'scaling'. Got {kind!r} instead.")


def population_fit(*, family: str, pair: dict[str, Any], constraints: list[dict[str, Any]],
                   settings: dict[str, Any], n_cosine: int, seed: int) -> dict[str, Any]:
    """A fit: ``{"rows": ...}``, the rows of
    :func:`~wgan.experiments.lipschitz.population_estimates` for one pair
    (:func:`population_pair` of ``pair``) of ``family``, every constraint of
    ``constraints`` (:class:`~wgan.experiments.lipschitz.Constraint` fields) and ``seed``,
    with :class:`~wgan.experiments.lipschitz.FitSettings` ``settings``."""
    table = population_estimates(
        {family: [population_pair(**pair)]}, [Constraint(**c) for c in constraints],
        FitSettings(**settings), [seed], n_cosine=n_cosine)
    return {"rows": table.to_dict("records")}


def lambda_fit(*, family: str, pair: dict[str, Any], gp_weight: float,
               settings: dict[str, Any], n_cosine: int, seed: int) -> dict[str, Any]:
    """A fit: ``{"rows": ...}``, the rows of
    :func:`~wgan.experiments.lipschitz.lambda_sweep` at the one lambda ``gp_weight``, for
    one pair of ``family`` and ``seed`` (arguments as :func:`population_fit`)."""
    table = lambda_sweep(family, [population_pair(**pair)], [gp_weight],
                         FitSettings(**settings), [seed], n_cosine=n_cosine)
    return {"rows": table.to_dict("records")}


def surface_fit(*, data: str, constraint: dict[str, Any], settings: dict[str, Any],
                seed: int) -> dict[str, Any]:
    """A fit of Figure 1(a): one critic against the data plus unit noise, and its surface.

    The critic (:func:`~wgan.experiments.lipschitz.constrained_critic`, initialised from
    ``torch.manual_seed(seed)``) is fitted by
    :func:`~wgan.experiments.lipschitz.monitored_fit` on batches of a generator seeded
    ``seed``, monitored on :data:`MONITOR_POINTS` points per side drawn from a generator
    seeded ``seed + 1_000_000``; the same batch generator then draws ``eval_samples`` points
    per side, on which it is scored.

    Parameters
    ----------
    data : str
        A key of :data:`~wgan.experiments.gp_figure.TOY_DATA`.
    constraint : dict
        :class:`~wgan.experiments.lipschitz.Constraint` fields.
    settings : dict
        :class:`~wgan.experiments.lipschitz.FitSettings` fields.
    seed : int

    Returns
    -------
    dict
        ``row``: ``data``, ``constraint`` (its label), ``seed``, ``estimate`` (the critic's,
        on the scoring sample), ``exact W1`` (POT, between the same points), ``cosine``
        (:func:`~wgan.experiments.lipschitz.gradient_cosine`), ``at the box edge`` (the
        share of the weights with ``|w| >= 0.99 c``; NaN without a box) and ``drift``
        (:func:`~wgan.experiments.lipschitz.projected_drift`); ``surface``: the critic's
        values on :func:`~wgan.experiments.gp_figure.surface_grid` of
        :data:`SURFACE_LIMIT` and :data:`SURFACE_POINTS`, a list of rows; ``real``: the
        first :data:`SURFACE_SHOWN` real points of the scoring sample, ``(n, 2)``.
    """
    sample = TOY_DATA[data]
    noised = plus_unit_noise(sample)
    rule = Constraint(**constraint)
    fitted = FitSettings(**settings)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    critic = constrained_critic(rule, (2,), fitted.hidden)
    watch = torch.Generator().manual_seed(seed + 1_000_000)  # apart from the batches
    _, drift = monitored_fit(critic, rule, sample, noised, fitted, generator,
                             sample(MONITOR_POINTS, watch), noised(MONITOR_POINTS, watch))
    real = sample(fitted.eval_samples, generator)
    fake = noised(fitted.eval_samples, generator)
    weights = weights_of(critic)
    _, _, values = value_surface(critic, SURFACE_LIMIT, SURFACE_POINTS)
    return {
        "row": {
            "data": data, "constraint": rule.label, "seed": seed,
            "estimate": critic_gap(critic, real, fake),
            "exact W1": wasserstein1(real.double().numpy(), fake.double().numpy()),
            "cosine": gradient_cosine(critic, real, fake),
            "at the box edge": (float(np.mean(np.abs(weights) >= 0.99 * rule.clip_value))
                                if rule.lipschitz == "clip" else math.nan),
            "drift": drift,
        },
        "surface": values.tolist(),
        "real": real[:SURFACE_SHOWN].tolist(),
    }


def deep_fit(*, constraint: dict[str, Any], settings: dict[str, Any], seed: int
             ) -> dict[str, Any]:
    """A fit of Figure 1(b): the 12-layer critic on the Swiss roll against it plus noise.

    The critic (:class:`~wgan.experiments.gp_figure.DeepCritic` of width
    ``settings["hidden"]``, initialised from ``torch.manual_seed(seed)``) is fitted by
    :func:`~wgan.experiments.lipschitz.fit` on batches of a generator seeded ``seed``,
    which then draws ``eval_samples`` points per side.

    Parameters
    ----------
    constraint : dict
        :class:`~wgan.experiments.lipschitz.Constraint` fields.
    settings : dict
        :class:`~wgan.experiments.lipschitz.FitSettings` fields.
    seed : int

    Returns
    -------
    dict
        ``norms``: :func:`~wgan.experiments.gp_figure.layer_gradient_norms` on those points,
        one per layer from the input side; ``counts`` and ``edges``: the histogram of the
        critic's weights (:func:`~wgan.experiments.gp_figure.weights_of`) in
        :data:`HISTOGRAM_BINS` equal bins from the smallest to the largest, as
        :func:`numpy.histogram` and matplotlib's ``hist`` make it.
    """
    rule = Constraint(**constraint)
    fitted = FitSettings(**settings)
    sample = TOY_DATA["Swiss roll"]
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    critic = constrain_(DeepCritic(2, fitted.hidden), rule)
    fit(critic, rule, sample, plus_unit_noise(sample), fitted, generator)
    real = sample(fitted.eval_samples, generator)
    fake = plus_unit_noise(sample)(fitted.eval_samples, generator)
    counts, edges = np.histogram(weights_of(critic), bins=HISTOGRAM_BINS)
    return {"norms": layer_gradient_norms(critic, real, fake).tolist(),
            "counts": counts.tolist(), "edges": edges.tolist()}


# ---------------------------------------------------------------- the specs
def population_families(scale: Scale) -> dict[str, list[dict[str, Any]]]:
    """``family -> the pair parameters of each of its pairs`` (:func:`population_pair`),
    Part 1's: the translated Gaussians in each dimension of
    :attr:`LipschitzFitSettings.dims`, then the scaled Gaussians in two, with W1 evenly
    spaced from 0.5 to 2 (:attr:`LipschitzFitSettings.n_pairs` of them)."""
    settings = lipschitz_fit_settings(scale)
    shifts = np.linspace(0.5, 2.0, settings.n_pairs).tolist()
    families = {f"Gaussians, d={d}": [{"kind": "translation", "dim": d, "size": w}
                                      for w in shifts] for d in settings.dims}
    mean_norm = chi(2).mean()  # sigma = 1 + W / E|X| gives the translations' W1
    families["scaled Gaussians, d=2"] = [
        {"kind": "scaling", "dim": 2, "size": float(1 + w / mean_norm)} for w in shifts]
    return families


def lambda_family(scale: Scale) -> str:
    """The family of the lambda sweep: the translated Gaussians in the first dimension of
    :attr:`LipschitzFitSettings.dims` (2)."""
    return f"Gaussians, d={lipschitz_fit_settings(scale).dims[0]}"


def population_specs(scale: Scale, *, seed: int = 0) -> dict[tuple[str, float, int], RunSpec]:
    """``(family, pair size, seed) -> spec`` of every ``lipschitz-population`` fit, in the
    chapter's order (family, pair, seed)."""
    settings = lipschitz_fit_settings(scale)
    fixed = {"constraints": [asdict(c) for c in CONSTRAINTS],
             "settings": asdict(settings.population), "n_cosine": settings.n_cosine}
    return {(family, pair["size"], s): RunSpec("lipschitz-population", FitConfig.of(
        population_fit, {"family": family, "pair": pair, **fixed}, seed=s,
        steps=settings.population.steps * len(CONSTRAINTS)), (CHAPTER,))
        for family, pairs in population_families(scale).items() for pair in pairs
        for s in fit_seeds(scale, seed)}


def lambda_specs(scale: Scale, *, seed: int = 0) -> dict[tuple[float, float, int], RunSpec]:
    """``(lambda, pair size, seed) -> spec`` of every ``lipschitz-lambda`` fit, in the
    chapter's order (lambda of :data:`LAMBDAS`, pair, seed)."""
    settings = lipschitz_fit_settings(scale)
    family = lambda_family(scale)
    fixed = {"family": family, "settings": asdict(settings.population),
             "n_cosine": settings.n_cosine}
    return {(weight, pair["size"], s): RunSpec("lipschitz-lambda", FitConfig.of(
        lambda_fit, {"pair": pair, "gp_weight": weight, **fixed}, seed=s,
        steps=settings.population.steps), (CHAPTER,))
        for weight in LAMBDAS for pair in population_families(scale)[family]
        for s in fit_seeds(scale, seed)}


def surface_specs(scale: Scale, *, seed: int = 0) -> dict[tuple[str, str, int], RunSpec]:
    """``(data, constraint label, seed) -> spec`` of every ``lipschitz-surface`` fit, in the
    chapter's order (problem of :data:`~wgan.experiments.gp_figure.TOY_DATA`, constraint of
    :data:`SURFACE_CONSTRAINTS`, seed)."""
    settings = lipschitz_fit_settings(scale).surface
    return {(data, label, s): RunSpec("lipschitz-surface", FitConfig.of(
        surface_fit, {"data": data, "constraint": asdict(constraint),
                      "settings": asdict(settings)}, seed=s, steps=settings.steps), (CHAPTER,))
        for data in TOY_DATA for label, constraint in SURFACE_CONSTRAINTS.items()
        for s in fit_seeds(scale, seed)}


def deep_specs(scale: Scale, *, seed: int = 0) -> dict[tuple[str, int], RunSpec]:
    """``(constraint label, seed) -> spec`` of every ``lipschitz-deep`` fit, in the
    chapter's order (constraint of :data:`DEEP_CONSTRAINTS`, seed)."""
    settings = lipschitz_fit_settings(scale).deep
    return {(label, s): RunSpec("lipschitz-deep", FitConfig.of(
        deep_fit, {"constraint": asdict(constraint), "settings": asdict(settings)}, seed=s,
        steps=settings.steps), (CHAPTER,))
        for label, constraint in DEEP_CONSTRAINTS.items() for s in fit_seeds(scale, seed)}


def lipschitz_fit_specs(scale: Scale, *, seed: int = 0, device: str = "auto"
                        ) -> list[RunSpec]:
    """Every fit of chapter 8, for the run registry: :func:`population_specs`,
    :func:`lambda_specs`, :func:`surface_specs`, then :func:`deep_specs`. ``device`` is not
    used: the fits run on the CPU."""
    del device  # every source of the registry is called with it
    return [spec for family in (population_specs, lambda_specs, surface_specs, deep_specs)
            for spec in family(scale, seed=seed).values()]


# ---------------------------------------------------------------- read back
def _rows(specs: dict[Any, RunSpec], scale: Scale, root: str | Path | None
          ) -> pd.DataFrame:
    return pd.DataFrame([row for spec in specs.values()
                         for row in fetch_fit(spec, scale, root).result["rows"]])


def population_table(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                     ) -> pd.DataFrame:
    """Part 1's table: the rows of every fit of :func:`population_specs`, in its order (one
    per family, constraint, pair and seed, as
    :func:`~wgan.experiments.lipschitz.population_estimates` gives them), fetched
    (:func:`wgan.plan.fetch.fetch_fit`; ``root``, the parent of the scale folders, is
    :func:`wgan.paths.runs_dir` when ``None``)."""
    return _rows(population_specs(scale, seed=seed), scale, root)


def lambda_sweep_table(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                 ) -> pd.DataFrame:
    """The lambda sweep's table: the rows of every fit of :func:`lambda_specs`, as
    :func:`~wgan.experiments.lipschitz.lambda_sweep` gives them at :data:`LAMBDAS`, fetched
    as :func:`population_table`."""
    return _rows(lambda_specs(scale, seed=seed), scale, root)


Surface = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(xs, ys, values)``, as :func:`~wgan.experiments.gp_figure.value_surface` returns them."""


def surface_fits(scale: Scale, *, seed: int = 0, root: str | Path | None = None
                 ) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[Surface, np.ndarray]]]:
    """Part 2(a)'s fits of :func:`surface_specs`, fetched as :func:`population_table`.

    Returns
    -------
    table : pandas.DataFrame
        One row per fit (:func:`surface_fit`'s ``row``), indexed by data, constraint and
        seed.
    panels : dict
        ``(data, constraint label) -> ((xs, ys, values), real)`` of the first seed: the
        value surface as :func:`~wgan.experiments.gp_figure.value_surface` returns it,
        each of shape ``(SURFACE_POINTS, SURFACE_POINTS)``, and the real points drawn with
        it, float32 of shape ``(SURFACE_SHOWN, 2)``.
    """
    first = fit_seeds(scale, seed)[0]
    grid = surface_grid(SURFACE_LIMIT, SURFACE_POINTS)
    rows, panels = [], {}
    for (data, label, s), spec in surface_specs(scale, seed=seed).items():
        result = fetch_fit(spec, scale, root).result
        rows.append(result["row"])
        if s == first:
            panels[(data, label)] = ((*grid, np.array(result["surface"])),
                                     np.array(result["real"], dtype=np.float32))
    return pd.DataFrame(rows).set_index(["data", "constraint", "seed"]), panels


def deep_fits(scale: Scale, *, seed: int = 0, root: str | Path | None = None
              ) -> tuple[dict[str, list[np.ndarray]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Part 2(b)'s fits of :func:`deep_specs`, fetched as :func:`population_table`.

    Returns
    -------
    norms : dict
        ``constraint label -> [norms of each seed]``, each of shape ``(12,)``
        (:func:`deep_fit`'s ``norms``), the seeds in order.
    histograms : dict
        ``constraint label -> (counts, edges)`` of the first seed's weights, of shapes
        ``(HISTOGRAM_BINS,)`` and ``(HISTOGRAM_BINS + 1,)``.
    """
    first = fit_seeds(scale, seed)[0]
    norms: dict[str, list[np.ndarray]] = {label: [] for label in DEEP_CONSTRAINTS}
    histograms = {}
    for (label, s), spec in deep_specs(scale, seed=seed).items():
        result = fetch_fit(spec, scale, root).result
        norms[label].append(np.array(result["norms"]))
        if s == first:
            histograms[label] = (np.array(result["counts"]), np.array(result["edges"]))
    return norms, histograms
