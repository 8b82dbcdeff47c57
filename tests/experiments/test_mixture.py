"""Tests for wgan.experiments.mixture: the ring runs'
configurations and specs, reference samples, measures, adequacy conditions and verdict rules
(on made-up tables: no training)."""

import math
import re

import numpy as np
import pandas as pd
import pytest
import torch

from wgan.experiments.coverage import RING_STD, mixture_metrics, mode_counts, radial_error
from wgan.experiments.mixture import (
    ABLATIONS,
    BUMPS_FIRST,
    BUMPS_NOT_REACHED,
    CIRCLE_FIRST,
    METHODS,
    MIN_FAIR_SHARE,
    NOT_TESTED,
    SAME_SNAPSHOT,
    SCALES,
    Judgement,
    ablation_iters,
    balanced_ring_sample,
    beats_circle,
    circle_first_orders,
    circle_first_verdict,
    coverage_over_training,
    critic_saturation,
    generator_samples,
    learned_circle,
    mixture_config,
    number_in_words,
    ring_scorecard,
    ring_specs,
    ring_verdict,
    run_mixture,
    scale_that_tests,
    spread_in_words,
    uniform_ring_sample,
)
from wgan.plan.fetch import READ_ONLY_VARIABLE
from wgan.plan.scale import Scale
from wgan.plan.spec import run_dir
from wgan.theory.toy import gaussian_ring
from wgan.training.checkpoint import CHECKPOINT_NAME, load_checkpoint

QUICK, SMOKE = Scale("quick"), Scale("smoke")


def test_wgan_config_is_algorithm_1_on_the_ring_with_mlps():
    config = mixture_config("wgan", QUICK, seed=3)
    settings = SCALES["quick"]
    assert (config.algorithm, config.dataset, config.generator, config.critic) == (
        "wgan", "ring8", "mlp", "mlp")
    assert (config.optimizer_g, config.optimizer_d) == ("rmsprop", "rmsprop")
    assert (config.clip_value, config.n_critic, config.critic_warmup) == (0.01, 5, True)
    assert config.lr_g == config.lr_d == settings.lr_wgan
    assert (config.nz, config.mlp_hidden, config.seed) == (settings.nz, settings.mlp_hidden, 3)
    assert config.snapshot_every == settings.generator_iters // settings.snapshots


def test_gan_config_is_the_image_runs_baseline():
    config = mixture_config("gan", QUICK)
    assert (config.algorithm, config.optimizer_g, config.optimizer_d) == ("gan", "adam", "adam")
    assert (config.lr_g, config.lr_d, config.beta1, config.n_critic) == (2e-4, 2e-4, 0.5, 1)
    assert config.batch_size == SCALES["quick"].batch_size


def test_mixture_config_overrides_rescale_snapshots():
    config = mixture_config("wgan", QUICK, generator_iters=20_000, clip_value=0.1)
    assert config.generator_iters == 20_000 and config.clip_value == 0.1
    assert config.snapshot_every == 20_000 // SCALES["quick"].snapshots


def test_mixture_config_rejects_unknown_method():
    with pytest.raises(ValueError, match="'method' parameter of mixture_config must be one of"):
        mixture_config("vae", QUICK)


@pytest.mark.parametrize("scale", [Scale("smoke"), Scale("paper"), Scale("paper", dry=True)],
                         ids=str)
def test_ring_specs_are_the_main_runs_then_the_ablations(scale):
    specs = ring_specs(scale, seed=3, device="cpu")
    seeds = 2 if scale.dry else SCALES[scale.name].seeds
    ablation_seeds = seeds if scale.name == "paper" and not scale.dry else 1
    assert len(specs) == len(METHODS) * seeds + len(ABLATIONS) * ablation_seeds
    main, ablations = specs[:len(METHODS) * seeds], specs[len(METHODS) * seeds:]
    assert [(s.name, s.config.seed) for s in main] == [
        (f"mixture-{m}", 3 + i) for m in METHODS for i in range(seeds)]
    assert all(s.name == "mixture-wgan" and s.config.generator_iters == ablation_iters(scale)
               == main[0].config.generator_iters for s in ablations)
    assert [s.config.clip_value for s in ablations] == [0.05] * ablation_seeds
    assert all(s.chapters == ("03_mixture",) and s.config.device == "cpu" for s in specs)
    assert len({s.key for s in specs}) == len(specs)


def test_run_mixture_fetches_its_spec_below_root(tmp_path, monkeypatch):
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")  # fetch names the directory, trains nothing
    first = ring_specs(SMOKE, seed=1)[0]
    with pytest.raises(ValueError, match=re.escape(str(run_dir(first, SMOKE, tmp_path)))):
        run_mixture(METHODS[0], SMOKE, seed=1, root=tmp_path)
    assert run_dir(first, SMOKE, tmp_path).parent == tmp_path / "smoke"


def test_balanced_ring_sample_has_exactly_n_per_mode():
    sample = balanced_ring_sample(7, torch.Generator().manual_seed(0))
    assert sample.shape == (56, 2)
    # 20 sigma = 0.4: every point is assigned to its own mode, none lost.
    np.testing.assert_array_equal(mode_counts(sample, n_sigma=20.0), np.full(8, 7))


def test_balanced_ring_sample_rejects_zero_per_mode():
    with pytest.raises(ValueError, match="'n_per_mode' parameter of balanced_ring_sample"):
        balanced_ring_sample(0, torch.Generator())


def test_uniform_ring_sample_is_the_circle_without_its_bumps():
    sample = uniform_ring_sample(2000, torch.Generator().manual_seed(0))
    assert sample.shape == (2000, 2) and sample.dtype == torch.float32
    assert radial_error(sample) == pytest.approx(RING_STD * math.sqrt(2 / math.pi), rel=0.1)
    angles = np.arctan2(sample[:, 1].numpy(), sample[:, 0].numpy())
    assert np.histogram(angles, bins=16, range=(-math.pi, math.pi))[0].min() > 80
    assert mode_counts(sample).sum() < 0.1 * len(sample)  # few points near a mean


def test_uniform_ring_sample_draws_angles_then_radii_from_the_generator():
    draw = torch.Generator().manual_seed(7)
    angle = 2 * math.pi * torch.rand(50, generator=draw)
    radius = 2 + RING_STD * torch.randn(50, generator=draw)
    expected = radius[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    assert torch.equal(uniform_ring_sample(50, torch.Generator().manual_seed(7)), expected)


def test_uniform_ring_sample_rejects_zero_points():
    with pytest.raises(ValueError, match="'n' parameter of uniform_ring_sample"):
        uniform_ring_sample(0, torch.Generator())


def test_quick_runs_are_15000_iterations_with_10_snapshots():
    """The sizes chosen from cost before the quick runs' verdicts (issue 30, item 8)."""
    config = mixture_config("wgan", QUICK)
    assert (config.generator_iters, config.snapshot_every) == (15_000, 1500)
    assert mixture_config("gan", QUICK).generator_iters == 15_000


CIRCLE = {"modes": 0.0, "high_quality": 0.07, "min_share": 0.95, "w1": 0.40,
          "radial_error": 0.016}  # as measured


def _final(wgan, gan=({"modes": 1.0, "high_quality": 0.9, "min_share": 0.0, "w1": 1.5,
                       "radial_error": 0.01},)):
    """A last-snapshot table: WGAN rows with the given measures, then GAN rows."""
    return pd.DataFrame([{"method": "wgan", "seed": i, **m} for i, m in enumerate(wgan)]
                        + [{"method": "gan", "seed": i, **m} for i, m in enumerate(gan)])


GOOD = {"modes": 8.0, "high_quality": 0.9, "min_share": 0.9, "w1": 0.05, "radial_error": 0.016}
BLURRED = {"modes": 6.0, "high_quality": 0.3, "min_share": 0.8, "w1": 0.2,
           "radial_error": 0.06}
NO_CIRCLE = {"modes": 0.0, "high_quality": 0.0, "min_share": 0.3, "w1": 1.2,
             "radial_error": 0.143}  # 5,000 quick iterations of 6ecac2d: not even the circle


@pytest.mark.parametrize(("wgan", "expected"), [
    ((GOOD, GOOD | {"min_share": 0.4}), "reproduced"),  # all modes: the shares do not matter
    ((GOOD, BLURRED), "partly reproduced"),  # blurred, no mode dropped, beats the circle
    ((GOOD, BLURRED | {"min_share": 0.49}), "not reproduced"),  # a run dropped a mode
    ((GOOD, BLURRED | {"w1": 0.33}), "not reproduced"),  # W1 not 20% below the circle's
    ((GOOD, BLURRED | {"high_quality": 0.13}), "not reproduced"),  # not twice its 3-sigma mass
    ((GOOD, BLURRED | {"modes": 3.0}), "not reproduced"),  # fewer than half the modes
    ((GOOD | {"w1": 0.39}, GOOD), "not reproduced"),  # all modes, but W1 no better
    ((GOOD | {"w1": math.nan}, GOOD), "not reproduced"),  # non-finite samples beat nothing
    ((CIRCLE, CIRCLE), "not reproduced"),  # the circle itself
    ((GOOD, GOOD, NO_CIRCLE), "not reproduced"),  # adequate: the laggard counts against
    ((GOOD | {"radial_error": 0.064}, GOOD), "reproduced"),  # 4 x the circle's: learned
])
def test_ring_verdict_judges_the_wgan_runs_against_the_circle(wgan, expected):
    for scale in (QUICK, Scale("paper")):
        judgement = ring_verdict(_final(wgan), CIRCLE, scale)
        assert (judgement.verdict, judgement.adequate) == (expected, True)
        learned = sum(run["radial_error"] <= 0.064 for run in wgan)
        assert judgement.adequacy.startswith(
            f"{learned} of {len(wgan)} WGAN runs learned the circle by their last snapshot "
            "(radial error at most 4 x the uniform circle's 0.016 = 0.064; per run ")


@pytest.mark.parametrize("wgan", [
    (NO_CIRCLE,) * 5,  # the quick runs of 6ecac2d: not reproduced before, not tested now
    (GOOD, GOOD, NO_CIRCLE, NO_CIRCLE, NO_CIRCLE),  # fewer than half learned the circle
    (GOOD, BLURRED | {"radial_error": 0.065}, NO_CIRCLE),  # just above 4 x the circle's
    (GOOD | {"radial_error": math.nan}, NO_CIRCLE),  # non-finite samples learned nothing
])
def test_ring_verdict_is_not_tested_when_the_wgan_has_not_learned_the_circle(wgan):
    judgement = ring_verdict(_final(wgan), CIRCLE, QUICK)
    assert judgement == Judgement(NOT_TESTED, "", adequate=False, adequacy=judgement.adequacy)
    assert "too short to judge the modes" in judgement.adequacy
    assert "the paper scale (50,000 generator iterations" in judgement.adequacy
    paper = ring_verdict(_final(wgan), CIRCLE, Scale("paper"))
    assert paper.verdict == NOT_TESTED and "runs longer than the paper scale's" in paper.adequacy


def test_learned_circle_is_within_4_times_the_circles_radial_error():
    assert learned_circle(0.064, CIRCLE) and not learned_circle(0.0641, CIRCLE)
    assert not learned_circle(math.nan, CIRCLE)


def test_scale_that_tests_names_the_next_scale_or_longer_runs():
    assert scale_that_tests(SMOKE).startswith("the quick scale (15,000 generator iterations, "
                                              "64 hidden units, 5 seeds)")
    assert scale_that_tests(QUICK).startswith("the paper scale (50,000")
    assert scale_that_tests(Scale("paper")) == (
        "runs longer than the paper scale's 50,000 iterations")


def test_a_plain_circle_does_not_pass_the_ring_rule():
    """Samples of the uniform circle, scored like a run by the chapter's own measures, get
    "not reproduced": the rule tells a learned ring from a circle without modes."""
    reference = balanced_ring_sample(125, torch.Generator().manual_seed(0))

    def measured(sample):
        return mixture_metrics(sample, reference) | {"radial_error": radial_error(sample)}

    circle = measured(uniform_ring_sample(1000, torch.Generator().manual_seed(1)))
    runs = [measured(uniform_ring_sample(1000, torch.Generator().manual_seed(s)))
            for s in (2, 3, 4)]
    assert circle["modes"] == 0 and circle["min_share"] > MIN_FAIR_SHARE
    assert not any(beats_circle(run, circle) for run in runs)
    judgement = ring_verdict(_final(runs), circle, QUICK)
    assert (judgement.verdict, judgement.adequate) == ("not reproduced", True)  # learned it
    ring = measured(gaussian_ring(1000, torch.Generator().manual_seed(5)))
    assert beats_circle(ring, circle)
    assert ring_verdict(_final([ring]), circle, QUICK).verdict == "reproduced"


def test_ring_verdict_ignores_the_gan_runs():
    assert ring_verdict(_final((GOOD,), gan=(GOOD, CIRCLE)), CIRCLE, QUICK).verdict == (
        "reproduced")
    assert ring_verdict(_final((GOOD,), gan=(NO_CIRCLE,) * 3), CIRCLE, QUICK).adequate


def test_ring_verdict_at_smoke_is_not_tested():
    judgement = ring_verdict(_final((GOOD,)), CIRCLE, SMOKE)
    assert (judgement.verdict, judgement.adequate) == (NOT_TESTED, True)
    assert judgement.adequacy.endswith("smoke runs test nothing")
    inadequate = ring_verdict(_final((NO_CIRCLE,)), CIRCLE, SMOKE)
    assert (inadequate.verdict, inadequate.adequate) == (NOT_TESTED, False)
    assert "the quick scale (15,000" in inadequate.adequacy


def test_ring_verdict_needs_a_wgan_run():
    with pytest.raises(ValueError, match="no WGAN run"):
        ring_verdict(_final(()), CIRCLE, QUICK)


def test_ring_scorecard_scores_runs_and_baselines_by_the_same_rule():
    card = ring_scorecard(_final((GOOD, BLURRED | {"min_share": 0.3, "radial_error": 0.07})),
                          CIRCLE, {"uniform circle (baseline)": CIRCLE})
    assert list(card["run"]) == ["wgan, seed 0", "wgan, seed 1", "gan, seed 0",
                                 "uniform circle (baseline)"]
    assert list(card["judged"]) == [True, True, False, False]
    assert list(card["learned the circle"]) == [True, False, True, True]
    assert list(card["beats the circle"]) == [True, True, False, False]
    assert list(card["no mode dropped"]) == [True, False, False, True]
    assert list(card["all 8 modes"]) == [True, False, False, False]


def _curves(*runs):
    """Snapshot tables of WGAN runs: each run a list of (modes, radial error) per snapshot,
    snapshots every 750 iterations from 0; then a GAN run that never learns anything."""
    rows = [{"method": "wgan", "seed": seed, "gen_iter": 750 * i, "modes": modes,
             "radial_error": radial}
            for seed, run in enumerate(runs) for i, (modes, radial) in enumerate(run)]
    rows += [{"method": "gan", "seed": 0, "gen_iter": 750 * i, "modes": 8.0,
              "radial_error": 0.01} for i in range(3)]
    return pd.DataFrame(rows)


FAR, NEAR = 1.0, 0.03  # radial errors: not the circle; the circle (within 4 x 0.016)
CIRCLE_THEN_BUMPS = [(0, FAR), (0, NEAR), (5, NEAR)]  # circle at 750, bumps at 1500
TOGETHER = [(0, FAR), (5, NEAR), (8, NEAR)]  # both at 750
BUMPS_WITHOUT_CIRCLE = [(0, FAR), (4, FAR), (4, FAR)]  # 4 modes at 750, never the circle
BUMPS_THEN_CIRCLE = [(0, FAR), (4, FAR), (6, NEAR)]
CIRCLE_ONLY = [(0, FAR), (0, NEAR), (3, NEAR)]  # never 4 modes: the order cannot be read
NOTHING = [(0, FAR), (0, FAR), (1, math.nan)]  # like the quick runs of 6ecac2d, or worse


def test_circle_first_orders_reads_the_first_snapshot_of_each():
    orders = circle_first_orders(_curves(CIRCLE_THEN_BUMPS, TOGETHER, BUMPS_WITHOUT_CIRCLE,
                                         BUMPS_THEN_CIRCLE, CIRCLE_ONLY, NOTHING), CIRCLE)
    assert list(orders["seed"]) == [0, 1, 2, 3, 4, 5]  # the GAN run is left out
    assert list(orders["order"]) == [CIRCLE_FIRST, SAME_SNAPSHOT, BUMPS_FIRST, BUMPS_FIRST,
                                     BUMPS_NOT_REACHED, BUMPS_NOT_REACHED]
    np.testing.assert_array_equal(orders["circle learned at"],
                                  [750, 750, np.nan, 1500, 750, np.nan])
    np.testing.assert_array_equal(orders["bumps matched at"],
                                  [1500, 750, 750, 750, np.nan, np.nan])


@pytest.mark.parametrize(("runs", "expected"), [
    ((CIRCLE_THEN_BUMPS,) * 5, "reproduced"),
    ((CIRCLE_THEN_BUMPS,) * 3 + (CIRCLE_ONLY,) * 2, "reproduced"),  # order read in 3 of 5
    ((CIRCLE_THEN_BUMPS,) * 3 + (TOGETHER,) * 2, "partly reproduced"),
    ((CIRCLE_THEN_BUMPS, CIRCLE_THEN_BUMPS, BUMPS_THEN_CIRCLE, BUMPS_WITHOUT_CIRCLE),
     "partly reproduced"),  # circle first in exactly half
    ((CIRCLE_THEN_BUMPS, TOGETHER, BUMPS_THEN_CIRCLE, CIRCLE_ONLY), "not reproduced"),
    ((BUMPS_WITHOUT_CIRCLE,) * 5, "not reproduced"),
])
def test_circle_first_verdict_reaches_each_verdict(runs, expected):
    for scale in (QUICK, Scale("paper")):
        judgement = circle_first_verdict(_curves(*runs), CIRCLE, scale)
        assert (judgement.verdict, judgement.adequate) == (expected, True)


@pytest.mark.parametrize("runs", [
    (NOTHING,) * 5,  # never the circle, never the bumps
    (CIRCLE_ONLY,) * 5,  # the circle, never the bumps: the order cannot be read
    (CIRCLE_THEN_BUMPS, CIRCLE_THEN_BUMPS, CIRCLE_ONLY, NOTHING, NOTHING),  # 2 of 5 read
])
def test_circle_first_verdict_is_not_tested_when_the_order_cannot_be_read(runs):
    judgement = circle_first_verdict(_curves(*runs), CIRCLE, QUICK)
    assert (judgement.verdict, judgement.adequate) == (NOT_TESTED, False)
    assert "too short to order the circle and the bumps" in judgement.adequacy
    assert "the paper scale (50,000 generator iterations" in judgement.adequacy


def test_circle_first_verdict_at_smoke_is_not_tested():
    judgement = circle_first_verdict(_curves(CIRCLE_THEN_BUMPS), CIRCLE, SMOKE)
    assert (judgement.verdict, judgement.adequate) == (NOT_TESTED, True)
    assert judgement.adequacy == ("1 of 1 WGAN runs matched the bumps (4 modes) at some "
                                  "snapshot, the runs whose order can be read (1 of 1 learned "
                                  "the circle at some snapshot); smoke runs test nothing")


def test_circle_first_verdict_needs_a_wgan_run():
    with pytest.raises(ValueError, match="'curves' parameter of circle_first_verdict holds no"):
        circle_first_verdict(_curves(), CIRCLE, QUICK)


@pytest.mark.slow  # a first optimizer step imports torch._dynamo: seconds on a busy CPU
def test_coverage_over_training_measures_every_snapshot(tmp_path):
    result = run_mixture("wgan", SMOKE, seed=1, device="cpu", root=tmp_path,
                         generator_iters=4, critic_warmup=False, snapshot_every=2)
    assert result.snapshots == [0, 2, 4]
    real = balanced_ring_sample(10, torch.Generator().manual_seed(0))
    table = coverage_over_training(result, real, n=50)
    assert list(table["gen_iter"]) == [0, 2, 4]
    assert list(table.columns) == ["method", "seed", "gen_iter", "modes", "high_quality",
                                   "min_share", "w1", "radial_error"]
    assert table["modes"].between(0, 8).all() and table["high_quality"].between(0, 1).all()
    assert (table["w1"] > 0).all()
    final = generator_samples(result, 50)
    assert torch.equal(final, generator_samples(result, 50, iteration=4))


def test_critic_saturation_counts_parameters_at_the_bound(tmp_path):
    result = run_mixture("wgan", SMOKE, seed=0, device="cpu", root=tmp_path,
                         generator_iters=1, critic_warmup=False)
    path = result.run_dir / CHECKPOINT_NAME
    state = load_checkpoint(path)
    critic = state["critic"]
    first = next(iter(critic))
    # The first tensor at -c, the rest at c / 2 (saturated only with a 60% tolerance).
    state["critic"] = {k: torch.full_like(v, 0.005) for k, v in critic.items()}
    state["critic"][first] = torch.full_like(critic[first], -0.01)
    total = sum(v.numel() for v in critic.values())
    torch.save(state, path)
    assert critic_saturation(result) == pytest.approx(critic[first].numel() / total)
    assert critic_saturation(result, tolerance=0.6) == 1.0


def test_critic_saturation_rejects_a_gan_run(tmp_path):
    result = run_mixture("gan", SMOKE, seed=0, device="cpu", root=tmp_path,
                         generator_iters=1)
    with pytest.raises(ValueError, match="'result' parameter of critic_saturation must be a"):
        critic_saturation(result)


def test_numbers_in_words_never_print_nan():
    assert number_in_words(math.nan) == "not finite"
    assert number_in_words(0.12345) == "0.123"
    assert spread_in_words([1.0, 3.0]) == "2 +- 1.4 [1, 3]"
    assert spread_in_words([1.0, 3.0, math.nan], extremes=False) == (
        "2 +- 1.4 (1 of 3 runs not finite)")
    assert spread_in_words([math.nan]) == "not finite in any run"
    assert spread_in_words([0.5]) == "0.5"
