"""Critics and discriminators trained against two fixed distributions (Section 3 of [1]).

With the generator held fixed, Algorithm 1's critic loop (lines 2-8) is a plain
maximisation of ``E_r f_w - E_theta f_w`` over clipped weights, equation (3) of [1]; the
GAN discriminator's loop maximises ``E_r log D + E_theta log(1 - D)``. The functions here
run exactly those loops, reusing :func:`wgan.training.algorithm1.critic_step` and
:func:`wgan.training.gan.discriminator_step` with the identity as the "generator" (the fake batch
is passed as the noise), so nothing re-implements a training step.

- :func:`fit_critic`, :func:`fit_discriminator`: the two loops.
- :func:`critic_gap`, :func:`js_lower_bound`: what each trained network estimates,
  on held-out samples; :func:`discriminator_js` trains a fresh discriminator and
  returns its JS estimate.
- :func:`lipschitz_bound`, :func:`clip_family_bound`: the constant K of equation (3),
  bounded for one MLP critic and for the whole clipped family.
- :func:`known_pair`, :func:`clipped_critic_estimate`: pairs of distributions with known W,
  and the critic's estimate against it on one pair.
- :func:`figure3`: the optimal discriminator and critic between two 1-D Gaussians, with
  the numbers that show saturation and linearity (Figure 3 of [1]).

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 3, equation (3)
   and Figure 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.stats import linregress, norm
from torch import nn
from torch.nn import functional as F

from wgan.theory.distances import wasserstein1
from wgan.theory.theorems import kantorovich_potentials
from wgan.theory.toy import Sampler, gaussian_1d, parallel_lines
from wgan.training.algorithm1 import clip_, critic_step, make_optimizer
from wgan.training.gan import discriminator_step
from wgan.training.models import Discriminator, build_critic


def _check_positive_int(caller: str, **values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"The '{name}' parameter of {caller} must be a positive int. "
                f"Got {value!r} instead."
            )


def fit_critic(
    critic: nn.Module,
    sample_real: Sampler,
    sample_fake: Sampler,
    *,
    steps: int,
    batch_size: int,
    clip_value: float,
    lr: float,
    generator: torch.Generator,
) -> np.ndarray:
    """Train a clipped critic to separate two fixed distributions (eq. (3) of [1]).

    Runs :func:`wgan.training.algorithm1.critic_step` ``steps`` times with RMSProp, each on
    fresh real and fake batches, then clips once more so that the returned weights lie in the box
    ``[-c, c]`` (``critic_step`` clips before its update, as the authors' code does).

    Parameters
    ----------
    critic : nn.Module
        f_w, mapping ``(m, d)`` to ``(m,)``; trained in place.
    sample_real, sample_fake : callable
        ``sampler(n, generator)`` returns ``(n, d)`` samples of P_r and P_theta.
    steps : int
        Critic iterations.
    batch_size : int
        m, samples of each distribution per iteration.
    clip_value : float
        c.
    lr : float
        RMSProp learning rate alpha.
    generator : torch.Generator
        Source of randomness of the batches.

    Returns
    -------
    numpy.ndarray of shape (steps,)
        The batch estimate ``mean f(real) - mean f(fake)`` at every iteration.
    """
    _check_positive_int("fit_critic", steps=steps, batch_size=batch_size)
    optimizer = make_optimizer("rmsprop", critic.parameters(), lr)
    identity = nn.Identity()  # the fake batch stands in for g_theta(z)
    history = []
    for _ in range(steps):
        real = sample_real(batch_size, generator)
        fake = sample_fake(batch_size, generator)
        history.append(critic_step(critic, identity, real, fake, optimizer, clip_value)[
            "w_estimate"])
    clip_(critic, clip_value)
    return torch.stack(history).numpy()


def fit_discriminator(
    discriminator: Discriminator,
    sample_real: Sampler,
    sample_fake: Sampler,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
) -> np.ndarray:
    """Train a GAN discriminator to separate two fixed distributions.

    Runs :func:`wgan.training.gan.discriminator_step` ``steps`` times with Adam (lr, betas
    (0.5, 0.999), DCGAN's), each on fresh batches.

    Parameters
    ----------
    discriminator : Discriminator
        D = sigmoid(critic), from ``build_critic(..., sigmoid=True)``; trained in place.
    sample_real, sample_fake : callable
        ``sampler(n, generator)`` returns ``(n, d)`` samples.
    steps, batch_size : int
    lr : float
    generator : torch.Generator

    Returns
    -------
    numpy.ndarray of shape (steps,)
        The batch JS lower bound ``0.5 L(D) + log 2`` at every iteration.
    """
    _check_positive_int("fit_discriminator", steps=steps, batch_size=batch_size)
    optimizer = make_optimizer("adam", discriminator.parameters(), lr)
    identity = nn.Identity()
    history = []
    for _ in range(steps):
        real = sample_real(batch_size, generator)
        fake = sample_fake(batch_size, generator)
        history.append(
            discriminator_step(discriminator, identity, real, fake, optimizer)["js_lower_bound"]
        )
    return torch.stack(history).numpy()


def critic_gap(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> float:
    """The critic's estimate ``mean f(real) - mean f(fake)`` on given samples.

    Parameters
    ----------
    critic : nn.Module
    real : torch.Tensor of shape (n, d)
    fake : torch.Tensor of shape (m, d)
    """
    with torch.no_grad():
        return float(critic(real).mean() - critic(fake).mean())


def js_lower_bound(discriminator: Discriminator, real: torch.Tensor, fake: torch.Tensor) -> float:
    """``log 2 + (E_r log D + E_theta log(1 - D)) / 2`` on given samples, in nats.

    For any D this is at most JS(P_r, P_theta) (with the 1/2 convention of
    :mod:`wgan.theory.distances`), with equality for the optimal D; on held-out samples it is an
    unbiased estimate of that bound.

    Parameters
    ----------
    discriminator : Discriminator
    real : torch.Tensor of shape (n, d)
    fake : torch.Tensor of shape (m, d)
    """
    with torch.no_grad():
        log_d_real = -F.softplus(-discriminator.logits(real)).mean()
        log_one_minus_d_fake = -F.softplus(discriminator.logits(fake)).mean()
    return math.log(2.0) + 0.5 * float(log_d_real + log_one_minus_d_fake)


def discriminator_js(
    sample_real: Sampler,
    sample_fake: Sampler,
    *,
    hidden: int,
    steps: int,
    batch_size: int,
    lr: float,
    eval_samples: int,
    seed: int,
) -> float:
    """JS(P_r, P_theta) estimated by a freshly trained GAN discriminator.

    Builds ``build_critic("mlp", (d,), mlp_hidden=hidden, sigmoid=True)``, trains it with
    :func:`fit_discriminator` and returns :func:`js_lower_bound` on ``eval_samples``
    held-out samples of each distribution: the quantity a GAN's discriminator loss
    tracks (Section 4.3 of [1]).

    Parameters
    ----------
    sample_real, sample_fake : callable
        ``sampler(n, generator)`` returns ``(n, d)`` float32 samples.
    hidden, steps, batch_size, eval_samples : int
    lr : float
        Adam's learning rate.
    seed : int
        Seeds the initialisation and the batches.

    Returns
    -------
    float
        In nats, at most log 2 up to sampling error.
    """
    _check_positive_int("discriminator_js", hidden=hidden, eval_samples=eval_samples)
    generator = torch.Generator().manual_seed(seed)
    probe = sample_real(1, generator)
    torch.manual_seed(seed)  # build_critic initialises from the global generator
    discriminator = build_critic("mlp", tuple(probe.shape[1:]), mlp_hidden=hidden, sigmoid=True)
    fit_discriminator(discriminator, sample_real, sample_fake, steps=steps,
                      batch_size=batch_size, lr=lr, generator=generator)
    return js_lower_bound(
        discriminator, sample_real(eval_samples, generator), sample_fake(eval_samples, generator)
    )


def _linear_layers(critic: nn.Module, caller: str) -> list[nn.Linear]:
    allowed = (nn.Linear, nn.ReLU, nn.LeakyReLU, nn.Sequential)
    modules = [m for m in critic.modules() if m is not critic]
    odd = sorted({type(m).__name__ for m in modules if not isinstance(m, allowed)})
    layers = [m for m in modules if isinstance(m, nn.Linear)]
    if odd or not layers:
        raise TypeError(
            f"{caller} bounds the Lipschitz constant of MLP critics (Linear layers and "
            f"ReLU / LeakyReLU only), e.g. build_critic('mlp', ...). Got a critic with "
            f"{odd or 'no Linear layers'} instead."
        )
    return layers


def lipschitz_bound(critic: nn.Module) -> float:
    """Upper bound on the Lipschitz constant of an MLP critic: prod_l ||W_l||_2.

    ReLU and LeakyReLU are 1-Lipschitz and biases do not change slopes, so the product of
    the layers' spectral norms bounds ``||f_w||_L``: the K of equation (3) of [1] for this
    critic (usually far from tight).

    Parameters
    ----------
    critic : nn.Module
        An MLP of Linear layers and (Leaky)ReLUs.

    Returns
    -------
    float
    """
    bound = 1.0
    for layer in _linear_layers(critic, "lipschitz_bound"):
        bound *= float(torch.linalg.matrix_norm(layer.weight.detach().double(), ord=2))
    return bound


def clip_family_bound(critic: nn.Module, clip_value: float) -> float:
    """Lipschitz bound valid for every MLP with this shape and weights in [-c, c].

    ``||W||_2 <= ||W||_F <= c sqrt(fan_in * fan_out)`` for each layer, so
    ``K <= prod_l c sqrt(fan_in_l * fan_out_l)``: the constant "that only depends on W and
    not the individual weights" of Section 3 of [1]. For the paper's 4-layer MLP of 512
    units on 1-D inputs with c = 0.01 this is ``c^4 * 512^3 = 1.34``.

    Parameters
    ----------
    critic : nn.Module
        An MLP of Linear layers and (Leaky)ReLUs.
    clip_value : float
        c.

    Returns
    -------
    float
    """
    if not clip_value > 0:
        raise ValueError(
            f"The 'clip_value' parameter of clip_family_bound must be positive. "
            f"Got {clip_value!r} instead."
        )
    bound = 1.0
    for layer in _linear_layers(critic, "clip_family_bound"):
        bound *= clip_value * math.sqrt(layer.in_features * layer.out_features)
    return bound


@dataclass(frozen=True)
class KnownPair:
    """Two distributions with a known Wasserstein-1 distance.

    Attributes
    ----------
    name : str
        Label, e.g. ``"shifted Gaussians"``.
    sample_real, sample_fake : callable
        ``sampler(n, generator)`` returning ``(n, d)`` float32 samples.
    w : float
        W(P_r, P_theta), exactly.
    """

    name: str
    sample_real: Sampler
    sample_fake: Sampler
    w: float


KNOWN_FAMILIES: tuple[str, ...] = ("shifted Gaussians", "parallel lines")
"""The families of :func:`known_pair`."""


def known_pair(family: str, w: float) -> KnownPair:
    """The pair of ``family`` at distance ``w``, named by data (what a fit's config holds).

    - ``"shifted Gaussians"``: N(0, 1) against N(w, 1) on the line, W = |w| (a translation);
    - ``"parallel lines"``: Example 1's vertical lines at 0 and at w
      (:func:`wgan.theory.toy.parallel_lines`), W = |w|.

    Parameters
    ----------
    family : {"shifted Gaussians", "parallel lines"}
    w : float
        The shift or the offset.

    Returns
    -------
    KnownPair
        Named ``family``, with ``w = |w|``.
    """
    if family == "shifted Gaussians":
        return KnownPair(family, lambda n, g: gaussian_1d(n, 0.0, 1.0, g),
                         lambda n, g: gaussian_1d(n, w, 1.0, g), abs(w))
    if family == "parallel lines":
        return KnownPair(family, lambda n, g: parallel_lines(n, 0.0, g),
                         lambda n, g: parallel_lines(n, w, g), abs(w))
    raise ValueError(f"The 'family' parameter of known_pair must be one of "
                     f"{', '.join(map(repr, KNOWN_FAMILIES))}. Got {family!r} instead.")


def clipped_critic_estimate(
    pair: KnownPair,
    *,
    hidden: int,
    clip_value: float,
    steps: int,
    batch_size: int,
    lr: float,
    eval_samples: int,
    seed: int,
) -> dict[str, Any]:
    """Train a fresh clipped MLP critic on a pair and compare its estimate with W.

    A new ``build_critic("mlp", ...)`` (initialised from ``seed``) is trained by
    :func:`fit_critic`, then evaluated on ``eval_samples`` fresh samples of each
    distribution. On those samples, weak duality gives ``estimate <= K * W_eval`` exactly,
    for any K at least the critic's Lipschitz constant.

    Parameters
    ----------
    pair : KnownPair
    hidden : int
        Width of the critic's hidden layers.
    clip_value, lr : float
        c and the RMSProp learning rate.
    steps, batch_size, eval_samples : int
    seed : int
        Seeds the initialisation and the batches.

    Returns
    -------
    dict
        ``pair`` (its name), ``w`` (true W), ``w_eval`` (exact W between the evaluation
        samples, by POT), ``estimate``, ``k_bound`` (:func:`lipschitz_bound`), ``k_family``
        (:func:`clip_family_bound`), ``estimate_over_w`` and ``estimate_over_k_bound``.
    """
    _check_positive_int("clipped_critic_estimate", hidden=hidden, eval_samples=eval_samples)
    generator = torch.Generator().manual_seed(seed)
    probe = pair.sample_real(1, generator)
    torch.manual_seed(seed)  # build_critic initialises from the global generator
    critic = build_critic("mlp", tuple(probe.shape[1:]), mlp_hidden=hidden)
    fit_critic(critic, pair.sample_real, pair.sample_fake, steps=steps,
               batch_size=batch_size, clip_value=clip_value, lr=lr, generator=generator)
    real = pair.sample_real(eval_samples, generator)
    fake = pair.sample_fake(eval_samples, generator)
    estimate = critic_gap(critic, real, fake)
    k_bound = lipschitz_bound(critic)
    return {
        "pair": pair.name,
        "w": pair.w,
        "w_eval": wasserstein1(real.double().numpy(), fake.double().numpy()),
        "estimate": estimate,
        "k_bound": k_bound,
        "k_family": clip_family_bound(critic, clip_value),
        "estimate_over_w": estimate / pair.w if pair.w else math.nan,
        "estimate_over_k_bound": estimate / k_bound,
    }


def linear_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares line through (x, y) and its coefficient of determination.

    Parameters
    ----------
    x, y : numpy.ndarray of shape (k,)

    Returns
    -------
    slope, intercept, r2 : float
        ``r2 = 1 - SS_res / SS_tot`` (1 for a perfect line; 1 when y is constant).
    """
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1 or len(xs) < 2:
        raise ValueError(
            "linear_fit needs two 1-D arrays of the same length, at least 2. "
            f"Got shapes {xs.shape} and {ys.shape}."
        )
    fit = linregress(xs, ys)
    # a least-squares line's r2 is the squared correlation, which a constant y leaves NaN
    r2 = float(fit.rvalue) ** 2 if np.ptp(ys) > 0 else 1.0
    return float(fit.slope), float(fit.intercept), r2


@dataclass
class Figure3Result:
    """The trained discriminator and critic of Figure 3, on a grid, with its numbers.

    Attributes
    ----------
    grid : numpy.ndarray of shape (k,)
        Points of the line where the networks are evaluated.
    density_real, density_fake : numpy.ndarray of shape (k,)
        The two Gaussian densities on the grid.
    discriminator, discriminator_slope : numpy.ndarray of shape (k,)
        D(x) and dD/dx.
    critic, critic_slope : numpy.ndarray of shape (k,)
        f(x) and df/dx of the clipped critic.
    optimal_critic : numpy.ndarray of shape (k,)
        The exact 1-Lipschitz optimal critic of the evaluation samples (POT's
        potentials, :meth:`wgan.theory.theorems.KantorovichSolution.critic`), centred.
    numbers : dict of str to float
        ``d_slope_fake``: mean |dD/dx| over fake samples; ``d_slope_max``: max |dD/dx|
        on the grid; ``d_fake``: mean D over fake samples; ``critic_slope_fake``:
        mean |df/dx| over fake samples; ``critic_slope_max``: max |df/dx| on the grid;
        ``critic_r2``: R^2 of a line fitted to f over the support (both means -/+ 3
        std); ``critic_fit_slope``: that line's slope; ``js_lower_bound``,
        ``critic_estimate`` (on the held-out samples), ``w_eval`` (exact W between
        them) and ``k_bound`` (:func:`lipschitz_bound` of the critic).
    """

    grid: np.ndarray
    density_real: np.ndarray
    density_fake: np.ndarray
    discriminator: np.ndarray
    discriminator_slope: np.ndarray
    critic: np.ndarray
    critic_slope: np.ndarray
    optimal_critic: np.ndarray
    numbers: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON values (arrays as lists), read back by :meth:`from_dict`."""
        return {name: value.tolist() if isinstance(value, np.ndarray) else dict(value)
                for name, value in vars(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure3Result:
        """The result :meth:`to_dict` wrote."""
        return cls(**{name: dict(value) if name == "numbers" else np.asarray(value)
                      for name, value in data.items()})


def _values_and_slopes(network: nn.Module, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    points = x.clone().requires_grad_(True)
    values = network(points)
    (slopes,) = torch.autograd.grad(values.sum(), points)
    return values.detach().numpy(), slopes[:, 0].numpy()


def figure3(
    *,
    real_mean: float = -2.0,
    fake_mean: float = 2.0,
    std: float = 0.5,
    hidden: int,
    critic_steps: int,
    discriminator_steps: int,
    batch_size: int = 64,
    clip_value: float = 0.01,
    critic_lr: float = 5e-5,
    discriminator_lr: float = 1e-3,
    eval_samples: int = 1000,
    grid_points: int = 401,
    seed: int = 0,
) -> Figure3Result:
    """Figure 3 of [1]: optimal GAN discriminator and WGAN critic between two Gaussians.

    The same MLP (``build_critic("mlp", (1,), mlp_hidden=hidden)``) is trained as a GAN
    discriminator (with a sigmoid, Adam) and as a clipped WGAN critic (RMSProp, clip c),
    both against P_r = N(real_mean, std^2) and P_theta = N(fake_mean, std^2) held fixed.

    Parameters
    ----------
    real_mean, fake_mean, std : float, default=(-2, 2, 0.5)
        The two Gaussians.
    hidden : int
        Width of the MLP's hidden layers.
    critic_steps, discriminator_steps : int
        Training iterations of each network.
    batch_size : int, default=64
    clip_value : float, default=0.01
        c, the paper's.
    critic_lr : float, default=5e-5
        RMSProp rate of the critic, the paper's alpha.
    discriminator_lr : float, default=1e-3
        Adam rate of the discriminator.
    eval_samples : int, default=1000
        Held-out samples of each Gaussian for the numbers.
    grid_points : int, default=401
        Points on the line ``[min mean - 5 std - 1, max mean + 5 std + 1]``.
    seed : int, default=0

    Returns
    -------
    Figure3Result
    """
    _check_positive_int("figure3", hidden=hidden, critic_steps=critic_steps,
                        discriminator_steps=discriminator_steps, eval_samples=eval_samples,
                        grid_points=grid_points)

    def sample_real(n: int, g: torch.Generator) -> torch.Tensor:
        return gaussian_1d(n, real_mean, std, g)

    def sample_fake(n: int, g: torch.Generator) -> torch.Tensor:
        return gaussian_1d(n, fake_mean, std, g)

    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    discriminator = build_critic("mlp", (1,), mlp_hidden=hidden, sigmoid=True)
    critic = build_critic("mlp", (1,), mlp_hidden=hidden)
    fit_discriminator(discriminator, sample_real, sample_fake, steps=discriminator_steps,
                      batch_size=batch_size, lr=discriminator_lr, generator=generator)
    fit_critic(critic, sample_real, sample_fake, steps=critic_steps, batch_size=batch_size,
               clip_value=clip_value, lr=critic_lr, generator=generator)

    real = sample_real(eval_samples, generator)
    fake = sample_fake(eval_samples, generator)
    low, high = min(real_mean, fake_mean) - 5 * std - 1, max(real_mean, fake_mean) + 5 * std + 1
    grid = torch.linspace(low, high, grid_points)[:, None]
    d_values, d_slopes = _values_and_slopes(discriminator, grid)
    f_values, f_slopes = _values_and_slopes(critic, grid)
    _, d_slopes_fake = _values_and_slopes(discriminator, fake)
    _, f_slopes_fake = _values_and_slopes(critic, fake)

    x = grid[:, 0].numpy().astype(np.float64)
    lo, hi = min(real_mean, fake_mean) - 3 * std, max(real_mean, fake_mean) + 3 * std
    support = (x >= lo) & (x <= hi)
    fit_slope, _, critic_r2 = linear_fit(x[support], f_values[support])
    optimal = np.asarray(kantorovich_potentials(real, fake).critic(x[:, None]))
    optimal = optimal - optimal[support].mean()

    with torch.no_grad():
        d_fake = float(discriminator(fake).mean())
    numbers = {
        "d_slope_fake": float(np.abs(d_slopes_fake).mean()),
        "d_slope_max": float(np.abs(d_slopes).max()),
        "d_fake": d_fake,
        "critic_slope_fake": float(np.abs(f_slopes_fake).mean()),
        "critic_slope_max": float(np.abs(f_slopes).max()),
        "critic_r2": critic_r2,
        "critic_fit_slope": fit_slope,
        "js_lower_bound": js_lower_bound(discriminator, real, fake),
        "critic_estimate": critic_gap(critic, real, fake),
        "w_eval": wasserstein1(real.double().numpy(), fake.double().numpy()),
        "k_bound": lipschitz_bound(critic),
    }
    return Figure3Result(
        grid=x, density_real=norm.pdf(x, real_mean, std),
        density_fake=norm.pdf(x, fake_mean, std),
        discriminator=d_values, discriminator_slope=d_slopes, critic=f_values,
        critic_slope=f_slopes, optimal_critic=optimal, numbers=numbers,
    )
