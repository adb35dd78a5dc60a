"""The interval check: decimal arithmetic, and a message naming the wrong field and its value."""

from __future__ import annotations

from pathlib import Path

import zhusan
from tests.conftest import read_rows, refresh_hashes, write_rows


def _hedge(pkg: Path, **cells: str) -> int:
    """Turn the first exact figure of 80 into 'about 80' with the given cells; its row."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    for i, row in enumerate(rows):
        if row["figure_id"] == "pitch-02":
            row.update(qualifier="about", **cells)
            write_rows(path, rows)
            refresh_hashes(pkg)
            return i + 2
    raise AssertionError("pitch-02 is gone")


def test_about_twelve_written_as_it_prints_is_valid(pkg: Path) -> None:
    """'about 12' with upper 13.2 passes (binary floats would give 13.200000000000001)."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    twelve = next(r for r in rows if r["figure_id"] == "kylym-10")
    assert twelve["stated"] == "12"
    twelve.update(qualifier="about", lower="10.8", upper="13.2", bounds="[]")
    write_rows(path, rows)
    refresh_hashes(pkg)
    for engine in ("fast", "pydantic"):
        report = zhusan.validate(pkg, engine=engine)  # type: ignore[arg-type]
        assert [str(p) for p in report.problems if p.code == "interval-rule"] == []


def test_a_wrong_upper_is_named_with_the_value_the_rule_gives(pkg: Path) -> None:
    """Only upper is wrong: one problem at field upper, saying 88 and the whole interval."""
    row = _hedge(pkg, lower="72", upper="88.5", bounds="[]")
    problems = [p for p in zhusan.validate(pkg).problems if p.code == "interval-rule"]
    assert [(p.row, p.field, p.value) for p in problems] == [(row, "upper", "88.5")]
    assert "upper is 88.5, but about 80 gives upper 88 (the interval [72, 88])" in str(problems[0])


def test_each_wrong_field_is_its_own_problem(pkg: Path) -> None:
    """Wrong lower and bounds: two problems, each naming its field and the expected value."""
    row = _hedge(pkg, lower="70", upper="88", bounds="[)")
    problems = [p for p in zhusan.validate(pkg).problems if p.code == "interval-rule"]
    assert sorted((p.row, p.field) for p in problems) == [(row, "bounds"), (row, "lower")]
    messages = " ".join(sorted(p.message for p in problems))
    assert "gives lower 72" in messages and "gives bounds []" in messages


def test_a_fractional_value_is_judged_in_decimals() -> None:
    """'about 0.7' has [0.63, 0.77]; 0.7700000000000001 is wrong, 0.77 right."""
    from zhusan.checks.intervals import interval_problems

    cells = {"value": "0.7", "qualifier": "about", "bounds": "[]", "_row": 9}
    assert interval_problems(cells | {"lower": "0.63", "upper": "0.77"}) == []
    wrong = interval_problems(cells | {"lower": "0.63", "upper": "0.7700000000000001"})
    assert [(p.field, p.row) for p in wrong] == [("upper", 9)]
    assert "gives upper 0.77" in wrong[0].message
