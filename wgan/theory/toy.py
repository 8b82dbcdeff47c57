"""Low-dimensional distributions used by the paper's examples and toy experiments.

Every sampler takes the number of samples, an explicit :class:`torch.Generator` (so a
notebook or test owns its randomness) and a device, and returns a float tensor of shape
``(n, d)``.

- :func:`parallel_lines`: Example 1 (Figure 1), P_theta is the law of (theta, Z), Z ~ U[0, 1].
- :func:`gaussian_1d`: a 1D Gaussian, the two distributions of Figure 3.
- :func:`gaussian_ring`: the ring of 8 Gaussians of Figure 2 (Metz et al., 2016).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

Sampler = Callable[[int, torch.Generator], torch.Tensor]


def _check_n(n: int) -> None:
    if not isinstance(n, int) or n <= 0:
        raise ValueError(f"The number of samples 'n' must be a positive int. Got {n!r}.")


def parallel_lines(
    n: int,
    theta: float,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Sample P_theta of Example 1: the law of ``(theta, Z)`` with ``Z ~ U[0, 1]``.

    ``theta = 0`` gives P_0, the vertical segment through the origin.

    Parameters
    ----------
    n : int
        Number of samples.
    theta : float
        Horizontal position of the segment.
    generator : torch.Generator
        Source of randomness (must live on ``device``'s type, CPU generators for CPU).
    device, dtype
        Where and how the samples are returned.

    Returns
    -------
    torch.Tensor of shape (n, 2)
    """
    _check_n(n)
    z = torch.rand(n, generator=generator, device=device, dtype=dtype)
    return torch.stack([torch.full_like(z, float(theta)), z], dim=1)


def gaussian_1d(
    n: int,
    mean: float,
    std: float,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Sample N(mean, std^2) on the real line; shape ``(n, 1)``."""
    _check_n(n)
    if not std > 0:
        raise ValueError(f"The 'std' of a Gaussian must be positive. Got {std!r}.")
    noise = torch.randn(n, 1, generator=generator, device=device, dtype=dtype)
    return mean + std * noise


def ring_means(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """Centres of the ring mixture: ``radius * (cos 2 pi k / modes, sin 2 pi k / modes)``.

    Returns
    -------
    torch.Tensor of shape (modes, 2), float64
    """
    if modes <= 0:
        raise ValueError(f"The number of 'modes' must be positive. Got {modes!r}.")
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def gaussian_ring(
    n: int,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Sample the ring of Gaussians of Figure 2: equal-weight modes on a circle.

    The defaults are the setting of Metz et al. (2016): 8 modes, radius 2, std 0.02.

    Returns
    -------
    torch.Tensor of shape (n, 2)
    """
    _check_n(n)
    if not std > 0:
        raise ValueError(f"The 'std' of each mode must be positive. Got {std!r}.")
    means = ring_means(modes, radius).to(device=device, dtype=dtype)
    which = torch.randint(modes, (n,), generator=generator, device=device)
    noise = torch.randn(n, 2, generator=generator, device=device, dtype=dtype)
    return means[which] + std * noise
