"""The verdicts of chapter 5 (Section 4.4): generator architectures and mode collapse.

Sample quality is the yardstick's (:mod:`wgan.quality.yardstick`): the Fréchet distance
(FD) in the features of a convolutional judge, its precision (share of samples confidently
called a digit) and coverage (classes among those). A run has *learned* when its final FD
beats the moment-matched Gaussian's (the best trivial generator,
:mod:`wgan.quality.trivial`). The claims judged here, each with its adequacy condition:

- ``architectures`` (:func:`architectures_verdict`): WGAN trains the generators the GAN
  fails with. Per generator (no batch norm, MLP), the final FD of each WGAN run against
  the GAN run of the same seed; a generator is tested when either method learned in at
  least :data:`MIN_SEEDS` seeds (else neither made digits at this scale).
- ``figure6`` (:func:`figure6_verdict`): the DCGAN generator gives good samples under both
  methods; tested when either method learned in at least :data:`MIN_SEEDS` seeds.
- ``no-mode-collapse`` (:func:`mode_collapse_verdict`): "In no experiment did we see
  evidence of mode collapse for the WGAN algorithm." A claim about *every* experiment:
  chapter 5's WGAN runs and chapter 8's clipped digit runs, which
  :func:`clipped_digit_runs_coverage` reads back when they were trained. A run is judged
  when at least :data:`MIN_PRECISION` of its last samples are confident digits (a run that
  never learned is reported as such, never counted as collapsed); it *collapsed* when its
  coverage stays below :data:`PARTLY_CLASSES` at each of its last :data:`LAST_SNAPSHOTS`
  snapshots.
- ``figure8`` (:func:`figure8_verdict`): the GAN with the MLP generator collapses, by the
  same definitions.

References
----------
.. [1] Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Section 4.4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from wgan.experiments import lipschitz_runs
from wgan.experiments.judgement import NOT_TESTED, Judgement
from wgan.plan.scale import Scale
from wgan.plan.spec import run_dir
from wgan.quality.along_run import evenly_spaced, quality_along_run
from wgan.quality.digits import N_DIGITS
from wgan.quality.seeds import t_interval
from wgan.quality.yardstick import Yardstick
from wgan.training.rundir import CONFIG_NAME, load_run, read_status

ARCHITECTURE_PAIRS: dict[str, tuple[str, str]] = {
    "dcgan_nobn": ("wgan-nobn", "gan-nobn"),
    "mlp": ("wgan-mlp", "gan-mlp"),
}
"""The generators "known to perform very poorly with GANs": ``name -> (WGAN run, GAN run)``
(keys of :data:`wgan.experiments.images.EXPERIMENTS`)."""

PARTLY_CLASSES = 8  # coverage below this at every late snapshot: collapsed
MIN_SEEDS = 3  # fewer seeds per run give no interval worth reading
MIN_PRECISION = 0.3  # share of confident digits before collapse is judged (floor: ~0.7)
LAST_SNAPSHOTS = 3  # collapse must persist over this many last snapshots


def learned_in(fd: Sequence[float], blur: float) -> int:
    """Seeds whose final FD is finite and below the moment-matched Gaussian's ``blur``."""
    return sum(math.isfinite(v) and v < blur for v in map(float, fd))


def architecture_comparison(fd: Mapping[str, Sequence[float]], blur: float
                            ) -> dict[str, tuple[bool | None, str]]:
    """Per generator of :data:`ARCHITECTURE_PAIRS`: did the WGAN beat the GAN, and the
    numbers in words.

    A generator is tested when the WGAN or the GAN learned (final FD below ``blur``) in
    at least :data:`MIN_SEEDS` seeds; else it is untestable (``None``). Seeds are paired
    (seed ``i`` of the WGAN run against seed ``i`` of the GAN run). A seed whose WGAN
    samples are not finite is a loss; one whose GAN samples are not finite while the
    WGAN's are is a win; the others give the difference GAN minus WGAN FD. The WGAN wins
    when no seed is a loss and the 95% t-interval of the differences lies above 0 (with
    fewer than two differences: when every seed is a win).

    Parameters
    ----------
    fd : mapping of str to sequence of float
        Final FD of each run of :data:`ARCHITECTURE_PAIRS` by run key, one per seed in
        seed order (NaN: samples not finite).
    blur : float
        The moment-matched Gaussian's FD at the same sample size.

    Returns
    -------
    dict of str to (bool or None, str)
        ``name -> (won, text)``; ``won`` is ``None`` for an untested generator.
    """
    comparison: dict[str, tuple[bool | None, str]] = {}
    for name, (wgan_key, gan_key) in ARCHITECTURE_PAIRS.items():
        pairs = list(zip(map(float, fd[wgan_key]), map(float, fd[gan_key]), strict=True))
        learned = (learned_in(fd[wgan_key], blur), learned_in(fd[gan_key], blur))
        learned_text = (f"learned (FD below the Gaussian's {blur:.3g}) in {learned[0]} WGAN "
                        f"and {learned[1]} GAN seeds of {len(pairs)}")
        if max(learned) < MIN_SEEDS:
            comparison[name] = (None, f"{name}: not tested, {learned_text}")
            continue
        losses = sum(not math.isfinite(w) for w, _ in pairs)
        diverged = sum(math.isfinite(w) and not math.isfinite(g) for w, g in pairs)
        differences = t_interval([g - w for w, g in pairs
                                  if math.isfinite(w) and math.isfinite(g)])
        if differences.has_interval:
            won = losses == 0 and differences.low > 0
        else:
            won = losses == 0 and diverged + sum(v > 0 for v in differences.values
                                                 if math.isfinite(v)) == len(pairs)
        text = (f"{name}: GAN minus WGAN FD {differences.describe('+.3g')}"
                + (f"; GAN samples not finite in {diverged} seeds" if diverged else "")
                + (f"; WGAN samples not finite in {losses} seeds" if losses else "")
                + f"; {learned_text}: WGAN {'better' if won else 'not better'}")
        comparison[name] = (won, text)
    return comparison


def architectures_interval(fd: Mapping[str, Sequence[float]]) -> str:
    """The intervals the architectures verdict reads: per generator, GAN minus WGAN final
    FD paired by seed (seeds with samples not finite left out)."""
    parts = []
    for name, (wgan_key, gan_key) in ARCHITECTURE_PAIRS.items():
        differences = t_interval(float(g) - float(w) for w, g in zip(fd[wgan_key], fd[gan_key],
                                                                     strict=True))
        parts.append(f"{name} {differences.describe('+.3g')}")
    return "GAN minus WGAN final FD, paired by seed: " + "; ".join(parts)


def architectures_verdict(fd: Mapping[str, Sequence[float]], blur: float, scale: Scale
                          ) -> Judgement:
    """The judgement of "WGAN trains generators that the standard GAN fails with".

    From :func:`architecture_comparison`: *reproduced* when both generators were tested and
    the WGAN won both, *partly reproduced* when it won one, *not reproduced* when generators
    were tested and it won none; *not tested at this scale* at ``smoke``, with fewer than
    :data:`MIN_SEEDS` seeds, or when no generator was tested (neither method learned).

    Parameters
    ----------
    fd : mapping of str to sequence of float
        As for :func:`architecture_comparison`.
    blur : float
    scale : Scale

    Returns
    -------
    Judgement
    """
    if scale.name == "smoke" or min(len(v) for v in fd.values()) < MIN_SEEDS:
        why = f"fewer than {MIN_SEEDS} seeds" if scale.name != "smoke" else "smoke runs"
        return Judgement(NOT_TESTED, f"{why}: too short to learn digits.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    comparison = architecture_comparison(fd, blur)
    tested = {name: won for name, (won, _) in comparison.items() if won is not None}
    text = "; ".join(text for _, text in comparison.values())
    adequacy = (f"{len(tested)} of {len(comparison)} generators tested (either method "
                f"learned in at least {MIN_SEEDS} seeds)")
    if not tested:
        return Judgement(NOT_TESTED, f"neither method learned. {text}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    wins = [name for name, won in tested.items() if won]
    if len(wins) == len(ARCHITECTURE_PAIRS):
        verdict = "reproduced"
    elif wins:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    measured = (f"WGAN better on {len(wins)} of the {len(ARCHITECTURE_PAIRS)} generators the GAN "
                f"is said to fail with" + (f" ({', '.join(wins)})" if wins else "") + f": {text}")
    return Judgement(verdict, measured, adequate=True, adequacy=adequacy)


def figure6_verdict(fd: Mapping[str, Sequence[float]], blur: float, scale: Scale, *,
                    keys: tuple[str, str] = ("wgan-dcgan", "gan-dcgan")) -> Judgement:
    """The judgement of Figure 6: the DCGAN generator gives good samples with both methods.

    A method gives good samples when its final FD beats the moment-matched Gaussian's in
    every seed. *Reproduced*: both methods do; *partly reproduced*: one; *not reproduced*:
    neither, though one learned in at least :data:`MIN_SEEDS` seeds; *not tested at this
    scale*: at ``smoke``, with fewer than :data:`MIN_SEEDS` seeds, or when neither method
    learned in :data:`MIN_SEEDS` seeds (the runs too short to make digits at all).

    Parameters
    ----------
    fd : mapping of str to sequence of float
        Final FD per seed of the two runs ``keys``.
    blur : float
    scale : Scale
    keys : (str, str), default=("wgan-dcgan", "gan-dcgan")

    Returns
    -------
    Judgement
    """
    if scale.name == "smoke" or min(len(fd[k]) for k in keys) < MIN_SEEDS:
        why = f"fewer than {MIN_SEEDS} seeds" if scale.name != "smoke" else "smoke runs"
        return Judgement(NOT_TESTED, f"{why}: too short to learn digits.", adequate=False,
                         adequacy=f"{why}; the quick scale tests it")
    learned = {key: learned_in(fd[key], blur) for key in keys}
    text = "; ".join(
        f"{key}: final FD per seed " + ", ".join(f"{float(v):.3g}" for v in fd[key])
        + f" ({learned[key]} of {len(fd[key])} below the Gaussian's {blur:.3g})"
        for key in keys)
    adequacy = f"seeds that learned: {', '.join(f'{k} {v}' for k, v in learned.items())}"
    if max(learned.values()) < MIN_SEEDS:
        return Judgement(NOT_TESTED, f"neither method learned. {text}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    good = [key for key in keys if learned[key] == len(fd[key])]
    verdict = {2: "reproduced", 1: "partly reproduced", 0: "not reproduced"}[len(good)]
    return Judgement(verdict, f"good samples in every seed with {len(good)} of 2 methods: "
                     f"{text}", adequate=True, adequacy=adequacy)


@dataclass(frozen=True)
class Collapse:
    """One run's late class coverage, as the mode-collapse rules read it.

    Attributes
    ----------
    run : str
        E.g. ``"wgan-mlp, seed 0"``.
    precision : float
        Share of confident digits at the last snapshot (NaN: samples not finite).
    coverage : tuple of float
        Coverage at each of the last snapshots, oldest first (NaN: not finite).
    """

    run: str
    precision: float
    coverage: tuple[float, ...]

    @property
    def judged(self) -> bool:
        """At least :data:`MIN_PRECISION` of the last samples are confident digits."""
        return math.isfinite(self.precision) and self.precision >= MIN_PRECISION

    @property
    def collapsed(self) -> bool:
        """Coverage below :data:`PARTLY_CLASSES` at every one of the last snapshots."""
        return all(not math.isfinite(c) or c < PARTLY_CLASSES for c in self.coverage)

    def describe(self) -> str:
        """``"wgan-mlp, seed 0: 10, 10, 9 classes (precision 0.62)"``, or why not judged."""
        covered = ", ".join(f"{c:.0f}" if math.isfinite(c) else "not finite"
                            for c in self.coverage)
        if not self.judged:
            share = (f"{self.precision:.2f}" if math.isfinite(self.precision)
                     else "samples not finite")
            return f"{self.run}: did not learn (precision {share})"
        return f"{self.run}: {covered} classes (precision {self.precision:.2f})"


def late_coverage(run: str, table: pd.DataFrame) -> Collapse:
    """:class:`Collapse` of one run from its quality table (:func:`quality_along_run`
    with a judge): the last :data:`LAST_SNAPSHOTS` rows."""
    last = table.tail(LAST_SNAPSHOTS)
    return Collapse(run, float(last["precision"].iloc[-1]),
                    tuple(float(v) for v in last["coverage"]))


def mode_collapse_verdict(chapter_runs: Sequence[Collapse],
                          clipped_runs: Sequence[Collapse] | None, scale: Scale) -> Judgement:
    """The judgement of "no experiment showed mode collapse for WGAN".

    Over every judged WGAN run (:attr:`Collapse.judged`) of chapter 5 and of chapter 8's
    clipped digit runs:

    - *reproduced*: no judged run collapsed, every one covers all 10 classes at its last
      snapshot, and chapter 8's runs were read;
    - *partly reproduced*: no judged run collapsed, but some cover fewer than 10 classes or
      chapter 8's runs could not be read;
    - *not reproduced*: a judged run collapsed (:attr:`Collapse.collapsed`);
    - *not tested at this scale*: at ``smoke``, without labels (no runs), or with fewer
      than :data:`MIN_SEEDS` judged runs (the runs did not learn digits: nothing to
      collapse).

    Parameters
    ----------
    chapter_runs : sequence of Collapse
        Chapter 5's WGAN runs; empty on data without labels.
    clipped_runs : sequence of Collapse or None
        Chapter 8's clipped digit runs; ``None`` when they were not read.
    scale : Scale

    Returns
    -------
    Judgement
    """
    everything = list(chapter_runs) + list(clipped_runs or [])
    judged = [run for run in everything if run.judged]
    text = "; ".join(run.describe() for run in everything)
    adequacy = (f"{len(judged)} of {len(everything)} WGAN runs judged (at least "
                f"{MIN_PRECISION:.0%} confident digits at the last snapshot)")
    if scale.name == "smoke" or not chapter_runs:
        why = "smoke runs are too short" if scale.name == "smoke" else "no labels on this data"
        return Judgement(NOT_TESTED, f"{why}.", adequate=False, adequacy=why)
    if len(judged) < MIN_SEEDS:
        return Judgement(NOT_TESTED, f"too few runs learned digits. {text}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    collapsed = [run.run for run in judged if run.collapsed]
    full = all(run.coverage[-1] == N_DIGITS for run in judged)
    if collapsed:
        verdict = "not reproduced"
        test = f"{len(collapsed)} judged run(s) collapsed ({', '.join(collapsed)})"
    elif full and clipped_runs is not None:
        verdict, test = "reproduced", "every judged run covers all 10 classes"
    else:
        verdict = "partly reproduced"
        test = ("no judged run collapsed" + ("" if full else ", some cover fewer than 10")
                + ("" if clipped_runs is not None else
                   "; chapter 8's clipped runs were not read"))
    return Judgement(verdict, f"{test}: {text}", adequate=True, adequacy=adequacy)


def figure8_verdict(gan_mlp: Sequence[Collapse], scale: Scale) -> Judgement:
    """The judgement of Figure 8: the standard GAN with an MLP generator collapses.

    *Reproduced*: at least half of the judged GAN-MLP runs collapsed; *partly reproduced*:
    some did; *not reproduced*: none; *not tested at this scale*: at ``smoke`` or with
    fewer than :data:`MIN_SEEDS` judged runs (runs that made no digits cannot collapse).
    """
    judged = [run for run in gan_mlp if run.judged]
    text = "; ".join(run.describe() for run in gan_mlp)
    adequacy = f"{len(judged)} of {len(gan_mlp)} GAN-MLP runs judged"
    if scale.name == "smoke" or len(judged) < MIN_SEEDS:
        why = "smoke runs are too short" if scale.name == "smoke" else "too few runs learned"
        return Judgement(NOT_TESTED, f"{why}. {text}", adequate=False,
                         adequacy=f"{adequacy}; longer runs (the paper scale) would test it")
    collapsed = sum(run.collapsed for run in judged)
    if 2 * collapsed >= len(judged):
        verdict = "reproduced"
    elif collapsed:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    return Judgement(verdict, f"{collapsed} of {len(judged)} judged runs collapsed: {text}",
                     adequate=True, adequacy=adequacy)


def clipped_digit_runs_coverage(scale: Scale, judge: Yardstick, reference, *,
                                n_samples: int, seed: int = 0, device: str = "auto"
                                ) -> list[Collapse] | None:
    """Late class coverage of chapter 8's clipped digit runs, read back if they finished.

    The side-by-side clip runs (every seed) and the digits clip sweep of
    :mod:`wgan.experiments.lipschitz_runs`; nothing is trained here. Each finished run's
    last :data:`LAST_SNAPSHOTS` snapshots are measured as chapter 5 measures its own
    (:func:`wgan.quality.quality_along_run` with the judge, noise seed ``seed``).

    Parameters
    ----------
    scale : Scale
    judge : Yardstick
    reference : torch.Tensor of shape (m, 1, H, W), uint8
        The held-out digits.
    n_samples : int
    seed : int, default=0
        First seed of chapter 8's runs, and the noise seed.
    device : str, default="auto"
        As the runs were specified (part of their address).

    Returns
    -------
    list of Collapse or None
        One per run, named ``"clipped c = 0.01, seed 0"``; ``None`` when any of the runs
        has not finished (the reader is then sent to chapter 8).
    """
    specs = [spec for (method, _), spec in lipschitz_runs.digit_side_by_side_specs(
        scale, seed=seed, device=device).items() if method == "clip"]
    specs += list(lipschitz_runs.digit_clip_sweep_specs(scale, seed=seed,
                                                        device=device).values())
    directories = list(dict.fromkeys(run_dir(spec, scale) for spec in specs))
    runs = []
    for directory in directories:
        finished = ((directory / CONFIG_NAME).is_file()
                    and read_status(directory).get("status") in ("finished", "diverged"))
        if not finished:
            return None
        result = load_run(directory)
        late = evenly_spaced(result.snapshots, len(result.snapshots))[-LAST_SNAPSHOTS:]
        table = quality_along_run(result, reference, judge=judge, n_samples=n_samples,
                                  seed=seed, iterations=late)
        runs.append(late_coverage(
            f"clipped c = {result.config.clip_value:g}, seed {result.config.seed}", table))
    return sorted(runs, key=lambda run: run.run)
