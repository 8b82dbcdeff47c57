"""Whole-step CUDA graphs: the critic update and the generator update, captured and replayed.

What ``compile="reduce-overhead"`` (:mod:`wgan.training.fast`) runs. A training step of
small networks on a GPU is bound by the cost of launching its hundreds of kernels, not by
their arithmetic; a CUDA graph launches them all at once. Each of the two steps of
Algorithm 1, the critic update (lines 3-7: the generator's fakes under ``no_grad``, the
critic on the real and the fake batch, the backward pass, the optimizer's step, the clip
of line 7 or the gradient penalty; spectral normalization's power iteration runs inside
the critic) and the generator update (lines 9-11), is captured whole, as PyTorch's CUDA
notes describe "whole-network capture":

1. the first :data:`WARMUP_CALLS` calls of a step run eagerly on a side stream (they are
   real training steps: lazily built state, the optimizers' moments above all, and the
   libraries' workspaces are made there, outside any capture);
2. the next call captures the step in a :class:`torch.cuda.CUDAGraph` on static copies of
   its inputs, then replays it;
3. every later call copies its inputs into those static tensors (``copy_``) and replays.

A step returns its dict of 0-dim tensors; under a graph these are the graph's static
outputs, overwritten by the next replay of that step, so a caller reads them back (or
copies them) before calling the step again. The two steps have separate memory pools, so
one step's replay never overwrites the other's outputs.

What a step may and may not do to be captured (checked by the CUDA tests in
``tests/training/test_graphs.py``):

- **Draw no random numbers.** Inputs (the real batch, the priors z, the gradient
  penalty's interpolation weights) are drawn outside, from the same generators in the
  same order as without graphs, so the random streams and their checkpointed states are
  those of the uncaptured loop.
- **No host synchronisation** (``.item()``, printing a tensor, a data-dependent branch).
- **In-place state only.** Parameters, optimizer moments, BatchNorm running statistics and
  spectral normalization's vectors are updated in place, so the graph keeps writing into
  the tensors that checkpoints read. Anything that *replaces* them (``load_state_dict`` of
  an optimizer builds new moment tensors) must happen before the first capture: capture is
  lazy for that reason, at the first step after a resume.
- **Capturable optimizers** (``make_optimizer(..., capturable=True)``: step counts on the
  GPU) and autocast **without its weight cache** (:func:`wgan.training.fast.autocast`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch

WARMUP_CALLS = 3
"""Eager calls of each step before it is captured (PyTorch's CUDA notes warm up with 3)."""

Step = Callable[..., dict[str, torch.Tensor]]


class CapturedStep:
    """One step, eager for its first calls, then a CUDA graph replayed on fresh inputs.

    Parameters
    ----------
    step : callable
        ``step(*tensors) -> dict of str to torch.Tensor``: one training step whose inputs
        are CUDA tensors (or ``None``, passed through as ``None``), that draws no random
        numbers and does not synchronise with the host.
    warmup : int, default=WARMUP_CALLS
        Eager calls before the capture.

    Attributes
    ----------
    calls : int
        Calls so far.
    graph : torch.cuda.CUDAGraph or None
        The captured step, once captured.
    """

    def __init__(self, step: Step, warmup: int = WARMUP_CALLS) -> None:
        if warmup < 1:
            raise ValueError(
                "The 'warmup' parameter of CapturedStep must be at least 1 (a step is "
                f"captured after eager calls have built its state). Got {warmup!r} instead."
            )
        self.step = step
        self.warmup = warmup
        self.calls = 0
        self.graph: torch.cuda.CUDAGraph | None = None
        self._inputs: tuple[torch.Tensor | None, ...] = ()
        self._outputs: dict[str, torch.Tensor] = {}
        self._side: torch.cuda.Stream | None = None

    @property
    def replays(self) -> int:
        """Calls that replayed the graph (the capturing call included)."""
        return max(0, self.calls - self.warmup)

    def __call__(self, *inputs: torch.Tensor | None) -> dict[str, torch.Tensor]:
        """Run the step on ``inputs``: eagerly, or by replaying its graph.

        Returns
        -------
        dict of str to torch.Tensor
            A new dict each call; under a graph its tensors are the graph's static
            outputs (overwritten by the next replay).
        """
        self.calls += 1
        if self.calls <= self.warmup:
            return self._eager(inputs)
        if self.graph is None:
            self._capture(inputs)
        for static, new in zip(self._inputs, inputs, strict=True):
            if static is not None:
                if new is None or new.shape != static.shape:
                    raise ValueError(
                        "A captured step must be called with inputs of the shapes it was "
                        f"captured with. Got {None if new is None else tuple(new.shape)} for "
                        f"an input of shape {tuple(static.shape)}."
                    )
                static.copy_(new)
        self.graph.replay()
        return dict(self._outputs)

    def _eager(self, inputs: tuple[torch.Tensor | None, ...]) -> dict[str, torch.Tensor]:
        """A warm-up call: the step on a side stream, as PyTorch's notes warm up."""
        if self._side is None:
            self._side = torch.cuda.Stream()
        current = torch.cuda.current_stream()
        self._side.wait_stream(current)
        with torch.cuda.stream(self._side), warnings.catch_warnings():
            # A capturable optimizer warns once that it runs uncaptured: that is the point.
            warnings.filterwarnings("ignore", message=".*capturable=True.*")
            outputs = self.step(*inputs)
        current.wait_stream(self._side)
        return outputs

    def _capture(self, inputs: tuple[torch.Tensor | None, ...]) -> None:
        """Capture the step on static copies of ``inputs`` (nothing runs until replay)."""
        self._inputs = tuple(None if x is None else x.clone() for x in inputs)
        graph = torch.cuda.CUDAGraph()
        # thread_local: another thread's CUDA calls (a DataLoader's pin-memory thread in
        # the benchmark) do not invalidate this capture.
        with torch.cuda.graph(graph, capture_error_mode="thread_local"):
            self._outputs = self.step(*self._inputs)
        self.graph = graph


class StepGraphs:
    """The critic update and the generator update of a run, each a :class:`CapturedStep`.

    Parameters
    ----------
    critic_step : callable
        ``critic_step(real, z, eps) -> dict``: one critic (or discriminator) update;
        ``eps``, the gradient penalty's interpolation weights, or ``None``.
    generator_step : callable
        ``generator_step(z) -> dict``: one generator update.
    device : torch.device
        Where the networks are; CUDA only.
    warmup : int, default=WARMUP_CALLS
        Eager calls of each step before it is captured.

    Raises
    ------
    ValueError
        If ``device`` is not a CUDA device.

    Examples
    --------
    In a loop (``wgan.training.run``), per critic iteration and per generator iteration::

        graphs = StepGraphs(d_step, g_step, device)
        stats = graphs.critic(real, z, eps)  # inputs drawn outside, as without graphs
        stats |= graphs.generator(z)
    """

    def __init__(self, critic_step: Step, generator_step: Step, device: torch.device,
                 warmup: int = WARMUP_CALLS) -> None:
        if torch.device(device).type != "cuda":
            raise ValueError(
                "Whole-step CUDA graphs (compile='reduce-overhead') need a CUDA device. Got "
                f"device {str(device)!r}; use compile='default' or 'off'."
            )
        self.critic = CapturedStep(critic_step, warmup)
        self.generator = CapturedStep(generator_step, warmup)

    def describe(self) -> dict[str, Any]:
        """Calls and replays of each step so far (for logs and tests)."""
        return {name: {"calls": step.calls, "replays": step.replays}
                for name, step in (("critic", self.critic), ("generator", self.generator))}
