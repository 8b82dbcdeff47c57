"""Numerical checks of the theory of Sections 2 and 3: Theorems 1, 2 and 3, with POT.

- Theorem 1 / Corollary 1 (continuity): :func:`rotating_line` is a linear generator whose
  samples lie on a line through the origin at angle theta; :func:`w_along_path` computes
  W(P_r, P_theta) along a path of parameters with common noise, and
  :func:`path_lipschitz_constant` the constant L that bounds its increments.
- Theorem 2 (weak convergence): :func:`shrinking_gaussian_w` gives W(N(0, 1/n), delta_0)
  from samples and in closed form; :func:`empirical_w_to_normal` gives W between an
  empirical measure and N(0, 1) exactly.
- Theorem 3 (duality and gradient): :func:`kantorovich_potentials` solves the transport
  problem with POT and returns the primal and dual values and the optimal critic f;
  :func:`lipschitz_on_support` measures f's Lipschitz constant on the support;
  :func:`w_gradients` computes grad_theta W three ways (POT autograd, central finite
  differences, and the dual formula -E_z[grad_theta f(g_theta(z))]).

Everything runs in float64. Exact transport costs O(n^3): keep point clouds to a few
thousand points.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Sections 2-3,
   Theorems 1-3, Corollary 1 and equation (2).
.. [2] Villani, "Optimal Transport: Old and New", 2009, Theorem 5.10 (duality) and
   Remark 6.5 (Kantorovich-Rubinstein).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import ot
import torch
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import csgraph_from_dense, shortest_path
from scipy.spatial.distance import cdist
from scipy.stats import norm

from wgan.theory.distances import wasserstein1

GeneratorFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _as_points(x: ArrayLike | torch.Tensor, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    array = np.asarray(x, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] < 1:
        raise ValueError(
            f"The '{name}' parameter must be a non-empty point cloud of shape (n, d) "
            f"(or (n,) for 1-D samples). Got shape {np.shape(x)} instead."
        )
    return array


# ---------------------------------------------------------------- Theorem 1


def rotating_line(z: torch.Tensor, theta: torch.Tensor | float) -> torch.Tensor:
    """Linear generator g_theta(z) = W(theta) z drawing a Gaussian on a line at angle theta.

    ``W(theta) = (cos theta, sin theta)^T (1, 0)`` is a rank-1 weight: the sample
    ``z1 * (cos theta, sin theta)`` lies on the line through the origin at angle theta.
    Two such lines at different angles meet in one point, a set of measure zero for
    both laws, so JS = log 2, KL = inf and TV = 1 between them while W moves continuously
    (Theorem 1 and Example 1 of [1]).

    Parameters
    ----------
    z : torch.Tensor of shape (n, 2)
        Noise, usually N(0, I).
    theta : float or 0-dim torch.Tensor
        Angle in radians; a tensor with ``requires_grad`` gives gradients.

    Returns
    -------
    torch.Tensor of shape (n, 2)
    """
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(
            "The 'z' parameter of rotating_line must have shape (n, 2). "
            f"Got {tuple(z.shape)} instead."
        )
    theta = torch.as_tensor(theta, dtype=z.dtype, device=z.device)
    direction = torch.stack([torch.cos(theta), torch.sin(theta)])
    return z[:, :1] * direction


def rotating_line_sampler(theta: float) -> Callable[[int, torch.Generator], torch.Tensor]:
    """Sampler of P_theta for :func:`rotating_line` with N(0, I) noise, float32.

    Returns
    -------
    callable
        ``sampler(n, generator)`` returning a tensor of shape (n, 2), the
        :data:`wgan.theory.toy.Sampler` convention.
    """

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return rotating_line(torch.randn(n, 2, generator=generator), float(theta))

    return sample


def path_lipschitz_constant(z: torch.Tensor) -> float:
    """Lipschitz constant in theta of W(P_r, P_theta) for :func:`rotating_line` on noise z.

    ``||g_theta(z) - g_theta'(z)|| = |z1| * 2 |sin((theta - theta') / 2)| <= |z1| |theta -
    theta'|``, and coupling the two samples point by point gives
    ``W(P_theta, P_theta') <= mean |z1| * |theta - theta'|``. By the triangle inequality,
    ``|W(P_r, P_theta) - W(P_r, P_theta')| <= L |theta - theta'|`` with ``L = mean |z1|``
    exactly for the empirical measures on this noise (Theorem 1.2 of [1]); for the
    population, ``L = E|z1| = sqrt(2 / pi)``.

    Parameters
    ----------
    z : torch.Tensor of shape (n, 2)

    Returns
    -------
    float
    """
    return float(z[:, 0].abs().mean())


def w_along_path(
    real: ArrayLike | torch.Tensor,
    z: torch.Tensor,
    thetas: ArrayLike,
    generator_fn: GeneratorFn = rotating_line,
) -> np.ndarray:
    """W(P_r, P_theta) for every theta, with the same noise z at every theta.

    Common noise makes the curve a deterministic function of theta, so its increments
    obey the Lipschitz bound of :func:`path_lipschitz_constant` exactly.

    Parameters
    ----------
    real : array-like of shape (n, d)
        Sample of P_r.
    z : torch.Tensor of shape (m, nz)
        Noise pushed through the generator at every theta.
    thetas : array-like of shape (k,)
        Parameters along the path.
    generator_fn : callable, default=rotating_line
        ``generator_fn(z, theta)`` returns samples of shape (m, d).

    Returns
    -------
    numpy.ndarray of shape (k,)
    """
    points = _as_points(real, "real")
    return np.array(
        [
            wasserstein1(points, generator_fn(z, torch.tensor(float(t), dtype=z.dtype)))
            for t in np.asarray(thetas, dtype=np.float64)
        ]
    )


# ---------------------------------------------------------------- Theorem 2


def shrinking_gaussian_w_exact(n: ArrayLike) -> np.ndarray:
    """W(N(0, 1/n), delta_0) = E|X| = sqrt(2 / (pi n)) in closed form.

    The only coupling with a Dirac mass moves every point to 0, so W is E|X| for
    ``X ~ N(0, 1/n)``.

    Parameters
    ----------
    n : array-like of positive numbers

    Returns
    -------
    numpy.ndarray of the same shape
    """
    values = np.asarray(n, dtype=np.float64)
    if np.any(values <= 0):
        raise ValueError(
            "The 'n' parameter of shrinking_gaussian_w_exact must be positive (the variance "
            f"is 1/n). Got {values.tolist()} instead."
        )
    return np.sqrt(2.0 / (math.pi * values))


def shrinking_gaussian_w(
    ns: ArrayLike, samples: int, generator: torch.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """W(N(0, 1/n), delta_0) estimated with POT from ``samples`` draws, for every n.

    Parameters
    ----------
    ns : array-like of shape (k,)
        Indices n of the sequence P_n = N(0, 1/n).
    samples : int
        Draws from each P_n.
    generator : torch.Generator
        Source of randomness.

    Returns
    -------
    estimate : numpy.ndarray of shape (k,)
        ``wasserstein1`` between the sample and the single point 0.
    standard_error : numpy.ndarray of shape (k,)
        Standard error of that estimate, ``sqrt((1 - 2/pi) / n / samples)`` (the
        standard deviation of |X| over sqrt(samples)).
    """
    if not isinstance(samples, int) or samples < 2:
        raise ValueError(
            "The 'samples' parameter of shrinking_gaussian_w must be an int >= 2. "
            f"Got {samples!r} instead."
        )
    values = np.asarray(ns, dtype=np.float64)
    shrinking_gaussian_w_exact(values)  # validates n > 0
    estimates = []
    for n in values:
        x = torch.randn(samples, 1, generator=generator, dtype=torch.float64) / math.sqrt(n)
        estimates.append(wasserstein1(x.numpy(), np.zeros((1, 1))))
    standard_error = np.sqrt((1.0 - 2.0 / math.pi) / values / samples)
    return np.array(estimates), standard_error


def empirical_w_to_normal(x: ArrayLike) -> float:
    """Exact W1 between the empirical measure of a 1-D sample and N(0, 1).

    In one dimension ``W1 = integral |F_n(t) - Phi(t)| dt`` (Vallender, 1973). Between
    consecutive order statistics F_n is a constant k/n; with ``G(t) = t Phi(t) + phi(t)``
    an antiderivative of Phi, each piece integrates in closed form, split where
    ``Phi(t) = k/n``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, 1)
        The sample.

    Returns
    -------
    float
    """
    points = _as_points(x, "x")
    if points.shape[1] != 1:
        raise ValueError(
            "The 'x' parameter of empirical_w_to_normal must be a 1-D sample of shape (n,) "
            f"or (n, 1). Got shape {points.shape} instead."
        )
    t = np.sort(points[:, 0])
    n = len(t)

    def primitive(s: np.ndarray) -> np.ndarray:  # antiderivative of Phi
        return s * norm.cdf(s) + norm.pdf(s)

    level = np.arange(1, n) / n  # F_n on (t[k-1], t[k]) for k = 1..n-1
    low, high = t[:-1], t[1:]
    cross = np.clip(norm.ppf(level), low, high)  # where Phi meets the level
    # |level - Phi|: Phi < level on (low, cross), Phi > level on (cross, high).
    below = level * (cross - low) - (primitive(cross) - primitive(low))
    above = (primitive(high) - primitive(cross)) - level * (high - cross)
    left_tail = primitive(t[0])  # integral of Phi over (-inf, t[0])
    right_tail = norm.pdf(t[-1]) - t[-1] * norm.sf(t[-1])  # integral of 1 - Phi
    return float(left_tail + right_tail + np.sum(below + above))


# ---------------------------------------------------------------- Theorem 3 (a)


@dataclass
class KantorovichSolution:
    """An exact optimal-transport solution between two point clouds, primal and dual.

    Attributes
    ----------
    real : numpy.ndarray of shape (n, d)
        Support of P_r, weights ``a``.
    fake : numpy.ndarray of shape (m, d)
        Support of P_theta, weights ``b``.
    a, b : numpy.ndarray of shapes (n,) and (m,)
    primal : float
        min_gamma sum gamma_ij ||x_i - y_j|| from :func:`ot.emd2` (equation (1) of [1]).
    u, v : numpy.ndarray of shapes (n,) and (m,)
        The solver's dual potentials: ``u_i + v_j <= ||x_i - y_j||``.
    plan : numpy.ndarray of shape (n, m)
        The optimal coupling gamma.
    """

    real: np.ndarray
    fake: np.ndarray
    a: np.ndarray
    b: np.ndarray
    primal: float
    u: np.ndarray
    v: np.ndarray
    plan: np.ndarray

    @property
    def dual(self) -> float:
        """Dual value ``sum_i a_i u_i + sum_j b_j v_j``; equals :attr:`primal` (duality)."""
        return float(self.a @ self.u + self.b @ self.v)

    def kink_fraction(self, tol: float = 1e-12) -> float:
        """Fraction of fake points where the critic :meth:`critic` is not differentiable.

        ``f = max_i (u_i - ||x_i - .||)`` has a kink at ``y_j`` when two real points are
        tight there (``u_i + v_j = ||x_i - y_j||`` for two i). The network simplex returns
        a vertex of the dual polytope, with at least ``n + m - 1`` tight pairs of which only
        ``n`` carry mass when the plan is a permutation, so a vertex potential has kinks at
        many fake points.

        Parameters
        ----------
        tol : float, default=1e-12
            Slack below which a pair counts as tight.
        """
        slack = ot.dist(self.real, self.fake, metric="euclidean") - self.u[:, None] - self.v
        return float(np.mean((slack <= tol).sum(axis=0) > 1))

    def interior(self) -> KantorovichSolution:
        """The same solution with potentials from the relative interior of the dual optimum.

        Theorem 3 differentiates the critic at the fake points, which needs a potential
        without kinks there. When the optimal plan is a permutation sigma (n = m uniform
        points, unique optimum), the optimal potentials are the u with
        ``u_k - u_i <= c(i, k) = ||x_k - y_sigma(i)|| - ||x_i - y_sigma(i)||`` (and
        ``v_sigma(i) = ||x_i - y_sigma(i)|| - u_i``): difference constraints, solved by
        shortest-path distances ``d(r, .)`` from any root r. Their average over all roots
        is tight only on the plan's pairs and on zero-length cycles (generically none), so
        every fake point has a single tight real point: f is differentiable there.

        Returns
        -------
        KantorovichSolution
            Same supports, plan and primal value; new ``u`` and ``v``.

        Raises
        ------
        ValueError
            If the plan is not a permutation (unequal sizes, or mass split by a tie).
        """
        n, m = self.plan.shape
        partner = self.plan.argmax(axis=1)  # sigma(i)
        if n != m or not np.allclose(self.plan[np.arange(n), partner] * n, 1.0):
            raise ValueError(
                "KantorovichSolution.interior needs a plan that is a permutation: two "
                f"clouds of the same size with a unique optimum. Got a plan of shape "
                f"{self.plan.shape} with {(self.plan > 0).sum()} non-zero entries."
            )
        cost = ot.dist(self.real, self.fake, metric="euclidean")
        own = cost[np.arange(n), partner]
        weights = cost[:, partner].T - own[:, None]  # weights[i, k] = c(i, k)
        np.fill_diagonal(weights, np.inf)
        graph = csgraph_from_dense(weights, null_value=np.inf)
        distances = shortest_path(graph, method="J", directed=True)
        u = distances.mean(axis=0)
        v = np.empty(m)
        v[partner] = own - u
        return KantorovichSolution(
            real=self.real, fake=self.fake, a=self.a, b=self.b, primal=self.primal,
            u=u, v=v, plan=self.plan,
        )

    def critic_on_support(self) -> tuple[np.ndarray, np.ndarray]:
        """The optimal critic f of (2) on the union of the supports.

        ``f(x_i) = u_i`` on the real points and ``f(y_j) = -v_j`` on the fake ones, so
        ``E_r f - E_theta f = sum a u + sum b v = W``.

        Returns
        -------
        points : numpy.ndarray of shape (n + m, d)
        values : numpy.ndarray of shape (n + m,)
        """
        return np.concatenate([self.real, self.fake]), np.concatenate([self.u, -self.v])

    def critic(self, points: ArrayLike | torch.Tensor) -> np.ndarray | torch.Tensor:
        """The optimal critic extended to the whole space: ``f(p) = max_i (u_i - ||x_i - p||)``.

        A maximum of 1-Lipschitz functions, so 1-Lipschitz everywhere; it equals ``u_i``
        at ``x_i`` and ``-v_j`` at ``y_j`` (complementary slackness). Accepts a torch
        tensor and stays differentiable in it, which gives grad f for Theorem 3.

        Parameters
        ----------
        points : array-like or torch.Tensor of shape (k, d)

        Returns
        -------
        numpy.ndarray or torch.Tensor of shape (k,)
            The same kind as ``points``.
        """
        if isinstance(points, torch.Tensor):
            real = torch.as_tensor(self.real, dtype=points.dtype, device=points.device)
            u = torch.as_tensor(self.u, dtype=points.dtype, device=points.device)
            distance = torch.cdist(
                points.reshape(len(points), -1), real,
                compute_mode="donot_use_mm_for_euclid_dist",  # exact near zero
            )
            return (u[None, :] - distance).max(dim=1).values
        query = _as_points(points, "points")
        return (self.u[None, :] - cdist(query, self.real)).max(axis=1)


def kantorovich_potentials(
    real: ArrayLike | torch.Tensor, fake: ArrayLike | torch.Tensor
) -> KantorovichSolution:
    """Solve W1 between two uniform point clouds exactly, keeping the dual potentials.

    Uses :func:`ot.emd2` with ``log=True`` on the Euclidean cost, in float64.

    Parameters
    ----------
    real : array-like of shape (n, d)
    fake : array-like of shape (m, d)

    Returns
    -------
    KantorovichSolution
    """
    x, y = _as_points(real, "real"), _as_points(fake, "fake")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            "The 'real' and 'fake' point clouds must live in the same dimension. "
            f"Got shapes {x.shape} and {y.shape}."
        )
    a, b = np.full(len(x), 1.0 / len(x)), np.full(len(y), 1.0 / len(y))
    cost = ot.dist(x, y, metric="euclidean")
    plan, log = ot.emd(a, b, cost, numItermax=10_000_000, log=True)
    return KantorovichSolution(
        real=x, fake=y, a=a, b=b, primal=float(log["cost"]), u=log["u"], v=log["v"], plan=plan
    )


def lipschitz_on_support(points: ArrayLike, values: ArrayLike) -> float:
    """Largest slope ``|f(p) - f(q)| / ||p - q||`` over pairs of distinct points.

    Parameters
    ----------
    points : array-like of shape (k, d)
    values : array-like of shape (k,)
        f at the points.

    Returns
    -------
    float
        The Lipschitz constant of f restricted to the points (0 for fewer than two
        distinct points).
    """
    p = _as_points(points, "points")
    f = np.asarray(values, dtype=np.float64)
    if f.shape != (len(p),):
        raise ValueError(
            f"The 'values' parameter of lipschitz_on_support must have shape ({len(p)},), "
            f"one value per point. Got {f.shape} instead."
        )
    distance = cdist(p, p)  # exact near zero, unlike the expanded form of ot.dist
    apart = distance > 0
    if not apart.any():
        return 0.0
    return float((np.abs(f[:, None] - f[None, :])[apart] / distance[apart]).max())


# ---------------------------------------------------------------- Theorem 3 (b)


def affine_generator(z: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """One linear layer g_theta(z) = A z + b, with theta = (A flattened row by row, b).

    Parameters
    ----------
    z : torch.Tensor of shape (m, k)
    theta : torch.Tensor of shape (d * k + d,)
        ``A`` of shape (d, k) then ``b`` of shape (d,).

    Returns
    -------
    torch.Tensor of shape (m, d)
    """
    k = z.shape[1]
    d, remainder = divmod(theta.numel(), k + 1)
    if remainder or d == 0:
        raise ValueError(
            f"The 'theta' parameter of affine_generator must hold d * {k} + d numbers "
            f"(A of shape (d, {k}) and b of shape (d,)). Got {theta.numel()} instead."
        )
    weight, bias = theta[: d * k].reshape(d, k), theta[d * k :]
    return z @ weight.T + bias


def _w_of_theta(real: torch.Tensor, z: torch.Tensor, theta: torch.Tensor,
                generator_fn: GeneratorFn) -> torch.Tensor:
    fake = generator_fn(z, theta)
    a = torch.full((len(real),), 1.0 / len(real), dtype=real.dtype)
    b = torch.full((len(fake),), 1.0 / len(fake), dtype=real.dtype)
    cost = ot.dist(real, fake, metric="euclidean")
    return ot.emd2(a, b, cost, numItermax=10_000_000)


def w_gradients(
    real: ArrayLike | torch.Tensor,
    z: torch.Tensor,
    theta: torch.Tensor,
    generator_fn: GeneratorFn = affine_generator,
    step: float = 1e-6,
) -> dict[str, np.ndarray | float]:
    """grad_theta W(P_r, P_theta) three ways, for empirical measures (Theorem 3 of [1]).

    ``autograd``
        Backpropagation through :func:`ot.emd2` with POT's torch backend (the gradient
        with respect to the cost matrix is the optimal plan).
    ``finite_difference``
        Central differences ``(W(theta + h e_k) - W(theta - h e_k)) / 2h`` with exact
        POT solves, one pair per coordinate.
    ``dual``
        Theorem 3's formula ``-E_z[grad_theta f(g_theta(z))]``, with f the optimal critic
        ``max_i (u_i - ||x_i - .||)`` (:meth:`KantorovichSolution.critic`) held fixed and
        differentiated by autograd through ``g_theta`` only. f is built from potentials
        in the interior of the dual optimum (:meth:`KantorovichSolution.interior`), so
        that it is differentiable at the fake points, as the theorem requires.
    ``dual_vertex``
        The same formula with the solver's own (vertex) potentials, whose critic has
        kinks at many fake points; there autograd picks one side of the kink, so this
        gradient is off by the kinks' share.

    Parameters
    ----------
    real : array-like of shape (n, d)
        Sample of P_r.
    z : torch.Tensor of shape (m, k)
        Noise; the same for every evaluation.
    theta : torch.Tensor of shape (p,)
        Generator parameters.
    generator_fn : callable, default=affine_generator
        ``generator_fn(z, theta)`` returns (m, d), differentiable in theta.
    step : float, default=1e-6
        h of the finite differences.

    Returns
    -------
    dict
        ``"w"`` (float); ``"autograd"``, ``"finite_difference"``, ``"dual"`` and
        ``"dual_vertex"``, each a numpy array of shape (p,); ``"dual_kinks"`` and
        ``"dual_vertex_kinks"``, the share of fake points at a kink of each critic.
    """
    if not step > 0:
        raise ValueError(
            f"The 'step' parameter of w_gradients must be positive. Got {step!r} instead."
        )
    x = torch.as_tensor(_as_points(real, "real"))
    z = z.to(torch.float64)
    theta = theta.detach().to(torch.float64).reshape(-1)

    variable = theta.clone().requires_grad_(True)
    w = _w_of_theta(x, z, variable, generator_fn)
    (autograd,) = torch.autograd.grad(w, variable)

    finite = np.empty(theta.numel())
    for k in range(theta.numel()):
        shift = torch.zeros_like(theta)
        shift[k] = step
        plus = float(_w_of_theta(x, z, theta + shift, generator_fn))
        minus = float(_w_of_theta(x, z, theta - shift, generator_fn))
        finite[k] = (plus - minus) / (2 * step)

    vertex = kantorovich_potentials(x, generator_fn(z, theta).detach())
    result: dict[str, np.ndarray | float] = {
        "w": float(w.detach()),
        "autograd": autograd.numpy(),
        "finite_difference": finite,
    }
    for name, solution in (("dual_vertex", vertex), ("dual", vertex.interior())):
        variable = theta.clone().requires_grad_(True)
        critic_mean = solution.critic(generator_fn(z, variable)).mean()
        (gradient,) = torch.autograd.grad(-critic_mean, variable)
        result[name] = gradient.numpy()
        result[f"{name}_kinks"] = solution.kink_fraction()
    return result


def relative_error(estimate: ArrayLike, reference: ArrayLike) -> float:
    """``||estimate - reference|| / ||reference||`` (Euclidean norms)."""
    e, r = np.asarray(estimate, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if e.shape != r.shape:
        raise ValueError(
            f"relative_error needs arrays of the same shape. Got {e.shape} and {r.shape}."
        )
    scale = float(np.linalg.norm(r))
    if scale == 0:
        raise ValueError("The 'reference' parameter of relative_error must not be all zeros.")
    return float(np.linalg.norm(e - r)) / scale
