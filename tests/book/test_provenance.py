"""Tests for wgan.book.provenance and wgan.book.scales."""

import html

import pytest

from wgan.book.provenance import provenance
from wgan.book.scales import pick


def test_provenance_line_names_scale_device_seed_and_commit():
    record = provenance("smoke", "cpu", 7, dataset="digits")
    line = record.line()
    for part in ("scale=smoke", "dataset=digits", "device=cpu", "seed=7", "commit=", "torch="):
        assert part in line
    assert record.tag == "scale smoke · digits · cpu · seed 7"


def test_provenance_rejects_unknown_scale():
    with pytest.raises(ValueError, match="'scale' parameter must be one of 'smoke'"):
        provenance("huge", "cpu", 0)


def test_provenance_refuses_cuda_without_gpu(monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU is visible"):
        provenance("smoke", "cuda", 0)


def test_pick_returns_the_value_of_the_scale():
    assert pick("paper", smoke=1, quick=2, paper=3) == 3


def test_provenance_box_is_an_admonition_with_every_field_and_a_wall_time_slot():
    from wgan.book.provenance import WALL_TIME_MARKER

    record = provenance("smoke", "cpu", 3, dataset="digits <16x16>")
    box = record._repr_html_()
    assert box.startswith('<div class="admonition note wgan-provenance">')
    for key, value in record.rows():
        assert f"<tr><th>{key}</th><td>{html.escape(value)}</td></tr>" in box
    assert "<td>digits &lt;16x16&gt;</td>" in box, "values must be HTML-escaped"
    assert f"<th>wall time</th><td {WALL_TIME_MARKER}>" in box
    assert [key for key, _ in record.rows()] == [
        "scale", "data", "device", "seed", "commit", "versions"
    ]


def test_dry_run_says_so_in_the_tag_the_line_and_the_box(monkeypatch):
    from wgan.book.scales import DRY_RUN_NOTE, DRY_RUN_VARIABLE

    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    record = provenance("paper", "cpu", 0, dataset="lsun")
    assert record.tag.startswith("DRY RUN (not results) · scale paper")
    assert record.line().startswith("DRY RUN (counts capped, not results): scale=paper")
    assert record.rows()[0] == ("dry run", DRY_RUN_NOTE)
    box = record._repr_html_()
    assert box.startswith('<div class="admonition warning wgan-provenance">')
    assert "a dry run, not results" in box
    assert html.escape(DRY_RUN_NOTE) in box
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    assert "DRY RUN" not in provenance("paper", "cpu", 0)._repr_html_()
