"""The house rules that keep the tree readable: no import circles, one handler per message type."""

from __future__ import annotations

import ast

import pytest

from protocol.catalog import CLIENT_MESSAGES
from server.core import ServerCore
from server.dispatch import Feature
from server.fair import build_core
from tests.conftest import ROOT
from world.scene import load_halls

PACKAGES = ("protocol", "world", "server", "client", "uploads", "tools")


def module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports() -> dict[str, set[str]]:
    """Module -> the project modules it imports (any import statement, TYPE_CHECKING ones included)."""
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circles():
    assert circles(project_imports()) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_client_message_has_exactly_one_handler():
    core = build_core(load_halls())
    assert set(core.table) == set(CLIENT_MESSAGES)


def test_a_type_claimed_twice_or_left_unhandled_stops_the_server_at_start():
    class Twice(Feature):
        def routes(self):
            return {"join": lambda s, m, now: []}

    rooms_and_more = build_core(load_halls()).features
    with pytest.raises(RuntimeError, match="two handlers"):
        ServerCore([*rooms_and_more, Twice()])
    with pytest.raises(RuntimeError, match="nobody handles"):
        ServerCore(rooms_and_more[:1])
