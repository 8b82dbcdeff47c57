"""Where a run trains: explicit devices as asked, ``"auto"`` by the measured placement rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from wgan.training.config import TrainConfig
from wgan.training.device import MEASURED_PLACEMENT, place, resolve_device
from wgan.training.fast import MEASURED_DEFAULTS
from wgan.training.run import _Loop

RING = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2,
                   batch_size=8, n_critic=2, critic_warmup=False, generator_iters=4,
                   checkpoint_every=2, seed=1)
DIGITS = TrainConfig(dataset="digits", image_size=16, ngf=4, ndf=4, nz=4)
IMAGE_MLP = DIGITS.replace(generator="mlp", critic="mlp")


@pytest.fixture
def gpu_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    """torch says a GPU is visible (nothing touches one: the tests only place runs)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)


@pytest.mark.parametrize(("config", "device"), [(RING, "cpu"), (DIGITS, "cuda"),
                                                (IMAGE_MLP, "cuda")])
def test_auto_trains_toys_on_the_cpu_and_images_on_a_visible_gpu(
    gpu_visible: None, config: TrainConfig, device: str,
) -> None:
    assert resolve_device("auto", config) == torch.device(device)


@pytest.mark.parametrize("config", [RING, DIGITS, IMAGE_MLP])
def test_auto_without_a_gpu_is_the_cpu(config: TrainConfig,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto", config) == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")


def test_auto_without_a_run_is_the_gpu_when_there_is_one(gpu_visible: None) -> None:
    assert resolve_device("auto") == torch.device("cuda")


@pytest.mark.parametrize(("device", "family"), [("cpu", "conv"), ("cuda", "toy"),
                                                ("cuda:1", "mlp")])
def test_an_explicit_device_is_honoured(device: str, family: str) -> None:
    assert place(device, family, gpu=True) == device
    assert place(device, family, gpu=False) == device


def test_an_explicit_device_is_honoured_for_a_run(gpu_visible: None) -> None:
    assert resolve_device("cpu", DIGITS) == torch.device("cpu")
    assert resolve_device("cuda", RING) == torch.device("cuda")


def test_explicit_cuda_without_a_gpu_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU is visible"):
        resolve_device("cuda", RING)


def test_a_bad_device_name_or_family_is_refused() -> None:
    with pytest.raises(ValueError, match="'device' parameter must be 'auto', 'cpu' or"):
        resolve_device("gpu")
    with pytest.raises(ValueError, match="'family' parameter of place must be one of"):
        place("auto", "transformer", gpu=True)


def test_every_network_family_has_a_measured_place() -> None:
    assert set(MEASURED_PLACEMENT) == {family for _, family in MEASURED_DEFAULTS}
    assert set(MEASURED_PLACEMENT.values()) <= {"cpu", "cuda"}


def test_a_run_records_the_device_the_rule_chose_beside_a_gpu(
    gpu_visible: None, tmp_path: Path,
) -> None:
    # the loop's own state, without a step: torch's optimizers would look for the fake GPU
    for config, device in ((RING, "cpu"), (DIGITS.replace(device="cpu"), "cpu")):
        loop = _Loop(config, tmp_path)
        assert loop.device == torch.device(device)
        assert loop._status("running")["device"] == device  # what status.json holds

