"""Algorithm 1 of the paper, one step at a time: no I/O, no printing, no host syncs.

The names are the paper's: the ``critic`` f_w, the ``generator`` g_theta, the clipping
parameter ``clip_value`` (c), ``n_critic``. Each statement is commented with its line in
Algorithm 1::

     1: while theta has not converged do
     2:   for t = 0, ..., n_critic do
     3:     Sample {x_i} ~ P_r, a batch from the real data
     4:     Sample {z_i} ~ p(z), a batch of priors
     5:     g_w <- grad_w [1/m sum f_w(x_i) - 1/m sum f_w(g_theta(z_i))]
     6:     w <- w + alpha * RMSProp(w, g_w)
     7:     w <- clip(w, -c, c)
     8:   end for
     9:   Sample {z_i} ~ p(z), a batch of prior samples
    10:   g_theta <- -grad_theta 1/m sum f_w(g_theta(z_i))
    11:   theta <- theta - alpha * RMSProp(theta, g_theta)

Line 7 is one of three ways to keep the critic Lipschitz, the setting ``lipschitz`` of
:func:`critic_step`: ``"clip"`` (the paper's), ``"gp"``, the gradient penalty of Gulrajani
et al. (2017) added to the loss of line 5 (:func:`gradient_penalty`), and ``"sn"``,
spectral normalization of the critic's layers (Miyato et al., 2018), which lives in the
critic itself (:func:`wgan.training.models.spectral_normalize_`); the last two skip line 7.

Two departures from the printed algorithm follow the authors' code, each in its own
function: the clip of line 7 is applied *before* each critic update (:func:`clip_`,
called first in :func:`critic_step`), and the critic runs 100 iterations instead of
``n_critic`` early on and every 500th generator iteration (:func:`critic_iters`).

The step functions return detached 0-dim tensors so that a caller reads them back once
per generator iteration; they hold no state and can run under :func:`torch.autocast`.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from wgan.training.config import LIPSCHITZ, OPTIMIZERS

WARMUP_CRITIC_ITERS = 100  # authors' code: critic iterations during warm-up and every 500th
WARMUP_GENERATOR_ITERS = 25  # authors' code: the warm-up lasts this many generator iterations
WARMUP_PERIOD = 500  # authors' code: and recurs at every multiple of this


def prior(
    m: int, nz: int, *, device: torch.device | str = "cpu", generator: torch.Generator | None = None
) -> torch.Tensor:
    """Sample a batch of priors z ~ p(z) = N(0, I) (lines 4 and 9 of Algorithm 1).

    Parameters
    ----------
    m : int
        Batch size.
    nz : int
        Dimension of z.
    device : torch.device or str, default="cpu"
    generator : torch.Generator, optional
        Source of randomness (on ``device``); the global one if omitted.

    Returns
    -------
    torch.Tensor of shape (m, nz), float32
    """
    return torch.randn(m, nz, device=device, generator=generator)


def clip_(critic: nn.Module, clip_value: float) -> None:
    """Clamp every critic parameter to ``[-clip_value, clip_value]`` in place.

    Line 7 of Algorithm 1. Every parameter is clamped, BatchNorm's affine weights and
    biases included (authors' code).

    Parameters
    ----------
    critic : nn.Module
        f_w.
    clip_value : float
        c, positive (0.01 in the paper).

    Raises
    ------
    ValueError
        If ``clip_value`` is not positive.
    """
    if not clip_value > 0:
        raise ValueError(
            "The 'clip_value' parameter of clip_ must be positive (the critic's weights are "
            f"clipped to [-c, c]). Got {clip_value!r} instead."
        )
    params = list(critic.parameters())
    with torch.no_grad():
        torch._foreach_clamp_min_(params, -clip_value)
        torch._foreach_clamp_max_(params, clip_value)


def interpolation_weights(
    real: torch.Tensor, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """WGAN-GP's interpolation weights: one ``eps ~ U[0, 1]`` per sample of ``real``.

    Shaped ``(m, 1, ..., 1)`` to broadcast over a sample, with ``real``'s device and dtype.
    :func:`gradient_penalty` draws them itself unless given them; a caller draws them
    beforehand when the step must not draw (a step captured as a CUDA graph,
    :mod:`wgan.training.graphs`), from the same generator and so with the same values.

    Parameters
    ----------
    real : torch.Tensor of shape (m, *sample_shape)
    generator : torch.Generator, optional
        Source of the draws (on ``real``'s device); the global one if omitted.

    Returns
    -------
    torch.Tensor of shape (m, 1, ..., 1)
    """
    eps_shape = (real.shape[0],) + (1,) * (real.dim() - 1)  # one eps per sample
    return torch.rand(eps_shape, device=real.device, generator=generator, dtype=real.dtype)


def gradient_penalty(
    critic: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    generator: torch.Generator | None = None,
    eps: torch.Tensor | None = None,
) -> torch.Tensor:
    """WGAN-GP's penalty: mean of (||grad_x f(x_hat)||_2 - 1)^2 on random interpolates.

    ``x_hat = eps * real + (1 - eps) * fake`` with one ``eps ~ U[0, 1]`` per sample (not per
    element), and the norm over all non-batch dimensions (Gulrajani et al., 2017,
    Algorithm 1). The gradient is taken with ``create_graph=True`` so that the penalty
    can be differentiated with respect to the critic's weights.

    Parameters
    ----------
    critic : nn.Module
        f_w, mapping ``(m, *sample_shape)`` to ``(m,)``; no BatchNorm (the penalty is per
        sample).
    real, fake : torch.Tensor of shape (m, *sample_shape)
        x and g_theta(z), the latter without a graph to the generator.
    generator : torch.Generator, optional
        Source of the ``eps`` draws (on the tensors' device); the global one if omitted.
    eps : torch.Tensor of shape (m, 1, ..., 1), optional
        The interpolation weights, drawn beforehand (:func:`interpolation_weights`);
        ``generator`` is then not used.

    Returns
    -------
    torch.Tensor, 0-dim
        The penalty, with a graph to the critic's weights.
    """
    if real.shape != fake.shape:
        raise ValueError(
            "The 'real' and 'fake' parameters of gradient_penalty must have the same shape. "
            f"Got {tuple(real.shape)} and {tuple(fake.shape)} instead."
        )
    if eps is None:
        eps = interpolation_weights(real, generator=generator)  # one eps per sample
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.flatten(start_dim=1).float().norm(dim=1)  # over all non-batch dimensions
    return ((norms - 1) ** 2).mean()


def critic_iters(generator_iter: int, n_critic: int, warmup: bool = True) -> int:
    """Number of critic iterations before generator update ``generator_iter``.

    Authors' code, not Algorithm 1: the critic runs 100 iterations while fewer than 25
    generator iterations are done and whenever their number is a multiple of 500, which
    "starts the critic near its optimum and makes the learning curves readable".

    Parameters
    ----------
    generator_iter : int
        Generator iterations done so far (0 before the first update).
    n_critic : int
        Critic iterations per generator iteration otherwise (5 in the paper).
    warmup : bool, default=True
        Apply the authors' schedule; ``False`` gives Algorithm 1's constant ``n_critic``.

    Returns
    -------
    int
    """
    if n_critic <= 0:
        raise ValueError(
            f"The 'n_critic' parameter of critic_iters must be positive. Got {n_critic!r} instead."
        )
    if warmup and (
        generator_iter < WARMUP_GENERATOR_ITERS or generator_iter % WARMUP_PERIOD == 0
    ):
        return WARMUP_CRITIC_ITERS
    return n_critic


def critic_step(
    critic: nn.Module,
    generator: nn.Module,
    real: torch.Tensor,
    z: torch.Tensor,
    optimizer_d: torch.optim.Optimizer,
    clip_value: float,
    lipschitz: str = "clip",
    gp_weight: float = 10.0,
    noise: torch.Generator | None = None,
    eps: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """One critic iteration: lines 3-7 of Algorithm 1, with the clip first.

    With ``lipschitz="gp"`` the penalty replaces line 7 (WGAN-GP); with ``"sn"`` the
    critic's spectral normalization does (nothing to do here).

    Parameters
    ----------
    critic : nn.Module
        f_w, mapping ``(m, *sample_shape)`` to ``(m,)``.
    generator : nn.Module
        g_theta, mapping ``(m, nz)`` to ``(m, *sample_shape)``; not updated (its fakes
        are made under :func:`torch.no_grad`).
    real : torch.Tensor of shape (m, *sample_shape)
        x, a batch from the real data (line 3).
    z : torch.Tensor of shape (m, nz)
        A batch of priors (line 4).
    optimizer_d : torch.optim.Optimizer
        Over the critic's parameters (RMSProp in the paper, line 6).
    clip_value : float
        c (line 7); used by ``lipschitz="clip"`` only.
    lipschitz : {"clip", "gp", "sn"}, default="clip"
        How the critic is kept Lipschitz.
    gp_weight : float, default=10.0
        lambda, the penalty's weight (``"gp"`` only).
    noise : torch.Generator, optional
        Source of the penalty's interpolation weights (``"gp"`` only).
    eps : torch.Tensor of shape (m, 1, ..., 1), optional
        The penalty's interpolation weights drawn beforehand (:func:`interpolation_weights`;
        ``"gp"`` only), for a step that must not draw (a CUDA graph); ``noise`` is then
        not used.

    Returns
    -------
    dict of str to 0-dim torch.Tensor (detached)
        ``loss_d`` = mean f(fake) - mean f(real) (+ lambda * penalty with ``"gp"``), the
        loss minimised; ``penalty`` (with ``"gp"`` only);
        ``f_real``, ``f_fake``: the critic's means over the two batches;
        ``w_estimate`` = ``f_real - f_fake``, the estimate (3) of the EM distance
        (up to the critic's Lipschitz constant) that the paper plots.
    """
    if lipschitz not in LIPSCHITZ:
        raise ValueError(
            f"The 'lipschitz' parameter of critic_step must be one of "
            f"{', '.join(map(repr, LIPSCHITZ))}. Got {lipschitz!r} instead."
        )
    if lipschitz == "clip":
        clip_(critic, clip_value)  # line 7, applied before the update (authors' code)
    with torch.no_grad():
        fake = generator(z)  # line 4: g_theta(z), no graph through the generator
    f_real = critic(real).mean()  # line 5: real and fake in separate forward passes
    f_fake = critic(fake).mean()  # line 5
    loss_d = f_fake - f_real  # line 5: minimising this ascends f(real) - f(fake)
    if lipschitz == "gp":  # WGAN-GP: the penalty instead of line 7
        penalty = gradient_penalty(critic, real, fake, generator=noise, eps=eps)
        loss_d = loss_d + gp_weight * penalty
    optimizer_d.zero_grad(set_to_none=True)
    loss_d.backward()  # line 5: g_w
    optimizer_d.step()  # line 6
    stats = {
        "loss_d": loss_d.detach(),
        "f_real": f_real.detach(),
        "f_fake": f_fake.detach(),
        "w_estimate": (f_real - f_fake).detach(),
    }
    if lipschitz == "gp":
        stats["penalty"] = penalty.detach()
    return stats


def generator_step(
    critic: nn.Module,
    generator: nn.Module,
    z: torch.Tensor,
    optimizer_g: torch.optim.Optimizer,
) -> dict[str, torch.Tensor]:
    """One generator iteration: lines 9-11 of Algorithm 1.

    Parameters
    ----------
    critic : nn.Module
        f_w; its parameters get no gradient.
    generator : nn.Module
        g_theta.
    z : torch.Tensor of shape (m, nz)
        A batch of priors (line 9).
    optimizer_g : torch.optim.Optimizer
        Over the generator's parameters (line 11).

    Returns
    -------
    dict of str to 0-dim torch.Tensor (detached)
        ``loss_g`` = -mean f(g_theta(z)), the loss minimised.
    """
    loss_g = -critic(generator(z)).mean()  # line 10
    optimizer_g.zero_grad(set_to_none=True)
    loss_g.backward(inputs=list(generator.parameters()))  # line 10: g_theta only
    optimizer_g.step()  # line 11
    return {"loss_g": loss_g.detach()}


def make_optimizer(
    name: str,
    params: Iterable[torch.nn.Parameter],
    lr: float,
    beta1: float = 0.5,
    beta2: float = 0.999,
    capturable: bool = False,
) -> torch.optim.Optimizer:
    """RMSProp (the paper's, line 6 and 11 of Algorithm 1) or Adam.

    Parameters
    ----------
    name : {"rmsprop", "adam"}
    params : iterable of nn.Parameter
    lr : float
        alpha (5e-5 in the paper).
    beta1, beta2 : float, default=(0.5, 0.999)
        Adam's coefficients (the authors' ``--adam`` uses ``betas=(0.5, 0.999)``);
        ignored by RMSProp, which uses PyTorch's defaults as the authors' code does.
    capturable : bool, default=False
        Keep the step counts on the parameters' device, so that ``step()`` can be captured
        in a CUDA graph (:mod:`wgan.training.graphs`; CUDA parameters only). The update is
        the same.

    Returns
    -------
    torch.optim.Optimizer
    """
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, capturable=capturable)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), capturable=capturable)
    raise ValueError(
        f"The 'name' parameter of make_optimizer must be one of "
        f"{', '.join(map(repr, OPTIMIZERS))}. Got {name!r} instead."
    )
