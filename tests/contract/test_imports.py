"""One house: core's modules form no import cycle, core names no plugin, plugins import neither
each other nor core's internals (only ``core.api``), and ``core.api`` loads no application."""
from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GETTEXT = {"gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext", "_"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(package: str) -> dict[str, Path]:
    return {module_name(p): p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts}


def imported(path: Path) -> Iterator[str]:
    """Every module an import statement names, at any depth (function-level imports included),
    except inside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING"
               for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_core_modules_import_each_other_without_a_cycle():
    modules = sources("core")
    graph = {name: {target for target in imported(path) if target in modules and target != name}
             for name, path in modules.items()}
    assert cycles(graph) == []


def test_core_never_imports_a_plugin():
    offenders = [(name, target) for name, path in sources("core").items() for target in imported(path)
                 if target == "plugins" or target.startswith("plugins.")]
    assert offenders == []


def test_a_plugin_imports_no_other_plugin_and_only_the_core_api():
    offenders = []
    for name, path in sources("plugins").items():
        own = ".".join(name.split(".")[:2])
        for target in imported(path):
            if target.startswith("plugins.") and not (target == own or target.startswith(own + ".")):
                offenders.append((name, target))
            if target.startswith("core") and not (target == "core.api" or target.startswith("core.api.")):
                offenders.append((name, target))
            if target.startswith("flask_babel.") and target.rpartition(".")[2] in GETTEXT:
                offenders.append((name, target))  # core's domain: a plugin translates in its own
    assert offenders == []


def test_the_core_api_loads_no_application():
    probe = ("import sys, core.api; app = {'core.app', 'core.core_hooks', 'core.web', 'core.cli', "
             "'core.commands', 'core.registry.views'} & set(sys.modules); print(sorted(app))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
