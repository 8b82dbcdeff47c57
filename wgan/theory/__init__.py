"""Section 2 of the paper, in closed form and with exact optimal transport; no training.

- :mod:`wgan.theory.distances`  EM (exact, with POT), JS, KL and TV; Example 1 in closed form.
- :mod:`wgan.theory.toy`        parallel lines, 1D Gaussians, the ring of 8 Gaussians.
- :mod:`wgan.theory.theorems`   Theorems 1-3 checked numerically.
"""
