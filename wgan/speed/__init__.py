"""How fast the training step and the data run, measured against baselines in one process.

- :mod:`wgan.speed.bench`        the authors' loop against ours (``python -m wgan.speed.bench``).
- :mod:`wgan.speed.conv_rates`   each critic convolution timed, float32 against bfloat16.
- :mod:`wgan.speed.concurrent`   K training processes sharing one device: summed it/s.
- :mod:`wgan.speed.equivalence`  the fast step's curves against float32's, across seeds.
- :mod:`wgan.speed.loading`      images/s from the cache against decoding on the fly.
- :mod:`wgan.speed.run_cost`     a quick image run against its bare steps; its step per precision.
"""
