"""Choosing the torch device a run uses: explicit requests as given, ``"auto"`` by measurement.

``"auto"`` puts each network where it was measured to train fastest (:data:`MEASURED_PLACEMENT`,
keyed by :func:`wgan.training.fast.network_family`): on a machine with a GPU the image networks
train on the GPU and the small MLPs of the toy distributions on the CPU, where they are faster;
without a GPU everything runs on the CPU. The config keeps ``device="auto"`` (it is part of the
run's hash); the device the rule chose is what the run records (``status.json``).
"""

from __future__ import annotations

import torch

from wgan.training.config import TrainConfig
from wgan.training.fast import network_family

# Where "auto" trains each network family (wgan.training.fast.network_family) on a machine that
# has a GPU. Measured 2026-12-04 on one NVIDIA H200 (torch 2.11.0+cu130, main 6e30778) and on
# the 2-core AMD EPYC of MEASURED_DEFAULTS (torch 2.14.1), generator iterations/s of one run:
# toy: the ring runs of the quick scale (MLPs of 64 units on 2-D points, batch 256) ~25 it/s
#   each on the GPU (`sweep run --scale quick --device cuda --jobs 8`: 8 runs sharing it)
#   against ~80-108 on one CPU thread: a step is a few dozen tiny kernels, bound by launch
#   overhead -> cpu. At the paper's width (512 units) one CPU thread trains 9.0 it/s (float32,
#   the toy default) or 16.2 (bfloat16), about what a GPU shared with other runs gives, and
#   the GPU's hours are what bound the paper scale (its image runs), so toys stay on the CPU.
# conv: DCGAN 64x64 batch 64 at the paper's settings, 23.75 it/s on the GPU (wgan train,
#   photos, after iteration 25) against 0.53 on both CPU cores (bf16 channels-last) -> cuda.
# mlp: the image MLPs (512 units on 64x64x3 images), 44.2 it/s on the GPU (wgan.speed.bench,
#   ours, bf16) against 2.7 on one CPU thread (the same bench, ours, bf16; the authors'
#   loop 2.3) -> cuda.
# Refine with a GPU at hand: rerun both sides and move a family whose CPU rate (on the threads
# a CPU run gets) beats its GPU rate shared with the other runs on that GPU.
MEASURED_PLACEMENT: dict[str, str] = {"toy": "cpu", "mlp": "cuda", "conv": "cuda"}


def place(device: str, family: str, *, gpu: bool) -> str:
    """Where a run of network ``family`` asking for ``device`` trains: a device name.

    A pure rule, so a sweep can price and schedule runs for a machine other than this one.

    Parameters
    ----------
    device : str
        The config's request: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"``. An explicit device is
        returned as it is.
    family : {"toy", "mlp", "conv"}
        :func:`wgan.training.fast.network_family` of the run.
    gpu : bool
        Whether the machine has a CUDA GPU.

    Returns
    -------
    str
        ``device`` itself when explicit; for ``"auto"``, :data:`MEASURED_PLACEMENT`'s choice
        for ``family`` with a GPU, ``"cpu"`` without one.

    Raises
    ------
    ValueError
        For an unknown ``family`` under ``"auto"``.
    """
    if device != "auto":
        return device
    if family not in MEASURED_PLACEMENT:
        raise ValueError(
            f"The 'family' parameter of place must be one of "
            f"{', '.join(map(repr, MEASURED_PLACEMENT))}. Got {family!r} instead."
        )
    return MEASURED_PLACEMENT[family] if gpu else "cpu"


def resolve_device(device: str | torch.device = "auto",
                   config: TrainConfig | None = None) -> torch.device:
    """Turn a device request into a :class:`torch.device`.

    Parameters
    ----------
    device : str or torch.device, default="auto"
        ``"auto"`` picks ``cuda`` when a GPU is visible and ``cpu`` otherwise, or, for a run
        (``config``), where its networks train fastest (:func:`place`). An explicit
        ``"cuda"`` (or ``"cuda:N"``) without a GPU raises instead of silently falling back.
    config : TrainConfig or None, default=None
        The run whose networks are placed; ``None`` for work that is not a run (a benchmark,
        a notebook's own computations).

    Raises
    ------
    ValueError
        If the string is not a device name torch understands, or CUDA is requested and
        none is available.
    """
    if isinstance(device, torch.device):
        requested = device
    elif device == "auto":
        gpu = torch.cuda.is_available()
        if config is None:
            return torch.device("cuda" if gpu else "cpu")
        return torch.device(place("auto", network_family(config), gpu=gpu))
    else:
        try:
            requested = torch.device(device)
        except RuntimeError as err:
            raise ValueError(
                f"The 'device' parameter must be 'auto', 'cpu' or 'cuda[:N]'. Got {device!r}."
            ) from err
    if requested.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(requested)!r} was requested but no CUDA GPU is visible to PyTorch. "
            "Use device='auto' to run on the CPU when there is no GPU, or device='cpu'."
        )
    return requested
