"""The package's folders and the direction of its imports, read from the source with ``ast``.

Each subpackage of ``wgan`` may import only the subpackages listed for it in :data:`ALLOWED`
(and the top-level modules of :data:`SHARED`); nothing in the package imports the command
line or a notebook, and the graph of imports between subpackages has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wgan"

ALLOWED: dict[str, set[str]] = {
    "theory": set(),
    "data": set(),
    "training": {"theory", "data"},
    "quality": {"theory", "data", "training"},
    "plan": {"training"},
    "experiments": {"theory", "data", "training", "quality", "plan"},
    "speed": {"data", "training", "plan"},
    "report": {"theory", "data", "training", "quality", "plan", "experiments"},
    "sweep": {"theory", "data", "training", "quality", "plan", "experiments", "speed"},
}
"""Subpackage -> the subpackages it may import. ``training`` knows neither scales, the
experiments nor the book; ``theory`` and ``data`` import no other subpackage; ``plan`` (scales,
run specs, run directories) knows only the training loop it fetches runs with; ``speed`` takes
its per-scale sizes from a ``Scale``, as the experiments do; ``report`` (what turns runs into
pages) sits above the experiments it draws; nothing imports ``sweep`` but the command line
(the training loop never knows it runs in a sweep)."""

FACE = {"cli", "__main__"}
"""Top-level modules that are the package's face: no subpackage imports them."""

SHARED = {"paths", "files"}
"""Top-level modules any subpackage may import: where files live (:mod:`wgan.paths`) and how
they are written whole and locked (:mod:`wgan.files`). They import no other ``wgan`` module."""


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """``wgan/training/run.py`` -> ``wgan.training.run``; a package's ``__init__.py`` -> its name.

    ``root`` is the package's folder (``wgan/``).
    """
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every ``wgan`` module that ``path`` imports, relative imports resolved, at any depth.

    ``from A import b`` counts ``A`` and, when the package has a module ``A.b``, that module.
    """
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # ``from wgan import paths`` imports the module wgan.paths
            found.update(f"{module}.{alias.name}" for alias in node.names
                         if (PACKAGE.parent / module.replace(".", "/") / alias.name).is_dir()
                         or (PACKAGE.parent / module.replace(".", "/")
                             / f"{alias.name}.py").is_file())
    return {m for m in found if m == "wgan" or m.startswith("wgan.")}


def folder_of(module: str) -> str:
    """``wgan.training.run`` -> ``training``; a top-level module -> its own name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``wgan`` modules it imports, for every module of the package."""
    return {module_name(p): imported_modules(p) for p in sorted(PACKAGE.rglob("*.py"))}


def subpackage_edges() -> dict[str, set[str]]:
    """Subpackage -> the other subpackages its modules import."""
    edges: dict[str, set[str]] = {}
    for module, imports in import_graph().items():
        source = folder_of(module)
        if source not in ALLOWED:
            continue
        targets = {folder_of(m) for m in imports} & set(ALLOWED)
        edges.setdefault(source, set()).update(targets - {source})
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph as a list of nodes, or ``None`` (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_module_lives_in_a_subpackage_or_is_the_face() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top == FACE | SHARED
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(ALLOWED)


def violations(graph: dict[str, set[str]], folder: str) -> list[str]:
    """The imports of ``folder``'s modules that go against :data:`ALLOWED` or into the face."""
    wrong = []
    for module, imports in graph.items():
        if folder_of(module) != folder:
            continue
        for target in sorted(imports):
            other = folder_of(target)
            if other in ALLOWED and other != folder and other not in ALLOWED[folder]:
                wrong.append(f"{module} imports {target}")
            elif other in FACE:
                wrong.append(f"{module} imports the package's face: {target}")
    return wrong


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_imports_point_one_way(folder: str) -> None:
    wrong = violations(import_graph(), folder)
    assert not wrong, f"{folder} may import only {sorted(ALLOWED[folder])}: " + "; ".join(wrong)


def test_violations_catch_an_import_against_the_direction() -> None:
    graph = {"wgan.training.run": {"wgan.report.provenance", "wgan.theory.toy", "wgan.paths"},
             "wgan.theory.toy": {"wgan.cli"}}
    assert violations(graph, "training") == ["wgan.training.run imports wgan.report.provenance"]
    assert violations(graph, "theory") == ["wgan.theory.toy imports the package's face: wgan.cli"]


def test_shared_modules_import_no_other_wgan_module() -> None:
    graph = import_graph()
    for module in sorted(SHARED):
        assert not graph[f"wgan.{module}"], f"wgan.{module} imports {graph[f'wgan.{module}']}"


def test_no_cycle_between_subpackages() -> None:
    assert find_cycle(subpackage_edges()) is None


def test_allowed_directions_have_no_cycle() -> None:
    assert find_cycle(ALLOWED) is None


def test_nothing_imports_a_notebook() -> None:
    for module, imports in import_graph().items():
        assert not any("notebooks" in m for m in imports), module


def test_find_cycle_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_imported_modules_resolves_relative_and_from_imports(tmp_path: Path) -> None:
    module = tmp_path / "wgan" / "report" / "example.py"
    module.parent.mkdir(parents=True)
    module.write_text("from . import curves\nfrom ..training.run import RunResult\n"
                      "from wgan import paths\nimport wgan.theory.toy as toy\nimport numpy\n")
    imports = imported_modules(module, root=tmp_path / "wgan")
    assert imports == {"wgan.report", "wgan.report.curves", "wgan.training.run", "wgan",
                       "wgan.paths", "wgan.theory.toy"}
