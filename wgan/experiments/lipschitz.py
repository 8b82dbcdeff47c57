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
- :func:`gaussian_family`: translated Gaussians, the family of pairs whose W1 is |v|;
- :class:`PopulationPair`, :func:`scaled_gaussian_family`: pairs whose W1 is known for the
  populations (not from finite samples), each with a critic attaining it;
  :func:`population_estimates` scores fitted critics and that exact critic on one shared
  sample per pair and seed, with the numbers of a convergence gate (:func:`monitored_fit`,
  :func:`projected_drift`); :func:`lambda_sweep` does so for the penalty at several
  lambdas;
- closed forms: the penalised optimum among linear critics (:func:`gp_linear_optimum`,
  K* = 1 + W / (2 lambda)) and the slope of a linear critic inside a clip box
  (:func:`clip_linear_slope`).

The verdict rules that read these numbers are in :mod:`wgan.experiments.lipschitz_verdicts`.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import ot
import pandas as pd
import torch
from scipy.stats import chi
from torch import nn

from wgan.experiments.critic_fit import KnownPair, clip_family_bound, critic_gap
from wgan.theory.toy import Sampler
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
    final_lr : float, default=1.0
        The learning rate falls linearly from ``lr`` to ``final_lr * lr`` over the second
        half of the fit (1: constant). Near its optimum a critic under RMSProp, whose
        steps are about ``lr`` whatever the gradient, jitters by an amount set by ``lr``;
        the decay lets it settle, so that a convergence gate can tell a settled critic from
        one still climbing.
    """

    hidden: int
    steps: int
    batch_size: int
    lr: float
    gp_weight: float
    eval_samples: int
    final_lr: float = 1.0

    def lr_at(self, step: int) -> float:
        """Learning rate of the 1-based iteration ``step`` (see ``final_lr``)."""
        half = self.steps / 2
        progress = min(1.0, max(0.0, (step - half) / half)) if half > 0 else 1.0
        return self.lr * (1.0 + (self.final_lr - 1.0) * progress)


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
    after_step: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Train ``critic`` to separate two fixed distributions under ``constraint``.

    Runs :func:`wgan.training.algorithm1.critic_step` ``settings.steps`` times with RMSProp
    (its learning rate decayed over the second half when ``settings.final_lr < 1``), each
    on fresh batches; a clipped critic is clipped once more at the end, so that its
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
    after_step : callable or None, default=None
        Called with the 1-based iteration after every critic step (a monitor: it must put
        the critic back in training mode if it changes the mode).

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
    for step in range(1, settings.steps + 1):
        if settings.final_lr != 1.0:
            for group in optimizer.param_groups:
                group["lr"] = settings.lr_at(step)
        real = sample_real(settings.batch_size, generator)
        fake = sample_fake(settings.batch_size, generator)
        stats = critic_step(critic, identity, real, fake, optimizer, constraint.clip_value,
                            constraint.lipschitz, settings.gp_weight, generator)
        history.append(stats["w_estimate"])
        if after_step is not None:
            after_step(step)
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


def gradient_cosine(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                    displacement: np.ndarray | None = None) -> float:
    """Mean cosine between grad f at the fake points and their optimal transport displacement.

    An optimal critic's gradient at a fake point is the unit vector toward its transport
    target (Gulrajani et al., 2017, Proposition 1), so the cosine is 1; it is the measure of
    good gradients, whatever the scale K of the estimate.

    Parameters
    ----------
    critic : nn.Module
    real : torch.Tensor of shape (n, *sample_shape)
    fake : torch.Tensor of shape (n, *sample_shape)
    displacement : numpy.ndarray of shape (n, d) or None, default=None
        :func:`ot_displacement` of ``(real, fake)`` when already computed (it is the same for
        every critic measured on these samples); computed here when None.

    Returns
    -------
    float
        In [-1, 1]; points with a zero gradient or a zero displacement count as 0.
    """
    if displacement is None:
        displacement = ot_displacement(real, fake)
    displacement = torch.from_numpy(np.asarray(displacement, dtype=np.float64))
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


@dataclass(frozen=True)
class PopulationPair(KnownPair):
    """A pair whose W1 is known for the populations, with a critic that attains it.

    Attributes
    ----------
    name, sample_real, sample_fake, w
        As :class:`~wgan.experiments.critic_fit.KnownPair`; ``w`` is the population W1.
    optimal : callable
        A 1-Lipschitz critic with ``E_r f - E_theta f = w`` (a maximiser of the dual (2)):
        maps ``(n, d)`` to ``(n,)``.
    kind : {"translation", "scaling"}
        How the fake distribution is made from the real one; for a translation the
        penalised optimum among critics linear along the shift has a closed form
        (:func:`gp_linear_optimum`).
    """

    optimal: Callable[[torch.Tensor], torch.Tensor]
    kind: str


def _first_coordinate(sign: float) -> Callable[[torch.Tensor], torch.Tensor]:
    def critic(x: torch.Tensor) -> torch.Tensor:
        return sign * x[:, 0]

    return critic


def _norm(sign: float) -> Callable[[torch.Tensor], torch.Tensor]:
    def critic(x: torch.Tensor) -> torch.Tensor:
        return sign * x.norm(dim=1)

    return critic


def gaussian_family(dim: int, shifts: Sequence[float]) -> list[PopulationPair]:
    """N(0, I) against N(v, I), v = shift * e_1, in ``dim`` dimensions: W1 = |v| exactly.

    Parameters
    ----------
    dim : int
        Dimension, at least 1.
    shifts : sequence of float
        |v| of each pair, positive.

    Returns
    -------
    list of PopulationPair
        ``w`` = shift (a translation moves every point by v, and no plan costs less:
        ``|E x - E y| <= W1``); ``optimal`` is ``f(x) = -x_1`` (larger on N(0, I)), kind
        ``"translation"``.
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
    return [PopulationPair(f"|v| = {s:g}", _shifted_normal(dim, 0.0), _shifted_normal(dim, s),
                           float(s), _first_coordinate(-1.0), "translation") for s in shifts]


def _scaled_normal(dim: int, scale: float) -> Sampler:
    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return scale * torch.randn(n, dim, generator=generator)

    return sample


def scaled_gaussian_family(dim: int, scales: Sequence[float]) -> list[PopulationPair]:
    """N(0, I) against N(0, sigma^2 I): W1 = |sigma - 1| E|X| exactly.

    |X| is chi-distributed with ``dim`` degrees of freedom, so E|X| is
    ``scipy.stats.chi(dim).mean()`` (sqrt(pi / 2) = 1.2533 for ``dim = 2``).

    The map ``x -> sigma x`` moves each point by ``|sigma - 1| |x|``, and the 1-Lipschitz
    critic ``f(x) = -sign(sigma - 1) |x|`` scores the same amount, so neither bound can be
    improved: the plan is optimal and the critic attains the dual (2). Unlike the
    translation's, this optimal critic is not linear (a cone at the origin).

    Parameters
    ----------
    dim : int
        Dimension, at least 1.
    scales : sequence of float
        sigma of each pair, positive and not 1.

    Returns
    -------
    list of PopulationPair
        kind ``"scaling"``.
    """
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(
            "The 'dim' parameter of scaled_gaussian_family must be a positive int. "
            f"Got {dim!r} instead.")
    if not scales or min(scales) <= 0 or any(s == 1 for s in scales):
        raise ValueError(
            "The 'scales' parameter of scaled_gaussian_family must be a non-empty sequence "
            f"of positive scales other than 1. Got {list(scales)!r} instead.")
    mean_norm = float(chi(dim).mean())
    return [PopulationPair(f"sigma = {s:.3g}", _scaled_normal(dim, 1.0), _scaled_normal(dim, s),
                           abs(s - 1.0) * mean_norm, _norm(-math.copysign(1.0, s - 1.0)),
                           "scaling") for s in scales]


# ---------------------------------------------------------------- the estimates
# ---------------------------------------------------------------- closed forms
def gp_linear_optimum(w: float, gp_weight: float) -> float:
    """K of the penalised critic at its optimum among critics linear along a translation.

    On N(0, I) against N(v, I) (|v| = w), the critic ``f(x) = -s v.x / |v|`` estimates
    ``s w`` and has gradient norm s everywhere (interpolates included), so the penalised
    objective is ``s w - lambda (s - 1)^2``, maximal at
    ``s* = 1 + w / (2 lambda)``. The penalty does not make the estimate W1: it
    over-estimates it by ``w^2 / (2 lambda)``, K* - 1 = w / (2 lambda) (1.025, 1.0625, 1.10
    for w = 0.5, 1.25, 2 at lambda = 10; 1 + 5 w at WGAN-GP's toy lambda = 0.1).

    Parameters
    ----------
    w : float
        W1 of the pair, non-negative.
    gp_weight : float
        lambda, positive.

    Returns
    -------
    float
        ``1 + w / (2 lambda)``: the slope s*, which is also K* = estimate / W1.
    """
    if not gp_weight > 0 or not w >= 0:
        raise ValueError(
            "gp_linear_optimum needs w >= 0 and a positive gp_weight. "
            f"Got w={w!r}, gp_weight={gp_weight!r} instead.")
    return 1.0 + w / (2.0 * gp_weight)


def clip_linear_slope(critic: nn.Module, clip_value: float) -> float:
    """Slope of a critic linear along one input axis that the clip box of ``critic`` holds.

    A ReLU MLP with layer widths ``n_1, ..., n_{L-1}`` (and output 1), every weight and
    bias in ``[-c, c]``, contains ``f(x) = c^L prod_l floor(n_l / 2) x_1``: in each hidden
    layer half the units carry ``+t`` and half ``-t`` (ReLU(t) - ReLU(-t) = t), every weight
    ``+-c``, biases 0. For the translated Gaussians such a critic estimates K_lin W1, so a
    clipped critic that attains the supremum of the dual over its box has K >= K_lin
    (3.3 at c = 0.1, 3.3e-4 at c = 0.01 for three hidden layers of 64 units). The box bound
    :func:`wgan.experiments.critic_fit.clip_family_bound` caps K from above.

    Parameters
    ----------
    critic : nn.Module
        A ReLU MLP (``nn.Linear`` and ``nn.ReLU`` in a ``nn.Sequential``), e.g.
        :func:`constrained_critic`.
    clip_value : float
        c, positive.

    Returns
    -------
    float
        K_lin.
    """
    modules = [m for m in critic.modules() if m is not critic]
    layers = [m for m in modules if isinstance(m, nn.Linear)]
    odd = sorted({type(m).__name__ for m in modules
                  if not isinstance(m, nn.Linear | nn.ReLU | nn.Sequential)})
    if odd or not layers:
        raise TypeError(
            "clip_linear_slope needs a ReLU MLP (Linear and ReLU layers only), e.g. "
            f"build_critic('mlp', ...). Got a critic with {odd or 'no Linear layers'} instead.")
    if not clip_value > 0:
        raise ValueError(
            "The 'clip_value' parameter of clip_linear_slope must be positive. "
            f"Got {clip_value!r} instead.")
    slope = clip_value ** len(layers)
    for layer in layers[:-1]:
        slope *= layer.out_features // 2
    return slope


def projected_drift(steps: Sequence[int], values: Sequence[float]) -> float:
    """How far a fit's monitored estimate would still move: its pace over the last fifth of
    the fit, extrapolated over the whole fit, relative to the estimate (the convergence
    gate's number).

    The pace is the least-squares slope, per iteration, of the monitored estimates at the
    iterations of the last fifth (``step >= 0.8 * last step``, the last step ending the
    fit); it is multiplied by the fit's length (the last step) and divided by the absolute
    mean of those estimates. In words: run once more as long at the pace it ends with, the
    estimate would move by this fraction of itself.

    Why this number:

    - *Extrapolated over the whole fit, not read over the window.* What moved over a window
      shrinks with the window: a fit creeping steadily at 1.5% per fifth of its length
      moves 1.5% over its last fifth (which a gate of 2% over the last fifth passed), yet
      would move 7.5% over a fit as long again. The extrapolation measures that: for an
      estimate approaching its limit as 1/t, slope(t) * t is exactly the distance left; for
      an exponential approach whose time constant is at most the fit's length it bounds
      it; and the slope averaged over the window is at least the final one when the fit
      decelerates.
    - *Per iteration, over the last fifth.* Under a learning rate that decays towards the
      end (:attr:`FitSettings.final_lr`), the end is where RMSProp's jitter is smallest, and
      the mean estimate rises a little as the rate falls (the critic settles nearer its
      optimum) and stops rising when the rate stops falling; a slope read over the whole
      second half, or against the learning rate spent, takes that settling for a climb.
      Refitted four times longer, 21 fits of chapter 8's Part 1 at the quick scale, chosen
      near the gate, showed it: this gate passed none whose longer refit moved by more than
      5% (it passed clipped critics still climbing 2 to 4%), while the slope over the
      second half against the learning rate spent failed penalised critics whose refit
      moved by 1%. At a constant rate the
      jitter stays (about 1% of the estimate for a clipped critic, 2 to 3% for a penalised
      one at the quick scale) and the slope over 5 points of a fifth multiplies it by about
      ``sqrt(12 / 5) / 0.2``, about 8: such a fit cannot show that it has settled, and fails.

    Parameters
    ----------
    steps : sequence of int
        Iterations at which the estimate was monitored, increasing, the last one ending the
        fit, at least 2 of them in its last fifth.
    values : sequence of float
        The estimate on a fixed sample at those iterations.

    Returns
    -------
    float
        Non-negative; ``inf`` when the window's mean is 0 or a value is not finite.
    """
    x = np.asarray(steps, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or len(x) == 0 or np.any(np.diff(x) <= 0):
        raise ValueError(
            "The 'steps' parameter of projected_drift must be increasing iterations, as many "
            f"as the values. Got {len(x)} steps and {len(y)} values instead.")
    length = float(x[-1])
    window = x >= 0.8 * length
    if window.sum() < 2:
        raise ValueError(
            "The 'steps' parameter of projected_drift must have at least 2 iterations in the "
            f"last fifth of the fit (from {0.8 * length:g}). Got {list(steps)!r} instead.")
    x, y = x[window], y[window]
    mean = float(y.mean())
    if not np.all(np.isfinite(y)) or mean == 0:
        return math.inf
    slope = float(np.polyfit(x, y, 1)[0])
    return abs(slope * length) / abs(mean)


# ---------------------------------------------------------------- population estimates
def _values(critic: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return critic(x).reshape(-1).double()


def shared_estimate(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor,
                    fake: torch.Tensor) -> tuple[float, float]:
    """The estimate ``mean f(real) - mean f(fake)`` and its standard error.

    Parameters
    ----------
    critic : callable
        ``(n, *sample_shape) -> (n,)``.
    real, fake : torch.Tensor of shape (n, *sample_shape)

    Returns
    -------
    (float, float)
        Estimate and ``sqrt(var f(real) / n + var f(fake) / m)`` (sampling error of the
        estimate for this critic).
    """
    fr, ff = _values(critic, real), _values(critic, fake)
    se = math.sqrt(float(fr.var()) / len(fr) + float(ff.var()) / len(ff))
    return float(fr.mean() - ff.mean()), se


def _monitor(critic: nn.Module, constraint: Constraint, real: torch.Tensor,
             fake: torch.Tensor, at: set[int], trace: list[float]) -> Callable[[int], None]:
    """An ``after_step`` for :func:`fit`: appends the estimate on (real, fake) to
    ``trace`` at the iterations ``at``.

    The critic is measured as its constraint makes it: a clipped critic is clipped first
    (after a step its weights can sit up to about ``lr`` outside the box, which at
    c = 0.001 is as much as the box; the next step clips them anyway, so the fit is
    unchanged), and every critic in eval mode (a spectrally normalised one runs no extra
    power iteration)."""
    def monitor(step: int) -> None:
        if step in at:
            if constraint.lipschitz == "clip":
                clip_(critic, constraint.clip_value)
            critic.eval()
            trace.append(critic_gap(critic, real, fake))
            critic.train()

    return monitor


def monitored_fit(
    critic: nn.Module,
    constraint: Constraint,
    sample_real: Sampler,
    sample_fake: Sampler,
    settings: FitSettings,
    generator: torch.Generator,
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    checkpoints: int = 20,
) -> tuple[np.ndarray, float]:
    """:func:`fit`, with the estimate on a fixed sample monitored for the convergence gate.

    The estimate ``mean f(real) - mean f(fake)`` is measured at ``checkpoints`` evenly
    spaced iterations (the critic as its constraint makes it: clipped into its box, in eval
    mode); the fit itself is :func:`fit`'s, unchanged by the monitoring.

    Parameters
    ----------
    critic, constraint, sample_real, sample_fake, settings, generator
        As :func:`fit`.
    real, fake : torch.Tensor of shape (n, *sample_shape)
        The fixed sample (drawn from another generator than ``generator``, so that the
        fit's batches do not depend on it).
    checkpoints : int, default=20
        At least 5, so that the last fifth of the fit holds 2 of them.

    Returns
    -------
    history : numpy.ndarray of shape (steps,)
        :func:`fit`'s batch estimates.
    drift : float
        :func:`projected_drift` of the monitored estimate.
    """
    if checkpoints < 5:
        raise ValueError(
            "The 'checkpoints' parameter of monitored_fit must be at least 5. "
            f"Got {checkpoints!r} instead.")
    # rounded up: the checkpoint at 4/5 of the fit is in its last fifth
    at = sorted({-(-settings.steps * (i + 1) // checkpoints) for i in range(checkpoints)})
    trace: list[float] = []
    history = fit(critic, constraint, sample_real, sample_fake, settings, generator,
                  _monitor(critic, constraint, real, fake, set(at), trace))
    return history, projected_drift(at, trace)


def population_estimates(
    families: Mapping[str, Sequence[PopulationPair]],
    constraints: Sequence[Constraint],
    settings: FitSettings,
    seeds: Sequence[int],
    *,
    n_cosine: int,
    n_monitor: int = 2000,
    checkpoints: int = 20,
) -> pd.DataFrame:
    """Critics fitted to pairs of known population W1, scored on samples shared with the
    pair's exact critic, with the numbers a convergence gate needs.

    Per (pair, seed) one sample of ``settings.eval_samples`` points of each distribution is
    drawn (generator seeded ``seed``); the pair's optimal critic
    (:attr:`PopulationPair.optimal`) and every fitted critic are scored on it, so their
    estimates share the sampling error. Per (constraint, pair, seed) a critic is
    initialised from ``torch.manual_seed(seed)`` and fitted (:func:`fit`) on batches from a
    generator seeded ``seed + 1_000_000``; its estimate on the first ``n_monitor`` points of
    the shared sample is monitored at ``checkpoints`` evenly spaced iterations
    (:func:`monitored_fit`), from which :func:`projected_drift` says how far it would still
    move.

    Parameters
    ----------
    families : mapping of str to sequence of PopulationPair
    constraints : sequence of Constraint
    settings : FitSettings
        ``eval_samples`` is the size of the shared sample (about 10,000 at ``quick``).
    seeds : sequence of int
    n_cosine : int
        Points of the shared sample on which the gradient cosine is measured (POT's exact
        plan is quadratic in memory, so fewer than ``eval_samples``).
    n_monitor : int, default=2000
    checkpoints : int, default=20

    Returns
    -------
    pandas.DataFrame
        One row per (family, constraint, pair, seed): ``family``, ``constraint``, ``kind``
        (of the pair), ``pair``, ``seed``, ``w`` (population W1), ``exact`` (the optimal
        critic's estimate on the shared sample), ``estimate``, ``se`` (its standard error,
        :func:`shared_estimate`), ``k`` (estimate / w), ``k_paired`` (estimate / exact:
        the critic's scale with the common sampling error removed), ``k_reference`` (the
        penalised linear optimum :func:`gp_linear_optimum` for a penalised critic on a
        translation; NaN otherwise), ``k_box`` (clip: the box's bound
        :func:`~wgan.experiments.critic_fit.clip_family_bound`; spectral norm: 1; NaN for
        the penalty), ``k_linear`` (clip on a translation: :func:`clip_linear_slope`; NaN
        otherwise), ``gp_weight`` (lambda for the penalty, NaN otherwise), ``cosine`` and
        ``exact_cosine`` (:func:`gradient_cosine` of the fitted and the optimal critic on
        the first ``n_cosine`` points), ``steps_to_90`` (:func:`steps_to_fraction`) and
        ``drift`` (:func:`projected_drift` of the monitored estimate).
    """
    if not seeds or n_cosine < 2 or n_monitor < 2:
        raise ValueError(
            "population_estimates needs at least one seed, n_cosine >= 2 and n_monitor >= 2. "
            f"Got seeds={list(seeds)!r}, n_cosine={n_cosine!r}, n_monitor={n_monitor!r} "
            "instead.")
    rows = []
    for family, pairs in families.items():
        for pair in pairs:
            for seed in seeds:
                draw = torch.Generator().manual_seed(seed)
                real = pair.sample_real(settings.eval_samples, draw)
                fake = pair.sample_fake(settings.eval_samples, draw)
                shape = tuple(real.shape[1:])
                exact, _ = shared_estimate(pair.optimal, real, fake)
                displacement = ot_displacement(real[:n_cosine], fake[:n_cosine])
                exact_cosine = gradient_cosine(pair.optimal, real[:n_cosine], fake[:n_cosine],
                                               displacement)
                for constraint in constraints:
                    torch.manual_seed(seed)
                    critic = constrained_critic(constraint, shape, settings.hidden)
                    history, drift = monitored_fit(
                        critic, constraint, pair.sample_real, pair.sample_fake, settings,
                        torch.Generator().manual_seed(seed + 1_000_000), real[:n_monitor],
                        fake[:n_monitor], checkpoints=checkpoints)
                    estimate, se = shared_estimate(critic, real, fake)
                    gp = constraint.lipschitz == "gp"
                    clip = constraint.lipschitz == "clip"
                    translation = pair.kind == "translation"
                    rows.append({
                        "family": family, "constraint": constraint.label, "kind": pair.kind,
                        "pair": pair.name, "seed": seed, "w": pair.w, "exact": exact,
                        "estimate": estimate, "se": se, "k": estimate / pair.w,
                        "k_paired": estimate / exact,
                        "k_reference": (gp_linear_optimum(pair.w, settings.gp_weight)
                                        if gp and translation else math.nan),
                        "k_box": (clip_family_bound(critic, constraint.clip_value) if clip
                                  else 1.0 if constraint.lipschitz == "sn" else math.nan),
                        "k_linear": (clip_linear_slope(critic, constraint.clip_value)
                                     if clip and translation else math.nan),
                        "gp_weight": settings.gp_weight if gp else math.nan,
                        "cosine": gradient_cosine(critic, real[:n_cosine], fake[:n_cosine],
                                                  displacement),
                        "exact_cosine": exact_cosine,
                        "steps_to_90": steps_to_fraction(history),
                        "drift": drift,
                    })
    return pd.DataFrame(rows)


def lambda_sweep(
    family: str,
    pairs: Sequence[PopulationPair],
    gp_weights: Sequence[float],
    settings: FitSettings,
    seeds: Sequence[int],
    *,
    n_cosine: int,
    n_monitor: int = 2000,
    checkpoints: int = 20,
) -> pd.DataFrame:
    """:func:`population_estimates` of penalised critics at each lambda of ``gp_weights``.

    Parameters
    ----------
    family : str
        Name of the family, for the ``family`` column.
    pairs : sequence of PopulationPair
    gp_weights : sequence of float
        The lambdas, positive.
    settings : FitSettings
        Its ``gp_weight`` is replaced by each lambda.
    seeds : sequence of int
    n_cosine, n_monitor, checkpoints : int
        As :func:`population_estimates`.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`population_estimates`, constraint ``"gradient penalty,
        lambda=<lambda>"``, one block per lambda.
    """
    if not gp_weights or min(gp_weights) <= 0:
        raise ValueError(
            "The 'gp_weights' parameter of lambda_sweep must be a non-empty sequence of "
            f"positive lambdas. Got {list(gp_weights)!r} instead.")
    tables = [population_estimates(
        {family: pairs}, [Constraint(f"gradient penalty, lambda={weight:g}", "gp")],
        replace(settings, gp_weight=float(weight)), seeds, n_cosine=n_cosine,
        n_monitor=n_monitor, checkpoints=checkpoints) for weight in gp_weights]
    return pd.concat(tables, ignore_index=True)
