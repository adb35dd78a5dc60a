"""A table's file as the fast engine reads it: one pass for the parser, the hash and the checks.

pyarrow reads the file through ``Blocks``. Each block it asks for is, on the way, added to the
file's hash (when the descriptor states one), measured for a line longer than ``MAX_RECORD``
and checked to be UTF-8, so the file is read once instead of three times, and pyarrow is told
not to check UTF-8 again, value by value. ``Blocks`` also paces pyarrow: it reads at most
``AHEAD`` blocks ahead of the batches taken (pyarrow alone reads up to 32 blocks, 512 MiB, ahead
of a slow consumer).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import struct
import threading
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from zhusan.files.lines import LineRun
from zhusan.files.links import open_file

#: Blocks read ahead of the batches taken; pyarrow needs block i + 1 to finish batch i.
AHEAD = 3
#: Seconds a read waits for the consumer before it reads anyway (never a deadlock).
WAIT = 2.0


class TooLong(Exception):
    """A line longer than the longest record read."""


class NotUtf8(Exception):
    """Bytes that are not UTF-8."""


def _lead(byte: int) -> int:
    """The length of the UTF-8 sequence a byte starts (1 for a continuation byte or ASCII)."""
    return 2 if 0xC0 <= byte < 0xE0 else 3 if 0xE0 <= byte < 0xF0 else 4 if byte >= 0xF0 else 1


def _continuation(byte: int) -> bool:
    return 0x80 <= byte < 0xC0


def _complete(data: memoryview, start: int) -> int:
    """Where an incomplete UTF-8 sequence at the end of ``data`` starts (``len(data)``: none)."""
    i, seen = len(data) - 1, 0
    while i >= start and seen < 3 and _continuation(data[i]):
        i, seen = i - 1, seen + 1
    if i >= start and data[i] >= 0xC0 and len(data) - i < _lead(data[i]):
        return i
    return len(data)


def _valid(data: memoryview, start: int, end: int) -> bool:
    """``data[start:end]`` is UTF-8 (checked by polars without copying the block)."""
    if end <= start:
        return True
    offsets = pa.py_buffer(struct.pack("<ii", start, end))
    array = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(data)])
    series = pl.Series(array)
    try:
        series.cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


class Blocks:
    """A binary file for pyarrow that hashes, measures and checks every block it reads.

    ``algorithm`` names the hash (None: none). After the last block, ``done`` is True and
    ``hexdigest()`` and ``size`` describe the whole file. A line longer than ``max_record``
    raises ``TooLong`` from ``read`` (and sets ``too_long``); bytes that are not UTF-8 raise
    ``NotUtf8`` (and set ``not_utf8``). The consumer calls ``took()`` per batch it takes and
    ``release()`` when it stops; a read after ``close()`` is the end of the file.
    """

    closed = False

    def __init__(
        self, path: Path, algorithm: str | None, max_record: int, ahead: int | None = None
    ) -> None:
        self._file = open_file(path)
        self._hash: Any = hashlib.new(algorithm) if algorithm else None
        self._max = max_record
        self._lines = LineRun()
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._reads = self._taken = 0
        self._ahead = AHEAD if ahead is None else ahead
        self._turn = threading.Condition()
        self._io = threading.Lock()
        self._left = os.fstat(self._file.fileno()).st_size
        self.size = 0
        #: Reads that waited ``WAIT`` seconds for the consumer in vain (pacing gone wrong).
        self.stalls = 0
        self.done = self.too_long = self.not_utf8 = False

    def hexdigest(self) -> str | None:
        """The hash of the bytes read (None when no algorithm was given)."""
        return None if self._hash is None else str(self._hash.hexdigest())

    def took(self) -> None:
        """One more batch taken: one more block may be read."""
        with self._turn:
            self._taken += 1
            self._turn.notify_all()

    def release(self) -> None:
        """The consumer stopped: reads no longer wait."""
        with self._turn:
            self._ahead = 1 << 62
            self._turn.notify_all()

    def read(self, size: int = -1) -> Any:
        """The next block (a pyarrow buffer), at most ``max_record`` bytes; empty at the end."""
        with self._turn:
            if not self._turn.wait_for(
                lambda: self._reads < self._taken + self._ahead, timeout=WAIT
            ):
                self.stalls += 1
            self._reads += 1
        # At most max_record bytes a read: a line inside one block is then never too long.
        want = min(size if 0 <= size <= self._max else self._max, self._left + 1)
        # Memory of pyarrow's pool, which takes it back once the block is parsed.
        block = pa.allocate_buffer(want)
        with self._io:
            got = 0 if self.closed else self._file.readinto(memoryview(block))
        if not got:
            self.done = not self.closed
            self._check(b"", final=True)
            return b""
        block = block.slice(0, got)
        data = memoryview(block).cast("B")  # bytes as 0..255
        self.size += got
        self._left = max(self._left - got, 0)
        if self._hash is not None:
            self._hash.update(data)
        self._measure(data)
        self._check(data)
        return block

    def _measure(self, data: memoryview) -> None:
        """Raise ``TooLong`` once a run of bytes without a line break exceeds ``max_record``."""
        if self._lines.feed(data) > self._max:
            self.too_long = True
            raise TooLong

    def _check(self, data: memoryview | bytes, final: bool = False) -> None:
        """Raise ``NotUtf8`` unless the bytes read so far can be UTF-8.

        The edges of the block go through an incremental decoder (a character may straddle
        two blocks); the middle is checked in one call.
        """
        view = memoryview(data).cast("B")
        try:
            head = 0
            while head < min(3, len(view)) and _continuation(view[head]):
                head += 1
            self._decoder.decode(view[:head].tobytes(), final=final)
            end = _complete(view, head)
            if end > head and (self._decoder.getstate()[0] or not _valid(view, head, end)):
                raise UnicodeDecodeError("utf-8", b"", head, end, "invalid data")
            self._decoder.decode(view[end:].tobytes(), final=final)
        except UnicodeDecodeError:
            self.not_utf8 = True
            raise NotUtf8 from None

    def readable(self) -> bool:
        """A file object's answer: it can be read."""
        return True

    def seekable(self) -> bool:
        """A file object's answer: it cannot seek (pyarrow reads it front to back)."""
        return False

    def tell(self) -> int:
        """The bytes read so far."""
        return self.size

    def close(self) -> None:
        """Close the file; later reads find its end."""
        with self._io:
            self._file.close()
            self.closed = True

    def __enter__(self) -> Blocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.close()
