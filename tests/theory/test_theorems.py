"""Tests for wgan.theory.theorems: Theorems 1-3
against closed forms and independent computations."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate
from scipy.stats import norm

from wgan.theory.distances import wasserstein1
from wgan.theory.theorems import (
    affine_generator,
    empirical_w_to_normal,
    kantorovich_potentials,
    lipschitz_on_support,
    path_lipschitz_constant,
    relative_error,
    rotating_line,
    shrinking_gaussian_w,
    shrinking_gaussian_w_exact,
    w_along_path,
    w_gradients,
)


def _noise(n: int, d: int = 2, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# ---------------------------------------------------------------- Theorem 1


def test_rotating_line_puts_samples_on_the_line_at_angle_theta():
    z = _noise(50)
    samples = rotating_line(z, 0.7)
    # Cross product with the direction (cos, sin) vanishes; the signed length is z1.
    cross = samples[:, 0] * math.sin(0.7) - samples[:, 1] * math.cos(0.7)
    assert torch.allclose(cross, torch.zeros(50, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(samples.norm(dim=1), z[:, 0].abs())


def test_rotating_line_rejects_noise_of_wrong_shape():
    with pytest.raises(ValueError, match="'z' parameter of rotating_line must have shape"):
        rotating_line(torch.zeros(5, 3), 0.1)


def test_w_along_path_increments_are_bounded_by_lipschitz_constant_times_step():
    real = rotating_line(_noise(120, seed=1), 0.0)
    z = _noise(120, seed=2)
    thetas = np.linspace(-0.6, 0.6, 13)
    w = w_along_path(real, z, thetas)
    bound = path_lipschitz_constant(z) * np.diff(thetas)
    assert np.all(np.abs(np.diff(w)) <= bound + 1e-9)


def test_w_along_path_is_zero_when_the_noise_and_angle_match_the_real_sample():
    z = _noise(80)
    w = w_along_path(rotating_line(z, 0.3), z, [0.3, 0.5])
    assert w[0] == pytest.approx(0.0, abs=1e-7)  # ot.dist's sqrt of a rounded square
    assert w[1] > 0


def test_path_lipschitz_constant_is_mean_absolute_first_noise_coordinate():
    z = torch.tensor([[1.0, 5.0], [-3.0, 0.0]])
    assert path_lipschitz_constant(z) == pytest.approx(2.0)


# ---------------------------------------------------------------- Theorem 2


def test_shrinking_gaussian_w_exact_is_sqrt_two_over_pi_n():
    assert shrinking_gaussian_w_exact([1.0, 4.0]) == pytest.approx(
        [math.sqrt(2 / math.pi), math.sqrt(2 / math.pi) / 2]
    )


def test_shrinking_gaussian_w_estimate_within_four_standard_errors_of_closed_form():
    ns = np.array([1, 10, 100, 1000])
    estimate, standard_error = shrinking_gaussian_w(ns, 2000, torch.Generator().manual_seed(0))
    assert np.all(np.abs(estimate - shrinking_gaussian_w_exact(ns)) < 4 * standard_error)


def test_shrinking_gaussian_w_exact_rejects_non_positive_n():
    with pytest.raises(ValueError, match="'n' parameter of shrinking_gaussian_w_exact must be"):
        shrinking_gaussian_w_exact([1, 0])


def test_shrinking_gaussian_w_rejects_too_few_samples():
    with pytest.raises(ValueError, match="'samples' parameter of shrinking_gaussian_w must be"):
        shrinking_gaussian_w([1], 1, torch.Generator())


def test_empirical_w_to_normal_matches_numerical_quadrature():
    x = np.sort(np.random.default_rng(0).normal(size=40))

    def gap(t: float) -> float:
        return abs(np.searchsorted(x, t, side="right") / len(x) - norm.cdf(t))

    expected, _ = integrate.quad(gap, -12, 12, points=x, limit=500)
    assert empirical_w_to_normal(x) == pytest.approx(expected, rel=1e-7)


def test_empirical_w_to_normal_of_one_point_at_zero_is_mean_absolute_normal():
    assert empirical_w_to_normal([0.0]) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)


def test_empirical_w_to_normal_rejects_two_dimensional_sample():
    with pytest.raises(ValueError, match="must be a 1-D sample"):
        empirical_w_to_normal(np.zeros((5, 2)))


# ---------------------------------------------------------------- Theorem 3 (a)


@pytest.fixture(scope="module")
def solution():
    gen = torch.Generator().manual_seed(3)
    real = torch.randn(60, 2, generator=gen, dtype=torch.float64)
    fake = torch.randn(60, 2, generator=gen, dtype=torch.float64) * 0.5 + 1.5
    return kantorovich_potentials(real, fake)


def test_kantorovich_primal_equals_dual_value(solution):
    assert solution.dual == pytest.approx(solution.primal, rel=1e-12)


def test_kantorovich_primal_matches_wasserstein1(solution):
    assert solution.primal == pytest.approx(wasserstein1(solution.real, solution.fake), rel=1e-12)


def test_kantorovich_critic_is_one_lipschitz_on_the_support(solution):
    points, values = solution.critic_on_support()
    assert lipschitz_on_support(points, values) <= 1 + 1e-9


def test_kantorovich_critic_gap_equals_w(solution):
    f = solution.critic
    assert f(solution.real).mean() - f(solution.fake).mean() == pytest.approx(
        solution.primal, rel=1e-10
    )


def test_kantorovich_critic_extension_matches_potentials_on_the_support(solution):
    points, values = solution.critic_on_support()
    assert np.allclose(solution.critic(points), values, atol=1e-10)


def test_kantorovich_critic_gives_the_same_values_on_torch_tensors(solution):
    grid = np.random.default_rng(1).uniform(-3, 3, size=(30, 2))
    values = solution.critic(torch.tensor(grid))
    assert isinstance(values, torch.Tensor)
    assert np.allclose(values.numpy(), solution.critic(grid), atol=1e-12)


def test_interior_potentials_stay_optimal_and_remove_the_kinks(solution):
    interior = solution.interior()
    assert solution.kink_fraction() > 0.1  # a simplex vertex: many fake points at kinks
    assert interior.kink_fraction() == 0.0
    assert interior.dual == pytest.approx(solution.primal, rel=1e-12)
    cost = np.linalg.norm(solution.real[:, None] - solution.fake[None], axis=2)
    assert np.all(interior.u[:, None] + interior.v[None] <= cost + 1e-12)


def test_interior_rejects_a_plan_that_is_not_a_permutation():
    unequal = kantorovich_potentials(np.zeros((2, 1)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="needs a plan that is a permutation"):
        unequal.interior()


def test_kantorovich_potentials_rejects_clouds_of_different_dimensions():
    with pytest.raises(ValueError, match="same dimension"):
        kantorovich_potentials(np.zeros((3, 2)), np.zeros((3, 1)))


def test_lipschitz_on_support_of_a_linear_function_is_its_slope():
    points = np.random.default_rng(2).normal(size=(20, 3))
    assert lipschitz_on_support(points, points @ np.array([3.0, 0.0, 4.0])) == pytest.approx(
        5.0, rel=0.2
    )
    assert lipschitz_on_support(points, points @ np.array([3.0, 0.0, 4.0])) <= 5.0 + 1e-12


def test_lipschitz_on_support_rejects_one_value_per_point_missing():
    with pytest.raises(ValueError, match="'values' parameter of lipschitz_on_support"):
        lipschitz_on_support(np.zeros((3, 2)), np.zeros(2))


# ---------------------------------------------------------------- Theorem 3 (b)


def test_affine_generator_is_a_z_plus_b():
    z = _noise(4)
    theta = torch.arange(6, dtype=torch.float64)
    expected = z @ torch.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=torch.float64).T + torch.tensor(
        [4.0, 5.0], dtype=torch.float64
    )
    assert torch.allclose(affine_generator(z, theta), expected)


def test_affine_generator_rejects_theta_of_wrong_size():
    with pytest.raises(ValueError, match="'theta' parameter of affine_generator must hold"):
        affine_generator(_noise(4), torch.zeros(5))


@pytest.fixture(scope="module")
def gradients():
    gen = torch.Generator().manual_seed(4)
    real = torch.randn(50, 2, generator=gen, dtype=torch.float64) + torch.tensor([1.0, -0.5])
    z = torch.randn(50, 2, generator=gen, dtype=torch.float64)
    theta = torch.tensor([0.8, 0.3, -0.2, 1.1, -0.4, 0.6], dtype=torch.float64)
    return w_gradients(real, z, theta)


def test_w_gradient_autograd_matches_finite_differences(gradients):
    assert relative_error(gradients["autograd"], gradients["finite_difference"]) < 1e-6


def test_w_gradient_dual_formula_matches_autograd(gradients):
    assert gradients["dual_kinks"] == 0.0
    assert relative_error(gradients["dual"], gradients["autograd"]) < 1e-9


def test_w_gradient_dual_formula_with_vertex_potentials_sits_on_kinks(gradients):
    assert gradients["dual_vertex_kinks"] > 0.1


def test_w_gradient_of_a_translation_is_the_unit_shift():
    # fake = real + b: W = ||b||, so dW/db = b / ||b|| (and the plan is the identity).
    z = _noise(40, seed=5)
    shift = torch.tensor([3.0, 4.0], dtype=torch.float64)
    theta = torch.cat([torch.eye(2, dtype=torch.float64).reshape(-1), shift])
    result = w_gradients(z, z, theta)
    assert result["w"] == pytest.approx(5.0, rel=1e-12)
    assert result["dual"][4:] == pytest.approx([0.6, 0.8], rel=1e-9)
    assert result["autograd"][4:] == pytest.approx([0.6, 0.8], rel=1e-9)


def test_w_gradients_rejects_non_positive_step():
    with pytest.raises(ValueError, match="'step' parameter of w_gradients must be positive"):
        w_gradients(_noise(3), _noise(3), torch.zeros(6), step=0.0)


def test_relative_error_is_norm_of_difference_over_norm_of_reference():
    assert relative_error([3.0, 4.0], [3.0, 0.0]) == pytest.approx(4.0 / 3.0)


def test_relative_error_rejects_zero_reference():
    with pytest.raises(ValueError, match="must not be all zeros"):
        relative_error([1.0], [0.0])
