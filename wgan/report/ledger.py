"""The claims ledger as a page of the book: an HTML table with chapter links and verdicts.

:func:`wgan.report.claims.ledger` gathers what each chapter measured; this module only presents
it. The page that shows it, ``notebooks/99_claims.py``, is executed after every chapter by
``make execute`` and lands next to them in ``book/executed/``, so a chapter's page is the
relative link ``<chapter>.html``.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import yaml

from wgan.paths import project_root
from wgan.report.claims import NOT_RUN, VERDICTS

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

NO_RECORD = "-"
"""What :func:`wgan.report.claims.ledger` puts in the cells of a claim no chapter reported."""

LEDGER_COLUMNS: tuple[str, ...] = (
    "key", "kind", "claim", "where", "chapter", "test", "rule", "seeds", "interval",
    "measured", "verdict", "scale", "commit",
)
"""The columns of :func:`wgan.report.claims.ledger` that :func:`ledger_html` reads."""

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


def verdict_badge(verdict: str) -> str:
    """The verdict as a coloured sphinx-design badge (an HTML ``span``)."""
    colour = VERDICT_COLOURS.get(verdict, "light")
    if verdict == ILLUSTRATION_SHOWN:
        colour = "info"
    return (
        f'<span class="sd-badge sd-bg-{colour} sd-bg-text-{colour}">'
        f"{html.escape(verdict)}</span>"
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


def ledger_html(table: pd.DataFrame, linked: Collection[str] = ()) -> str:
    """Render the claims ledger as HTML: one table per kind of claim.

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
        :data:`KIND_TITLES`), a heading and a table of its claims: the claim and where the
        paper makes it, the chapter, the declared test and rule, the seeds, what was
        measured and its interval, the verdict with its scale and commit. Every cell is
        HTML-escaped.
    """
    missing = [name for name in LEDGER_COLUMNS if name not in table.columns]
    if missing:
        raise ValueError(
            f"The 'table' parameter of ledger_html must have the columns of "
            f"wgan.report.claims.ledger ({', '.join(LEDGER_COLUMNS)}). Missing {missing} instead."
        )
    head = "".join(
        f'<th class="wgan-ledger-{key}">{title}</th>'
        for key, title in (("claim", "Claim, and where the paper makes it"),
                           ("chapter", "Tested in"), ("test", "Test and rule"),
                           ("seeds", "Seeds"), ("measured", "Measured, and its interval"),
                           ("verdict", "Verdict, scale, commit"))
    )
    sections = []
    for kind, title in KIND_TITLES.items():
        rows = []
        for row in table[table["kind"] == kind].itertuples(index=False):
            chapter = html.escape(row.chapter)
            if row.chapter in linked:
                chapter = f'<a href="{chapter}.html">{chapter}</a>'
            shown = shown_verdict(row.kind, row.verdict)
            check = (f"<br><small>its check: {html.escape(row.verdict)}</small>"
                     if shown != row.verdict else "")
            measured_at = (
                f"<br><small>{html.escape(row.scale)}, <code>{html.escape(row.commit)}</code>"
                "</small>"
                if row.commit != NO_RECORD
                else ""
            )
            rows.append(
                "<tr>"
                f"<td>{html.escape(row.claim)}<br>"
                f'<small class="text-muted">{html.escape(row.where)}</small></td>'
                f"<td>{chapter}</td>"
                f"<td>{html.escape(row.test)}<br>"
                f'<small class="text-muted">{html.escape(row.rule)}</small></td>'
                f"<td>{html.escape(row.seeds)}</td>"
                f"<td>{html.escape(row.measured)}<br>"
                f"<small>{html.escape(row.interval)}</small></td>"
                f"<td>{verdict_badge(shown)}{check}{measured_at}</td>"
                "</tr>"
            )
        if rows:
            sections.append(
                f'<p class="wgan-ledger-kind" data-kind="{kind}"><strong>{html.escape(title)}'
                f'</strong></p><table class="table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
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


def ledger_summary(table: pd.DataFrame, scale_name: str) -> str:
    """The ledger's counts in a sentence: reproductions among the tested claims only.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`wgan.report.claims.ledger` returns.
    scale_name : str
        The scale the records were measured at.
    """
    counts = ledger_counts(table)
    empirical = int((table["kind"] == "empirical").sum())
    return (
        f"At scale {scale_name}, of {counts['tested']} claims tested ({empirical} of the "
        f"paper, {counts['tested'] - empirical} of later papers): {counts['reproduced']} "
        f"reproduced, {counts['partly reproduced']} partly reproduced, "
        f"{counts['not reproduced']} not reproduced, {counts['not tested at this scale']} not "
        f"tested at this scale, {counts[NOT_RUN]} whose chapter was not run. Apart from "
        f"these: {counts['illustrations shown']} of {counts['illustrations']} illustrations "
        "shown (checks of proved results, not counted as reproductions)."
    )
