"""The house's import map: pure rules stay pure, services never reach into web code, and neither modules
nor packages import each other in a circle. Read from the source with `ast`, so nothing is imported."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "elearn"
BLUEPRINTS = ("admin", "auth", "certificates", "events", "learn", "magazine", "media", "notices", "quiz", "reports",
              "scorm", "workshops", "ops")
WEB = ("elearn.web", "elearn.templating", "elearn.errors", "elearn.security", "elearn.observability",
       *(f"elearn.{b}" for b in BLUEPRINTS))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in ROOT.rglob("*.py")}


def _target(module: str, name: str | None) -> str:
    """`from module import name` imports the submodule module.name when there is one."""
    if name and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module


def _imports(module: str, top_level_only: bool) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(_target(node.module, alias.name) for alias in node.names)
    return found


def _within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _area(module: str) -> str:
    """The package a module counts under in the map: elearn.services.people, elearn.domain, elearn.cli ..."""
    parts = module.split(".")
    return ".".join(parts[:3] if parts[:2] == ["elearn", "services"] else parts[:2])


@pytest.mark.parametrize("package", ["elearn.domain", "elearn.content", "elearn.storage"])
def test_pure_packages_import_no_flask_no_database_and_nothing_above_them(package):
    allowed = {"elearn.domain": ("elearn.domain", "elearn.clock"),
               "elearn.content": ("elearn.content", "elearn.domain", "elearn.clock", "elearn.storage"),
               "elearn.storage": ("elearn.storage",)}[package]
    for module in (m for m in MODULES if _within(m, package)):
        for imported in _imports(module, top_level_only=False):
            assert not _within(imported, "flask", "flask_babel", "flask_login", "sqlalchemy"), (module, imported)
            if imported.startswith("elearn"):
                assert _within(imported, *allowed), (module, imported)


def test_services_and_the_command_line_never_import_web_code():
    for module in (m for m in MODULES if _within(m, "elearn.services", "elearn.cli", "elearn.demo")):
        for imported in _imports(module, top_level_only=False):
            assert not _within(imported, *WEB), (module, imported)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node], _ = 2, stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_through_others():
    graph = {module: {i for i in _imports(module, top_level_only=True) if i in MODULES and i != module}
             for module in MODULES}
    # A package's __init__ loading its own submodules is how packages work, not a circle.
    for module, imported in graph.items():
        graph[module] = {i for i in imported if not i.startswith(module + ".")}
    assert _cycle(graph) is None


def test_no_package_imports_itself_through_others():
    graph: dict[str, set[str]] = defaultdict(set)
    for module in MODULES:
        for imported in _imports(module, top_level_only=True):
            if imported in MODULES and _area(imported) != _area(module):
                graph[_area(module)].add(_area(imported))
    assert _cycle(graph) is None, _cycle(graph)


def test_the_map_finds_imports_so_the_checks_above_can_fail():
    assert "elearn.services.visibility" in _imports("elearn.services.reports.team", top_level_only=True)
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
