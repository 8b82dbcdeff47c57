"""The toy distributions of Sections 2 and 4.1 (wgan.theory.toy), against their closed forms."""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

from wgan.theory import toy


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("theta", [0.0, -0.7, 3.0])
def test_parallel_lines_first_coordinate_is_theta(theta: float) -> None:
    x = toy.parallel_lines(500, theta, gen())
    assert x.shape == (500, 2)
    assert torch.all(x[:, 0] == torch.tensor(theta, dtype=torch.float32))


def test_parallel_lines_second_coordinate_is_uniform_on_unit_interval() -> None:
    z = toy.parallel_lines(20_000, 0.5, gen()).double()[:, 1]
    assert 0.0 <= z.min() and z.max() <= 1.0
    # Kolmogorov-Smirnov against U[0, 1]: fixed seed, so not flaky.
    assert stats.kstest(z.numpy(), "uniform").pvalue > 1e-3


def test_gaussian_1d_matches_its_normal_law() -> None:
    x = toy.gaussian_1d(20_000, mean=3.0, std=0.5, generator=gen()).double()
    assert x.shape == (20_000, 1)
    assert abs(x.mean().item() - 3.0) < 4 * 0.5 / math.sqrt(20_000)
    assert stats.kstest(x[:, 0].numpy(), "norm", args=(3.0, 0.5)).pvalue > 1e-3


def test_ring_means_are_on_the_circle_at_equal_angles() -> None:
    means = toy.ring_means(8, 2.0)
    assert means.shape == (8, 2) and means.dtype == torch.float64
    expected = torch.tensor(
        [[2 * math.cos(k * math.pi / 4), 2 * math.sin(k * math.pi / 4)] for k in range(8)],
        dtype=torch.float64,
    )
    torch.testing.assert_close(means, expected)
    torch.testing.assert_close(means[2], torch.tensor([0.0, 2.0], dtype=torch.float64))


def test_gaussian_ring_samples_sit_on_equally_weighted_modes_with_std_002() -> None:
    x = toy.gaussian_ring(40_000, gen()).double()
    means = toy.ring_means()
    nearest = torch.cdist(x, means).argmin(dim=1)
    offsets = x - means[nearest]
    assert offsets.abs().max() < 0.02 * 6
    counts = torch.bincount(nearest, minlength=8).numpy()
    assert stats.chisquare(counts).pvalue > 1e-3
    assert abs(offsets.std().item() - 0.02) < 0.001


def test_samplers_are_deterministic_given_their_generator() -> None:
    torch.testing.assert_close(toy.gaussian_ring(64, gen(3)), toy.gaussian_ring(64, gen(3)))
    assert not torch.equal(toy.gaussian_ring(64, gen(3)), toy.gaussian_ring(64, gen(4)))
    torch.testing.assert_close(toy.parallel_lines(9, 1.0, gen(5)),
                               toy.parallel_lines(9, 1.0, gen(5)))


def test_samplers_return_the_requested_dtype() -> None:
    assert toy.gaussian_1d(4, 0.0, 1.0, gen(), dtype=torch.float64).dtype == torch.float64
    assert toy.gaussian_ring(4, gen(), dtype=torch.float64).dtype == torch.float64
    assert toy.parallel_lines(4, 0.0, gen(), device="cpu").device.type == "cpu"


@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_non_positive_or_non_int_sample_count_is_refused(n: object) -> None:
    with pytest.raises(ValueError, match=rf"The number of samples 'n' must be a positive int\. "
                       rf"Got {n!r}\."):
        toy.gaussian_ring(n, gen())  # type: ignore[arg-type]


def test_non_positive_std_is_refused() -> None:
    with pytest.raises(ValueError, match=r"The 'std' of a Gaussian must be positive\. Got 0\.0\."):
        toy.gaussian_1d(3, 0.0, 0.0, gen())
    with pytest.raises(ValueError, match=r"The 'std' of each mode must be positive\. Got -1\."):
        toy.gaussian_ring(3, gen(), std=-1)


def test_non_positive_mode_count_is_refused() -> None:
    with pytest.raises(ValueError, match=r"The number of 'modes' must be positive\. Got 0\."):
        toy.ring_means(0)
