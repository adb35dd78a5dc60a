"""Run the command line: ``python -m zhusan``, and the ``zhusan`` script (``run``).

Ctrl-C while the libraries load (about a second) ends the run with one line and exit 130, not
a traceback: the handler is set before ``zhusan.cli`` (and with it polars and pyarrow) is
imported; ``zhusan.files.console.session`` takes over once the command runs.
"""

from __future__ import annotations

import os
import signal
from types import FrameType


def _starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"zhusan: interrupted (Ctrl-C) while starting; nothing was read or written\n")
    os._exit(128 + signum)


def run() -> None:
    """Console-script entry point: the command line, Ctrl-C handled from the first moment."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _starting)
    from zhusan.cli import run as command_line

    command_line()


if __name__ == "__main__":
    run()
