"""Sphinx extension: what papermill recorded about each executed notebook, shown in the book.

The book is built from the notebooks ``make execute`` ran with papermill
(``book/executed/*.ipynb``). This extension, loaded from ``_config.yml``, does three things
with them, all at build time and without re-running anything:

- it hides the ``parameters`` cell and the cell papermill injected after it: the
  provenance box right below them lists the scale, device and seed the page ran with;
- it fills in the last row of the provenance box (:meth:`wgan.report.provenance.Provenance._repr_html_`)
  with papermill's wall time of the whole notebook, which the notebook could not know when
  it displayed the box;
- it adds the ``notebook-timings`` directive: a table of every executed chapter's scale,
  device, start and wall time, for the reproducibility page;
- it adds the ``run-table`` directive: every training run of the book
  (:mod:`wgan.sweep.registry`) at the executed notebooks' scale, seed and device, or at the
  scale given as its argument, with its state in ``runs/`` and its cost, measured or
  estimated (:mod:`wgan.sweep.costs`).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from wgan.report.provenance import WALL_TIME_MARKER

EXECUTED_DIR = "book/executed"
"""Folder of the executed notebooks, relative to the book's root."""

HIDDEN_TAGS = ("parameters", "injected-parameters")
"""Cells with these tags are removed from the page (their values are in the provenance box)."""

_WALL_TIME_CELL = re.compile(rf"<td {re.escape(WALL_TIME_MARKER)}>[^<]*</td>")
_DEVICE_ROW = re.compile(r"<tr><th>device</th><td>([^<]*)</td></tr>")


def papermill_duration(notebook: dict[str, Any]) -> float | None:
    """Seconds papermill took to run ``notebook`` (its metadata), or None if not recorded."""
    duration = notebook.get("metadata", {}).get("papermill", {}).get("duration")
    return None if duration is None else float(duration)


def format_seconds(seconds: float | None) -> str:
    """``"12.3 s"``, ``"4 min 05 s"`` or ``"1 h 02 min"``; ``"not recorded"`` for None."""
    if seconds is None:
        return "not recorded"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _html_outputs(notebook: dict[str, Any]):
    """Yield every ``text/html`` output bundle of the notebook's code cells."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "text/html" in output.get("data", {}):
                yield output["data"]


def prepare_for_book(notebook: dict[str, Any]) -> dict[str, Any]:
    """Hide the parameter cells and write the wall time into the provenance box, in place.

    Parameters
    ----------
    notebook : dict
        An executed notebook as parsed JSON (nbformat 4).

    Returns
    -------
    dict
        The same notebook, changed in place.
    """
    for cell in notebook.get("cells", []):
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if any(tag in tags for tag in HIDDEN_TAGS) and "remove-cell" not in tags:
            tags.append("remove-cell")
    seconds = papermill_duration(notebook)
    wall_time = (
        f"<td {WALL_TIME_MARKER}>{format_seconds(seconds)} (the whole notebook, "
        "as run by papermill)</td>"
        if seconds is not None
        else f"<td {WALL_TIME_MARKER}>not recorded (the notebook was not run by papermill)</td>"
    )
    for data in _html_outputs(notebook):
        text = data["text/html"]
        text = "".join(text) if isinstance(text, list) else text
        data["text/html"] = _WALL_TIME_CELL.sub(wall_time, text)
    return notebook


def provenance_device(notebook: dict[str, Any]) -> str:
    """The device named in the notebook's provenance box, or ``"-"`` when it has none."""
    for data in _html_outputs(notebook):
        text = data["text/html"]
        match = _DEVICE_ROW.search("".join(text) if isinstance(text, list) else text)
        if match:
            return html.unescape(match.group(1))
    return "-"


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname.startswith(f"{EXECUTED_DIR}/") and str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = json.dumps(prepare_for_book(json.loads(source[0])))


class NotebookTimings(SphinxDirective):
    """``notebook-timings``: one row per executed notebook, read from papermill's metadata."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = Path(self.env.srcdir) / EXECUTED_DIR
        paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
        if not paths:
            paragraph = nodes.paragraph(text="No executed notebook: run `make execute` first.")
            return [paragraph]
        lines = ["| chapter | scale | device | started | wall time |", "|---|---|---|---|---|"]
        total = 0.0
        for path in paths:
            self.env.note_dependency(str(path))
            notebook = json.loads(path.read_text())
            papermill = notebook.get("metadata", {}).get("papermill", {})
            seconds = papermill_duration(notebook)
            total += seconds or 0.0
            docname = f"{EXECUTED_DIR}/{path.stem}"
            chapter = (
                f"{{doc}}`/{docname}`" if docname in self.env.found_docs else path.stem
            )
            scale = papermill.get("parameters", {}).get("scale", "-")
            started = (papermill.get("start_time") or "-")[:19].replace("T", " ")
            device = provenance_device(notebook)
            lines.append(
                f"| {chapter} | {scale} | {device} | {started} | {format_seconds(seconds)} |"
            )
        lines.append(f"| **total** | | | | **{format_seconds(total)}** |")
        container = nodes.container(classes=["wgan-notebook-timings"])
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]),
                                self.content_offset, container)
        return [container]


class RunTable(SphinxDirective):
    """``run-table [scale]``: the book's runs with their state and cost, from the registry."""

    has_content = False
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        from wgan.plan.scale import Scale
        from wgan.sweep.listing import markdown_lines, rows
        from wgan.sweep.registry import registry

        folder = Path(self.env.srcdir) / EXECUTED_DIR
        executed = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
        for path in executed:
            self.env.note_dependency(str(path))
        params: dict[str, Any] = {"scale": None, "seed": 0, "device": "auto"}
        if executed:
            papermill = json.loads(executed[0].read_text()).get("metadata", {}).get("papermill", {})
            params |= papermill.get("parameters", {})
        scale = self.arguments[0] if self.arguments else params["scale"]
        if scale is None:
            return [nodes.paragraph(text="No executed notebook: run `make execute` first.")]
        runs = registry(Scale.from_env(scale), seed=int(params["seed"]),
                        device=str(params["device"]))
        container = nodes.container(classes=["wgan-run-table"])
        self.state.nested_parse(StringList(markdown_lines(rows(runs)),
                                           source=self.get_source_info()[0]),
                                self.content_offset, container)
        return [container]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the source-read hook and the ``notebook-timings`` and ``run-table``
    directives."""
    app.connect("source-read", _on_source_read)
    app.add_directive("notebook-timings", NotebookTimings)
    app.add_directive("run-table", RunTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
