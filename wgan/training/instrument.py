r"""The cosine between an optimizer's actual parameter update and the gradient.

Section 4.3 of the paper: "as the loss blew up and samples got worse, the cosine between
the Adam step and the gradient usually turned negative. The only places where this cosine
was negative was in these situations of instability." :class:`UpdateCosine` measures that
cosine at every step of one optimizer (the critic's, in a run with
``TrainConfig.log_update_cosine``), over all its parameters at once, by hooking the
optimizer's ``step``; Algorithm 1's step functions are not touched.

Sign convention: the cosine is taken between the update ``delta = w_after - w_before`` and
the descent direction ``-g``,

.. math:: \cos_t = \frac{\langle \Delta w_t, -g_t \rangle}{\|\Delta w_t\| \, \|g_t\|},

so +1 is a plain gradient-descent step and a negative value is a step that goes uphill on
the current batch's loss. RMSProp and Adam with ``beta1 = 0`` rescale each coordinate of
``-g`` by a positive factor, so their cosine is positive at every step; only momentum
(``beta1 > 0``) can make it negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

COSINE_COLUMNS: tuple[str, ...] = ("update_cos_mean", "update_cos_min", "update_cos_neg_frac")
"""Metric columns :meth:`UpdateCosine.summary` returns, one value per generator iteration."""

_TINY = 1e-30  # floor of the norm product: a zero update or gradient has cosine 0


def update_cosine(update: Sequence[torch.Tensor], grad: Sequence[torch.Tensor]) -> torch.Tensor:
    """Cosine between a parameter update and the descent direction, over all parameters.

    Parameters
    ----------
    update : sequence of torch.Tensor
        ``w_after - w_before`` for each parameter, any shapes.
    grad : sequence of torch.Tensor
        The gradient the step used, for the same parameters, same shapes as ``update``.

    Returns
    -------
    torch.Tensor, 0-dim, float32
        ``<update, -grad> / (|update| |grad|)`` with both vectors flattened and
        concatenated, in [-1, 1]; 0 when either vector is zero; NaN when either holds a
        non-finite value.

    Raises
    ------
    ValueError
        If the two sequences differ in length or in a tensor's shape, or are empty.
    """
    if len(update) != len(grad) or not update:
        raise ValueError(
            "The 'update' and 'grad' parameters of update_cosine must be non-empty sequences "
            f"of equal length. Got {len(update)} and {len(grad)} tensors instead."
        )
    for u, g in zip(update, grad, strict=True):
        if u.shape != g.shape:
            raise ValueError(
                "Each tensor of 'update' must have the shape of its gradient in 'grad'. "
                f"Got {tuple(u.shape)} and {tuple(g.shape)} instead."
            )
    dot = torch.stack([(u.float() * g.float()).sum() for u, g in zip(update, grad, strict=True)])
    update_sq = torch.stack([u.float().square().sum() for u in update])
    grad_sq = torch.stack([g.float().square().sum() for g in grad])
    norms = (update_sq.sum() * grad_sq.sum()).sqrt()
    return -dot.sum() / norms.clamp_min(_TINY) + 0.0  # + 0.0: a zero dot product gives +0


class UpdateCosine:
    """Record :func:`update_cosine` at every ``step`` of an optimizer.

    A step pre-hook copies the parameters that have a gradient; a step post-hook takes
    the difference and its cosine with the gradient (still in ``.grad`` after the step).
    The cost is one copy of those parameters and a few reductions per step; the values
    stay on the parameters' device until :meth:`summary` (no host synchronisation).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to watch (the critic's, ``optimizer_d``). Hooks stay registered
        until :meth:`remove`.

    Attributes
    ----------
    cosines : list of 0-dim torch.Tensor
        The cosines of the steps since the last :meth:`summary`, oldest first.

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> opt = torch.optim.SGD([w], lr=0.1)
    >>> watch = UpdateCosine(opt)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> round(watch.cosines[0].item(), 6)
    1.0
    """

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                "The 'optimizer' parameter of UpdateCosine must be a torch.optim.Optimizer. "
                f"Got {type(optimizer).__name__} instead."
            )
        self.cosines: list[torch.Tensor] = []
        self._params: list[torch.Tensor] = []
        self._before: list[torch.Tensor] = []
        self._handles = [
            optimizer.register_step_pre_hook(self._pre_step),
            optimizer.register_step_post_hook(self._post_step),
        ]

    def _pre_step(self, optimizer: torch.optim.Optimizer, *_: Any) -> None:
        self._params = [p for group in optimizer.param_groups for p in group["params"]
                        if p.grad is not None]
        self._before = [p.detach().clone() for p in self._params]

    def _post_step(self, optimizer: torch.optim.Optimizer, *_: Any) -> None:
        if not self._params:  # a step without gradients changes nothing
            return
        update = [p.detach() - b for p, b in zip(self._params, self._before, strict=True)]
        self.cosines.append(update_cosine(update, [p.grad for p in self._params]))
        self._params, self._before = [], []

    def summary(self) -> dict[str, torch.Tensor]:
        """Mean, minimum and fraction negative of the cosines since the last call; reset.

        Returns
        -------
        dict of str to 0-dim torch.Tensor
            Keys :data:`COSINE_COLUMNS`: ``update_cos_mean``, ``update_cos_min`` and
            ``update_cos_neg_frac`` (fraction of the steps whose cosine is below 0).

        Raises
        ------
        RuntimeError
            If the optimizer took no step with gradients since the last call.
        """
        if not self.cosines:
            raise RuntimeError(
                "UpdateCosine.summary was called with no optimizer step recorded since the "
                "last call; call it after at least one step."
            )
        values = torch.stack(self.cosines)
        self.cosines = []
        return dict(zip(COSINE_COLUMNS, (values.mean(), values.min(),
                                         (values < 0).float().mean()), strict=True))

    def remove(self) -> None:
        """Unregister the hooks; the optimizer is then as it was before."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
