"""Internal: the frame contract the engines fill, and the row checks they share.

Every table becomes a polars frame of its cells as strings, with ``_row`` (the record number,
header = 1) and ``_ok`` (the row matches its model). Valid rows carry their cells as the model
normalises them. Two engines fill it: the reference engine (``engines.reference``) validates
every row with its model; the fast engine (``engines.fast``) checks whole columns at once and
asks pydantic only about the rows it flags. Both report the same problems; a differential test
proves it. The fast engine holds a table's valid rows first and its invalid rows after them, so
frames are in file order only when sorted by ``_row``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import BaseModel, ValidationError

from zhusan.model.cells import format_cell, parse_cell
from zhusan.model.report import Problem, Problems
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import model_fields

if TYPE_CHECKING:
    from zhusan.engines.duck import SqlTables

Engine = Literal["fast", "pydantic", "duckdb"]
#: The engines, as the command line offers them.
ENGINES: tuple[Engine, ...] = ("fast", "pydantic", "duckdb")
#: A check run on each block of a table as it is read: (table, frame) -> problems.
BlockCheck = Callable[[str, pl.DataFrame], list[Problem]]
#: The most columns a table's header may have; a wider table is refused unread.
MAX_COLUMNS = 1024
#: Columns no check reads once each row and its quote are checked; dropped to keep memory
#: small (long texts: a discrepancy's explanation is most of its row).
DROPPED = ("quote", "note", "explanation", "date_basis")


@dataclass
class TableRows:
    """One table as read: its frame, and its models when they were asked for."""

    name: str
    frame: pl.DataFrame
    models: dict[int, BaseModel] = field(default_factory=dict)


@dataclass
class Package:
    """A package as read from disk.

    Read by the duckdb engine, the tables are in ``store`` (a DuckDB database, closed by
    ``close``) and ``tables`` is empty.
    """

    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, TableRows]
    problems: Problems
    store: SqlTables | None = None

    def rows(self) -> dict[str, int]:
        """Records read per table."""
        if self.store is not None:
            return dict(self.store.rows)
        return {n: t.frame.height for n, t in self.tables.items()}

    def close(self) -> None:
        """Let go of the SQL engine's database and its files (nothing for the other engines)."""
        if self.store is not None:
            self.store.close()


@functools.cache
def columns(name: str) -> dict[str, str]:
    """Column name -> Table Schema type of a table, in model order."""
    return {f["name"]: f["type"] for f in model_fields(TABLES[name].model)}


def empty_frame(name: str) -> pl.DataFrame:
    """A frame with the table's columns and no rows."""
    schema: dict[str, Any] = dict.fromkeys(columns(name), pl.String)
    return pl.DataFrame(schema=schema | {"_row": pl.Int64, "_ok": pl.Boolean})


def check_header(name: str, header: list[str]) -> list[Problem]:
    """Missing, extra and duplicate columns of a table's header row.

    A header of more than ``MAX_COLUMNS`` columns is one ``too-many-columns`` problem, and the
    table is not read (every column past the schema's is an error anyway).
    """
    if len(header) > MAX_COLUMNS:
        return [
            Problem(
                "too-many-columns",
                f"the header has {len(header)} columns, more than the {MAX_COLUMNS} read: "
                "the table is refused unread",
                name,
                1,
            )
        ]
    kinds = columns(name)
    counts = Counter(header)
    out = [
        Problem("missing-column", "column is missing from the header", name, 1, f)
        for f in kinds
        if f not in counts
    ]
    out += [
        Problem("extra-column", "column is not in the schema", name, 1, h)
        for h in header
        if h not in kinds
    ]
    out += [
        Problem("duplicate-column", "column appears twice in the header", name, 1, h)
        for h in sorted(h for h, n in counts.items() if n > 1)
    ]
    return out


def row_problems(
    name: str, number: int, cells: dict[str, str]
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate one row with its model: the model, or the problems pydantic reports."""
    kinds = columns(name)
    data = {k: parse_cell(v, kinds[k]) for k, v in cells.items()}
    try:
        return TABLES[name].model.model_validate(data), []
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = str(err["loc"][0]) if err["loc"] else None
            out.append(
                Problem(
                    "row-rule" if loc is None else "cell-error",
                    err["msg"],
                    name,
                    number,
                    loc,
                    cells.get(loc) if loc else None,
                )
            )
        return None, out


def canonical(name: str, model: BaseModel) -> dict[str, str]:
    """A valid row's cells as the model normalises them."""
    return {k: format_cell(getattr(model, k)) for k in columns(name)}


def to_frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A frame from row dicts holding the table's columns, ``_row`` and ``_ok``."""
    if not rows:
        return empty_frame(name)
    return pl.DataFrame(rows, schema=empty_frame(name).schema, orient="row")
