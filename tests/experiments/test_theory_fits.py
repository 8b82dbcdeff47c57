"""wgan.experiments.theory_fits: chapter 2's fits, registered, made once and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wgan.experiments import theory_fits
from wgan.experiments.critic_fit import (
    clipped_critic_estimate,
    discriminator_js,
    figure3,
    known_pair,
)
from wgan.experiments.saturation import SEEDS
from wgan.experiments.theory_fits import (
    CRITIC_FIXED,
    FIGURE3_FIXED,
    JS_FIXED,
    TheorySettings,
    clipped_critic_table,
    figure3_results,
    js_estimates,
    theory_settings,
    theory_specs,
)
from wgan.plan.fetch import READ_ONLY_VARIABLE
from wgan.plan.fits import FitConfig
from wgan.plan.scale import Scale
from wgan.theory.theorems import rotating_line_sampler

SMOKE = Scale("smoke")
TINY = TheorySettings(
    js_thetas=(-0.2, 0.0, 0.2), js={"hidden": 4, "steps": 3, "batch_size": 8},
    critic={"hidden": 4, "steps": 3, "eval_samples": 16}, shifts=(1.0, 2.0), offsets=(0.5,),
    figure3={"hidden": 4, "critic_steps": 3, "discriminator_steps": 2},
)


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> TheorySettings:
    """The smoke scale's fits at a few steps of 4-unit networks."""
    monkeypatch.setitem(theory_fits.SETTINGS, "smoke", TINY)
    monkeypatch.delenv(READ_ONLY_VARIABLE, raising=False)
    return TINY


@pytest.mark.parametrize("scale", ["smoke", "quick", "paper"])
def test_every_fit_of_the_chapter_is_registered_once_per_angle_pair_and_seed(scale: str) -> None:
    settings = theory_settings(Scale(scale))
    specs = theory_specs(Scale(scale), seed=3)
    names = [spec.name for spec in specs]
    assert names.count("theory-js") == len(settings.js_thetas)
    assert names.count("theory-critic") == len(settings.shifts) + len(settings.offsets)
    assert names.count("theory-figure3") == SEEDS[scale]
    assert len({spec.key for spec in specs}) == len(specs)
    assert all(isinstance(s.config, FitConfig) and s.chapters == ("02_theory",) for s in specs)
    assert {s.config.seed for s in specs if s.name != "theory-figure3"} == {3}
    assert 0.0 in settings.js_thetas  # the chapter reads the estimate at theta = 0


def test_the_fits_run_on_the_cpu_whatever_the_books_device() -> None:
    keys = [spec.key for spec in theory_specs(Scale("quick"), device="auto")]
    assert keys == [spec.key for spec in theory_specs(Scale("quick"), device="cuda")]


def test_a_dry_run_caps_every_fit_to_a_handful_of_steps_and_two_seeds() -> None:
    specs = theory_specs(Scale("paper", dry=True))
    assert max(spec.config.steps for spec in specs) <= 40  # Figure 3: 20 + 20
    assert sum(spec.name == "theory-figure3" for spec in specs) == 2
    assert theory_settings(Scale("paper")).figure3["critic_steps"] == 10_000


def test_the_fits_are_the_computations_the_chapter_made_before_they_moved(
    tiny: TheorySettings, tmp_path: Path
) -> None:
    thetas, js = js_estimates(SMOKE, seed=1, root=tmp_path)
    assert thetas.tolist() == list(tiny.js_thetas)
    assert js.tolist() == [discriminator_js(rotating_line_sampler(0.0), rotating_line_sampler(t),
                                            seed=1, **tiny.js, **JS_FIXED) for t in thetas]
    table = clipped_critic_table(SMOKE, seed=1, root=tmp_path)
    pairs = [("shifted Gaussians", 1.0), ("shifted Gaussians", 2.0), ("parallel lines", 0.5)]
    rows = [clipped_critic_estimate(known_pair(family, w), seed=1, **tiny.critic,
                                    **CRITIC_FIXED) for family, w in pairs]
    assert table.to_dict("records") == rows
    assert list(table.columns) == list(rows[0])  # read back in the function's order
    results = figure3_results(SMOKE, seed=1, root=tmp_path)
    assert list(results) == [1, 2]
    again = figure3(seed=2, **tiny.figure3, **FIGURE3_FIXED)
    assert list(results[2].numbers.items()) == list(again.numbers.items())
    np.testing.assert_array_equal(results[2].critic, again.critic)


def test_made_fits_are_read_back_not_fitted_again(
    tiny: TheorySettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = (js_estimates(SMOKE, root=tmp_path), clipped_critic_table(SMOKE, root=tmp_path),
            figure3_results(SMOKE, root=tmp_path))
    for name in ("discriminator_js", "clipped_critic_estimate", "figure3"):
        monkeypatch.setattr(theory_fits, name, lambda *_, **__: pytest.fail("fitted again"))
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")  # as make execute runs the chapter
    thetas, js = js_estimates(SMOKE, root=tmp_path)
    np.testing.assert_array_equal(thetas, made[0][0])
    np.testing.assert_array_equal(js, made[0][1])
    assert clipped_critic_table(SMOKE, root=tmp_path).equals(made[1])
    assert {s: r.numbers for s, r in figure3_results(SMOKE, root=tmp_path).items()} == {
        s: r.numbers for s, r in made[2].items()}


def test_read_only_a_fit_not_made_fails_naming_its_directory(
    tiny: TheorySettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    with pytest.raises(ValueError, match=r"the fit .*/smoke/theory-js-\w{8}' is missing"):
        js_estimates(SMOKE, root=tmp_path)
