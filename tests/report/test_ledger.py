"""Tests for wgan.report.ledger, the claims ledger page."""

import re

import pandas as pd
import pytest

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, ledger, report
from wgan.report.ledger import LEDGER_COLUMNS, book_chapters, ledger_html, verdict_badge


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
    assert page.count("<tr>") == len(CLAIMS) + 1  # the header row
    assert '<a href="01_distances.html">01_distances</a>' in page
    assert "<td>EM within 0.01</td>" in page
    assert 'href="02_theory.html"' not in page and "<td>02_theory</td>" in page
    assert page.count("chapter not run at this scale") == len(CLAIMS) - 1


def test_ledger_html_escapes_every_cell():
    row = dict.fromkeys(LEDGER_COLUMNS, "x")
    row.update(claim="W < JS & more", measured="<script>alert(1)</script>", chapter="01_a")
    page = ledger_html(pd.DataFrame([row]), linked={"01_a"})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "W &lt; JS &amp; more" in page


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
    with pytest.raises(ValueError, match=r"'table' parameter of ledger_html must have .* "
                                         r"Missing \['verdict', 'scale', 'commit'\]"):
        ledger_html(pd.DataFrame({"claim": [], "where": [], "chapter": [], "measured": []}))


def test_ledger_html_gives_scale_and_commit_only_for_measured_claims():
    report("example1", measured="m", verdict="reproduced", scale=Scale("quick"))
    page = ledger_html(ledger(Scale("quick")))
    assert page.count("<small>quick, <code>") == 1
