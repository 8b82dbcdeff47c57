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
# Adam ($\beta_1 = 0$, $0.5$, $0.9$) at three learning rates, several seeds each, measures
# the samples along every run without the critic, and logs at every critic step the
# cosine between the optimizer's actual update $\Delta w$ and the descent direction $-g$
# (`TrainConfig.log_update_cosine`, `wgan.training.instrument`):
#
# $$\cos_t = \frac{\langle \Delta w_t, -g_t \rangle}{\|\Delta w_t\|\,\|g_t\|}.$$
#
# A plain gradient step has cosine $+1$; a negative cosine is a step uphill on the batch's
# loss. RMSProp and Adam with $\beta_1 = 0$ rescale each coordinate of $-g$ by a positive
# number, so their cosine is positive at every step; only momentum can turn it negative.
# The questions are whether runs with momentum lose their samples more often than runs
# without at the same learning rate, and whether the negative cosines sit where they do.

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from wgan.experiments.blowups import (
    ADEQUATE_SHARE,
    BAND_FACTOR,
    FLAT_SHARE,
    IMPROVE_FACTOR,
    WINDOW,
    WORSE_FACTOR,
    blow_up_table,
    cosine_evidence,
    estimate_excursions,
    high_lr_strata,
    mark_iterations,
    momentum_strata,
    negative_cosine_by_level,
    quality_blow_ups,
    reference_adequacy,
    reference_levels,
    share_in_words,
    stratified_test,
    summary_table,
    verdict,
)
from wgan.experiments.momentum import (
    OPTIMIZERS,
    PAPER_LR,
    data_note,
    larger_scale,
    momentum_settings,
    run_sweep,
    sample_quality,
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
# ## What runs at this scale, and why these sizes
#
# Both networks use the optimizer under test with the same learning rate, as the authors'
# `--adam` switch does; everything else is Algorithm 1 (clipping $c = 0.01$,
# $n_\text{critic} = 5$). The ring runs use the MLP generator and critic of Section 4.1's
# toy experiment; the image runs, where there are any, the DCGAN generator and critic of
# the image experiments (`wgan.experiments.images`, its WGAN with DCGAN networks).
#
# The sizes were chosen from cost before the quick sweep ran (`wgan.experiments.momentum`
# says how they were measured). With one thread a ring iteration costs about 30 ms, a
# quick image iteration about 70 ms (process time, measured on this book's 2-core machine
# while other work loaded it). Instability can only be judged once Algorithm 1's own runs
# (RMSProp, $\alpha = 5\cdot 10^{-5}$) have converged; a pilot of those runs alone showed
# the ring's sample W1 levelling off after about 1,200-1,700 iterations, while the digits'
# FD was still six times a blur's after 1,200 iterations and falling, which would take
# some 13,000 core-seconds for the sweep. So the quick sweep is the ring only: 1,200
# generator iterations (three times the 400 before), 3 learning rates, 5 seeds, 60 runs,
# about 1,900 core-seconds of training and 180 of measuring, some 500 more than the 120
# shorter runs of ring and digits before. The digits run at smoke (a code path) and at
# the paper scale.

# %% tags=["hide-input"]
settings = momentum_settings(scale)  # counts capped in a dry run (wgan.plan.scale.Scale.cap)
pd.DataFrame({
    "datasets": ", ".join(settings.datasets),
    "optimizers": ", ".join(choice.label for choice in OPTIMIZERS),
    "learning rates (both nets)": ", ".join(f"{lr:g}" for lr in settings.lrs),
    "seeds per setting": settings.seeds,
    "ring: generator iterations, MLP width, batch": (
        f"{settings.ring_iters}, {settings.ring_hidden}, {settings.ring_batch}"),
    "images: generator iterations, side, width, batch": (
        "not run at this scale" if "images" not in settings.datasets else
        f"{settings.image_iters}, {settings.image_size}, {settings.image_width}, "
        f"{settings.image_batch}" if settings.image_iters else "the image experiments' own"),
    "snapshots where the samples are measured": settings.snapshots,
    "authors' 100-iteration critic warm-up": settings.critic_warmup,
}, index=[str(scale)]).T

# %% [markdown]
# ## The sweep
#
# Every run goes through the cached run loop, so re-executing this page reads the runs
# back. A run whose losses turn non-finite is stopped by the loop's guard and recorded as
# `diverged`; the sweep goes on.

# %% tags=["hide-output"]
sweep = run_sweep(scale, device=device, seed=seed)
runs = sweep.runs
print(f"{len(runs)} runs, {int((runs['status'] == 'diverged').sum())} stopped by the "
      f"non-finite guard, {runs['seconds'].sum():.0f} s of training in all")
runs.drop(columns=["optimizer", "run_dir"]).rename(columns={"label": "optimizer"}).assign(
    beta1=runs["beta1"].map(lambda b: "no momentum term (RMSProp)" if np.isnan(b) else f"{b:g}"),
    diverged_at=runs["diverged_at"].map(lambda t: "did not diverge" if np.isnan(t) else f"{t:.0f}"),
)

# %% [markdown]
# ## Blow-ups, defined on the samples
#
# The paper does not say what "the loss blew up" means. The critic's loss cannot say it:
# weight clipping keeps the estimate inside a band whatever the generator does (the quick
# book of 6ecac2d had an Adam run end with samples 13,000 times farther from the ring than
# true samples while its estimate stayed inside the band it was judged by). So a blow-up is
# read on the samples, measured without the critic at every snapshot
# (`wgan.experiments.momentum.sample_quality`): on the ring, the exact W1 between generated
# points and a balanced sample of the ring; on the digits, the yardstick's Fréchet
# distance (FD). Lower is better for both, and each has a *floor*, the same measure for
# true samples.
#
# A snapshot is *worse* when its samples are not finite, or when their quality exceeds
# `WORSE_FACTOR` times the larger of the run's best quality so far (iteration 0 included)
# and the floor. A run *blows up* when its last snapshot is worse; its *onset* is the first
# snapshot of the unbroken stretch of worse snapshots that reaches the end
# (`wgan.experiments.blowups`). The end is read against the run's own best, so a run that
# was worse for a while as it learned and came back is no blow-up; a run stopped by the
# non-finite guard blows up where it stopped. The run's *unstable stretch* runs from
# `WINDOW` iterations before the snapshot preceding its onset to its end; every other
# iteration is *stable*.

# %%
n_quality = scale.pick(smoke=80, quick=800, paper=2000)
quality = sample_quality(sweep, n_ring=n_quality, seed=seed)
measured_sweep = sweep.select(tuple(quality.floors))  # the datasets with a measure
blowups = quality_blow_ups(measured_sweep, quality.table, quality.floors)
adequacy = reference_adequacy(quality.table, quality.learned)
print(f"WORSE_FACTOR = {WORSE_FACTOR}, WINDOW = {WINDOW} generator iterations; "
      + "; ".join(f"{dataset}: {quality.measures[dataset]}, floor {floor:.3g}"
                  for dataset, floor in quality.floors.items())
      + "".join(f"; {dataset} not measured: {why}" for dataset, why in quality.unmeasured.items()))
(quality.baselines.set_index(["dataset", "generator"])
 .rename(columns={"quality": "quality (the run's measure)"}).style.format("{:.3g}"))

# %% [markdown]
# ## Sample quality per optimizer
#
# Every seed is drawn (thin lines of one colour per optimizer) on a logarithmic axis, so
# that a run thrown a thousand times farther than the floor does not flatten the others;
# the dashed line is the floor (true samples), crosses mark blow-up onsets, and on the
# digits the dotted line is the Gaussian with the data's moments.

# %%
datasets = list(quality.floors)
colors = {choice.key: f"C{i}" for i, choice in enumerate(OPTIMIZERS)}
labels = {choice.key: choice.label for choice in OPTIMIZERS}
panels = [(r, dataset, c, lr) for r, dataset in enumerate(datasets)
          for c, lr in enumerate(settings.lrs)]
figsize = (3.6 * len(settings.lrs), 2.8 * max(1, len(datasets)))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Sample quality over training (lower is better, logarithmic axis), measured without the critic: sample W1 to the ring, FD of the digits. Rows: datasets; columns: learning rate of both networks; colours: optimizers, every seed. Dashed: the floor (true samples); dotted: the Gaussian with the digits' moments. Crosses: blow-up onsets (samples worse than twice their best, or the floor, to the end).", "name": "fig-momentum-quality"}}
fig, axes = plt.subplots(max(1, len(datasets)), len(settings.lrs), squeeze=False,
                         figsize=figsize, sharex="row", sharey="row")
for r, dataset, c, lr in panels:
    axes[r, c].set_title(f"{dataset}, lr {lr:g}", fontsize=9)
for (dataset, optimizer, lr, run_seed), rows in quality.table.groupby(
        ["dataset", "optimizer", "lr", "seed"]):
    ax = axes[datasets.index(dataset), settings.lrs.index(lr)]
    ax.plot(rows["gen_iter"], rows["quality"], color=colors[optimizer], lw=0.7, alpha=0.8,
            label=labels[optimizer] if run_seed == seed else None)
    onset = blowups.loc[(dataset, optimizer, lr, run_seed), "onset"]
    at = rows.loc[rows["gen_iter"] == onset, "quality"]
    if len(at) and np.isfinite(at.iloc[0]):
        ax.plot(onset, at.iloc[0], "x", color=colors[optimizer], ms=8, mew=2)
for r, dataset in enumerate(datasets):
    for ax in axes[r]:
        ax.axhline(quality.floors[dataset], color="0.3", ls="--", lw=0.8)
        if dataset in quality.learned:
            ax.axhline(quality.learned[dataset], color="0.3", ls=":", lw=0.8)
        ax.set_yscale("log")
    axes[r, 0].set_ylabel(quality.measures[dataset])
for ax in axes[-1]:
    ax.set_xlabel("generator iteration")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=len(OPTIMIZERS),
           fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.02))
fig.tight_layout(rect=(0, 0.07, 1, 1))
stamp(fig, record)
plt.show()

# %% [markdown]
# ## Is the experiment adequate?
#
# Instability means losing samples that training had reached, so it is judged only where
# Algorithm 1's own runs (RMSProp, $\alpha = 5\cdot 10^{-5}$) converged within their
# length (declared with the rule, `CLAIMS["momentum"].adequacy`): a reference run has
# converged when it ends at most `IMPROVE_FACTOR` times its initial quality (improved), its
# last quarter moved it by at most `FLAT_SHARE` of that improvement (flattened) and, on the
# digits, it ends below the Gaussian with the data's moments (learned, as chapters 4 and 5
# read it). A dataset is judged when at least `ADEQUATE_SHARE` of its reference runs
# converged; with none, the claim is *not tested at this scale*.

# %% tags=["hide-input"]
print(f"IMPROVE_FACTOR = {IMPROVE_FACTOR}, FLAT_SHARE = {FLAT_SHARE}, ADEQUATE_SHARE = "
      f"{ADEQUATE_SHARE}; judged: {', '.join(adequacy.judged) or 'no dataset'}")
adequacy.runs.style.format({"initial": "{:.3g}", "late": "{:.3g}", "final": "{:.3g}"})

# %% [markdown]
# ## The comparison, within each learning rate
#
# A high learning rate destabilises any optimizer, so runs with momentum are compared with
# runs without within each (dataset, learning rate) stratum (the table counts every
# measured dataset; only the judged ones enter the tests below), and the strata are combined by the exact form of the Cochran-Mantel-Haenszel test: the
# momentum blow-ups summed over strata, against their distribution given each stratum's
# margins (one-sided). The Mantel-Haenszel difference of blow-up rates, momentum minus
# none, is the number the verdict reads, with its Greenland-Robins interval. The
# high-learning-rate clause is read the same way, the highest learning rate against
# $\alpha = 5\cdot 10^{-5}$ within each optimizer; it is reported and does not move the
# verdict.

# %%
momentum_test = stratified_test(momentum_strata(blowups, adequacy.judged))
high_lr_test = stratified_test(high_lr_strata(blowups, adequacy.judged))
clauses = {"momentum (a: beta1 > 0) against none (b)": momentum_strata,
           f"lr {max(settings.lrs):g} (a) against {PAPER_LR:g} (b)": high_lr_strata}
pd.DataFrame(
    [{"clause": clause, "stratum": s.label, "blew up, a": f"{s.blown_a}/{s.runs_a}",
      "blew up, b": f"{s.blown_b}/{s.runs_b}",
      "judged": "yes" if dataset in adequacy.judged else "no: its reference did not converge"}
     for clause, strata in clauses.items() for dataset in datasets
     for s in strata(blowups, [dataset])],
    columns=["clause", "stratum", "blew up, a", "blew up, b", "judged"])

# %%
print(momentum_test.describe("with momentum", "without"))
print(momentum_test.interval("with momentum", "without"))
print(high_lr_test.describe("highest lr", "lr 5e-5"))

# %% [markdown]
# ## The Wasserstein estimate per optimizer
#
# The critic's estimate, for comparison with the samples: the dashed lines are
# `BAND_FACTOR` times the largest $|W|$ of the reference run of the first seed, the band
# the blow-ups were read from before; circles mark where a run's estimate first left it. The vertical axis
# is linear within the reference level and logarithmic beyond it.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The critic's Wasserstein estimate over training, per dataset (rows), learning rate of both networks (columns) and optimizer (colours), all seeds. Dashed: three times the reference run's largest |W| (first seed). Circles: where an estimate first left that band; reported beside the sample-based blow-ups, not judged.", "name": "fig-momentum-w"}}
excursions = estimate_excursions(measured_sweep)
levels = reference_levels(measured_sweep)
fig, axes = plt.subplots(max(1, len(datasets)), len(settings.lrs), squeeze=False,
                         figsize=figsize, sharex="row")
for r, dataset, c, lr in panels:
    axes[r, c].set_title(f"{dataset}, lr {lr:g}", fontsize=9)
for (dataset, optimizer, lr, run_seed), rows in measured_sweep.metrics.groupby(
        ["dataset", "optimizer", "lr", "seed"]):
    ax = axes[datasets.index(dataset), settings.lrs.index(lr)]
    ax.plot(rows["gen_iter"], rows["w_estimate"], color=colors[optimizer], lw=0.7,
            alpha=0.8, label=labels[optimizer] if run_seed == seed else None)
    left = excursions.loc[(dataset, optimizer, lr, run_seed)]
    at = rows.loc[rows["gen_iter"] == left, "w_estimate"]
    if len(at) and np.isfinite(at.iloc[0]):
        ax.plot(left, at.iloc[0], "o", mfc="none", color=colors[optimizer], ms=7)
for r, dataset in enumerate(datasets):
    level = levels.loc[(dataset, seed)]
    for ax in axes[r]:
        ax.axhline(BAND_FACTOR * level, color="0.3", ls="--", lw=0.8)
        ax.axhline(-BAND_FACTOR * level, color="0.3", ls="--", lw=0.8)
        ax.set_yscale("symlog", linthresh=level)
    axes[r, 0].set_ylabel("W estimate")
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

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Smallest update/gradient cosine over the critic steps of each generator iteration, first seed, per dataset (rows), learning rate (columns) and optimizer (colours). Below zero, the critic's step went uphill. Shaded: unstable stretches (from WINDOW iterations before the snapshot preceding a sample blow-up's onset to the end); vertical lines: blow-up onsets.", "name": "fig-momentum-cosine"}}
marked = mark_iterations(measured_sweep, blowups)
fig, axes = plt.subplots(max(1, len(datasets)), len(settings.lrs), squeeze=False,
                         figsize=figsize, sharex="row")
for r, dataset, c, lr in panels:
    axes[r, c].set_title(f"{dataset}, lr {lr:g}", fontsize=9)
first = marked[marked["seed"] == seed]
for (dataset, optimizer, lr), rows in first.groupby(["dataset", "optimizer", "lr"]):
    ax = axes[datasets.index(dataset), settings.lrs.index(lr)]
    ax.plot(rows["gen_iter"], rows["update_cos_min"], color=colors[optimizer], lw=0.7,
            label=labels[optimizer])
    ax.fill_between(rows["gen_iter"], -1, 1, where=rows["unstable"].to_numpy(),
                    color=colors[optimizer], alpha=0.08, lw=0)
    onset = blowups.loc[(dataset, optimizer, lr, seed), "onset"]
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
# guard, those whose samples blew up, the median onset (generator iteration), the median
# final quality, the runs whose estimate left its band (reported), the fraction of
# generator iterations with a negative cosine and the smallest cosine seen.

# %% tags=["hide-input"]
table = summary_table(measured_sweep, blowups)
(table.style.format({"negative-cosine iterations": "{:.1%}", "lr": "{:g}"})
 .format("{:.0f}", subset=["median onset"], na_rep="no run blew up")
 .format("{:.3g}", subset=["median final quality"], na_rep="not finite")
 .format("{:+.2f}", subset=["min cosine"], na_rep="not logged"))

# %% [markdown]
# The runs that blew up, with the negative-cosine iterations in the `WINDOW` iterations
# before the snapshot preceding their onset, and from there to `WINDOW` iterations after
# the onset:

# %% tags=["hide-input"]
blown = blow_up_table(measured_sweep, blowups)
print(f"{len(blown)} of {len(blowups)} runs blew up")
blown.drop(columns=["optimizer", "beta1"]).rename(columns={"label": "optimizer"})

# %% [markdown]
# ## Where the negative cosines are
#
# The runs with momentum, their generator iterations binned by the size of the W estimate
# relative to the reference level: below 1 the critic separates real from fake less than
# the paper's setting did at its best; below `COLLAPSE_FRACTION` we call the critic
# *collapsed*.

# %% tags=["hide-input"]
by_level = negative_cosine_by_level(measured_sweep)
by_level.style.format({"share": "{:.1%}"}, na_rep="no iterations in this bin")

# %% [markdown]
# Each point below is one run: its final sample quality against the share of its
# generator iterations with a negative cosine, on a logarithmic axis.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Final sample quality of every run (lower is better, logarithmic axis; dashed: the floor of true samples) against the share of its generator iterations with a negative update cosine. Colours: optimizers; markers: learning rates; one panel per dataset.", "name": "fig-momentum-samples"}}
final = quality.table.sort_values("gen_iter").groupby(["dataset", "optimizer", "lr", "seed"]
                                                      ).last()
share = marked.groupby(["dataset", "optimizer", "lr", "seed"])["negative_cos"].mean()
per_run = final.join(share.rename("negative share"), how="inner").reset_index()
markers = dict(zip(settings.lrs, "os^D", strict=False))
fig, axes = plt.subplots(1, max(1, len(datasets)), squeeze=False,
                         figsize=(4.8 * max(1, len(datasets)) + 2.5, 3.6))
for d, dataset in enumerate(datasets):
    ax = axes[0, d]
    for (optimizer, lr), rows in per_run[per_run["dataset"] == dataset].groupby(
            ["optimizer", "lr"]):
        ax.scatter(rows["negative share"], rows["quality"], color=colors[optimizer],
                   marker=markers[lr], s=36, label=f"{labels[optimizer]}, lr {lr:g}")
    ax.axhline(quality.floors[dataset], color="0.3", ls="--", lw=0.8)
    ax.set_yscale("log")
    ax.set_title(dataset, fontsize=9)
    ax.set_xlabel("share of generator iterations with a negative cosine")
    ax.set_ylabel(f"final {quality.measures[dataset]}")
axes[0, -1].legend(fontsize=7, ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()
print("runs with non-finite final samples (not drawn): "
      f"{int((~np.isfinite(per_run['quality'])).sum())} of {len(per_run)}")

# %% [markdown]
# Do the runs whose critic steps go uphill more often end with worse samples? Spearman's
# rank correlation over the runs with momentum of each judged dataset (positive: more
# negative cosines, worse samples).

# %% tags=["hide-input"]
with_momentum = [choice.key for choice in OPTIMIZERS if choice.name == "adam" and choice.beta1 > 0]
associations = []
for dataset in adequacy.judged:
    chosen = per_run[(per_run["dataset"] == dataset) & per_run["optimizer"].isin(with_momentum)
                     & np.isfinite(per_run["quality"])]
    result = spearman(chosen["negative share"], chosen["quality"]) if len(chosen) >= 3 else None
    if result is None:
        text = f"not measured: {len(chosen)} runs with momentum and finite samples, fewer than 3"
    elif np.isnan(result.rho):
        text = (f"undefined: the negative-cosine share or the final quality is the same for "
                f"all {result.n} runs with momentum")
    else:
        text = str(result)
    associations.append(f"{dataset}: {text}")
association_text = "; ".join(associations) or "no dataset judged"
print(f"runs with momentum, negative-cosine share vs final sample quality: {association_text}")

# %% [markdown]
# ## What the numbers say
#
# Two facts hold by construction and are checked exactly: every cosine lies in $[-1, 1]$,
# and without momentum (RMSProp, Adam with $\beta_1 = 0$) no step ever has a negative
# cosine. Every run ended as `finished` or `diverged`, with the iteration recorded.

# %%
evidence = cosine_evidence(measured_sweep, blowups, adequacy.judged)
plain = marked[marked["optimizer"].isin(["rmsprop", "adam0"])]
cos_min, cos_max = marked["update_cos_min"].min(), marked["update_cos_mean"].max()
print(f"cosines seen: min {cos_min:+.3f}, max of the iteration means {cos_max:+.3f}; "
      f"negative-cosine iterations without momentum: {int(plain['negative_cos'].sum())}")
assert -1 - 1e-5 <= cos_min and cos_max <= 1 + 1e-5, "a cosine outside [-1, 1]"
assert evidence.negative_plain == 0 and (plain["update_cos_min"] >= 0).all(), (
    "RMSProp or Adam without momentum took a step against the gradient")
assert set(runs["status"]) <= {"finished", "diverged"}
assert runs.loc[runs["status"] == "diverged", "diverged_at"].notna().all()

# %% [markdown]
# The claim, part by part, on the judged datasets: (a) do runs with momentum lose their
# samples more often than runs without, at the same learning rate? This is the claim's
# main statement and the verdict's test. (b) do runs at the highest learning rate blow up
# more often than at $\alpha = 5\cdot 10^{-5}$, with the same optimizer? Reported, but it
# does not move the verdict: a high learning rate is not momentum. (c) does the negative
# cosine go with the blow-ups: near the onset of at least half of the momentum blow-ups,
# and at least twice as frequent in unstable stretches as in stable ones (the paper's
# "the only places")?

# %% tags=["hide-input"]
e = evidence
pd.DataFrame({
    "(a) momentum against none, within strata": momentum_test.describe("with", "without"),
    "(a) difference of blow-up rates": momentum_test.interval("with", "without"),
    "(b) highest lr against 5e-5, within optimizers": high_lr_test.describe("highest",
                                                                             "5e-5"),
    "(c) momentum blow-ups with a negative cosine before the onset interval":
        f"{e.negative_before} of {e.blowups_momentum}" if e.blowups_momentum
        else "no momentum run blew up",
    "(c) ... from the onset interval on": f"{e.negative_at} of {e.blowups_momentum}"
        if e.blowups_momentum else "no momentum run blew up",
    "(c) negative-cosine share of unstable iterations (momentum runs)":
        share_in_words(e.negative_unstable, e.iterations_unstable, "unstable iterations"),
    "(c) negative-cosine share of stable iterations (momentum runs)":
        share_in_words(e.negative_stable, e.iterations_stable, "stable iterations"),
    "negative-cosine share with a collapsed critic":
        share_in_words(e.negative_collapsed, e.iterations_collapsed,
                       "collapsed-critic iterations"),
}, index=["measured"]).T

# %% [markdown]
# ### Reading the result
#
# The verdict below follows the rule declared in the claims table
# (`wgan.report.claims.CLAIMS`, `wgan.experiments.blowups.verdict`): *reproduced* when runs
# with momentum blew up more often than expected within strata, significantly (exact
# stratified test, one-sided, $p < 0.05$), and part (c) holds; *partly reproduced* when
# more often but not significantly, or without part (c); *not reproduced* when not more
# often; *not tested at this scale* when no dataset's reference runs converged. When the
# negative cosines sit in iterations where the critic has *collapsed* rather than in
# unstable stretches, they mark a critic whose gradient has shrunk to batch noise:
# momentum then carries the previous direction while the current gradient points anywhere,
# so the step goes uphill about as often as chance allows, without any blow-up.
#
# The paper's setting (DCGAN on LSUN bedrooms at 64x64 for about 236,000 generator
# iterations, where the authors saw the effect) is `scale = "paper"`; it needs a GPU,
# and this page reports it only if the provenance above says `paper`.

# %% [markdown]
# ## Verdict

# %%
judgement = verdict(blowups, evidence, adequacy, scale, larger=larger_scale(scale))
measured = (judgement.measured + "; runs with momentum, negative-cosine share vs final "
            f"sample quality: {association_text}"
            + "".join(f"; {dataset} not measured: {why}"
                      for dataset, why in quality.unmeasured.items()))
report("momentum", measured=measured, verdict=judgement.verdict, scale=scale,
       seeds=f"{settings.seeds} per setting ({seed}-{seed + settings.seeds - 1}); "
             f"{len(blowups)} runs on {', '.join(quality.floors)}, judged on "
             f"{', '.join(adequacy.judged) or 'none'}, within (dataset, learning rate)",
       interval=momentum_test.interval("with momentum", "without"),
       adequate=judgement.adequate, adequacy=judgement.adequacy,
       runs=sweep.results.values())
print(record.summary())
