"""Tests for wgan.report.ledger, the claims ledger page."""

import html
import re

import pandas as pd
import pytest

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, KINDS, NOT_RUN, ledger, report
from wgan.report.ledger import (
    ILLUSTRATION_SHOWN,
    KIND_TITLES,
    LEDGER_COLUMNS,
    book_chapters,
    ledger_counts,
    ledger_html,
    ledger_summary,
    shown_verdict,
    verdict_badge,
)


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))


def test_book_chapters_lists_the_executed_notebooks_of_the_toc(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: A\n    chapters:\n      - file: book/executed/01_distances\n"
        "      - file: book/algorithm\n"
        "  - caption: B\n    chapters:\n      - file: book/executed/99_claims\n"
    )
    assert book_chapters(toc) == {"01_distances", "99_claims"}


def test_book_chapters_is_empty_without_a_toc(tmp_path):
    assert book_chapters(tmp_path / "missing.yml") == set()


def test_ledger_html_has_one_row_per_claim_and_links_only_built_chapters():
    report("example1", measured="EM within 0.01", verdict="reproduced", scale=Scale("smoke"))
    page = ledger_html(ledger(Scale("smoke")), linked={"01_distances"})
    kinds = {claim.kind for claim in CLAIMS}
    assert page.count("<tr>") == len(CLAIMS) + len(kinds)  # a header row per kind's table
    assert '<a href="01_distances.html">01_distances</a>' in page
    assert "<td>EM within 0.01<br><small>no interval</small></td>" in page
    assert 'href="02_theory.html"' not in page and "<td>02_theory</td>" in page
    assert page.count("chapter not run at this scale") == len(CLAIMS) - 1


def test_ledger_html_escapes_every_cell():
    row = dict.fromkeys(LEDGER_COLUMNS, "x")
    row.update(claim="W < JS & more", measured="<script>alert(1)</script>", chapter="01_a",
               kind="empirical", interval="rho 0.5 [0.1, 0.9] <b>", seeds="5 & more")
    page = ledger_html(pd.DataFrame([row]), linked={"01_a"})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "W &lt; JS &amp; more" in page
    assert "[0.1, 0.9] &lt;b&gt;" in page and "5 &amp; more" in page


@pytest.mark.parametrize(
    ("verdict", "colour"),
    [("reproduced", "success"), ("partly reproduced", "warning"),
     ("not reproduced", "danger"), ("not tested at this scale", "muted"),
     ("chapter not run at this scale", "light")],
)
def test_verdict_badge_colours_each_verdict(verdict, colour):
    badge = verdict_badge(verdict)
    assert re.fullmatch(rf'<span class="sd-badge sd-bg-{colour} sd-bg-text-{colour}">'
                        rf"{verdict}</span>", badge)


def test_ledger_html_rejects_a_table_without_the_ledger_columns():
    columns = [name for name in LEDGER_COLUMNS if name not in ("verdict", "scale", "commit")]
    with pytest.raises(ValueError, match=r"'table' parameter of ledger_html must have .* "
                                         r"Missing \['verdict', 'scale', 'commit'\]"):
        ledger_html(pd.DataFrame({name: [] for name in columns}))


def test_ledger_html_gives_scale_and_commit_only_for_measured_claims():
    report("example1", measured="m", verdict="reproduced", scale=Scale("quick"))
    page = ledger_html(ledger(Scale("quick")))
    assert page.count("<small>quick, <code>") == 1


def test_ledger_html_has_one_table_per_kind_in_the_order_of_the_kinds():
    page = ledger_html(ledger(Scale("smoke")))
    assert list(KIND_TITLES) == list(KINDS)
    positions = [page.index(f'data-kind="{kind}"') for kind in KINDS]
    assert positions == sorted(positions) and page.count("<table") == len(KINDS)
    for claim in CLAIMS:  # each claim sits in its kind's table
        start = page.index(f'data-kind="{claim.kind}"')
        end = min([p for kind in KINDS if (p := page.find(f'data-kind="{kind}"')) > start],
                  default=len(page))
        assert html.escape(claim.where) in page[start:end], claim.key


def test_ledger_html_shows_the_declared_test_rule_and_seeds_and_the_records_interval():
    report("clip-constant-k", measured="K 0.1", verdict="not reproduced", scale=Scale("quick"),
           seeds="1 (seed 0)", interval="K 0.1 [0.05, 0.2], t-interval over pairs, 95%")
    claim = next(c for c in CLAIMS if c.key == "clip-constant-k")
    page = ledger_html(ledger(Scale("quick")))
    assert "K 0.1 [0.05, 0.2], t-interval over pairs, 95%" in page
    assert "<td>1 (seed 0)</td>" in page
    for text in (claim.test, claim.rule):
        assert html.escape(text) in page


def test_an_illustration_is_shown_not_reproduced():
    report("theorem1", measured="bound holds", verdict="reproduced", scale=Scale("quick"))
    page = ledger_html(ledger(Scale("quick")))
    assert verdict_badge(ILLUSTRATION_SHOWN) in page
    assert "<small>its check: reproduced</small>" in page
    assert 'class="sd-badge sd-bg-success' not in page  # nothing else was reported
    assert shown_verdict("illustration", "not tested at this scale") == "not tested at this scale"
    assert shown_verdict("illustration", NOT_RUN) == NOT_RUN
    assert shown_verdict("empirical", "reproduced") == "reproduced"


def test_ledger_counts_reproductions_among_tested_claims_only():
    scale = Scale("quick")
    report("theorem1", measured="m", verdict="reproduced", scale=scale)
    report("example1", measured="m", verdict="reproduced", scale=scale)
    report("clip-constant-k", measured="m", verdict="not reproduced", scale=scale)
    report("gp-gradient-norms", measured="m", verdict="reproduced", scale=scale)
    table = ledger(scale)
    counts = ledger_counts(table)
    tested = sum(claim.kind != "illustration" for claim in CLAIMS)
    assert counts["tested"] == tested
    assert counts["reproduced"] == 1 and counts["not reproduced"] == 1
    assert counts[NOT_RUN] == tested - 2
    assert counts["illustrations"] == len(CLAIMS) - tested
    assert counts["illustrations shown"] == 2
    summary = ledger_summary(table, "quick")
    assert summary.startswith(f"At scale quick, of {tested} claims tested")
    assert ": 1 reproduced, 0 partly reproduced, 1 not reproduced" in summary
    assert "2 of " in summary and "illustrations shown" in summary
