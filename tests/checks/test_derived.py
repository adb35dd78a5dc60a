"""Derived tables are checked: every listed resource, estimates recomputed row by row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import zhusan
from tests.conftest import Runner, read_rows, write_rows


def _estimates(pkg: Path) -> Path:
    return pkg / "dataset" / "estimates.csv"


def test_validate_reports_every_table_the_descriptor_lists(pkg: Path) -> None:
    """The bundled descriptor lists thirteen tables, and the report counts thirteen."""
    listed = [r["name"] for r in json.loads((pkg / "datapackage.json").read_text())["resources"]]
    report = zhusan.validate(pkg)
    assert report.valid and sorted(report.rows) == sorted(listed) and len(listed) == 13
    assert report.rows["estimates"] == len(read_rows(_estimates(pkg)))


def test_a_tampered_estimate_fails_naming_its_row_and_field(pkg: Path, cli: Runner) -> None:
    """A changed high in estimates.csv: exit 1, naming the row, field and the right value."""
    rows = read_rows(_estimates(pkg))
    rows[2]["high"] = "6"
    write_rows(_estimates(pkg), rows)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert (
        "dataset/estimates.csv row 4 field high: [estimate-mismatch] high is 6, but the figures "
        "give 100: run `zhusan refresh`"
    ) in proc.stdout


def test_a_tampered_estimate_with_its_hash_refreshed_still_fails(pkg: Path) -> None:
    """Rewriting the hash by hand does not hide a changed estimate: it is recomputed."""
    import hashlib

    rows = read_rows(_estimates(pkg))
    rows[0]["low"] = "26"
    write_rows(_estimates(pkg), rows)
    desc = json.loads((pkg / "datapackage.json").read_text())
    data = _estimates(pkg).read_bytes()
    for res in desc["resources"]:
        if res["name"] == "estimates":
            res.update(hash="sha256:" + hashlib.sha256(data).hexdigest(), bytes=len(data))
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    report = zhusan.validate(pkg)
    assert [(p.code, p.table, p.row, p.field) for p in report.problems] == [
        ("estimate-mismatch", "estimates", 2, "low")
    ]
    with pytest.raises(zhusan.InvalidPackage, match="estimate-mismatch"):
        zhusan.load(pkg)


def test_a_missing_and_an_unknown_estimate_are_both_named(pkg: Path) -> None:
    """An estimate the figures give is missing, and one they do not give is there instead."""
    rows = read_rows(_estimates(pkg))
    gone = rows[0]["estimate_id"]
    rows[0]["estimate_id"] = "invented-all-zhusan-2019"
    write_rows(_estimates(pkg), rows)
    messages = [p.message for p in zhusan.validate(pkg).problems if p.code == "estimate-mismatch"]
    assert any("no figure gives estimate 'invented-all-zhusan-2019'" in m for m in messages)
    assert any(f"estimate {gone!r}, which the figures give, is missing" in m for m in messages)


def test_a_broken_estimates_cell_is_a_cell_error(pkg: Path) -> None:
    """A cell that breaks the Estimate model is reported like any table's."""
    rows = read_rows(_estimates(pkg))
    rows[0]["source_count"] = "many"
    write_rows(_estimates(pkg), rows)
    problems = [p for p in zhusan.validate(pkg).problems if p.table == "estimates"]
    assert ("cell-error", 2, "source_count") in [(p.code, p.row, p.field) for p in problems]


def test_a_listed_resource_whose_file_is_gone_is_a_missing_file(pkg: Path) -> None:
    """Any resource the descriptor lists is checked, the derived ones and others too."""
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"].append({"name": "notes", "path": "notes.txt"})
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    _estimates(pkg).unlink()
    found = [(p.code, p.table) for p in zhusan.validate(pkg).problems]
    assert ("missing-file", "estimates") in found and ("missing-file", None) in found


def test_load_exposes_the_estimates_table() -> None:
    """``load().estimates`` holds the rows of estimates.csv, and ``estimates()`` the same."""
    data = zhusan.load()
    from zhusan.files.descriptor import bundled_root

    ids = [r["estimate_id"] for r in read_rows(bundled_root() / "dataset" / "estimates.csv")]
    assert [e.estimate_id for e in data.estimates] == ids
    assert zhusan.estimates(data) == list(data.estimates)
