"""Sample quality measured independently of the critic: what the paper shows only in pictures.

The paper supports its central claim (Section 4.3, Figure 4: the WGAN estimate of the EM
distance "correlates well with the visual quality of the generated samples") with sample
grids. These modules measure sample quality without the critic, so the claim becomes a
rank correlation:

- :mod:`wgan.quality.pixel`        exact Wasserstein-1 distance between generated and
  held-out real images in pixel space (POT, through :func:`wgan.theory.distances.wasserstein1`);
  reported, never the sole yardstick (a moment-matched Gaussian scores near real data).
- :mod:`wgan.quality.digits`       a small digit classifier trained at run time on the
  held-out digits (seconds, cached): class coverage (mode collapse as a number) and
  confidence of generated digits.
- :mod:`wgan.quality.correlation`  a loss curve read at checkpoints; Spearman's rank
  correlation between it and a quality measure, against the time baseline, detrended, and
  across runs.
- :mod:`wgan.quality.yardstick`    the verdicts' measure on digits: Fréchet distance,
  precision and coverage in the features of a convolutional judge trained against
  moment-matched Gaussians (a blur cannot pass it), read beside
- :mod:`wgan.quality.trivial`      the trivial generators (real digits, blurs, the mean
  image, one digit repeated, grey, noise).
- :mod:`wgan.quality.along_run`    all of the above at the generator snapshots of a run.
"""

from wgan.quality.along_run import quality_along_run, reference_floor
from wgan.quality.correlation import (
    AcrossRuns,
    RankCorrelation,
    WithinRun,
    across_runs,
    change_correlation,
    curve_at,
    partial_spearman,
    rank_correlation,
    rho_in_words,
    spearman,
    within_run,
)
from wgan.quality.digits import DigitScores, digit_classifier, digit_scores, labelled_digits
from wgan.quality.pixel import as_pixels, pixel_w1

__all__ = [
    "AcrossRuns",
    "DigitScores",
    "RankCorrelation",
    "WithinRun",
    "across_runs",
    "as_pixels",
    "change_correlation",
    "curve_at",
    "digit_classifier",
    "digit_scores",
    "labelled_digits",
    "partial_spearman",
    "pixel_w1",
    "quality_along_run",
    "rank_correlation",
    "reference_floor",
    "rho_in_words",
    "spearman",
    "within_run",
]
