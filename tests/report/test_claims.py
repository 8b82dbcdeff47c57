"""Tests for the claims ledger."""

import pytest

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, ledger, report


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path))


def test_ledger_shows_reported_number_and_marks_the_rest_not_run():
    report("example1", measured="max error 0.01", verdict="reproduced", scale=Scale("quick"))
    table = ledger(Scale("quick")).set_index("chapter")
    row = table.loc["01_distances"]
    assert row["measured"] == "max error 0.01" and row["verdict"] == "reproduced"
    others = ledger(Scale("quick")).query("chapter != '01_distances'")
    assert (others["verdict"] == "chapter not run at this scale").all()
    assert len(ledger(Scale("quick"))) == len(CLAIMS)


def test_ledger_keeps_scales_apart():
    report("example1", measured="x", verdict="reproduced", scale=Scale("smoke"))
    assert (ledger(Scale("quick"))["verdict"] == "chapter not run at this scale").all()


def test_report_rejects_unknown_claim_and_verdict():
    with pytest.raises(ValueError, match="Unknown claim 'nope'"):
        report("nope", measured="1", verdict="reproduced", scale=Scale("smoke"))
    with pytest.raises(ValueError, match="'verdict' parameter must be one of"):
        report("example1", measured="1", verdict="sort of", scale=Scale("smoke"))


def test_expect_raises_outside_a_dry_run_and_says_so_inside(capsys):
    from wgan.report.claims import expect

    paper, dry = Scale("paper"), Scale("paper", dry=True)
    assert expect(True, "never shown", scale=paper) is True
    with pytest.raises(AssertionError, match="the critic is far from linear"):
        expect(False, "the critic is far from linear", scale=paper)
    assert expect(False, "the critic is far from linear", scale=dry) is False
    assert capsys.readouterr().out == (
        "DRY RUN: check not met (capped counts make no result): the critic is far from linear\n")
