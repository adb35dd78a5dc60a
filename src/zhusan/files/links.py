"""Internal: package files reached only inside the package folder, never through a link out.

A package from elsewhere may hold links meant to make a reader read another file: a symbolic link
out of the folder, a hard link to a file outside it (which looks like any other file), a device
such as ``/dev/zero`` or a FIFO. ``unsafe`` says why such a file is not read; ``open_file`` opens
only a regular file, never through a final symbolic link, so a link put in its place after the
check is not followed either.
"""

from __future__ import annotations

import errno
import fcntl
import io
import os
import stat
from pathlib import Path

from zhusan.model.text import printable


def reason(exc: BaseException) -> str:
    """Why a file operation failed, in a few words ('Permission denied', 'symlink loop')."""
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "a symbolic link loop"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return printable(text)


def unsafe(root: Path, path: Path, trusted: bool = False) -> str | None:
    """Why the file at ``path`` is not read as part of the package at ``root``; None: it is.

    A missing file, or a name no file can have (too long), is not unsafe (the caller reports it
    as missing). A file is refused when its
    real path leaves ``root``, when it is not a regular file, when it has more than one name (a
    hard link: its other names may lie outside the package), and when it lies on another device
    than ``root`` (a mount inside the package). ``trusted`` (the bundled package, installed by
    the user, whose installer may hard-link files) waives the last two.
    """
    try:
        base = root.resolve(strict=True)
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ENAMETOOLONG, errno.ENOTDIR):  # no file can have that name
            return None
        return f"cannot be resolved ({reason(exc)})"
    except (RuntimeError, ValueError) as exc:
        return f"cannot be resolved ({reason(exc)})"
    if not real.is_relative_to(base):
        return "points outside the package folder"
    try:
        st, folder = real.stat(), base.stat()
    except OSError as exc:
        return f"cannot be read ({reason(exc)})"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if trusted:
        return None
    if st.st_nlink > 1:
        return (
            f"is a hard link ({st.st_nlink} names): its other names may lie outside the package "
            "folder, so it is not read"
        )
    if st.st_dev != folder.st_dev:
        return "lies on another file system than the package folder"
    return None


def open_checked(root: Path, path: Path, trusted: bool = False) -> io.BufferedReader:
    """``path`` checked by ``unsafe`` and opened, the file opened being the file checked.

    The device and inode of what was opened are compared with those of the file checked, so a
    file swapped in between (a link, another file) is refused. OSError (``PermissionError``,
    ``FileNotFoundError``, or ``EPERM`` with the reason) when it may not be read.
    """
    why = unsafe(root, path, trusted)
    if why is not None:
        raise OSError(errno.EPERM, why, str(path))
    real = path.resolve(strict=True)
    checked = real.stat()
    fh = open_file(real)
    opened = os.fstat(fh.fileno())
    if (opened.st_dev, opened.st_ino) != (checked.st_dev, checked.st_ino):
        fh.close()
        raise OSError(errno.EPERM, "changed while it was checked", str(path))
    return fh


def open_file(path: Path) -> io.BufferedReader:
    """``path`` opened for reading, only if it is a regular file reached without a final link.

    ``O_NOFOLLOW`` refuses a symbolic link put where the checked file was; ``O_NONBLOCK`` keeps
    a FIFO put there from blocking the open, and the ``fstat`` refuses it (and any device).
    OSError otherwise, as ``open`` raises it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if hasattr(os, "O_NONBLOCK"):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return io.BufferedReader(io.FileIO(fd, "rb", closefd=True))
    except BaseException:
        os.close(fd)
        raise
