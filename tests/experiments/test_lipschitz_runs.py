"""The ring runs of each constraint: their configurations and the measures read back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from wgan.experiments.lipschitz_runs import (
    clip_sweep_config,
    final_measures,
    ring_config,
    run,
    trained_critic,
)
from wgan.experiments.mixture import balanced_ring_sample


def test_only_the_constraint_and_its_procedure_change() -> None:
    clip = ring_config("clip", "smoke", generator_iters=10)
    gp = ring_config("gp", "smoke", generator_iters=10)
    sn = ring_config("sn", "smoke", generator_iters=10)
    assert (clip.lipschitz, clip.optimizer_d, clip.clip_value) == ("clip", "rmsprop", 0.01)
    assert (gp.lipschitz, gp.optimizer_d, gp.beta1, gp.beta2, gp.gp_weight) == (
        "gp", "adam", 0.0, 0.9, 10.0)
    assert sn.replace(lipschitz="gp") == gp
    assert gp.critic == clip.critic == "mlp" and gp.dataset == "ring8"
    assert clip_sweep_config(0.1, "smoke", generator_iters=10).replace(clip_value=0.01) == clip
    with pytest.raises(ValueError, match="'method' parameter of ring_config"):
        ring_config("wgan", "smoke", generator_iters=10)


@pytest.mark.parametrize("method", ["gp", "sn"])
def test_final_measures_of_a_tiny_run(tmp_path: Path, method: str) -> None:
    config = ring_config(method, "smoke", generator_iters=6, device="cpu")
    result = run(config, f"tiny-{method}", "smoke", root=tmp_path)
    critic = trained_critic(result)
    if method == "sn":
        assert any(nn.utils.parametrize.is_parametrized(m) for m in critic.modules())
    reference = balanced_ring_sample(10, torch.Generator().manual_seed(0))
    curve, final = final_measures(result, reference, n=80, min_samples=2, window=3)
    assert list(curve["gen_iter"]) == result.snapshots
    assert 0 <= final["modes"] <= 8 and final["w1"] > 0
    assert final["grad_norm_p10"] <= final["grad_norm_median"] <= final["grad_norm_p90"]
    estimate = result.metrics["w_estimate"].tail(3).mean()
    assert final["k"] == pytest.approx(estimate / final["w1"])
    assert math.isnan(final["first_full"]) or final["first_full"] in result.snapshots
