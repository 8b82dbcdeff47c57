"""Tests for wgan.report.ledger, the claims ledger page."""

import html
import re
import xml.etree.ElementTree as ET
from difflib import SequenceMatcher

import pandas as pd
import pytest

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, KINDS, NO_INTERVAL, NOT_RUN, ledger, report
from wgan.report.ledger import (
    DECISIVE_NUMBER,
    HEADINGS,
    ILLUSTRATION_SHOWN,
    KIND_TITLES,
    LEDGER_COLUMNS,
    REPEAT_LEAST,
    VERDICT_NOTES,
    adequacy_shown,
    book_chapters,
    ledger_counts,
    ledger_html,
    ledger_summary,
    ledger_summary_html,
    shown_verdict,
    verdict_badge,
    without_repeats,
)


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("WGAN_RUNS_DIR", str(tmp_path / "runs"))


def _row(**values) -> dict:
    """One ledger row of a measured empirical claim; ``values`` override its cells."""
    row = {
        "key": "mixture", "kind": "empirical", "claim": "WGAN covers every mode.",
        "where": "Section 4.1, Figure 2", "chapter": "03_mixture",
        "test": "modes covered at the last snapshot", "rule": "reproduced: all 8 modes",
        "seeds": "5 (0-4)", "interval": "W1 0.05 [0.03, 0.07], t-interval over seeds, 95%",
        "measured": "8 modes in 5 of 5 runs", "verdict": "reproduced", "scale": "quick",
        "commit": "abc1234", "condition": "-", "adequate": None, "adequacy": "-",
        "rule_commit": "-", "runs_commit": "-",
    }
    row.update(values)
    return row


def _claims(page: str) -> dict[str, dict[str, list[str]]]:
    """Per claim (its tbody's data-claim): the texts of its row's cells, in order, under
    ``"row"``, and of its details' entries (dd) under ``"details"``."""
    root = ET.fromstring(page)
    found = {}
    for body in root.iter("tbody"):
        row = body.find("tr[@class='wgan-ledger-row']")
        details = body.find("tr[@class='wgan-ledger-details']")
        assert row is not None and details is not None and len(body) == 2
        found[body.get("data-claim")] = {
            "row": [" ".join("".join(cell.itertext()).split()) for cell in row],
            "details": [" ".join("".join(dd.itertext()).split()) for dd in details.iter("dd")],
            "summary": ["".join(s.itertext()) for s in details.iter("summary")],
        }
    return found


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


def test_ledger_html_has_one_row_and_one_details_element_per_claim():
    report("example1", measured="EM within 0.01", verdict="reproduced", scale=Scale("smoke"))
    page = ledger_html(ledger(Scale("smoke")), linked={"01_distances"})
    claims = _claims(page)
    assert list(claims) == [claim.key for claim in
                            sorted(CLAIMS, key=lambda c: list(KINDS).index(c.kind))]
    for key, cells in claims.items():
        assert len(cells["row"]) == len(HEADINGS), key
        assert cells["summary"] == ["test, rule, seeds, what was measured"], key
    assert page.count('<tr class="wgan-ledger-row">') == len(CLAIMS)
    assert page.count("<details>") == len(CLAIMS)
    assert page.count("<th ") == len(HEADINGS) * len({claim.kind for claim in CLAIMS})


def test_ledger_html_links_only_built_chapters():
    page = ledger_html(ledger(Scale("smoke")), linked={"01_distances"})
    assert '<a href="01_distances.html">01_distances</a>' in page
    assert 'href="02_theory.html"' not in page and "tested in 02_theory</small>" in page


def test_the_row_reads_claim_verdict_number_and_adequacy_in_the_order_of_the_headings():
    page = ledger_html(pd.DataFrame([_row()]), linked={"03_mixture"})
    root = ET.fromstring(page)
    assert [th.text for th in root.iter("th")] == list(HEADINGS.values())
    assert [th.get("class") for th in root.iter("th")] == [f"wgan-ledger-{key}"
                                                            for key in HEADINGS]
    claim, verdict, number, adequate = _claims(page)["mixture"]["row"]
    assert claim == "WGAN covers every mode. Section 4.1, Figure 2; tested in 03_mixture"
    assert verdict == "reproduced"
    assert number == "W1 0.05 [0.03, 0.07], t-interval over seeds, 95%"
    assert adequate == "- none declared"


def test_the_details_hold_test_rule_seeds_measured_scale_and_commit():
    page = ledger_html(pd.DataFrame([_row()]))
    details = _claims(page)["mixture"]["details"]
    assert details == ["modes covered at the last snapshot", "reproduced: all 8 modes",
                       "5 (0-4)", "8 modes in 5 of 5 runs", "scale quick, commit abc1234"]
    names = re.findall(r"<dt>([^<]*)</dt>", page)
    assert names == ["Test", "Rule", "Seeds", "Measured", "Measured at"]


def test_ledger_html_gives_scale_and_commit_only_for_measured_claims():
    report("example1", measured="m", verdict="reproduced", scale=Scale("quick"))
    page = ledger_html(ledger(Scale("quick")))
    assert page.count("<dt>Measured at</dt><dd>scale quick, commit <code>") == 1


@pytest.mark.parametrize(
    ("measured", "shown"),
    [("edge 0.9 [0.8, 1.0]", None),  # the measured text is the interval: said once
     ("5 seeds; edge 0.9 [0.8, 1.0]; limit 0.5", f"5 seeds; ({DECISIVE_NUMBER}); limit 0.5"),
     ("8 modes", "8 modes")],
)
def test_the_measured_text_names_the_decisive_number_instead_of_repeating_it(measured, shown):
    page = ledger_html(pd.DataFrame([_row(interval="edge 0.9 [0.8, 1.0]", measured=measured)]))
    details = _claims(page)["mixture"]["details"]
    assert page.count("edge 0.9 [0.8, 1.0]") == 1
    if shown is None:
        assert "<dt>Measured</dt>" not in page
    else:
        assert shown in details


INTERVAL = ("rho given time, dcgan: per seed 0.41, 0.52, 0.38 (t-interval over 3 seeds, 95%) "
            "[0.21, 0.66]; mlp: per seed 0.12, 0.33, 0.29 (t-interval over 3 seeds, 95%) "
            "[-0.05, 0.55]")


def test_without_repeats_names_each_shared_clause_once_and_keeps_its_label():
    measured = ("3 seeds. dcgan: mean rho 0.9, partial per seed 0.41, 0.52, 0.38 (t-interval "
                "over 3 seeds, 95%) [0.21, 0.66], changes 0.1; mlp: per seed 0.12, 0.33, 0.29 "
                "(t-interval over 3 seeds, 95%) [-0.05, 0.55]: tracks")
    assert without_repeats(measured, INTERVAL) == (
        f"3 seeds. dcgan: mean rho 0.9, partial ({DECISIVE_NUMBER}), changes 0.1; mlp: "
        f"({DECISIVE_NUMBER}): tracks")
    assert without_repeats(INTERVAL, INTERVAL) == ""
    assert without_repeats(measured, NO_INTERVAL) == measured


def test_without_repeats_keeps_what_is_shared_by_chance():
    measured = "mlp: the WGAN wins on (t-interval over 3 seeds, 95%) grounds"
    assert without_repeats(measured, INTERVAL) == measured  # 33 characters shared
    assert len(" (t-interval over 3 seeds, 95%) ") < REPEAT_LEAST


def _longest_shared(a: str, b: str) -> str:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a:match.a + match.size]


def test_no_cell_of_a_claim_repeats_another():
    page = ledger_html(pd.DataFrame([_row(
        interval=INTERVAL, measured="3 seeds. dcgan: mean rho 0.9, partial per seed 0.41, "
        "0.52, 0.38 (t-interval over 3 seeds, 95%) [0.21, 0.66], changes 0.1",
        condition="the samples improve", adequate=False,
        adequacy="time-curve rho 0.2: the samples did not improve; 10,000 iterations would",
        verdict="not tested at this scale")]))
    cells = [text for claim in _claims(page).values()
             for text in claim["row"] + claim["details"]]
    assert len(cells) == 4 + 6  # the row; test, rule, adequate when, seeds, measured, at
    for i, text in enumerate(cells):
        for other in cells[i + 1:]:
            assert len(_longest_shared(text, other)) < REPEAT_LEAST, (text, other)


def test_a_missing_interval_is_said_in_muted_words():
    page = ledger_html(pd.DataFrame([_row(interval=NO_INTERVAL)]))
    assert f'<td class="wgan-ledger-number"><span class="text-muted">{NO_INTERVAL}</span></td>' \
        in page


@pytest.mark.parametrize(
    ("condition", "adequate", "adequacy", "shown"),
    [("the WGAN learned the circle", True, "radial error 0.01", "yes"),
     ("the WGAN learned the circle", False, "radial error 0.14: not learned",
      "no radial error 0.14: not learned"),
     ("the WGAN learned the circle", None, "-", "- not measured"),
     ("-", None, "-", "- none declared"),
     ("-", float("nan"), "-", "- none declared")],
)
def test_the_adequacy_column_says_yes_no_with_why_or_nothing_declared(
        condition, adequate, adequacy, shown):
    verdict = "not tested at this scale" if adequate is False else "reproduced"
    page = ledger_html(pd.DataFrame([_row(condition=condition, adequate=adequate,
                                          adequacy=adequacy, verdict=verdict)]))
    claim = _claims(page)["mixture"]
    assert claim["row"][3] == shown
    if condition != "-":
        assert claim["details"][2] == condition  # after the test and the rule
    if adequate is True:  # what was measured of the condition, behind the click
        assert claim["details"][3] == adequacy
    assert page.count(adequacy) <= 1 or adequacy == "-"


def test_adequacy_shown_reads_pandas_missing_values_as_none():
    assert adequacy_shown(None) is None and adequacy_shown(float("nan")) is None
    assert adequacy_shown(True) is True and adequacy_shown(False) is False


def test_the_verdict_column_tells_evidence_against_from_an_experiment_too_small():
    page = ledger_html(pd.DataFrame([
        _row(key="a", verdict="not reproduced"),
        _row(key="b", verdict="not tested at this scale"),
        _row(key="c", verdict="reproduced")]))
    claims = _claims(page)
    assert claims["a"]["row"][1] == f"not reproduced {VERDICT_NOTES['not reproduced']}"
    assert claims["b"]["row"][1] == ("not tested at this scale "
                                     f"{VERDICT_NOTES['not tested at this scale']}")
    assert claims["c"]["row"][1] == "reproduced"
    assert "evidence against" in VERDICT_NOTES["not reproduced"]
    assert "too small" in VERDICT_NOTES["not tested at this scale"]


def test_ledger_html_escapes_every_cell():
    row = dict.fromkeys(LEDGER_COLUMNS, "x")
    row.update(claim="W < JS & more", measured="<script>alert(1)</script>", chapter="01_a",
               kind="empirical", interval="rho 0.5 [0.1, 0.9] <b>", seeds="5 & more",
               condition="a < b", adequate=False, adequacy="<i>small</i>", key="k<")
    page = ledger_html(pd.DataFrame([row]), linked={"01_a"})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "W &lt; JS &amp; more" in page and "a &lt; b" in page
    assert "[0.1, 0.9] &lt;b&gt;" in page and "5 &amp; more" in page
    assert "&lt;i&gt;small&lt;/i&gt;" in page and 'data-claim="k&lt;"' in page
    ET.fromstring(page)  # well-formed


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
    assert verdict_badge(verdict, "3 & more").endswith(f'{colour}">3 &amp; more</span>')


def test_ledger_html_rejects_a_table_without_the_ledger_columns():
    columns = [name for name in LEDGER_COLUMNS if name not in ("verdict", "adequate")]
    with pytest.raises(ValueError, match=r"'table' parameter of ledger_html must have .* "
                                         r"Missing \['verdict', 'adequate'\]"):
        ledger_html(pd.DataFrame({name: [] for name in columns}))


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
    cells = _claims(ledger_html(ledger(Scale("quick"))))["clip-constant-k"]
    assert cells["row"][2] == "K 0.1 [0.05, 0.2], t-interval over pairs, 95%"
    assert " ".join(claim.test.split()) in cells["details"]
    assert " ".join(claim.rule.split()) in cells["details"]
    assert "1 (seed 0)" in cells["details"] and "K 0.1" in cells["details"]


def test_an_illustration_is_shown_not_reproduced():
    report("theorem1", measured="bound holds", verdict="reproduced", scale=Scale("quick"))
    page = ledger_html(ledger(Scale("quick")))
    assert verdict_badge(ILLUSTRATION_SHOWN) in page
    assert _claims(page)["theorem1"]["row"][1] == "illustration shown its check: reproduced"
    assert 'class="sd-badge sd-bg-success' not in page  # nothing else was reported
    assert shown_verdict("illustration", "not tested at this scale") == "not tested at this scale"
    assert shown_verdict("illustration", NOT_RUN) == NOT_RUN
    assert shown_verdict("empirical", "reproduced") == "reproduced"


def test_ledger_counts_reproductions_among_tested_claims_only():
    scale = Scale("quick")
    report("theorem1", measured="m", verdict="reproduced", scale=scale)
    report("example1", measured="m", verdict="reproduced", scale=scale)
    report("clip-constant-k", measured="m", verdict="not reproduced", scale=scale)
    report("mixture", measured="m", verdict="not tested at this scale", scale=scale)
    report("gp-gradient-norms", measured="m", verdict="reproduced", scale=scale)
    table = ledger(scale)
    counts = ledger_counts(table)
    tested = sum(claim.kind != "illustration" for claim in CLAIMS)
    assert counts["tested"] == tested
    assert counts["reproduced"] == 1 and counts["not reproduced"] == 1
    assert counts["not tested at this scale"] == 1
    assert counts[NOT_RUN] == tested - 3
    assert counts["illustrations"] == len(CLAIMS) - tested
    assert counts["illustrations shown"] == 2


def test_the_summary_counts_evidence_against_apart_from_experiments_too_small():
    scale = Scale("quick")
    report("clip-constant-k", measured="m", verdict="not reproduced", scale=scale)
    report("mixture", measured="m", verdict="not tested at this scale", scale=scale)
    report("figure3", measured="m", verdict="not tested at this scale", scale=scale)
    report("theorem1", measured="m", verdict="reproduced", scale=scale)
    table = ledger(scale)
    tested = sum(claim.kind != "illustration" for claim in CLAIMS)
    summary = ledger_summary(table, "quick")
    assert summary.startswith(f"At scale quick, of {tested} claims tested")
    assert ": 0 reproduced and 0 partly reproduced; evidence against: 1 not reproduced; " \
           "experiments too small to test the claim: 2 not tested at this scale; " in summary
    assert "1 of " in summary and "illustrations shown" in summary
    shown = ledger_summary_html(table, "quick")
    assert shown.startswith('<p class="wgan-ledger-summary">')
    assert verdict_badge("not reproduced", "1 not reproduced") in shown
    assert verdict_badge("not tested at this scale", "2 not tested at this scale") in shown
    assert re.sub(r"<[^>]+>", "", shown) == summary


def test_the_details_say_where_the_rule_last_changed_and_which_code_trained_the_runs():
    page = ledger_html(pd.DataFrame([_row(rule_commit="cf304fd",
                                          runs_commit="d7bfff3 (28 runs)")]))
    assert "Rule last changed</dt><dd>commit <code>cf304fd</code>" in page
    assert "Runs judged, trained at</dt><dd>d7bfff3 (28 runs)</dd>" in page
    bare = ledger_html(pd.DataFrame([_row()]))
    assert "Rule last changed" not in bare and "Runs judged" not in bare
