"""An executable replication of Wasserstein GAN (Arjovsky, Chintala & Bottou, ICML 2017).

Modules, one job each, in the paper's order:

Section 2, different distances
- :mod:`wgan.distances`   EM (exact, with POT), JS, KL and TV; Example 1 in closed form.
- :mod:`wgan.toy`         parallel lines, 1D Gaussians, the ring of 8 Gaussians.
- :mod:`wgan.theory`      Theorems 1-3 checked numerically.
- :mod:`wgan.critic_fit`  critics and discriminators fitted to fixed distributions (Fig. 3).

Section 3, Algorithm 1 and its harness
- :mod:`wgan.config`      run configuration with the paper's defaults.
- :mod:`wgan.models`      the paper's generators and critics, by name.
- :mod:`wgan.train`       Algorithm 1, one step at a time.
- :mod:`wgan.gan`         the standard-GAN baseline (-log D trick).
- :mod:`wgan.run`         the loop: metrics, samples, snapshots, checkpoints, resume.
- :mod:`wgan.checkpoint`  atomic files.
- :mod:`wgan.fast`        speed switches (bf16 autocast, channels-last, torch.compile).
- :mod:`wgan.instrument`  the cosine between an optimizer's update and the gradient.
- :mod:`wgan.batches`     endless streams of real batches.
- :mod:`wgan.data`        image datasets (LSUN lmdb, folders, embedded) and their cache.

Section 4, experiments and measures
- :mod:`wgan.mixture`, :mod:`wgan.coverage`  the ring of Gaussians and mode coverage.
- :mod:`wgan.experiments` the image runs per scale; :mod:`wgan.quality` their measures.
- :mod:`wgan.momentum`, :mod:`wgan.blowups`  RMSProp against Adam, and blow-ups.
- :mod:`wgan.metrics`     median-filtered curves; :mod:`wgan.sheets` sample grids.

The book
- :mod:`wgan.scales`, :mod:`wgan.provenance`, :mod:`wgan.plotting`, :mod:`wgan.claims`,
  :mod:`wgan.ledger`; :mod:`wgan.bench` and :mod:`wgan.equivalence` for speed;
  :mod:`wgan.cli` for ``python -m wgan``; :mod:`wgan.paths` and :mod:`wgan.device`.
"""

__version__ = "0.1.0"
