"""Internal: the reference engine: every record of a table validated by its pydantic model."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from zhusan.engines.frame import (
    TableRows,
    canonical,
    check_header,
    columns,
    row_problems,
    to_frame,
)
from zhusan.model.report import Problem

#: Bytes that are not UTF-8, as the ``surrogateescape`` error handler decodes them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
NOT_UTF8 = "not UTF-8: save the file as UTF-8"


def readable(cell: str) -> str:
    """A cell read with ``surrogateescape``, its bytes that are not UTF-8 shown as U+FFFD."""
    return cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def records(
    name: str, lines: Iterable[str], problems: list[Problem]
) -> Iterator[tuple[int, tuple[str, ...], bool, int]]:
    """The records of a table's CSV as ``(row, cells, utf8, size)``, checked record by record.

    ``cells`` holds the schema's columns, in ``columns(name)`` order; ``size`` is the number of
    characters of the record. Problems of the file's structure go to ``problems``: an empty file,
    a header that is not UTF-8 or that misses columns, a record of the wrong width (not
    yielded), a cell that is not UTF-8 (``lines`` are decoded with ``surrogateescape``: the
    record is yielded with ``utf8`` False and its cells readable), CSV that cannot be parsed
    (reading stops there).
    """
    reader = csv.reader(lines)
    number = 1
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem("empty-file", "the file is empty (no header row)", name))
            return
        if _NOT_UTF8.search("".join(header)):
            problems.append(Problem("encoding", NOT_UTF8, name, 1))
            return
        header_problems = check_header(name, header)
        problems += header_problems
        if any(p.code != "extra-column" for p in header_problems):
            return
        at = [header.index(c) for c in columns(name)]
        for number, rec in enumerate(reader, start=2):
            text = "".join(rec)
            utf8 = text.isascii() or not _NOT_UTF8.search(text)
            if not utf8:
                problems += [
                    Problem("encoding", NOT_UTF8, name, number, h, readable(v))
                    for h, v in zip([*header, *[None] * len(rec)], rec, strict=False)
                    if _NOT_UTF8.search(v)
                ]
            if len(rec) != len(header):
                problems.append(
                    Problem(
                        "row-width",
                        f"row has {len(rec)} cells, the header has {len(header)}",
                        name,
                        number,
                    )
                )
                continue
            cells = tuple([rec[i] for i in at])
            yield number, cells if utf8 else tuple(map(readable, cells)), utf8, len(text)
    except csv.Error as exc:
        problems.append(
            Problem("csv-syntax", f"unreadable CSV after row {number}: {exc}", name, number + 1)
        )


def read_records(
    name: str, lines: Iterable[str], problems: list[Problem], keep_models: bool
) -> TableRows:
    """Validate every record of a table with pydantic (the reference engine; see ``records``)."""
    names = list(columns(name))
    out_rows: list[dict[str, Any]] = []
    models: dict[int, BaseModel] = {}
    for number, values, utf8, _ in records(name, lines, problems):
        cells = dict(zip(names, values, strict=True))
        if not utf8:
            out_rows.append({**cells, "_row": number, "_ok": False})
            continue
        model, found = row_problems(name, number, cells)
        problems += found
        if model is not None:
            cells = canonical(name, model)
            if keep_models:
                models[number] = model
        out_rows.append({**cells, "_row": number, "_ok": model is not None})
    return TableRows(name, to_frame(name, out_rows), models)


def read_table(name: str, text: str, problems: list[Problem]) -> TableRows:
    """Parse one table's CSV text with the reference engine, keeping its models."""
    return read_records(name, text.splitlines(keepends=True), problems, keep_models=True)
