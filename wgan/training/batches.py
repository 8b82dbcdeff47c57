"""Endless streams of real batches: what line 3 of Algorithm 1 draws from.

Two kinds of stream share one small interface (``next()``, ``state_dict()``,
``load_state_dict()``, ``sample_shape``), so the trainer need not know whether the data
is a finite image set or a distribution it can sample afresh:

- :class:`TensorBatches` walks a fixed tensor of samples (uint8 images from the
  preprocessing cache) in shuffled epochs, as a data loader does.
- :class:`SamplerBatches` draws fresh samples from a toy distribution at every call.

Both are deterministic given their seed, and their state is a few integers or a generator
state, so a resumed run draws exactly the batches the uninterrupted run would have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from wgan.theory import toy
from wgan.training.config import TrainConfig

# Keep a dataset on the accelerator when it is at most this large (bytes).
DEVICE_RESIDENT_LIMIT = 4 * 2**30

TOY_DATASETS: dict[str, Callable[..., torch.Tensor]] = {
    "ring8": lambda n, generator, device: toy.gaussian_ring(n, generator, device),
}


class TensorBatches:
    """Shuffled epochs over a fixed set of samples, one batch at a time, forever.

    Parameters
    ----------
    data : torch.Tensor of shape (N, *sample_shape)
        uint8 images in [0, 255] (scaled to [-1, 1] on the way out) or float samples
        (returned as they are).
    batch_size : int
        Samples per batch; the last incomplete batch of an epoch is dropped.
    device : torch.device
        Where batches are returned. The data moves there once if it fits
        (:data:`DEVICE_RESIDENT_LIMIT`); otherwise each batch is gathered on the host.
    seed : int
        Seed of the per-epoch permutations.
    """

    def __init__(
        self, data: torch.Tensor, batch_size: int, device: torch.device, seed: int
    ) -> None:
        if batch_size > len(data):
            raise ValueError(
                f"batch_size={batch_size} is larger than the dataset ({len(data)} samples). "
                "Use a smaller batch_size or more data."
            )
        if device.type != "cpu" and data.numel() * data.element_size() <= DEVICE_RESIDENT_LIMIT:
            data = data.to(device)
        self.data = data
        self.batch_size = batch_size
        self.device = device
        self.seed = seed
        self.sample_shape: tuple[int, ...] = tuple(data.shape[1:])
        self.epoch = 0
        self.position = 0
        self._order = self._permutation(0)

    def _permutation(self, epoch: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(len(self.data), generator=generator).to(self.data.device)

    def next(self) -> torch.Tensor:
        """Return the next batch, of shape ``(batch_size, *sample_shape)``, float32."""
        if self.position + self.batch_size > len(self.data):
            self.epoch += 1
            self.position = 0
            self._order = self._permutation(self.epoch)
        index = self._order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        batch = self.data.index_select(0, index).to(self.device, non_blocking=True)
        if batch.dtype == torch.uint8:
            return batch.float().div_(127.5).sub_(1.0)
        return batch.float()

    def state_dict(self) -> dict[str, Any]:
        """Where the stream stands: epoch and position within it."""
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a state returned by :meth:`state_dict`."""
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])
        self._order = self._permutation(self.epoch)


class SamplerBatches:
    """Fresh samples from a distribution at every call.

    Parameters
    ----------
    sampler : callable
        ``sampler(n, generator, device) -> Tensor`` of shape ``(n, *sample_shape)``.
    batch_size : int
        Samples per batch.
    device : torch.device
        Where samples are drawn.
    seed : int
        Seed of the stream's own generator.
    """

    def __init__(
        self,
        sampler: Callable[..., torch.Tensor],
        batch_size: int,
        device: torch.device,
        seed: int,
    ) -> None:
        self.sampler = sampler
        self.batch_size = batch_size
        self.device = device
        self.generator = torch.Generator(device=device).manual_seed(seed)
        probe = sampler(1, torch.Generator(device=device).manual_seed(seed), device)
        self.sample_shape: tuple[int, ...] = tuple(probe.shape[1:])

    def next(self) -> torch.Tensor:
        """Return a new batch of shape ``(batch_size, *sample_shape)``."""
        return self.sampler(self.batch_size, self.generator, self.device)

    def state_dict(self) -> dict[str, Any]:
        """The generator state."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a state returned by :meth:`state_dict`."""
        self.generator.set_state(state["generator"].cpu())


def real_batches(
    config: TrainConfig, device: torch.device, split: str = "train"
) -> TensorBatches | SamplerBatches:
    """The stream of real samples a run trains on, chosen by ``config.dataset``.

    Toy distributions (:data:`TOY_DATASETS`) are sampled afresh; image datasets are read
    once through :func:`wgan.data.load_images` (which decodes into the uint8 cache) and
    walked in shuffled epochs.
    """
    if config.dataset in TOY_DATASETS:
        return SamplerBatches(TOY_DATASETS[config.dataset], config.batch_size, device, config.seed)
    from wgan.data import load_images

    images = load_images(config.dataset, root=config.data_root, image_size=config.image_size,
                         split=split, limit=config.data_limit)
    return TensorBatches(images, config.batch_size, device, config.seed)
