"""Run the command line: ``python -m zhusan``, and the ``zhusan`` script (``run``).

Ctrl-C while the libraries load (about a second) ends the run with one line and exit 130, not
a traceback: the handler is set before ``zhusan.cli`` (and with it polars and pyarrow) is
imported; ``zhusan.files.console.session`` takes over once the command runs.

With ``--engine duckdb``, whose peak memory is bounded by ``--memory-limit``, polars' allocator
is told before polars loads to give back at once the pages it frees (``ALLOCATOR``), unless the
environment already says otherwise (docs/engines.md).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

#: The variable polars' allocator (jemalloc) reads when polars loads, and what the duckdb engine
#: sets it to: freed pages go back to the system at once, not seconds later. At 5M rows with
#: ``--memory-limit 300MB`` it took some 70 MB off the duckdb engine's parts (whole run 494–505
#: MB); it costs about a tenth more time (docs/benchmark.md), so the other engines leave it.
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def _asks_for_duckdb(argv: list[str]) -> bool:
    """Whether the command line names the duckdb engine (``--engine duckdb``)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(a == "--engine=duckdb" or (a, b) == ("--engine", "duckdb") for a, b in pairs)


def _starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"zhusan: interrupted (Ctrl-C) while starting; nothing was read or written\n")
    os._exit(128 + signum)


def run() -> None:
    """Console-script entry point: the command line, Ctrl-C handled from the first moment."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _starting)
    if _asks_for_duckdb(sys.argv[1:]):
        os.environ.setdefault(*ALLOCATOR)
    from zhusan.cli import run as command_line

    command_line()


if __name__ == "__main__":
    run()
