"""Choosing the torch device a run uses."""

from __future__ import annotations

import torch


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Turn a device request into a :class:`torch.device`.

    Parameters
    ----------
    device : str or torch.device, default="auto"
        ``"auto"`` picks ``cuda`` when a GPU is visible and ``cpu`` otherwise. An explicit
        ``"cuda"`` (or ``"cuda:N"``) without a GPU raises instead of silently falling back.

    Raises
    ------
    ValueError
        If the string is not a device name torch understands, or CUDA is requested and
        none is available.
    """
    if isinstance(device, torch.device):
        requested = device
    elif device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
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
