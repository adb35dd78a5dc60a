"""Exports of a loaded package to JSON, JSON Lines, Parquet, SQLite and Excel, and back.

``export(data, fmt, out)`` writes every table of ``TABLES`` into the folder ``out``. The files are
written into a new folder next to ``out``, which then takes its place in one rename
(``files.output.write_folder``): a failed, interrupted or killed export leaves ``out`` as it was,
and a finished one leaves exactly the new files. ``out`` must be new, empty or an earlier export
(its manifest ``.zhusan-export`` lists what it holds): a folder holding other files is refused,
never emptied. Two exports into one folder run one after the other (a lock file).
``read_back(fmt, out)`` reads an export with that format's own tools into the rows
``model_dump(mode="json")`` gives, so a round trip can be compared with the models.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from zhusan.files.descriptor import version
from zhusan.files.output import write_folder
from zhusan.model.tables import TABLES
from zhusan.outputs.columns import Column, optional_import, table_columns, table_rows
from zhusan.outputs.sqlite import read_sqlite, write_sqlite

if TYPE_CHECKING:
    from zhusan.model.dataset import Dataset

FORMATS = ("json", "jsonl", "parquet", "sqlite", "xlsx")
PACKAGE_FILE = "zhusan-data.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
LIST_SEPARATOR = ";"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: The manifest of an export folder: the files it holds, so that a re-export replaces only them.
MARKER = ".zhusan-export"


class NotExportable(ValueError):
    """A value the format cannot hold as it is (a control character in a spreadsheet cell)."""


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def _model_schema(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A model's serialization JSON Schema and, taken out of it, its ``$defs``."""
    schema = model.model_json_schema(mode="serialization")
    return schema, schema.pop("$defs", {})


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each JSON export file, keyed by that file's name.

    ``<table>.json`` is an array of the table's model; ``zhusan-data.json`` is an object whose
    ``tables`` holds every table's array. Write them with ``write_json_schemas``.
    """
    out: dict[str, dict[str, Any]] = {}
    shared: dict[str, Any] = {}
    for name, table in TABLES.items():
        schema, defs = _model_schema(table.model)
        out[f"{name}.json"] = {
            "$schema": JSON_SCHEMA_DIALECT,
            "title": f"zhusan-data: {name}",
            "description": table.description,
            "type": "array",
            "items": schema,
            **({"$defs": defs} if defs else {}),
        }
        for key, value in {table.model.__name__: schema, **defs}.items():
            if shared.setdefault(key, value) != value:
                raise TypeError(f"two different JSON Schema definitions named {key!r}")
    out[PACKAGE_FILE] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "zhusan-data",
        "description": "Every table of the zhusan-data package, by table name.",
        "type": "object",
        "required": ["tables"],
        "additionalProperties": False,
        "properties": {
            "tables": {
                "type": "object",
                "required": list(TABLES),
                "additionalProperties": False,
                "properties": {
                    name: {
                        "description": table.description,
                        "type": "array",
                        "items": {"$ref": f"#/$defs/{table.model.__name__}"},
                    }
                    for name, table in TABLES.items()
                },
            }
        },
        "$defs": shared,
    }
    return out


def schema_file_name(data_file: str) -> str:
    """The schema file published for a JSON export file: ``x.json`` has ``x.schema.json``."""
    return data_file.removesuffix(".json") + ".schema.json"


def json_schema_files() -> dict[str, bytes]:
    """The bytes of each published schema file, keyed by its name (``<file>.schema.json``)."""
    return {schema_file_name(f): _dump(schema) for f, schema in json_schemas().items()}


def write_json_schemas(folder: str | os.PathLike[str]) -> list[Path]:
    """Write every schema of ``json_schemas`` into ``folder`` as ``<file>.schema.json``."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in json_schema_files().items():
        path = target / name
        path.write_bytes(content)
        written.append(path)
    return written


def json_files(data: Dataset) -> dict[str, bytes]:
    """The JSON download: one file per table, the whole package, and their JSON Schemas."""
    tables = {name: table_rows(data, name) for name in TABLES}
    files = {f"{name}.json": _dump(rows) for name, rows in tables.items()}
    files[PACKAGE_FILE] = _dump({"tables": tables})
    return files | json_schema_files()


def _write_json(data: Dataset, folder: Path) -> list[str]:
    files = json_files(data)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return list(files)


def _write_jsonl(data: Dataset, folder: Path) -> list[str]:
    for name in TABLES:
        lines = (
            json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n"
            for row in table_rows(data, name)
        )
        (folder / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
    return [f"{name}.jsonl" for name in TABLES]


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of a table: types and descriptions from the model."""
    pa = optional_import("pyarrow", "the parquet export", "export")
    types = {
        "string": pa.string(),
        "number": pa.float64(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "list": pa.list_(pa.field("item", pa.string(), nullable=False)),
    }
    fields = [
        pa.field(
            c.name, types[c.kind], nullable=c.nullable, metadata={"description": c.description}
        )
        for c in table_columns(table)
    ]
    meta = {"table": table, "description": TABLES[table].description}
    return pa.schema(fields, metadata={**meta, "primary_key": TABLES[table].primary_key})


def _write_parquet(data: Dataset, folder: Path) -> list[str]:
    pa = optional_import("pyarrow", "the parquet export", "export")
    pq = optional_import("pyarrow.parquet", "the parquet export", "export")
    for name in TABLES:
        arrow = pa.Table.from_pylist(table_rows(data, name), schema=arrow_schema(name))
        pq.write_table(arrow, folder / f"{name}.parquet")
    return [f"{name}.parquet" for name in TABLES]


def neutralise(cell: str) -> str:
    """A string made safe for a spreadsheet cell: never run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is one that
    Excel, LibreOffice or Google Sheets may evaluate as a formula (CSV/formula injection); it is
    prefixed with a single quote ``'`` so it is shown as text. A cell already starting with ``'``
    is prefixed too, so that ``restore`` (drop one leading ``'``) undoes this exactly.
    """
    return "'" + cell if cell.startswith((*_FORMULA_STARTS, "'")) else cell


def restore(cell: str) -> str:
    """Undo ``neutralise``: drop one leading single quote."""
    return cell[1:] if cell.startswith("'") else cell


#: Characters a spreadsheet cell cannot hold (XML 1.0 has no NUL, and OOXML no other C0 control
#: but tab, line feed and carriage return); openpyxl refuses them.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_cell(value: Any, table: str, row: int, field: str) -> Any:
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value) if value else None
    if not isinstance(value, str):
        return value
    bad = _NOT_IN_XLSX.search(value)
    if bad:
        raise NotExportable(
            f"dataset/{table}.csv row {row} field {field} holds the control character "
            f"U+{ord(bad.group()):04X}, which a spreadsheet cell cannot hold; export json, "
            "jsonl, parquet or sqlite instead"
        )
    return neutralise(value)


def _write_xlsx(data: Dataset, folder: Path) -> list[str]:
    openpyxl = optional_import("openpyxl", "the xlsx export", "export")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in TABLES:
        sheet = book.create_sheet(title=name)
        cols = table_columns(name)
        sheet.append([c.name for c in cols])
        for number, row in enumerate(table_rows(data, name), start=2):
            sheet.append([_xlsx_cell(row[c.name], name, number, c.name) for c in cols])
        sheet.freeze_panes = "A2"
    book.save(folder / "zhusan-data.xlsx")
    return ["zhusan-data.xlsx"]


_WRITERS: dict[str, Callable[[Dataset, Path], list[str]]] = {
    "json": _write_json,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
    "sqlite": write_sqlite,
    "xlsx": _write_xlsx,
}


def export(data: Dataset, fmt: str, out: str | os.PathLike[str]) -> list[Path]:
    """Write every table of ``data`` in format ``fmt`` into the folder ``out``; the files written.

    ``fmt`` is one of ``FORMATS``. Nothing in ``out`` changes unless every file was written,
    and then ``out`` holds exactly the new files (one rename, ``files.output.write_folder``).
    Raises ValueError for an unknown format or a value the format cannot hold
    (``NotExportable``), ImportError when the format's library is missing, and
    ``files.output.OutputError`` when ``out`` cannot be written (a file, a folder of other
    files, no space left, no permission).
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    title = f"# zhusan-data {version()}: files of `zhusan export {fmt}`; no other file belongs here"
    return write_folder(out, lambda folder: writer(data, folder), MARKER, title)


def _typed(value: Any, col: Column) -> Any:
    """A value read from a typeless cell, as ``model_dump(mode="json")`` gives it."""
    if col.kind == "list":
        return restore(value).split(LIST_SEPARATOR) if value else []
    if value is None:
        return None
    if col.kind == "string":
        return restore(value)
    converters: dict[str, Callable[[Any], Any]] = {"number": float, "integer": int, "boolean": bool}
    return converters[col.kind](value)


def _read_xlsx(folder: Path) -> dict[str, list[dict[str, Any]]]:
    openpyxl = optional_import("openpyxl", "reading the xlsx export", "export")
    book = openpyxl.load_workbook(folder / "zhusan-data.xlsx", read_only=True)
    try:
        out = {}
        for name in TABLES:
            cols = table_columns(name)
            records = book[name].iter_rows(values_only=True)
            header = list(next(records))
            if header != [c.name for c in cols]:
                raise ValueError(f"sheet {name}: header {header} does not match the model")
            out[name] = [
                {c.name: _typed(v, c) for c, v in zip(cols, rec, strict=True)} for rec in records
            ]
        return out
    finally:
        book.close()


def read_back(fmt: str, out: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table of an export in ``out``, read back with the format's own tools.

    JSON with the json module, Parquet with pyarrow, SQLite with sqlite3, Excel with openpyxl
    (undoing ``neutralise``); the result equals ``model_dump(mode="json")`` of each model.
    """
    folder = Path(out)
    if fmt == "json":
        return {n: json.loads((folder / f"{n}.json").read_text("utf-8")) for n in TABLES}
    if fmt == "jsonl":
        return {
            n: [
                json.loads(line)
                for line in (folder / f"{n}.jsonl").read_text("utf-8").split("\n")
                if line
            ]
            for n in TABLES
        }
    if fmt == "parquet":
        pq = optional_import("pyarrow.parquet", "reading the parquet export", "export")
        return {n: pq.read_table(folder / f"{n}.parquet").to_pylist() for n in TABLES}
    if fmt == "sqlite":
        return read_sqlite(folder)
    if fmt == "xlsx":
        return _read_xlsx(folder)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
