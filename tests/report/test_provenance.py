"""Tests for wgan.report.provenance."""

import html

import pytest

from wgan.plan.scale import DRY_RUN_NOTE, Scale
from wgan.report.provenance import provenance

SMOKE = Scale("smoke")


def test_provenance_line_names_scale_device_seed_and_commit():
    record = provenance(SMOKE, "cpu", 7, dataset="digits")
    line = record.line()
    for part in ("scale=smoke", "dataset=digits", "device=cpu", "seed=7", "commit=", "torch="):
        assert part in line
    assert record.tag == "scale smoke · digits · cpu · seed 7"


def test_provenance_refuses_a_scale_name():
    with pytest.raises(ValueError, match=r"'scale' parameter of Provenance must be a "
                                         r"wgan\.plan\.scale\.Scale"):
        provenance("smoke", "cpu", 0)  # type: ignore[arg-type]


def test_provenance_refuses_cuda_without_gpu(monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU is visible"):
        provenance(SMOKE, "cuda", 0)


def test_provenance_box_is_an_admonition_with_every_field_and_a_wall_time_slot():
    from wgan.report.provenance import WALL_TIME_MARKER

    record = provenance(SMOKE, "cpu", 3, dataset="digits <16x16>")
    box = record._repr_html_()
    assert box.startswith('<div class="admonition note wgan-provenance">')
    for key, value in record.rows():
        assert f"<tr><th>{key}</th><td>{html.escape(value)}</td></tr>" in box
    assert "<td>digits &lt;16x16&gt;</td>" in box, "values must be HTML-escaped"
    assert f"<th>wall time</th><td {WALL_TIME_MARKER}>" in box
    assert [key for key, _ in record.rows()] == [
        "scale", "data", "device", "seed", "commit", "versions"
    ]


def test_dry_run_says_so_in_the_tag_the_line_and_the_box():
    record = provenance(Scale("paper", dry=True), "cpu", 0, dataset="lsun")
    assert record.tag.startswith("DRY RUN (not results) · scale paper")
    assert record.line().startswith("DRY RUN (counts capped, not results): scale=paper")
    assert record.rows()[0] == ("dry run", DRY_RUN_NOTE)
    box = record._repr_html_()
    assert box.startswith('<div class="admonition warning wgan-provenance">')
    assert "a dry run, not results" in box
    assert html.escape(DRY_RUN_NOTE) in box
    assert "DRY RUN" not in provenance(Scale("paper"), "cpu", 0)._repr_html_()


def test_image_provenance_names_the_data_and_the_image_size(monkeypatch):
    from wgan.experiments.images import LSUN_ROOT_VARIABLE, SCALES, image_data
    from wgan.report.provenance import image_provenance

    monkeypatch.delenv(LSUN_ROOT_VARIABLE, raising=False)
    record = image_provenance(SMOKE, "cpu", 3)
    size = SCALES["smoke"].image_size
    assert (record.scale, record.device, record.seed) == (SMOKE, "cpu", 3)
    assert record.dataset == f"{image_data(SMOKE).note}, {size}x{size}"


def test_a_page_with_runs_says_where_each_family_trained(monkeypatch):
    # Without a GPU every family trains on the CPU; the notebook's own device row is unchanged.
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    record = provenance(SMOKE, "auto", 0, dataset="toy", families=("toy", "conv"))
    assert record.tag == "scale smoke · toy · cpu · seed 0"
    assert ("runs trained on", "toy networks: cpu; conv networks: cpu") in record.rows()
    assert "runs=[toy networks: cpu; conv networks: cpu]" in record.line()
    # On a GPU machine under auto, a toy page's runs trained on the CPU (the placement rule),
    # whatever device its notebook computes on; a page of both says both.
    monkeypatch.setattr("torch.cuda.is_available", lambda: True)
    monkeypatch.setattr("torch.cuda.get_device_name", lambda device=None: "a GPU")
    toy = provenance(SMOKE, "auto", 0, dataset="toy", families=("toy",))
    assert toy.resolved_device.type == "cuda"
    assert toy.tag == "scale smoke · toy · cpu · seed 0"
    both = provenance(SMOKE, "auto", 0, dataset="toy", families=("toy", "conv"))
    assert both.tag == "scale smoke · toy · cpu+cuda · seed 0"
    assert both.runs_line() == "toy networks: cpu; conv networks: cuda"
    # An explicit device puts every run there.
    assert provenance(SMOKE, "cuda", 0, families=("toy",)).runs_line() == "toy networks: cuda"
