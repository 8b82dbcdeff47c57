"""Sample grids and the curve-with-samples layout of Figures 4 and 5."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from wgan.quality.along_run import generate
from wgan.report.sheets import curves_with_samples, image_grid, show_samples
from wgan.training.config import TrainConfig
from wgan.training.run import train


def test_image_grid_tiles_images_with_padding() -> None:
    images = torch.stack([torch.full((1, 2, 2), v) for v in (-1.0, 1.0, 0.0, 1.0)])
    grid = image_grid(images, nrow=2, padding=1)
    assert grid.shape == (7, 7, 3)  # 2 images of 2 pixels + 3 lines of padding per side
    np.testing.assert_allclose(grid[1, 1], [0.0, 0.0, 0.0])  # -1 -> black
    np.testing.assert_allclose(grid[1, 4], [1.0, 1.0, 1.0])  # +1 -> white
    np.testing.assert_allclose(grid[4, 1], [0.5, 0.5, 0.5])  # 0 -> grey
    np.testing.assert_allclose(grid[0], 1.0)  # white padding


def test_image_grid_reads_uint8_and_defaults_to_a_square() -> None:
    images = torch.full((9, 3, 4, 4), 255, dtype=torch.uint8)
    grid = image_grid(images, padding=0)
    assert grid.shape == (12, 12, 3)
    np.testing.assert_allclose(grid, 1.0)


def test_image_grid_rejects_two_channel_images() -> None:
    with pytest.raises(ValueError, match=r"with C = 1 or 3\. Got shape"):
        image_grid(torch.zeros(2, 2, 4, 4))


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WGAN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        base = TrainConfig(
            dataset="digits", image_size=16, generator="mlp", critic="mlp", mlp_hidden=8,
            nz=4, batch_size=8, n_critic=1, critic_warmup=False, generator_iters=4,
            snapshot_every=2, sample_every=2, checkpoint_every=2, device="cpu",
        )
        root = tmp_path_factory.mktemp("runs")
        return {"wgan": train(base, root / "wgan"),
                "gan": train(base.replace(algorithm="gan"), root / "gan")}


def test_show_samples_draws_the_seeded_samples(tiny_runs) -> None:
    fig, ax = plt.subplots()
    images = show_samples(ax, tiny_runs["wgan"], 2, 9, seed=4, title="t")
    assert torch.equal(images, generate(tiny_runs["wgan"], 2, 9, seed=4))
    assert ax.get_title() == "t" and len(ax.images) == 1
    plt.close(fig)


def test_curves_with_samples_has_a_curve_and_grids_per_run(tiny_runs, tmp_path: Path) -> None:
    fig = curves_with_samples(tiny_runs, "loss_g", "loss", 1, n_grids=3, n_samples=4,
                              reference=(0.5, "half"))
    axes = fig.get_axes()
    assert len(axes) == 2 * (1 + 3)
    assert [ax.get_title() for ax in axes[:4]] == ["wgan", "iteration 0", "iteration 2",
                                                  "iteration 4"]
    fig.savefig(tmp_path / "figure.png")
    plt.close(fig)


def test_curve_limits_let_isolated_spikes_run_off_the_panel() -> None:
    from wgan.report.curves import median_filter
    from wgan.report.sheets import _limits

    raw = np.linspace(1.0, 0.0, 500)
    raw[100] = 50.0  # one spike
    low, high = _limits(raw, median_filter(raw, 5), 5)
    assert high < 2.0 and low < 0.0 < 1.0 < high
