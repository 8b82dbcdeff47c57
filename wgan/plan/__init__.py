"""Which runs the book makes, at which scale, and where each one lives.

- :mod:`wgan.plan.scale`  :class:`~wgan.plan.scale.Scale`: ``smoke``, ``quick`` or ``paper``,
  dry or not; per-scale sizes (:meth:`~wgan.plan.scale.Scale.pick`,
  :meth:`~wgan.plan.scale.Scale.cap`).
- :mod:`wgan.plan.spec`   :class:`~wgan.plan.spec.RunSpec`, a run as a value, and
  :func:`~wgan.plan.spec.run_dir`, the one function that places it on disk.
- :mod:`wgan.plan.fits`   :class:`~wgan.plan.fits.FitConfig`, a network fitted to fixed
  distributions (not a GAN run) as a value, made once into its directory and read back.
- :mod:`wgan.plan.fetch`  :func:`~wgan.plan.fetch.fetch`: read a finished run back, or train
  it; :func:`~wgan.plan.fetch.fetch_fit`, the same for a fit; read-only in ``make execute``.

It sits above :mod:`wgan.training` (the loop never knows about scales) and below the
experiments, which return the specs the chapters fetch and the registry collects.
"""

from wgan.plan.fetch import READ_ONLY_VARIABLE, fetch, fetch_fit
from wgan.plan.fits import FitConfig
from wgan.plan.scale import SCALES, Scale
from wgan.plan.spec import RunSpec, config_hash, run_dir

__all__ = ["READ_ONLY_VARIABLE", "SCALES", "FitConfig", "RunSpec", "Scale", "config_hash",
           "fetch", "fetch_fit", "run_dir"]
