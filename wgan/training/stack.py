"""K toy networks that differ only in their seed, trained as one batched model.

A stack holds K MLPs of the same architecture (:class:`~wgan.training.models.MLPGenerator`,
:class:`~wgan.training.models.MLPCritic`, a :class:`~wgan.training.models.Discriminator`
around one, spectrally normalised or not) as one network whose every layer is a batched
matrix product: weights of shape ``(K, in, out)``, biases ``(K, 1, out)``, activations
``(K, m, features)`` (:func:`torch.baddbmm`). Member ``k`` holds exactly the weights of the
``k``-th lone network it was built from (:class:`StackedMLP`), and gives them back in the
lone network's layout (:meth:`StackedMLP.write_member`), so a stack's member writes the
checkpoints and snapshots its lone run would.

What keeps the members independent:

- the losses are per member, shape ``(K,)``, and their sum is differentiated, so each
  member's gradient is its own loss's;
- RMSProp and Adam act elementwise, with step counts shared by every member (they step
  together), so an optimizer over the stacked parameters is K lone optimizers; its state is
  the members' states stacked (:func:`stack_optimizer_state`, :func:`member_optimizer_state`);
- clipping is elementwise; the gradient penalty takes each sample's gradient norm within
  its member and averages per member (:func:`stacked_gradient_penalty`); spectral
  normalization keeps a power-iteration vector pair per member and divides each member's
  weight by its own sigma (:class:`StackedMLP`, as
  :func:`torch.nn.utils.parametrizations.spectral_norm` does for one network).

The results agree with the lone networks' up to the rounding of batched against single
matrix products (tests/training/test_stack.py states the tolerance). The step functions
mirror :func:`wgan.training.algorithm1.critic_step` and
:func:`~wgan.training.algorithm1.generator_step` and :mod:`wgan.training.gan`'s steps, member
by member; they return ``(K,)`` statistics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from wgan.training.models import Discriminator, MLPCritic, MLPGenerator

SPECTRAL_EPS = 1e-12  # torch.nn.utils.parametrizations.spectral_norm's default


class StackedMLP(nn.Module):
    """K lone MLPs (generators or critics) of one architecture as one batched network.

    Parameters
    ----------
    members : sequence of nn.Module
        K :class:`MLPGenerator`, or K :class:`MLPCritic` (each possibly inside a
        :class:`Discriminator`, possibly spectrally normalised), of the same sizes. Their
        weights are copied; the modules themselves are not kept.

    Attributes
    ----------
    size : int
        K, the number of members.
    names : list of str
        The lone network's parameter names, in the order of its ``parameters()``; the
        stack's ``parameters()`` follow the same order.
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("The 'members' parameter of StackedMLP must hold at least one "
                             "network. Got none.")
        nets = [m.critic if isinstance(m, Discriminator) else m for m in members]
        kinds = {type(net) for net in nets}
        if len(kinds) != 1 or not kinds <= {MLPGenerator, MLPCritic}:
            raise ValueError(
                "The 'members' parameter of StackedMLP must hold MLP generators only or MLP "
                f"critics only. Got {sorted(k.__name__ for k in kinds)} instead.")
        first = nets[0]
        self.size = len(members)
        self.sample_shape: tuple[int, ...] | None = (
            tuple(first.sample_shape) if isinstance(first, MLPGenerator) else None)
        layers = [[m for m in net.modules() if isinstance(m, nn.Linear)] for net in nets]
        self.spectral = nn.utils.parametrize.is_parametrized(layers[0][0], "weight")
        roles: dict[int, tuple[int, str]] = {}  # id(lone parameter) -> (layer, role)
        for i, layer in enumerate(layers[0]):
            weight = (layer.parametrizations.weight.original if self.spectral
                      else layer.weight)
            roles[id(weight)] = (i, "weight")
            roles[id(layer.bias)] = (i, "bias")
        self.names: list[str] = []
        self.roles: list[str] = []
        self.index: dict[tuple[int, str], int] = {}
        tensors = []
        for name, param in members[0].named_parameters():
            i, role = roles[id(param)]
            self.index[i, role] = len(self.names)
            self.names.append(name)
            self.roles.append(role)
            lone = [_lone_parameter(net_layers[i], role) for net_layers in layers]
            if any(t.shape != lone[0].shape for t in lone):
                raise ValueError("The 'members' parameter of StackedMLP must hold networks of "
                                 f"the same sizes. {name} differs between members.")
            tensors.append(nn.Parameter(stack_tensors(lone, role)))
        self.params = nn.ParameterList(tensors)
        self.depth = len(layers[0])
        if self.spectral:
            for i in range(self.depth):
                norms = [net_layers[i].parametrizations.weight[0] for net_layers in layers]
                self.register_buffer(f"u{i}", torch.stack([n._u.detach() for n in norms]))
                self.register_buffer(f"v{i}", torch.stack([n._v.detach() for n in norms]))

    def weight(self, i: int) -> torch.Tensor:
        """Layer ``i``'s weights ``(K, in, out)``; spectrally normalised per member (one power
        iteration per call in training mode, as the lone parametrization does)."""
        weight = self.params[self.index[i, "weight"]]
        if not self.spectral:
            return weight
        u, v = getattr(self, f"u{i}"), getattr(self, f"v{i}")
        if self.training:
            with torch.no_grad():  # lone: u = normalize(W v), v = normalize(W^T u), W (out, in)
                u.copy_(F.normalize(torch.bmm(v.unsqueeze(1), weight).squeeze(1), dim=1,
                                    eps=SPECTRAL_EPS))
                v.copy_(F.normalize(torch.bmm(weight, u.unsqueeze(2)).squeeze(2), dim=1,
                                    eps=SPECTRAL_EPS))
        u, v = u.clone(), v.clone()
        sigma = (u * torch.bmm(v.unsqueeze(1), weight).squeeze(1)).sum(dim=1)  # u^T W v
        return weight / sigma[:, None, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(K, m, *shape_in)`` to ``(K, m, *sample_shape)`` (generators) or ``(K, m)``
        (critics: the logits, for a stack of discriminators)."""
        k, m = x.shape[:2]
        h = x.reshape(k, m, -1)
        for i in range(self.depth):
            h = torch.baddbmm(self.params[self.index[i, "bias"]], h, self.weight(i))
            if i < self.depth - 1:
                h = torch.relu(h)
        if self.sample_shape is None:
            return h.reshape(k, m)
        return h.reshape(k, m, *self.sample_shape)

    @torch.no_grad()
    def write_member(self, k: int, lone: nn.Module) -> None:
        """Copy member ``k``'s weights (and power-iteration vectors) into ``lone``, a network
        of the kind the stack was built from, in place."""
        _check_member(k, self.size)
        params = dict(lone.named_parameters())
        for name, stacked, role in zip(self.names, self.params, self.roles, strict=True):
            params[name].copy_(member_tensor(stacked, role, k))
        if self.spectral:
            net = lone.critic if isinstance(lone, Discriminator) else lone
            layers = [m for m in net.modules() if isinstance(m, nn.Linear)]
            for i, layer in enumerate(layers):
                layer.parametrizations.weight[0]._u.copy_(getattr(self, f"u{i}")[k])
                layer.parametrizations.weight[0]._v.copy_(getattr(self, f"v{i}")[k])


def _lone_parameter(layer: nn.Linear, role: str) -> torch.Tensor:
    if role == "bias":
        return layer.bias.detach()
    if nn.utils.parametrize.is_parametrized(layer, "weight"):
        return layer.parametrizations.weight.original.detach()
    return layer.weight.detach()


def stack_tensors(tensors: Sequence[torch.Tensor], role: str) -> torch.Tensor:
    """K lone tensors of a linear layer in the stack's layout.

    Parameters
    ----------
    tensors : sequence of torch.Tensor
        K weights ``(out, in)`` or K biases ``(out,)`` (or optimizer states of those shapes).
    role : {"weight", "bias"}

    Returns
    -------
    torch.Tensor of shape (K, in, out) or (K, 1, out)
    """
    if role == "weight":
        return torch.stack([t.t() for t in tensors]).contiguous()
    return torch.stack(list(tensors)).unsqueeze(1).contiguous()


def member_tensor(stacked: torch.Tensor, role: str, k: int) -> torch.Tensor:
    """Member ``k`` of a tensor in the stack's layout, in the lone layout (the inverse of
    :func:`stack_tensors`): ``(out, in)`` for a weight, ``(out,)`` for a bias."""
    if role == "weight":
        return stacked[k].t().contiguous()
    return stacked[k, 0].clone()


def stack_optimizer_state(
    optimizer: torch.optim.Optimizer, stacked: StackedMLP, states: Sequence[dict[str, Any]]
) -> None:
    """Load K lone optimizers' states into ``optimizer``, built over ``stacked.parameters()``.

    Each per-parameter tensor is stacked as its parameter is; scalar entries (the step
    count) must agree between members, since members step together.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        RMSProp or Adam over ``stacked.parameters()``, with the lone optimizers' settings.
    stacked : StackedMLP
    states : sequence of dict
        The members' ``optimizer.state_dict()``, K of them, in member order.

    Raises
    ------
    ValueError
        When the members' step counts differ.
    """
    if not states[0]["state"]:
        return  # no step taken yet
    merged: dict[int, dict[str, Any]] = {}
    for index, role in enumerate(stacked.roles):
        entries = [state["state"][index] for state in states]
        merged[index] = {}
        for key, value in entries[0].items():
            if value.dim() == 0:
                if any(not torch.equal(e[key], value) for e in entries):
                    raise ValueError("The 'states' parameter of stack_optimizer_state must hold "
                                     f"members that took the same steps. {key!r} differs.")
                merged[index][key] = value.clone()
            else:
                merged[index][key] = stack_tensors([e[key] for e in entries], role)
    optimizer.load_state_dict({"state": merged, "param_groups": states[0]["param_groups"]})


def member_optimizer_state(
    optimizer: torch.optim.Optimizer, stacked: StackedMLP, k: int
) -> dict[str, Any]:
    """Member ``k``'s share of ``optimizer``'s state, as its lone optimizer's ``state_dict()``."""
    _check_member(k, stacked.size)
    full = optimizer.state_dict()
    state = {index: {key: (value.clone() if value.dim() == 0
                           else member_tensor(value, stacked.roles[index], k))
                     for key, value in entry.items()}
             for index, entry in full["state"].items()}
    return {"state": state, "param_groups": full["param_groups"]}


def _check_member(k: int, size: int) -> None:
    if not 0 <= k < size:
        raise ValueError(f"The 'k' parameter must be a member of the stack, in [0, {size}). "
                         f"Got {k!r} instead.")


def stacked_gradient_penalty(
    critic: StackedMLP, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor
) -> torch.Tensor:
    """WGAN-GP's penalty per member (:func:`wgan.training.algorithm1.gradient_penalty`).

    Parameters
    ----------
    critic : StackedMLP
    real, fake : torch.Tensor of shape (K, m, *sample_shape)
    eps : torch.Tensor of shape (K, m, 1, ..., 1)
        Each member's interpolation weights, drawn from its own stream.

    Returns
    -------
    torch.Tensor of shape (K,)
        Each member's penalty, with a graph to the critic's weights.
    """
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.flatten(start_dim=2).float().norm(dim=2)  # (K, m): per sample, per member
    return ((norms - 1) ** 2).mean(dim=1)


def stacked_critic_step(
    critic: StackedMLP,
    generator: StackedMLP,
    real: torch.Tensor,
    z: torch.Tensor,
    optimizer_d: torch.optim.Optimizer,
    clip_value: float,
    lipschitz: str = "clip",
    gp_weight: float = 10.0,
    eps: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """:func:`wgan.training.algorithm1.critic_step` for every member at once.

    Parameters
    ----------
    critic, generator : StackedMLP
    real : torch.Tensor of shape (K, m, *sample_shape)
    z : torch.Tensor of shape (K, m, nz)
    optimizer_d : torch.optim.Optimizer
        Over ``critic.parameters()``.
    clip_value, lipschitz, gp_weight
        As for the lone step.
    eps : torch.Tensor of shape (K, m, 1, ..., 1), optional
        The penalty's interpolation weights (required with ``lipschitz="gp"``).

    Returns
    -------
    dict of str to torch.Tensor of shape (K,) (detached)
        The lone step's statistics, one per member.
    """
    if lipschitz == "gp" and eps is None:
        raise ValueError("The 'eps' parameter of stacked_critic_step is required with "
                         "lipschitz='gp' (each member draws its own). Got None.")
    if lipschitz == "clip":
        with torch.no_grad():
            params = list(critic.parameters())
            torch._foreach_clamp_min_(params, -clip_value)
            torch._foreach_clamp_max_(params, clip_value)
    with torch.no_grad():
        fake = generator(z)
    f_real = critic(real).mean(dim=1)
    f_fake = critic(fake).mean(dim=1)
    loss_d = f_fake - f_real
    if lipschitz == "gp":
        penalty = stacked_gradient_penalty(critic, real, fake, eps)
        loss_d = loss_d + gp_weight * penalty
    optimizer_d.zero_grad(set_to_none=True)
    loss_d.sum().backward()  # each member's gradient is its own loss's
    optimizer_d.step()
    stats = {"loss_d": loss_d.detach(), "f_real": f_real.detach(), "f_fake": f_fake.detach(),
             "w_estimate": (f_real - f_fake).detach()}
    if lipschitz == "gp":
        stats["penalty"] = penalty.detach()
    return stats


def stacked_generator_step(
    critic: StackedMLP, generator: StackedMLP, z: torch.Tensor,
    optimizer_g: torch.optim.Optimizer, algorithm: str = "wgan",
) -> dict[str, torch.Tensor]:
    """The generator update of ``algorithm`` for every member at once: -mean f(g(z)) for
    the WGAN (:func:`wgan.training.algorithm1.generator_step`), the -log D trick for the GAN
    (:func:`wgan.training.gan.generator_step`).

    Parameters
    ----------
    critic, generator : StackedMLP
    z : torch.Tensor of shape (K, m, nz)
    optimizer_g : torch.optim.Optimizer
        Over ``generator.parameters()``.
    algorithm : {"wgan", "gan"}, default="wgan"

    Returns
    -------
    dict of str to torch.Tensor of shape (K,) (detached)
        ``loss_g`` per member.
    """
    out = critic(generator(z))
    loss_g = -out.mean(dim=1) if algorithm == "wgan" else F.softplus(-out).mean(dim=1)
    optimizer_g.zero_grad(set_to_none=True)
    loss_g.sum().backward(inputs=list(generator.parameters()))
    optimizer_g.step()
    return {"loss_g": loss_g.detach()}


def stacked_discriminator_step(
    discriminator: StackedMLP, generator: StackedMLP, real: torch.Tensor, z: torch.Tensor,
    optimizer_d: torch.optim.Optimizer,
) -> dict[str, torch.Tensor]:
    """:func:`wgan.training.gan.discriminator_step` for every member at once.

    Parameters
    ----------
    discriminator : StackedMLP
        The members' critics inside their :class:`Discriminator`: it returns logits.
    generator : StackedMLP
    real : torch.Tensor of shape (K, m, *sample_shape)
    z : torch.Tensor of shape (K, m, nz)
    optimizer_d : torch.optim.Optimizer

    Returns
    -------
    dict of str to torch.Tensor of shape (K,) (detached)
        ``loss_d``, ``js_lower_bound``, ``d_real``, ``d_fake`` per member.
    """
    with torch.no_grad():
        fake = generator(z)
    logits_real = discriminator(real)
    logits_fake = discriminator(fake)
    loss_d = F.softplus(-logits_real).mean(dim=1) + F.softplus(logits_fake).mean(dim=1)
    optimizer_d.zero_grad(set_to_none=True)
    loss_d.sum().backward()
    optimizer_d.step()
    loss_d = loss_d.detach()
    return {"loss_d": loss_d, "js_lower_bound": -0.5 * loss_d + math.log(2.0),
            "d_real": torch.sigmoid(logits_real.detach()).mean(dim=1),
            "d_fake": torch.sigmoid(logits_fake.detach()).mean(dim=1)}
