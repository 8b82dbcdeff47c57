# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A mixture of Gaussians: mode collapse, measured (Section 4.1, Figure 2)
#
# > *In (Metz et al., 2016) the authors presented a simple mixture of Gaussians
# > experiments that served a very specific purpose. In this mixture, the mode collapse
# > problem of GANs is easy to visualize, since a normal GAN would rotate between the
# > different modes of the mixture, and fail to capture the whole distribution. In 2 we
# > show how our WGAN algorithm approximately finds the correct distribution, without any
# > mode collapse.* (Section 4.1)
#
# > *WGAN is able to learn the distribution without mode collapse. An interesting fact is
# > that the WGAN (much like the Wasserstein distance) seems to capture first the low
# > dimensional structure of the data (the approximate circle) before matching the
# > specific bumps in the density.* (Figure 2)
#
# The paper shows KDE plots and gives no numbers. This page trains WGAN and the standard
# GAN on the ring of 8 Gaussians for several seeds each, draws the KDE plots, and measures
# coverage the way the mode-collapse literature does (`wgan.experiments.coverage`): how many modes
# receive samples within 3 standard deviations of their mean, what fraction of the
# samples is that close to some mode, whether any mode is dropped altogether, and the
# exact Wasserstein-1 distance to the ring. It judges two claims: Figure 2's (no mode
# collapse), once the WGAN has learned the circle at all, and the caption's order in time
# (the circle first, then the bumps).

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %% tags=["hide-input"]
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from wgan.experiments.coverage import N_SIGMA, RING_STD, mixture_metrics, radial_error
from wgan.experiments.mixture import (
    ABLATIONS,
    CIRCLE_FIRST,
    CIRCLE_HQ_RATIO,
    CIRCLE_RADIAL_FACTOR,
    CIRCLE_W1_RATIO,
    MIN_FAIR_SHARE,
    PARTLY_MODES,
    ablation_iters,
    balanced_ring_sample,
    circle_first_orders,
    circle_first_verdict,
    coverage_over_training,
    critic_saturation,
    generator_samples,
    mixture_settings,
    number_in_words,
    ring_scorecard,
    ring_verdict,
    run_mixture,
    seeds_of,
    spread_in_words,
    uniform_ring_sample,
)
from wgan.experiments.mixture import ablation_seeds as ablation_seeds_of
from wgan.plan.scale import Scale
from wgan.quality.seeds import t_interval
from wgan.report.claims import report
from wgan.report.plotting import ring_panel, stamp
from wgan.report.provenance import provenance
from wgan.sweep.registry import chapter_families
from wgan.theory.toy import gaussian_ring, ring_means

scale = Scale.from_env(scale)

# The toy networks are far too small for intra-op parallelism: with more than one thread,
# every tiny matrix product waits at a thread barrier (on a busy 2-core CPU a critic step
# took 10-30 times longer with 2 threads than with 1).
torch.set_num_threads(1)
settings = mixture_settings(scale)  # counts capped in a dry run (wgan.plan.scale.Scale.cap)
record = provenance(scale, device, seed, dataset="toy: ring of 8 Gaussians (radius 2, std 0.02)",
                    families=chapter_families("03_mixture", scale))
print(record)
record

# %% [markdown]
# ## The runs
#
# The ring is `wgan.theory.toy.gaussian_ring`: 8 equally weighted Gaussians with standard
# deviation $\sigma = 0.02$, means on the circle of radius 2 at angles $2\pi k / 8$ (Metz
# et al., 2016); every critic step draws a fresh batch. Both methods train the same
# networks through the same loop as the image experiments (`wgan.training.run`): the registry's
# ReLU MLP (three hidden layers) as generator and as critic, the critic getting a sigmoid
# to serve as the GAN's discriminator.
#
# - **WGAN**: Algorithm 1 as the paper runs it: weights clipped to $[-0.01, 0.01]$,
#   $n_\text{critic} = 5$, RMSProp, the authors' 100-iteration critic schedule. The paper
#   gives no learning rate, sizes or length for Figure 2; ours are in the table. The
#   batch is larger than the image runs' $m = 64$: a step of these small networks costs
#   about the same either way, and the larger batch makes each critic step less noisy.
# - **GAN**: the baseline of the image experiments, DCGAN's procedure with the
#   $-\log D$ trick: Adam with learning rate $2 \cdot 10^{-4}$ and $\beta_1 = 0.5$ for
#   both networks, one discriminator step per generator step.
#
# **The length, chosen from cost before the verdicts.** At 5,000 generator iterations (the
# quick runs of main 6ecac2d) the WGAN had not learned even the circle: a radial error of
# 0.143 against the uniform circle's 0.016. This chapter's own one-seed run of 15,000
# iterations covered 4 modes. The quick runs are now 15,000 iterations for both methods
# (the GAN as long, so that the figure's columns compare like with like), with 10
# snapshots (every 1,500 iterations) that order the circle and the bumps in time; the
# length was fixed, with the adequacy conditions below, before any of these runs was read. Its
# price, counted in critic plus generator steps (`wgan.sweep.costs.steps`): 720,780 for the
# 5 + 5 runs and the one ablation run, against 406,410 for the 5,000-iteration runs and
# their two 15,000-iteration ablations, 1.77 times as many. A toy step cost about 2.5 ms
# of one core in the quick book of 6ecac2d (its toy runs: about 1,700 core-seconds for
# 687,000 steps), so about 1,800 core-seconds (15 minutes on 2 cores), the ring's budget:
# a third of the 45-minute quick book, for two of its claims. On a loaded 2-core machine a
# step of these runs took 3.2 to 4.7 ms of CPU time (2,300 to 3,400 core-seconds), over
# that budget; trained as stacks of seeds (issue 28: 2.15 times faster at 5 seeds) they
# would cost about what the 5,000-iteration runs did.

# %% tags=["hide-input"]
seeds = seeds_of(scale, seed)
pd.DataFrame(
    [("noise dimension nz", settings.nz),
     ("hidden units per layer (3 layers)", settings.mlp_hidden),
     ("batch size m", settings.batch_size),
     ("generator iterations", settings.generator_iters),
     ("generator snapshots kept (besides iteration 0)", settings.snapshots),
     ("WGAN: RMSProp learning rate, both nets", settings.lr_wgan),
     ("WGAN: clipping c, n_critic", "0.01, 5"),
     ("GAN: Adam learning rate, beta1, both nets", "2e-4, 0.5"),
     ("seeds per method", f"{len(seeds)}: {seeds}")],
    columns=["setting", f"this page ({scale})"],
)

# %% tags=["hide-output"]
methods = {"wgan": "WGAN", "gan": "GAN"}
runs = {(method, s): run_mixture(method, scale, seed=s, device=device)
        for method in methods for s in seeds}
pd.DataFrame([
    {"method": methods[method], "seed": s, "status": run.status,
     "generator iterations": len(run.metrics),
     "training time (s)": round(float(run.metrics["wall_time"].iloc[-1]), 1),
     "critic parameters at +-c": (f"{critic_saturation(run):.0%}" if method == "wgan"
                                  else "no clipping")}
    for (method, s), run in runs.items()
])

# %% [markdown]
# ## The measures
#
# At every kept snapshot of every run, $n$ samples from the generator (the same noise
# for all snapshots and runs) are scored against the ring:
#
# - **modes covered**: modes with at least `min_samples` samples within $3\sigma = 0.06$
#   of their mean (neighbouring means are 1.53 apart);
# - **high-quality fraction**: the fraction of samples within $3\sigma$ of some mean;
# - **smallest share**: $8 \times$ the smallest fraction of samples whose *nearest* mean
#   is a given mode, at any distance: 1 when every mode gets its fair share of the mass,
#   0 when a mode is dropped altogether (mode collapse), however blurred the rest is;
# - **radial error**: the mean distance of the samples from the circle of radius 2, the
#   "low dimensional structure" of the caption;
# - **W1**: the exact Wasserstein-1 distance (POT) to a reference sample with exactly
#   $n/8$ points per mode.
#
# Two references frame the numbers: a sample of the ring itself (what a perfect
# generator scores, given sampling noise) and a *uniform ring*, the circle of radius 2
# with the same radial spread but no bumps (what a generator that learned only the
# circle scores).

# %%
n_samples = scale.pick(smoke=200, quick=1000, paper=1000)
min_samples = scale.pick(smoke=4, quick=20, paper=20)
reference = balanced_ring_sample(n_samples // 8, torch.Generator().manual_seed(seed))
draw = torch.Generator().manual_seed(seed + 1)
real = gaussian_ring(n_samples, draw)
circle = uniform_ring_sample(n_samples, draw)
references = pd.DataFrame({
    name: {**mixture_metrics(sample, reference, min_samples=min_samples),
           "radial_error": radial_error(sample)}
    for name, sample in (("ring (real samples)", real), ("uniform ring (circle only)", circle))
}).T
curves = pd.concat(
    [coverage_over_training(run, reference, n=n_samples, seed=seed, min_samples=min_samples)
     for run in runs.values()],
    ignore_index=True,
)
print(f"{n_samples} samples per snapshot; a mode is covered with at least {min_samples} "
      f"of them within {N_SIGMA:g} sigma = {N_SIGMA * RING_STD:g} of its mean")
references.round(3)

# %% [markdown]
# ## Figure 2: samples along training
#
# The runs of seed `seed` at four of their snapshots: a kernel density estimate of 1,000
# samples (green) and the samples themselves (blue), as in the paper's figure; the
# crosses mark the 8 means.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Samples of the generator along training (columns: generator iterations) for WGAN (top row) and the standard GAN (bottom row), seed given in the provenance box: kernel density estimate in green, samples in blue, the 8 means of the ring as black crosses. The paper's Figure 2 shows such KDE plots for WGAN and GAN on the same ring of 8 Gaussians; this figure redraws it for this page's runs.", "name": "fig-mixture-kde"}}
kept = runs[("wgan", seed)].snapshots
columns = [kept[i] for i in np.linspace(1, len(kept) - 1, 4).round().astype(int)]
means = ring_means().numpy()
fig, axes = plt.subplots(2, len(columns), figsize=(3 * len(columns), 6.2), squeeze=False)
for row, method in enumerate(methods):
    for col, iteration in enumerate(columns):
        ax = axes[row, col]
        samples = generator_samples(runs[(method, seed)], 1000, iteration=iteration,
                                    seed=seed).numpy()
        ring_panel(ax, samples, means, f"{methods[method]}, iteration {iteration}")
fig.tight_layout(rect=(0, 0.03, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## Coverage over training, every seed

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The measures along training for every seed (one line per run): modes covered within 3 sigma, high-quality fraction, smallest share (8 times the smallest fraction of samples nearest to a mode), radial error and W1 to the ring, for WGAN (blue) and GAN (red). Dashed: a sample of the ring itself; dotted: a uniform ring, the circle without its bumps; dash-dotted (grey): the thresholds the verdicts read, 4 modes (the bumps matched) and 4 times the circle's radial error (the circle learned). The paper's Figure 2 shows samples only; these curves put numbers on what its panels show.", "name": "fig-mixture-curves"}}
panels = {"modes": "modes covered (3 sigma)", "high_quality": "high-quality fraction",
          "min_share": "smallest share", "radial_error": "radial error",
          "w1": "W1 to the ring"}
colors = {"wgan": "C0", "gan": "C3"}
fig, axes = plt.subplots(1, len(panels), figsize=(3.3 * len(panels), 3.2))
for ax, (column, title) in zip(axes, panels.items(), strict=True):
    for (method, run_seed), group in curves.groupby(["method", "seed"]):
        ax.plot(group["gen_iter"], group[column], color=colors[method], lw=1, alpha=0.7,
                label=methods[method] if run_seed == seed else None)
    ax.axhline(references.loc["ring (real samples)", column], color="k", ls="--", lw=0.8)
    ax.axhline(references.loc["uniform ring (circle only)", column], color="k", ls=":",
               lw=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("generator iteration")
axes[0].axhline(PARTLY_MODES, color="0.5", ls="-.", lw=0.8)
axes[3].axhline(CIRCLE_RADIAL_FACTOR * references.loc["uniform ring (circle only)",
                                                      "radial_error"],
                color="0.5", ls="-.", lw=0.8)
axes[-1].set_yscale("log")
axes[-2].set_yscale("log")
axes[0].legend(fontsize=8)
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## The final numbers
#
# The last snapshot of every run: mean and standard deviation over the seeds, and the
# range.

# %%
final = curves.loc[curves.groupby(["method", "seed"])["gen_iter"].idxmax()]
columns_shown = list(panels)
summary = final.groupby("method")[columns_shown].agg(["mean", "std", "min", "max"])
summary.index = [methods[m] for m in summary.index]
summary.style.format(precision=3, na_rep="not defined (a run's samples were not finite)")

# %% tags=["hide-output"]
final.set_index(["method", "seed"])[columns_shown].style.format(precision=3,
                                                                na_rep="not finite")

# %% [markdown]
# ## What it takes to resolve the bumps
#
# Which of three suspects keeps the WGAN's modes blurred: too few iterations, the
# learning rate, or the clipped critic? The curves above say what time alone does with
# Algorithm 1's clipping $c = 0.01$. The run below trains the WGAN of seed `seed` again,
# as long, with a wider box, $c = 0.05$, and twice the learning rate
# (`wgan.experiments.mixture.ABLATIONS`), and is read beside the main run of its seed. The
# table of runs above says how many of the critic's parameters end at the bound
# $\pm c$: a critic pressed against its box is a blunt function (Gulrajani et al., 2017,
# saw the same on this ring), and the gradient it gives the generator near each mode is
# correspondingly coarse. The variant asks whether a roomier box with a larger step
# resolves the modes sooner. At `paper` scale it is repeated for every seed.

# %%
longer = ablation_iters(scale)
ablation_seeds = ablation_seeds_of(scale, seed)
clipped = "Algorithm 1's clipping (c = 0.01): the main run"
ablation_runs = {(clipped, s): runs[("wgan", s)] for s in ablation_seeds} | {
    (name, s): run_mixture("wgan", scale, seed=s, device=device, generator_iters=longer,
                           **overrides)
    for name, overrides in ABLATIONS.items() for s in ablation_seeds
}
variants = [clipped, *ABLATIONS]
ablation_curves = pd.concat(
    [curves[(curves["method"] == "wgan") & (curves["seed"] == s)].assign(variant=clipped)
     for s in ablation_seeds]  # the main runs, measured above
    + [coverage_over_training(run, reference, n=n_samples, seed=seed, min_samples=min_samples)
       .assign(variant=name)
       for (name, _), run in ablation_runs.items() if name != clipped],
    ignore_index=True,
)
ablation_final = ablation_curves.loc[
    ablation_curves.groupby(["variant", "seed"])["gen_iter"].idxmax()
].set_index(["variant", "seed"])[columns_shown]
ablation_final.style.format(precision=3, na_rep="not finite")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The WGAN of one seed with Algorithm 1's clipping (blue: the main run) and, as long, with a wider clipping box and a larger learning rate (green). Left: samples of each final generator (KDE in green, samples in blue, means as crosses). Right: modes covered within 3 sigma and high-quality fraction along training; dashed: a sample of the ring itself. The paper shows no such ablation; it tests the causes named in the text.", "name": "fig-mixture-ablation"}}
fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
variant_colors = dict(zip(variants, ("C0", "C2"), strict=True))
for ax, name in zip(axes[:2], variants, strict=True):
    samples = generator_samples(ablation_runs[(name, ablation_seeds[0])], 1000,
                                seed=seed).numpy()
    ring_panel(ax, samples, means, f"{name}\nseed {ablation_seeds[0]}, iteration {longer}")
for ax, column in zip(axes[2:], ("modes", "high_quality"), strict=True):
    for (name, _), group in ablation_curves.groupby(["variant", "seed"]):
        ax.plot(group["gen_iter"], group[column], color=variant_colors[name], lw=1.2)
    ax.axhline(references.loc["ring (real samples)", column], color="k", ls="--", lw=0.8)
    ax.set_title(panels[column], fontsize=10)
    ax.set_xlabel("generator iteration")
    ax.locator_params(axis="x", nbins=4)
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## What the paper claims, checked
#
# The measures first: a sample of the ring itself must cover all 8 modes, with the
# high-quality fraction of a 2-D Gaussian within $3\sigma$, $1 - e^{-9/2} = 0.989$ (up to
# 4 binomial standard deviations), and the uniform ring, which has the circle but not the
# bumps, must be farther from the ring in W1 than the real sample and cover no mode.

# %%
ring, flat = references.loc["ring (real samples)"], references.loc["uniform ring (circle only)"]
inside = 1 - math.exp(-N_SIGMA**2 / 2)
tolerance = 4 * math.sqrt(inside * (1 - inside) / n_samples)
print(f"real sample: {ring['modes']:.0f} modes, high-quality fraction {ring['high_quality']:.3f} "
      f"(expected {inside:.3f} +- {tolerance:.3f}), W1 {ring['w1']:.3f}; uniform ring: "
      f"{flat['modes']:.0f} modes, W1 {flat['w1']:.3f}")
assert ring["modes"] == 8, "a sample of the ring itself must cover all 8 modes"
assert abs(ring["high_quality"] - inside) < tolerance, "3-sigma fraction of the ring is off"
assert flat["modes"] == 0 and flat["w1"] > ring["w1"], "the measures cannot tell bumps from a circle"

# %% [markdown]
# Verdict rule (`wgan.experiments.mixture.ring_verdict`, declared in the claims table with
# the 15,000-iteration quick runs, before they were run). **Adequacy first**: modes can be
# judged only once the WGAN has learned the circle. At least half of the WGAN runs must
# have, at their last snapshot, a radial error at most `CIRCLE_RADIAL_FACTOR` times the
# uniform circle's (0.016, so about 0.064: the $3\sigma$ radius within which a sample counts
# for a mode); otherwise the runs are too short, and the verdict is *not tested at this
# scale*, naming the scale that would test the claim, never *not reproduced*.
#
# Once adequate, a generator that learned only the circle, without its modes, must not
# pass: the uniform ring above is scored with the same sample size, reference and mode
# criterion, and every WGAN run must *beat the circle* on three measures at its last
# snapshot: at least `PARTLY_MODES` modes covered within $3\sigma$ (and more than the
# circle), a high-quality fraction at least `CIRCLE_HQ_RATIO` times the circle's, and a W1
# to the ring at most `CIRCLE_W1_RATIO` times the circle's. *Reproduced* when every WGAN
# run beats the circle and covers all 8 modes. *Partly reproduced* when every WGAN run
# beats the circle and none drops a mode (smallest share at least `MIN_FAIR_SHARE`: every
# mode keeps at least half its fair share of the mass), without all 8 modes covered: the
# modes are found, but blurred. *Not reproduced* otherwise: a run the measures cannot tell
# from a circle without modes, or a run that dropped a mode; a run that has not learned the
# circle where most seeds have counts against. The GAN's numbers are reported beside, not
# judged: the paper's claim is about the WGAN, and a small GAN on a CPU does not always
# collapse.
#
# The table scores every run, and the two references as baseline rows, by that rule.

# %%
print(f"learned the circle: radial error at most {CIRCLE_RADIAL_FACTOR:g} x "
      f"{flat['radial_error']:.3f}; beat the circle: at least {PARTLY_MODES} modes and more "
      f"than its {flat['modes']:.0f}, high-quality fraction at least {CIRCLE_HQ_RATIO:g} x "
      f"{flat['high_quality']:.3f}, W1 at most {CIRCLE_W1_RATIO:g} x {flat['w1']:.3f}; "
      f"no mode dropped: smallest share at least {MIN_FAIR_SHARE:g}")
scorecard = ring_scorecard(final, flat, {"uniform ring (circle only): baseline": flat,
                                         "ring (real samples)": ring})
scorecard.style.format(precision=3, na_rep="not finite")

# %%
judgement = ring_verdict(final, flat, scale)
wgan_card = scorecard[scorecard["judged"]]

described = {
    methods[method]: ", ".join(
        f"{panels[c]} {spread_in_words(g[c])}"
        for c in ("modes", "high_quality", "min_share", "w1", "radial_error"))
    for method, g in final.groupby("method")
}
report(
    "mixture",
    measured=(
        f"{len(seeds)} seeds per method, {settings.generator_iters} generator iterations, "
        f"mean +- std [min, max] at the last snapshot, a mode covered with {min_samples} of "
        f"{n_samples} samples within 3 sigma. "
        + ". ".join(f"{name}: {text}" for name, text in described.items())
        + f". Baselines scored by the same rule: real sample: modes {ring['modes']:.0f}, "
        + f"high-quality {ring['high_quality']:.3f}, W1 {ring['w1']:.3f}; uniform ring "
        + f"(circle only): modes {flat['modes']:.0f}, high-quality {flat['high_quality']:.3f}, "
        + f"W1 {flat['w1']:.3f}, radial error {flat['radial_error']:.3f}. WGAN runs that beat "
        + f"the circle (at least {PARTLY_MODES} modes, high-quality at least "
        + f"{CIRCLE_HQ_RATIO:g} x, W1 at most {CIRCLE_W1_RATIO:g} x the circle's): "
        + f"{int(wgan_card['beats the circle'].sum())} of {len(wgan_card)}; with all 8 modes: "
        + f"{int(wgan_card['all 8 modes'].sum())}; with no mode dropped: "
        + f"{int(wgan_card['no mode dropped'].sum())}. "
        + f"WGAN at {longer} iterations, seeds {ablation_seeds}: "
        + "; ".join(f"{name}: modes {', '.join(number_in_words(v, '.0f') for v in g['modes'])}"
                    f", high-quality "
                    f"{', '.join(number_in_words(v, '.2f') for v in g['high_quality'])}"
                    for name, g in ablation_final.groupby(level="variant", sort=False))
    ),
    verdict=judgement.verdict,
    scale=scale,
    seeds=f"{len(seeds)} per method ({', '.join(map(str, seeds))}), every WGAN run judged",
    interval=(f"WGAN W1 to the ring {t_interval(final.loc[final['method'] == 'wgan', 'w1'])}"
              f", against the circle's {flat['w1']:.3g}"),
    adequate=judgement.adequate,
    adequacy=judgement.adequacy,
)

# %% [markdown]
# ## The circle first, then the bumps
#
# > *An interesting thing is that the WGAN first seems to learn to match the
# > low-dimensional structure of the data (the approximate circle), before zooming in on
# > the specific bumps of the true density.* (Section 4.1)
#
# The curves above plot the radial error; this section judges the order it implies. For
# each WGAN run, two moments are read off its snapshots: when it has **learned the circle**
# (the first snapshot with a radial error at most `CIRCLE_RADIAL_FACTOR` times the uniform
# circle's, the threshold of the adequacy condition above) and when it has **matched the
# bumps** (the first snapshot covering at least `PARTLY_MODES` modes, the threshold of
# beating the circle). The run puts the circle first when it learns the circle at an
# earlier snapshot; the same snapshot does not order them, and bumps matched before or
# without the circle are the opposite order.
#
# Rule (`wgan.experiments.mixture.circle_first_verdict`, declared in the claims table with
# the 15,000-iteration quick runs, before they were run). **Adequacy**: the order can be
# read only in a run that matches the bumps within its length; at least half of the WGAN
# runs must, else the verdict is *not tested at this scale*, naming the scale that would
# test it. Among the runs whose order is read: *reproduced* when the circle comes first in
# every one, *partly reproduced* when in at least half, *not reproduced* otherwise.

# %%
orders = circle_first_orders(curves, flat)
circle_first = circle_first_verdict(curves, flat, scale)
every = runs[("wgan", seed)].config.snapshot_every
print(f"snapshots every {every} iterations; circle learned: radial "
      f"error at most {CIRCLE_RADIAL_FACTOR:g} x {flat['radial_error']:.3f}; bumps matched: at "
      f"least {PARTLY_MODES} modes")
orders.style.format({"circle learned at": "{:.0f}", "bumps matched at": "{:.0f}"},
                    na_rep="never").hide(axis="index")

# %%
report(
    "circle-first",
    measured=(
        f"{len(orders)} WGAN runs, {settings.generator_iters} generator iterations, snapshots "
        f"every {every}; per seed (circle learned at, bumps matched at, order): "
        + "; ".join(
            f"seed {row['seed']}: "
            + ", ".join("never" if math.isnan(row[c]) else f"{row[c]:.0f}"
                        for c in ("circle learned at", "bumps matched at"))
            + f", {row['order']}"
            for _, row in orders.iterrows())
        + f". Circle first in {int((orders['order'] == CIRCLE_FIRST).sum())} of "
        + f"{len(orders)} runs"
    ),
    verdict=circle_first.verdict,
    scale=scale,
    seeds=f"{len(orders)} WGAN runs ({', '.join(map(str, orders['seed']))}), each ordered",
    interval=(f"circle learned at iteration {t_interval(orders['circle learned at'])}; "
              f"bumps matched at {t_interval(orders['bumps matched at'])}"),
    adequate=circle_first.adequate,
    adequacy=circle_first.adequacy,
)

# %% [markdown]
# ## Closing note
#
# The final numbers of this page, mean $\pm$ standard deviation over the seeds at the
# last snapshot (the per-seed values are in the tables above), next to what a sample of
# the ring itself and the bump-less uniform ring score, and the two verdicts with what
# their adequacy conditions measured.

# %%
closing = final.groupby("method")[columns_shown].agg(
    lambda v: spread_in_words(v, extremes=False).replace("+-", "±"))
closing.index = [f"{methods[m]} ({len(seeds)} seeds, {settings.generator_iters} iterations)"
                 for m in closing.index]
for (name, s), row in ablation_final.iterrows():
    closing.loc[f"WGAN, {name} (seed {s}, {longer} iterations)"] = row.map(number_in_words)
for name, row in references[columns_shown].iterrows():
    closing.loc[name] = row.map(number_in_words)
closing.columns = [panels[c] for c in closing.columns]
print(record.summary())
print(f"Figure 2's claim: {judgement.verdict} ({judgement.adequacy}).\n"
      f"The circle first, then the bumps: {circle_first.verdict} ({circle_first.adequacy}).")
closing
