"""The validation report follows its published JSON Schema, and can be cut and followed."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

import zhusan
from tests.conftest import (
    Runner,
    edit_cell,
    figure_id,
    load_json,
    read_rows,
    refresh_hashes,
    write_rows,
)
from zhusan.files.descriptor import bundled_root
from zhusan.model.report import Problem, Problems

SCHEMA = json.loads((bundled_root() / "schema" / "validation-report.schema.json").read_text())


@pytest.fixture
def broken(pkg: Path) -> Path:
    """A copy of the package with three broken cells."""
    for stated, value in (("607", "many"), ("516", "-5"), ("595", "x")):
        source = {"607": "wsj-oneal-op-ed", "516": "rferl-women-who-came-home",
                  "595": "kylym-shamy-report"}[stated]  # fmt: skip
        edit_cell(pkg, "figures", figure_id(pkg, source, stated), "value", value)
    refresh_hashes(pkg)
    return pkg


def test_json_reports_follow_the_schema(cli: Runner, broken: Path) -> None:
    """Valid and invalid reports both validate against schema/validation-report.schema.json."""
    for args in (("validate", "--json"), ("validate", str(broken), "--json")):
        jsonschema.validate(load_json(cli(*args).stdout), SCHEMA)


def test_a_report_that_breaks_the_schema_is_caught() -> None:
    """The schema is strict enough to reject a report with a wrongly typed row."""
    report = zhusan.validate().to_dict()
    report["errors"] = [{"code": "x", "message": "m", "table": None, "row": "two", "field": None,
                         "value": None}]  # fmt: skip
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def test_limit_errors_cuts_the_list_not_the_counts(cli: Runner, broken: Path) -> None:
    """--limit-errors 1 lists one error and still counts them all."""
    data = load_json(cli("validate", str(broken), "--json", "--limit-errors", "1").stdout)
    assert len(data["errors"]) == 1 and data["errors_truncated"] is True  # type: ignore[arg-type]
    assert data["error_count"] == sum(data["errors_by_code"].values()) >= 3  # type: ignore[union-attr]
    text = cli("validate", str(broken), "--limit-errors", "1").stdout
    assert "more (--limit-errors)" in text


@pytest.mark.parametrize("limit", ["-2", "two"])
def test_a_limit_that_is_not_a_count_is_a_usage_error(cli: Runner, limit: str) -> None:
    """--limit-errors -2 or two: exit 2 with argparse's one-line message, nothing validated."""
    proc = cli("validate", "--limit-errors", limit)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"must be a whole number of zero or more, not '{limit}'" in proc.stderr


def test_human_summary_counts_each_kind(cli: Runner, broken: Path) -> None:
    """The human report gives the number of problems of each kind before the list."""
    lines = cli("validate", str(broken)).stdout.splitlines()
    assert any(line.split() == ["3", "cell-error"] for line in lines[2:6]), lines[:6]


def test_progress_is_reported_per_table() -> None:
    """A progress callback hears of every table, its rows and the share of its file read."""
    seen: dict[str, list[tuple[int, float]]] = {}
    zhusan.validate(progress=lambda t, rows, done: seen.setdefault(t, []).append((rows, done)))
    assert seen["figures"][-1] == (len(zhusan.load().figures), 1.0)
    shares = [done for calls in seen.values() for _, done in calls]
    assert all(0 < done <= 1 for done in shares), shares


def test_a_terminal_sees_a_progress_bar_on_stderr(tmp_path: Path) -> None:
    """With stderr a terminal, validate draws a bar with a percentage, then clears it."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "zhusan", "validate"],
        stdout=subprocess.PIPE,
        stderr=follower,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    os.close(follower)
    drawn = b""
    with contextlib.suppress(OSError):  # Linux raises EIO once the terminal is drained
        while chunk := os.read(leader, 1 << 16):
            drawn += chunk
    os.close(leader)
    assert proc.returncode == 0 and proc.stdout.startswith(b"VALID")
    assert b"figures        [########################] 100%" in drawn, drawn[-300:]
    assert drawn.endswith(b"\r"), "the bar is cleared before the report"


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli: Runner) -> None:
    """Piped or redirected, stderr holds only the line saying which package is validated."""
    proc = cli("validate")
    assert proc.returncode == 0
    assert proc.stderr.startswith("zhusan: no datapackage.json in this folder: using the bundled")
    assert proc.stderr.count("\n") == 1


def test_problems_past_the_cap_are_counted_not_kept() -> None:
    """Of one code in one table the first N are kept; the rest are counted, and merge."""
    many = Problems(3)
    for row in range(2, 12):
        many.append(Problem("cell-error", "bad", "figures", row, "value"))
    many.append(Problem("cell-error", "bad", "events", 2, "start"))
    assert [(p.table, p.row) for p in many] == [
        ("figures", 2), ("figures", 3), ("figures", 4), ("events", 2)
    ]  # fmt: skip
    assert many.dropped == {"cell-error": 7}
    merged = Problems(3)
    merged += many
    assert len(merged) == 4 and merged.dropped == {"cell-error": 7}


def test_max_per_code_bounds_the_list_and_keeps_the_counts(broken: Path, cli: Runner) -> None:
    """With --max-per-code 1 the report lists one cell-error and still counts all three."""
    full = zhusan.validate(broken, max_per_code=None)
    capped = zhusan.validate(broken, max_per_code=1)
    assert not capped.valid and capped.error_count == full.error_count >= 3
    assert capped.by_code() == full.by_code()
    assert [p for p in capped.problems if p.code == "cell-error"] == [
        p for p in full.problems if p.code == "cell-error"
    ][:1]
    data = capped.to_dict()
    assert data["errors_truncated"] is True and len(data["errors"]) < data["error_count"]
    jsonschema.validate(data, SCHEMA)
    out = cli("validate", str(broken), "--json", "--max-per-code", "1")
    assert out.returncode == 1 and load_json(out.stdout) == data
    assert (
        "not kept: past the first --max-per-code"
        in cli("validate", str(broken), "--max-per-code", "1").stdout
    )


def test_a_flood_of_bad_cells_keeps_memory_bounded(pkg: Path) -> None:
    """Every figure's value broken: each (table, code) keeps at most the cap, all are counted."""
    rows = read_rows(pkg / "dataset" / "figures.csv")
    for row in rows:
        row["value"] = "many"
        row["unit"] = "bad"
    write_rows(pkg / "dataset" / "figures.csv", rows)
    refresh_hashes(pkg)
    report = zhusan.validate(pkg, max_per_code=5)
    kept = Counter((p.table, p.code) for p in report.problems)
    assert max(kept.values()) == 5
    assert report.by_code()["cell-error"] >= 2 * len(rows)
    assert report.error_count == len(report.problems) + sum(report.dropped.values())


def test_the_problems_kept_of_a_code_are_the_first_by_row(pkg: Path) -> None:
    """Under the cap, the kept problems are the first by row, though invalid rows are read last.

    Rows 2 to 7 name a source that does not exist; rows 3 and 5 also break a cell, so the fast
    engine puts them after the valid rows. The three foreign-key problems kept are rows 2 to 4.
    """
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    for i in range(6):
        rows[i]["source_id"] = "no-such-source"
    for i in (1, 3):
        rows[i]["value"] = "many"
    write_rows(path, rows)
    refresh_hashes(pkg)

    def fk_rows(report: zhusan.Report) -> list[int | None]:
        return [p.row for p in report.problems if p.code == "foreign-key"]

    full = zhusan.validate(pkg, max_per_code=None)
    assert fk_rows(full) == [2, 3, 4, 5, 6, 7]
    assert fk_rows(zhusan.validate(pkg, max_per_code=3)) == [2, 3, 4]
