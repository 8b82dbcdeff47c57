"""Chapter 8's figures (K within each cell, the digit runs' curves, the clip sweep), on
hand-made measures."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from wgan.experiments.lipschitz_verdicts import K_RATIO_LIMIT, constant_k_cells, counted
from wgan.plan.scale import Scale
from wgan.report.lipschitz import curve_panels, k_spread_figure, per_seed_ratios, sweep_figure
from wgan.report.provenance import provenance

CLIPS = (0.001, 0.01, 0.1)
SCALES = {"clip c=0.01": 1e-6, "gradient penalty": 1.05}  # K, ten decades apart
COLORS = {"clip c=0.01": "C0", "gradient penalty": "C3"}


def fits(drift: float = 0.01) -> pd.DataFrame:
    """Two families x two constraints x three pairs x three seeds: K grows by 10% per pair,
    seed s multiplies it by 1 + s / 100; the clipped fits of family B have ``drift``."""
    rows = [
        {"family": family, "constraint": constraint, "pair": pair, "seed": seed, "w": w,
         "k_paired": k * (1 + 0.1 * pair) * (1 + seed / 100), "estimate": k * w,
         "se": 1e-3 * k, "exact": w, "k_linear": math.nan,
         "drift": drift if (family, constraint) == ("B", "clip c=0.01") else 0.01}
        for family in ("A", "B") for constraint, k in SCALES.items()
        for pair, w in enumerate((0.5, 1.0, 2.0)) for seed in range(3)
    ]
    return pd.DataFrame(rows)


def test_per_seed_ratios_are_max_over_min_k_of_the_seeds_whose_fits_all_count() -> None:
    table = fits(drift=0.5)
    ratios = per_seed_ratios(table, counted(table))
    assert ("B", "clip c=0.01", 0) not in ratios.index  # its fits failed the gate
    assert len(ratios) == 3 * 3
    np.testing.assert_allclose(ratios.to_numpy(), 1.2)  # (1 + 0.2) / 1 in every seed


def test_k_spread_figure_draws_k_relative_to_its_cell_and_the_verdicts_limit() -> None:
    table = fits(drift=0.5)
    cells = constant_k_cells(table)
    fig = k_spread_figure(table, counted(table), cells, COLORS,
                          provenance(Scale("smoke"), "cpu", 0))
    *top, bottom = fig.axes
    assert [ax.get_title() for ax in top] == ["A", "B"]
    for ax in top:  # K / the cell's median: 1/1.1, 1, 1.2/1.1 whatever the constraint's K
        assert ax.get_yscale() == "log"
        low, high = ax.get_ylim()
        assert 0.8 < low < 0.91 and 1.09 < high < 1.25  # ten decades would not fit
        for line in ax.get_lines()[1:]:
            np.testing.assert_allclose(line.get_ydata(), [1 / 1.1, 1.0, 1.2 / 1.1])
    assert [len(ax.get_lines()) for ax in top] == [3, 2]  # B's clipped fits are not drawn
    assert [label.get_text() for label in bottom.get_xticklabels()] == list(COLORS) * 2
    limits = [line for line in bottom.get_lines()
              if list(line.get_ydata()) == [K_RATIO_LIMIT, K_RATIO_LIMIT]]
    assert len(limits) == 1
    texts = [text.get_text() for text in bottom.texts]
    assert "not converged" in texts and f" limit {K_RATIO_LIMIT:g}" in texts
    dots = [c for c in bottom.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in dots) == 9  # per-seed dots of counted cells
    assert {str(label.get_text()) for label in bottom.get_yticklabels()} >= {"1", "1.25"}
    plt.close(fig)


def curves() -> dict[tuple[str, int], pd.DataFrame]:
    estimate = {"clip": 1e-4, "gp": 20.0, "sn": 2.0}
    return {(method, s): pd.DataFrame({"gen_iter": [0, 10], "pixel_w1": [9.0, 6.0],
                                       "classes_covered": [2, 9],
                                       "estimate": [estimate[method], estimate[method] / 2]})
            for method in estimate for s in (0, 1)}


def test_curve_panels_give_the_clipped_estimate_its_own_axis() -> None:
    fig, axes = plt.subplots(1, 4)
    colors = {"clip": "C0", "gp": "C3", "sn": "C2"}
    labels = {"clip": "clip c=0.01", "gp": "gradient penalty", "sn": "spectral norm"}
    curve_panels(axes, curves(), colors, labels, seed=0, floor=4.0)
    shared, own = axes[2], axes[3]
    assert {line.get_color() for line in own.get_lines()} == {"C0"}
    assert {line.get_color() for line in shared.get_lines()} == {"C3", "C2"}
    assert own.get_ylim()[1] < 1e-3 < 1 < shared.get_ylim()[1]
    assert own.get_title() == "critic's estimate\nclip c=0.01 (its own scale)"
    assert shared.get_title() == "critic's estimate\ngradient penalty, spectral norm"
    assert [text.get_text() for text in axes[0].get_legend().get_texts()] == [
        "clip c=0.01 (2 seeds)", "gradient penalty (2 seeds)", "spectral norm (2 seeds)"]
    assert len(axes[0].get_lines()) == 7  # six runs and the floor
    fig.canvas.draw()
    assert own.yaxis.get_offset_text().get_text() == "1e−4"  # not five decimals per tick
    single = {key: curve for key, curve in curves().items() if key[1] == 0}
    curve_panels(plt.subplots(1, 4)[1], single, colors, labels, seed=0, floor=4.0)
    assert plt.gcf().axes[0].get_legend().get_texts()[0].get_text() == "clip c=0.01 (1 seed)"
    plt.close("all")
    with pytest.raises(ValueError, match="'axes' parameter of curve_panels must hold four"):
        curve_panels(axes[:3], curves(), colors, labels, seed=0, floor=4.0)


def measures() -> tuple[dict[float, pd.DataFrame], pd.DataFrame]:
    curves = {c: pd.DataFrame({"gen_iter": [0, 5, 10], "modes": [1, 4, 8],
                               "w1": [2.0, 1.0, c]}) for c in CLIPS}
    table = pd.DataFrame({"grad_norm_median": [1e-3, 0.0, 2.0]},
                         index=pd.Index(CLIPS, name="clip value"))
    return curves, table


def test_sweep_figure_draws_one_line_per_clip_value_and_the_gradient_norms() -> None:
    curves, table = measures()
    record = provenance(Scale("smoke"), "cpu", 0)
    fig = sweep_figure(curves, table, (("modes", "modes covered"), ("w1", "W1")), record,
                       floor=0.5, log_second=True)
    first, second, norms = fig.axes
    assert [ax.get_title() for ax in fig.axes] == [
        "modes covered", "W1", "median gradient norm of the critic"]
    assert [line.get_label() for line in second.get_lines()] == ["c = 0.001", "c = 0.01",
                                                                  "c = 0.1"]
    np.testing.assert_array_equal(second.get_lines()[1].get_ydata(), [2.0, 1.0, 0.01])
    assert len(first.get_lines()) == 4  # three runs and the floor
    assert second.get_yscale() == "log" and first.get_yscale() == "linear"
    assert (norms.get_xscale(), norms.get_yscale()) == ("log", "log")
    np.testing.assert_array_equal(norms.get_lines()[0].get_ydata(), [1e-3, 1e-30, 2.0])
    assert any(record.tag == text.get_text() for text in fig.texts)
    plt.close(fig)


def test_sweep_figure_needs_two_panels() -> None:
    curves, table = measures()
    with pytest.raises(ValueError, match="'panels' parameter of sweep_figure must hold two"):
        sweep_figure(curves, table, (("modes", "modes"),), provenance(Scale("smoke"), "cpu", 0))
