"""The notebooks' committed pairs: each .ipynb matches its py:percent source."""

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.py"))


def _cells(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_ipynb_matches_its_py_source(source):
    paired = source.with_suffix(".ipynb")
    assert paired.is_file(), f"{paired.name} is missing: run `make sync`"
    expected = jupytext.read(source)
    committed = jupytext.read(paired)
    assert _cells(committed) == _cells(expected), f"{paired.name} drifted: run `make sync`"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_a_parameters_cell_with_scale_device_seed(source):
    cells = [c for c in jupytext.read(source).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell must be tagged 'parameters'"
    names = {line.split("=")[0].strip() for line in cells[0].source.splitlines() if "=" in line}
    assert names == {"scale", "device", "seed"}
    assert 'scale = "smoke"' in cells[0].source, "the default scale must be smoke (nbval)"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_ipynb_has_no_outputs(source):
    notebook = jupytext.read(source.with_suffix(".ipynb"))
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
