"""Atomic writes give the file the mode an ordinary write would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhusan.files.output import write_atomic


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_has_the_mode_of_the_umask(tmp_path: Path, mask: int, mode: int) -> None:
    """A new file is 0666 less the umask (a temporary file alone would be 0600)."""
    old = os.umask(mask)
    try:
        write_atomic(tmp_path / "f.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "f.json").stat().st_mode & 0o777 == mode


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    """Rewriting a file the user made group-writable keeps it group-writable."""
    path = tmp_path / "f.json"
    path.write_bytes(b"old")
    path.chmod(0o664)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o664
