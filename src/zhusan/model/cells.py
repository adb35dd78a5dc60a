"""Reading and writing the package's CSV files (UTF-8, header row, RFC 4180 quoting)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from zhusan.model.tableschema import LIST_DELIMITER

csv.field_size_limit(16 * 1024 * 1024)


def format_cell(value: Any) -> str:
    """A Python value as a CSV cell: empty for None, ``;``-joined lists, no ``.0`` on integers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (list, tuple)):
        return LIST_DELIMITER.join(str(v) for v in value)
    return str(value)


def parse_cell(text: str, kind: str) -> Any:
    """A CSV cell as the value handed to the model, by Table Schema type."""
    if text == "":
        return [] if kind == "list" else None
    if kind == "list":
        return text.split(LIST_DELIMITER)
    return text


def write_csv(header: list[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of a CSV file with ``header`` and one line per row."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(row.get(h)) for h in header])
    return buf.getvalue().encode("utf-8")


def read_csv(text: str) -> Iterator[list[str]]:
    """Records of a CSV text (header first)."""
    return csv.reader(io.StringIO(text, newline=""))
