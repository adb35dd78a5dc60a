"""The error-code registry is the one list of codes: problems, the report schema and the docs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zhusan
from zhusan.model.errors import CODES, EXIT_INVALID, EXIT_UNUSABLE
from zhusan.model.report import Problem, report_schema

SRC = Path(zhusan.__file__).resolve().parent


def test_a_problem_with_an_unregistered_code_cannot_be_made() -> None:
    """A typo in a code is a bug found at once, not a report with an unknown code."""
    with pytest.raises(ValueError, match="'foreign-kye' is not a registered error code"):
        Problem("foreign-kye", "x")


def test_every_code_the_source_names_is_registered() -> None:
    """Each string literal given to ``Problem(...)`` in the source is a registered code."""
    named = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Problem"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(node.args[0].value)
    assert named, "no Problem(...) call found: the scan is broken"
    assert named - set(CODES) == set()


def test_the_report_schema_enumerates_the_registered_codes() -> None:
    """The JSON Schema of the report allows exactly the registered codes."""
    code = report_schema()["$defs"]["_ErrorModel"]["properties"]["code"]
    assert code["enum"] == sorted(CODES)


def test_every_code_has_a_meaning_an_example_and_an_invalid_exit() -> None:
    """Each entry says what it means and shows its one-line message; it exits 1 or, unusable, 2."""
    for entry in CODES.values():
        assert entry.meaning and f"[{entry.code}]" in entry.example
        assert "\n" not in entry.example
        assert entry.exit in (EXIT_INVALID, EXIT_UNUSABLE)
        assert (entry.exit == EXIT_UNUSABLE) == ("(exit 2)" in entry.meaning)


def test_the_docs_table_lists_every_code() -> None:
    """docs/validation.md's generated table has a row for each registered code."""
    docs = (SRC.parents[1] / "docs" / "validation.md").read_text(encoding="utf-8")
    assert [c for c, e in CODES.items() if f"| `{c}` | {e.exit} |" not in docs] == []
