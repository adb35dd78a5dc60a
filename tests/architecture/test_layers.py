"""The package's layers: imports flow one way, and no module imports itself back in a cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import zhusan

SRC = Path(zhusan.__file__).resolve().parent
#: The layers, lowest first. A module may import its own layer and those below it, never above.
LAYERS = ("model", "files", "engines", "checks", "outputs", "build", "web", "api", "cli")
TOP = {"__init__": "api", "__main__": "cli", "api": "api", "cli": "cli"}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    return TOP.get(parts[1], parts[1])


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(path: Path) -> set[str]:
    """Every zhusan module ``path`` imports, inside functions too (``TYPE_CHECKING`` aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for t in ast.walk(tree) if _type_checking(t) for n in ast.walk(t)}
    found: set[str] = set()
    modules = {_module(p) for p in SRC.rglob("*.py")}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("zhusan")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zhusan"):
            base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
    return found


GRAPH = {_module(p): imports(p) for p in sorted(SRC.rglob("*.py"))}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as a list of modules (empty: none)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_imports_itself_back_through_a_cycle() -> None:
    """The zhusan modules' imports, those inside functions included, form no cycle."""
    assert cycle(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The cycle finder reports a cycle it is given (so the test above can fail)."""
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_flow_down_the_layers(module: str) -> None:
    """A module imports only its own layer and the layers below it."""
    rank = LAYERS.index(_layer(module))
    above = sorted(m for m in GRAPH[module] if LAYERS.index(_layer(m)) > rank)
    assert above == [], f"{module} ({_layer(module)}) imports a higher layer: {above}"


def test_the_model_layer_imports_nothing_else_of_zhusan() -> None:
    """``zhusan.model`` is the bottom: it imports only itself."""
    outside = {
        (m, i)
        for m, deps in GRAPH.items()
        if _layer(m) == "model"
        for i in deps
        if _layer(i) != "model"
    }
    assert outside == set()


def test_every_subpackage_is_a_known_layer() -> None:
    """A new sub-package must be placed in ``LAYERS`` (so its imports are checked)."""
    assert {_layer(m) for m in GRAPH} <= set(LAYERS)


def test_internal_modules_say_so() -> None:
    """Every sub-package, and ``zhusan.api``, is marked internal in its docstring."""
    marked = [SRC / "api.py", *(p for p in SRC.glob("*/__init__.py"))]
    unmarked = [
        _module(p)
        for p in marked
        if not (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").startswith(
            "Internal"
        )
    ]
    assert len(marked) == len(LAYERS) - 1  # every layer but the CLI is a sub-package or api
    assert unmarked == []


def test_no_public_name_is_also_a_module_of_the_package() -> None:
    """A public name never shares its name with a module, which would replace it once imported."""
    modules = {p.stem for p in SRC.glob("*.py")}
    modules |= {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert set(zhusan.__all__) & modules == set()


def test_the_public_site_function_survives_an_import_of_every_module() -> None:
    """``zhusan.site`` is still the function after every internal module has been imported."""
    import importlib

    for module in GRAPH:
        importlib.import_module(module)
    assert callable(zhusan.site) and callable(zhusan.export)


def test_the_text_report_and_console_modules_load_without_polars() -> None:
    """Text folding, the report and the console stay light: importing them loads no polars."""
    code = (
        "import sys, zhusan.model.text, zhusan.model.report, zhusan.files.console;"
        "print('polars' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False", proc.stderr
