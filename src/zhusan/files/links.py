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
        return _reader(fd)
    except BaseException:
        os.close(fd)
        raise


def _reader(fd: int) -> io.BufferedReader:
    """The file open at ``fd`` (opened ``O_NONBLOCK``) made blocking, read buffered, closing it."""
    if hasattr(os, "O_NONBLOCK"):
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return io.BufferedReader(io.FileIO(fd, "rb", closefd=True))


class Unsafe(OSError):
    """A file ``unsafe`` refuses; its ``strerror`` says why, as ``unsafe`` words it."""


#: Flags of a sub-folder opened on the way to a file: never through a symbolic link.
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_CAN_WALK = (
    os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")
)


class Folder:
    """A package folder whose many files are opened as ``open_checked`` opens one, faster.

    ``open_checked`` resolves the folder and every component of the file's path each time
    (a few ``lstat`` a component). Here the folder and each sub-folder are opened once, without
    following a symbolic link, and a file is opened relative to its sub-folder's descriptor: a
    file reached so lies inside the folder by construction, whatever is renamed meanwhile. What
    this walk cannot settle (a symbolic link on the way, a missing or odd file, a hard link, a
    file on another device, ``..`` in the path) goes to ``unsafe`` and ``open_checked``, so the
    files read and the reasons given are theirs. Use as a context manager (it holds the
    sub-folders' descriptors).
    """

    def __init__(self, root: Path, trusted: bool = False) -> None:
        self.root, self.trusted = root, trusted
        self._dirs: dict[tuple[str, ...], int] = {}
        self._dev = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._dirs.values():
            os.close(fd)
        self._dirs.clear()

    def open(self, relative: str) -> io.BufferedReader:
        """The file ``relative`` (``/``-separated) opened; ``Unsafe`` or OSError as refused."""
        fh = self._walk(relative) if _CAN_WALK else None
        if fh is not None:
            return fh
        path = self.root / relative
        why = unsafe(self.root, path, self.trusted)
        if why is not None:
            raise Unsafe(errno.EPERM, why, str(path))
        return open_checked(self.root, path, self.trusted)

    def _dir(self, parts: tuple[str, ...]) -> int:
        fd = self._dirs.get(parts)
        if fd is None:
            if parts:
                fd = os.open(parts[-1], _DIR_FLAGS | os.O_CLOEXEC, dir_fd=self._dir(parts[:-1]))
            else:
                fd = os.open(self.root, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_DIRECTORY", 0))
                self._dev = os.fstat(fd).st_dev
            self._dirs[parts] = fd
        return fd

    def _walk(self, relative: str) -> io.BufferedReader | None:
        """The file opened through the sub-folders' descriptors; None when it needs the slow way."""
        parts = relative.split("/")
        if "\x00" in relative or any(p in ("", ".", "..") for p in parts):
            return None
        flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC
        try:
            fd = os.open(
                parts[-1], flags | getattr(os, "O_NOCTTY", 0), dir_fd=self._dir(tuple(parts[:-1]))
            )
        except (OSError, ValueError):
            return None
        try:
            st = os.fstat(fd)
            plain = stat.S_ISREG(st.st_mode) and (
                self.trusted or (st.st_nlink == 1 and st.st_dev == self._dev)
            )
            if not plain:
                os.close(fd)
                return None
            return _reader(fd)
        except BaseException:
            os.close(fd)
            raise
