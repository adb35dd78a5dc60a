"""The fast engine: whole columns at once, pydantic only for the rows the columns flag.

The CSV is streamed in blocks by pyarrow (memory stays near the block size plus the columns the
later checks need). For each block, polars expressions derived from the models' Table Schema
(type, enumeration, pattern, length, bounds, required) and from each model's cross-field rules
flag every row that *may* be invalid; those rows, and only those, are validated by pydantic, so
the messages are pydantic's. The expressions may over-flag (pydantic then clears the row) but
never under-flag: the differential test in ``tests/test_engines.py`` holds them to that.
"""

from __future__ import annotations

import contextlib
import csv
import io
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from zhusan.engines.frame import (
    DROPPED,
    BlockCheck,
    TableRows,
    canonical,
    check_header,
    columns,
    empty_frame,
    row_problems,
)
from zhusan.files.blocks import Blocks, NotUtf8, TooLong
from zhusan.files.lines import MAX_RECORD
from zhusan.files.links import open_file
from zhusan.model.dates import PARTIAL_DATE_PATTERN
from zhusan.model.report import Problem, Problems
from zhusan.model.rules import rules_flag, undeclared_validators
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import model_fields

# jemalloc hands freed blocks back sooner: the lowest peak memory measured here.
with contextlib.suppress(NotImplementedError, AttributeError, pa.ArrowNotImplementedError):
    pa.set_memory_pool(pa.jemalloc_memory_pool())

#: Bytes per block read; a record longer than this is refused (no unbounded memory).
BLOCK_SIZE = MAX_RECORD
#: Numbers written as the package writes them (format_cell): integers, or shortest decimals
#: that repr() gives back unchanged. Anything else is flagged and normalised through pydantic.
NUMBER = (
    r"^(?:0|-?[1-9][0-9]{0,14})$"
    r"|^-?[1-9][0-9]{0,13}\.(?:[0-9]{0,12}[1-9])$"
    r"|^-?0\.0{0,3}[1-9](?:[0-9]{0,10}[1-9])?$"
)
INTEGER = r"^-?[0-9]{1,18}$"
SAFE_DATE = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|1[0-9]|2[0-8]))?)?$"


class _Fallback(Exception):
    """The block cannot be handled here; the reference engine reads the table instead."""


def _field_flag(fd: dict[str, Any]) -> pl.Expr:
    """True where the cell may break its field's type or constraints."""
    c = pl.col(fd["name"])
    cons = fd.get("constraints", {})
    kind = fd["type"]
    bad: pl.Expr = pl.lit(False)
    if kind == "list":
        bad = c.str.contains(r"^;|;;|;$")
    elif kind in ("number", "integer"):
        bad = ~c.str.contains(NUMBER if kind == "number" else INTEGER)
        num = c.cast(pl.Float64, strict=False)
        if "minimum" in cons:
            bad = bad | (num < cons["minimum"]).fill_null(False)
        if "maximum" in cons:
            bad = bad | (num > cons["maximum"]).fill_null(False)
    elif kind == "boolean":
        bad = ~c.is_in(["true", "false"])
    else:
        if "enum" in cons:
            bad = bad | ~c.is_in(cons["enum"])
        if "pattern" in cons:
            bad = bad | ~c.str.contains(cons["pattern"])
            if cons["pattern"] == PARTIAL_DATE_PATTERN:
                bad = bad | ~c.str.contains(SAFE_DATE)
        if "minLength" in cons:
            bad = bad | (c.str.len_chars() < cons["minLength"])
        if "maxLength" in cons:
            bad = bad | (c.str.len_chars() > cons["maxLength"])
    empty = c == ""
    if cons.get("required"):
        return empty | bad
    return ~empty & bad


def flag_expr(name: str) -> pl.Expr:
    """True for every row of the table that may be invalid (a cell, or a declared row rule)."""
    model = TABLES[name].model
    flag = pl.lit(False)
    for fd in model_fields(model):
        flag = flag | _field_flag(fd)
    if undeclared_validators(model):
        flag = pl.lit(True)  # a rule with no declaration: every row goes to pydantic
    return (flag | rules_flag(model)).fill_null(True)


def _header(path: Path) -> tuple[list[str] | None, bool]:
    """The header's names, and whether the file is nothing else (no line break at all).

    ``TooLong`` when the header is longer than a block. A file that is only a header without a
    final line break is an empty table (pyarrow, told to skip the header, would find its
    record unfinished and call it too long).
    """
    head, alone = b"", False
    with open_file(path) as fh:
        while b"\n" not in head and b"\r" not in head and len(head) <= BLOCK_SIZE:
            chunk = fh.read(1 << 16)
            if not chunk:
                alone = True
                break
            head += chunk
    line = head.splitlines()[0] if head else b""
    if len(line) > BLOCK_SIZE:
        raise TooLong
    try:
        text = line.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise _Fallback from None
    if '"' in text:
        raise _Fallback  # quoted header names: let the reference engine parse them
    return next(csv.reader(io.StringIO(text, newline="")), None), alone


def _batches(blocks: Blocks, header: list[str]) -> Any:
    """A streaming reader of every cell as a string.

    ``blocks`` checks the bytes are UTF-8 as they are read, so pyarrow does not check each
    value again. A record of the wrong width (or a blank line) raises ``ArrowInvalid``, and the
    reference engine, which reports row widths row by row, reads the table instead. No
    invalid-row handler is set: pyarrow decodes the row's text for one before calling it, and a
    row that is not UTF-8 would print an ignored exception's traceback on stderr.
    """
    return pacsv.open_csv(
        blocks,
        read_options=pacsv.ReadOptions(
            block_size=BLOCK_SIZE, use_threads=False, skip_rows=1, column_names=header
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )


_END = object()


def _put(out: queue.Queue[Any], item: object, stop: threading.Event) -> bool:
    """Hand ``item`` to the consumer; False once the consumer has stopped listening."""
    while not stop.is_set():
        with contextlib.suppress(queue.Full):
            out.put(item, timeout=0.05)
            return True
    return False


def _produce(reader: Any, blocks: Blocks, out: queue.Queue[Any], stop: threading.Event) -> None:
    """Parse blocks on this thread (pyarrow releases the GIL) while the caller checks the last."""
    try:
        for batch in reader:
            blocks.took()
            if not _put(out, batch, stop):
                return
    except BaseException as exc:  # handed to the consumer, which decides
        _put(out, exc, stop)
        return
    _put(out, _END, stop)


def _parsed(blocks: Blocks, header: list[str]) -> Iterator[pa.RecordBatch]:
    """The record batches of a CSV, parsed one block ahead on a second thread."""
    try:
        reader = _batches(blocks, header)
    except BaseException:
        blocks.release()
        raise
    out: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(reader, blocks, out, stop), daemon=True)
    worker.start()
    try:
        while (item := out.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        blocks.release()
        worker.join()


def read_fast(
    name: str,
    path: Path,
    problems: list[Problem],
    check_block: BlockCheck | None,
    progress: Callable[[str, int, float], None] | None = None,
    blocks: Blocks | None = None,
) -> TableRows | None:
    """Validate a table column-wise; None when the reference engine must read it instead.

    The reference engine takes over for what only it reports row by row: a file that is not
    UTF-8, a record of the wrong width or a blank line, an unreadable header, and a line
    longer than ``MAX_RECORD`` (which ``zhusan.engines.frame`` reports). A record longer than the
    block size gives ``record-too-long`` and an empty table. The file is read through
    ``blocks`` (by default one that computes no hash); once read to the end, it tells the
    file's hash and size.
    """
    # Kept apart until the table is read through: a fallback discards them.
    found = Problems(problems.limit if isinstance(problems, Problems) else None)
    frames: list[pl.DataFrame] = []
    with blocks or Blocks(path, None, MAX_RECORD) as source:
        try:
            if not _read_blocks(name, path, source, found, check_block, progress, frames):
                return None
        except (_Fallback, NotUtf8, TooLong, pa.ArrowInvalid) as exc:
            # A line too long (header or not): zhusan.engines.frame reports it, as the reference
            # engine's reader would need the whole line in memory.
            if source.too_long or isinstance(exc, (_Fallback, NotUtf8, TooLong)):
                return None
            if "straddling" in str(exc) or "block size" in str(exc):
                problems.append(
                    Problem(
                        "record-too-long",
                        f"a record is longer than {BLOCK_SIZE} bytes (the block size): refused",
                        name,
                    )
                )
                return TableRows(name, empty_frame(name))
            return None
    problems += found
    return joined(name, frames)


def _read_blocks(
    name: str,
    path: Path,
    blocks: Blocks,
    found: list[Problem],
    check_block: BlockCheck | None,
    progress: Callable[[str, int, float], None] | None,
    frames: list[pl.DataFrame],
) -> bool:
    """Check the table block by block into ``frames``.

    False when the header needs the reference engine.
    """
    header, alone = _header(path)
    if header is None:
        return False
    header_problems = check_header(name, header)
    if any(p.code != "extra-column" for p in header_problems):
        return False
    found += header_problems
    if alone:
        return True  # a header without a line break: no row to read
    keep = list(columns(name))
    flag = flag_expr(name)
    start = 2
    size = max(path.stat().st_size, 1)
    for count, batch in enumerate(_parsed(blocks, header), start=1):
        df = pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        df = df.select(keep).with_columns(
            _row=pl.int_range(start, start + df.height, dtype=pl.Int64), _ok=pl.lit(True)
        )
        start += df.height
        if progress is not None:  # a batch a block: the blocks parsed tell the bytes read
            progress(name, start - 2, min(count * BLOCK_SIZE / size, 1.0))
        frames.append(checked(name, judge(name, df, flag, found), found, check_block))
    return True


def checked(
    name: str, df: pl.DataFrame, problems: list[Problem], check_block: BlockCheck | None
) -> pl.DataFrame:
    """A judged block after its quotes are checked, without the columns no later check needs."""
    if check_block is not None:
        problems += check_block(name, df)
    return df.drop([c for c in DROPPED if name != "sources" and c in df.columns])


def joined(name: str, frames: list[pl.DataFrame]) -> TableRows:
    """The table of the checked blocks (``checked``): valid rows first, then the others.

    Each part keeps file order. With the valid rows first, a check that reads only them takes
    a slice of the table (``checks._ok``), not a filtered copy. Blocks are split one at a
    time and taken out of ``frames`` as they are, so the table is never held twice.
    """
    if not frames:
        return TableRows(name, checked(name, empty_frame(name), [], None))
    valid: list[pl.DataFrame] = []
    others: list[pl.DataFrame] = []
    frames.reverse()
    while frames:
        block = frames.pop()
        ok = block["_ok"]
        if ok.all():
            valid.append(block)
        else:
            valid.append(block.filter(ok))
            others.append(block.filter(~ok))
    return TableRows(name, pl.concat(valid + others))


def judge(
    name: str,
    df: pl.DataFrame,
    flag: pl.Expr,
    found: list[Problem],
    blank_lines: bool = True,
) -> pl.DataFrame:
    """Run pydantic on the flagged rows; mark the invalid ones and normalise the valid ones.

    Only rows still ``_ok`` are judged. ``blank_lines``: pyarrow reads a blank line as a
    record of empty cells, so such a record sends the table to ``zhusan.engines.csvfallback``, which
    reports it as a blank line.
    """
    at = df.select(pl.col("_ok") & flag).to_series().arg_true()
    if at.len() == 0:
        return df
    flagged = df[at]
    names = [c for c in df.columns if c not in ("_row", "_ok")]
    blank = pl.all_horizontal([pl.col(c) == "" for c in names]).any()
    if blank_lines and flagged.select(blank).item():
        raise _Fallback  # a blank line, or a record of empty cells: only csv tells them apart
    fixes: dict[str, list[Any]] = {c: [] for c in [*names, "_ok"]}
    for row in flagged.iter_rows(named=True):
        number = row.pop("_row")
        row.pop("_ok")
        model, errs = row_problems(name, number, row)
        found += errs
        cells = canonical(name, model) if model is not None else row
        for c in names:
            fixes[c].append(cells[c])
        fixes["_ok"].append(model is not None)
    # Only the columns a fix changes are rewritten, at the flagged positions.
    changed = []
    for c, values in fixes.items():
        new = pl.Series(c, values, dtype=df.schema[c])
        if not new.equals(flagged[c]):
            changed.append(df[c].clone().scatter(at, new))
    return df.with_columns(changed)
