"""wgan.experiments.lipschitz_fits: chapter 8's fits, registered, made once and read back."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import chi

from wgan.experiments import lipschitz_fits
from wgan.experiments.critic_fit import critic_gap
from wgan.experiments.gp_figure import (
    TOY_DATA,
    DeepCritic,
    layer_gradient_norms,
    plus_unit_noise,
    value_surface,
    weights_of,
)
from wgan.experiments.lipschitz import (
    CONSTRAINTS,
    FitSettings,
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
from wgan.experiments.lipschitz_fits import (
    LipschitzFitSettings,
    deep_fits,
    fit_seeds,
    lambda_sweep_table,
    lipschitz_fit_settings,
    lipschitz_fit_specs,
    population_pair,
    population_table,
    surface_fits,
)
from wgan.plan.fetch import READ_ONLY_VARIABLE
from wgan.plan.fits import FitConfig
from wgan.plan.scale import Scale
from wgan.sweep.registry import registry
from wgan.theory.distances import wasserstein1

SMOKE = Scale("smoke")
TINY = LipschitzFitSettings(
    fit=FitSettings(hidden=4, steps=10, batch_size=8, lr=1e-3, gp_weight=10.0,
                    eval_samples=32),
    population_eval_samples=64, seeds=2, n_cosine=16, n_pairs=2, dims=(2,), deep_hidden=4)
NAMES = ("lipschitz-population", "lipschitz-lambda", "lipschitz-surface", "lipschitz-deep")


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> LipschitzFitSettings:
    """The smoke scale's fits at ten steps of 4-unit critics."""
    monkeypatch.setitem(lipschitz_fits.SETTINGS, "smoke", TINY)
    monkeypatch.delenv(READ_ONLY_VARIABLE, raising=False)
    return TINY


def notebook_sizes(scale: Scale, seed: int) -> dict[str, object]:
    """The sizes chapter 8 picked inline before its fits moved to the package."""
    fit_settings = scale.pick(
        smoke=FitSettings(hidden=8, steps=30, batch_size=64, lr=1e-3, gp_weight=10.0,
                          eval_samples=128),
        quick=FitSettings(hidden=64, steps=500, batch_size=256, lr=1e-3, gp_weight=10.0,
                          eval_samples=500),
        paper=FitSettings(hidden=512, steps=scale.cap(5000, 20), batch_size=256, lr=1e-3,
                          gp_weight=10.0, eval_samples=scale.cap(2000, 256)),
    )
    return {
        "fit": fit_settings,
        "population": dataclasses.replace(
            fit_settings, final_lr=0.1,
            eval_samples=scale.pick(smoke=512, quick=10_000, paper=scale.cap(10_000, 256))),
        "seeds": list(range(seed, seed + scale.pick(smoke=2, quick=5, paper=scale.cap(5, 2)))),
        "n_cosine": scale.pick(smoke=256, quick=500, paper=scale.cap(1000, 256)),
        "n_pairs": scale.pick(smoke=2, quick=3, paper=scale.cap(6, 2)),
        "dims": scale.pick(smoke=(2,), quick=(2, 16), paper=(2, 16, 64)),
        "gp_weights": (0.1, 1.0, fit_settings.gp_weight),
        "deep_hidden": scale.pick(smoke=8, quick=64, paper=512),
    }


def notebook_families(sizes: LipschitzFitSettings) -> dict[str, list]:
    """Part 1's families, as the chapter built them."""
    shifts = list(np.linspace(0.5, 2.0, sizes.n_pairs))
    families = {f"Gaussians, d={d}": gaussian_family(d, shifts) for d in sizes.dims}
    families["scaled Gaussians, d=2"] = scaled_gaussian_family(
        2, [1 + w / chi(2).mean() for w in shifts])
    return families


@pytest.mark.parametrize("scale", [Scale("smoke"), Scale("quick"), Scale("paper"),
                                   Scale("paper", dry=True)], ids=str)
def test_the_sizes_are_the_ones_the_chapter_picked(scale: Scale) -> None:
    sizes = lipschitz_fit_settings(scale)
    old = notebook_sizes(scale, seed=3)
    assert (sizes.fit, sizes.population) == (old["fit"], old["population"])
    assert fit_seeds(scale, 3) == old["seeds"]
    assert (sizes.n_cosine, sizes.n_pairs, sizes.dims, sizes.gp_weights, sizes.deep_hidden) == (
        old["n_cosine"], old["n_pairs"], old["dims"], old["gp_weights"], old["deep_hidden"])
    assert sizes.surface == dataclasses.replace(sizes.fit, steps=4 * sizes.fit.steps)


@pytest.mark.parametrize("name", ["smoke", "quick", "paper"])
def test_every_fit_is_registered_once_for_the_chapter(name: str, tmp_path: Path) -> None:
    scale = Scale(name)
    sizes = lipschitz_fit_settings(scale)
    specs = lipschitz_fit_specs(scale, seed=3)
    counts = {n: sum(spec.name == n for spec in specs) for n in NAMES}
    assert counts == {
        "lipschitz-population": (len(sizes.dims) + 1) * sizes.n_pairs * sizes.seeds,
        "lipschitz-lambda": 2 * sizes.n_pairs * sizes.seeds,
        "lipschitz-surface": len(TOY_DATA) * 2 * sizes.seeds,
        "lipschitz-deep": 4 * sizes.seeds}
    assert all(isinstance(s.config, FitConfig) and s.chapters == ("08_lipschitz",)
               for s in specs)
    assert {s.config.seed for s in specs} == set(fit_seeds(scale, 3))
    listed = {r.key: r for r in registry(scale, seed=3, root=tmp_path) if r.name in NAMES}
    assert sorted(listed) == sorted(spec.key for spec in specs)  # each once, none merged
    assert all(r.chapters == ("08_lipschitz",) for r in listed.values())


def test_the_fits_run_on_the_cpu_whatever_the_books_device() -> None:
    keys = [spec.key for spec in lipschitz_fit_specs(Scale("quick"), device="auto")]
    assert keys == [spec.key for spec in lipschitz_fit_specs(Scale("quick"), device="cuda")]


def test_a_dry_run_caps_every_fit() -> None:
    specs = lipschitz_fit_specs(Scale("paper", dry=True))
    assert max(spec.config.steps for spec in specs) <= 5 * 4 * 20  # Part 1: 5 critics
    assert {spec.config.seed for spec in specs} == {0, 1}
    assert lipschitz_fit_settings(Scale("paper")).fit.steps == 5000


def test_a_pair_is_named_by_its_kind_dimension_and_size() -> None:
    assert population_pair(kind="translation", dim=2, size=1.25).name == "|v| = 1.25"
    assert population_pair(kind="scaling", dim=2, size=2.0).w == pytest.approx(
        math.sqrt(math.pi / 2))
    with pytest.raises(ValueError, match="'kind' parameter of population_pair"):
        population_pair(kind="rotation", dim=2, size=1.0)


def test_parts_one_and_the_lambda_sweep_are_the_chapters_computations(
    tiny: LipschitzFitSettings, tmp_path: Path
) -> None:
    seeds = fit_seeds(SMOKE, 1)
    families = notebook_families(tiny)
    pd.testing.assert_frame_equal(
        population_table(SMOKE, seed=1, root=tmp_path),
        population_estimates(families, CONSTRAINTS, tiny.population, seeds,
                             n_cosine=tiny.n_cosine), check_exact=True)
    pd.testing.assert_frame_equal(
        lambda_sweep_table(SMOKE, seed=1, root=tmp_path),
        lambda_sweep("Gaussians, d=2", families["Gaussians, d=2"], [0.1, 1.0],
                     tiny.population, seeds, n_cosine=tiny.n_cosine), check_exact=True)


def test_part_two_is_the_chapters_computation(tiny: LipschitzFitSettings, tmp_path: Path
                                              ) -> None:
    """The surfaces and the deep critics, against the chapter's loops before they moved."""
    seeds, fit_settings = fit_seeds(SMOKE, 1), tiny.fit
    surface_settings = dataclasses.replace(fit_settings, steps=4 * fit_settings.steps)
    surfaces, surface_rows = {}, []
    for name, sample in TOY_DATA.items():
        for label, constraint in {"clip c=0.01": CONSTRAINTS[1],
                                  "gradient penalty": CONSTRAINTS[3]}.items():
            for s in seeds:
                generator = torch.Generator().manual_seed(s)
                torch.manual_seed(s)
                critic = constrained_critic(constraint, (2,), fit_settings.hidden)
                watch = torch.Generator().manual_seed(s + 1_000_000)
                _, drift = monitored_fit(critic, constraint, sample, plus_unit_noise(sample),
                                         surface_settings, generator, sample(2000, watch),
                                         plus_unit_noise(sample)(2000, watch))
                real = sample(fit_settings.eval_samples, generator)
                fake = plus_unit_noise(sample)(fit_settings.eval_samples, generator)
                weights = weights_of(critic)
                if s == seeds[0]:
                    surfaces[(name, label)] = (value_surface(critic, 2.0, 60), real.numpy())
                surface_rows.append({
                    "data": name, "constraint": label, "seed": s,
                    "estimate": critic_gap(critic, real, fake),
                    "exact W1": wasserstein1(real.double().numpy(), fake.double().numpy()),
                    "cosine": gradient_cosine(critic, real, fake),
                    "at the box edge": (
                        float(np.mean(np.abs(weights) >= 0.99 * constraint.clip_value))
                        if constraint.lipschitz == "clip" else math.nan),
                    "drift": drift,
                })
    table, panels = surface_fits(SMOKE, seed=1, root=tmp_path)
    pd.testing.assert_frame_equal(
        table, pd.DataFrame(surface_rows).set_index(["data", "constraint", "seed"]),
        check_exact=True)
    assert list(panels) == list(surfaces)
    for key, ((xs, ys, values), real) in panels.items():
        (old_xs, old_ys, old_values), old_real = surfaces[key]
        for new, old in ((xs, old_xs), (ys, old_ys), (values, old_values)):
            np.testing.assert_array_equal(new, old)
        np.testing.assert_array_equal(real, old_real[:300])  # the points the panel draws
        assert real.dtype == old_real.dtype

    seed_norms, deep_weights = {}, {}
    for constraint in CONSTRAINTS[:4]:
        seed_norms[constraint.label] = []
        for s in seeds:
            generator = torch.Generator().manual_seed(s)
            torch.manual_seed(s)
            critic = constrain_(DeepCritic(2, tiny.deep_hidden), constraint)
            sample = TOY_DATA["Swiss roll"]
            fit(critic, constraint, sample, plus_unit_noise(sample), fit_settings, generator)
            real = sample(fit_settings.eval_samples, generator)
            fake = plus_unit_noise(sample)(fit_settings.eval_samples, generator)
            seed_norms[constraint.label].append(layer_gradient_norms(critic, real, fake))
            if s == seeds[0]:
                deep_weights[constraint.label] = weights_of(critic)
    norms, histograms = deep_fits(SMOKE, seed=1, root=tmp_path)
    assert list(norms) == list(seed_norms)
    for label, per_seed in norms.items():
        assert len(per_seed) == len(seeds)
        for new, old in zip(per_seed, seed_norms[label], strict=True):
            np.testing.assert_array_equal(new, old)
    fig, ax = plt.subplots()
    for label, (counts, edges) in histograms.items():  # the bars the figure drew
        drawn, drawn_edges, _ = ax.hist(deep_weights[label], bins=60)
        np.testing.assert_array_equal(counts, drawn)
        np.testing.assert_array_equal(edges, drawn_edges)
        again, _, _ = ax.hist(edges[:-1], bins=edges, weights=counts)  # as it draws them now
        np.testing.assert_array_equal(again, drawn)
    plt.close(fig)


def test_made_fits_are_read_back_not_fitted_again(
    tiny: LipschitzFitSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = (population_table(SMOKE, root=tmp_path), lambda_sweep_table(SMOKE, root=tmp_path),
            surface_fits(SMOKE, root=tmp_path)[0], deep_fits(SMOKE, root=tmp_path)[0])
    for name in ("population_estimates", "lambda_sweep", "monitored_fit", "fit"):
        monkeypatch.setattr(lipschitz_fits, name, lambda *_, **__: pytest.fail("fitted again"))
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")  # as make execute runs the chapter
    assert population_table(SMOKE, root=tmp_path).equals(made[0])
    assert lambda_sweep_table(SMOKE, root=tmp_path).equals(made[1])
    assert surface_fits(SMOKE, root=tmp_path)[0].equals(made[2])
    again = deep_fits(SMOKE, root=tmp_path)[0]
    assert all(np.array_equal(a, b) for label in again
               for a, b in zip(again[label], made[3][label], strict=True))


def test_read_only_a_fit_not_made_fails_naming_its_directory(
    tiny: LipschitzFitSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    with pytest.raises(ValueError, match=r"the fit .*/smoke/lipschitz-deep-\w{8}' is missing"):
        deep_fits(SMOKE, root=tmp_path)
