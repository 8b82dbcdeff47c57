"""Fixtures shared by the run-loop tests."""

from __future__ import annotations

import pytest
import torch

import wgan.training.run
from wgan.training.batches import TensorBatches
from wgan.training.config import TrainConfig


@pytest.fixture
def tiny_image_config(monkeypatch: pytest.MonkeyPatch) -> TrainConfig:
    """A 4-iteration image run on 32 random 16x16 images, sampled and checkpointed every 2.

    The run loop's real batches are patched to come from those images, so nothing is read
    from disk.
    """
    images = torch.randint(0, 256, (32, 1, 16, 16), dtype=torch.uint8,
                           generator=torch.Generator().manual_seed(0))
    monkeypatch.setattr(wgan.training.run, "real_batches", lambda config, device: TensorBatches(
        images, config.batch_size, device, config.seed))
    return TrainConfig(dataset="digits", image_size=16, ngf=4, ndf=4, nz=4, batch_size=8,
                       critic_warmup=False, n_critic=1, generator_iters=4, sample_every=2,
                       checkpoint_every=2)
