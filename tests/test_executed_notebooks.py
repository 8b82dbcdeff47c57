"""Tests for the book's Sphinx extension book/_ext/executed_notebooks.py."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

from wgan.plan.scale import Scale
from wgan.report.provenance import provenance

_PATH = Path(__file__).parent.parent / "book" / "_ext" / "executed_notebooks.py"
_SPEC = importlib.util.spec_from_file_location("executed_notebooks", _PATH)
ext = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(ext)


def _executed_notebook(duration=None) -> dict:
    """A notebook shaped like papermill's output: parameters, injected parameters, the box."""
    record = provenance(Scale("smoke"), "cpu", 0, dataset="digits")
    cells = [
        nbformat.v4.new_code_cell('scale = "smoke"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('scale = "quick"', metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell(
            "record",
            outputs=[nbformat.v4.new_output(
                "execute_result", data={"text/html": record._repr_html_()}, execution_count=1
            )],
        ),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    if duration is not None:
        notebook.metadata["papermill"] = {"duration": duration, "parameters": {"scale": "quick"}}
    return nbformat.from_dict(notebook)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "not recorded"), (3.14159, "3.1 s"), (59.94, "59.9 s"), (65.2, "1 min 05 s"),
     (3725.0, "1 h 02 min")],
)
def test_format_seconds_picks_the_unit(seconds, text):
    assert ext.format_seconds(seconds) == text


def test_prepare_for_book_removes_only_the_parameter_cells():
    notebook = ext.prepare_for_book(_executed_notebook(duration=12.0))
    removed = ["remove-cell" in cell.metadata.get("tags", []) for cell in notebook["cells"]]
    assert removed == [True, True, False, False]


def test_prepare_for_book_writes_papermill_duration_into_the_provenance_box():
    notebook = ext.prepare_for_book(_executed_notebook(duration=125.0))
    box = notebook["cells"][2]["outputs"][0]["data"]["text/html"]
    assert "<th>wall time</th><td data-wgan=\"wall-time\">2 min 05 s (the whole notebook" in box
    assert "not known yet" not in box


def test_prepare_for_book_says_when_papermill_did_not_run_the_notebook():
    notebook = ext.prepare_for_book(_executed_notebook(duration=None))
    box = notebook["cells"][2]["outputs"][0]["data"]["text/html"]
    assert "not recorded (the notebook was not run by papermill)" in box


def test_provenance_device_reads_the_device_row_of_the_box():
    assert ext.provenance_device(_executed_notebook()).startswith("cpu (")
    assert ext.provenance_device(nbformat.v4.new_notebook()) == "-"
