"""Exports of a loaded package to JSON, JSON Lines, Parquet, SQLite and Excel, and back.

``export(data, fmt, out)`` writes every table of ``PUBLISHED`` (the generated ``estimates`` and
``figures_flat`` included) into the folder ``out``. The files are written into a new folder next
to ``out``, which then takes its place in one rename (``files.output.write_folder``): a failed,
interrupted or killed export leaves ``out`` as it was, and a finished one leaves exactly the new
files. ``out`` must be new, empty or an earlier export (its manifest ``.zhusan-export`` lists what
it holds): a folder holding other files is refused, never emptied. Two exports into one folder
run one after the other (a lock file). ``read_back(fmt, out)`` reads an export with that
format's own tools into the rows ``model_dump(mode="json")`` gives, so a round trip can be
compared with the models.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from zhusan.files.descriptor import version
from zhusan.files.output import write_folder
from zhusan.files.zips import ZIP_EPOCH, rewrite_zip
from zhusan.model.published import PUBLISHED, table_spec
from zhusan.outputs.columns import Column, optional_import, table_columns, table_rows
from zhusan.outputs.sqlite import read_sqlite, write_sqlite

if TYPE_CHECKING:
    from zhusan.model.dataset import Dataset

FORMATS = ("json", "jsonl", "parquet", "sqlite", "xlsx")
PACKAGE_FILE = "zhusan-data.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
LIST_SEPARATOR = ";"
XLSX_FILE = "zhusan-data.xlsx"
#: Bounds of an xlsx column's width, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 60
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
    for name, table in PUBLISHED.items():
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
                "required": list(PUBLISHED),
                "additionalProperties": False,
                "properties": {
                    name: {
                        "description": table.description,
                        "type": "array",
                        "items": {"$ref": f"#/$defs/{table.model.__name__}"},
                    }
                    for name, table in PUBLISHED.items()
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
    tables = {name: table_rows(data, name) for name in PUBLISHED}
    files = {f"{name}.json": _dump(rows) for name, rows in tables.items()}
    files[PACKAGE_FILE] = _dump({"tables": tables})
    return files | json_schema_files()


def _write_json(data: Dataset, folder: Path) -> list[str]:
    files = json_files(data)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return list(files)


def _write_jsonl(data: Dataset, folder: Path) -> list[str]:
    for name in PUBLISHED:
        lines = (
            json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n"
            for row in table_rows(data, name)
        )
        (folder / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
    return [f"{name}.jsonl" for name in PUBLISHED]


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of a table: types and descriptions from the model.

    ``UnknownTable`` (listing the tables) for a name that is not one.
    """
    fields_ = table_columns(table)
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
        for c in fields_
    ]
    spec = table_spec(table)
    meta = {"table": table, "description": spec.description, "primary_key": spec.primary_key}
    return pa.schema(fields, metadata=meta)


def _write_parquet(data: Dataset, folder: Path) -> list[str]:
    pa = optional_import("pyarrow", "the parquet export", "export")
    pq = optional_import("pyarrow.parquet", "the parquet export", "export")
    for name in PUBLISHED:
        arrow = pa.Table.from_pylist(table_rows(data, name), schema=arrow_schema(name))
        pq.write_table(arrow, folder / f"{name}.parquet")
    return [f"{name}.parquet" for name in PUBLISHED]


def needs_quote_prefix(cell: str) -> bool:
    """Whether a spreadsheet could take the text for a formula, or eat its leading quote.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is one that
    Excel, LibreOffice or Google Sheets may evaluate as a formula (CSV/formula injection); one
    starting with ``'`` loses that quote when it is edited. Such cells are written as text with
    Excel's quote-prefix style: shown and kept as written, the value itself unchanged.
    """
    return cell.startswith((*_FORMULA_STARTS, "'"))


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
    return value


def _width(values: list[Any]) -> float:
    """A column width (in characters) that fits the longest line of its cells, within bounds."""
    longest = max(
        (len(line) for v in values if v is not None for line in str(v).split("\n")), default=0
    )
    return float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))


def _xlsx_core(when: datetime) -> Callable[[str, bytes], bytes]:
    """Set the document's created and modified dates (openpyxl writes the time of saving)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def edit(name: str, data: bytes) -> bytes:
        if name != "docProps/core.xml":
            return data
        for tag in (b"created", b"modified"):
            data = re.sub(
                rb"(<dcterms:" + tag + rb"\b[^>]*>)[^<]*(</dcterms:" + tag + rb">)",
                lambda m: m.group(1) + stamp + m.group(2),
                data,
            )
        return data

    return edit


def write_xlsx(data: Dataset, folder: Path, when: datetime = ZIP_EPOCH) -> list[str]:
    """Write ``zhusan-data.xlsx``: a sheet per table, dated ``when``; the file name.

    Every sheet has a frozen header row, an autofilter and column widths from its content.
    Text is always stored as text (never a formula or an error code); text a spreadsheet could
    run or alter gets the quote-prefix style (``needs_quote_prefix``). Given the same data and
    ``when``, the file is the same byte for byte.
    """
    openpyxl = optional_import("openpyxl", "the xlsx export", "export")
    letter = optional_import("openpyxl.utils", "the xlsx export", "export").get_column_letter
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.creator = "zhusan-data"
    book.properties.created = when
    for name in PUBLISHED:
        sheet = book.create_sheet(title=name)
        cols = table_columns(name)
        sheet.append([c.name for c in cols])
        rows = [
            [_xlsx_cell(row[c.name], name, number, c.name) for c in cols]
            for number, row in enumerate(table_rows(data, name), start=2)
        ]
        for values in rows:
            sheet.append(values)
            for cell, value in zip(sheet[sheet.max_row], values, strict=True):
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula ("=...") or an error ("#N/A")
                    cell.quotePrefix = needs_quote_prefix(value)
        for i, c in enumerate(cols, start=1):
            sheet.column_dimensions[letter(i)].width = _width([c.name, *(r[i - 1] for r in rows)])
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{letter(len(cols))}{len(rows) + 1}"
    path = folder / XLSX_FILE
    book.save(path)
    rewrite_zip(path, when, _xlsx_core(when))
    return [XLSX_FILE]


_WRITERS: dict[str, Callable[[Dataset, Path], list[str]]] = {
    "json": _write_json,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
    "sqlite": write_sqlite,
    "xlsx": write_xlsx,
}


def export(
    data: Dataset, fmt: str, out: str | os.PathLike[str], when: datetime = ZIP_EPOCH
) -> list[Path]:
    """Write every table of ``data`` in format ``fmt`` into the folder ``out``; the files written.

    ``fmt`` is one of ``FORMATS``. Nothing in ``out`` changes unless every file was written,
    and then ``out`` holds exactly the new files (one rename, ``files.output.write_folder``).
    Raises ValueError for an unknown format or a value the format cannot hold
    (``NotExportable``), ImportError when the format's library is missing, and
    ``files.output.OutputError`` when ``out`` cannot be written (a file, a folder of other
    files, no space left, no permission). ``when`` dates the xlsx file (its document
    properties and zip entries), so the same data gives the same bytes.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        writer = functools.partial(write_xlsx, when=when)
    title = f"# zhusan-data {version()}: files of `zhusan export {fmt}`; no other file belongs here"
    return write_folder(out, lambda folder: writer(data, folder), MARKER, title)


def _typed(value: Any, col: Column) -> Any:
    """A value read from a typeless cell, as ``model_dump(mode="json")`` gives it."""
    if col.kind == "list":
        return value.split(LIST_SEPARATOR) if value else []
    if value is None:
        return None
    if col.kind == "string":
        return value
    converters: dict[str, Callable[[Any], Any]] = {"number": float, "integer": int, "boolean": bool}
    return converters[col.kind](value)


def _read_xlsx(folder: Path) -> dict[str, list[dict[str, Any]]]:
    openpyxl = optional_import("openpyxl", "reading the xlsx export", "export")
    book = openpyxl.load_workbook(folder / XLSX_FILE, read_only=True)
    try:
        out = {}
        for name in PUBLISHED:
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

    JSON with the json module, Parquet with pyarrow, SQLite with sqlite3, Excel with openpyxl;
    the result equals ``model_dump(mode="json")`` of each model.
    """
    folder = Path(out)
    if fmt == "json":
        return {n: json.loads((folder / f"{n}.json").read_text("utf-8")) for n in PUBLISHED}
    if fmt == "jsonl":
        return {
            n: [
                json.loads(line)
                for line in (folder / f"{n}.jsonl").read_text("utf-8").split("\n")
                if line
            ]
            for n in PUBLISHED
        }
    if fmt == "parquet":
        pq = optional_import("pyarrow.parquet", "reading the parquet export", "export")
        return {n: pq.read_table(folder / f"{n}.parquet").to_pylist() for n in PUBLISHED}
    if fmt == "sqlite":
        return read_sqlite(folder)
    if fmt == "xlsx":
        return _read_xlsx(folder)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
