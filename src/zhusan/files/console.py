r"""Internal: the command line's streams and signals, so that output never changes the exit code.

``session()`` wraps one run of a command:

- stdout and stderr write what their encoding cannot hold as ``\xe9``-style escapes
  (``PYTHONIOENCODING=ascii`` is not a crash);
- a reader that stops reading (``zhusan validate | head -1``) ends the output quietly, and the
  command still returns the exit code of what it found: a closed pipe is never "valid";
- Ctrl-C (SIGINT) or SIGTERM stops the run within a moment, wherever it is (in a long polars or
  pyarrow call too): a watcher thread, woken through ``signal.set_wakeup_fd``, waits for any
  output being swapped into place to finish, removes every staging folder and temporary file
  (``files.output.abandon``), prints one line and exits with 128 + the signal (130 for Ctrl-C).

``json_text`` is JSON as the command line prints it: escaped like ``printable`` text.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

from zhusan.files.output import abandon

#: Characters JSON leaves as they are that may still act on a terminal or split a line:
#: C1 controls and DEL, the line and paragraph separators, bidirectional overrides, the
#: byte-order mark, lone surrogates. Written as ``\uXXXX`` (the same string once parsed).
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _encodes_unicode(stream: object) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding.startswith(("utf8", "utf16", "utf32", "gb18030"))


def json_text(data: Any) -> str:
    r"""``data`` as indented JSON that cannot move the cursor, add a line or fail to encode.

    Non-ASCII text is written as it is where stdout takes Unicode, as ``\uXXXX`` elsewhere.
    """
    text = json.dumps(data, indent=2, ensure_ascii=not _encodes_unicode(sys.stdout))
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _PipeSafe(io.TextIOBase):
    """stdout that turns into a sink once its reader is gone (``BrokenPipeError``)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.gone = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def _sink(self) -> None:
        """The reader is gone: later writes go nowhere, and the exit flush cannot fail."""
        self.gone = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._sink()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._sink()


@contextlib.contextmanager
def _escaping(stream: object) -> Iterator[None]:
    """Characters the stream cannot encode written as escapes while the context lasts."""
    errors = getattr(stream, "errors", None)
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or errors is None:
        yield
        return
    reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            reconfigure(errors=errors)


_stopping = threading.Lock()


def _stop(signum: int) -> None:
    """Say why in one line, leave nothing half-written, and exit with 128 + ``signum``.

    Once the line is written, stdout and stderr lead nowhere: the main thread, whose files
    are being removed under it, may still fail and print, but nobody sees a second line.
    """
    if not _stopping.acquire(blocking=False):
        return  # already stopping on another thread
    name = "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"stopped by signal {signum}"
    line = f"zhusan: {name}; stopped before the end, nothing half-written was left\n"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        clear = "\r\x1b[K" if os.isatty(2) else ""
        os.write(2, (clear + line).encode())
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    abandon()
    os._exit(128 + signum)


def _watch(wakeup: socket.socket) -> None:
    """Wait for a signal number on ``wakeup``; stop the process when one comes."""
    while data := wakeup.recv(64):
        for signum in data:
            if signum in (signal.SIGINT, signal.SIGTERM):
                _stop(signum)


def _noted(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: the watcher thread does the work (no KeyboardInterrupt)."""


@contextlib.contextmanager
def _signals() -> Iterator[None]:
    """SIGINT and SIGTERM handled by a watcher thread while the context lasts (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wakeup, notify = socket.socketpair()
    notify.setblocking(False)
    try:
        previous_fd = signal.set_wakeup_fd(notify.fileno(), warn_on_full_buffer=False)
    except ValueError:  # pragma: no cover - not the main thread of the main interpreter
        wakeup.close()
        notify.close()
        yield
        return
    previous = {s: signal.signal(s, _noted) for s in (signal.SIGINT, signal.SIGTERM)}
    watcher = threading.Thread(target=_watch, args=(wakeup,), name="zhusan-signals", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        with contextlib.suppress(OSError):
            notify.shutdown(socket.SHUT_RDWR)
        notify.close()
        watcher.join(timeout=5)
        wakeup.close()


@contextlib.contextmanager
def session() -> Iterator[None]:
    """One run of a command: escaping streams, a pipe-safe stdout, signals that stop cleanly."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(_escaping(sys.stderr))
        stack.enter_context(_escaping(sys.stdout))
        stack.enter_context(_signals())
        out = _PipeSafe(sys.stdout)
        stack.enter_context(contextlib.redirect_stdout(out))
        try:
            yield
        finally:
            out.flush()
            if _stopping.locked():  # the watcher is stopping the process: its exit code wins
                threading.Event().wait()
