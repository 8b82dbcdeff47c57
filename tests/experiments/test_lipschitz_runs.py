"""The ring runs of each constraint: their configurations and the measures read back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from wgan.experiments.images import LSUN_ROOT_VARIABLE, image_config
from wgan.experiments.lipschitz_runs import (
    CLIP_SWEEP,
    RING_METHODS,
    clip_sweep_config,
    clip_sweep_specs,
    digit_config,
    digit_measures,
    digit_reference,
    digit_seeds,
    digit_side_by_side_runs,
    digit_side_by_side_specs,
    lipschitz_settings,
    lipschitz_specs,
    ring_config,
    ring_measures,
    side_by_side_runs,
    side_by_side_specs,
    trained_critic,
)
from wgan.experiments.mixture import balanced_ring_sample
from wgan.plan.fetch import fetch
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, run_dir

SMOKE = Scale("smoke")


def test_only_the_constraint_and_its_procedure_change() -> None:
    clip = ring_config("clip", SMOKE, generator_iters=10)
    gp = ring_config("gp", SMOKE, generator_iters=10)
    sn = ring_config("sn", SMOKE, generator_iters=10)
    assert (clip.lipschitz, clip.optimizer_d, clip.clip_value) == ("clip", "rmsprop", 0.01)
    assert (gp.lipschitz, gp.optimizer_d, gp.beta1, gp.beta2, gp.gp_weight) == (
        "gp", "adam", 0.0, 0.9, 10.0)
    assert sn.replace(lipschitz="gp") == gp
    assert gp.critic == clip.critic == "mlp" and gp.dataset == "ring8"
    assert clip_sweep_config(0.1, SMOKE, generator_iters=10).replace(clip_value=0.01) == clip
    with pytest.raises(ValueError, match="'method' parameter of ring_config"):
        ring_config("wgan", SMOKE, generator_iters=10)


@pytest.mark.parametrize("method", ["gp", "sn"])
def test_ring_measures_of_a_tiny_run(tmp_path: Path, method: str) -> None:
    config = ring_config(method, SMOKE, generator_iters=6, device="cpu")
    result = fetch(RunSpec(f"tiny-{method}", config), SMOKE, tmp_path)
    critic = trained_critic(result)
    if method == "sn":
        assert any(nn.utils.parametrize.is_parametrized(m) for m in critic.modules())
    reference = balanced_ring_sample(10, torch.Generator().manual_seed(0))
    curve, final = ring_measures(result, reference, n=80, min_samples=2, window=3)
    assert list(curve["gen_iter"]) == result.snapshots
    assert 0 <= final["modes"] <= 8 and final["w1"] > 0
    assert final["grad_norm_p10"] <= final["grad_norm_median"] <= final["grad_norm_p90"]
    estimate = result.metrics["w_estimate"].tail(3).mean()
    assert final["k"] == pytest.approx(estimate / final["w1"])
    assert math.isnan(final["first_full"]) or final["first_full"] in result.snapshots


@pytest.mark.parametrize("name", ["smoke", "quick", "paper"])
def test_digit_runs_differ_from_chapter_4s_in_the_critic_and_constraint_only(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LSUN_ROOT_VARIABLE, "/nonexistent/bedroom_train_lmdb")
    scale = Scale(name)
    chapter_4 = image_config("wgan-dcgan", scale)
    clip = digit_config("clip", scale)
    gp, sn = digit_config("gp", scale), digit_config("sn", scale)
    assert clip.dataset == "digits" and clip.data_root is None  # even with LSUN set
    assert clip.critic == gp.critic == "dcgan_nobn"
    assert (clip.image_size, clip.batch_size, clip.ngf, clip.critic_warmup) == (
        chapter_4.image_size, chapter_4.batch_size, chapter_4.ngf, chapter_4.critic_warmup)
    assert (gp.lipschitz, gp.optimizer_d, gp.critic_warmup) == ("gp", "adam", False)
    assert sn.replace(lipschitz="gp") == gp
    assert digit_config("clip", scale, clip_value=0.1).replace(clip_value=0.01) == clip
    with pytest.raises(ValueError, match="'method' parameter of digit_config"):
        digit_config("gan", scale)


def test_the_registry_gets_every_digit_run_once() -> None:
    specs = lipschitz_specs(SMOKE)
    assert {s.chapters for s in specs} == {("08_lipschitz",)}
    digits = [s for s in specs if s.config.dataset == "digits"]
    # the sweep's c = 0.01 is the clip run
    assert len({s.key for s in digits}) == len(RING_METHODS) + len(CLIP_SWEEP) - 1
    names = {s.name for s in digits}
    assert len(names) == len(RING_METHODS)
    sweep = [s for s in digits if s.config.lipschitz == "clip"]
    assert {s.config.clip_value for s in sweep} == set(CLIP_SWEEP)
    assert len({s.name for s in sweep}) == 1


def test_the_chapters_runs_come_in_their_order() -> None:
    specs = lipschitz_specs(SMOKE, seed=4)
    side = side_by_side_specs(SMOKE, seed=4)
    sweep = clip_sweep_specs(SMOKE, seed=4)
    assert specs[:len(side) + len(sweep)] == [*side.values(), *sweep.values()]
    assert list(side) == [(m, s) for m in RING_METHODS for s in (4, 5)]
    assert sweep[0.01] == side[("clip", 4)]  # the sweep's c = 0.01 is the clip run
    assert {s.config.generator_iters for s in specs if s.config.dataset == "ring8"} == {20}


def test_a_dry_run_caps_the_paper_counts_only() -> None:
    dry = lipschitz_settings(Scale("paper", dry=True))
    assert (dry.ring_iters, dry.ring_seeds, dry.digit_iters, dry.digit_seeds) == (1, 2, 1, 1)
    assert dry.digit_clip_values == CLIP_SWEEP[:3]
    assert lipschitz_settings(Scale("paper")).digit_clip_values == CLIP_SWEEP
    for name in ("smoke", "quick"):
        assert lipschitz_settings(Scale(name, dry=True)) == lipschitz_settings(Scale(name))
        assert lipschitz_specs(Scale(name, dry=True)) == lipschitz_specs(Scale(name))


def test_the_runs_are_fetched_where_the_specs_place_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched = []
    monkeypatch.setattr("wgan.experiments.lipschitz_runs.fetch",
                        lambda spec, scale, root: fetched.append(run_dir(spec, scale, root)))
    side_by_side_runs(SMOKE, root=tmp_path)
    digit_side_by_side_runs(SMOKE, root=tmp_path)
    specs = [*side_by_side_specs(SMOKE).values(), *digit_side_by_side_specs(SMOKE).values()]
    assert fetched == [run_dir(spec, SMOKE, tmp_path) for spec in specs]


@pytest.fixture(scope="module")
def tiny_digit_run(tmp_path_factory: pytest.TempPathFactory):
    config = digit_config("gp", SMOKE, device="cpu").replace(generator_iters=3,
                                                              snapshot_every=1)
    return fetch(RunSpec("tiny-digits-gp", config), SMOKE, tmp_path_factory.mktemp("runs"))


def test_digit_measures_of_a_tiny_run(tiny_digit_run) -> None:
    result = tiny_digit_run
    curve, final = digit_measures(result, digit_reference(SMOKE), width=1, window=2)
    assert list(curve["gen_iter"]) == result.snapshots == [0, 1, 2, 3]
    assert final["pixel_w1"] == curve["pixel_w1"].iloc[-1] > 0
    assert 0 <= final["classes"] <= 10
    assert final["grad_norm_p10"] <= final["grad_norm_median"] <= final["grad_norm_p90"]
    estimate = result.metrics["w_estimate"].tail(2).mean()
    assert final["k"] == pytest.approx(estimate / final["pixel_w1"])
    assert math.isnan(final["spearman"]) or -1 <= final["spearman"] <= 1
    assert math.isnan(final["first_all"]) or final["first_all"] in result.snapshots
    # the estimate read at each snapshot is the logged row just after it (width 1)
    assert curve["estimate"].iloc[0] == pytest.approx(result.metrics["w_estimate"].iloc[0])


def test_digit_runs_have_five_seeds_at_quick_and_three_at_paper() -> None:
    """Issue 21, item 1: an interval over seeds needs several digit runs per method."""
    assert lipschitz_settings(Scale("quick")).digit_seeds == 5
    assert lipschitz_settings(Scale("paper")).digit_seeds == 3
    assert digit_seeds(Scale("quick"), seed=2) == [2, 3, 4, 5, 6]
    digits = digit_side_by_side_specs(Scale("quick"))
    assert sorted(digits) == [(m, s) for m in sorted(RING_METHODS) for s in range(5)]
