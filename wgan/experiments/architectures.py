"""The verdicts of chapter 5 (Section 4.4): generator architectures, and "no mode collapse".

Two claims of Section 4.4 are judged here, from numbers the chapter measures:

- ``architectures`` (:func:`architectures_verdict`): WGAN trains the generators the GAN
  fails with; the pixel W1 of each WGAN run against the GAN run of the same generator and
  seed, over the seeds;
- ``no-mode-collapse`` (:func:`mode_collapse_verdict`): "In no experiment did we see
  evidence of mode collapse for the WGAN algorithm." A claim about *every* experiment, so
  every WGAN run of the book on labelled data is a test of it: chapter 5's three, and
  chapter 8's clipped digit runs (Part 4: Algorithm 1 on the digits, the side-by-side runs
  and the clip sweep), which :func:`clipped_digit_runs_coverage` reads back when they were
  trained, never training them here.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import torch

from wgan.experiments import lipschitz_runs
from wgan.plan.scale import Scale
from wgan.plan.spec import run_dir
from wgan.quality.along_run import generate
from wgan.quality.digits import N_DIGITS, DigitClassifier, digit_scores
from wgan.quality.seeds import t_interval
from wgan.training.rundir import CONFIG_NAME, load_run, read_status

ARCHITECTURE_PAIRS: dict[str, tuple[str, str]] = {
    "dcgan_nobn": ("wgan-nobn", "gan-nobn"),
    "mlp": ("wgan-mlp", "gan-mlp"),
}
"""The generators "known to perform very poorly with GANs": ``name -> (WGAN run, GAN run)``
(keys of :data:`wgan.experiments.images.EXPERIMENTS`)."""

PARTLY_CLASSES = 8  # classes every judged WGAN run covers for "partly reproduced"
MIN_SEEDS = 3  # fewer seeds per run give no interval worth reading


def architectures_verdict(pixel_w1: Mapping[str, Sequence[float]], scale: Scale) -> str:
    """Verdict on "WGAN trains generators that the standard GAN fails with".

    The rule, fixed before the runs (``CLAIMS["architectures"]``): for each generator of
    :data:`ARCHITECTURE_PAIRS` (no batch norm with constant filters; the MLP), the WGAN
    wins when its final samples are closer to the held-out images (pixel W1) than the
    GAN's over the seeds (:func:`architecture_comparison`). *Reproduced* when the WGAN
    wins for both generators, *partly reproduced* for one, *not reproduced* for none. At
    ``smoke``, or with fewer than :data:`MIN_SEEDS` seeds, nothing is tested.

    Parameters
    ----------
    pixel_w1 : mapping of str to sequence of float
        Final pixel W1 of each run of :data:`ARCHITECTURE_PAIRS` by run key, one per seed in
        seed order (NaN: not finite).
    scale : Scale

    Returns
    -------
    str
        One of :data:`wgan.report.claims.VERDICTS`.
    """
    if scale.name == "smoke" or min(len(v) for v in pixel_w1.values()) < MIN_SEEDS:
        return "not tested at this scale"
    wins = sum(won for won, _ in architecture_comparison(pixel_w1).values())
    return {2: "reproduced", 1: "partly reproduced", 0: "not reproduced"}[wins]


def architecture_comparison(pixel_w1: Mapping[str, Sequence[float]]
                            ) -> dict[str, tuple[bool, str]]:
    """Per generator of :data:`ARCHITECTURE_PAIRS`: did the WGAN beat the GAN, and the
    numbers in words.

    Seeds are paired (seed ``i`` of the WGAN run against seed ``i`` of the GAN run). A seed
    whose WGAN samples are not finite is a loss; one whose GAN samples are not finite while
    the WGAN's are is a win; the others give the difference GAN minus WGAN pixel W1. The
    WGAN wins a generator when no seed is a loss and the 95% t-interval of the differences
    lies above 0 (with fewer than two differences: when every seed is a win).

    Returns
    -------
    dict of str to (bool, str)
        ``name -> (won, text)``; the text gives the interval and the per-seed values.
    """
    comparison = {}
    for name, (wgan_key, gan_key) in ARCHITECTURE_PAIRS.items():
        pairs = list(zip(map(float, pixel_w1[wgan_key]), map(float, pixel_w1[gan_key]),
                         strict=True))
        losses = sum(not math.isfinite(w) for w, _ in pairs)
        diverged = sum(math.isfinite(w) and not math.isfinite(g) for w, g in pairs)
        differences = t_interval([g - w for w, g in pairs
                                  if math.isfinite(w) and math.isfinite(g)])
        if differences.has_interval:
            won = losses == 0 and differences.low > 0
        else:
            won = losses == 0 and diverged + sum(v > 0 for v in differences.values
                                                 if math.isfinite(v)) == len(pairs)
        text = (f"{name}: GAN minus WGAN pixel W1 {differences.describe('+.2f')}"
                + (f"; GAN samples not finite in {diverged} seeds" if diverged else "")
                + (f"; WGAN samples not finite in {losses} seeds" if losses else "")
                + f": WGAN {'closer' if won else 'not closer'}")
        comparison[name] = (won, text)
    return comparison


def mode_collapse_verdict(chapter_runs: Mapping[str, float],
                          clipped_runs: Mapping[str, float] | None, scale: Scale) -> str:
    """Verdict on "no experiment showed mode collapse for WGAN", over every WGAN digit run.

    The rule, fixed before the runs (``CLAIMS["no-mode-collapse"]``), on the classes
    covered (digits making at least 2% of a run's final samples, by the held-out
    classifier) of every judged run: chapter 5's WGAN runs and chapter 8's clipped digit
    runs (Algorithm 1 on the digits, every clip value and seed):

    - *reproduced*: every judged run covers all 10 classes, chapter 8's runs included;
    - *partly reproduced*: every judged run covers at least :data:`PARTLY_CLASSES`, or
      chapter 5's runs cover all 10 while chapter 8's runs could not be read (the claim
      is about every experiment: without them it cannot be reproduced);
    - *not reproduced*: some judged run covers fewer than :data:`PARTLY_CLASSES` (a run
      whose samples are not finite covers none).

    So the rule cannot say "reproduced" while a clipped WGAN run of the book covers one
    class of ten. At ``smoke`` the runs are too short to test anything.

    Parameters
    ----------
    chapter_runs : mapping of str to float
        Classes covered by each WGAN run of chapter 5 (NaN: samples not finite). Empty:
        the data have no labels ("not tested at this scale").
    clipped_runs : mapping of str to float or None
        The same for chapter 8's clipped digit runs; ``None`` when they were not read.
    scale : Scale

    Returns
    -------
    str
        One of :data:`wgan.report.claims.VERDICTS`.
    """
    if scale.name == "smoke" or not chapter_runs:
        return "not tested at this scale"
    judged = list(chapter_runs.values()) + list((clipped_runs or {}).values())
    covered = [float(c) if math.isfinite(float(c)) else 0.0 for c in judged]
    if min(covered) < PARTLY_CLASSES:
        return "not reproduced"
    if min(covered) == N_DIGITS and clipped_runs:
        return "reproduced"
    return "partly reproduced"


def clipped_digit_runs_coverage(scale: Scale, classifier: DigitClassifier, *, n_samples: int,
                                seed: int = 0, device: str = "auto") -> pd.DataFrame | None:
    """Classes covered by chapter 8's clipped digit runs, read back if they finished.

    The side-by-side clip runs (every seed) and the digits clip sweep of
    :mod:`wgan.experiments.lipschitz_runs`; nothing is trained here. Each finished run's
    last snapshot draws ``n_samples`` images from noise seed ``seed`` (as chapter 8 measures
    it) and the classifier counts the classes covered.

    Parameters
    ----------
    scale : Scale
    classifier : DigitClassifier
    n_samples : int
    seed : int, default=0
        First seed of chapter 8's runs, and the noise seed.
    device : str, default="auto"
        As the runs were specified (part of their address).

    Returns
    -------
    pandas.DataFrame or None
        One row per run: ``run`` (``"c = 0.01, seed 0"``), ``clip``, ``seed``,
        ``classes_covered`` (NaN when the samples are not finite) and
        ``effective_classes``; ``None`` when any of the runs has not finished (the reader
        is then sent to chapter 8).
    """
    specs = [spec for (method, _), spec in lipschitz_runs.digit_side_by_side_specs(
        scale, seed=seed, device=device).items() if method == "clip"]
    specs += list(lipschitz_runs.digit_clip_sweep_specs(scale, seed=seed,
                                                        device=device).values())
    directories = list(dict.fromkeys(run_dir(spec, scale) for spec in specs))
    rows = []
    for directory in directories:
        finished = ((directory / CONFIG_NAME).is_file()
                    and read_status(directory).get("status") in ("finished", "diverged"))
        if not finished:
            return None
        result = load_run(directory)
        images = generate(result, result.snapshots[-1] if result.snapshots else None,
                          n_samples, seed)
        scores = digit_scores(images, classifier) if torch.isfinite(images).all() else None
        rows.append({
            "run": f"c = {result.config.clip_value:g}, seed {result.config.seed}",
            "clip": result.config.clip_value, "seed": result.config.seed,
            "classes_covered": float(scores.classes_covered) if scores else math.nan,
            "effective_classes": scores.effective_classes if scores else math.nan,
        })
    return pd.DataFrame(rows).sort_values(["clip", "seed"], ignore_index=True)


def effective_in_words(value: float) -> str:
    """Effective classes as text: ``"3.2 effective"``, or why there is no number."""
    return f"{value:.1f} effective" if math.isfinite(value) else "no sample judged a digit"
