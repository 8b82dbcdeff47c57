"""The streams of real batches (wgan.training.batches): determinism, epochs, resume, scaling."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from wgan.theory import toy
from wgan.training.batches import SamplerBatches, TensorBatches, real_batches
from wgan.training.config import TrainConfig

CPU = torch.device("cpu")


def indexed(n: int) -> torch.Tensor:
    """n float samples whose value is their index: batches reveal which items they hold."""
    return torch.arange(n, dtype=torch.float32)[:, None]


def draw(stream: TensorBatches | SamplerBatches, k: int) -> list[torch.Tensor]:
    return [stream.next() for _ in range(k)]


def test_uint8_images_are_scaled_to_minus_one_one() -> None:
    data = torch.tensor([0, 51, 255], dtype=torch.uint8).view(3, 1, 1, 1)
    batch = TensorBatches(data, 3, CPU, seed=0).next()
    assert batch.dtype == torch.float32
    expected = {-1.0, 51 / 127.5 - 1.0, 1.0}
    assert sorted(batch.flatten().tolist()) == pytest.approx(sorted(expected))


def test_float_samples_pass_through_unchanged() -> None:
    batch = TensorBatches(indexed(4) * 10, 4, CPU, seed=0).next()
    assert sorted(batch.flatten().tolist()) == [0.0, 10.0, 20.0, 30.0]


def test_same_seed_gives_the_same_batches_and_another_seed_others() -> None:
    a = draw(TensorBatches(indexed(50), 8, CPU, seed=3), 10)
    b = draw(TensorBatches(indexed(50), 8, CPU, seed=3), 10)
    c = draw(TensorBatches(indexed(50), 8, CPU, seed=4), 10)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(a, c, strict=True))


def test_an_epoch_visits_every_item_once_and_drops_the_incomplete_batch() -> None:
    stream = TensorBatches(indexed(10), 4, CPU, seed=0)
    first_epoch = torch.cat(draw(stream, 2)).flatten().tolist()
    assert len(set(first_epoch)) == 8 and stream.epoch == 0
    stream.next()
    assert stream.epoch == 1 and stream.position == 4


def test_epochs_are_reshuffled() -> None:
    stream = TensorBatches(indexed(12), 12, CPU, seed=0)
    first, second = stream.next().flatten(), stream.next().flatten()
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(12))
    assert not torch.equal(first, second)


def test_state_round_trip_resumes_the_same_batches() -> None:
    stream = TensorBatches(indexed(30), 7, CPU, seed=1)
    draw(stream, 6)  # crosses an epoch boundary (4 batches per epoch)
    state = stream.state_dict()
    expected = draw(stream, 5)
    resumed = TensorBatches(indexed(30), 7, CPU, seed=1)
    resumed.load_state_dict(state)
    assert all(torch.equal(x, y) for x, y in zip(draw(resumed, 5), expected, strict=True))


def test_batch_larger_than_the_data_is_refused() -> None:
    with pytest.raises(ValueError, match=r"batch_size=11 is larger than the dataset \(10 "
                       r"samples\)\. Use a smaller batch_size or more data\."):
        TensorBatches(indexed(10), 11, CPU, seed=0)


def ring(n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    return toy.gaussian_ring(n, generator, device)


def test_sampler_stream_is_deterministic_and_shaped() -> None:
    a = SamplerBatches(ring, 16, CPU, seed=2)
    b = SamplerBatches(ring, 16, CPU, seed=2)
    assert a.sample_shape == (2,)
    x, y = draw(a, 3), draw(b, 3)
    assert all(t.shape == (16, 2) for t in x)
    assert all(torch.equal(p, q) for p, q in zip(x, y, strict=True))
    assert not torch.equal(x[0], x[1])


def test_sampler_state_round_trip_resumes_the_same_samples() -> None:
    stream = SamplerBatches(ring, 16, CPU, seed=2)
    draw(stream, 4)
    state = stream.state_dict()
    expected = draw(stream, 3)
    resumed = SamplerBatches(ring, 16, CPU, seed=99)
    resumed.load_state_dict(state)
    assert all(torch.equal(x, y) for x, y in zip(draw(resumed, 3), expected, strict=True))


def test_real_batches_samples_toy_distributions_afresh() -> None:
    stream = real_batches(TrainConfig(dataset="ring8", batch_size=32), CPU)
    assert isinstance(stream, SamplerBatches) and stream.next().shape == (32, 2)


def test_real_batches_walks_cached_images_scaled_to_minus_one_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path))
    config = TrainConfig(dataset="digits", image_size=16, batch_size=8)
    stream = real_batches(config, CPU)
    batch = stream.next()
    assert isinstance(stream, TensorBatches) and batch.shape == (8, 1, 16, 16)
    assert batch.min() >= -1.0 and batch.max() <= 1.0 and batch.min() == -1.0
    heldout = real_batches(config, CPU, split="heldout")
    assert len(heldout.data) == 179 and len(stream.data) == 1618


def test_real_batches_use_only_the_first_data_limit_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 of the 1797 digits: 10% held out (20), the other 180 trained on."""
    monkeypatch.setenv("WGAN_CACHE_DIR", str(tmp_path))
    config = TrainConfig(dataset="digits", image_size=16, batch_size=8, data_limit=200)
    assert len(real_batches(config, CPU).data) == 180
    assert len(real_batches(config, CPU, split="heldout").data) == 20
