"""Internal: line lengths measured block by block; a table with an endless line is refused."""

from __future__ import annotations

from pathlib import Path

from zhusan.files.links import open_file
from zhusan.model.report import Problem

#: The longest line read (the fast engine's block size); longer ones are refused unread.
MAX_RECORD = 16 << 20

#: Bytes searched at a time for a line break.
_STEP = 1 << 16


def _line_break(data: memoryview, reverse: bool = False) -> int:
    """The index of the first (or last) line break (LF or CR) in ``data``; -1 if none."""
    steps = range(0, len(data), _STEP)
    for at in reversed(steps) if reverse else steps:
        chunk = data[at : at + _STEP].tobytes()
        find = chunk.rfind if reverse else chunk.find
        found = [i for i in (find(b"\n"), find(b"\r")) if i >= 0]
        if found:
            return at + (max(found) if reverse else min(found))
    return -1


class LineRun:
    """The longest run of bytes without a line break (LF or CR) in a file fed block by block.

    A run inside one block is shorter than the block, so blocks must be no longer than the
    limit the caller compares ``feed``'s answer with.
    """

    def __init__(self) -> None:
        self._run = 0  # bytes since the last line break

    def feed(self, data: memoryview) -> int:
        """The longest run that ends in or crosses into ``data`` (one block)."""
        last = _line_break(data, reverse=True)
        if last < 0:
            self._run += len(data)
            return self._run
        longest = self._run + _line_break(data)
        self._run = len(data) - last - 1
        return max(longest, self._run)


def longest_line(data: bytes) -> int:
    """The longest run of bytes without a line break in ``data``."""
    lines, longest = LineRun(), 0
    view = memoryview(data)
    for at in range(0, len(data), MAX_RECORD):
        longest = max(longest, lines.feed(view[at : at + MAX_RECORD]))
    return longest


def too_long(path: Path, table: str) -> Problem | None:
    """A problem when the file has a run of more than ``MAX_RECORD`` bytes without a line break.

    Such a table is refused unread, so memory stays bounded. The file is read in 4 MiB blocks
    and measured as ``zhusan.files.blocks`` measures the blocks pyarrow reads; it stops at the first
    line too long.
    """
    buf = bytearray(4 << 20)
    lines, longest = LineRun(), 0
    with open_file(path) as fh:
        while longest <= MAX_RECORD and (n := fh.readinto(buf)):
            longest = max(longest, lines.feed(memoryview(buf)[:n]))
    if longest <= MAX_RECORD:
        return None
    return Problem(
        "record-too-long",
        f"a line is longer than {MAX_RECORD} bytes: the table is refused unread",
        table,
    )
