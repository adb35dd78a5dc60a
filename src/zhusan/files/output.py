"""Internal: outputs written so that an error never leaves a half-written file or folder.

A file is written beside its target and renamed over it (``write_atomic``). A folder of
outputs is written into a staging folder next to its target (``staging_folder``), which then
takes the target's place in one rename, the old folder moved aside first (``swap_in``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path


def umask() -> int:
    """The process's file mode creation mask (022 on most systems)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so no half-written file is left.

    The file gets the mode an ordinary write would give: a file it replaces keeps its mode,
    a new one has 0666 less the umask (not the 0600 of a temporary file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def staging_folder(target: Path) -> Path:
    """A new empty folder next to ``target`` (same file system, permissions from the umask)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = target.with_name(f".{target.name}-{secrets.token_hex(6)}.partial")
        try:
            staging.mkdir()
        except FileExistsError:  # pragma: no cover - a 48-bit random name was taken
            continue
        return staging


def swap_in(staging: Path, target: Path) -> None:
    """Put the folder ``staging`` where ``target`` is; the old ``target`` is removed after."""
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}-{secrets.token_hex(6)}.old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
