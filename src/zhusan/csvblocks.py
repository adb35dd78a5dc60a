"""CSV files as record batches of strings, parsed by pyarrow: in parallel pieces, or as a stream.

**Pieces.** The file is cut after a line break about every ``PIECE`` bytes, and the pieces are
parsed side by side on a small pool of threads (pyarrow releases the GIL). A cut is only right
if the line break ends a record, and not one inside a quoted cell. That is proved piece by
piece, in file order: the first piece starts at a record; a piece that starts at a record ends
at one exactly when its parse ends outside quotes, which shows in its last row (a cell still
open at the end holds the final line break, or leaves the row short). Any doubt, and any row of
the wrong width, raises ``Unsplittable`` and the caller streams the file instead.

**Stream.** One pass with ``newlines_in_values`` on, in blocks of ``BLOCK_SIZE`` bytes, parsed
one block ahead on a second thread: right for every file, a little slower.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from zhusan.reading import MAX_RECORD

#: Bytes per streamed block; a record longer than this is refused (no unbounded memory).
BLOCK_SIZE = MAX_RECORD
#: Bytes per piece parsed in parallel (a line longer than BLOCK_SIZE is refused anyway).
PIECE = 8 << 20
#: Threads that parse pieces, and pieces parsed ahead of the consumer (bounds memory).
WORKERS, AHEAD = 2, 3


class Unsplittable(Exception):
    """The file cannot be cut into pieces that provably start at records: stream it."""


def _convert(header: list[str]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def cuts(path: Path, start: int) -> list[int]:
    """Offsets where pieces begin (the first is ``start``, after the header) and the file's size.

    Each later offset follows a line feed found within ``BLOCK_SIZE`` bytes of a multiple of
    ``PIECE``; a file with no such line break there is ``Unsplittable``.
    """
    size = os.path.getsize(path)
    out = [start]
    with path.open("rb") as fh:
        pos = start + PIECE
        while pos < size:
            fh.seek(pos)
            found = fh.read(BLOCK_SIZE).find(b"\n")
            if found < 0:
                raise Unsplittable
            pos += found + 1
            if pos < size:
                out.append(pos)
            pos += PIECE
    out.append(size)
    return out


def _piece(path: Path, header: list[str], begin: int, end: int, last: bool) -> pa.Table:
    """One piece parsed; ``Unsplittable`` when a row is malformed or the piece ends in quotes."""
    malformed: list[int] = []

    def invalid(_: Any) -> str:
        malformed.append(1)
        return "skip"

    with path.open("rb") as fh:
        fh.seek(begin)
        data = fh.read(end - begin)
    table = pacsv.read_csv(
        pa.py_buffer(data),
        # One block per piece: pyarrow's parser keeps quoted line breaks inside a block.
        read_options=pacsv.ReadOptions(
            block_size=len(data) + 1, use_threads=False, column_names=header
        ),
        parse_options=pacsv.ParseOptions(
            # The last piece may end without a line break, where only this option is exact.
            newlines_in_values=last,
            ignore_empty_lines=False,
            invalid_row_handler=invalid,
        ),
        convert_options=_convert(header),
    )
    if malformed:
        raise Unsplittable
    if not last and table.num_rows:
        tail = table.slice(table.num_rows - 1).to_pylist()[0].values()
        if any(cell.endswith(("\n", "\r")) for cell in tail):
            raise Unsplittable  # a quoted cell still open at the cut (or one ending in a break)
    return table


def pieces(path: Path, header: list[str], start: int) -> Iterator[pa.RecordBatch]:
    """The record batches of a CSV's data (from byte ``start``), pieces parsed in parallel."""
    if start >= os.path.getsize(path):
        return
    bounds = cuts(path, start)
    spans = list(itertools.pairwise(bounds))
    pending: deque[Future[pa.Table]] = deque()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        try:
            for i, (begin, end) in enumerate(spans):
                pending.append(pool.submit(_piece, path, header, begin, end, i == len(spans) - 1))
                if len(pending) >= AHEAD:
                    yield from pending.popleft().result().to_batches()
            while pending:
                yield from pending.popleft().result().to_batches()
        finally:
            for fut in pending:
                fut.cancel()


def _stream_reader(path: Path, header: list[str], bad_rows: list[int]) -> Any:
    def invalid(_: Any) -> str:
        bad_rows.append(1)  # the reference engine reports row widths row by row
        return "skip"

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            block_size=BLOCK_SIZE, use_threads=False, skip_rows=1, column_names=header
        ),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid
        ),
        convert_options=_convert(header),
    )


_END = object()


def _put(out: queue.Queue[Any], item: object, stop: threading.Event) -> bool:
    """Hand ``item`` to the consumer; False once the consumer has stopped listening."""
    while not stop.is_set():
        with contextlib.suppress(queue.Full):
            out.put(item, timeout=0.05)
            return True
    return False


def _produce(reader: Any, out: queue.Queue[Any], stop: threading.Event) -> None:
    """Parse blocks on this thread (pyarrow releases the GIL) while the caller checks the last."""
    try:
        for batch in reader:
            if not _put(out, batch, stop):
                return
    except BaseException as exc:  # handed to the consumer, which decides
        _put(out, exc, stop)
        return
    _put(out, _END, stop)


def stream(path: Path, header: list[str], bad_rows: list[int]) -> Iterator[pa.RecordBatch]:
    """The record batches of a CSV, parsed one block ahead on a second thread.

    A row of the wrong width is skipped and counted in ``bad_rows``.
    """
    reader = _stream_reader(path, header, bad_rows)
    out: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(reader, out, stop), daemon=True)
    worker.start()
    try:
        while (item := out.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
