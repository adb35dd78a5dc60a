"""The SQLite export: one table per model with real keys, and metadata for Datasette.

Primary and foreign keys (self references included) are declared as SQLite constraints, so a
client that turns ``PRAGMA foreign_keys`` on cannot add a row that points nowhere. Lists are
stored as JSON text, booleans as 0/1, vocabulary fields with a CHECK of their values.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhusan.model.published import PUBLISHED
from zhusan.outputs.columns import Column, table_columns, table_rows

if TYPE_CHECKING:
    from zhusan.model.dataset import Dataset

DATABASE_FILE = "zhusan-data.sqlite"
METADATA_FILE = "metadata.json"
LICENSE = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
_SQL_TYPES = {
    "string": "TEXT",
    "number": "REAL",
    "integer": "INTEGER",
    "boolean": "INTEGER",
    "list": "TEXT",
}


def quote_name(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_sql(col: Column, primary_key: str) -> str:
    name = quote_name(col.name)
    parts = [name, _SQL_TYPES[col.kind]]
    if col.name == primary_key:
        parts.append("PRIMARY KEY")
    if not col.nullable:
        parts.append("NOT NULL")
    if col.enum:
        parts.append(f"CHECK ({name} IN ({', '.join(_literal(v) for v in col.enum)}))")
    elif col.kind == "boolean":
        parts.append(f"CHECK ({name} IN (0, 1))")
    return " ".join(parts)


def create_table_sql(table: str) -> str:
    """The CREATE TABLE statement of a table, with its primary and foreign keys."""
    spec = PUBLISHED[table]
    lines = [_column_sql(c, spec.primary_key) for c in table_columns(table)]
    lines += [
        f"FOREIGN KEY ({quote_name(fk.field)}) REFERENCES {quote_name(fk.table)} "
        f"({quote_name(fk.ref)})"
        for fk in spec.foreign_keys
        if not fk.many  # a list column holds several references: SQL cannot declare it
    ]
    return f"CREATE TABLE {quote_name(table)} (\n  " + ",\n  ".join(lines) + "\n)"


def _sql_value(value: Any, col: Column) -> Any:
    if col.kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if col.kind == "boolean" and value is not None:
        return int(value)
    return value


def datasette_metadata(database: str = Path(DATABASE_FILE).stem) -> dict[str, Any]:
    """Datasette's metadata.json: licence, and the description of every table and column.

    ``database`` is the name Datasette gives the database: its file name without ``.sqlite``.
    """
    tables = {
        name: {
            "description": spec.description,
            "columns": {c.name: c.description for c in table_columns(name)},
        }
        for name, spec in PUBLISHED.items()
    }
    return {
        "title": "zhusan-data",
        "description": "Open, citable, machine-checkable data on Kazakhstan's Operation Zhusan.",
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "databases": {database: {"tables": tables}},
    }


def write_sqlite(data: Dataset, folder: Path) -> list[str]:
    """Write the database and Datasette's metadata.json into ``folder``; the file names.

    Raises ValueError naming the rows whose foreign keys point nowhere.
    """
    con = sqlite3.connect(folder / DATABASE_FILE)
    try:
        with con:
            for name in PUBLISHED:
                con.execute(create_table_sql(name))
            for name in PUBLISHED:
                cols = table_columns(name)
                names = ", ".join(quote_name(c.name) for c in cols)
                marks = ", ".join("?" for _ in cols)
                sql = f"INSERT INTO {quote_name(name)} ({names}) VALUES ({marks})"
                con.executemany(
                    sql,
                    ([_sql_value(row[c.name], c) for c in cols] for row in table_rows(data, name)),
                )
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    if broken:
        # Rows are inserted in file order, so SQLite's rowid N is the CSV's row N + 1 (the
        # header is row 1): the numbering of every other message.
        found = ", ".join(
            f"dataset/{t}.csv row {rowid + 1} -> {parent}" for t, rowid, parent, _ in broken[:5]
        )
        raise ValueError(f"{len(broken)} rows with foreign keys that point nowhere: {found}")
    text = json.dumps(datasette_metadata(), ensure_ascii=False, indent=2) + "\n"
    (folder / METADATA_FILE).write_text(text, encoding="utf-8")
    return [DATABASE_FILE, METADATA_FILE]


def _python_value(value: Any, col: Column) -> Any:
    if col.kind == "list":
        return json.loads(value)
    if value is None:
        return None
    if col.kind == "boolean":
        return bool(value)
    if col.kind == "number":
        return float(value)
    return value


def read_sqlite(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table of the database in ``folder``, in row order, as JSON-compatible dicts."""
    con = sqlite3.connect((folder / DATABASE_FILE).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        out = {}
        for name in PUBLISHED:
            cols = table_columns(name)
            names = ", ".join(quote_name(c.name) for c in cols)
            cursor = con.execute(f"SELECT {names} FROM {quote_name(name)} ORDER BY rowid")
            out[name] = [
                {c.name: _python_value(v, c) for c, v in zip(cols, rec, strict=True)}
                for rec in cursor
            ]
        return out
    finally:
        con.close()
