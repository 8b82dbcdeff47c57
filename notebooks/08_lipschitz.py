# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,mystnb,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Weight clipping, the gradient penalty and spectral normalization, held against the exact W1
#
# > *Note that the fact that $\mathcal{W}$ is compact implies that all the functions
# > $f_w$ will be K-Lipschitz for some K that only depends on $\mathcal{W}$ and not the
# > individual weights, therefore approximating (2) up to an irrelevant scaling factor and
# > the capacity of the 'critic' $f_w$. In order to have parameters $w$ lie in a compact
# > space, something simple we can do is clamp the weights to a fixed box (say
# > $\mathcal{W} = [-0.01, 0.01]^l$) after each gradient update.* (Section 3)
#
# The arXiv version of the paper adds a remark that the ICML text does not carry: weight
# clipping is "a clearly terrible way to enforce a Lipschitz constraint"; with a large
# clip value the weights take long to reach their limit, which makes the critic hard to
# train to optimality, and with a small one the gradients vanish when the critic is deep
# and has no batch normalization. Within a year two replacements appeared: the gradient
# penalty of WGAN-GP (Gulrajani et al., 2017) and spectral normalization (Miyato et al.,
# 2018). This page puts the three side by side on problems whose W1 is known, so that
# "up to K" becomes a number. Part 1 fits critics to pairs of known $W_1$ and asks whether
# $K$ stays constant over a family; Part 2 redraws and measures WGAN-GP's Figure 1; Parts
# 3 and 4 train generators with each constraint, on chapter 3's ring and on the digits.

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

from wgan.experiments import lipschitz_runs
from wgan.experiments.gp_figure import DEEP_LAYERS, TOY_DATA
from wgan.experiments.lipschitz import CONSTRAINTS
from wgan.experiments.lipschitz_fits import (
    SURFACE_CONSTRAINTS,
    deep_fits,
    fit_seeds,
    lambda_sweep_table,
    lipschitz_fit_settings,
    population_table,
    surface_fits,
)
from wgan.experiments.lipschitz_runs import (
    RING_METHODS,
    digit_measures,
    digit_reference,
    ring_measures,
)
from wgan.experiments.lipschitz_verdicts import (
    GATE_DRIFT,
    ZERO_SE,
    constant_k_cells,
    constant_k_verdict,
    gp_closed_form_check,
    gp_norms_verdict,
    large_slow_verdict,
    simple_functions_verdict,
    small_vanishing_verdict,
)
from wgan.experiments.lipschitz_verdicts import counted as counted_fits
from wgan.experiments.mixture import balanced_ring_sample, generator_samples
from wgan.plan.scale import Scale
from wgan.quality.along_run import generate
from wgan.quality.seeds import t_interval
from wgan.report.claims import expect, report
from wgan.report.lipschitz import curve_panels, k_spread_figure, sweep_figure
from wgan.report.plotting import ring_panel, stamp
from wgan.report.provenance import provenance
from wgan.report.sheets import image_grid
from wgan.report.tables import readable
from wgan.sweep.registry import chapter_families
from wgan.theory.toy import ring_means

scale = Scale.from_env(scale)

# Small networks: one thread avoids the thread barrier on every tiny matrix product (see
# chapter 3).
torch.set_num_threads(1)
record = provenance(scale, device, seed,
                    dataset="toy: Gaussians, rings, Swiss roll; embedded digits (scikit-learn)",
                    families=chapter_families("08_lipschitz", scale))
print(record)
record

# %% [markdown]
# ## Part 1: the estimate against the exact W1
#
# The paper's sentence, with its condition: *if* the supremum of the dual (2) is attained
# within the clipped family (the critic's capacity and its box must hold the optimal
# critic, scaled), the clipped critic estimates $K \cdot W$ with $K$ fixed by the box, the
# same for every pair of distributions. Critics are fitted to pairs of Gaussians whose
# $W_1$ is known, and $K$ (the estimate over the exact critic's on the same sample) is
# constant over a family when its largest value stays within 1.25 times its smallest: the
# figure shows that spread, the table after it each cell's absolute $K$, and the dropdowns
# below them how the fits are made and counted.

# %% tags=["hide-cell"]
# The sizes of every fit of this page (wgan.experiments.lipschitz_fits.SETTINGS). Part 1: one
# shared sample of population_settings.eval_samples points per side, pair and seed; the
# learning rate decays to a tenth over the second half of each fit, so that a critic at its
# optimum settles.
sizes = lipschitz_fit_settings(scale)
fit_settings, population_settings = sizes.fit, sizes.population
part1_seeds = fit_seeds(scale, seed)
n_cosine, n_pairs, dims, gp_weights = sizes.n_cosine, sizes.n_pairs, sizes.dims, sizes.gp_weights
pd.Series(vars(population_settings) | {
    "pairs per family": n_pairs, "Gaussian dimensions": dims, "seeds": part1_seeds,
    "cosine sample per side": n_cosine, "lambdas swept": gp_weights}, name=str(scale)).to_frame()

# %% tags=["hide-input"]
table = population_table(scale, seed=seed)
cells = constant_k_cells(table)
uncounted = table[~counted_fits(table)]
labels = [c.label for c in CONSTRAINTS]
colors = dict(zip(labels, ("C0", "C9", "C4", "C3", "C2"), strict=True))
print(f"{len(table)} fits, {len(uncounted)} not counted (gate: projected drift "
      f"<= {GATE_DRIFT:.0%}; estimate > {ZERO_SE:g} standard errors)")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "K within each family, as the verdict reads it. Top, one panel per family with known W1: K (a critic's estimate divided by the exact critic's on the same sample) over the median K of its (family, constraint) cell, mean over the counted seeds, against the population W1, one colour per constraint: weight clipping at c = 0.1, 0.01 and 0.001, the gradient penalty (lambda = 10) and spectral normalization; shaded, a band within which any two points differ by less than the limit 1.25; log scale. Bottom: the verdict's statistic per cell, max/min K over the family's pairs, one dot per seed whose fits all counted, the mean with its 95% t-interval over seeds (square and bar), and the limit 1.25 (red dashed); open markers and a status above them: a cell not counted. The absolute K of each cell, from about 1e-8 (c = 0.001) to about 1 (the penalty), is in the table below. The paper has no such figure; equation (3) and the text after it say the clipped critic estimates W up to a constant K.", "name": "fig-lipschitz-k"}}
k_spread_figure(table, counted_fits(table), cells, colors, record)
plt.show()

# %%
readable(cells.drop(columns=["ratio_text"]), figures=3,
         words={"k_mean": "no counted fit", "k_linear": "not applicable",
                "ratio": "no seed with every pair counted", "ratio_low": "no interval",
                "ratio_high": "no interval"})

# %% [markdown]
# Per family and constraint: `status` (constant, varying or undecided from the
# t-interval over seeds of max/min $K$ against 1.25; or why the cell is not counted), the
# mean $K$ of the counted fits, the box's linear critic where it applies, the mean and
# interval of max/min $K$ over the pairs, the seeds with every pair counted, and how many
# fits failed the gate (`unconverged`) or estimated about 0 (`unmeasurable`).
#
# :::{dropdown} The three constraints
#
# All three are settings of the one training loop (`TrainConfig.lipschitz`,
# `python -m wgan train --lipschitz clip|gp|sn`):
#
# - **clip** (the paper's): every weight clamped to $[-c, c]$ before each critic update
#   (`wgan.training.algorithm1.clip_`);
# - **gradient penalty** (WGAN-GP): $\lambda\,\mathbb{E}\big[(\lVert\nabla_x
#   f(\hat x)\rVert_2 - 1)^2\big]$ added to the critic's loss, at $\hat x = \epsilon x +
#   (1 - \epsilon)\tilde x$ with one $\epsilon \sim U[0, 1]$ per sample
#   (`wgan.training.algorithm1.gradient_penalty`), no clipping, no batch normalization;
# - **spectral norm** (SN-GAN): every linear layer's weight divided by its largest
#   singular value, estimated by one power iteration per forward pass
#   (`wgan.training.models.spectral_normalize_`), no clipping.
#
# The fitted critics of the first two parts all use the registry's MLP critic (three
# hidden ReLU layers, of the width in the folded settings above) and RMSProp, the paper's optimizer, at one
# learning rate, and $\lambda = 10$, WGAN-GP's published value (their toy script used
# $\lambda = 0.1$; Part 1 sweeps $\lambda$). Only the constraint changes between them.
# :::
#
# :::{dropdown} The families, the protocol and the reference lines
#
# Part 1 tests the sentence on families of pairs whose $W_1$ is known for the populations,
# not estimated from samples:
#
# - **translated Gaussians**: $N(0, I)$ against $N(v, I)$, $|v|$ swept, $v$ along the first
#   axis; $W_1 = |v|$, attained by the critic $f(x) = -x_1$;
# - **scaled Gaussians** ($d = 2$): $N(0, I)$ against $N(0, \sigma^2 I)$; the map $x \mapsto
#   \sigma x$ costs $(\sigma - 1)\,\mathbb{E}|X|$ and the 1-Lipschitz critic $f(x) = -|x|$
#   scores as much, so $W_1 = (\sigma - 1)\sqrt{\pi/2}$ exactly; $\sigma$ is chosen so
#   that the $W_1$ are the translations' $|v|$. Its optimal critic is a cone, not linear.
#
# An earlier version of this page also counted a rotated ring and generated digits, whose
# $W_1$ came from POT between finite samples: biased upwards (by about 50% at the ring's
# smallest angle, with a floor near 4 for the digits), so their $K$ mixed the critic's
# scale with the bias. They are no longer fitted here.
#
# **Protocol.** For each pair and seed, one sample per side is drawn (`eval_samples` in the
# folded settings above),
# and the exact critic and every fitted critic are scored on it: $K$ is the fitted
# critic's estimate divided by the exact critic's on the same points (the sampling error
# of the two largely cancels; the estimate over the population $W_1$ is kept as `k`).
# Each (constraint, pair, seed) critic is fitted afresh (initialisation and batches
# seeded by the seed). The critics are fitted by `make runs`, not on this page: one
# registered fit per pair and seed holds every constraint's critic
# (`wgan.experiments.lipschitz_fits`), and this page reads their results back. A fit is
# **counted** only if it passes a convergence gate and its estimate lies more than 3
# standard errors above 0; the rest are listed, not counted.
#
# **The convergence gate** (`projected_drift`). The fit's estimate on 2,000 points of the
# shared sample is monitored 20 times along the fit; the least-squares slope of those
# values over the last fifth of the fit, extrapolated over the whole fit, must be at most
# 5% of the estimate: run once more as long at the pace it ends with, the estimate would
# move by less than 5%, a fifth of the 25% spread of $K$ the verdict tolerates. A gate that
# reads only what moved over the end of a fit passes a fit that creeps: this page's first
# gate (under 2% over the last fifth) passed one moving 1.5% per fifth, which a fit as
# long again would move by 7.5%. RMSProp's steps are about the learning rate whatever the
# gradient, so at a constant rate a critic at its optimum keeps jittering: the rate decays
# linearly to a tenth over the second half of each fit. (A clipped critic is measured
# inside its box: right after a step its weights can sit up to a step outside it.)
#
# **Reference lines**, from the constraints themselves:
#
# - **gradient penalty**: on a translation, a critic linear along $v$ with slope $s$
#   scores $s W - \lambda (s - 1)^2$, maximal at $s = 1 + W / (2\lambda)$: at its optimum
#   (among such critics) the penalised critic *over*-estimates $W_1$, $K^* = 1 +
#   W/(2\lambda)$ (1.025, 1.0625, 1.10 at $\lambda = 10$ for $|v| = 0.5, 1.25, 2$; $1 + 5W$
#   at WGAN-GP's toy $\lambda = 0.1$). A $\lambda$ sweep below tests this;
# - **spectral norm**: every layer divided by its largest singular value, so $K \le 1$ (up
#   to the power iteration's estimate);
# - **clip**: the box bounds the critic's Lipschitz constant by $\prod_l c\sqrt{n_{l-1}
#   n_l}$ (`clip_family_bound`), and it holds the linear critic $c^4 (h/2)^3 x_1$
#   (`clip_linear_slope`: half the units carry $+t$, half $-t$): on a translation, a
#   clipped critic that attains the supremum over its box has $K$ at least that linear
#   critic's. One below it has not attained the supremum, so the paper's condition fails
#   for its cell.
#
# The gradient cosine: the mean cosine between the critic's gradient at each fake point
# and that point's displacement under POT's optimal plan between the first points of the
# shared sample (1 for an optimal critic when the samples are large enough for the
# empirical plan to be the population's; `exact_cosine`, the exact critic's, is the
# ceiling those samples allow).
# :::
#
# The fits not counted (open the output):

# %% tags=["hide-output"]
readable(uncounted[["family", "constraint", "pair", "seed", "k", "k_paired", "drift"]]
         .set_index(["family", "constraint", "pair", "seed"]), figures=3)

# %% [markdown]
# The gradient cosine per family and constraint (mean over every fit), next to the exact
# critic's on the same points, and the median number of critic iterations to reach 90% of
# the final batch estimate:

# %%
cosines = table.groupby(["family", "constraint"], sort=False)[
    ["cosine", "exact_cosine", "steps_to_90"]].agg(
        {"cosine": "mean", "exact_cosine": "mean", "steps_to_90": "median"})
readable(cosines, figures=3)

# %% [markdown]
# ### The penalty's $\lambda$ swept
#
# The penalised critic on the translated Gaussians ($d = 2$, the same pairs, seeds and
# shared samples) at $\lambda \in \{0.1, 1, 10\}$. If the critic reaches the penalised
# optimum, $K - 1 = W/(2\lambda)$: a hundredfold between $\lambda = 0.1$ and 10. The check,
# declared in the package: per $\lambda$, the mean over seeds of $r = (K - 1) / (W /
# (2\lambda))$ over the counted fits agrees with the closed form when within 25% of 1 (at
# $\lambda = 10$, $K - 1$ is 0.025 to 0.1, so $r$ is the noisiest there).

# %%
d2 = f"Gaussians, d={dims[0]}"
penalised = table[(table["family"] == d2) & (table["constraint"] == "gradient penalty")]
lambda_table = pd.concat([lambda_sweep_table(scale, seed=seed), penalised], ignore_index=True)
closed_form = gp_closed_form_check(lambda_table)
readable(closed_form, figures=3, words={"k_mean": "no counted fit", "r_mean": "no counted fit"})

# %% [markdown]
# How to read $r$: 1 is the closed form; below 1 the fitted critic stopped between $K = 1$
# and the penalised optimum $K^*$; above 1 it scored more than the best critic linear
# along $v$ (a ReLU network need not be linear). Either way, the penalised critic's
# reference is $K^*$, not $K = 1$: at its optimum the penalty trades a slope above 1 for a
# larger estimate, the more so the smaller $\lambda$.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The penalised critic's K - 1 (K: its estimate over the exact critic's on the same sample) against the closed form W / (2 lambda) of the penalised linear optimum, log-log, one colour per lambda (0.1, 1, 10), on N(0, I) against N(v, I) in d = 2; filled: counted fits, mean over seeds; open: fits not counted; black line: K - 1 = W / (2 lambda). Values of K - 1 at or below 1e-3 sit on the floor. The paper has no such figure: the gradient penalty is WGAN-GP's.", "name": "fig-lipschitz-lambda"}}
fig, ax = plt.subplots(figsize=(4.6, 4.0))
gate = counted_fits(lambda_table)
for i, (weight, group) in enumerate(lambda_table.groupby("gp_weight", sort=True)):
    good = group[gate.loc[group.index]].groupby("w")["k_paired"].mean()
    ax.plot(good.index / (2 * weight), (good - 1).clip(lower=1e-3), "o", color=f"C{i}",
            label=f"lambda = {weight:g}")
    bad = group[~gate.loc[group.index]]
    ax.plot(bad["w"] / (2 * weight), (bad["k_paired"] - 1).clip(lower=1e-3), "o",
            mfc="none", color=f"C{i}")
span = np.geomspace(1e-2, 20, 50)
ax.plot(span, span, "k-", lw=0.8)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("W / (2 lambda)")
ax.set_ylabel("K - 1")
ax.legend(fontsize=8)
fig.tight_layout(rect=(0, 0.05, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## Part 2: WGAN-GP's Figure 1
#
# ### (a) Value surfaces against a fixed generator
#
# Their toy data: 8 Gaussians (radius 2, std 0.02, divided by 1.414), 25 Gaussians (the
# grid $-2..2$ step 2, std 0.05, divided by 2.828) and scikit-learn's Swiss roll (noise
# 0.25, columns 0 and 2, divided by 7.5). The fixed "generator" is the data plus unit
# Gaussian noise. Clipped critics use $c = 0.01$; the penalised ones $\lambda = 10$.
# These six critics train four times longer than Part 1's: in a first run at Part 1's
# length, the penalised critic on the 25 Gaussians still had a negative estimate (it had
# not reached the optimum the figure is about). Besides the picture: the critic's
# estimate next to the exact W1 between the same samples (POT), so that a critic far from
# its optimum shows; the fraction of the clipped critic's weights at the edge of its box
# ($|w| \ge 0.99\,c$); the gradient cosine of Part 1 on each problem; and Part 1's
# convergence gate (`drift`: the fit's estimate on a fixed sample of 2,000 points per side,
# drawn apart from its batches, monitored 20 times; the slope over the last fifth
# extrapolated over the whole fit, relative to the estimate; these fits keep a constant
# learning rate, so their jitter counts against them). Their Figure 1(a) shows
# critics trained to optimality: the verdict reads only the seeds in which both critics of
# a problem passed the gate (at most 5%), and needs 2 of them on every problem.
#
# Every critic of this part is fitted once per seed of Part 1, by `make runs` as Part 1's
# are (one registered fit per critic): the figures draw the first seed, the tables and the
# verdicts read them all.

# %% tags=["hide-cell"]
surface_table, surfaces = surface_fits(scale, seed=seed)  # the figure draws the first seed
readable(surface_table, figures=3, words={"at the box edge": "no box"})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Value surfaces (level lines of f) of critics trained against a fixed generator, the data plus unit Gaussian noise, on 8 Gaussians, 25 Gaussians and the Swiss roll (columns); top row: weight clipping (c = 0.01), bottom row: gradient penalty (lambda = 10); the data in orange. WGAN-GP's Figure 1(a) shows the same panels; this figure redraws it with this page's critics.", "name": "fig-lipschitz-surfaces"}}
fig, axes = plt.subplots(2, len(TOY_DATA), figsize=(3.4 * len(TOY_DATA), 6.4))
for col, name in enumerate(TOY_DATA):
    for row, label in enumerate(SURFACE_CONSTRAINTS):
        (xs, ys, values), real = surfaces[(name, label)]
        ax = axes[row, col]
        ax.contour(xs, ys, values, levels=15, cmap="viridis", linewidths=0.8)
        ax.scatter(real[:, 0], real[:, 1], s=2, color="C1")
        ax.set_title(f"{name}, {label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
fig.tight_layout(rect=(0, 0.03, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ### (b) Gradient norms through a 12-layer critic, and the weights
#
# A ReLU MLP of 12 linear layers without batch normalization, trained on the Swiss roll
# against the same noised generator, clipped at $c \in \{0.1, 0.01, 0.001\}$ and
# penalised. After training: the norm of the gradient of the critic's loss
# ($\mathbb{E}_\theta f - \mathbb{E}_r f$) with respect to each layer's activations, over
# a batch of each distribution. A norm that underflows to exactly zero in float32 is drawn
# at $10^{-30}$, the bottom of the plot.

# %% tags=["hide-input"]
deep_hidden = sizes.deep_hidden
seed_norms, weight_histograms = deep_fits(scale, seed=seed)  # histograms: the first seed's
layer_norms = {label: per_seed[0] for label, per_seed in seed_norms.items()}  # first seed
norms = pd.DataFrame(layer_norms, index=pd.RangeIndex(1, DEEP_LAYERS + 1, name="layer"))
norms.T.map("{:.2e}".format)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Left: norm of the gradient of the critic's loss with respect to each layer's activations (log scale) through a 12-layer ReLU critic without batch normalization on the Swiss roll, for weight clipping at c = 0.1, 0.01, 0.001 and for the gradient penalty. Middle and right: histograms of the weights of the clipped (c = 0.01) and the penalised critic. WGAN-GP's Figure 1(b) shows the same quantities (the gradient norms on its left, the weight histograms on its right); this figure redraws it with this page's critics.", "name": "fig-lipschitz-depth"}}
fig, (left, *hists) = plt.subplots(1, 3, figsize=(13, 3.6))
for label, values in layer_norms.items():
    left.plot(norms.index, np.maximum(values, 1e-30), "o-", ms=3, label=label,
              color=colors[label])
left.set_yscale("log")
left.set_xlabel("layer (1 = input side)")
left.set_ylabel("gradient norm")
left.legend(fontsize=8)
for ax, label in zip(hists, ("clip c=0.01", "gradient penalty"), strict=True):
    counts, edges = weight_histograms[label]
    ax.hist(edges[:-1], bins=edges, weights=counts, color=colors[label])
    ax.set_title(f"weights, {label}", fontsize=10)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## Part 3: generators trained with each constraint
#
# Chapter 3's ring runs with the constraint as the only change
# (`wgan.experiments.lipschitz_runs`): **clip** is Algorithm 1 as chapter 3 runs it
# (RMSProp $10^{-4}$, $c = 0.01$, the authors' warm-up); **gradient penalty** is WGAN-GP's
# published procedure (Adam $10^{-4}$, betas $(0, 0.9)$, $\lambda = 10$,
# $n_\text{critic} = 5$, no warm-up); **spectral norm** is the same Adam procedure with
# spectral normalization instead of the penalty. The runs are shorter than chapter 3's
# (1,000 generator iterations at `quick` against its 5,000) to fit the page's time, so
# they show the early phase of training, not where it ends. For every run, at its last
# snapshot: modes covered within
# $3\sigma$, high-quality fraction, exact W1 to the ring, the first snapshot covering all
# 8 modes, the critic's gradient norm at generated points, and the logged estimate over
# the last 50 iterations divided by the exact W1 (the K of a trained critic).

# %% tags=["hide-output"]
ring_iters = lipschitz_runs.lipschitz_settings(scale).ring_iters
ring_seeds = lipschitz_runs.ring_seeds(scale, seed)
n_samples = scale.pick(smoke=200, quick=1000, paper=1000)
min_samples = scale.pick(smoke=4, quick=20, paper=20)
reference = balanced_ring_sample(n_samples // 8, torch.Generator().manual_seed(seed))
method_labels = {"clip": "clip c=0.01", "gp": "gradient penalty", "sn": "spectral norm"}
ring_runs = lipschitz_runs.side_by_side_runs(scale, seed=seed, device=device)
ring_curves, ring_rows = [], []
for (method, s), result in ring_runs.items():
    curve, final = ring_measures(result, reference, n=n_samples, seed=seed,
                                  min_samples=min_samples)
    ring_curves.append(curve.assign(method=method_labels[method]))
    ring_rows.append({"method": method_labels[method], "seed": s, **final})
ring_final = pd.DataFrame(ring_rows).set_index(["method", "seed"])
readable(ring_final, figures=3, words={"first_full": "never"})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Ring runs trained with weight clipping (top), the gradient penalty (middle) and spectral normalization (bottom), final generators of every seed (columns): kernel density estimate in green, samples in blue, the 8 means as black crosses. The paper's Figure 2 shows such KDE plots for WGAN with clipping; this figure adds its successors' constraints on the same ring.", "name": "fig-lipschitz-ring"}}
means = ring_means().numpy()
fig, axes = plt.subplots(len(RING_METHODS), len(ring_seeds),
                         figsize=(2.8 * len(ring_seeds), 2.9 * len(RING_METHODS)),
                         squeeze=False)
for row, method in enumerate(RING_METHODS):
    for col, s in enumerate(ring_seeds):
        samples = generator_samples(ring_runs[(method, s)], 1000, seed=seed).numpy()
        ring_panel(axes[row, col], samples, means, f"{method_labels[method]}, seed {s}")
fig.tight_layout(rect=(0, 0.03, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ### The clip value swept
#
# Algorithm 1's ring run at $c \in \{0.001, 0.003, 0.01, 0.03, 0.1\}$, seed `seed`, the
# same length (the run at $c = 0.01$ is the clip run of seed `seed` above).

# %%
sweep_runs = lipschitz_runs.clip_sweep_runs(scale, seed=seed, device=device)
sweep_rows, sweep_curves = [], {}
for c, result in sweep_runs.items():
    curve, final = ring_measures(result, reference, n=n_samples, seed=seed,
                                  min_samples=min_samples)
    sweep_curves[c] = curve
    sweep_rows.append({"clip value": c, **final})
sweep = pd.DataFrame(sweep_rows).set_index("clip value")
readable(sweep, figures=3, words={"first_full": "never"})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Ring runs of Algorithm 1 with the clip value c swept from 0.001 to 0.1 (one colour per c): modes covered within 3 sigma and exact W1 to the ring along training (left two panels), and the final critic's median gradient norm at generated points against c (right, log-log). The paper shows no such sweep; it measures the text's remark on large and small clip values.", "name": "fig-lipschitz-sweep"}}
sweep_figure(sweep_curves, sweep, (("modes", "modes covered (3 sigma)"),
                                   ("w1", "W1 to the ring")), record, log_second=True)
plt.show()

# %% [markdown]
# ## Part 4: the digits
#
# Chapter 4's DCGAN run on the embedded digits (the image side, batch, widths and
# warm-up of its scale) with the constraint as the only change, and a critic without
# batch normalization for all three (`dcgan_nobn`: the per-sample penalty cannot have
# it, so the clipped critic loses it too and the critics differ in the constraint only).
# The procedures are Part 3's: Algorithm 1 (RMSProp $5 \cdot 10^{-5}$, $c = 0.01$, the
# authors' warm-up) for clip, WGAN-GP's Adam procedure for the penalty and for spectral
# normalization. At `quick` the runs are half of chapter 4's length (500 generator
# iterations against 1,000), to fit the page's time: they show how each constraint
# starts, not where it ends. Each method runs with several seeds (5 at `quick`, 3 at
# `paper`): the table gives each seed's values, and the one after it the mean and the 95%
# t-interval over seeds of each measure.
#
# Along each run, at 10 snapshots, 500 generated digits are measured without the critic,
# as in chapter 4: the pixel-space W1 to the 179 held-out digits (its floor, 500 real
# training digits against the same held-out ones, is printed below), the classes covered
# (a digit class counts when at least 2% of the samples are classified as it) and the
# classifier's confidence. The logged estimate is read at each snapshot through chapter
# 4's running median, and its rank correlation with the pixel W1 is chapter 4's
# question: does the critic's estimate follow the samples' quality? Last, the final
# critic's gradient norm at generated images and its estimate over the last 50
# iterations divided by the final pixel W1 (K).

# %% tags=["hide-output"]
digit_ref = digit_reference(scale)
digit_width = scale.pick(smoke=1, quick=25, paper=101)
digit_runs = lipschitz_runs.digit_side_by_side_runs(scale, seed=seed, device=device)
digit_seeds = lipschitz_runs.digit_seeds(scale, seed)
digit_curves, digit_rows = {}, []
for (method, s), result in digit_runs.items():
    curve, final = digit_measures(result, digit_ref, width=digit_width, seed=seed)
    digit_curves[(method, s)] = curve
    digit_rows.append({"method": method_labels[method], "seed": s, **final})
digit_final = pd.DataFrame(digit_rows).set_index(["method", "seed"])
print(f"pixel W1 floor (500 training digits vs the held-out ones): {digit_ref.floor:.3f}; "
      f"running median over {digit_width} generator iterations")
readable(digit_final, figures=3, words={"first_all": "never", "spearman": "undefined"})

# %%
digit_intervals = pd.DataFrame({
    method: {column: t_interval(group[column].to_numpy(dtype=float)).describe()
             for column in ("pixel_w1", "classes", "spearman", "grad_norm_median", "k")}
    for method, group in digit_final.groupby(level="method", sort=False)}).T
digit_intervals.index.name = "method"
digit_intervals

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Digit runs with weight clipping, the gradient penalty and spectral normalization (one colour each, the same DCGAN generator and BatchNorm-free critic): pixel-space W1 of 500 generated digits to the held-out ones (first panel; dashed: the floor of 500 real digits), classes covered (second) and the critic's logged estimate read at each snapshot, against generator iterations, one line per seed: the penalised and the spectrally normalised critics on the third panel, the clipped critic on its own axis on the fourth (its estimate is K times W1 with K far below 1: on the others' axis it would lie flat at 0). Below: 64 samples of each final generator of the first seed. The paper has no such figure; its Figure 4 shows the clipped critic's estimate falling with sample quality on LSUN bedrooms.", "name": "fig-lipschitz-digits"}}
fig = plt.figure(figsize=(13, 7.4))
top = fig.subplots(1, 4, gridspec_kw={"bottom": 0.55, "wspace": 0.35})
shown = [(method, s) for (method, s) in digit_runs if s == seed]  # seed `seed` of each
bottom = fig.subplots(1, len(shown), gridspec_kw={"top": 0.42, "bottom": 0.04})
bottom = np.atleast_1d(bottom)
method_colors = {"clip": colors["clip c=0.01"], "gp": colors["gradient penalty"],
                 "sn": colors["spectral norm"]}
curve_panels(top, digit_curves, method_colors, method_labels, seed=seed,
             floor=digit_ref.floor)
for ax, (method, s) in zip(bottom, shown, strict=True):
    ax.imshow(image_grid(generate(digit_runs[(method, s)], None, 64, seed), nrow=8),
              interpolation="nearest")
    ax.set_title(f"{method_labels[method]}, seed {s}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
stamp(fig, record)
plt.show()

# %% [markdown]
# How to read the rank correlation here. Chapter 4 asks whether the estimate falls as the
# samples improve. A critic that starts far from its optimum (Adam's critics start near
# zero and rise over the first snapshots) makes the estimate climb while the samples
# already improve, and those snapshots count against the correlation; a run this short
# is mostly that phase. So a low correlation at this length says the estimate did not
# track quality *from the start*, not that it fails to track it later. Class coverage
# counts a class at 2% of the samples: it says which digits appear, not how well they
# are drawn (the pixel W1 and the sample sheets say that).

# %% [markdown]
# ### The clip value swept on the digits
#
# Algorithm 1's digit run at $c \in \{0.001, 0.003, 0.01, 0.03, 0.1\}$, seed `seed`, the
# same length (the run at $c = 0.01$ is the clip run above), with the same measures.

# %%
digit_sweep_runs = lipschitz_runs.digit_clip_sweep_runs(scale, seed=seed, device=device)
digit_sweep_rows, digit_sweep_curves = [], {}
for c, result in digit_sweep_runs.items():
    curve, final = digit_measures(result, digit_ref, width=digit_width, seed=seed)
    digit_sweep_curves[c] = curve
    digit_sweep_rows.append({"clip value": c, **final})
digit_sweep = pd.DataFrame(digit_sweep_rows).set_index("clip value")
readable(digit_sweep, figures=3, words={"first_all": "never", "spearman": "undefined"})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Digit runs of Algorithm 1 with the clip value c swept from 0.001 to 0.1 (one colour per c): pixel-space W1 to the held-out digits (left; dashed: the floor) and classes covered (middle) along training, and the final critic's median gradient norm at generated digits against c (right, log-log). The paper shows no such sweep; it measures the text's remark on large and small clip values on images.", "name": "fig-lipschitz-digits-sweep"}}
sweep_figure(digit_sweep_curves, digit_sweep,
             (("pixel_w1", "pixel W1 to held-out digits"), ("classes_covered", "classes covered")),
             record, floor=digit_ref.floor)
plt.show()

# %% [markdown]
# ## What the claims say, checked
#
# The measures first, on cases with known answers: on every shared sample of the
# translated Gaussians the exact critic $f(x) = -x_1$ must estimate $|v|$ within 5
# standard errors ($\sqrt{2/n}$), and in two dimensions, at the largest shift, its gradient
# cosine must be near 1. The empirical plan between finite samples mixes within-sample
# rearrangements into the displacement, so the cosine's ceiling drops at small shifts and,
# in 16 dimensions, at every shift: two samples of a few hundred points are far apart
# there even when their populations coincide. The 16-dimensional ceiling is printed, not
# checked (this check first required it of both dimensions, and failed at the quick scale
# on the 16-dimensional ceiling, 0.495 at $|v| = 2$); the trained critics' cosines are
# read against it.

# %%
exact = table[table["kind"] == "translation"].drop_duplicates(["family", "pair", "seed"])
worst = float((exact["exact"] - exact["w"]).abs().max())
tolerance = 5 * math.sqrt(2 / population_settings.eval_samples)
ceilings = exact.loc[exact["w"] == exact["w"].max()].groupby("family")["exact_cosine"].min()
widest = float(ceilings[d2])  # the two-dimensional translations
print(f"exact critic on {len(exact)} shared samples of the translations: largest |estimate - "
      f"|v|| {worst:.4f} (tolerance {tolerance:.4f}); its smallest cosine at |v| = "
      f"{exact['w'].max():g}: " + ", ".join(f"{f} {c:.3f}" for f, c in ceilings.items()))
expect(worst < tolerance, "the exact critic's estimate is off", scale=scale)
expect(widest > scale.pick(smoke=0.5, quick=0.9, paper=0.9),
       "OT displacement is off in two dimensions", scale=scale)

# %% [markdown]
# The rules (their changes after an outcome was seen are listed in the ledger's history
# of the rules) are declared once in the package
# (`wgan.experiments.lipschitz_verdicts`, and each claim's test, rule, seeds and reason in
# the claims table `wgan.report.claims.CLAIMS`); every rule says "not tested at this
# scale" at `smoke`, whose critics train for a few dozen steps:
#
# - **K constant** (paper, Section 3, restated with its condition: *if* the supremum is
#   attained within the clipped family, $K$ is the same for every pair): judged per (clip
#   value, family) cell of Part 1 over the families with population $W_1$, from the
#   counted fits only (convergence gate, estimate above 3 standard errors). A cell needs 2
#   seeds in which every pair counted; on a translation, a cell whose $K$ stays below 0.95
#   times the box's linear critic has not attained the supremum (the condition fails) and
#   is not counted. Per counted cell, the 95% t-interval over seeds of max/min $K$ over the
#   pairs: *constant* below 1.25, *varying* above, *undecided* across. *Reproduced* when
#   every counted cell is constant, *not reproduced* when none is and one varies, *partly*
#   otherwise; *not tested* when no cell is decided, and when no cell has 2 seeds of
#   converged, measurable fits (the experiment's adequacy).
# - **Large c trains slowly** (paper, arXiv remark; an illustration): *reproduced* when
#   the fits at $c = 0.1$ need more iterations to reach 90% of their final estimate than
#   those at $c = 0.01$ in every family (median over pairs and seeds); *partly* in at
#   least half; *not reproduced* otherwise.
# - **Small c vanishes** (paper, arXiv remark; an illustration): *reproduced* when,
#   through the 12-layer critic, the gradient norm at the first layer is below a tenth of
#   that at the last in every seed, for both $c = 0.01$ and $c = 0.001$; *partly* for one
#   of them; *not reproduced* otherwise.
# - **Penalty keeps gradient norms** (WGAN-GP): *reproduced* when the penalised critic's
#   norms stay within one order of magnitude across the 12 layers: the 95% t-interval over
#   seeds of $\log_{10}$(max / min) at or below 1; *not reproduced* otherwise (also when a
#   norm is 0).
# - **Clipping pushes weights to the box and simplifies the critic** (WGAN-GP): *reproduced*
#   when on all three toy problems the t-interval over seeds of the share of the clipped
#   critic's weights at the box's edge lies above one half *and* that of the penalised
#   critic's gradient cosine minus the clipped one's (paired by seed) lies above 0;
#   *partly* when one of the two holds on all three; *not reproduced* otherwise. Read on
#   the seeds in which both critics of a problem passed the convergence gate; *not tested*
#   when a problem has fewer than 2 of them (the experiment's adequacy: their figure shows
#   critics trained to optimality).
#
# Chapter 2's clipped critic illustrates the same sentence of the paper and defers to the
# verdict recorded here: the ledger has one verdict for it.

# %%
clip_labels = [c.label for c in CONSTRAINTS if c.lipschitz == "clip"]
judged = constant_k_verdict(cells, clip_labels, scale)
clipped_cells = cells[cells.index.get_level_values("constraint").isin(clip_labels)]
report("clip-constant-k", measured=f"{population_settings.steps} RMSProp steps per critic, "
       f"{n_pairs} pairs per family, {population_settings.eval_samples:,} points per side "
       f"shared with the exact critic. {judged.measured}", verdict=judged.verdict,
       scale=scale,
       seeds=f"{len(part1_seeds)} ({', '.join(map(str, part1_seeds))}) per (constraint, pair)",
       interval="max/min K per clipped cell, 95% t-interval over seeds: " + "; ".join(
           f"{constraint} on {family}: {row.ratio_text}"
           for (family, constraint), row in clipped_cells.iterrows()),
       adequate=judged.adequate, adequacy=judged.adequacy)

judged = large_slow_verdict(table, scale)
report("clip-large-slow", measured=judged.measured, verdict=judged.verdict, scale=scale,
       seeds=f"{len(part1_seeds)} per pair")

part2_seeds = f"{len(part1_seeds)} ({', '.join(map(str, part1_seeds))})"
judged = small_vanishing_verdict(seed_norms, scale, hidden=deep_hidden)
report("clip-small-vanishing", measured=judged.measured, verdict=judged.verdict, scale=scale,
       seeds=f"{part2_seeds}: one deep critic per clip value and seed")

judged = gp_norms_verdict(seed_norms, scale)
report("gp-gradient-norms", measured=judged.measured, verdict=judged.verdict, scale=scale,
       seeds=f"{part2_seeds}: one penalised deep critic per seed",
       interval=judged.measured.split("; limit")[0])

judged = simple_functions_verdict(surface_table, scale)
report("clip-simple-functions", measured=judged.measured, verdict=judged.verdict,
       scale=scale, seeds=f"{part2_seeds}: one critic per constraint, problem and seed",
       interval=judged.measured, adequate=judged.adequate, adequacy=judged.adequacy)

# %% [markdown]
# ## Closing note
#
# The K table: the mean of K (the estimate over the exact critic's on the same sample) over
# each family's counted fits, per constraint (critics fitted to near-optimality, Part 1);
# then the ring runs: mean $\pm$ standard deviation over the seeds at the last snapshot
# (Part 3), and the clip sweep.

# %%
k_table = cells["k_mean"].unstack("family").reindex(labels)
print(record.summary())
readable(k_table, figures=3, default="no counted fit")

# %%
coverage = ring_final.groupby(level="method", sort=False)[
    ["modes", "high_quality", "w1", "grad_norm_median", "k"]].agg(
    lambda v: f"{v.mean():.3g} ± {v.std():.2g}" if v.notna().sum() > 1 else
    f"{v.mean():.3g} (one seed)" if v.notna().any() else "no value")
coverage.index = [f"{m} ({len(ring_seeds)} seeds, {ring_iters} iterations)"
                  for m in coverage.index]
coverage

# %%
readable(sweep[["modes", "first_full", "w1", "grad_norm_median", "k"]], figures=3,
         words={"first_full": "never"})

# %% [markdown]
# The digits (Part 4): each method's final pixel W1, classes covered, first snapshot with
# all 10 classes, the rank correlation of the estimate with the pixel W1, the critic's
# median gradient norm and K; then the clip sweep on the digits.

# %%
digit_columns = ["pixel_w1", "classes", "first_all", "spearman", "grad_norm_median", "k"]
readable(digit_final[digit_columns], figures=3,
         words={"first_all": "never", "spearman": "undefined"})

# %%
readable(digit_sweep[digit_columns], figures=3,
         words={"first_all": "never", "spearman": "undefined"})
