"""The runs each chapter makes, at each scale, and the measures made on them.

- :mod:`wgan.experiments.critic_fit`  critics and discriminators fitted to fixed
  distributions (Figure 3). It trains networks with Algorithm 1's steps, so it sits here,
  above :mod:`wgan.training`, rather than in :mod:`wgan.theory`.
- :mod:`wgan.experiments.saturation`  the verdict of Figure 3 over seeds: the
  discriminator saturates, the critic stays clean.
- :mod:`wgan.experiments.theory_fits`  chapter 2's fits (JS along Theorem 1's path, the
  clipped critic on pairs of known W, Figure 3), registered for ``make runs`` and read back.
- :mod:`wgan.experiments.mixture`     the ring of 8 Gaussians: WGAN against GAN over seeds.
- :mod:`wgan.experiments.coverage`    modes covered and sample quality on the ring.
- :mod:`wgan.experiments.images`      the image runs of Section 4 (Figures 4-9) per scale.
- :mod:`wgan.experiments.loss_curves`  the verdicts of Figures 4, 5 and 9: does a loss
  curve track sample quality, beyond falling with time?
- :mod:`wgan.experiments.architectures`  the verdicts of Section 4.4: generator
  architectures, and "no mode collapse" over every WGAN digit run of the book.
- :mod:`wgan.experiments.momentum`    RMSProp against Adam (Section 3's remark).
- :mod:`wgan.experiments.blowups`     where momentum's runs blow up.
- :mod:`wgan.experiments.lipschitz`   after the paper: clipped, penalised and spectrally
  normalised critics against the exact W1 (K, linearity, gradient direction).
- :mod:`wgan.experiments.lipschitz_verdicts`  chapter 8's rules: K constant over families
  of known population W1 (with a convergence gate, over seeds), the clip remarks, WGAN-GP's
  Figure 1, and the penalty's closed form against a lambda sweep.
- :mod:`wgan.experiments.gp_figure`   WGAN-GP's Figure 1: value surfaces, gradient norms
  through a 12-layer critic.
- :mod:`wgan.experiments.lipschitz_runs`  the ring trained under each constraint, and the
  clip value swept.
- :mod:`wgan.experiments.lipschitz_fits`  chapter 8's fits (the critics of known W1 of
  Part 1, WGAN-GP's Figure 1 of Part 2), registered for ``make runs`` and read back.
"""
