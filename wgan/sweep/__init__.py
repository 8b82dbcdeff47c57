"""Every training run of the book as a job: listed, costed, trained locally or on SLURM.

- :mod:`wgan.sweep.registry`  every run any chapter reads, at a scale, seed and device.
- :mod:`wgan.sweep.state`     what a run directory says: missing, partial, finished, diverged.
- :mod:`wgan.sweep.costs`     what a run costs where it trains, from measured runs and GPU rates.
- :mod:`wgan.sweep.data`      the image caches the runs read, prepared once before them.
- :mod:`wgan.sweep.task`      one run (or fit) as a job: a signal writes a checkpoint at once.
- :mod:`wgan.sweep.pack`      several runs per GPU: how many, and a SLURM task training K at once.
- :mod:`wgan.sweep.local`     this machine's cores and GPUs, filled at once by bounded pools.
- :mod:`wgan.sweep.slurm`     a SLURM job array through submitit, and what SLURM says of it.
- :mod:`wgan.sweep.listing`   the text of ``sweep list`` and ``sweep status``, the book's table.

The training loop (:mod:`wgan.training.run`) knows nothing of this package: a sweep calls
:func:`wgan.training.run.train` in the run directory :func:`wgan.plan.spec.run_dir` gives
(the one :func:`wgan.plan.fetch.fetch` reads), so the notebooks find the sweep's runs
finished and only read them. A network fitted to fixed distributions rather than trained as
a GAN is a *fit* (:mod:`wgan.plan.fits`): registered, priced, made by the same jobs
(:func:`wgan.plan.fits.fit`) and read back by :func:`wgan.plan.fetch.fetch_fit`.
"""


class ClusterUnavailable(RuntimeError):
    """No SLURM cluster answers from this machine (or submitit is not installed)."""
