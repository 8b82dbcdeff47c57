"""Tests for the claims ledger."""

import pytest

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, KINDS, NO_INTERVAL, NOT_RUN, Claim, ledger, report


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


def test_ledger_groups_claims_by_kind_in_the_papers_order_within_a_kind():
    table = ledger(Scale("quick"))
    order = list(KINDS)
    assert list(table["kind"]) == sorted(table["kind"], key=order.index)
    for kind in KINDS:
        keys = [claim.key for claim in CLAIMS if claim.kind == kind]
        assert list(table.loc[table["kind"] == kind, "key"]) == keys


def test_ledger_takes_seeds_and_interval_from_the_record_else_says_so():
    scale = Scale("quick")
    report("gp-gradient-norms", measured="x", verdict="reproduced", scale=scale,
           seeds="3 (0-2)", interval="max/min 4 [2, 6], bootstrap over seeds, 95%")
    table = ledger(scale).set_index("key")
    assert table.loc["gp-gradient-norms", "seeds"] == "3 (0-2)"
    assert table.loc["gp-gradient-norms", "interval"].startswith("max/min 4 [2, 6]")
    declared = next(claim for claim in CLAIMS if claim.key == "clip-constant-k")
    assert table.loc["clip-constant-k", "seeds"] == declared.seeds
    assert table.loc["clip-constant-k", "interval"] == NO_INTERVAL
    assert table.loc["clip-constant-k", "verdict"] == NOT_RUN


def test_every_claim_has_a_kind_and_a_declared_test_rule_seeds_and_reason():
    for claim in CLAIMS:
        assert claim.kind in KINDS
        if claim.chapter in ("01_distances", "02_theory", "08_lipschitz"):
            assert claim.test and claim.rule and claim.seeds and claim.reason, claim.key
    kinds = {claim.key: claim.kind for claim in CLAIMS}
    for key in ("example1", "theorem1", "theorem2", "theorem3", "clip-large-slow",
                "clip-small-vanishing"):
        assert kinds[key] == "illustration", key
    assert kinds["gp-gradient-norms"] == kinds["clip-simple-functions"] == "later"


def test_the_up_to_k_sentence_has_one_claim_with_the_papers_condition():
    keys = [claim.key for claim in CLAIMS]
    assert "clipped-critic" not in keys  # chapter 2 shows it as an illustration
    constant_k = CLAIMS[keys.index("clip-constant-k")]
    assert "if the supremum" in constant_k.statement.lower()
    assert "capacity" in constant_k.statement


def test_a_claim_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="'kind' parameter of Claim must be one of"):
        Claim("k", "s", "w", "c", kind="anecdote")
