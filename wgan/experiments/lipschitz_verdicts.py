"""The verdicts of chapter 8: the paper's "up to K" sentence, the clip remarks, WGAN-GP's.

Every rule of the chapter is here, with its thresholds declared once (the module's
constants; the rules changed after an outcome was seen are listed in
:data:`wgan.report.rules.RULE_HISTORY`), among them the convergence gate (:data:`GATE_DRIFT`,
:func:`~wgan.experiments.lipschitz.projected_drift`): remade after a referee found that
the first one passed fits still moving slowly, its form chosen after the quick scale's fits
had been seen and refitted longer (``projected_drift`` says how); each
takes plain numbers or the chapter's tables and the :class:`~wgan.plan.scale.Scale`, and
returns a :class:`~wgan.experiments.judgement.Judgement`:

- ``clip-constant-k`` (:func:`constant_k_cells`, :func:`constant_k_verdict`): "if the
  supremum is attained within the clipped family, the estimate is K W1 with K fixed by the
  box". Judged only on families whose W1 is known for the populations (the translated
  and the scaled Gaussians, :class:`~wgan.experiments.lipschitz.PopulationPair`), from
  fits that passed the convergence gate (:data:`GATE_DRIFT`), whose estimate is
  distinguishable from 0 (:data:`ZERO_SE`), over seeds (:data:`MIN_SEEDS`); a cell whose
  clipped critic stays below the linear critic its box holds has not attained the
  supremum (the paper's condition fails there) and is reported, not counted. Adequacy:
  at least one clipped cell has converged, measurable fits in enough seeds;
- ``clip-large-slow`` (:func:`large_slow_verdict`), ``clip-small-vanishing``
  (:func:`small_vanishing_verdict`): the arXiv remark on clip values (illustrations: they
  follow from RMSProp's step size and from the box's arithmetic);
- ``gp-gradient-norms`` (:func:`gp_norms_verdict`), ``clip-simple-functions``
  (:func:`simple_functions_verdict`): WGAN-GP's Figure 1. Its panel (a) shows critics
  "trained to optimality", so ``clip-simple-functions`` is read on the fits that passed
  the convergence gate and is not tested when too few did; panel (b) shows gradient norms
  "during training", which need no converged critic.

:func:`gp_closed_form_check` is no claim of the paper: it holds the penalised critics of
the lambda sweep against the closed form K* = 1 + W / (2 lambda)
(:func:`wgan.experiments.lipschitz.gp_linear_optimum`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wgan.experiments.judgement import NOT_TESTED, Judgement
from wgan.plan.scale import Scale
from wgan.quality.seeds import t_interval

GATE_DRIFT = 0.05
"""Convergence gate of one fit: its :func:`~wgan.experiments.lipschitz.projected_drift` is
at most 5%. Run once more as long at the pace it ends with, a fit that passes would move
its estimate by less than 5%: a fifth of the 25% spread of K that
:data:`K_RATIO_LIMIT` tolerates, so what a fit has left to climb cannot make a constant K
look varying, nor the reverse. A fit creeping steadily at 1.5% of its estimate per fifth
of its length projects 7.5% and fails (the gate this one replaced, under 2% over the last
fifth, passed it). A fit that fails was still moving: its K is not the optimum's, and
it is reported, not counted."""

ZERO_SE = 3.0
"""An estimate within 3 standard errors of 0 (on the shared sample) is not measurable: its
K is noise, and the fit is reported and not counted."""

MIN_SEEDS = 2
"""Seeds per (constraint, family) cell whose fits all passed (every pair of the family):
fewer gives no interval, and the cell is reported, not counted."""

K_RATIO_LIMIT = 1.25
"""K is constant over a family when the largest K over its pairs is at most 1.25 times
the smallest (the families span W1 over a factor of 4; the penalised optimum's own K*
varies by 7% over them at lambda = 10). Judged on the t-interval over seeds of the
per-seed max/min: constant when the interval lies below the limit, varying when above,
undecided when it straddles it."""

LINEAR_MEMBER_SLACK = 0.05
"""A clipped critic on a translation whose K (mean over seeds) is below (1 - 0.05) times
the K of the linear critic its box holds
(:func:`wgan.experiments.lipschitz.clip_linear_slope`) has not attained the supremum over
its family: the paper's condition does not hold for that cell."""

GP_CLOSED_FORM_TOLERANCE = 0.25
"""The lambda sweep agrees with the closed form at a lambda when the mean over seeds of
(K - 1) / (W / (2 lambda)) is within 25% of 1."""

VANISHING_RATIO = 0.1
"""Gradients vanish through the 12-layer clipped critic when the norm at layer 1 is below
a tenth of that at layer 12."""

GP_NORM_SPREAD = 10.0
"""The penalised critic's gradient norms neither explode nor vanish when their max / min
over the 12 layers is at most 10 (one order of magnitude)."""

EDGE_SHARE = 0.5
"""The clip pushes weights to the box when more than half of them sit at its edge."""

CELL_STATUSES: tuple[str, ...] = (
    "constant", "varying", "undecided", "condition not met", "not converged",
    "no measurable estimate",
)
"""What :func:`constant_k_cells` says of a cell; the first three are counted."""

COUNTED = CELL_STATUSES[:3]


def _ratio_verdict(hits: Sequence[bool]) -> str:
    """reproduced when all hold, partly when at least half, else not reproduced."""
    if all(hits):
        return "reproduced"
    return "partly reproduced" if np.mean(hits) >= 0.5 else "not reproduced"


def converged(drift: pd.Series) -> pd.Series:
    """Which fits passed the convergence gate: ``drift`` (their
    :func:`~wgan.experiments.lipschitz.projected_drift`) at most :data:`GATE_DRIFT`."""
    return drift <= GATE_DRIFT


def counted(rows: pd.DataFrame) -> pd.Series:
    """Which fits count: passed the gate (:data:`GATE_DRIFT`), estimate above
    :data:`ZERO_SE` standard errors, exact critic's estimate positive.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of :func:`wgan.experiments.lipschitz.population_estimates` (``drift``,
        ``estimate``, ``se``, ``exact``).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``rows``.
    """
    return (converged(rows["drift"]) & (rows["estimate"] >= ZERO_SE * rows["se"])
            & (rows["exact"] > 0))


def constant_k_cells(table: pd.DataFrame) -> pd.DataFrame:
    """Is K constant over each family, per constraint? One row per (family, constraint).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`wgan.experiments.lipschitz.population_estimates` (columns ``family``,
        ``constraint``, ``pair``, ``seed``, ``estimate``, ``se``, ``exact``, ``k_paired``,
        ``k_linear``, ``drift``).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``family``, ``constraint``): ``status`` (one of
        :data:`CELL_STATUSES`), ``k_mean`` (mean K over the counted fits, estimate / the
        exact critic's estimate on the same sample), ``k_linear`` (the box's linear
        critic, NaN when none applies), ``ratio`` (mean over seeds of max/min K over the
        pairs), ``ratio_low``, ``ratio_high`` (its t-interval), ``ratio_text``
        (:meth:`~wgan.quality.seeds.SeedInterval.describe`), ``seeds`` (seeds with every
        pair counted), ``fits``, ``unconverged`` and ``unmeasurable`` (fits failing the
        gate; fits with an estimate within :data:`ZERO_SE` standard errors of 0).
    """
    rows = {}
    for (family, constraint), group in table.groupby(["family", "constraint"], sort=False):
        valid = counted(group)
        passed = converged(group["drift"])
        per_seed = []
        for _, fits in group.groupby("seed", sort=True):
            ok = counted(fits)
            k = fits["k_paired"]
            per_seed.append(float(k.max() / k.min()) if ok.all() else math.nan)
        interval = t_interval(per_seed)
        k_pair = group[valid].groupby("pair")["k_paired"].mean()
        k_linear = float(group["k_linear"].max()) if group["k_linear"].notna().any() else math.nan
        if interval.n < MIN_SEEDS:
            status = ("not converged" if (~passed).any() else "no measurable estimate")
        elif math.isfinite(k_linear) and k_pair.min() < (1 - LINEAR_MEMBER_SLACK) * k_linear:
            status = "condition not met"
        elif interval.high <= K_RATIO_LIMIT:
            status = "constant"
        elif interval.low > K_RATIO_LIMIT:
            status = "varying"
        else:
            status = "undecided"
        rows[(family, constraint)] = {
            "status": status,
            "k_mean": float(group.loc[valid, "k_paired"].mean()) if valid.any() else math.nan,
            "k_linear": k_linear, "ratio": interval.mean, "ratio_low": interval.low,
            "ratio_high": interval.high, "ratio_text": interval.describe(),
            "seeds": interval.n, "fits": len(group), "unconverged": int((~passed).sum()),
            "unmeasurable": int((passed & ~valid).sum()),
        }
    cells = pd.DataFrame.from_dict(rows, orient="index")
    cells.index.names = ["family", "constraint"]
    return cells


UNTESTABLE = ("not converged", "no measurable estimate")
"""Statuses of :func:`constant_k_cells` for a cell the experiment could not test: too few
seeds with converged, measurable fits for every pair."""


def constant_k_verdict(cells: pd.DataFrame, clip_labels: Sequence[str],
                       scale: Scale) -> Judgement:
    """Verdict on ``clip-constant-k`` from the clipped cells of :func:`constant_k_cells`.

    Adequacy: at least one clipped cell is testable, i.e. has :data:`MIN_SEEDS` seeds in
    which every pair's fit passed the convergence gate (:data:`GATE_DRIFT`) with a
    measurable estimate (its status is not one of :data:`UNTESTABLE`); otherwise the
    verdict is *not tested at this scale*, whatever the scale. Counted cells are those
    judged ``constant``, ``varying`` or ``undecided``. *Reproduced* when every counted cell
    is constant; *not reproduced* when none is and at least one varies; *partly
    reproduced* otherwise when at least one is constant; *not tested* when no counted cell
    is decided (all undecided, or none counted), and at ``smoke``.

    Parameters
    ----------
    cells : pandas.DataFrame
        From :func:`constant_k_cells`.
    clip_labels : sequence of str
        The constraints judged (the clip values).
    scale : Scale

    Returns
    -------
    Judgement
    """
    clipped = cells[cells.index.get_level_values("constraint").isin(list(clip_labels))]
    if clipped.empty:
        raise ValueError(
            "The 'cells' parameter of constant_k_verdict has no cell of the constraints "
            f"{list(clip_labels)!r}.")
    parts = []
    for (family, constraint), row in clipped.iterrows():
        k = f"K {row.k_mean:.3g}" if math.isfinite(row.k_mean) else "no K"
        linear = (f", box's linear critic K {row.k_linear:.3g}"
                  if math.isfinite(row.k_linear) else "")
        parts.append(f"{constraint} on {family}: {row.status} ({k}{linear}; max/min K "
                     f"{row.ratio_text}; {row.unconverged} of {row.fits} fits unconverged, "
                     f"{row.unmeasurable} with an estimate about 0)")
    status = clipped["status"]
    n_constant, n_varying = int((status == "constant").sum()), int((status == "varying").sum())
    counted = int(status.isin(COUNTED).sum())
    text = (f"{counted} of {len(clipped)} clipped cells counted ({n_constant} constant, "
            f"{n_varying} varying, {counted - n_constant - n_varying} undecided; limit "
            f"max/min K <= {K_RATIO_LIMIT}). " + "; ".join(parts))
    testable = ~status.isin(UNTESTABLE)
    adequate = bool(testable.any())
    adequacy = (f"{int(testable.sum())} of {len(clipped)} clipped cells have {MIN_SEEDS} seeds "
                f"in which every pair's fit converged (projected drift <= {GATE_DRIFT:.0%}) "
                f"with an estimate above {ZERO_SE:g} standard errors; "
                f"{int(clipped['unconverged'].sum())} of {int(clipped['fits'].sum())} "
                "clipped fits did not converge")
    if not adequate:
        adequacy += ("; no cell can be judged: longer fits, that pass the convergence gate, "
                     "would test the claim")
        return Judgement(NOT_TESTED, text, adequate, adequacy)
    if scale.name == "smoke" or n_constant + n_varying == 0:
        verdict = NOT_TESTED
    elif n_constant == counted:
        verdict = "reproduced"
    elif n_constant == 0:
        verdict = "not reproduced"
    else:
        verdict = "partly reproduced"
    return Judgement(verdict, text, adequate, adequacy)


def large_slow_verdict(table: pd.DataFrame, scale: Scale, *, large: str = "clip c=0.1",
                       small: str = "clip c=0.01") -> Judgement:
    """Verdict on ``clip-large-slow``: per family, the median iterations to 90% of the
    final estimate at ``large`` against ``small`` (over pairs and seeds).

    *Reproduced* when ``large`` needs more iterations in every family, *partly* in at
    least half, else *not reproduced*; *not tested* at ``smoke``.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``family``, ``constraint``, ``steps_to_90``.
    scale : Scale

    Returns
    -------
    Judgement
    """
    steps = table.groupby(["family", "constraint"], sort=False)["steps_to_90"].median()
    steps = steps.unstack("constraint")
    slower = steps[large] > steps[small]
    text = f"median iterations to 90% of the final estimate, {large} vs {small}: " + "; ".join(
        f"{family}: {steps.loc[family, large]:.0f} vs {steps.loc[family, small]:.0f}"
        for family in steps.index)
    if scale.name == "smoke":
        return Judgement(NOT_TESTED, text)
    return Judgement(_ratio_verdict(list(slower)), text)


def _layer_ratio(values: Sequence[float]) -> float:
    """Gradient norm at layer 1 over the last layer's; NaN when the last is 0."""
    first, last = float(values[0]), float(values[-1])
    return first / last if last > 0 else math.nan


def small_vanishing_verdict(layer_norms: Mapping[str, Sequence[Sequence[float]]], scale: Scale,
                            *, judged: Sequence[str] = ("clip c=0.01", "clip c=0.001"),
                            hidden: int | None = None) -> Judgement:
    """Verdict on ``clip-small-vanishing``: gradient norm at layer 1 over the last layer.

    *Reproduced* when the ratio is below :data:`VANISHING_RATIO` in every seed for every
    clip value of ``judged``, *partly* when so for some clip value, else *not reproduced*
    (a ratio that does not exist, both norms 0, counts as not vanishing: it says nothing);
    *not tested* at ``smoke``.

    Parameters
    ----------
    layer_norms : mapping of str to sequence of sequence of float
        Constraint label -> per seed, the gradient norm at each layer, input side first.
    scale : Scale
    judged : sequence of str
    hidden : int or None
        Width of the critic, for the text.

    Returns
    -------
    Judgement
    """
    ratios = {label: [_layer_ratio(values) for values in per_seed]
              for label, per_seed in layer_norms.items()}
    depth = len(next(iter(layer_norms.values()))[0])
    width = f" of width {hidden}" if hidden is not None else ""
    text = (f"gradient norm at layer 1 / layer {depth} of a deep critic{width} on the Swiss "
            "roll, per seed: " + "; ".join(
                f"{label} " + ", ".join(f"{value:.2e}" if math.isfinite(value) else
                                        "no ratio (the last layer's norm is 0)"
                                        for value in values)
                for label, values in ratios.items()))
    if scale.name == "smoke":
        return Judgement(NOT_TESTED, text)
    hits = [all(math.isfinite(r) and r < VANISHING_RATIO for r in ratios[label])
            for label in judged]
    verdict = ("reproduced" if all(hits) else "partly reproduced" if any(hits)
               else "not reproduced")
    return Judgement(verdict, text)


def _log_spread(values: Sequence[float]) -> float:
    """log10 of max / min of the norms over the layers; inf when a norm is 0."""
    array = np.asarray(values, dtype=np.float64)
    return float(np.log10(array.max() / array.min())) if array.min() > 0 else math.inf


def gp_norms_verdict(layer_norms: Mapping[str, Sequence[Sequence[float]]], scale: Scale, *,
                     penalised: str = "gradient penalty",
                     compared: str = "clip c=0.1") -> Judgement:
    """Verdict on ``gp-gradient-norms``: max / min of the penalised critic's gradient norms
    over the layers, over seeds.

    *Reproduced* when the 95% t-interval over seeds of log10(max / min) lies at or below
    log10 :data:`GP_NORM_SPREAD` (within one order of magnitude); *not reproduced*
    otherwise, also when a seed's norm is 0 (no ratio: the norms vanished) or fewer than
    two seeds give an interval; *not tested* at ``smoke``.

    Parameters
    ----------
    layer_norms : mapping of str to sequence of sequence of float
        Constraint label -> per seed, the gradient norm at each layer.
    scale : Scale

    Returns
    -------
    Judgement
    """
    gp = [_log_spread(values) for values in layer_norms[penalised]]
    other = [_log_spread(values) for values in layer_norms[compared]]
    vanished = sum(not math.isfinite(v) for v in gp)
    interval = t_interval(v for v in gp if math.isfinite(v))
    other_interval = t_interval(v for v in other if math.isfinite(v))
    text = (f"penalised deep critic: log10 of max/min gradient norm over the layers "
            f"{interval.describe('.2f')}"
            + (f", a norm of 0 in {vanished} seeds" if vanished else "")
            + f" ({compared}: {other_interval.describe('.2f')}); limit "
            f"log10 {GP_NORM_SPREAD:g} = {math.log10(GP_NORM_SPREAD):g}")
    if scale.name == "smoke":
        return Judgement(NOT_TESTED, text)
    holds = (not vanished and interval.has_interval
             and interval.high <= math.log10(GP_NORM_SPREAD))
    return Judgement("reproduced" if holds else "not reproduced", text)


def simple_functions_verdict(surface_table: pd.DataFrame, scale: Scale, *,
                             clipped: str = "clip c=0.01",
                             penalised: str = "gradient penalty") -> Judgement:
    """Verdict on ``clip-simple-functions``, over the seeds whose critics converged.

    Adequacy: WGAN-GP's Figure 1(a) shows critics trained to optimality, so on each problem
    only the seeds in which both the clipped and the penalised critic passed the
    convergence gate (``drift`` at most :data:`GATE_DRIFT`) are read, and the claim is
    tested only when every problem has :data:`MIN_SEEDS` of them; otherwise the verdict is
    *not tested at this scale*, whatever the scale (a problem with too few is described
    over all its seeds, and not judged). On each problem, over those seeds: the
    clipped critic *saturates* when the 95% t-interval of its share of weights at the box's
    edge lies above :data:`EDGE_SHARE`; the penalised critic *follows the data better* when
    the t-interval of its gradient cosine minus the clipped one's (paired by seed) lies
    above 0. *Reproduced* when both hold on every problem; *partly* when one of the two
    holds on every problem; else *not reproduced*; *not tested* at ``smoke``.

    Parameters
    ----------
    surface_table : pandas.DataFrame
        Indexed by (``data``, ``constraint``, ``seed``), columns ``at the box edge``,
        ``cosine`` and ``drift`` (:func:`~wgan.experiments.lipschitz.projected_drift` of
        the fit).
    scale : Scale

    Returns
    -------
    Judgement
    """
    saturated, follows, parts, gates = [], [], [], []
    adequate = True
    for name in surface_table.index.unique("data"):
        rows = surface_table.xs(name, level="data")
        clip_rows = rows.xs(clipped, level="constraint")
        gp_rows = rows.xs(penalised, level="constraint")
        both = converged(clip_rows["drift"]) & converged(gp_rows["drift"])
        tested = int(both.sum()) >= MIN_SEEDS
        adequate = adequate and tested
        seeds = both.index[both] if tested else both.index  # all seeds: shown, not judged
        edge = t_interval(clip_rows.loc[seeds, "at the box edge"])
        gain = t_interval(gp_rows.loc[seeds, "cosine"] - clip_rows.loc[seeds, "cosine"])
        saturated.append(edge.has_interval and edge.low > EDGE_SHARE)
        follows.append(gain.has_interval and gain.low > 0)
        read = "over its converged seeds" if tested else "over all seeds, not judged"
        parts.append(f"{name} ({read}): clipped weights at the edge {edge.describe('.2f')}; "
                     f"gradient cosine, penalty minus clip, {gain.describe('+.3f')}")
        drift = {label: ", ".join(f"{value:.2f}" if math.isfinite(value) else "unmeasured"
                                  for value in table["drift"])
                 for label, table in (("clip", clip_rows), ("penalty", gp_rows))}
        gates.append(f"{name} {int(both.sum())} of {len(both)} (projected drift per seed: "
                     f"clip {drift['clip']}; penalty {drift['penalty']})")
    text = "; ".join(parts)
    adequacy = (f"seeds in which both critics converged (projected drift <= "
                f"{GATE_DRIFT:.0%}): " + "; ".join(gates))
    if not adequate:
        adequacy += (f"; a problem needs {MIN_SEEDS}: longer fits, that pass the convergence "
                     "gate, would test the claim")
        return Judgement(NOT_TESTED, text, adequate, adequacy)
    if scale.name == "smoke":
        return Judgement(NOT_TESTED, text, adequate, adequacy)
    verdict = ("reproduced" if all(saturated) and all(follows)
               else "partly reproduced" if all(saturated) or all(follows)
               else "not reproduced")
    return Judgement(verdict, text, adequate, adequacy)


def gp_closed_form_check(sweep: pd.DataFrame) -> pd.DataFrame:
    """The lambda sweep against K* = 1 + W / (2 lambda), per lambda.

    For every counted fit (gate passed, estimate measurable), r = (K - 1) / (W / (2
    lambda)) with K = estimate / the exact critic's estimate on the same sample: 1 at the
    penalised linear optimum, 0 for a critic with K = 1. Averaged over the pairs per seed,
    then over seeds (t-interval).

    Parameters
    ----------
    sweep : pandas.DataFrame
        From :func:`wgan.experiments.lipschitz.lambda_sweep`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lambda``: ``fits``, ``counted``, ``k_mean``, ``k_star_mean`` (the
        closed form's mean over the pairs), ``r_mean``, ``r_text``
        (:meth:`~wgan.quality.seeds.SeedInterval.describe`) and ``agrees`` ("yes", "no",
        or "no counted fit"; yes when ``r_mean`` is within
        :data:`GP_CLOSED_FORM_TOLERANCE` of 1).
    """
    rows = {}
    for weight, group in sweep.groupby("gp_weight", sort=True):
        valid = group[counted(group)]
        r = (valid["k_paired"] - 1) / (valid["w"] / (2 * weight))
        per_seed = r.groupby(valid["seed"]).mean().reindex(sorted(group["seed"].unique()))
        interval = t_interval(per_seed.to_numpy())
        agrees = ("no counted fit" if interval.n == 0
                  else "yes" if abs(interval.mean - 1) <= GP_CLOSED_FORM_TOLERANCE else "no")
        rows[float(weight)] = {
            "fits": len(group), "counted": len(valid),
            "k_mean": float(valid["k_paired"].mean()) if len(valid) else math.nan,
            "k_star_mean": float((1 + group["w"] / (2 * weight)).mean()),
            "r_mean": interval.mean, "r_text": interval.describe(), "agrees": agrees,
        }
    check = pd.DataFrame.from_dict(rows, orient="index")
    check.index.name = "lambda"
    return check
