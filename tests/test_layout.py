"""The layout keeps its promises: no import cycle, no private name imported across modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "archivekit"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """Each module's archivekit imports (type-checking and function-level ones included)."""
    graph: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.module, [alias.name for alias in node.names]))
            elif isinstance(node, ast.Import):
                found += [(alias.name, []) for alias in node.names]
        graph[_module(path)] = [(m, names) for m, names in found if m.startswith("archivekit")]
    return graph


def _target(module: str, name: str, modules: set[str]) -> str:
    """``from module import name``: the submodule when ``name`` is one, else the module."""
    return f"{module}.{name}" if f"{module}.{name}" in modules else module


def test_no_import_cycle() -> None:
    graph = _imports()
    modules = set(graph)
    edges = {
        source: {
            _target(module, name, modules)
            for module, names in imports
            for name in (names or [""])
            if _target(module, name, modules) != source
        }
        & modules
        for source, imports in graph.items()
    }
    # A package's __init__ runs before its submodules: importing a submodule imports
    # its parents, so an edge to "a.b" is an edge to "a" too.
    for targets in edges.values():
        for target in list(targets):
            parts = target.split(".")
            targets |= {".".join(parts[:i]) for i in range(2, len(parts))} & modules
    for source in edges:
        edges[source].discard(source)
        edges[source] -= {m for m in modules if source.startswith(m + ".")}  # its own parents
    assert _cycles(edges) == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first search meets, as the list of its modules."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return cycles


def test_the_cycle_search_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_private_name_is_imported_across_modules() -> None:
    crossing = [
        f"{source} imports {name} from {module}"
        for source, imports in _imports().items()
        for module, names in imports
        for name in names
        if name.startswith("_") and not name.startswith("__") and module != source
    ]
    assert crossing == []


def test_formats_holds_only_the_record_formats() -> None:
    modules = sorted(p.stem for p in (PACKAGE / "formats").glob("*.py"))
    assert modules == [
        "__init__",
        "archive",
        "base",
        "csv",
        "frontmatter",
        "json",
        "jsonl",
        "markdown",
        "parquet",
        "sqlite",
    ]
