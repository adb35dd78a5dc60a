"""`zhusan diff` reports what changed between two packages, by primary key, cell by cell."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import zhusan
from tests.conftest import Runner, copy_package, read_rows, refresh_hashes, write_rows
from tests.scratch import add_source, figure, scratch_package, write_figures
from zhusan.checks.diff import diff_summary
from zhusan.files.descriptor import bundled_root

ROOT = bundled_root()


def _edit_figures(pkg: Path) -> dict[str, str]:
    """Change one figure, add one, remove one (hashes refreshed); the ids, by what happened."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    changed = next(r for r in rows if r["figure_id"] == "kylym-03")
    changed["note"] = "A note changed for the test."
    removed = rows.pop(next(i for i, r in enumerate(rows) if r["figure_id"] == "wsj-12"))
    added = dict(next(r for r in rows if r["figure_id"] == "rferl-10"), figure_id="rferl-99")
    rows.append(added)
    write_rows(path, rows)
    refresh_hashes(pkg)
    return {"changed": "kylym-03", "added": "rferl-99", "removed": removed["figure_id"]}


def test_identical_packages_exit_zero(pkg: Path, cli: Runner) -> None:
    """The bundled package and a copy of it: exit 0, and the summary says identical."""
    proc = cli("diff", str(ROOT), str(pkg))
    assert proc.returncode == 0, proc.stderr
    assert "identical" in proc.stdout
    assert zhusan.diff(ROOT, pkg)["identical"] is True


def test_one_figure_changed_added_and_removed_is_exactly_that(pkg: Path, cli: Runner) -> None:
    """A copy with one figure changed, one added, one removed: those three by key, exit 1."""
    ids = _edit_figures(pkg)
    proc = cli("diff", str(ROOT), str(pkg), "--json")
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    assert result["identical"] is False
    assert list(result["tables"]) == ["figures"]
    figures = result["tables"]["figures"]
    assert figures["key"] == ["figure_id"]
    assert [e["key"] for e in figures["added"]] == [{"figure_id": ids["added"]}]
    assert [e["key"] for e in figures["removed"]] == [{"figure_id": ids["removed"]}]
    assert figures["changed"] == [
        {
            "key": {"figure_id": ids["changed"]},
            "cells": [
                {
                    "field": "note",
                    "before": next(
                        r["note"]
                        for r in read_rows(ROOT / "dataset" / "figures.csv")
                        if r["figure_id"] == "kylym-03"
                    ),
                    "after": "A note changed for the test.",
                }
            ],
        }
    ]
    assert result["tables_added"] == result["tables_removed"] == result["metadata"] == []


def test_the_summary_groups_figures_by_source(pkg: Path, cli: Runner) -> None:
    """The summary names each source with its title and the figures changed, added, removed."""
    ids = _edit_figures(pkg)
    proc = cli("diff", str(ROOT), str(pkg))
    assert proc.returncode == 1
    text = proc.stdout
    assert "### Figures, by source" in text
    assert "Work with returnees from Syria and Iraq" in text  # the Kylym Shamy report's title
    assert f"  - changed `{ids['changed']}`: note " in text
    assert (
        f"  - added `{ids['added']}`: 516 persons: returned · all · zhusan, as of 2019-05" in text
    )
    assert f"  - removed `{ids['removed']}`: 607 persons" in text
    assert "- figures: 1 added, 1 removed, 1 changed (103 → 103 rows)" in text


def test_json_output_equals_the_api(pkg: Path, cli: Runner) -> None:
    """`zhusan diff --json` prints zhusan.diff's result; the summary is diff_summary's."""
    _edit_figures(pkg)
    result = zhusan.diff(str(ROOT), str(pkg))
    assert json.loads(cli("diff", str(ROOT), str(pkg), "--json").stdout) == result
    assert cli("diff", str(ROOT), str(pkg)).stdout == diff_summary(result)


def test_regenerated_tables_are_marked_generated(pkg: Path, cli: Runner) -> None:
    """After `zhusan schema`, figures_flat and estimates follow the figures, marked generated."""
    _edit_figures(pkg)
    assert cli("schema", "--root", str(pkg)).returncode == 0
    result = zhusan.diff(ROOT, pkg)
    figures = result["tables"]["figures"]
    assert (len(figures["added"]), len(figures["removed"]), len(figures["changed"])) == (1, 1, 1)
    flat = result["summary"]["tables"]["figures_flat"]
    assert flat == {"added": 1, "removed": 1, "changed": 1, "generated": True}
    assert "- figures_flat (generated): 1 added, 1 removed, 1 changed" in diff_summary(result)


def test_numbers_are_compared_as_numbers(pkg: Path) -> None:
    """595 and 595.0 in a number field are the same; 595 and 596 are not."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    row = next(r for r in rows if r["figure_id"] == "kylym-03")
    row["value"] = "595.0"
    write_rows(path, rows)
    assert zhusan.diff(ROOT, pkg)["identical"] is True
    row["value"] = "596"
    write_rows(path, rows)
    cells = zhusan.diff(ROOT, pkg)["tables"]["figures"]["changed"][0]["cells"]
    assert cells == [{"field": "value", "before": "595", "after": "596"}]


def test_new_sources_and_explanations_are_named(pkg: Path) -> None:
    """A source and a discrepancies row added are listed under their own headings."""
    sources = read_rows(pkg / "dataset" / "sources.csv")
    sources.append(dict(sources[0], source_id="new-report", title="A new report"))
    write_rows(pkg / "dataset" / "sources.csv", sources)
    explained = read_rows(pkg / "dataset" / "discrepancies.csv")
    explained.append(dict(explained[0], discrepancy_id="disc-99"))
    write_rows(pkg / "dataset" / "discrepancies.csv", explained)
    result = zhusan.diff(ROOT, pkg)
    assert result["summary"]["sources_added"] == ["new-report"]
    assert result["summary"]["discrepancies_added"] == ["disc-99"]
    text = diff_summary(result)
    assert "### New sources\n\n- A new report (`new-report`)" in text
    assert "- added `disc-99`" in text


def test_a_new_disagreement_between_sources_is_reported(tmp_path: Path) -> None:
    """In a package built from scratch, a figure that disagrees shows as a new finding."""
    old = scratch_package(tmp_path / "old")
    new = scratch_package(tmp_path / "new")
    quote = "An NGO counted 115 returned citizens in 2020."
    add_source(new, "ngo-report", quote + "\n")
    write_figures(
        new,
        [figure("m-01", "120", "all"), figure("m-02", "70", "children"),
         figure("n-01", "115", "all", "ngo-report", quote)],
    )  # fmt: skip
    result = zhusan.diff(old, new)
    assert result["old"]["name"] == "scratch-data"
    assert [e["key"] for e in result["tables"]["figures"]["added"]] == [{"figure_id": "n-01"}]
    assert result["summary"]["sources_added"] == ["ngo-report"]
    found = result["findings"]
    assert found is not None and found["removed"] == []
    assert found["added"] and all("n-01" in c["figure_ids"] for c in found["added"])
    text = diff_summary(result)
    assert "### New sources\n\n- Report ngo-report (`ngo-report`)" in text
    assert "### Disagreements between sources" in text and "unexplained" in text


def _frictionless(root: Path, rows: list[str], key: bool) -> Path:
    """A package that is not zhusan's at all: one table, inline schema, maybe no key."""
    root.mkdir()
    (root / "things.csv").write_text("id,size\n" + "".join(f"{r}\n" for r in rows), "utf-8")
    schema: dict[str, Any] = {
        "fields": [{"name": "id", "type": "string"}, {"name": "size", "type": "integer"}]
    }
    if key:
        schema["primaryKey"] = ["id"]
    descriptor = {
        "name": "things",
        "resources": [{"name": "things", "path": "things.csv", "schema": schema}],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def test_any_frictionless_package_can_be_compared(tmp_path: Path) -> None:
    """Keyed rows are matched by key; rows of a table with no key are matched whole."""
    a = _frictionless(tmp_path / "a", ["x,1", "y,2"], key=True)
    b = _frictionless(tmp_path / "b", ["x,01", "y,3", "z,4"], key=True)
    things = zhusan.diff(a, b)["tables"]["things"]
    assert [c["key"] for c in things["changed"]] == [{"id": "y"}]  # 1 and 01 are one integer
    assert [e["key"] for e in things["added"]] == [{"id": "z"}]
    c = _frictionless(tmp_path / "c", ["x,1", "y,2"], key=False)
    d = _frictionless(tmp_path / "d", ["y,2", "x,5"], key=False)
    things = zhusan.diff(c, d)["tables"]["things"]
    assert things["changed"] == []
    assert [e["row"] for e in things["added"]] == [{"id": "x", "size": "5"}]
    assert [e["row"] for e in things["removed"]] == [{"id": "x", "size": "1"}]


def test_a_table_and_a_field_added_are_reported(tmp_path: Path) -> None:
    """A resource only NEW has, and a column only NEW has, are named as added."""
    a = _frictionless(tmp_path / "a", ["x,1"], key=True)
    b = _frictionless(tmp_path / "b", ["x,1"], key=True)
    (b / "things.csv").write_text("id,size,colour\nx,1,red\n", encoding="utf-8")
    descriptor = json.loads((b / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "more", "path": "things.csv"})
    (b / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = zhusan.diff(a, b)
    assert result["tables_added"] == ["more"]
    assert result["tables"]["things"]["fields_added"] == ["colour"]
    assert result["tables"]["things"]["changed"] == []


def test_a_zip_whose_member_leaves_the_folder_is_refused(tmp_path: Path, cli: Runner) -> None:
    """An archive with a ../ member: exit 2, one line, nothing written outside."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("datapackage.json", "{}")
        z.writestr("../escaped.txt", "x")
    proc = cli("diff", str(ROOT), str(evil))
    assert proc.returncode == 2
    assert "would be written outside the folder" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_missing_package_is_unusable(tmp_path: Path, cli: Runner) -> None:
    """A path that is no package: exit 2 naming it."""
    proc = cli("diff", str(ROOT), str(tmp_path / "nothing"))
    assert proc.returncode == 2
    assert "nothing" in proc.stderr and "Traceback" not in proc.stderr


def test_a_copy_without_generated_files_still_compares(tmp_path: Path) -> None:
    """A copy of the package compares identical whatever folder it sits in."""
    copy = copy_package(tmp_path)
    assert zhusan.diff(copy, ROOT)["identical"] is True
