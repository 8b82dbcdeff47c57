"""Chapter 8's clip-sweep figure, on hand-made measures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from wgan.plan.scale import Scale
from wgan.report.lipschitz import sweep_figure
from wgan.report.provenance import provenance

CLIPS = (0.001, 0.01, 0.1)


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
