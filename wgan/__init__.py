"""An executable replication of Wasserstein GAN (Arjovsky, Chintala & Bottou, ICML 2017).

Modules, one job each:

- :mod:`wgan.distances`  EM, JS, KL and TV distances; Example 1 in closed form.
- :mod:`wgan.toy`        low-dimensional distributions of Sections 2 and 4.1.
- :mod:`wgan.data`       image datasets (LSUN lmdb, folders, embedded) and batches.
- :mod:`wgan.models`     the paper's generators and critics, by name.
- :mod:`wgan.train`      Algorithm 1, one step at a time.
- :mod:`wgan.gan`        the standard-GAN baseline (-log D trick).
- :mod:`wgan.run`        the training loop: logging, samples, checkpoints, resume.
- :mod:`wgan.config`     run configuration with the paper's defaults.
- :mod:`wgan.scales`     the smoke / quick / paper presets notebooks share.
- :mod:`wgan.provenance` the one-line record of what produced a result.
"""

__version__ = "0.1.0"
