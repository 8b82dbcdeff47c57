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
# # Momentum on the critic: Adam against RMSProp (Section 4.3, a negative result)
#
# > *Finally, as a negative result, we report that WGAN training becomes unstable at times
# > when one uses a momentum based optimizer such as Adam (Kingma & Ba, 2014) (with
# > $\beta_1 > 0$) on the critic, or when one uses high learning rates. Since the loss for
# > the critic is nonstationary, momentum based methods seemed to perform worse. We
# > identified momentum as a potential cause because, as the loss blew up and samples got
# > worse, the cosine between the Adam step and the gradient usually turned negative. The
# > only places where this cosine was negative was in these situations of instability.
# > We therefore switched to RMSProp.* (Section 4.3, last paragraph)
#
# The paper shows no figure for this. This page trains the same WGAN with RMSProp and with
# Adam ($\beta_1 = 0$, $0.5$, $0.9$) at three learning rates, on the ring of 8 Gaussians and
# on small images, several seeds each, and logs at every critic step the cosine between
# the optimizer's actual update $\Delta w$ and the descent direction $-g$
# (`TrainConfig.log_update_cosine`, `wgan.training.instrument`):
#
# $$\cos_t = \frac{\langle \Delta w_t, -g_t \rangle}{\|\Delta w_t\|\,\|g_t\|}.$$
#
# A plain gradient step has cosine $+1$; a negative cosine is a step uphill on the batch's
# loss. RMSProp and Adam with $\beta_1 = 0$ rescale each coordinate of $-g$ by a positive
# number, so their cosine is positive at every step; only momentum can turn it negative.
# The question is then whether it does so where training blows up, and only there.

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from wgan.experiments.blowups import (
    BAND_FACTOR,
    COLLAPSE_FRACTION,
    WINDOW,
    blow_up_onsets,
    blow_up_table,
    compare_blow_ups,
    cosine_evidence,
    mark_iterations,
    negative_cosine_by_level,
    reference_levels,
    share_in_words,
    summary_table,
    verdict,
)
from wgan.experiments.momentum import (
    OPTIMIZERS,
    PAPER_LR,
    data_note,
    momentum_settings,
    ring_sample_quality,
    ring_w1_floor,
    run_sweep,
)
from wgan.plan.scale import Scale
from wgan.quality import spearman
from wgan.report.claims import report
from wgan.report.plotting import stamp
from wgan.report.provenance import provenance
from wgan.sweep.registry import chapter_families

scale = Scale.from_env(scale)

# The networks here are tiny: one thread avoids OpenMP threads waiting on each other, which
# on a shared CPU made these runs ten times slower.
torch.set_num_threads(1)
record = provenance(scale, device, seed, dataset=data_note(scale),
                    families=chapter_families("06_momentum", scale))
print(record)
record

# %% [markdown]
# ## What runs at this scale
#
# Both networks use the optimizer under test with the same learning rate, as the authors'
# `--adam` switch does; everything else is Algorithm 1 (clipping $c = 0.01$,
# $n_\text{critic} = 5$). The ring runs use the MLP generator and critic of Section 4.1's toy
# experiment; the image runs use the DCGAN generator and critic of the image experiments
# (`wgan.experiments.images`, its WGAN with DCGAN networks), smaller than there to fit the sweep into minutes.

# %%
settings = momentum_settings(scale)  # counts capped in a dry run (wgan.plan.scale.Scale.cap)
pd.DataFrame({
    "optimizers": ", ".join(choice.label for choice in OPTIMIZERS),
    "learning rates (both nets)": ", ".join(f"{lr:g}" for lr in settings.lrs),
    "seeds per setting": settings.seeds,
    "ring: generator iterations, MLP width, batch": (
        f"{settings.ring_iters}, {settings.ring_hidden}, {settings.ring_batch}"),
    "images: generator iterations, side, width, batch": (
        f"{settings.image_iters}, {settings.image_size}, {settings.image_width}, "
        f"{settings.image_batch}" if settings.image_iters else "the image experiments' own"),
    "authors' 100-iteration critic warm-up": settings.critic_warmup,
}, index=[str(scale)]).T

# %% [markdown]
# ## The sweep
#
# Every run goes through the cached run loop, so re-executing this page reads the runs
# back. A run whose losses turn non-finite is stopped by the loop's guard and recorded as
# `diverged`; the sweep goes on.

# %%
sweep = run_sweep(scale, device=device, seed=seed)
runs = sweep.runs
print(f"{len(runs)} runs, {int((runs['status'] == 'diverged').sum())} stopped by the "
      f"non-finite guard, {runs['seconds'].sum():.0f} s of training in all")
runs.drop(columns=["optimizer", "run_dir"]).rename(columns={"label": "optimizer"}).assign(
    beta1=runs["beta1"].map(lambda b: "no momentum term (RMSProp)" if np.isnan(b) else f"{b:g}"),
    diverged_at=runs["diverged_at"].map(lambda t: "did not diverge" if np.isnan(t) else f"{t:.0f}"),
)

# %% [markdown]
# ## Blow-ups, defined
#
# The paper does not say what "the loss blew up" means; we fix it as follows
# (`wgan.experiments.blowups`) and use it throughout. The *reference level* of a dataset and seed is
# the largest $|W|$ estimate (`w_estimate` $= \bar f(\text{real}) - \bar f(\text{fake})$,
# the quantity of Figure 4) of the run with Algorithm 1's own setting: RMSProp,
# $\alpha = 5\cdot 10^{-5}$. A run is *outside its band* at a generator iteration when its
# estimate is not finite or exceeds `BAND_FACTOR` times the reference level in absolute
# value; it *blows up* at the first such iteration (or where the non-finite guard stopped
# it). Iterations within `WINDOW` generator iterations of an out-of-band one form the
# run's *unstable stretch*; all others are *stable*. Weight clipping bounds the critic, so
# leaving the band means the critic's loss jumped far beyond anything the paper's setting
# produced. An iteration has a *negative cosine* when at least one of its critic steps
# went uphill.

# %%
levels = reference_levels(sweep)
print(f"BAND_FACTOR = {BAND_FACTOR}, WINDOW = {WINDOW} generator iterations")
levels.rename("reference level |W|").to_frame()

# %%
onsets = blow_up_onsets(sweep)
marked = mark_iterations(sweep)
evidence = cosine_evidence(sweep)

# %% [markdown]
# ## The Wasserstein estimate per optimizer
#
# Every seed is drawn (thin lines of one colour per optimizer); the dashed lines are the
# band of the first seed, crosses mark blow-up onsets. The vertical axis is linear within
# the reference level and logarithmic beyond it.

# %%
datasets = list(dict.fromkeys(runs["dataset"]))
colors = {choice.key: f"C{i}" for i, choice in enumerate(OPTIMIZERS)}
labels = {choice.key: choice.label for choice in OPTIMIZERS}

panels = [(r, dataset, c, lr) for r, dataset in enumerate(datasets)
          for c, lr in enumerate(settings.lrs)]
figsize = (3.6 * len(settings.lrs), 2.8 * len(datasets))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The critic's Wasserstein estimate over training, per dataset (rows), learning rate of both networks (columns) and optimizer (colours), all seeds. Dashed: the blow-up band (the first seed's). Crosses: blow-up onsets.", "name": "fig-momentum-w"}}
fig, axes = plt.subplots(len(datasets), len(settings.lrs), squeeze=False, figsize=figsize,
                         sharex="row")
for r, dataset, c, lr in panels:
    axes[r, c].set_title(f"{dataset}, lr {lr:g}", fontsize=9)
for (dataset, optimizer, lr, run_seed), rows in sweep.metrics.groupby(
        ["dataset", "optimizer", "lr", "seed"]):
    ax = axes[datasets.index(dataset), settings.lrs.index(lr)]
    ax.plot(rows["gen_iter"], rows["w_estimate"], color=colors[optimizer], lw=0.7,
            alpha=0.8, label=labels[optimizer] if run_seed == seed else None)
    onset = onsets.loc[(dataset, optimizer, lr, run_seed), "onset"]
    if np.isfinite(onset) and onset <= rows["gen_iter"].max():
        ax.plot(onset, rows.loc[rows["gen_iter"] == onset, "w_estimate"].iloc[0], "x",
                color=colors[optimizer], ms=8, mew=2)
for row, dataset in enumerate(datasets):
    level = levels.loc[(dataset, seed)]
    for ax in axes[row]:
        ax.axhline(BAND_FACTOR * level, color="0.3", ls="--", lw=0.8)
        ax.axhline(-BAND_FACTOR * level, color="0.3", ls="--", lw=0.8)
        ax.set_yscale("symlog", linthresh=level)
    axes[row, 0].set_ylabel("W estimate")
for ax in axes[-1]:
    ax.set_xlabel("generator iteration")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=len(OPTIMIZERS),
           fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.02))
fig.tight_layout(rect=(0, 0.07, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## The update cosine, with the blow-ups marked
#
# For every generator iteration, the smallest cosine over its critic steps (one seed).
# Shaded: the unstable stretches; vertical lines: blow-up onsets, in the optimizer's colour.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Smallest update/gradient cosine over the critic steps of each generator iteration, first seed, per dataset (rows), learning rate (columns) and optimizer (colours). Below zero, the critic's step went uphill. Shaded: unstable stretches (within WINDOW iterations of an out-of-band W estimate); vertical lines: blow-up onsets.", "name": "fig-momentum-cosine"}}
fig, axes = plt.subplots(len(datasets), len(settings.lrs), squeeze=False, figsize=figsize,
                         sharex="row")
for r, dataset, c, lr in panels:
    axes[r, c].set_title(f"{dataset}, lr {lr:g}", fontsize=9)
first = marked[marked["seed"] == seed]
for (dataset, optimizer, lr), rows in first.groupby(["dataset", "optimizer", "lr"]):
    ax = axes[datasets.index(dataset), settings.lrs.index(lr)]
    ax.plot(rows["gen_iter"], rows["update_cos_min"], color=colors[optimizer], lw=0.7,
            label=labels[optimizer])
    ax.fill_between(rows["gen_iter"], -1, 1, where=rows["unstable"].to_numpy(),
                    color=colors[optimizer], alpha=0.08, lw=0)
    onset = onsets.loc[(dataset, optimizer, lr, seed), "onset"]
    if np.isfinite(onset):
        ax.axvline(onset, color=colors[optimizer], ls=":", lw=1.2)
for ax in axes.flat:
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylim(-1.05, 1.05)
for ax in axes[:, 0]:
    ax.set_ylabel("min cosine")
for ax in axes[-1]:
    ax.set_xlabel("generator iteration")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=len(OPTIMIZERS),
           fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.02))
fig.tight_layout(rect=(0, 0.07, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## Summary: runs that blew up, when, and where the cosine was negative
#
# Per dataset, optimizer and learning rate: the seeds run, those stopped by the non-finite
# guard, those that blew up, the median onset (generator iteration), the median final W
# estimate (median of each run's last 10% of iterations), the fraction of generator
# iterations with a negative cosine and the smallest cosine seen.

# %%
table = summary_table(sweep)
(table.style.format({"negative-cosine iterations": "{:.1%}", "lr": "{:g}"})
 .format("{:.0f}", subset=["median onset"], na_rep="no run blew up")
 .format("{:.2e}", subset=["final W"], na_rep="not finite")
 .format("{:+.2f}", subset=["min cosine"], na_rep="not logged"))

# %% [markdown]
# The runs that blew up, with the negative-cosine iterations in the `WINDOW` iterations
# before their onset and from the onset on:

# %%
blown = blow_up_table(sweep)
print(f"{len(blown)} of {len(runs)} runs blew up")
blown.drop(columns=["optimizer", "beta1"]).rename(columns={"label": "optimizer"})

# %% [markdown]
# ## Where the negative cosines are
#
# The runs with momentum, their generator iterations binned by the size of the W estimate
# relative to the reference level: below 1 the critic separates real from fake less than
# the paper's setting did at its best; below `COLLAPSE_FRACTION` we call the critic
# *collapsed*; above `BAND_FACTOR` the run is outside its band (a blow-up).

# %%
by_level = negative_cosine_by_level(sweep)
by_level.style.format({"share": "{:.1%}"}, na_rep="no iterations in this bin")

# %% [markdown]
# ## Samples, measured without the critic
#
# "As the loss blew up and samples got worse": on the ring, sample quality has a measure
# that does not go through the critic: the exact W1 between `n_quality` generated points
# and a balanced sample of the ring (`wgan.experiments.mixture`, `wgan.experiments.coverage`), at the generator
# snapshots of each run. The *floor* is the same distance for as many true samples of the
# ring. Each
# point below is one run: its final sample W1 against the share of its generator
# iterations with a negative cosine.

# %%
n_quality = scale.pick(smoke=80, quick=800, paper=2000)
quality = ring_sample_quality(sweep, n=n_quality, seed=seed)
floor = ring_w1_floor(n_quality, seed=seed)
final = quality.sort_values("gen_iter").groupby(["dataset", "optimizer", "lr", "seed"]).last()
share = marked.groupby(["dataset", "optimizer", "lr", "seed"])["negative_cos"].mean()
per_run = final.join(share.rename("negative share"), how="inner").reset_index()
finite_w1 = per_run["w1"][np.isfinite(per_run["w1"])]
print(f"W1 floor (true ring samples): {floor:.3f}; final sample W1 of the runs: "
      + (f"{finite_w1.min():.3f} to {finite_w1.max():.3f}" if len(finite_w1) else "none finite")
      + (f" ({len(per_run) - len(finite_w1)} runs with non-finite samples)"
         if len(finite_w1) < len(per_run) else ""))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Ring runs: final W1 between generated samples and the ring (lower is better; dashed: the floor of true samples) against the share of generator iterations with a negative update cosine. Colours: optimizers; markers: learning rates.", "name": "fig-momentum-samples"}}
markers = dict(zip(settings.lrs, "os^D", strict=False))
fig, ax = plt.subplots(figsize=(8.5, 3.6))
for (optimizer, lr), rows in per_run.groupby(["optimizer", "lr"]):
    ax.scatter(rows["negative share"], rows["w1"], color=colors[optimizer],
               marker=markers[lr], s=36, label=f"{labels[optimizer]}, lr {lr:g}")
ax.axhline(floor, color="0.3", ls="--", lw=0.8)
ax.set_xlabel("share of generator iterations with a negative cosine")
ax.set_ylabel("final sample W1 to the ring")
ax.set_ylim(bottom=0)
ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# Do the runs whose critic steps go uphill more often end with worse samples? Spearman's
# rank correlation over the ring runs with momentum (positive: more negative cosines,
# worse samples).

# %%
with_momentum = [choice.key for choice in OPTIMIZERS if choice.name == "adam" and choice.beta1 > 0]
momentum_runs = per_run[per_run["optimizer"].isin(with_momentum) & np.isfinite(per_run["w1"])]
association = (spearman(momentum_runs["negative share"], momentum_runs["w1"])
               if len(momentum_runs) >= 3 else None)
if association is None:
    association_text = (f"not measured: {len(momentum_runs)} ring runs with momentum and a "
                        "finite sample W1, fewer than 3")
elif np.isnan(association.rho):
    association_text = (f"undefined: the negative-cosine share or the final sample W1 is the "
                        f"same for all {association.n} ring runs with momentum")
else:
    association_text = str(association)
print(f"ring runs with momentum, negative-cosine share vs final sample W1: {association_text}")

# %% [markdown]
# ## What the numbers say
#
# Two facts hold by construction and are checked exactly: every cosine lies in $[-1, 1]$,
# and without momentum (RMSProp, Adam with $\beta_1 = 0$) no step ever has a negative
# cosine. Every run ended as `finished` or `diverged`, with the iteration recorded.

# %%
plain = marked[marked["optimizer"].isin(["rmsprop", "adam0"])]
cos_min, cos_max = marked["update_cos_min"].min(), marked["update_cos_mean"].max()
print(f"cosines seen: min {cos_min:+.3f}, max of the iteration means {cos_max:+.3f}; "
      f"negative-cosine iterations without momentum: {evidence.negative_plain}")
assert -1 - 1e-5 <= cos_min and cos_max <= 1 + 1e-5, "a cosine outside [-1, 1]"
assert evidence.negative_plain == 0 and (plain["update_cos_min"] >= 0).all(), (
    "RMSProp or Adam without momentum took a step against the gradient")
assert set(runs["status"]) <= {"finished", "diverged"}
assert runs.loc[runs["status"] == "diverged", "diverged_at"].notna().all()

# %% [markdown]
# The claim, part by part: (a) do runs with momentum blow up more often than runs without?
# This is the claim's main statement and the verdict's test: the blow-up counts, pooled
# over datasets, learning rates and seeds, compared with a one-sided Fisher exact test.
# (b) do runs at the highest learning rate blow up more often than at
# $\alpha = 5\cdot 10^{-5}$? Reported with the same test, but it does not move the
# verdict: a high learning rate is not momentum. (c) does the negative cosine precede or
# accompany the blow-ups (within `WINDOW` iterations of at least half of the momentum
# blow-ups), and is it concentrated there (at least twice as frequent in unstable
# stretches as in stable ones, the paper's "the only places")?

# %%
e = evidence
momentum_test = compare_blow_ups(e.blowups_momentum, e.runs_momentum, e.blowups_plain,
                                 e.runs_plain)
high_lr_test = compare_blow_ups(e.blowups_high_lr, e.runs_high_lr, e.blowups_paper_lr,
                                e.runs_paper_lr)
healthy = e.iterations_unstable + e.iterations_stable - e.iterations_collapsed
pd.DataFrame({
    "(a) runs with momentum that blew up": f"{e.blowups_momentum}/{e.runs_momentum}",
    "(a) runs without momentum that blew up": f"{e.blowups_plain}/{e.runs_plain}",
    "(a) one-sided Fisher exact test, momentum more often":
        f"p = {momentum_test.p_value:.2g}",
    f"(b) runs at lr {max(settings.lrs):g} that blew up": f"{e.blowups_high_lr}/{e.runs_high_lr}",
    f"(b) runs at lr {PAPER_LR:g} that blew up": f"{e.blowups_paper_lr}/{e.runs_paper_lr}",
    "(b) one-sided Fisher exact test, highest lr more often": f"p = {high_lr_test.p_value:.2g}",
    "(c) momentum blow-ups with a negative cosine before the onset":
        f"{e.negative_before} of {e.blowups_momentum}" if e.blowups_momentum
        else "no momentum run blew up",
    "(c) ... at or after the onset": f"{e.negative_at} of {e.blowups_momentum}"
        if e.blowups_momentum else "no momentum run blew up",
    "(c) negative-cosine share of unstable iterations (momentum runs)":
        share_in_words(e.negative_unstable, e.iterations_unstable, "unstable iterations"),
    "(c) negative-cosine share of stable iterations (momentum runs)":
        share_in_words(e.negative_stable, e.iterations_stable, "stable iterations"),
    f"negative-cosine share with a collapsed critic (|W| < {COLLAPSE_FRACTION:g} x ref.)":
        share_in_words(e.negative_collapsed, e.iterations_collapsed,
                       "collapsed-critic iterations"),
    "negative-cosine share otherwise":
        share_in_words(e.negative_total - e.negative_collapsed, healthy, "other iterations"),
}, index=["measured"]).T

# %% [markdown]
# ### Reading the result
#
# The verdict below follows the rule declared in the claims table
# (`wgan.report.claims.CLAIMS`, `wgan.experiments.blowups.verdict`): *reproduced* when
# runs with momentum blew up more often than runs without, significantly (one-sided Fisher
# exact test, $p < 0.05$), and part (c) holds; *partly reproduced* when momentum blew up
# more often but not significantly, or without part (c); *not reproduced* when momentum
# did not blow up more often than plain RMSProp, whatever the learning rates did. The
# numbers printed with it are those of this execution. Two readings help with them. When the negative cosines sit
# in iterations where the critic has *collapsed* rather than in unstable stretches, they
# mark a critic whose gradient has shrunk to batch noise: momentum then carries the
# previous direction while the current gradient points anywhere, so the step goes
# uphill about as often as chance allows, without any blow-up. And a generator can fail
# with the W estimate staying inside its band (the clipped critic's estimate saturates):
# the sample W1 of the ring runs shows those failures, which the loss-based definition of
# a blow-up does not count.
#
# The paper's setting (DCGAN on LSUN bedrooms at 64x64 for about 236,000 generator
# iterations, where the authors saw the effect) is `scale = "paper"`; it needs a GPU,
# and this page reports it only if the provenance above says `paper`.

# %% [markdown]
# ## Verdict

# %%
result, measured = verdict(evidence, scale)
measured += f"; ring runs with momentum, negative-cosine share vs final sample W1: {association_text}"
report("momentum", measured=measured, verdict=result, scale=scale,
       seeds=f"{settings.seeds} per setting ({seed}-{seed + settings.seeds - 1}); "
             f"{e.runs_momentum} runs with momentum, {e.runs_plain} without, pooled over "
             "datasets and learning rates",
       interval=momentum_test.intervals("with momentum", "without"))
print(record.summary())
