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
    "claim", "where", "chapter", "measured", "verdict", "scale", "commit"
)


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
    return (
        f'<span class="sd-badge sd-bg-{colour} sd-bg-text-{colour}">'
        f"{html.escape(verdict)}</span>"
    )


def ledger_html(table: pd.DataFrame, linked: Collection[str] = ()) -> str:
    """Render the claims ledger as an HTML table.

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
        A ``<div class="wgan-ledger">`` holding the table, every cell HTML-escaped.
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
                           ("chapter", "Tested in"), ("measured", "Measured"),
                           ("verdict", "Verdict, scale, commit"))
    )
    rows = []
    for row in table.itertuples(index=False):
        chapter = html.escape(row.chapter)
        if row.chapter in linked:
            chapter = f'<a href="{chapter}.html">{chapter}</a>'
        measured_at = (
            f"<br><small>{html.escape(row.scale)}, <code>{html.escape(row.commit)}</code></small>"
            if row.commit != NO_RECORD
            else ""
        )
        rows.append(
            "<tr>"
            f"<td>{html.escape(row.claim)}<br>"
            f'<small class="text-muted">{html.escape(row.where)}</small></td>'
            f"<td>{chapter}</td>"
            f"<td>{html.escape(row.measured)}</td>"
            f"<td>{verdict_badge(row.verdict)}{measured_at}</td>"
            "</tr>"
        )
    return (
        '<div class="wgan-ledger"><table class="table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
