"""The claims ledger as a page of the book: one row per claim, the details behind a click.

:func:`wgan.report.claims.ledger` gathers what each chapter measured; this module only presents
it. The page that shows it, ``notebooks/99_claims.py``, is executed after every chapter by
``make execute`` and lands next to them in ``book/executed/``, so a chapter's page is the
relative link ``<chapter>.html``.

A reader takes each claim in at a glance: the claim (where the paper makes it, the chapter
that tests it), its verdict, the decisive number with its interval, and whether the
experiment could test the claim at all (its declared adequacy condition); the test, the
rule, the seeds, the full measured text, the scale and the commit open below the row, in an
HTML ``<details>`` element. Nothing is printed twice: the measured text shows the decisive
number as a reference to the row above it. Evidence against a claim (*not reproduced*) and
an experiment too small to test it (*not tested at this scale*) are told apart in the
verdict column and counted apart in :func:`ledger_summary`. The column widths are in the
book's stylesheet (``book/_static/wgan.css``).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Collection
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd
import yaml

from wgan.paths import project_root
from wgan.report.claims import NO_INTERVAL, NOT_RUN, VERDICTS

EXECUTED_PREFIX = "book/executed/"
"""Where the table of contents finds the executed notebooks."""

VERDICT_COLOURS: dict[str, str] = {
    "reproduced": "success",
    "partly reproduced": "warning",
    "not reproduced": "danger",
    "not tested at this scale": "muted",
}
"""sphinx-design colour of each verdict's badge; any other verdict (a chapter that was not
run) is drawn in ``light``."""

VERDICT_NOTES: dict[str, str] = {
    "not reproduced": "evidence against the claim",
    "not tested at this scale": "the experiment was too small to test the claim",
}
"""What the verdict column says under a badge that could be misread: evidence against the
claim is not the same as an experiment too small to test it."""

NO_RECORD = "-"
"""What :func:`wgan.report.claims.ledger` puts in the cells of a claim no chapter reported,
and in ``condition`` and ``adequacy`` when there is nothing to say."""

LEDGER_COLUMNS: tuple[str, ...] = (
    "key", "kind", "claim", "where", "chapter", "test", "rule", "seeds", "interval",
    "measured", "verdict", "scale", "commit", "condition", "adequate", "adequacy",
    "rule_commit", "runs_commit",
)
"""The columns of :func:`wgan.report.claims.ledger` that :func:`ledger_html` reads."""

HEADINGS: dict[str, str] = {
    "claim": "Claim",
    "verdict": "Verdict",
    "number": "Decisive number, with its interval",
    "adequate": "Experiment adequate?",
}
"""The columns of each ledger table (class ``wgan-ledger-<key>``) and their headings."""

DECISIVE_NUMBER = "as in the decisive number above"
"""What the measured text, behind the click, says where it repeated the decisive number."""

REPEAT_LEAST = 50
"""The shortest run of characters the measured text may not repeat from the interval
(:func:`without_repeats`): a clause with its numbers, longer than a label two texts share
(``"; clip c=0.001 on scaled Gaussians, d=2: "`` is 41)."""

ILLUSTRATION_SHOWN = "illustration shown"
"""The badge of an illustration whose chapter recorded its check: not a reproduction."""

KIND_TITLES: dict[str, str] = {
    "empirical": "The paper's empirical claims, tested",
    "illustration": "Illustrations of proved results (checks that cannot fail: not counted "
                    "as reproductions)",
    "later": "Claims of later papers (WGAN-GP), tested",
}
"""The heading of each kind's table (the kinds of :data:`wgan.report.claims.KINDS`)."""


def book_chapters(toc: Path | None = None) -> set[str]:
    """Stems of the executed notebooks that the book's table of contents lists.

    Parameters
    ----------
    toc : pathlib.Path, optional
        The Jupyter Book table of contents; default ``<project root>/_toc.yml``.

    Returns
    -------
    set of str
        E.g. ``{"01_distances", "99_claims"}``: the chapters the ledger can link to.
    """
    path = project_root() / "_toc.yml" if toc is None else Path(toc)
    if not path.is_file():
        return set()
    content = yaml.safe_load(path.read_text()) or {}
    files = [content.get("root", "")] + [
        chapter.get("file", "")
        for part in content.get("parts", [])
        for chapter in part.get("chapters", [])
    ]
    return {name.removeprefix(EXECUTED_PREFIX) for name in files
            if name.startswith(EXECUTED_PREFIX)}


def verdict_badge(verdict: str, label: str | None = None) -> str:
    """The verdict as a coloured sphinx-design badge (an HTML ``span``).

    Parameters
    ----------
    verdict : str
        Picks the colour (:data:`VERDICT_COLOURS`; ``info`` for :data:`ILLUSTRATION_SHOWN`,
        ``light`` for any other word).
    label : str, optional
        The badge's text; default ``verdict``.
    """
    colour = VERDICT_COLOURS.get(verdict, "light")
    if verdict == ILLUSTRATION_SHOWN:
        colour = "info"
    return (
        f'<span class="sd-badge sd-bg-{colour} sd-bg-text-{colour}">'
        f"{html.escape(verdict if label is None else label)}</span>"
    )


def shown_verdict(kind: str, verdict: str) -> str:
    """What the ledger says of a claim: its verdict, or, for an illustration whose chapter
    recorded its check, :data:`ILLUSTRATION_SHOWN` (an illustration is not a reproduction).

    Parameters
    ----------
    kind : str
        The claim's kind (:data:`wgan.report.claims.KINDS`).
    verdict : str
        The recorded verdict, or the ledger's word for a chapter that was not run.
    """
    if kind == "illustration" and verdict in VERDICTS and verdict != "not tested at this scale":
        return ILLUSTRATION_SHOWN
    return verdict


def adequacy_shown(adequate: object) -> bool | None:
    """The ``adequate`` cell of :func:`wgan.report.claims.ledger` as ``True``, ``False`` or
    ``None`` (no condition declared, or no record; a NaN that pandas put there counts as
    ``None``)."""
    if adequate is None or (isinstance(adequate, float) and math.isnan(adequate)):
        return None
    return bool(adequate)


def _small(text: str, css: str = "") -> str:
    """``text`` (escaped) as a block of small print, with the ledger's class ``css``, after
    a space (so that the cell's text reads as words when copied)."""
    classes = f' class="{css}"' if css else ""
    return f" <small{classes}>{html.escape(text)}</small>"


def _clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` shrunk to whole words (it starts after a space or an opening
    bracket, and ends before a space, closing punctuation and a space, or the text's end),
    less a leading label such as ``"mlp: "`` (which says what the rest is about)."""
    while start < end and start > 0 and not (text[start - 1].isspace() or text[start - 1] in "(["):
        start += 1
    while end > start and not _CLAUSE_END.match(text, end):
        end -= 1
    label = _LABEL.match(text, start, end)
    return (label.end() if label else start), end


_CLAUSE_END = re.compile(r"[,;:.)\]]*(\s|$)")
_LABEL = re.compile(r"[^:;()\[\]]{1,40}: ")


def without_repeats(text: str, shown: str, *, least: int = REPEAT_LEAST) -> str:
    """``text`` with every run of at least ``least`` characters (whole words, a leading label
    kept) that ``shown`` already prints replaced by ``(as in the decisive number above)``;
    ``""`` when nothing but such runs is left.

    A chapter writes its measured text and its interval independently, and the two often
    share whole clauses (the interval of each setting, quoted in the measured text): the
    ledger prints the interval in the row and the measured text behind the click, and says
    each such clause once.

    Parameters
    ----------
    text : str
        The measured text.
    shown : str
        The interval the row prints (:data:`~wgan.report.claims.NO_INTERVAL` or ``"-"``:
        nothing to remove).
    least : int, default=REPEAT_LEAST
        The shortest run counted as a repeat.
    """
    if shown in (NO_INTERVAL, NO_RECORD, ""):
        return text
    marker = f"({DECISIVE_NUMBER})"
    text = text.replace(shown, marker)
    while True:
        match = SequenceMatcher(None, text, shown, autojunk=False).find_longest_match(
            0, len(text), 0, len(shown))
        start, end = _clause_span(text, match.a, match.a + match.size)
        if end - start < least:
            break
        rest = text[end:].lstrip()
        text = f"{text[:start].rstrip()} {marker}{'' if rest[:1] in ',;:.)' else ' '}{rest}"
        text = text.strip()
    return "" if not re.search(r"\w", text.replace(marker, "")) else text


def _claim_cell(row, linked: Collection[str]) -> str:
    chapter = html.escape(row.chapter)
    if row.chapter in linked:
        chapter = f'<a href="{chapter}.html">{chapter}</a>'
    return (f'<td class="wgan-ledger-claim">{html.escape(row.claim)} '
            f'<small class="wgan-ledger-source">{html.escape(row.where)}; tested in '
            f"{chapter}</small></td>")


def _verdict_cell(row) -> str:
    shown = shown_verdict(row.kind, row.verdict)
    note = (f"its check: {row.verdict}" if shown != row.verdict
            else VERDICT_NOTES.get(row.verdict, ""))
    return (f'<td class="wgan-ledger-verdict">{verdict_badge(shown)}'
            f"{_small(note, 'wgan-ledger-note') if note else ''}</td>")


def _number_cell(row) -> str:
    if row.interval == NO_INTERVAL:
        return f'<td class="wgan-ledger-number"><span class="text-muted">{NO_INTERVAL}</span></td>'
    return f'<td class="wgan-ledger-number">{html.escape(row.interval)}</td>'


def _adequate_cell(row) -> str:
    adequate = adequacy_shown(row.adequate)
    if adequate is None:
        what = "none declared" if row.condition == NO_RECORD else "not measured"
        return (f'<td class="wgan-ledger-adequate" title="{what}">-'
                f"{_small(what, 'text-muted')}</td>")
    if adequate:
        return '<td class="wgan-ledger-adequate">yes</td>'
    reason = _small(row.adequacy) if row.adequacy != NO_RECORD else ""
    return f'<td class="wgan-ledger-adequate"><strong>no</strong>{reason}</td>'


def _details_row(row) -> str:
    entries = [("Test", row.test), ("Rule", row.rule)]
    if row.condition != NO_RECORD:
        entries.append(("Adequate when", row.condition))
        if adequacy_shown(row.adequate) and row.adequacy != NO_RECORD:
            entries.append(("Adequacy measured", row.adequacy))
    entries.append(("Seeds", row.seeds))
    if measured := without_repeats(row.measured, row.interval):
        entries.append(("Measured", measured))
    body = "".join(f"<dt>{name}</dt><dd>{html.escape(text)}</dd>"
                   for name, text in entries if text)
    if row.commit != NO_RECORD:
        body += (f"<dt>Measured at</dt><dd>scale {html.escape(row.scale)}, commit "
                 f"<code>{html.escape(row.commit)}</code></dd>")
    if row.rule_commit != NO_RECORD:
        body += (f"<dt>Rule last changed</dt><dd>commit <code>{html.escape(row.rule_commit)}"
                 "</code> (rules changed after their outcome was seen: the history below)</dd>")
    if row.runs_commit != NO_RECORD:
        body += f"<dt>Runs judged, trained at</dt><dd>{html.escape(row.runs_commit)}</dd>"
    return (f'<tr class="wgan-ledger-details"><td colspan="{len(HEADINGS)}"><details>'
            "<summary>test, rule, seeds, what was measured</summary>"
            f"<dl>{body}</dl></details></td></tr>")


def ledger_html(table: pd.DataFrame, linked: Collection[str] = ()) -> str:
    """Render the claims ledger as HTML: one table per kind of claim, one row per claim.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`wgan.report.claims.ledger` returns: one row per claim with the columns
        :data:`LEDGER_COLUMNS`.
    linked : collection of str, default=()
        Chapters (notebook stems) that have a page in the book; the others are named
        without a link, so the ledger never links to a page that was not built.

    Returns
    -------
    str
        A ``<div class="wgan-ledger">`` holding, for each kind present (in the order of
        :data:`KIND_TITLES`), a heading and a table with the columns :data:`HEADINGS`.
        Each claim is a ``<tbody>`` of two rows: ``tr.wgan-ledger-row`` (the claim with
        where the paper makes it and the chapter that tests it; the verdict's badge, with
        :data:`VERDICT_NOTES`; the record's interval; yes, no with what was measured of the
        adequacy condition, or ``-``), and ``tr.wgan-ledger-details``, a ``<details>``
        element with the test, the rule, the adequacy condition, the seeds, the measured
        text (the decisive number named, not repeated), the scale and the commit. Every
        cell is HTML-escaped.
    """
    missing = [name for name in LEDGER_COLUMNS if name not in table.columns]
    if missing:
        raise ValueError(
            f"The 'table' parameter of ledger_html must have the columns of "
            f"wgan.report.claims.ledger ({', '.join(LEDGER_COLUMNS)}). Missing {missing} instead."
        )
    head = "".join(f'<th class="wgan-ledger-{key}">{title}</th>'
                   for key, title in HEADINGS.items())
    sections = []
    for kind, title in KIND_TITLES.items():
        claims = [
            f'<tbody data-claim="{html.escape(row.key)}"><tr class="wgan-ledger-row">'
            f"{_claim_cell(row, linked)}{_verdict_cell(row)}{_number_cell(row)}"
            f"{_adequate_cell(row)}</tr>{_details_row(row)}</tbody>"
            for row in table[table["kind"] == kind].itertuples(index=False)
        ]
        if claims:
            sections.append(
                f'<p class="wgan-ledger-kind" data-kind="{kind}"><strong>{html.escape(title)}'
                f'</strong></p><table class="table"><thead><tr>{head}</tr></thead>'
                f"{''.join(claims)}</table>"
            )
    return f'<div class="wgan-ledger">{"".join(sections)}</div>'


def ledger_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many claims of the ledger got each verdict; illustrations counted apart.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`wgan.report.claims.ledger` returns.

    Returns
    -------
    dict
        ``tested``: the empirical and later claims; then, among them, one count per verdict
        of :data:`wgan.report.claims.VERDICTS` and ``NOT_RUN``; ``illustrations``: all
        illustrations, and ``illustrations shown``: those whose chapter recorded them
        (never counted as reproductions).
    """
    tested = table[table["kind"] != "illustration"]
    illustrations = table[table["kind"] == "illustration"]
    counts = {"tested": len(tested)}
    counts.update({verdict: int((tested["verdict"] == verdict).sum())
                   for verdict in (*VERDICTS, NOT_RUN)})
    counts["illustrations"] = len(illustrations)
    counts["illustrations shown"] = sum(
        shown_verdict("illustration", verdict) == ILLUSTRATION_SHOWN
        for verdict in illustrations["verdict"])
    return counts


def _summary_parts(table: pd.DataFrame, scale_name: str) -> list[tuple[str, str]]:
    """The summary sentence as ``(text, verdict)`` pieces; ``verdict`` is ``""`` for plain
    text and names the badge of a count otherwise."""
    counts = ledger_counts(table)
    empirical = int((table["kind"] == "empirical").sum())
    return [
        (f"At scale {scale_name}, of {counts['tested']} claims tested ({empirical} of the "
         f"paper, {counts['tested'] - empirical} of later papers): ", ""),
        (f"{counts['reproduced']} reproduced", "reproduced"), (" and ", ""),
        (f"{counts['partly reproduced']} partly reproduced", "partly reproduced"),
        ("; evidence against: ", ""),
        (f"{counts['not reproduced']} not reproduced", "not reproduced"),
        ("; experiments too small to test the claim: ", ""),
        (f"{counts['not tested at this scale']} not tested at this scale",
         "not tested at this scale"),
        ("; ", ""), (f"{counts[NOT_RUN]} whose chapter was not run", NOT_RUN),
        (f". Apart from these: {counts['illustrations shown']} of {counts['illustrations']} "
         "illustrations shown (checks of proved results, not counted as reproductions).", ""),
    ]


def ledger_summary(table: pd.DataFrame, scale_name: str) -> str:
    """The ledger's counts in a sentence: reproductions among the tested claims only, the
    evidence against a claim counted apart from the experiments too small to test one.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`wgan.report.claims.ledger` returns.
    scale_name : str
        The scale the records were measured at.
    """
    return "".join(text for text, _ in _summary_parts(table, scale_name))


def ledger_summary_html(table: pd.DataFrame, scale_name: str) -> str:
    """:func:`ledger_summary` as an HTML paragraph, each count in its verdict's badge.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`wgan.report.claims.ledger` returns.
    scale_name : str
        The scale the records were measured at.

    Returns
    -------
    str
        A ``<p class="wgan-ledger-summary">``, escaped.
    """
    parts = [verdict_badge(verdict, text) if verdict else html.escape(text)
             for text, verdict in _summary_parts(table, scale_name)]
    return f'<p class="wgan-ledger-summary">{"".join(parts)}</p>'
