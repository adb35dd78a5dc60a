"""Every table the descriptor lists is in every export, in dataset/json/ and in the frames.

The list of tables comes from datapackage.json, not from the code, so a table the descriptor
gains cannot be left out of an export again. Each export is read back with its format's own
tool (pyarrow, sqlite3, openpyxl, a JSON Schema validator) and holds the CSV's row count.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import jsonschema
import openpyxl
import pyarrow.parquet as pq
import pytest

import zhusan
from zhusan.files.descriptor import bundled_root
from zhusan.outputs.export import FORMATS, PACKAGE_FILE, export, schema_file_name
from zhusan.outputs.sqlite import DATABASE_FILE

ROOT = bundled_root()
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
#: Each table the descriptor lists, with the number of rows of its CSV file.
ROWS = {
    r["name"]: len(list(csv.DictReader(io.StringIO((ROOT / r["path"]).read_text("utf-8")))))
    for r in DESCRIPTOR["resources"]
}
DATA = zhusan.load()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every export format of the bundled package, each in its own folder."""
    out = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        export(DATA, fmt, out / fmt)
    return out


def test_the_descriptor_lists_the_generated_tables_too() -> None:
    """The descriptor lists estimates and figures_flat too; zhusan.tables() is its tables."""
    assert {"estimates", "figures_flat"} <= set(ROWS)
    assert zhusan.tables() == list(ROWS)
    assert all(n > 0 for n in ROWS.values())


def _validated(folder: Path, table: str) -> list[object]:
    schema = json.loads((folder / schema_file_name(f"{table}.json")).read_text("utf-8"))
    rows = json.loads((folder / f"{table}.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(rows)
    assert isinstance(rows, list)
    return rows


@pytest.mark.parametrize("table", list(ROWS))
def test_json_export_holds_the_table_valid_against_its_schema(exported: Path, table: str) -> None:
    """<table>.json validates against <table>.schema.json and has the CSV's rows."""
    assert len(_validated(exported / "json", table)) == ROWS[table]
    package = json.loads((exported / "json" / PACKAGE_FILE).read_text("utf-8"))
    assert len(package["tables"][table]) == ROWS[table]


@pytest.mark.parametrize("table", list(ROWS))
def test_dataset_json_holds_the_table_valid_against_its_schema(table: str) -> None:
    """dataset/json/<table>.json (schema in schema/json/) has the CSV's rows and validates."""
    rows = json.loads((ROOT / "dataset" / "json" / f"{table}.json").read_text("utf-8"))
    schema_path = ROOT / "schema" / "json" / schema_file_name(f"{table}.json")
    jsonschema.Draft202012Validator(json.loads(schema_path.read_text("utf-8"))).validate(rows)
    assert len(rows) == ROWS[table]


@pytest.mark.parametrize("table", list(ROWS))
def test_jsonl_export_has_one_line_per_row(exported: Path, table: str) -> None:
    """<table>.jsonl has one JSON object per line, as many as the CSV has rows."""
    lines = (exported / "jsonl" / f"{table}.jsonl").read_text("utf-8").splitlines()
    assert len([json.loads(line) for line in lines]) == ROWS[table]


@pytest.mark.parametrize("table", list(ROWS))
def test_parquet_export_read_by_pyarrow_has_the_rows(exported: Path, table: str) -> None:
    """Read by pyarrow, <table>.parquet has the CSV's row count and names its table."""
    arrow = pq.read_table(exported / "parquet" / f"{table}.parquet")
    assert arrow.num_rows == ROWS[table]
    assert arrow.schema.metadata[b"table"] == table.encode()


@pytest.mark.parametrize("table", list(ROWS))
def test_sqlite_export_read_by_sqlite3_has_the_rows(exported: Path, table: str) -> None:
    """sqlite3 counts the CSV's rows in the table of the same name."""
    con = sqlite3.connect(exported / "sqlite" / DATABASE_FILE)
    try:
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (ROWS[table],)
    finally:
        con.close()


@pytest.mark.parametrize("table", list(ROWS))
def test_xlsx_export_read_by_openpyxl_has_the_rows(exported: Path, table: str) -> None:
    """Read by openpyxl, the sheet of the table's name has a header and the CSV's rows."""
    book = openpyxl.load_workbook(exported / "xlsx" / "zhusan-data.xlsx", read_only=True)
    try:
        assert sum(1 for _ in book[table].iter_rows()) == ROWS[table] + 1
    finally:
        book.close()


@pytest.mark.parametrize("table", list(ROWS))
def test_frames_hold_the_table(table: str) -> None:
    """zhusan.to_pandas, to_polars and to_arrow give the CSV's rows for every listed table."""
    assert len(zhusan.to_pandas(table)) == ROWS[table]  # type: ignore[arg-type]
    assert zhusan.to_polars(table).height == ROWS[table]  # type: ignore[arg-type]
    assert zhusan.to_arrow(table).num_rows == ROWS[table]  # type: ignore[arg-type]


def test_figures_flat_is_each_figure_with_its_source() -> None:
    """figures_flat has one row per figure, in order, with its source's title and interest."""
    flat = zhusan.to_polars("figures_flat")
    sources = {s.source_id: s for s in DATA.sources}
    assert flat["figure_id"].to_list() == [f.figure_id for f in DATA.figures]
    for row in flat.iter_rows(named=True):
        s = sources[row["source_id"]]
        assert (row["source_title"], row["source_publisher"], row["source_published"]) == (
            s.title,
            s.publisher,
            s.published,
        )
        assert (row["source_interest_note"], row["source_url"]) == (s.interest_note, s.url)
