"""Folders of outputs swapped in whole: never half-written, never mixed, never another's files."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from zhusan.files import output
from zhusan.files.output import (
    ForeignFiles,
    OutputError,
    foreign,
    swap_in,
    write_atomic,
    write_folder,
)

MARKER = ".zhusan-test"


def _writer(names: dict[str, bytes]) -> Callable[[Path], list[str]]:
    def write(folder: Path) -> list[str]:
        for name, data in names.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        return list(names)

    return write


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_new_folder_holds_the_files_and_their_manifest(tmp_path: Path) -> None:
    """The files written, a manifest naming them, nothing beside the folder."""
    written = write_folder(tmp_path / "out", _writer({"a": b"1", "d/b": b"2"}), MARKER, "# t")
    assert written == [tmp_path / "out" / "a", tmp_path / "out" / "d" / "b"]
    assert _files(tmp_path / "out") == {"a": b"1", "d/b": b"2", MARKER: b"# t\na\nd/b\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_rewrite_replaces_the_whole_folder(tmp_path: Path) -> None:
    """Files of the earlier output that the new one lacks are gone: no mix of old and new."""
    write_folder(tmp_path / "out", _writer({"a": b"1", "old": b"x"}), MARKER, "# t")
    write_folder(tmp_path / "out", _writer({"a": b"2", "new": b"y"}), MARKER, "# t")
    assert _files(tmp_path / "out") == {"a": b"2", "new": b"y", MARKER: b"# t\na\nnew\n"}


def test_foreign_files_refuse_the_rewrite(tmp_path: Path) -> None:
    """A file the manifest does not name: ForeignFiles, the folder left as it was."""
    out = tmp_path / "out"
    write_folder(out, _writer({"a": b"1"}), MARKER, "# t")
    (out / "mine").write_text("keep", encoding="utf-8")
    (out / "sub").mkdir()
    before = _files(out)
    with pytest.raises(ForeignFiles, match=r"holds files zhusan did not write \(mine, sub\)"):
        write_folder(out, _writer({"a": b"2"}), MARKER, "# t")
    assert _files(out) == before and (out / "sub").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_manifest_without_names_stands_for_the_new_names(tmp_path: Path) -> None:
    """A folder an earlier version wrote (its marker names no file): its names may be replaced."""
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("zhusan-data 0.1.0\n", encoding="utf-8")
    (out / "a").write_text("old", encoding="utf-8")
    assert foreign(out, MARKER, ["a"]) == []
    assert foreign(out, MARKER, ["b"]) == ["a"]


def test_an_error_while_writing_changes_nothing(tmp_path: Path) -> None:
    """The writer fails: its error raised, the old folder intact, no staging left."""
    out = tmp_path / "out"
    write_folder(out, _writer({"a": b"1"}), MARKER, "# t")

    def fail(folder: Path) -> list[str]:
        (folder / "a").write_bytes(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_folder(out, fail, MARKER, "# t")
    assert _files(out) == {"a": b"1", MARKER: b"# t\na\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_os_error_becomes_an_output_error(tmp_path: Path) -> None:
    """A refusal of the system while writing: OutputError (exit 2) naming the folder."""

    def fail(folder: Path) -> list[str]:
        raise PermissionError(13, "Permission denied", str(folder / "a"))

    with pytest.raises(OutputError, match=r"\(Permission denied\); .*out was not changed"):
        write_folder(tmp_path / "out", fail, MARKER, "# t")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("exchange", [True, False])
def test_the_target_is_always_the_old_or_the_new_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    """Watched while swapped 30 times: never a mix, and with the exchange never missing."""
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_folder(out, _writer({"a": b"0", "b": b"0"}), MARKER, "# t")
    seen: list[str] = []
    stop = threading.Event()

    def read(name: str, folder: int) -> str:
        fd = os.open(name, os.O_RDONLY, dir_fd=folder)
        with os.fdopen(fd) as fh:
            return fh.read()

    def watch() -> None:
        """Open the folder once, read both files in it: what one moment's OUT holds."""
        while not stop.is_set():
            try:
                folder = os.open(out, os.O_RDONLY)
            except FileNotFoundError:
                seen.append("missing")
                continue
            try:
                seen.append(read("a", folder) + read("b", folder))
            except FileNotFoundError:  # the old folder, emptied after the swap
                pass
            finally:
                os.close(folder)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for i in range(1, 31):
        write_folder(out, _writer({"a": str(i).encode(), "b": str(i).encode()}), MARKER, "# t")
    stop.set()
    watcher.join()
    mixed = [s for s in seen if s != "missing" and s[: len(s) // 2] != s[len(s) // 2 :]]
    assert mixed == []
    if exchange and output._exchange(tmp_path / "out", tmp_path / "out"):
        assert "missing" not in seen


def test_swap_in_moves_a_new_folder_into_place(tmp_path: Path) -> None:
    """Without a target, the staging folder is renamed to it."""
    staging = output.staging_folder(tmp_path / "out")
    (staging / "f").write_text("x", encoding="utf-8")
    swap_in(staging, tmp_path / "out")
    assert _files(tmp_path / "out") == {"f": b"x"} and not staging.exists()


def test_runs_on_one_folder_take_turns(tmp_path: Path) -> None:
    """Two writers at once: the second waits for the first's lock; each output whole."""
    order: list[str] = []

    def slow(name: str) -> Callable[[Path], list[str]]:
        def write(folder: Path) -> list[str]:
            order.append(f"{name} start")
            time.sleep(0.3)
            (folder / "a").write_text(name, encoding="utf-8")
            order.append(f"{name} end")
            return ["a"]

        return write

    threads = [
        threading.Thread(target=write_folder, args=(tmp_path / "out", slow(n), MARKER, "# t"))
        for n in ("one", "two")
    ]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert order == ["one start", "one end", "two start", "two end"]
    assert (tmp_path / "out" / "a").read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    """A staging folder and a folder moved aside (the target gone): put back, then replaced."""
    (tmp_path / ".out-aaaaaaaaaaaa.partial").mkdir()
    old = tmp_path / ".out-bbbbbbbbbbbb.old"
    old.mkdir()
    (old / MARKER).write_text("# t\nkept\n", encoding="utf-8")
    (old / "kept").write_text("old", encoding="utf-8")
    write_folder(tmp_path / "out", _writer({"kept": b"new"}), MARKER, "# t")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (tmp_path / "out" / "kept").read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("make", ["file", "dangling"])
def test_a_target_that_cannot_be_a_folder_is_refused(tmp_path: Path, make: str) -> None:
    """A file, or a symbolic link to nothing: OutputError before anything is written."""
    out = tmp_path / "out"
    if make == "file":
        out.write_text("mine", encoding="utf-8")
    else:
        out.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match=r"it is a file|symbolic link to nothing"):
        write_folder(out, _writer({"a": b"1"}), MARKER, "# t")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_abandon_removes_staging_and_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a signal handler calls: every staging folder and temporary file in progress gone."""
    monkeypatch.setattr(output, "_COMMIT", threading.Lock())
    monkeypatch.setattr(output, "_PENDING", set())
    staging = output.staging_folder(tmp_path / "out")
    (staging / "half").write_text("x", encoding="utf-8")
    stray = tmp_path / ".f.tmp"
    stray.write_text("x", encoding="utf-8")
    output._pending(stray, True)
    output.abandon()
    assert list(tmp_path.iterdir()) == []


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
