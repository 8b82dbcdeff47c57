"""The claims ledger: every claim the paper makes, and what each chapter measured for it.

The paper's claims are listed once, here, as data (:data:`CLAIMS`). A chapter that tests a
claim calls :func:`report` with the number it measured and its verdict; the call writes a
small JSON record under ``runs/claims/<scale>/``. The ledger page reads the records back
with :func:`ledger`, so every number on it comes from an executed notebook, and a claim
whose chapter was not run at that scale says so.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wgan.files import atomic_write_bytes
from wgan.paths import git_revision, runs_dir
from wgan.plan.scale import Scale
from wgan.training.rundir import RunResult

VERDICTS: tuple[str, ...] = (
    "reproduced",
    "partly reproduced",
    "not reproduced",
    "not tested at this scale",
)


KINDS: dict[str, str] = {
    "empirical": "the paper's empirical claims, tested",
    "illustration": "numerical illustrations of proved results (checks that cannot fail: "
                    "not counted as reproductions)",
    "later": "claims of later papers (WGAN-GP), tested",
}
"""What a claim is, and how the ledger counts it: only ``empirical`` and ``later`` claims
can be reproduced; an ``illustration`` shows a proved result or an arithmetic consequence
and is labelled so."""


@dataclass(frozen=True)
class Claim:
    """One claim, and the rule its chapter judges it by, declared with the condition under
    which its experiment is adequate (when a rule changed after its outcome was seen,
    :data:`wgan.report.rules.RULE_HISTORY` says so).

    Parameters
    ----------
    key : str
        Identifier used by :func:`report`.
    statement : str
        The claim, in a sentence.
    where : str
        Where the paper (or a later paper) makes it (section, figure, theorem).
    chapter : str
        The notebook that tests it (stem of ``notebooks/NN_topic.py``).
    kind : {"empirical", "illustration", "later"}, default="empirical"
        See :data:`KINDS`.
    test : str, default=""
        The test or statistic the verdict rests on (e.g. "Spearman rho of the estimate
        with pixel W1, within runs, against the iteration-number baseline").
    rule : str, default=""
        The thresholds that give each verdict.
    seeds : str, default=""
        Seeds (and runs) per setting the rule uses at the quick scale.
    reason : str, default=""
        One line: why this test and these thresholds.
    adequacy : str, default=""
        The condition under which the chapter's experiment can test the claim at all (e.g.
        "the WGAN has learned the circle before its modes are judged"), declared with the
        rule. Where the condition fails, the verdict is ``"not tested at this scale"``,
        never ``"not reproduced"``. ``""`` when the rule needs no such condition.
    """

    key: str
    statement: str
    where: str
    chapter: str
    kind: str = "empirical"
    test: str = ""
    rule: str = ""
    seeds: str = ""
    reason: str = ""
    adequacy: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"The 'kind' parameter of Claim must be one of {', '.join(map(repr, KINDS))}. "
                f"Got {self.kind!r} instead."
            )


CLAIMS: tuple[Claim, ...] = (
    Claim("example1", "On parallel lines, EM is continuous in theta (W = |theta|) while JS, "
          "KL and TV jump at theta = 0.", "Section 2, Example 1, Figure 1", "01_distances",
          kind="illustration",
          test="closed forms of Example 1 on a grid of theta; POT's EM on samples against |theta|; "
               "slopes of the sampled EM and JS curves",
          rule="no verdict rule: asserts (closed forms exact; EM within 3/sqrt(n) of |theta|; "
               "EM slopes +-1 within 0.1; JS flat at log 2 beyond two cells) stop the notebook "
               "if they fail, else the page records 'reproduced'",
          seeds="1 (seed 0); deterministic closed forms, one sample per theta",
          reason="Example 1 is proved in the paper: the closed forms cannot disagree, and the "
                 "sampled curves illustrate them"),
    Claim("theorem1", "W(P_r, P_theta) is continuous in theta, and Lipschitz for a locally "
          "Lipschitz generator; JS and KL are not.", "Section 2, Theorem 1, Corollary 1",
          "02_theory", kind="illustration",
          test="W along a path of rotations against L times the step; a trained "
               "discriminator's JS estimate at theta = 0 and at the first angle off zero",
          rule="no verdict rule: the Lipschitz bound and JS(0) ~ 0 are asserted (the notebook "
               "stops if they fail), JS at the first angle above 80% of log 2 (50% at smoke) "
               "is checked, then the page records 'reproduced'",
          seeds="1 (seed 0)",
          reason="Theorem 1 is proved; W's increments obey the bound by construction of the "
                 "exact solver, so the check illustrates the theorem"),
    Claim("theorem2", "Convergence in W is convergence in distribution; KL and JS can stay "
          "large along a weakly convergent sequence.", "Section 2, Theorem 2", "02_theory",
          kind="illustration",
          test="W(N(0, 1/n), delta_0) by POT against sqrt(2/(pi n)); the log-log slope of "
               "W(empirical_n, N(0, 1)) against n; JS, TV and KL in closed form",
          rule="no verdict rule: within 4 standard errors of the closed form at every n "
               "(asserted) and slope -1/2 within 0.15 (checked), then 'reproduced'",
          seeds="1 (seed 0); 20 repeated draws per n for the empirical measures (quick)",
          reason="Theorem 2 is proved and both sequences have closed forms: the sampled "
                 "values can only illustrate them"),
    Claim("theorem3", "Kantorovich-Rubinstein duality holds and the gradient of W is "
          "-E_z[grad f(g_theta(z))] for the optimal critic f.", "Section 3, Theorem 3",
          "02_theory", kind="illustration",
          test="primal against dual value of the exact transport problem; Theorem 3's "
               "gradient against autograd and finite differences",
          rule="no verdict rule: duality gap < 1e-9, critic 1-Lipschitz on the support, "
               "gradients equal to 1e-5 / 1e-9 (asserted; the notebook stops if they fail), "
               "then 'reproduced'",
          seeds="1 (seed 0)",
          reason="duality and the gradient formula are theorems: an exact solver agrees with "
                 "them to rounding"),
    Claim("figure3", "A trained GAN discriminator saturates and gives vanishing gradients; the "
          "WGAN critic stays close to linear and gives clean gradients.", "Section 3, Figure 3",
          "02_theory", kind="empirical",
          test="a discriminator and a clipped critic trained on N(-2, 0.5^2) against "
               "N(2, 0.5^2) per seed: mean |D'| at the fakes over its max, mean |f'| at the "
               "fakes over its max, R^2 of a line fitted to f over [-3.5, 3.5]",
          rule="per seed: the discriminator saturates when its |D'| ratio < 1e-2; the critic "
               "is clean when its |f'| ratio > 0.1 and R^2 > 0.9; reproduced: both in every "
               "seed; partly: one of the two in every seed, or both in at least half; not "
               "reproduced: otherwise; smoke or fewer than 3 seeds: not tested",
          seeds="5 (0-4) at quick, 3 at paper: a discriminator and a critic per seed; "
                "interval: t-interval of each ratio over seeds",
          reason="the paper's Figure 3 is a proof of concept on one pair of Gaussians; the "
                 "thresholds separate a saturated sigmoid from a near-linear critic"),
    Claim("mixture", "WGAN covers every mode of a ring of Gaussians without mode collapse.",
          "Section 4.1, Figure 2", "03_mixture",
          test="at every WGAN run's last snapshot (1,000 samples): modes covered (>= 20 "
               "samples within 3 sigma of a mean), high-quality fraction (within 3 sigma), "
               "smallest share (8 x the smallest share of samples nearest a mode), exact "
               "W1 to a balanced ring sample and radial error (mean distance from the circle "
               "of radius 2), each beside a uniform circle of the same radial spread scored "
               "the same way (baseline row of the chapter's table)",
          rule="beats the circle: >= 4 modes and more than the circle, high-quality >= 2 x "
               "the circle's, W1 <= 0.8 x the circle's; reproduced: every WGAN run beats "
               "the circle and covers all 8 modes; partly: every WGAN run beats the circle "
               "and drops no mode (smallest share >= 0.5); not reproduced: otherwise (a "
               "plain circle fails; once the experiment is adequate, a run that has not "
               "learned the circle counts against); GAN runs reported, not judged; smoke or "
               "inadequate: not tested (wgan.experiments.mixture.ring_verdict)",
          adequacy="the WGAN has learned the circle before its modes are judged: at their "
                   "last snapshot at least half of the WGAN runs have a radial error at most "
                   "4 x the uniform circle's (0.016 -> 0.064, about the 3-sigma radius 0.06 "
                   "within which a sample counts for a mode); else not tested at this "
                   "scale, naming the scale that would test it",
          seeds="5 per method (0-4) at quick, 15,000 generator iterations, every WGAN run "
                "judged; interval: t-interval over seeds of the WGAN's W1 to the ring",
          reason="a circle without modes already drops no mode, so only beating it on modes, "
                 "3-sigma mass and W1 shows that the modes were learned; a WGAN that has not "
                 "learned even the circle is too short to judge (the adequacy condition and "
                 "the quick runs' 15,000 iterations were set after the 5,000-iteration runs "
                 "of 6ecac2d were read, radial error 0.143, before the longer runs)"),
    Claim("circle-first", "The WGAN first learns the low-dimensional structure of the data "
          "(the approximate circle), then the specific bumps of the density (the modes).",
          "Section 4.1 (its last paragraph) and Figure 2's caption",
          "03_mixture",
          test="per WGAN run, along its snapshots (11 at quick: every 1,500 of 15,000 "
               "iterations, 1,000 samples each): the first snapshot at which it has learned "
               "the circle (radial error <= 4 x the uniform circle's) and the first at which "
               "it has matched the bumps (>= 4 modes covered, >= 20 samples within 3 sigma)",
          rule="per run: circle first when the circle is learned at an earlier snapshot than "
               "the bumps are matched (same snapshot, or bumps first or without the circle: "
               "not); the order is read in the runs that match the bumps; reproduced: circle "
               "first in every such run; partly: in at least half; not reproduced: in fewer "
               "than half; smoke or inadequate: not tested "
               "(wgan.experiments.mixture.circle_first_verdict)",
          adequacy="the order can be read: at least half of the WGAN runs match the bumps "
                   "(>= 4 modes) at some snapshot, since a run that never does within its "
                   "length cannot show which came first; else not tested at this scale, "
                   "naming the scale that would test it",
          seeds="5 WGAN runs (0-4) at quick, each ordered on its own; interval: t-interval "
                "over runs of the iteration at which each is first reached",
          reason="the paper states an order in time and shows it in one run's panels; the "
                 "circle's own radial error and half the ring's modes are the thresholds of "
                 "Figure 2's verdict, so 'learned' means the same in both claims; declared "
                 "with the 15,000-iteration quick runs, before they were run"),
    Claim("meaningful-loss", "The WGAN estimate of W correlates with sample quality during "
          "training.", "Section 4.3, Figure 4", "04_loss_curves",
          test="Spearman rho of the W estimate with the yardstick's FD (a convolutional "
               "judge's Frechet distance to the held-out digits) within each learned run, "
               "beside the time-curve baseline; partial Spearman rho given the iteration "
               "(detrended), read over the learned seeds of a setting with a 95% t-interval; "
               "Spearman rho over the learned seeds at each shared snapshot (across runs); "
               "an undefined statistic is left out, never counted as 0; the failed run "
               "judged seed by seed",
          rule="a setting tracks when every defined test holds (mean plain rho >= 0.6; mean "
               "partial rho >= 0.3 with its interval above 0; mean across-seed rho > 0) and "
               "one of the last two is defined; reproduced: both normal settings (DCGAN, MLP "
               "generator) tested and tracking, and the failed run agrees in at least half "
               "its seeds; partly: one setting tracks; not reproduced: none tracks and a "
               "defined test failed; not tested: no test that controls for time defined, "
               "smoke, fewer than 3 seeds or 6 snapshots",
          seeds="5 per setting (0-4) at quick, 3 at paper; interval: t-interval of the "
                "partial rho over seeds",
          reason="any falling curve ranks the snapshots of an improving run, so the plain "
                 "rho alone cannot fail; the partial rho given time and the other seeds can; "
                 "pixel W1 ranks a blur near real data, so it is reported, not judged",
          adequacy="a normal setting is tested on its learned seeds (final FD below the "
                   "moment-matched Gaussian's), and only with at least 3 of them; with no "
                   "normal setting tested the claim is not tested at this scale"),
    Claim("js-uninformative", "The GAN's JS estimate does not correlate with sample quality.",
          "Section 4.3, Figure 5", "04_loss_curves",
          test="Spearman rho of the JS estimate with the yardstick's FD within each learned "
               "run, plain and partial given the iteration, over the learned seeds of a "
               "setting (95% t-interval; undefined values left out), in settings whose "
               "samples improved (mean time-curve rho >= 0.6); Spearman rho over the seeds "
               "at each shared snapshot",
          rule="a setting is uninformative: the curve flat or its mean plain rho < 0.3, the "
               "defined partial's interval below 0.3, and mean across-seed rho < 0.5; "
               "reproduced: both DCGAN-discriminator settings tested and uninformative; "
               "partly: one of them; not reproduced: settings tested and none "
               "uninformative",
          seeds="5 per setting (0-4) at quick, 3 at paper; interval: t-interval of the "
                "partial rho over seeds",
          reason="'does not correlate' passes trivially when the samples do not change, so "
                 "only runs that learned and improved count",
          adequacy="a setting is tested on its learned seeds (final FD below the "
                   "moment-matched Gaussian's), with at least 3 of them, whose samples "
                   "improved with time; with none, not tested at this scale"),
    Claim("figure9", "The GAN's generator loss does not track sample quality either.",
          "Appendix F, Figure 9", "04_loss_curves",
          test="as js-uninformative, with the generator loss -E log D(g(z)) as the curve",
          rule="as js-uninformative",
          seeds="5 per setting (0-4) at quick, 3 at paper; interval: t-interval of the "
                "partial rho over seeds",
          reason="Appendix F says plotting the generator loss 'does not change the "
                 "conclusions': the same test on the other curve",
          adequacy="as js-uninformative"),
    Claim("compare-runs", "The WGAN estimate tells which runs are doing better: across a "
          "hyperparameter search with one critic architecture, a lower final estimate goes "
          "with better samples.",
          "Section 4.3 ('which models are doing better over others', and the caveat that the "
          "constant scaling factor makes models with different critics hard to compare); "
          "Section 1 ('useful for debugging and hyperparameter searches')", "04_loss_curves",
          test="a grid of 12 WGAN runs, DCGAN generator and critic on the digits: learning "
               "rate {5e-5, 2e-4, 1e-3} (both nets) x n_critic {1, 5} x clip value {0.01, "
               "0.05}, equally long in generator iterations; per run the final estimate "
               "(median W estimate over the last 10% of generator iterations) and the final "
               "FD (yardstick, 500 samples, last snapshot); Spearman rho of the two within "
               "each clip value (the clip box sets K), pooled over clip values by "
               "inverse-variance weighting of Fisher z with the Bonett-Wright variance "
               "(1 + rho^2/2)/(n - 3), 95% interval; the rho across the whole grid reported, "
               "not judged; runs without finite final values left out and named",
          rule="reproduced: pooled rho >= 0.6 with its interval above 0; partly: interval "
               "above 0, rho < 0.6; not reproduced: interval not above 0 and its upper end "
               "below 0.6; not tested: the interval holds both 0 and 0.6 (too few runs to "
               "tell), smoke, or inadequate (wgan.experiments.loss_curves."
               "compare_runs_verdict)",
          seeds="1 per cell (seed 0): 12 runs at quick (500 generator iterations each, "
                "critic schedule off) and at paper (the paper's length, authors' schedule); "
                "interval: Fisher z, Bonett-Wright variance, over runs",
          reason="the paper's own use of the estimate, comparing runs; the within-run tests "
                 "of meaningful-loss lack power when every curve falls with time, and a new "
                 "claim keeps their rule as declared; ranks are compared within a clip value "
                 "because the paper's caveat (a constant K per critic) applies to the clip "
                 "box too; declared with the grid's sizes, before its quick runs",
          adequacy="the grid spans a range of quality: at least 3 of its runs learned (final "
                   "FD below the moment-matched Gaussian's), and a clip value counted has at "
                   "least 4 runs with finite final values; else not tested at this scale"),
    Claim("no-balancing", "WGAN training needs no careful balance of critic and generator: "
          "at the same number of generator iterations, a critic trained more gives samples "
          "at least as good (the better the critic, the better the generator's gradients).",
          "Section 1 (contributions: 'does not require maintaining a careful balance') and "
          "Section 4.4 (first paragraph: 'The better the critic, the higher quality the "
          "gradients')", "04_loss_curves",
          test="per (learning rate, clip value) cell of compare-runs' grid: the final FD of "
               "the n_critic = 1 run over that of the n_critic = 5 run, at the same number "
               "of generator iterations (500 at quick); 95% t-interval over the judged cells "
               "of its log, read as a ratio (above 1: more critic iterations, better "
               "samples)",
          rule="not reproduced: the interval below 1; reproduced: above 1; partly: its lower "
               "end above 1/1.25 (more critic iterations no worse than 25%, better not "
               "shown); not tested: otherwise (too few cells to tell), smoke, or inadequate "
               "(wgan.experiments.loss_curves.no_balancing_verdict)",
          seeds="1 per run (seed 0): 6 cells of an n_critic 1 and an n_critic 5 run at quick "
                "and paper; interval: t-interval over cells of the log FD ratio",
          reason="a GAN discriminator trained more starves its generator of gradient, which "
                 "is why GANs are balanced; the claim is that a WGAN critic trained more "
                 "only helps; 25% is a small part of the range from the floor's FD to the "
                 "Gaussian's (about 8 times); declared with the grid's sizes, before its "
                 "quick runs",
          adequacy="a cell is judged when one of its two runs learned (final FD below the "
                   "moment-matched Gaussian's); at least 3 judged cells; else not tested at "
                   "this scale"),
    Claim("js-stays-up", "The GAN's JS estimate usually stays constant or goes up instead of "
          "going down.", "Section 4.3, Figure 5", "04_loss_curves",
          test="per GAN run with a DCGAN discriminator (DCGAN and MLP generators), the median "
               "JS estimate over the last quarter of training minus its median over the first "
               "quarter, over log 2; t-interval over the learned seeds of each setting",
          rule="a setting agrees when the interval's lower end lies above -0.1 (not down by "
               "more than a tenth of log 2); reproduced: both settings tested and agreeing; "
               "partly: one; not reproduced: settings tested and none agrees",
          seeds="5 per setting (0-4) at quick, 3 at paper; interval: t-interval of the change "
                "over the learned seeds",
          reason="the paper's sentence under Figure 5, read on the curve it plots; declared "
                 "before its quick runs were read",
          adequacy="a setting is tested with at least 3 learned seeds (final FD below the "
                   "moment-matched Gaussian's): while the samples do not improve, a "
                   "discriminator that wins says nothing"),
    Claim("figure6", "The DCGAN generator gives good samples with both WGAN and the standard "
          "GAN.", "Section 4.4, Figure 6", "05_architectures",
          test="final FD (yardstick) of 500 samples of the WGAN and the GAN DCGAN runs, per "
               "seed, against the moment-matched Gaussian's FD at the same sample size",
          rule="a method gives good samples when its final FD beats the Gaussian's in every "
               "seed; reproduced: both methods; partly: one; not reproduced: neither",
          seeds="5 per run (0-4) at quick, 3 at paper; no interval (counts of seeds)",
          reason="the paper's contrast in Figures 6-8 needs the DCGAN generator to work with "
                 "both methods",
          adequacy="either method learned (final FD below the Gaussian's) in at least 3 "
                   "seeds; else the runs are too short to make digits at all"),
    Claim("architectures", "WGAN trains generators that the standard GAN fails with (no "
          "batch norm, MLP).", "Section 4.4, Figures 7-8", "05_architectures",
          test="final FD (yardstick) of 500 samples to the held-out digits, WGAN run "
               "against the GAN run of the same generator and seed (no-BN constant "
               "filters; MLP): 95% t-interval of the paired differences GAN minus WGAN",
          rule="the WGAN wins a tested generator when the interval lies above 0 and no WGAN "
               "seed's samples are not finite (a GAN seed whose samples are not finite counts "
               "as a WGAN win); reproduced: both generators tested and won; partly: one "
               "won; not reproduced: generators tested, none won; smoke or fewer than 3 "
               "seeds: not tested",
          seeds="5 per run (0-4) at quick, 3 at paper: a WGAN and a GAN run per generator "
                "and seed; interval: t-interval of the paired differences",
          reason="the paper's claim is a comparison of the two methods on the generators "
                 "it names; pixel W1 ranks a blur near real data, so the FD decides",
          adequacy="a generator is tested when either method learned (final FD below the "
                   "moment-matched Gaussian's) in at least 3 seeds"),
    Claim("no-mode-collapse", "No experiment showed mode collapse for WGAN.", "Section 4.4",
          "05_architectures",
          test="the yardstick's coverage (digits that >= 2% of 500 samples are confidently "
               "called) at the last 3 snapshots of every WGAN run of the book on the digits: "
               "chapter 5's three and chapter 8's clipped digit runs, read back",
          rule="a judged run collapsed when its coverage is below 8 at each of its last 3 "
               "snapshots; reproduced: no judged run collapsed, each covers all 10 at its "
               "last snapshot, and chapter 8's runs were read; partly: none collapsed; not "
               "reproduced: a judged run collapsed; no labels or smoke: not tested",
          seeds="5 per run (0-4) at quick in chapter 5, and chapter 8's clipped digit runs; "
                "no interval (a count of runs)",
          reason="the claim is about every experiment, so one collapsed WGAN run of the book "
                 "is a counterexample; a run that never made digits has nothing to collapse",
          adequacy="a run is judged when at least 30% of its last samples are confident "
                   "digits (real digits: about 70%); with fewer than 3 judged runs, not "
                   "tested at this scale"),
    Claim("figure8", "The standard GAN with an MLP generator collapses to few modes.",
          "Section 4.4, Figure 8", "05_architectures",
          test="as no-mode-collapse, on the GAN runs with the MLP generator",
          rule="reproduced: at least half of the judged GAN-MLP runs collapsed (coverage "
               "below 8 at each of their last 3 snapshots); partly: some did; not "
               "reproduced: none did",
          seeds="5 (0-4) at quick, 3 at paper; no interval (a count of runs)",
          reason="Figure 8's caption points at the GAN MLP's mode collapse",
          adequacy="as no-mode-collapse: at least 3 GAN-MLP runs with 30% confident digits"),
    Claim("momentum", "WGAN training becomes unstable with Adam (beta1 > 0) on the critic or "
          "with high learning rates; the cosine between the Adam step and the gradient turns "
          "negative when the loss blows up.", "Section 4.3, last paragraph", "06_momentum",
          test="sample quality without the critic at 20 snapshots per run (ring: exact W1 of "
               "800 samples to the ring; digits: the yardstick's FD); a run blows up when its "
               "last snapshot is worse than 2 x the larger of its best so far and the floor "
               "of true samples (onset: the first snapshot of that final stretch), when its "
               "samples are not finite, or where the non-finite guard stopped it; runs with "
               "momentum (Adam beta1 0.5, 0.9) against runs without (RMSProp, Adam beta1 0) "
               "within each (dataset, learning rate) stratum: exact stratified "
               "(Cochran-Mantel-Haenszel) test, one-sided, and the Mantel-Haenszel "
               "difference of blow-up rates; cosine clause: a negative cosine within 10 "
               "iterations of the onset interval of >= half the momentum blow-ups, and "
               ">= 2 x as frequent in unstable stretches (onset interval to the end) as in "
               "stable ones",
          rule="reproduced: momentum blew up more often than expected within strata, "
               "p < 0.05, and the cosine clause holds; partly: more often, but p >= 0.05 or "
               "the cosine clause fails; not reproduced: not more often (also when nothing "
               "blew up); the high-learning-rate clause (highest lr against 5e-5 within each "
               "optimizer, the same test) is reported and never moves the verdict; only the "
               "datasets that meet the adequacy condition are judged; smoke or inadequate: "
               "not tested (wgan.experiments.blowups.verdict)",
          adequacy="the reference optimizer's runs converge before instability is judged: on "
                   "a dataset, at least half of the RMSProp lr 5e-5 runs end at most 0.5 x "
                   "their initial quality, moved by at most 20% of that improvement over "
                   "their last quarter, and on the digits end below the FD of the Gaussian "
                   "with the data's moments; a dataset that fails is left out, and with none "
                   "left the claim is not tested at this scale, naming the scale that would "
                   "test it",
          seeds="5 per setting (0-4) at quick on the ring only (1,200 generator iterations, "
                "3 learning rates: 60 runs, 30 with momentum), 3 at paper on the ring and the "
                "images; interval: Mantel-Haenszel difference of blow-up rates, momentum "
                "minus none, Greenland-Robins 95%",
          reason="clipping keeps the critic's estimate in its band while samples are lost "
                 "(6ecac2d: an Adam run ended at sample W1 804.7, floor 0.062, uncounted), so "
                 "blow-ups are read on the samples; a high learning rate destabilises any "
                 "optimizer, so momentum is compared within each; a reference that has not "
                 "converged has nothing to lose. Rule, adequacy and sizes were declared after "
                 "the 6ecac2d quick outcome was read (4 blow-ups, all RMSProp lr 1e-2 on the "
                 "ring, at iterations 2-3) and before the new quick runs; the sizes come from "
                 "cost: the digits' reference cannot converge within the quick budget"),
    Claim("clip-constant-k", "If the supremum in the dual (2) is attained within the clipped "
          "critic family (a 'pretty strong assumption': the critic's capacity and its clip "
          "box must hold the optimal critic, scaled), the clipped critic's estimate is W "
          "times a constant K fixed by the box: the same K for every pair of a family.",
          "Section 3, equation (3) and the sentence after it", "08_lipschitz",
          kind="empirical",
          test="K = estimate / the exact critic's estimate on one shared sample (10,000 points "
               "per side at quick) of critics fitted to pairs of known population W1 (N(0, I) "
               "against N(v, I) in d = 2 and 16; N(0, I) against N(0, sigma^2 I) in d = 2), "
               "per (clip value, family) cell: the t-interval over seeds of the per-seed "
               "max/min K over the family's pairs; a fit counts when it passes the "
               "convergence gate (its estimate on a fixed sample, monitored 20 times: the "
               "least-squares slope over the last fifth of the fit, extrapolated over the "
               "whole fit, at most 5% of the estimate) and lies > 3 standard errors above 0; "
               "a cell needs 2 seeds with every pair counted; on the translations a cell "
               "whose K stays below 0.95 x the K of the linear critic its box holds has not "
               "attained the supremum (the condition fails) and is not counted",
          rule="per counted cell: constant when the interval lies below 1.25, varying when "
               "above, undecided when it straddles 1.25; 'reproduced' when every counted cell "
               "is constant, 'not reproduced' when none is and one varies, 'partly' when some "
               "are constant and others not; 'not tested at this scale' when no cell is "
               "decided, when the experiment is not adequate, and at smoke "
               "(wgan.experiments.lipschitz_verdicts)",
          seeds="5 (0-4) per (constraint, pair) at quick, 5 at paper; interval: t-interval "
                "over seeds of max/min K per cell",
          reason="the ring and digit families have W1 only from POT on finite samples "
                 "(biased upwards), so only families with population W1 are judged; "
                 "unconverged fits and estimates about 0 say nothing about K; chapter 2's "
                 "clipped critic illustrates the same sentence and defers to this verdict; "
                 "the gate replaced one (under 2% over the last fifth) that a referee found "
                 "to pass fits still creeping: a fit moving 1.5% per fifth projects 7.5% and "
                 "fails it",
          adequacy="at least one clipped (clip value, family) cell has 2 seeds in which "
                   "every pair's fit passed the convergence gate (run once more as long at "
                   "the pace it ends with, the estimate would move by at most 5%) with an "
                   "estimate above 3 standard errors; otherwise 'not tested at this scale': "
                   "longer fits would test it"),
    Claim("clip-large-slow", "With a large clip value the critic takes long to train to "
          "optimality.", "Section 3, the remark on weight clipping (arXiv version)",
          "08_lipschitz", kind="illustration",
          test="median critic iterations to reach 90% of the final estimate (over pairs and "
               "seeds), c = 0.1 against c = 0.01, per family of Part 1 with population W1",
          rule="'reproduced' when c = 0.1 needs more iterations in every family, 'partly' in "
               "at least half, else 'not reproduced'; 'not tested at this scale' at smoke",
          seeds="5 (0-4) per pair at quick, 3 pairs per family; no interval",
          reason="nearly mechanical under RMSProp: its steps have a size near lr whatever the "
                 "gradient, so the time to reach the box's edge scales with c / lr"),
    Claim("clip-small-vanishing", "With a small clip value the gradients vanish through a "
          "deep critic without batch normalization.",
          "Section 3, the remark on weight clipping (arXiv version)", "08_lipschitz",
          kind="illustration",
          test="norm of the loss's gradient at layer 1 over layer 12 of a 12-layer ReLU critic "
               "(width 64 at quick) on the Swiss roll, c = 0.01 and c = 0.001",
          rule="'reproduced' when the ratio is below 0.1 in every seed for both clip values, "
               "'partly' for one, else 'not reproduced' (no ratio when the last layer's norm "
               "is 0: not vanishing); 'not tested at this scale' at smoke",
          seeds="5 (0-4) at quick: one critic per clip value and seed; per-seed ratios, no "
                "interval",
          reason="guaranteed by arithmetic: a clipped layer of width 64 has gain at most 64 c "
                 "(0.64 at c = 0.01), so eleven layers shrink the gradient by at least 0.64^11"),
    Claim("gp-gradient-norms", "Under the gradient penalty, gradient norms neither explode nor "
          "vanish through a deep critic.", "Gulrajani et al. 2017, Figure 1(b)",
          "08_lipschitz", kind="later",
          test="log10 of max/min over the 12 layers of the gradient norm of a penalised "
               "12-layer ReLU critic (lambda 10) on the Swiss roll, per seed",
          rule="'reproduced' when the 95% t-interval over seeds of log10(max/min) lies at or "
               "below 1 (within one order of magnitude), else 'not reproduced' (a norm of 0: "
               "no ratio, not reproduced); 'not tested at this scale' at smoke",
          seeds="5 (0-4) at quick: one penalised critic per seed; interval: t-interval of "
                "log10(max/min) over seeds",
          reason="WGAN-GP's Figure 1(b) shows the penalised norms flat across layers while "
                 "the clipped ones change by orders of magnitude"),
    Claim("clip-simple-functions", "Weight clipping pushes the critic's weights to the box's "
          "edges and biases it toward simple functions; the penalised critic follows the data.",
          "Gulrajani et al. 2017, Figure 1(a) and 1(b), right", "08_lipschitz",
          kind="later",
          test="share of the clipped critic's (c = 0.01) weights at the box's edge "
               "(|w| >= 0.99 c), and the gradient cosine of the clipped against the penalised "
               "critic, on 8 Gaussians, 25 Gaussians and the Swiss roll",
          rule="over the seeds in which both critics of a problem passed the convergence "
               "gate: 'reproduced' when on all three problems the t-interval over seeds of the "
               "share of clipped weights at the edge lies above 0.5 and that of the penalised "
               "cosine minus the clipped one (paired by seed) lies above 0; 'partly' when one "
               "of the two holds on all three; else 'not reproduced'; 'not tested at this "
               "scale' when the experiment is not adequate, and at smoke",
          seeds="5 (0-4) at quick: one critic per (constraint, problem, seed); interval: "
                "t-intervals of the edge share and of the cosine difference",
          reason="WGAN-GP's Figure 1 shows clipped weights piled at +-c and clipped critics "
                 "missing the data's structure that the penalised ones follow; its panel (a) "
                 "shows critics trained to optimality, so critics still moving do not count",
          adequacy="on every problem, 2 seeds in which both the clipped and the penalised "
                   "critic passed chapter 8's convergence gate (their estimate on a fixed "
                   "sample, monitored 20 times: the slope over the last fifth of the fit, "
                   "extrapolated over the whole fit, at most 5% of the estimate); otherwise "
                   "'not tested at this scale': longer fits would test it"),
)

_BY_KEY = {claim.key: claim for claim in CLAIMS}


DRY_RUN_PREFIX = "DRY RUN, counts capped, not a result: "
"""Start of what a dry run records as measured."""


def claims_dir(scale: Scale) -> Path:
    """Folder of the records measured at ``scale`` (``$WGAN_RUNS_DIR/claims/<scale>``).

    A dry run's records go to ``claims/<scale>-dry`` (:attr:`wgan.plan.scale.Scale.folder`),
    never over a real run's.
    """
    return runs_dir() / "claims" / scale.folder


def report(key: str, *, measured: str, verdict: str, scale: Scale, seeds: str = "",
           interval: str = "", adequate: bool | None = None, adequacy: str = "",
           runs: Iterable[RunResult] = ()) -> dict[str, object]:
    """Record what a chapter measured for a claim, and print it.

    Parameters
    ----------
    key : str
        One of the keys of :data:`CLAIMS`.
    measured : str
        The number(s) the chapter computed, as text (e.g. ``"Spearman rho = -0.81"``).
    verdict : {"reproduced", "partly reproduced", "not reproduced", "not tested at this scale"}
    scale : Scale
    seeds : str, default=""
        The seeds the verdict rests on, as run (e.g. ``"5 (0-4)"``).
    interval : str, default=""
        The interval of the statistic the verdict reads, with how it was made (e.g.
        ``"rho 0.62 [0.41, 0.80], bootstrap over seeds, 95%"``); ``""`` when none applies.
        The ledger shows it as the claim's decisive number.
    adequate : bool or None, default=None
        Whether the experiment met the claim's declared adequacy condition
        (:attr:`Claim.adequacy`); ``None`` when the claim declares none. An inadequate
        experiment must give ``"not tested at this scale"``.
    adequacy : str, default=""
        What was measured of the adequacy condition, in words (and, when it failed, what
        scale would test the claim).
    runs : iterable of RunResult, default=()
        The runs the verdict judged: the commits that trained them are recorded
        (``runs_commit``, e.g. ``"cf304fd (30 runs)"``; ``"-"`` when none are given).

    Returns
    -------
    dict
        The record written to ``claims_dir(scale) / f"{key}.json"``. In a dry run
        (``scale.dry``) the verdict is ``"not tested at this scale"``
        and ``measured`` starts with :data:`DRY_RUN_PREFIX` and the verdict the chapter's
        rule gave.
    """
    if key not in _BY_KEY:
        raise ValueError(f"Unknown claim {key!r}. Known claims: {', '.join(_BY_KEY)}.")
    if verdict not in VERDICTS:
        raise ValueError(
            f"The 'verdict' parameter must be one of {', '.join(map(repr, VERDICTS))}. "
            f"Got {verdict!r} instead."
        )
    if adequate is False and verdict != "not tested at this scale":
        raise ValueError(
            f"Claim {key!r}: an experiment that failed its adequacy condition cannot give "
            f"{verdict!r}; its verdict is 'not tested at this scale' ({adequacy or 'no reason'})."
        )
    if scale.dry:  # capped counts test nothing: the rule's outcome is kept as text only
        measured = f"{DRY_RUN_PREFIX}the chapter's rule gave {verdict!r}; {measured}"
        verdict = "not tested at this scale"
    record = {
        "key": key,
        "measured": measured,
        "verdict": verdict,
        "scale": scale.name,
        "seeds": seeds,
        "interval": interval,
        "adequate": adequate,
        "adequacy": adequacy,
        "commit": git_revision(),
        "runs_commit": runs_commit(runs),
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    atomic_write_bytes(claims_dir(scale) / f"{key}.json", json.dumps(record, indent=1).encode())
    print(f"Claim '{key}' ({_BY_KEY[key].where}): {verdict}: {measured}")
    return record


def expect(condition: bool, message: str, *, scale: Scale) -> bool:
    """A chapter's check of a measured result: ``assert condition, message``, but in a dry run
    (``scale.dry``) said, not raised.

    A dry run caps the fitting steps, iterations and samples that make a result, so a check
    of the result failing there says nothing about the code; the page still states it.

    Parameters
    ----------
    condition : bool
    message : str
        What should hold, as the assertion's message.
    scale : Scale

    Returns
    -------
    bool
        ``condition``.

    Raises
    ------
    AssertionError
        With ``message``, when ``condition`` is false outside a dry run.
    """
    if condition:
        return True
    if not scale.dry:
        raise AssertionError(message)
    print(f"DRY RUN: check not met (capped counts make no result): {message}")
    return False


def runs_commit(runs: Iterable[RunResult]) -> str:
    """The commits that trained ``runs`` (their ``status.json``), with how many runs each:
    ``"cf304fd (28 runs), unknown (2 runs)"``; ``"-"`` for no runs."""
    counts = Counter(str(run.detail.get("git_sha", "unknown")) for run in runs)
    return ", ".join(f"{sha} ({n} run{'s' if n > 1 else ''})"
                     for sha, n in counts.most_common()) or "-"


NOT_RUN = "chapter not run at this scale"
"""The verdict :func:`ledger` gives a claim whose chapter wrote no record at that scale."""

NO_INTERVAL = "no interval"
"""What :func:`ledger` says of a record that gave no interval."""


def ledger(scale: Scale, *, rule_commits: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every claim with its declared test and what was measured at ``scale``; unmeasured
    claims say so.

    Parameters
    ----------
    scale : Scale
    rule_commits : mapping of str to str or None, default=None
        Per claim, the commit where its declared rule last changed
        (:func:`wgan.report.rules.rule_commits`); ``"-"`` when not given.

    Returns
    -------
    pandas.DataFrame
        One row per claim, grouped by kind in the order of :data:`KINDS` and in the
        paper's order (:data:`CLAIMS`) within a kind: key, kind, claim, where, chapter, test,
        rule, seeds (as the chapter ran them, else as declared), interval (the record's, or
        :data:`NO_INTERVAL`), measured, verdict (:data:`NOT_RUN` without a record), scale,
        commit, condition (the declared adequacy condition, ``"-"`` when none), adequate
        (``True``, ``False`` or ``None``: none declared or no record) and adequacy (what was
        measured of the condition, ``"-"`` when nothing), rule_commit (where the declared
        rule last changed) and runs_commit (the commits that trained the runs it judged).
    """
    rows = []
    for claim in sorted(CLAIMS, key=lambda claim: list(KINDS).index(claim.kind)):
        path = claims_dir(scale) / f"{claim.key}.json"
        record = json.loads(path.read_text()) if path.is_file() else {}
        rows.append(
            {
                "key": claim.key,
                "kind": claim.kind,
                "claim": claim.statement,
                "where": claim.where,
                "chapter": claim.chapter,
                "test": claim.test or "-",
                "rule": claim.rule or "-",
                "seeds": record.get("seeds") or claim.seeds or "-",
                "interval": record.get("interval") or NO_INTERVAL,
                "measured": record.get("measured", "-"),
                "verdict": record.get("verdict", NOT_RUN),
                "scale": record.get("scale", scale.name),
                "commit": record.get("commit", "-"),
                "condition": claim.adequacy or "-",
                "adequate": record.get("adequate"),
                "adequacy": record.get("adequacy") or "-",
                "rule_commit": (rule_commits or {}).get(claim.key, "-"),
                "runs_commit": record.get("runs_commit") or "-",
            }
        )
    return pd.DataFrame(rows)
