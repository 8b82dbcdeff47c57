"""An executable replication of Wasserstein GAN (Arjovsky, Chintala & Bottou, ICML 2017).

Folders, in the order they may import one another (each imports only from those above it):

- :mod:`wgan.theory`       Section 2: the distances, the toy distributions, Theorems 1-3.
- :mod:`wgan.data`         image datasets (LSUN lmdb, folders, embedded) and their cache.
- :mod:`wgan.training`     Section 3: the configuration, the models, Algorithm 1, the GAN
  baseline, the run loop and the run directory's format.
- :mod:`wgan.quality`      sample quality measured without the critic.
- :mod:`wgan.plan`         a scale as a value, a run as a value (``RunSpec``), the one
  function that places a run on disk, and fetching a run for a chapter.
- :mod:`wgan.experiments`  Section 4 and Figure 3: the runs each chapter makes and measures.
- :mod:`wgan.speed`        benchmarks of the training step, beside the experiments.
- :mod:`wgan.report`       what turns runs into pages: provenance, figures, claims, ledger.
- :mod:`wgan.sweep`        every run of the book as a job: the registry, local or SLURM.

At the top, the package's face, :mod:`wgan.cli` (``python -m wgan``), and two modules every
folder may use: :mod:`wgan.paths` (where runs, caches and the checkout are) and
:mod:`wgan.files` (atomic writes and locks). ``tests/test_architecture.py`` enforces the order.
"""

__version__ = "0.1.0"
