"""Every test file is collected: no folder of tests/ matches a pattern pytest skips."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def skipped(folder: str, patterns: list[str]) -> bool:
    """Whether pytest skips a folder of this name under these ``norecursedirs`` patterns."""
    return any(fnmatch.fnmatch(folder, p) for p in patterns)


def test_no_folder_of_tests_is_skipped_by_pytest(pytestconfig: pytest.Config) -> None:
    """tests/build and every other folder of tests is searched for tests."""
    patterns = [str(p) for p in pytestconfig.getini("norecursedirs")]
    folders = [p.name for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert "build" in folders
    assert [f for f in folders if skipped(f, patterns)] == []


def test_pytests_default_patterns_would_skip_tests_build() -> None:
    """The check fails on pytest's default patterns, which skip folders named build."""
    default = [".*", "*.egg", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"]
    assert skipped("build", default)
