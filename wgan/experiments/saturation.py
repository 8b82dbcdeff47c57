"""The verdict of Figure 3 (Section 3): the GAN discriminator saturates, the WGAN critic does not.

:func:`wgan.experiments.critic_fit.figure3` trains, for one seed, a GAN discriminator and a
clipped WGAN critic on N(-2, 0.5^2) against N(2, 0.5^2). Its numbers give, per seed, two
tests declared in ``CLAIMS["figure3"]`` (the ledger's history of the rules lists
every rule changed after its outcome was seen):

- the discriminator *saturates* when its mean gradient size at the fake samples is below
  :data:`SATURATED_MAX` of its largest on the line;
- the critic gives *clean* gradients when its mean slope at the fakes is above
  :data:`CLEAN_MIN` of its largest, and a line explains at least :data:`LINEAR_R2` of its
  variance over the support of both Gaussians.

The verdict counts the seeds that pass each test (:func:`figure3_verdict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from wgan.plan.scale import Scale
from wgan.quality.seeds import t_interval

SATURATED_MAX = 1e-2  # |D'| at the fakes / max |D'|: a saturated sigmoid
CLEAN_MIN = 0.1  # |f'| at the fakes / max |f'|: a gradient well away from 0
LINEAR_R2 = 0.9  # R^2 of a line fitted to the critic over the support
MIN_SEEDS = 3  # fewer seeds: not tested
ZERO_GRADIENT = 1e-12  # where a ratio of gradient sizes is exactly 0, for its logarithm
SEEDS: dict[str, int] = {"smoke": 2, "quick": 5, "paper": 3}
"""Seeds of Figure 3's pair of fits, per scale (one fit costs about 20 s of one core at
``quick``)."""


def figure3_seeds(scale: Scale, seed: int = 0) -> list[int]:
    """The seeds of Figure 3's fits at ``scale``: ``seed, seed + 1, ...`` (two in a dry
    run)."""
    return list(range(seed, seed + scale.cap(SEEDS[scale.name], 2)))


def saturates(numbers: Mapping[str, float]) -> bool:
    """The discriminator's gradient at the fakes vanished (NaN fails)."""
    return numbers["d_slope_fake"] / numbers["d_slope_max"] < SATURATED_MAX


def clean(numbers: Mapping[str, float]) -> bool:
    """The critic's gradient at the fakes is sizeable and the critic nearly linear."""
    return (numbers["critic_slope_fake"] / numbers["critic_slope_max"] > CLEAN_MIN
            and numbers["critic_r2"] > LINEAR_R2)


def figure3_verdict(per_seed: Sequence[Mapping[str, float]], scale: Scale) -> tuple[str, str]:
    """The verdict of ``figure3`` and its measured sentence.

    - *reproduced*: in every seed the discriminator saturates and the critic is clean;
    - *partly reproduced*: one of the two holds in every seed, or both in at least half;
    - *not reproduced*: otherwise;
    - *not tested at this scale*: at ``smoke`` or with fewer than :data:`MIN_SEEDS` seeds.

    Parameters
    ----------
    per_seed : sequence of mapping
        :attr:`wgan.experiments.critic_fit.Figure3Result.numbers` of each seed.
    scale : Scale

    Returns
    -------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
        Counts, and the per-seed ratios with their intervals, in words.
    """
    n = len(per_seed)
    saturated = sum(saturates(numbers) for numbers in per_seed)
    cleaned = sum(clean(numbers) for numbers in per_seed)
    both = sum(saturates(numbers) and clean(numbers) for numbers in per_seed)
    if scale.name == "smoke" or n < MIN_SEEDS:
        verdict = "not tested at this scale"
    elif both == n:
        verdict = "reproduced"
    elif saturated == n or cleaned == n or 2 * both >= n:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    measured = (f"discriminator saturated in {saturated} of {n} seeds, critic clean in "
                f"{cleaned} of {n}, both in {both}; {figure3_intervals(per_seed)}")
    return verdict, measured


def figure3_intervals(per_seed: Sequence[Mapping[str, float]]) -> str:
    """The three ratios over the seeds, each with its t-interval (the discriminator's on a
    log10 scale: it spans orders of magnitude; a gradient exactly 0 in float32 counts as
    :data:`ZERO_GRADIENT`)."""
    def log10(value: float) -> float:
        return math.log10(max(value, ZERO_GRADIENT)) if math.isfinite(value) else math.nan

    d_ratio = t_interval(log10(s["d_slope_fake"] / s["d_slope_max"]) for s in per_seed)
    f_ratio = t_interval(s["critic_slope_fake"] / s["critic_slope_max"] for s in per_seed)
    r2 = t_interval(s["critic_r2"] for s in per_seed)
    return (f"log10 of |D'| at the fakes over its max {d_ratio.describe('.2f')}; |f'| at the "
            f"fakes over its max {f_ratio.describe('.2f')}; R^2 of a line "
            f"{r2.describe('.3f')}")
