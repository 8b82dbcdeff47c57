"""The authors' WGAN training loop, ported to current PyTorch: the benchmark's baseline.

Written from the documented behaviour of the authors' public script (see
``shared/notes/reference-implementation.md`` beside the checkout, i.e.
``../shared/notes/`` from its root), not copied from it, and used only to
measure how fast a loop of that shape runs next to
:mod:`wgan.training.algorithm1`'s step; nothing in the package trains with it. It keeps every
trait of the original that costs time:

- a :class:`torch.utils.data.DataLoader` over the decoded images, with worker processes,
  shuffling, per-item conversion to float in [-1, 1] (their ``ToTensor`` +
  ``Normalize(0.5, 0.5)``) and a host-to-device copy of every batch. The workers persist
  across epochs: an LSUN epoch is 47,000 batches, so the authors' runs forked workers
  almost never, while the small embedded benchmark set would restart them every few
  generator iterations, and each fork makes every heap page of the benchmark's process
  copy-on-write, a cost (page faults) that would also land on the loop timed next;
- the critic's epoch counted in critic batches: the inner loop stops at the end of an
  epoch, and the generator step then follows after fewer critic iterations;
- the clamp of every critic parameter in a Python loop, one ``clamp_`` per parameter,
  before each critic update;
- real and fake batches in two separate forward *and* backward passes, the gradients
  summed by accumulation;
- the critic's parameters frozen (``requires_grad = False``) during the generator step;
- float32 throughout, and the four logged losses read back to the host (a device sync)
  after every generator iteration.

What the script does besides training is left out, as it costs little next to a step and
the project's loop is timed without it too: saving sample grids every 500 generator
iterations and checkpoints every epoch.

Signs follow the paper (the critic minimises ``f(fake) - f(real)``, the generator
``-f(G(z))``); the authors' script backpropagates +1/-1 on the same means, which is the
same computation with the critic's sign flipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

WARMUP_CRITIC_ITERS = 100
WARMUP_GENERATOR_ITERS = 25
WARMUP_PERIOD = 500


class DecodedImages(Dataset):
    """Decoded uint8 images served one at a time as float tensors in [-1, 1].

    Parameters
    ----------
    images : torch.Tensor of shape (N, C, H, W), uint8
        Values in [0, 255].
    """

    def __init__(self, images: torch.Tensor) -> None:
        if images.dtype != torch.uint8 or images.dim() != 4:
            raise ValueError(
                "The 'images' parameter of DecodedImages must be a uint8 tensor of shape "
                f"(N, C, H, W). Got dtype {images.dtype} and shape {tuple(images.shape)} instead."
            )
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        """Image ``index`` of shape (C, H, W), float32 in [-1, 1], and a dummy label."""
        image = self.images[index].float().div(255.0)  # ToTensor
        return (image - 0.5) / 0.5, 0  # Normalize(mean=0.5, std=0.5)


def authors_loop(
    generator: nn.Module,
    critic: nn.Module,
    images: torch.Tensor,
    *,
    device: torch.device,
    batch_size: int = 64,
    nz: int = 100,
    lr: float = 5e-5,
    clip_value: float = 0.01,
    n_critic: int = 5,
    critic_warmup: bool = True,
    workers: int = 2,
    seed: int = 0,
) -> Iterator[dict[str, float]]:
    """Train as the authors' script does, yielding the logged losses after each generator step.

    The loop never ends by itself (it walks epochs forever); the caller stops iterating.

    Parameters
    ----------
    generator : nn.Module
        Maps noise of shape ``(m, nz)`` to images ``(m, C, H, W)``; trained in place.
    critic : nn.Module
        Maps images ``(m, C, H, W)`` to ``(m,)``; trained in place.
    images : torch.Tensor of shape (N, C, H, W), uint8
        The decoded training images.
    device : torch.device
        Where both networks live and every batch is copied to.
    batch_size : int, default=64
        m, real and noise samples per step.
    nz : int, default=100
        Dimension of the noise.
    lr : float, default=5e-5
        RMSProp learning rate of both networks.
    clip_value : float, default=0.01
        c: critic parameters are clamped to ``[-c, c]`` before each critic update.
    n_critic : int, default=5
        Critic iterations per generator iteration.
    critic_warmup : bool, default=True
        The authors' schedule: 100 critic iterations while fewer than 25 generator
        iterations are done and at every 500th.
    workers : int, default=2
        DataLoader worker processes (the authors' ``--workers`` default).
    seed : int, default=0
        Seed of the global generator (initial noise, shuffling).

    Yields
    ------
    dict of str to float
        ``loss_d`` (= f(fake) - f(real)), ``loss_g`` (= -f(G(z))), ``f_real``, ``f_fake``
        of the last critic step and the generator step, as the authors log them.
    """
    torch.manual_seed(seed)
    generator.to(device).train()
    critic.to(device).train()
    optimizer_d = torch.optim.RMSprop(critic.parameters(), lr=lr)
    optimizer_g = torch.optim.RMSprop(generator.parameters(), lr=lr)
    loader = DataLoader(
        DecodedImages(images), batch_size=batch_size, shuffle=True, num_workers=workers,
        persistent_workers=workers > 0,
    )
    gen_iterations = 0
    while True:  # one epoch of critic batches per pass
        data_iter = iter(loader)
        i = 0
        while i < len(loader):
            # ---------------------------------------------- critic: maximise f(real) - f(fake)
            for p in critic.parameters():
                p.requires_grad = True
            warm = critic_warmup and (
                gen_iterations < WARMUP_GENERATOR_ITERS or gen_iterations % WARMUP_PERIOD == 0
            )
            d_iters = WARMUP_CRITIC_ITERS if warm else n_critic
            j = 0
            while j < d_iters and i < len(loader):
                j += 1
                for p in critic.parameters():
                    p.data.clamp_(-clip_value, clip_value)
                real, _ = next(data_iter)
                i += 1
                real = real.to(device)
                critic.zero_grad()
                f_real = critic(real).mean()
                f_real.backward(torch.tensor(-1.0, device=device))
                noise = torch.randn(batch_size, nz, device=device)
                with torch.no_grad():
                    fake = generator(noise)
                f_fake = critic(fake).mean()
                f_fake.backward(torch.tensor(1.0, device=device))
                loss_d = f_fake - f_real
                optimizer_d.step()
            # ---------------------------------------------- generator: minimise -f(G(z))
            for p in critic.parameters():
                p.requires_grad = False
            generator.zero_grad()
            noise = torch.randn(batch_size, nz, device=device)
            loss_g = -critic(generator(noise)).mean()
            loss_g.backward()
            optimizer_g.step()
            gen_iterations += 1
            yield {
                "loss_d": loss_d.item(),
                "loss_g": loss_g.item(),
                "f_real": f_real.item(),
                "f_fake": f_fake.item(),
            }
