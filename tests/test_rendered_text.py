"""No "nan" reaches a reader: the executed notebooks' rendered outputs are scanned.

A number that does not exist is written in words on a page ("never", "no blow-up
happened"), never as ``nan``, ``NaN`` or ``None%``. This scans what the book renders of
each executed notebook in ``book/executed/`` (``make execute``; CI executes the smoke book
before ``make test``): stream text, and of each rich output the representation the book
shows (HTML tables before plain text, markdown written by code). Cells the book removes
are skipped. Without executed notebooks the test is skipped. ``WGAN_EXECUTED_DIR`` points
it at another folder of executed notebooks.
"""

import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parent.parent
EXECUTED = Path(os.environ.get("WGAN_EXECUTED_DIR", ROOT / "book" / "executed"))

MISSING = re.compile(r"(?<![A-Za-z0-9_])(?:nan|NaN|NAN)(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])None%")
"""A missing number as Python, numpy or pandas print it: ``nan``, ``+nan``, ``NaN``, ``nan%``,
``None%``; not words that contain the letters (``nanosecond``, ``financial``, ``Nancy``)."""

RENDER_PRIORITY = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown",
                   "text/latex", "text/plain")
"""The representation of a rich output that the book shows: the first present (myst-nb's
order for HTML)."""

REMOVED = {"remove-cell", "remove-output"}


def rendered_texts(notebook) -> list[tuple[int, str, str]]:
    """``(cell index, kind, text)`` of every rendered text output of ``notebook``."""
    texts = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or REMOVED & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append((index, f"stream ({output.name})", output.text))
            elif output.output_type in ("display_data", "execute_result"):
                mime = next((m for m in RENDER_PRIORITY if m in output.data), None)
                if mime is not None and mime.startswith("text/"):
                    text = output.data[mime]
                    texts.append((index, mime, "".join(text) if isinstance(text, list) else text))
    return texts


def missing_numbers(notebook) -> list[str]:
    """Every line of ``notebook``'s rendered text that shows a missing number, located."""
    found = []
    for index, kind, text in rendered_texts(notebook):
        for number, line in enumerate(text.splitlines(), 1):
            for match in MISSING.finditer(line):
                context = line[max(0, match.start() - 60):match.end() + 30].strip()
                found.append(f"cell {index}, {kind}, line {number}: ...{context}...")
    return found


def _notebook(outputs, tags=()):
    cell = nbformat.v4.new_code_cell("x", metadata={"tags": list(tags)})
    cell.outputs = [nbformat.from_dict(output) for output in outputs]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("nan"), cell])


def _rich(data):
    return {"output_type": "display_data", "data": data, "metadata": {}}


@pytest.mark.parametrize(
    "text",
    ["rho = +nan", "<td>NaN</td>", "nan% of unstable", "median onset nan", "max/min nan,",
     "covered None% of", "a nan\n", "-nan"],
)
def test_missing_numbers_are_found(text):
    stream = {"output_type": "stream", "name": "stdout", "text": text}
    assert len(missing_numbers(_notebook([stream]))) == 1


@pytest.mark.parametrize(
    "text", ["nanosecond", "financial", "Nancy", "nanmean", "banana", "None", "no value", "NaNs"]
)
def test_words_that_contain_the_letters_are_not(text):
    stream = {"output_type": "stream", "name": "stdout", "text": text}
    assert missing_numbers(_notebook([stream])) == []


def test_the_shown_representation_is_scanned_and_removed_cells_are_not():
    html_shown = _rich({"text/html": "<td>never</td>", "text/plain": "NaN"})
    assert missing_numbers(_notebook([html_shown])) == []  # the book shows the HTML
    markdown = _rich({"text/markdown": "K is nan", "text/plain": "<Markdown>"})
    assert missing_numbers(_notebook([markdown])) == [
        "cell 1, text/markdown, line 1: ...K is nan..."]
    plain = _rich({"text/plain": "x\nK NaN"})
    assert missing_numbers(_notebook([plain])) == ["cell 1, text/plain, line 2: ...K NaN..."]
    figure = _rich({"image/png": "iVBOR", "text/plain": "<Figure nan>"})
    assert missing_numbers(_notebook([figure])) == []
    assert missing_numbers(_notebook([plain], tags=["remove-output"])) == []


EXECUTED_NOTEBOOKS = sorted(EXECUTED.glob("*.ipynb")) if EXECUTED.is_dir() else []


@pytest.mark.skipif(not EXECUTED_NOTEBOOKS, reason=f"no executed notebooks in {EXECUTED}")
@pytest.mark.parametrize("path", EXECUTED_NOTEBOOKS, ids=[p.stem for p in EXECUTED_NOTEBOOKS])
def test_no_missing_number_reaches_a_reader(path):
    found = missing_numbers(nbformat.read(path, as_version=4))
    assert not found, f"{path.name} shows missing numbers as nan:\n" + "\n".join(found)
