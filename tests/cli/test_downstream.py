"""A package built from scratch validates on the first try; each mistake replayed is handled.

Each mistake of issue 18 gives the behaviour asked for there, and never exit 3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import (
    SCRATCH_DOCUMENT,
    SCRATCH_FIGURES,
    Runner,
    edit_cell,
    read_rows,
    write_rows,
)


def test_a_new_package_validates_on_the_first_run(tmp_path: Path, cli: Runner) -> None:
    """init, add-source, figures, refresh: validate exits 0 first time; metadata as written."""
    pkg = tmp_path / "mypkg"
    assert cli("init", str(pkg), "--name", "my-returns", "--title", "Returns").returncode == 0
    desc = json.loads((pkg / "datapackage.json").read_text())
    mine = {
        "description": "Returns from the camps, counted by one NGO.",
        "contributors": [{"title": "A. Researcher", "roles": ["creator"]}],
        "licenses": [
            {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
        ],
    }
    (pkg / "datapackage.json").write_text(json.dumps(desc | mine, indent=2))
    (tmp_path / "mehr-report.txt").write_text(SCRATCH_DOCUMENT)
    proc = cli(
        "add-source", str(pkg), str(tmp_path / "mehr-report.txt"), "--id", "mehr-report",
        "--title", "Report on Operation Mehr", "--kind", "ngo_report", "--published", "2020",
        "--interest", "An NGO report on its own programme.",
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    with (pkg / "dataset" / "figures.csv").open("a") as fh:
        fh.write(SCRATCH_FIGURES)
    assert cli("refresh", str(pkg)).returncode == 0
    proc = cli("validate", str(pkg))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith("VALID") and "13 tables, 10 rows, 0 problems" in proc.stdout
    after = json.loads((pkg / "datapackage.json").read_text())
    assert (after["name"], after["title"]) == ("my-returns", "Returns")
    assert {k: after[k] for k in mine} == mine


def test_without_a_path_the_package_in_this_folder_is_used(scratch: Path, cli: Runner) -> None:
    """Inside the user's folder, validate, conflicts, export and report use it and say so."""
    for args in (("validate",), ("conflicts",), ("export", "json", "--out", "../j"),
                 ("report", "--out", "../site")):  # fmt: skip
        proc = cli(*args, cwd=scratch)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "using the package in this folder (./datapackage.json)" in proc.stderr
    assert "mypkg/datapackage.json" not in cli("validate", cwd=scratch).stdout
    assert "VALID: datapackage.json" in cli("validate", cwd=scratch).stdout


def test_elsewhere_the_bundled_package_is_used_and_named(tmp_path: Path, cli: Runner) -> None:
    """With no datapackage.json here, the bundled package is validated, and stderr says so."""
    proc = cli("validate", cwd=tmp_path)
    assert proc.returncode == 0
    assert "no datapackage.json in this folder: using the bundled package" in proc.stderr


def test_a_tampered_estimate_exits_1(scratch: Path, cli: Runner) -> None:
    """A changed number in estimates.csv: exit 1, naming the row."""
    path = scratch / "dataset" / "estimates.csv"
    rows = read_rows(path)
    rows[0]["high"] = "93"
    write_rows(path, rows)
    proc = cli("validate", str(scratch))
    assert proc.returncode == 1
    assert "dataset/estimates.csv row 2 field high: [estimate-mismatch] high is 93" in proc.stdout


def test_a_value_that_contradicts_its_words_exits_1(scratch: Path, cli: Runner) -> None:
    """'80' stated and 81 recorded: exit 1, naming the row and both numbers."""
    for field in ("value", "lower", "upper"):
        row = edit_cell(scratch, "figures", "mehr-03", field, "81")
    assert cli("refresh", str(scratch)).returncode == 0
    proc = cli("validate", str(scratch))
    assert proc.returncode == 1
    assert f"dataset/figures.csv row {row}: [row-rule]" in proc.stdout
    assert "stated '80' reads 80, but value is 81" in proc.stdout


def test_about_twelve_with_upper_13_2_exits_0(scratch: Path, cli: Runner) -> None:
    """The from-scratch package holds 'about 12' with 10.8 and 13.2, and is valid."""
    (row,) = [r for r in read_rows(scratch / "dataset" / "figures.csv") if r["stated"] == "12"]
    assert (row["qualifier"], row["lower"], row["upper"]) == ("about", "10.8", "13.2")
    assert cli("validate", str(scratch)).returncode == 0


def test_a_one_source_site_never_says_five(scratch: Path, cli: Runner, tmp_path: Path) -> None:
    """The report of a one-source package counts one document and names no lobbying."""
    proc = cli("report", str(scratch), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    text = " ".join(p.read_text() for p in (tmp_path / "site").glob("*.html"))
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "What one document says" in words and "from the one document" in words
    for hard_coded in ("five", "Five", "Kazakhstan", "lobbying", "Operation Zhusan"):
        assert hard_coded not in words, hard_coded
    assert "Returns from the camps" in words  # the user's title


def test_export_and_report_refuse_an_invalid_package(scratch: Path, cli: Runner) -> None:
    """A broken reference: exit 1 with the summary, nothing written; --allow-invalid writes."""
    edit_cell(scratch, "figures", "mehr-02", "parent_id", "mehr-99")
    cli("refresh", str(scratch))
    out = scratch.parent / "out"
    for args in (("export", "json", str(scratch), "--out", str(out)),
                 ("report", str(scratch), "--out", str(out))):  # fmt: skip
        proc = cli(*args)
        assert proc.returncode == 1, proc.stderr
        assert "will not" in proc.stderr and "INVALID:" in proc.stderr
        assert "[foreign-key]" in proc.stderr and "--allow-invalid" in proc.stderr
        assert not out.exists()
    proc = cli("export", "json", str(scratch), "--out", str(out), "--allow-invalid")
    assert proc.returncode == 0 and (out / "figures.json").is_file()


def test_rows_that_do_not_parse_are_refused_even_with_allow_invalid(
    scratch: Path, cli: Runner
) -> None:
    """A cell the model rejects cannot be exported at all: exit 1 with the summary."""
    edit_cell(scratch, "figures", "mehr-03", "unit", "people")
    cli("refresh", str(scratch))
    proc = cli(
        "export", "json", str(scratch), "--out", str(scratch.parent / "o"), "--allow-invalid"
    )
    assert proc.returncode == 1 and "do not all match the schema" in proc.stderr
    assert "[cell-error]" in proc.stderr


def test_one_row_numbering_in_validate_and_export(scratch: Path, cli: Runner) -> None:
    """A broken foreign key is the same row in validate's report and in export's message."""
    row = edit_cell(scratch, "figures", "mehr-03", "parent_id", "mehr-99")
    cli("refresh", str(scratch))
    report = cli("validate", str(scratch)).stdout
    assert f"dataset/figures.csv row {row} field parent_id: [foreign-key]" in report
    proc = cli("export", "sqlite", str(scratch), "--out", str(scratch.parent / "db"),
               "--allow-invalid")  # fmt: skip
    assert proc.returncode == 2
    assert f"dataset/figures.csv row {row} -> figures" in proc.stderr


@pytest.mark.parametrize("command", ["export", "report"])
def test_an_output_path_that_is_a_file_exits_2(
    scratch: Path, cli: Runner, tmp_path: Path, command: str
) -> None:
    """--out naming a file: one line, exit 2, the file untouched."""
    target = tmp_path / "a-file"
    target.write_text("mine")
    args = ("export", "parquet") if command == "export" else ("report",)
    proc = cli(*args, str(scratch), "--out", str(target))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "is a file, not a folder" in proc.stderr and target.read_text() == "mine"


@pytest.mark.parametrize("command", ["export", "report"])
def test_an_unwritable_output_folder_exits_2(scratch: Path, cli: Runner, command: str) -> None:
    """--out where no folder can be made (under /proc): one line, exit 2."""
    args = ("export", "parquet") if command == "export" else ("report",)
    proc = cli(*args, str(scratch), "--out", "/proc/zhusan-out")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot" in proc.stderr


def test_no_mistake_of_the_issue_is_an_internal_error(scratch: Path, cli: Runner) -> None:
    """Partial package, missing table, file as output, schema on a partial package: no exit 3."""
    (scratch / "dataset" / "roles.csv").unlink()
    runs = [
        cli("validate", str(scratch)),
        cli("schema", "--root", str(scratch)),
        cli("refresh", str(scratch)),
        cli("export", "parquet", "--out", "/etc/passwd"),
        cli("export", "parquet", str(scratch), "--out", str(scratch.parent / "x")),
        cli("report", str(scratch), "--out", str(scratch.parent / "y")),
    ]
    for proc in runs:
        assert proc.returncode == 2, proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
