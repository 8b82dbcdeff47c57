"""Weight clipping against the gradient penalty and spectral normalization, on known W1.

The paper's critic estimates W only "up to" a constant K that depends on the clip box
(Section 3, equation (3)); WGAN-GP (Gulrajani et al., 2017) and SN-GAN (Miyato et al.,
2018) replaced the clip. This module trains critics of each kind to near-optimality on
pairs of distributions whose W1 is known, and measures what each estimates:

- :data:`CONSTRAINTS`: the critics compared (clip at c = 0.1, 0.01, 0.001, the penalty, SN);
- :func:`constrained_critic`, :func:`fit`: a critic with its constraint, trained by
  :func:`wgan.training.algorithm1.critic_step` against two fixed samplers (the fake batch
  passed as the "noise" of an identity generator, as :mod:`wgan.experiments.critic_fit`
  does);
- :func:`ot_displacement`, :func:`gradient_cosine`: the optimal transport displacement of
  each fake point (POT's exact plan) and its cosine with the critic's gradient;
- :func:`gaussian_family`, :func:`ring_family`, :func:`digit_family`: the families of pairs;
- :func:`estimate_table`, :func:`family_summary`: K = estimate / W1 per pair, and per
  family K's spread, the estimate's linearity in W1 and the mean cosine.

The samplers of WGAN-GP's Figure 1 (:func:`eight_gaussians`, :func:`twenty_five_gaussians`,
:func:`swiss_roll`) and its measures (:func:`value_surface`, :func:`deep_critic`,
:func:`layer_gradient_norms`) are in :mod:`wgan.experiments.gp_figure`; the training runs
side by side in :mod:`wgan.experiments.lipschitz_runs`.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 3.
.. [2] Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved Training of Wasserstein
   GANs", NeurIPS 2017.
.. [3] Miyato, Kataoka, Koyama & Yoshida, "Spectral Normalization for Generative
   Adversarial Networks", ICLR 2018.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import ot
import pandas as pd
import torch
from torch import nn

from wgan.experiments.critic_fit import KnownPair, critic_gap, linear_fit
from wgan.theory.distances import wasserstein1
from wgan.theory.toy import Sampler, gaussian_ring
from wgan.training.algorithm1 import clip_, critic_step, make_optimizer
from wgan.training.models import build_critic, spectral_normalize_


@dataclass(frozen=True)
class Constraint:
    """One way of keeping a critic Lipschitz.

    Attributes
    ----------
    label : str
        As the tables print it, e.g. ``"clip c=0.01"``.
    lipschitz : {"clip", "gp", "sn"}
        The :class:`~wgan.training.config.TrainConfig` setting.
    clip_value : float
        c for ``"clip"`` (ignored otherwise).
    """

    label: str
    lipschitz: str
    clip_value: float = 0.01


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("clip c=0.1", "clip", 0.1),
    Constraint("clip c=0.01", "clip", 0.01),
    Constraint("clip c=0.001", "clip", 0.001),
    Constraint("gradient penalty", "gp"),
    Constraint("spectral norm", "sn"),
)


@dataclass(frozen=True)
class FitSettings:
    """How a critic is trained against two fixed distributions.

    Attributes
    ----------
    hidden : int
        Width of the MLP critic's three hidden layers.
    steps : int
        Critic iterations.
    batch_size : int
        Samples of each distribution per iteration.
    lr : float
        Learning rate of RMSProp (the paper's optimizer, for every constraint).
    gp_weight : float
        lambda of the penalty.
    eval_samples : int
        Fresh samples of each distribution on which the trained critic is measured.
    """

    hidden: int
    steps: int
    batch_size: int
    lr: float
    gp_weight: float
    eval_samples: int


def constrain_(critic: nn.Module, constraint: Constraint) -> nn.Module:
    """Put ``critic`` under ``constraint`` in place: spectrally normalised for ``"sn"``,
    clipped into its box for ``"clip"``, unchanged for ``"gp"`` (the penalty is in the loss).

    Returns
    -------
    nn.Module
        ``critic`` itself.
    """
    if constraint.lipschitz == "sn":
        spectral_normalize_(critic)
    elif constraint.lipschitz == "clip":
        clip_(critic, constraint.clip_value)
    return critic


def constrained_critic(
    constraint: Constraint, sample_shape: tuple[int, ...], hidden: int
) -> nn.Module:
    """The registry's MLP critic (:func:`wgan.training.models.build_critic`) with ``constraint``.

    Initialised from torch's global generator, then :func:`constrain_`.

    Parameters
    ----------
    constraint : Constraint
    sample_shape : tuple of int
        Shape of one sample, e.g. ``(2,)``.
    hidden : int

    Returns
    -------
    nn.Module
        Maps ``(m, *sample_shape)`` to ``(m,)``.
    """
    return constrain_(build_critic("mlp", sample_shape, mlp_hidden=hidden), constraint)


def fit(
    critic: nn.Module,
    constraint: Constraint,
    sample_real: Sampler,
    sample_fake: Sampler,
    settings: FitSettings,
    generator: torch.Generator,
) -> np.ndarray:
    """Train ``critic`` to separate two fixed distributions under ``constraint``.

    Runs :func:`wgan.training.algorithm1.critic_step` ``settings.steps`` times with RMSProp,
    each on fresh batches; a clipped critic is clipped once more at the end, so that its
    weights lie in the box. The critic is left in eval mode (a spectrally normalised
    critic then uses its last power-iteration estimate).

    Parameters
    ----------
    critic : nn.Module
        From :func:`constrained_critic`; trained in place.
    constraint : Constraint
    sample_real, sample_fake : callable
        ``sampler(n, generator)`` returns ``(n, *sample_shape)`` float32 samples.
    settings : FitSettings
    generator : torch.Generator
        Source of the batches and of the penalty's interpolation weights.

    Returns
    -------
    numpy.ndarray of shape (steps,)
        The batch estimate ``mean f(real) - mean f(fake)`` at every iteration.
    """
    if settings.steps <= 0 or settings.batch_size <= 0:
        raise ValueError(
            "The 'settings' parameter of fit must have positive steps and batch_size. "
            f"Got steps={settings.steps!r}, batch_size={settings.batch_size!r} instead."
        )
    critic.train()
    optimizer = make_optimizer("rmsprop", critic.parameters(), settings.lr)
    identity = nn.Identity()  # the fake batch stands in for g_theta(z)
    history = []
    for _ in range(settings.steps):
        real = sample_real(settings.batch_size, generator)
        fake = sample_fake(settings.batch_size, generator)
        stats = critic_step(critic, identity, real, fake, optimizer, constraint.clip_value,
                            constraint.lipschitz, settings.gp_weight, generator)
        history.append(stats["w_estimate"])
    if constraint.lipschitz == "clip":
        clip_(critic, constraint.clip_value)
    critic.eval()
    return torch.stack(history).numpy()


def ot_displacement(real: torch.Tensor, fake: torch.Tensor) -> np.ndarray:
    """Where the optimal transport plan moves each fake point, minus the point.

    Solves the exact Earth-Mover problem between the two equal-weight samples (POT,
    Euclidean cost); with equal sizes the plan is a permutation, so each fake point
    ``y_j`` has one target ``x_sigma(j)`` and the displacement is ``x_sigma(j) - y_j``
    (barycentric ``sum_i P_ij x_i / sum_i P_ij - y_j`` in general).

    Parameters
    ----------
    real : torch.Tensor of shape (n, *sample_shape)
    fake : torch.Tensor of shape (m, *sample_shape)

    Returns
    -------
    numpy.ndarray of shape (m, d), float64
        d = prod(sample_shape).
    """
    xs = real.reshape(real.shape[0], -1).double().numpy()
    ys = fake.reshape(fake.shape[0], -1).double().numpy()
    if xs.shape[1] != ys.shape[1]:
        raise ValueError(
            "The 'real' and 'fake' parameters of ot_displacement must have samples of the "
            f"same size. Got {xs.shape[1]} and {ys.shape[1]} values per sample instead."
        )
    a = np.full(len(xs), 1.0 / len(xs))
    b = np.full(len(ys), 1.0 / len(ys))
    plan = ot.emd(a, b, ot.dist(xs, ys, metric="euclidean"), numItermax=10_000_000)
    targets = plan.T @ xs / plan.sum(axis=0)[:, None]
    return targets - ys


def critic_gradients(critic: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """grad_x f(x) per sample, flattened.

    Parameters
    ----------
    critic : nn.Module
    x : torch.Tensor of shape (n, *sample_shape)

    Returns
    -------
    torch.Tensor of shape (n, d)
    """
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    return grad.reshape(grad.shape[0], -1)


def gradient_cosine(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> float:
    """Mean cosine between grad f at the fake points and their optimal transport displacement.

    An optimal critic's gradient at a fake point is the unit vector toward its transport
    target (Gulrajani et al., 2017, Proposition 1), so the cosine is 1; it is the measure of
    good gradients, whatever the scale K of the estimate.

    Parameters
    ----------
    critic : nn.Module
    real : torch.Tensor of shape (n, *sample_shape)
    fake : torch.Tensor of shape (n, *sample_shape)

    Returns
    -------
    float
        In [-1, 1]; points with a zero gradient or a zero displacement count as 0.
    """
    displacement = torch.from_numpy(ot_displacement(real, fake))
    grad = critic_gradients(critic, fake).double()
    cosine = nn.functional.cosine_similarity(grad, displacement, dim=1, eps=1e-30)
    return float(cosine.mean())


def steps_to_fraction(history: np.ndarray, fraction: float = 0.9) -> int:
    """First iteration at which a fit's smoothed estimate reaches ``fraction`` of its end.

    The batch estimates are averaged over a sliding window of a twentieth of the fit
    (at least 1); the end value is the mean over the last tenth.

    Parameters
    ----------
    history : numpy.ndarray of shape (steps,)
        From :func:`fit`.
    fraction : float, default=0.9
        In (0, 1].

    Returns
    -------
    int
        1-based iteration (the window's last); ``steps`` when the end value is not
        positive (the critic never separated the distributions).
    """
    values = np.asarray(history, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0 or not 0 < fraction <= 1:
        raise ValueError(
            "steps_to_fraction needs a non-empty 1-D history and a fraction in (0, 1]. "
            f"Got shape {values.shape} and fraction {fraction!r} instead."
        )
    width = max(1, len(values) // 20)
    smoothed = np.convolve(values, np.ones(width) / width, mode="valid")
    end = values[-max(1, len(values) // 10):].mean()
    if not end > 0:
        return len(values)
    return int(np.argmax(smoothed >= fraction * end)) + width


# ---------------------------------------------------------------- families of known W1
def _shifted_normal(dim: int, shift: float) -> Sampler:
    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        x = torch.randn(n, dim, generator=generator)
        x[:, 0] += shift
        return x

    return sample


def gaussian_family(dim: int, shifts: Sequence[float]) -> list[KnownPair]:
    """N(0, I) against N(v, I), v = shift * e_1, in ``dim`` dimensions: W1 = |v| exactly.

    Parameters
    ----------
    dim : int
        Dimension, at least 1.
    shifts : sequence of float
        |v| of each pair, positive.

    Returns
    -------
    list of KnownPair
        ``w`` = shift (a translation moves every point by v, and no plan costs less:
        ``|E x - E y| <= W1``).
    """
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(
            f"The 'dim' parameter of gaussian_family must be a positive int. Got {dim!r} instead."
        )
    if not shifts or min(shifts) <= 0:
        raise ValueError(
            "The 'shifts' parameter of gaussian_family must be a non-empty sequence of "
            f"positive distances. Got {list(shifts)!r} instead."
        )
    return [KnownPair(f"|v| = {s:g}", _shifted_normal(dim, 0.0), _shifted_normal(dim, s),
                      float(s)) for s in shifts]


def _rotated_ring(angle: float) -> Sampler:
    cos, sin = math.cos(angle), math.sin(angle)
    rotation = torch.tensor([[cos, sin], [-sin, cos]], dtype=torch.float32)

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return gaussian_ring(n, generator) @ rotation

    return sample


def ring_family(angles: Sequence[float], n_reference: int, seed: int = 0) -> list[KnownPair]:
    """The ring of 8 Gaussians against itself rotated by each angle; W1 from POT.

    Parameters
    ----------
    angles : sequence of float
        Rotations in radians, in (0, pi / 8) so that each mode's nearest rotated mode is its
        own image.
    n_reference : int
        Samples of each ring on which POT computes W1 (the exact distance between two
        samples of this size; it converges to 4 sin(angle / 2) for modes this narrow).
    seed : int, default=0

    Returns
    -------
    list of KnownPair
    """
    if not angles or min(angles) <= 0 or max(angles) >= math.pi / 8:
        raise ValueError(
            "The 'angles' parameter of ring_family must be a non-empty sequence in "
            f"(0, pi/8). Got {list(angles)!r} instead."
        )
    pairs = []
    for angle in angles:
        generator = torch.Generator().manual_seed(seed)
        real, fake = _rotated_ring(0.0), _rotated_ring(angle)
        w = wasserstein1(real(n_reference, generator).double().numpy(),
                         fake(n_reference, generator).double().numpy())
        pairs.append(KnownPair(f"rotated {angle:.2f} rad", real, fake, w))
    return pairs


def resampler(images: torch.Tensor) -> Sampler:
    """A sampler that draws from ``images`` with replacement (an empirical distribution).

    Parameters
    ----------
    images : torch.Tensor of shape (n, *sample_shape)

    Returns
    -------
    Sampler
        ``sample(m, generator)`` -> tensor of shape (m, *sample_shape).
    """
    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return images[torch.randint(len(images), (n,), generator=generator)]

    return sample


def digit_family(digits: torch.Tensor, fakes: Mapping[str, Sampler], n_reference: int,
                 seed: int = 0) -> list[KnownPair]:
    """Real digits against other distributions of images; W1 in pixel space from POT.

    Parameters
    ----------
    digits : torch.Tensor of shape (n, C, side, side), float32 in [-1, 1]
        The real images, sampled with replacement.
    fakes : mapping of str to Sampler
        Name -> sampler of images of the same shape (a :func:`resampler` of a generator's
        images, say), one pair each.
    n_reference : int
        Images of each side on which POT computes W1.
    seed : int, default=0

    Returns
    -------
    list of KnownPair
        In the order of ``fakes``.
    """
    if digits.dim() != 4 or not digits.is_floating_point():
        raise ValueError(
            "The 'digits' parameter of digit_family must be a float tensor of shape "
            f"(n, C, side, side). Got {digits.dtype} of shape {tuple(digits.shape)} instead."
        )
    if not fakes:
        raise ValueError("The 'fakes' parameter of digit_family must name at least one sampler.")
    real = resampler(digits)
    pairs = []
    for name, fake in fakes.items():
        generator = torch.Generator().manual_seed(seed)
        w = wasserstein1(real(n_reference, generator).flatten(1).double().numpy(),
                         fake(n_reference, generator).flatten(1).double().numpy())
        pairs.append(KnownPair(name, real, fake, w))
    return pairs


# ---------------------------------------------------------------- the estimates
def estimate_table(
    families: dict[str, list[KnownPair]],
    constraints: Sequence[Constraint],
    settings: FitSettings,
    seed: int = 0,
) -> pd.DataFrame:
    """Train one critic per constraint and pair; compare its estimate with W1.

    Every critic starts from the same initialisation seed and sees the same batches. The
    estimate and the cosine are measured on ``settings.eval_samples`` fresh samples of
    each distribution.

    Parameters
    ----------
    families : dict of str to list of KnownPair
        Family name -> its pairs (same sample shape within a family).
    constraints : sequence of Constraint
    settings : FitSettings
    seed : int, default=0

    Returns
    -------
    pandas.DataFrame
        One row per (family, constraint, pair): ``family``, ``constraint``, ``pair``,
        ``w`` (the known W1), ``estimate``, ``k`` (= estimate / w), ``cosine``
        (:func:`gradient_cosine`) and ``steps_to_90`` (:func:`steps_to_fraction`).
    """
    rows = []
    for family, pairs in families.items():
        for constraint in constraints:
            for pair in pairs:
                generator = torch.Generator().manual_seed(seed)
                shape = tuple(pair.sample_real(1, generator).shape[1:])
                torch.manual_seed(seed)
                critic = constrained_critic(constraint, shape, settings.hidden)
                history = fit(critic, constraint, pair.sample_real, pair.sample_fake, settings,
                              generator)
                real = pair.sample_real(settings.eval_samples, generator)
                fake = pair.sample_fake(settings.eval_samples, generator)
                estimate = critic_gap(critic, real, fake)
                rows.append({
                    "family": family, "constraint": constraint.label, "pair": pair.name,
                    "w": pair.w, "estimate": estimate, "k": estimate / pair.w,
                    "cosine": gradient_cosine(critic, real, fake),
                    "steps_to_90": steps_to_fraction(history),
                })
    return pd.DataFrame(rows)


def family_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per family and constraint: K's mean and spread, linearity in W1, mean cosine.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`estimate_table`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``family``, ``constraint``): ``k_mean``, ``k_min``, ``k_max``,
        ``k_ratio`` (max / min over the family's pairs: 1 when K is constant; NaN when a K
        is not positive), ``slope``, ``intercept``, ``r2`` (the least-squares line of the
        estimate against W1, :func:`wgan.experiments.critic_fit.linear_fit`), ``cosine``
        (mean) and ``steps_to_90`` (median).
    """
    rows = {}
    for (family, constraint), group in table.groupby(["family", "constraint"], sort=False):
        slope, intercept, r2 = linear_fit(group["w"].to_numpy(), group["estimate"].to_numpy())
        k = group["k"]
        rows[(family, constraint)] = {
            "k_mean": k.mean(), "k_min": k.min(), "k_max": k.max(),
            "k_ratio": k.max() / k.min() if k.min() > 0 else math.nan,
            "slope": slope, "intercept": intercept, "r2": r2, "cosine": group["cosine"].mean(),
            "steps_to_90": group["steps_to_90"].median(),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.names = ["family", "constraint"]
    return summary
