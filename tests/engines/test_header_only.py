"""A table that is only its header reads as an empty table in both engines, newline or not."""

from __future__ import annotations

from pathlib import Path

import pytest

import zhusan
from tests.conftest import refresh_hashes


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_header_only_table_is_empty_in_both_engines(pkg: Path, ending: str) -> None:
    """Header with or without a final line break: no record-too-long, the same problems."""
    path = pkg / "dataset" / "discrepancies.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + ending, encoding="utf-8")
    refresh_hashes(pkg)
    reports = {e: zhusan.validate(pkg, engine=e) for e in ("fast", "pydantic")}  # type: ignore[arg-type]
    fast, reference = reports["fast"], reports["pydantic"]
    assert fast.rows["discrepancies"] == reference.rows["discrepancies"] == 0
    assert [str(p) for p in fast.problems] == [str(p) for p in reference.problems]
    assert "record-too-long" not in fast.by_code()
