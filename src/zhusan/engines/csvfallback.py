"""The fast engine's reader for files pyarrow refuses: csv for the records, polars for the cells.

pyarrow stops at the first record it cannot parse: a blank line, a record of the wrong width,
bytes that are not UTF-8, a quoted header. The reference engine reads such a file record by
record and reports each of those at its row, but it also validates every row with pydantic and
keeps every row as a dict: a million-row figures file with one blank line took 32 s and 3 GB.

Here the records come from the reference engine's own reader (``reading.records``), so the same
problems are reported at the same rows, and the rows are checked in chunks, as pyarrow's blocks
are: flagged by the polars expressions, validated by pydantic only where flagged, quotes checked,
the long columns dropped. Memory stays near one chunk plus the columns the later checks need.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import polars as pl

from zhusan.engines.fast import checked, flag_expr, joined, judge
from zhusan.engines.frame import BlockCheck, TableRows, columns
from zhusan.engines.reference import records
from zhusan.files.links import open_file
from zhusan.model.report import Problem

#: Records per chunk, and characters of cells per chunk (whichever comes first).
CHUNK_ROWS = 16_384
CHUNK_CHARS = 16 << 20


def read_csv_rows(
    name: str,
    path: Path,
    problems: list[Problem],
    check_block: BlockCheck | None,
    progress: Callable[[str, int, float], None] | None = None,
) -> TableRows:
    """Validate a table that only Python's csv module reads; the problems are pydantic's."""
    keep = list(columns(name))
    flag = flag_expr(name)
    frames: list[pl.DataFrame] = []
    chunk: list[tuple[int, tuple[str, ...], bool, int]] = []
    chars = rows = 0
    size = max(path.stat().st_size, 1)
    schema = dict.fromkeys(keep, pl.String) | {"_row": pl.Int64, "_ok": pl.Boolean}

    def flush(position: int) -> None:
        nonlocal chars, rows
        number, cells, ok, _ = zip(*chunk, strict=True)
        data = dict(zip(keep, zip(*cells, strict=True), strict=True))
        df = pl.DataFrame(data | {"_row": number, "_ok": ok}, schema=schema)
        frames.append(checked(name, judge(name, df, flag, problems, False), problems, check_block))
        rows += len(chunk)
        chunk.clear()
        chars = 0
        if progress is not None:
            progress(name, rows, min(position / size, 1.0))

    with (
        open_file(path) as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh,
    ):
        for record in records(name, fh, problems):
            chunk.append(record)
            chars += record[3]
            if len(chunk) >= CHUNK_ROWS or chars >= CHUNK_CHARS:
                flush(raw.tell())
        if chunk:
            flush(size)
    return joined(name, frames)
