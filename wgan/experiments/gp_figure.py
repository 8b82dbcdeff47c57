"""WGAN-GP's Figure 1, redrawn: value surfaces and gradient norms through a deep critic.

Gulrajani et al. (2017), Figure 1: (a) the value surfaces of critics trained to optimality
against a fixed generator (the real data plus unit Gaussian noise), with weight clipping
and with the gradient penalty; (b) the norm of the gradient of the critic's loss with
respect to each layer's activations, through a 12-layer ReLU MLP critic without
BatchNorm on the Swiss roll, for clip values 0.1, 0.01, 0.001 and the penalty, and the
histograms of the critic's weights.

The three data sets are those of their toy script: :func:`eight_gaussians`,
:func:`twenty_five_gaussians`, :func:`swiss_roll`.

References
----------
.. [1] Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved Training of Wasserstein
   GANs", NeurIPS 2017, Figure 1 and its released ``gan_toy.py``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from sklearn.datasets import make_swiss_roll
from torch import nn

from wgan.theory.toy import Sampler

DEEP_LAYERS = 12  # Linear layers of Figure 1(b)'s critic


def eight_gaussians(n: int, generator: torch.Generator) -> torch.Tensor:
    """8 Gaussians at radius 2 (std 0.02), the whole divided by 1.414 (WGAN-GP's toy script).

    Returns
    -------
    torch.Tensor of shape (n, 2), float32
    """
    angles = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
    centers = 2.0 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    which = torch.randint(8, (n,), generator=generator)
    points = centers[which] + 0.02 * torch.randn(n, 2, generator=generator)
    return points / 1.414


def twenty_five_gaussians(n: int, generator: torch.Generator) -> torch.Tensor:
    """25 Gaussians on the grid -2..2 step 2 (std 0.05), divided by 2.828 (WGAN-GP's script).

    The grid is {-2, -1, 0, 1, 2} squared in their code's loop ``range(-2, 3)`` with
    centres ``2 * (x, y)``; divided by 2.828 that is the square [-1.41, 1.41]^2.

    Returns
    -------
    torch.Tensor of shape (n, 2), float32
    """
    steps = torch.arange(-2, 3, dtype=torch.float32)
    centers = 2.0 * torch.cartesian_prod(steps, steps)
    which = torch.randint(25, (n,), generator=generator)
    points = centers[which] + 0.05 * torch.randn(n, 2, generator=generator)
    return points / 2.828


def swiss_roll(n: int, generator: torch.Generator) -> torch.Tensor:
    """scikit-learn's Swiss roll, noise 0.25, columns 0 and 2, divided by 7.5 (WGAN-GP's).

    Returns
    -------
    torch.Tensor of shape (n, 2), float32
    """
    seed = int(torch.randint(2**31 - 1, (1,), generator=generator))
    points, _ = make_swiss_roll(n_samples=n, noise=0.25, random_state=seed)
    return torch.from_numpy(points[:, [0, 2]] / 7.5).float()


TOY_DATA: dict[str, Sampler] = {
    "8 Gaussians": eight_gaussians,
    "25 Gaussians": twenty_five_gaussians,
    "Swiss roll": swiss_roll,
}


def plus_unit_noise(sample: Sampler) -> Sampler:
    """The fixed generator of Figure 1(a): a real sample plus N(0, I) noise."""

    def noised(n: int, generator: torch.Generator) -> torch.Tensor:
        x = sample(n, generator)
        return x + torch.randn(x.shape, generator=generator)

    return noised


def surface_grid(limit: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The square grid [-limit, limit]^2 of :func:`value_surface`.

    Parameters
    ----------
    limit : float
        Half side of the square.
    points : int
        Grid points per side.

    Returns
    -------
    xs, ys : numpy.ndarray of shape (points, points)
        As :func:`numpy.meshgrid` (``xy`` indexing) returns them.
    """
    if not limit > 0 or points < 2:
        raise ValueError(
            "surface_grid needs a positive 'limit' and at least 2 'points'. "
            f"Got limit={limit!r}, points={points!r} instead."
        )
    axis = np.linspace(-limit, limit, points)
    xs, ys = np.meshgrid(axis, axis)
    return xs, ys


def value_surface(critic: nn.Module, limit: float, points: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The critic's values on a square grid [-limit, limit]^2.

    Parameters
    ----------
    critic : nn.Module
        Maps ``(m, 2)`` to ``(m,)``.
    limit : float
        Half side of the square.
    points : int
        Grid points per side.

    Returns
    -------
    xs, ys, values : numpy.ndarray of shape (points, points)
        As :func:`numpy.meshgrid` (``xy`` indexing) returns, with the critic's value at each.
    """
    xs, ys = surface_grid(limit, points)
    grid = torch.from_numpy(np.stack([xs.ravel(), ys.ravel()], axis=1)).float()
    with torch.no_grad():
        values = critic(grid).reshape(points, points).double().numpy()
    return xs, ys, values


class DeepCritic(nn.Module):
    """A ReLU MLP of ``depth`` Linear layers without BatchNorm: Figure 1(b)'s critic.

    Parameters
    ----------
    n_in : int
        Input dimension.
    hidden : int
        Width of every hidden layer.
    depth : int, default=12
        Number of Linear layers (``depth - 1`` hidden layers, each followed by a ReLU).
    """

    def __init__(self, n_in: int, hidden: int, depth: int = DEEP_LAYERS) -> None:
        super().__init__()
        if depth < 2 or hidden < 1 or n_in < 1:
            raise ValueError(
                "DeepCritic needs depth >= 2 and positive sizes. Got "
                f"n_in={n_in!r}, hidden={hidden!r}, depth={depth!r} instead."
            )
        widths = [n_in] + [hidden] * (depth - 1)
        self.layers = nn.ModuleList(
            [nn.Linear(a, b) for a, b in itertools.pairwise(widths)]
            + [nn.Linear(hidden, 1)])

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output (after its ReLU, the last one's raw), in order.

        Returns
        -------
        list of torch.Tensor
            ``depth`` tensors, of shapes ``(m, hidden)`` then ``(m, 1)``.
        """
        outputs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
            outputs.append(x)
        return outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(m, n_in)`` to ``(m,)``."""
        return self.activations(x)[-1].reshape(x.shape[0])


def layer_gradient_norms(critic: DeepCritic, real: torch.Tensor, fake: torch.Tensor
                         ) -> np.ndarray:
    """Norm of the critic loss's gradient with respect to each layer's activations.

    The loss is Algorithm 1's ``mean f(fake) - mean f(real)`` (without the penalty: the
    figure shows the gradient that the loss of equation (3) sends down the network).

    Parameters
    ----------
    critic : DeepCritic
    real, fake : torch.Tensor of shape (m, n_in)

    Returns
    -------
    numpy.ndarray of shape (depth,)
        ``||d loss / d a_l||_2`` over the whole batch, for l = 1 (first layer) .. depth.
    """
    both = torch.cat([real, fake])
    activations = critic.activations(both)
    values = activations[-1].reshape(-1)
    m = len(real)
    loss = values[m:].mean() - values[:m].mean()
    grads = torch.autograd.grad(loss, activations)
    return np.array([float(g.norm()) for g in grads])


def weights_of(critic: nn.Module) -> np.ndarray:
    """Every weight of the critic's Linear layers (biases excluded), flattened."""
    return torch.cat([m.weight.detach().flatten() for m in critic.modules()
                      if isinstance(m, nn.Linear)]).numpy()

