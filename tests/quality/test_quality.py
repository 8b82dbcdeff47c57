"""Sample-quality measures: pixel W1, the digit classifier, rank correlation, along a run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import torch
from sklearn.datasets import load_digits

import wgan.quality.along_run as along_run
import wgan.quality.digits as digits
from wgan.data import load_images
from wgan.quality import (
    as_pixels,
    curve_at,
    digit_classifier,
    digit_scores,
    labelled_digits,
    pixel_w1,
    quality_along_run,
    reference_floor,
    spearman,
)
from wgan.quality.along_run import evenly_spaced
from wgan.training.config import TrainConfig
from wgan.training.run import train


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
                  ) -> None:
    """Every test writes its data and classifier cache under one temporary directory."""
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def classifier() -> digits.TrainedClassifier:
    return digits.train_digit_classifier(seed=0)


# ---------------------------------------------------------------- pixel-space W1
def test_pixel_w1_of_translated_images_is_the_shift_norm() -> None:
    real = torch.rand(40, 1, 4, 4, generator=torch.Generator().manual_seed(0)) - 0.5
    shift = 0.25
    # Translating a distribution by v moves it exactly ||v|| in W1.
    expected = shift * math.sqrt(16)
    assert pixel_w1(real + shift, real) == pytest.approx(expected, rel=1e-9)


def test_pixel_w1_matches_scipy_for_one_pixel_images() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 30), rng.uniform(-1, 1, 50)
    expected = scipy.stats.wasserstein_distance(x, y)
    assert pixel_w1(x.reshape(-1, 1, 1, 1), y.reshape(-1, 1, 1, 1)) == pytest.approx(expected)


def test_pixel_w1_of_identical_batches_is_zero() -> None:
    images = torch.rand(10, 3, 4, 4) * 2 - 1
    assert pixel_w1(images, images) == pytest.approx(0.0, abs=1e-12)


def test_as_pixels_maps_uint8_to_the_training_scale() -> None:
    images = torch.tensor([0, 51, 255], dtype=torch.uint8).reshape(3, 1, 1, 1)
    # wgan.training.batches.TensorBatches feeds the nets x / 127.5 - 1.
    np.testing.assert_allclose(as_pixels(images).ravel(), [-1.0, 51 / 127.5 - 1, 1.0])


def test_as_pixels_clamps_floats_to_the_image_range() -> None:
    images = torch.tensor([-3.0, 0.5, 2.0]).reshape(3, 1, 1, 1)
    np.testing.assert_allclose(as_pixels(images).ravel(), [-1.0, 0.5, 1.0])


def test_as_pixels_rejects_non_finite_images() -> None:
    with pytest.raises(ValueError, match="holds non-finite values"):
        as_pixels(torch.tensor([math.nan]).reshape(1, 1, 1, 1))


def test_as_pixels_rejects_a_batch_that_is_not_four_dimensional() -> None:
    with pytest.raises(ValueError, match=r"shape \(n, C, H, W\)\. Got shape \(3, 4\)"):
        as_pixels(np.zeros((3, 4)))


def test_pixel_w1_rejects_images_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="must hold images of the same shape"):
        pixel_w1(torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 8, 2))


# ---------------------------------------------------------------- labelled digits
def test_labelled_digits_are_the_images_load_images_returns() -> None:
    images, _ = labelled_digits("heldout", image_size=16)
    assert torch.equal(images, load_images("digits", image_size=16, split="heldout"))


def test_labelled_digits_splits_partition_the_labels() -> None:
    _, heldout = labelled_digits("heldout", image_size=8)
    _, train = labelled_digits("train", image_size=8)
    assert (len(heldout), len(train)) == (179, 1618)
    together = np.bincount(heldout.numpy(), minlength=10) + np.bincount(train.numpy(), minlength=10)
    np.testing.assert_array_equal(together, np.bincount(load_digits().target, minlength=10))
    assert np.all(np.bincount(heldout.numpy(), minlength=10) > 0)


def test_labelled_digits_rejects_unknown_split() -> None:
    with pytest.raises(ValueError, match="'split' parameter of labelled_digits"):
        labelled_digits("all")


# ---------------------------------------------------------------- digit classifier
def test_classifier_trained_on_heldout_classifies_unseen_digits(
        classifier: digits.TrainedClassifier) -> None:
    assert classifier.n_train == 179
    assert classifier.accuracy > 0.9


def test_classifier_calls_uniform_noise_not_a_digit(classifier: digits.TrainedClassifier) -> None:
    noise = torch.rand(200, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    scores = digit_scores(noise, classifier.model)
    assert scores.digit_fraction < 0.05
    assert scores.confidence < 0.2


def test_real_digits_cover_every_class_with_high_confidence(
        classifier: digits.TrainedClassifier) -> None:
    images, _ = labelled_digits("train", image_size=32)
    scores = digit_scores(images, classifier.model)
    assert scores.classes_covered == 10
    assert scores.effective_classes > 9.5
    assert scores.confidence > 0.85
    assert scores.shares.sum() == pytest.approx(1.0)


def test_classifier_reads_any_side_that_is_a_multiple_of_8(
        classifier: digits.TrainedClassifier) -> None:
    images, labels = labelled_digits("train", image_size=64)
    predicted = classifier.model.probabilities(torch.from_numpy(as_pixels(images)).float()
                                               .reshape(images.shape)).argmax(1)
    assert (predicted == labels).float().mean() > 0.9


class _FixedClassifier(digits.DigitClassifier):
    """Returns given probabilities, whatever the images."""

    def __init__(self, probabilities: torch.Tensor) -> None:
        super().__init__()
        self.fixed = probabilities

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        return self.fixed


def test_digit_scores_match_hand_computed_values() -> None:
    rows = [[0.0] * 11 for _ in range(100)]
    for i in range(50):  # half are a confident 3
        rows[i][3], rows[i][10] = 0.9, 0.1
    for i in range(50, 80):  # 30% an unsure 7
        rows[i][7], rows[i][1], rows[i][10] = 0.6, 0.3, 0.1
    for i in range(80, 100):  # 20% no digit
        rows[i][5], rows[i][10] = 0.1, 0.9
    scores = digit_scores(torch.zeros(100, 1, 8, 8), _FixedClassifier(torch.tensor(rows)))
    assert scores.confidence == pytest.approx((50 * 0.9 + 30 * 0.6 + 20 * 0.1) / 100)
    assert scores.digit_fraction == pytest.approx(0.8)
    assert scores.classes_covered == 2
    p = np.array([50, 30]) / 80
    assert scores.effective_classes == pytest.approx(math.exp(-np.sum(p * np.log(p))))


def test_digit_scores_of_a_single_digit_is_a_full_collapse() -> None:
    rows = torch.zeros(40, 11)
    rows[:, 4] = 1.0
    scores = digit_scores(torch.zeros(40, 1, 16, 16), _FixedClassifier(rows))
    assert (scores.classes_covered, scores.effective_classes) == (1, pytest.approx(1.0))


def test_digit_scores_without_any_digit_has_nan_effective_classes() -> None:
    rows = torch.zeros(5, 11)
    rows[:, 10] = 1.0
    scores = digit_scores(torch.zeros(5, 1, 8, 8), _FixedClassifier(rows))
    assert scores.classes_covered == 0 and math.isnan(scores.effective_classes)


def test_digit_scores_rejects_colour_images() -> None:
    with pytest.raises(ValueError, match="one-channel images with sides that are multiples of 8"):
        digit_scores(torch.zeros(2, 3, 8, 8), digits.DigitClassifier())


def test_digit_scores_rejects_a_share_above_uniform() -> None:
    with pytest.raises(ValueError, match=r"'min_share' parameter of digit_scores must be in"):
        digit_scores(torch.zeros(2, 1, 8, 8), digits.DigitClassifier(), min_share=0.5)


def test_train_digit_classifier_rejects_non_positive_steps() -> None:
    with pytest.raises(ValueError, match="'steps' parameter of train_digit_classifier"):
        digits.train_digit_classifier(steps=0)


def test_training_the_classifier_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    digits.train_digit_classifier(steps=1)
    assert torch.equal(torch.rand(3), expected)


def test_digit_classifier_is_read_back_from_the_cache(
        monkeypatch: pytest.MonkeyPatch, classifier: digits.TrainedClassifier) -> None:
    monkeypatch.setattr(digits, "train_digit_classifier", lambda seed: classifier)
    first = digit_classifier(seed=7)

    def refuse(seed: int) -> digits.TrainedClassifier:
        raise AssertionError("trained again instead of reading the cache")

    monkeypatch.setattr(digits, "train_digit_classifier", refuse)
    second = digit_classifier(seed=7)
    assert second.accuracy == first.accuracy
    for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_damaged_classifier_cache_is_replaced(
        monkeypatch: pytest.MonkeyPatch, classifier: digits.TrainedClassifier) -> None:
    monkeypatch.setattr(digits, "train_digit_classifier", lambda seed: classifier)
    digit_classifier(seed=8)
    path = next(Path(digits.cache_dir(), "quality").glob("*seed8.pt"))
    path.write_bytes(b"not a checkpoint")
    assert digit_classifier(seed=8).accuracy == classifier.accuracy
    assert path.stat().st_size > 100


# ---------------------------------------------------------------- rank correlation
def test_spearman_matches_the_closed_form_without_ties() -> None:
    x = np.array([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
    y = np.array([2.0, 7.0, 1.0, 8.0, 2.8, 1.8])
    rank_x, rank_y = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    n = len(x)
    expected = 1 - 6 * np.sum((rank_x - rank_y) ** 2) / (n * (n**2 - 1))
    assert spearman(x, y).rho == pytest.approx(expected)


def test_spearman_ignores_monotone_transforms() -> None:
    x = np.array([0.3, 0.1, 0.7, 0.2, 0.9])
    y = np.array([5.0, 1.0, 2.0, 4.0, 3.0])
    assert spearman(x, np.exp(3 * y)).rho == pytest.approx(spearman(x, y).rho)
    assert spearman(x, -x).rho == pytest.approx(-1.0)


def test_spearman_of_a_constant_curve_is_nan() -> None:
    result = spearman([1.0, 1.0, 1.0, 1.0], [4.0, 2.0, 3.0, 1.0])
    assert math.isnan(result.rho) and math.isnan(result.p_value) and result.n == 4


def test_spearman_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="of equal length and at least 3 long"):
        spearman([1, 2, 3], [1, 2])


def test_spearman_rejects_non_finite_values() -> None:
    with pytest.raises(ValueError, match="must be finite"):
        spearman([1, 2, math.nan], [1, 2, 3])


def test_curve_at_takes_the_median_of_the_rows_measuring_each_snapshot() -> None:
    metrics = pd.DataFrame({"gen_iter": np.arange(1, 11), "w": np.arange(1, 11) ** 2.0})
    # Snapshot s is measured by row s + 1; the window is cut at the ends of the run.
    values = curve_at(metrics, "w", [4, 0, 10], width=3)
    np.testing.assert_allclose(values, [25.0, np.median([1.0, 4.0]), np.median([100.0])])


def test_curve_at_reads_the_final_snapshot_from_the_nearest_row() -> None:
    metrics = pd.DataFrame({"gen_iter": [1, 2, 3, 4], "w": [4.0, 3.0, 2.0, 1.0]})
    np.testing.assert_allclose(curve_at(metrics, "w", [0, 4], width=1), [4.0, 1.0])


def test_curve_at_rejects_an_even_width() -> None:
    metrics = pd.DataFrame({"gen_iter": [1, 2], "w": [0.0, 1.0]})
    with pytest.raises(ValueError, match="'width' parameter of curve_at must be a positive odd"):
        curve_at(metrics, "w", [0], width=4)


def test_curve_at_rejects_a_missing_column() -> None:
    metrics = pd.DataFrame({"gen_iter": [1, 2], "w": [0.0, 1.0]})
    with pytest.raises(ValueError, match="columns 'gen_iter' and 'loss_g'"):
        curve_at(metrics, "loss_g", [0], width=1)


# ---------------------------------------------------------------- along a run
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory):
    """Four generator iterations of MLPs on 16x16 digits, snapshots at 0, 2 and 4."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WGAN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        config = TrainConfig(
            dataset="digits", image_size=16, generator="mlp", critic="mlp", mlp_hidden=8,
            nz=4, batch_size=8, n_critic=1, critic_warmup=False, generator_iters=4,
            snapshot_every=2, sample_every=2, checkpoint_every=2, device="cpu",
        )
        return train(config, tmp_path_factory.mktemp("runs") / "tiny")


def test_quality_along_run_measures_each_snapshot(tiny_run, classifier) -> None:
    reference = load_images("digits", image_size=16, split="heldout")
    table = quality_along_run(tiny_run, reference, classifier=classifier.model, n_samples=20)
    assert table["gen_iter"].tolist() == [0, 2, 4]
    images = along_run.generate(tiny_run, 2, 20, seed=0)
    assert table["pixel_w1"].iloc[1] == pytest.approx(pixel_w1(images, reference))
    scores = digit_scores(images, classifier.model)
    assert table["classes_covered"].iloc[1] == scores.classes_covered


def test_quality_along_run_reads_its_table_back(
        tiny_run, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = load_images("digits", image_size=16, split="heldout")
    first = quality_along_run(tiny_run, reference, n_samples=10, seed=3)

    def refuse(*args: object) -> float:
        raise AssertionError("measured again instead of reading the table")

    monkeypatch.setattr(along_run, "pixel_w1", refuse)
    pd.testing.assert_frame_equal(quality_along_run(tiny_run, reference, n_samples=10, seed=3),
                                  first)


def test_generate_uses_the_same_noise_at_every_call(tiny_run) -> None:
    assert torch.equal(along_run.generate(tiny_run, 4, 5, seed=1),
                       along_run.generate(tiny_run, 4, 5, seed=1))


def test_quality_along_run_rejects_an_iteration_without_snapshot(tiny_run) -> None:
    reference = load_images("digits", image_size=16, split="heldout")
    with pytest.raises(ValueError, match=r"must name kept snapshots of the run, \[0, 2, 4\]"):
        quality_along_run(tiny_run, reference, iterations=[3])


def test_reference_floor_of_a_set_against_itself_is_zero() -> None:
    reference = load_images("digits", image_size=16, split="heldout")
    # ot.dist computes sqrt(|x|^2 + |y|^2 - 2 x.y): zero only up to rounding.
    assert reference_floor(reference, reference, len(reference)) == pytest.approx(0, abs=1e-5)


def test_reference_floor_rejects_more_samples_than_images() -> None:
    reference = load_images("digits", image_size=16, split="heldout")
    with pytest.raises(ValueError, match=r"'n_samples' parameter of reference_floor must be in"):
        reference_floor(reference, reference, len(reference) + 1)


def test_rank_correlation_is_nan_below_three_pairs_and_spearman_above() -> None:
    from wgan.quality import rank_correlation

    short = rank_correlation([0.5, 0.2], [3.0, 1.0])
    assert math.isnan(short.rho) and math.isnan(short.p_value) and short.n == 2
    assert rank_correlation([1, 2, 3, 4], [10, 20, 30, 45]) == spearman([1, 2, 3, 4],
                                                                       [10, 20, 30, 45])
    with pytest.raises(ValueError, match="of equal length and at least 3 long"):
        rank_correlation([1, 2, 3], [1, 2])


def test_evenly_spaced_keeps_first_and_last() -> None:
    assert evenly_spaced([0, 10, 20, 30, 40, 50, 60], 4) == [0, 20, 40, 60]
    assert evenly_spaced([0, 5], 4) == [0, 5]


def test_evenly_spaced_rejects_no_snapshots() -> None:
    with pytest.raises(ValueError, match="must be non-empty and 'count' positive"):
        evenly_spaced([], 3)
