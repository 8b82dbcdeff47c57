"""Algorithm 1 and the harness that runs it; knows nothing of experiments or the book.

- :mod:`wgan.training.config`      the run's settings, with the paper's defaults.
- :mod:`wgan.training.models`      the paper's generators and critics, by name.
- :mod:`wgan.training.algorithm1`  Algorithm 1, one step at a time.
- :mod:`wgan.training.gan`         the standard-GAN baseline (-log D trick).
- :mod:`wgan.training.run`         the loop: metrics, samples, snapshots, checkpoints, resume.
- :mod:`wgan.training.watch`       TensorBoard event files of a run (optional package).
- :mod:`wgan.training.checkpoint`  the checkpoint and the JSON records of a run (written whole,
  :mod:`wgan.files`).
- :mod:`wgan.training.batches`     endless streams of real batches (images or toy samples).
- :mod:`wgan.training.instrument`  the cosine between an optimizer's update and the gradient.
- :mod:`wgan.training.fast`        the speed switches the loop applies (bf16, channels-last).
- :mod:`wgan.training.device`      ``auto``, ``cpu`` or ``cuda`` resolved to a device.
"""
