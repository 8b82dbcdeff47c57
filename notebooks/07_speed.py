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
# # Reproducibility: speed and equivalence
#
# Rerunning the paper is practical only if a training step is fast. The authors' script,
# written for the PyTorch of 2017, feeds the critic from a `DataLoader` over decoded
# images, clamps its parameters one at a time, backpropagates the real and the fake batch
# separately, runs in float32, and reads its losses back after every generator iteration.
# This book's step (`wgan.training.algorithm1`, run by `wgan.training.run`) computes the same Algorithm 1, with
# the same losses, the same clamp and the same separate critic passes over real and fake
# batches, but gathers batches from the uint8 cache already on the device, clamps with
# one fused operation, and can run under the speed switches of `wgan.training.fast`:
# bfloat16 autocast, channels-last memory layout, `torch.compile`, and on a GPU the whole
# critic and generator updates captured and replayed as CUDA graphs (`wgan.training.graphs`),
# each a `TrainConfig` field whose `"auto"` picks the setting measured fastest on the device.
#
# This page answers two questions:
#
# 1. **How much faster?** Both loops train the same networks from the same initial
#    weights on the same images on the same device, in one process, taking turns so they
#    share whatever else the machine is doing (`wgan.speed.bench`, also `make bench`). Next to
#    the rates is the arithmetic floor: the convolution and matrix-multiply FLOPs of one
#    generator iteration over the best matrix-multiply rate measured on the device.
# 2. **The same training?** bfloat16 keeps 8 significant bits, so a bfloat16 run does not
#    repeat a float32 run bit for bit. The question is whether it changes the learning
#    curve more than the seed already does (`wgan.speed.equivalence`).

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from wgan.plan.scale import Scale
from wgan.report.claims import expect
from wgan.report.plotting import stamp
from wgan.report.provenance import provenance
from wgan.speed.bench import bench_config, results_table, run_bench
from wgan.speed.conv_rates import critic_conv_rates
from wgan.speed.equivalence import curve_distances, equivalence_curves
from wgan.sweep.registry import chapter_families
from wgan.training.fast import resolve_speed

scale = Scale.from_env(scale)
record = provenance(scale, device, seed, dataset="photos (bench), digits (curves)",
                    families=chapter_families("07_speed", scale))
print(record)
record

# %% [markdown]
# ## How much faster
#
# The settings are the paper's (batch 64, five critic steps per generator step, RMSProp,
# 64x64 RGB images, here the embedded photographs) for the DCGAN pair and the MLP pair
# of Section 4, at `quick` and `paper`; the `smoke` scale shrinks everything so the page
# runs in seconds, and its rates mean nothing. The authors' critic warm-up (100 critic
# steps early on) is off, so every timed generator iteration has five critic steps.

# %% tags=["hide-input"]
bench_sizes = scale.pick(
    smoke=dict(image_size=16, ngf=4, ndf=4, mlp_hidden=16, batch_size=8),
    quick=dict(image_size=64, batch_size=64),
    paper=dict(image_size=64, batch_size=64),
)
timing = scale.pick(
    smoke=dict(warmup=0, iters=1, rounds=1, workers=0),
    quick=dict(warmup=1, iters=1, rounds=3, workers=2),
    paper=dict(warmup=scale.cap(3, 1), iters=scale.cap(5, 1), rounds=scale.cap(5, 1),
               workers=2),
)
results = [run_bench(bench_config(setting, device=device, seed=seed, **bench_sizes), **timing)
           for setting in ("dcgan", "mlp")]
table = results_table(results)
table

# %% [markdown]
# `x authors` is the median, over the rounds, of the ratio of the two loops' rates in the
# same round; `floor it/s` is the rate if every FLOP ran at the device's best
# matrix-multiply rate in the loop's precision, and `of floor` the fraction of it reached.

# %%
for result in results:
    print(f"{result.label} on {result.device}: ours ({result.speed.describe()}) "
          f"{result.median('ours'):.3g} it/s, authors {result.median('authors'):.3g} it/s, "
          f"ratio {result.ratio():.2f}; {result.flops / 1e9:.3g} GFLOP per generator "
          f"iteration, {result.median('ours') / result.floor('ours'):.0%} of the floor")
rates = ", ".join(f"{k} {v / 1e9:.0f} GFLOP/s" for k, v in results[0].matmul_rate.items())
print(f"best matrix-multiply rates measured: {rates}")
assert all(np.isfinite(r.ratio()) and r.ratio() > 0 for r in results), "a loop did not run"

# %% [markdown]
# ## Where the floor is lost
#
# The floor counts every FLOP at the device's matrix-multiply rate. A training step runs
# each convolution three ways: forward, backward to its input (the generator's transposed
# convolutions run this one as their forward) and backward to its weight. Timed one by
# one at the shapes of the DCGAN critic (`wgan.speed.conv_rates`), in float32 as the authors'
# loop runs them and in the precision and layout of ours, they show which of the three
# keep a loop from its floor: a direction whose `ours / float32` ratio falls short of the
# ratio of the two matrix-multiply rates costs the fast step more than the float32 one.
# The last layer (one output channel on a 4x4 map) is too small to run near any rate.

# %% tags=["hide-input"]
layers = critic_conv_rates(bench_config("dcgan", device=device, seed=seed, **bench_sizes))
matmul, ours = results[0].matmul_rate, results[0].precisions["ours"]
print(f"matrix multiply, ours / float32: {matmul[ours] / matmul['float32']:.2f} "
      f"({ours} {matmul[ours] / 1e9:.0f}, float32 {matmul['float32'] / 1e9:.0f} GFLOP/s)")
print("median over the layers of ours / float32, per direction: " + ", ".join(
    f"{direction} {ratio:.2f}"
    for direction, ratio in layers.groupby("direction")["ours / float32"].median().items()))

# %% [markdown]
# Every layer and direction (open the output):

# %% tags=["remove-input", "hide-output"]
layers

# %% [markdown]
# ## The same training
#
# Short WGAN runs on the digits, float32 against the fast path with the most rounding
# (bfloat16 autocast and channels-last), the two with the same seeds: same initial
# weights, same batches, same noise. Two distances on the Wasserstein-estimate curves
# (`wgan.speed.equivalence.curve_distances`): the *paired* distance between the float32 and the
# fast curve of the same seed, and the *seed-to-seed* distance between float32 curves of
# different seeds. The fast path is equivalent if changing the precision moves a curve
# less than changing the seed does.

# %% tags=["hide-input"]
reference, fast, fast_configs = equivalence_curves(scale, seed=seed, device=device)
seeds = [config.seed for config in fast_configs]
distances = curve_distances(reference, fast)
device_used = record.resolved_device
print(f"{len(seeds)} seeds x {reference.shape[1]} generator iterations; "
      f"fast path: {resolve_speed(fast_configs[0], device_used).describe()}")
print(f"paired distance {distances.paired:.3g}, seed-to-seed distance "
      f"{distances.seed_to_seed:.3g}, ratio {distances.ratio:.3f}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Left: the Wasserstein estimate $\\mathbb{E}f(x) - \\mathbb{E}f(g(z))$ along short WGAN runs, float32 (solid) and bfloat16 autocast with channels-last (dashed), one colour per seed. Right: how far the fast curve of a seed is from its float32 curve (paired), and how far float32 curves of two seeds are from each other (seed to seed), at each iteration.", "name": "fig-equivalence"}}
iterations = np.arange(1, reference.shape[1] + 1)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
for i, s in enumerate(seeds):
    left.plot(iterations, reference[i], color=f"C{i}", lw=1.5, label=f"seed {s}")
    left.plot(iterations, fast[i], color=f"C{i}", lw=1.5, ls="--")
left.set_xlabel("generator iteration")
left.set_ylabel("Wasserstein estimate")
left.legend(fontsize=8, title="solid float32, dashed fast", title_fontsize=8)
paired = np.abs(fast - reference)
pairs = [np.abs(a - b) for i, a in enumerate(reference) for b in reference[i + 1:]]
right.plot(iterations, np.mean(paired, axis=0), color="C3", lw=2, label="paired (same seed)")
right.plot(iterations, np.mean(pairs, axis=0), color="0.3", lw=2, label="seed to seed")
right.set_yscale("log")
right.set_xlabel("generator iteration")
right.set_ylabel("mean |difference|")
right.legend(fontsize=8)
fig.tight_layout(rect=(0, 0.04, 1, 1))
stamp(fig, record)
plt.show()

# %%
expect(distances.equivalent, (
    f"the fast path moves the learning curve {distances.ratio:.2f} seed spreads: more than "
    "changing the seed does"), scale=scale)

# %% [markdown]
# ## Verdict

# %%
ratios = ", ".join(f"{r.label}: {r.ratio():.2f}x" for r in results)
print(f"Speed at scale {scale} on {results[0].device}: ours against the authors' loop "
      f"{ratios}.")
print(f"Equivalence: reproduced at scale {scale}: the bfloat16 + channels-last curves lie "
      f"{distances.ratio:.3f} seed-to-seed distances from the float32 curves "
      f"(paired {distances.paired:.3g}, seed to seed {distances.seed_to_seed:.3g}).")
print(record.summary())
