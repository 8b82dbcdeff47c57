"""The standard-GAN baseline on the same harness: BCE discriminator, -log D generator.

The paper's baseline (Section 4.2) is DCGAN (Radford et al., 2015) "trained with the
standard GAN procedure using the -log D trick (Goodfellow et al., 2014)". The
discriminator D = sigmoid(critic) (:class:`wgan.training.models.Discriminator`) ascends

    L(D, g_theta) = E_{x ~ P_r}[log D(x)] + E_{x ~ P_theta}[log(1 - D(x))],

and the paper plots ``0.5 * L(D, g_theta) + log 2``, a lower bound of JS(P_r, P_theta)
(Section 4.3, Figure 5). The generator descends ``-E_z[log D(g_theta(z))]`` instead of
``E_z[log(1 - D(g_theta(z)))]`` (the -log D trick; its loss is Figure 9's curve).

Both losses are computed from the critic's logits with ``softplus``:
``-log sigmoid(a) = softplus(-a)`` and ``-log(1 - sigmoid(a)) = softplus(a)``, which is
what BCE-with-logits computes, without the overflow of taking the log of a sigmoid.

One discriminator step per generator step, no weight clipping and no critic schedule:
:mod:`wgan.training.run` uses these functions for ``algorithm="gan"``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from wgan.training.config import TrainConfig
from wgan.training.models import Discriminator

# DCGAN's published procedure (Radford et al., 2015, Section 4): Adam with learning rate
# 0.0002 and beta1 = 0.5, for both networks.
DCGAN_PROCEDURE: dict[str, Any] = {
    "algorithm": "gan",
    "optimizer_g": "adam",
    "optimizer_d": "adam",
    "lr_g": 2e-4,
    "lr_d": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "n_critic": 1,
    "critic_warmup": False,
}


def gan_baseline_config(**overrides: Any) -> TrainConfig:
    """A config for the paper's GAN baseline: DCGAN's training procedure.

    Adam (lr 2e-4, beta1 0.5, beta2 0.999) for both networks, one discriminator step per
    generator step (:data:`DCGAN_PROCEDURE`); every other setting is TrainConfig's default
    unless overridden.

    Parameters
    ----------
    **overrides
        Any :class:`~wgan.training.config.TrainConfig` setting, e.g. ``generator="mlp"``.

    Returns
    -------
    TrainConfig
        Validated.
    """
    return TrainConfig.from_dict({**DCGAN_PROCEDURE, **overrides})


def _check_discriminator(discriminator: nn.Module, caller: str) -> None:
    if not isinstance(discriminator, Discriminator):
        raise TypeError(
            f"The 'discriminator' parameter of {caller} must be a "
            f"wgan.training.models.Discriminator "
            f"(build it with build_critic(..., sigmoid=True)). Got {type(discriminator).__name__}"
            " instead."
        )


def discriminator_step(
    discriminator: Discriminator,
    generator: nn.Module,
    real: torch.Tensor,
    z: torch.Tensor,
    optimizer_d: torch.optim.Optimizer,
) -> dict[str, torch.Tensor]:
    """One discriminator update: ascend L(D, g_theta) on one real and one fake batch.

    Parameters
    ----------
    discriminator : Discriminator
        D = sigmoid(critic); trained on its logits.
    generator : nn.Module
        g_theta; not updated (fakes made under :func:`torch.no_grad`).
    real : torch.Tensor of shape (m, *sample_shape)
    z : torch.Tensor of shape (m, nz)
    optimizer_d : torch.optim.Optimizer

    Returns
    -------
    dict of str to 0-dim torch.Tensor (detached), measured before the update
        ``loss_d`` = -L(D, g_theta) (the BCE minimised, nats);
        ``js_lower_bound`` = 0.5 * L + log 2 (Figure 5's curve, at most log 2);
        ``d_real``, ``d_fake``: mean D(x) over the real and the fake batch.
    """
    _check_discriminator(discriminator, "discriminator_step")
    with torch.no_grad():
        fake = generator(z)
    logits_real = discriminator.logits(real)  # separate forward passes, as for the critic
    logits_fake = discriminator.logits(fake)
    # -L = E[-log D(real)] + E[-log(1 - D(fake))]
    loss_d = F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()
    optimizer_d.zero_grad(set_to_none=True)
    loss_d.backward()
    optimizer_d.step()
    loss_d = loss_d.detach()
    return {
        "loss_d": loss_d,
        "js_lower_bound": -0.5 * loss_d + math.log(2.0),
        "d_real": torch.sigmoid(logits_real.detach()).mean(),
        "d_fake": torch.sigmoid(logits_fake.detach()).mean(),
    }


def generator_step(
    discriminator: Discriminator,
    generator: nn.Module,
    z: torch.Tensor,
    optimizer_g: torch.optim.Optimizer,
) -> dict[str, torch.Tensor]:
    """One generator update with the -log D trick.

    Parameters
    ----------
    discriminator : Discriminator
        Gets no gradient.
    generator : nn.Module
    z : torch.Tensor of shape (m, nz)
    optimizer_g : torch.optim.Optimizer

    Returns
    -------
    dict of str to 0-dim torch.Tensor (detached)
        ``loss_g`` = -E[log D(g_theta(z))], the loss minimised (Figure 9's curve).
    """
    _check_discriminator(discriminator, "generator_step")
    loss_g = F.softplus(-discriminator.logits(generator(z))).mean()
    optimizer_g.zero_grad(set_to_none=True)
    loss_g.backward(inputs=list(generator.parameters()))
    optimizer_g.step()
    return {"loss_g": loss_g.detach()}
