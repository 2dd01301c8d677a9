"""The parts of forum/ import one another one way only (DESIGN.md, Layout).

The web layer (each package's routes, pages and ws modules; web, app, cli) may import
anything; every other module is a node of its part (a package, or a top-level module),
and the parts must form a graph without cycles, counting every import: at the top, under
TYPE_CHECKING or inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

FORUM = Path(__file__).resolve().parents[2] / "forum"
WEB = frozenset({"routes", "pages", "ws", "web", "app", "cli"})


def _part(module: str) -> str | None:
    """The part of forum/ a dotted module belongs to; None for the web layer or outside."""
    names = module.split(".")
    if names[0] != "forum" or len(names) < 2 or names[1] in WEB or names[-1] in WEB:
        return None
    return names[1]


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in FORUM.rglob("*.py"):
        module = ".".join(("forum", *path.relative_to(FORUM).with_suffix("").parts))
        source = _part(module.removesuffix(".__init__"))
        if source is None:
            continue
        targets = graph.setdefault(source, set())
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if (target := _part(name)) is not None and target != source:
                targets.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that returns to its start, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, ())):
            if (cycle := visit(target, [*path, node])) is not None:
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        if (cycle := visit(start, [])) is not None:
            return cycle
    return None


def test_find_cycle_finds_one_when_there_is_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_forum_parts_import_one_way() -> None:
    graph = import_graph()
    # The graph is real: the domain parts are in it and depend on the foundation.
    assert {"accounts", "circles", "threads", "review", "chat"} <= graph.keys()
    assert "accounts" in graph["threads"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])
