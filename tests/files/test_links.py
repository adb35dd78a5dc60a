"""Files of a package are read only inside its folder: no link out, no hard link, no device."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhusan.files.links import open_file, unsafe


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "secret").write_text("top secret\n", encoding="utf-8")
    return tmp_path / "pkg"


def test_a_regular_file_inside_is_safe(root: Path) -> None:
    """A plain file of the package, and a missing one, are not refused here."""
    assert unsafe(root, root / "a.csv") is None
    assert unsafe(root, root / "missing.csv") is None


def test_a_symlink_inside_the_package_is_followed(root: Path) -> None:
    """A link to another file of the package is fine."""
    (root / "b.csv").symlink_to("a.csv")
    assert unsafe(root, root / "b.csv") is None


def test_a_symlink_out_of_the_package_is_refused(root: Path) -> None:
    """A link to a file outside the folder: refused."""
    (root / "b.csv").symlink_to(root.parent / "secret")
    assert unsafe(root, root / "b.csv") == "points outside the package folder"


def test_a_hard_link_is_refused_unless_trusted(root: Path) -> None:
    """A file with a second name (here outside the package): refused; the bundled one may."""
    os.link(root.parent / "secret", root / "b.csv")
    assert unsafe(root, root / "b.csv") == (
        "is a hard link (2 names): its other names may lie outside the package folder, so it is "
        "not read"
    )
    assert unsafe(root, root / "b.csv", trusted=True) is None


def test_a_symlink_loop_and_a_device_are_refused(root: Path) -> None:
    """A link to itself cannot be resolved; /dev/null is no regular file."""
    (root / "loop.csv").symlink_to("loop.csv")
    assert unsafe(root, root / "loop.csv") == "cannot be resolved (a symbolic link loop)"
    os.mkfifo(root / "fifo.csv")
    assert unsafe(root, root / "fifo.csv") == "is not a regular file"


def test_open_file_refuses_a_fifo_and_a_final_symlink(root: Path) -> None:
    """open_file never blocks on a FIFO and never follows a link put in the file's place."""
    os.mkfifo(root / "fifo.csv")
    with pytest.raises(OSError, match="not a regular file"):
        open_file(root / "fifo.csv")
    (root / "b.csv").symlink_to("a.csv")
    with pytest.raises(OSError):
        open_file(root / "b.csv")
    with open_file(root / "a.csv") as fh:
        assert fh.read() == b"x\n"


def test_a_file_swapped_after_its_check_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_checked compares the opened file's device and inode with the file it checked."""
    from zhusan.files import links

    with links.open_checked(root, root / "a.csv") as fh:
        assert fh.read() == b"x\n"
    swapped = root.parent / "secret"
    monkeypatch.setattr(links, "open_file", lambda path: open(swapped, "rb"))  # noqa: SIM115
    with pytest.raises(OSError, match="changed while it was checked"):
        links.open_checked(root, root / "a.csv")
    (root / "b.csv").symlink_to(swapped)
    with pytest.raises(OSError, match="points outside the package folder"):
        links.open_checked(root, root / "b.csv")


def _slow(root: Path, relative: str, trusted: bool) -> bytes | str:
    """What ``unsafe`` and ``open_checked`` make of one file: its bytes, or why not."""
    from zhusan.files import links

    why = unsafe(root, root / relative, trusted)
    if why is not None:
        return why
    try:
        with links.open_checked(root, root / relative, trusted) as fh:
            return fh.read()
    except OSError as exc:
        return f"{type(exc).__name__}: {links.reason(exc)}"


def _folder(folder: object, relative: str) -> bytes | str:
    """What ``Folder.open`` makes of the same file, in the same words."""
    from zhusan.files import links

    assert isinstance(folder, links.Folder)
    try:
        with folder.open(relative) as fh:
            return fh.read()
    except links.Unsafe as exc:
        return str(exc.strerror)
    except OSError as exc:
        return f"{type(exc).__name__}: {links.reason(exc)}"


@pytest.mark.parametrize("trusted", [False, True])
def test_a_folder_opens_and_refuses_what_open_checked_does(root: Path, trusted: bool) -> None:
    """Folder.open reads the files open_checked reads and refuses the others in its words."""
    from zhusan.files.links import Folder

    outside = root.parent / "secret"
    (root / "seeds").mkdir()
    (root / "seeds" / "doc.html").write_bytes(b"<p>doc</p>")
    (root / "seeds" / "inner.html").symlink_to("doc.html")
    (root / "seeds" / "out.html").symlink_to(outside)
    (root / "seeds" / "loop.html").symlink_to("loop.html")
    os.link(outside, root / "seeds" / "hard.html")
    os.mkfifo(root / "seeds" / "fifo.html")
    (root / "seeds" / "sub").mkdir()
    (root / "linked").symlink_to("seeds")
    (root / "away").symlink_to(root.parent)
    names = [
        "a.csv", "seeds/doc.html", "seeds/inner.html", "seeds/out.html", "seeds/loop.html",
        "seeds/hard.html", "seeds/fifo.html", "seeds/sub", "seeds/missing.html",
        "missing/doc.html", "a.csv/doc.html", "linked/doc.html", "away/secret",
        "seeds/../a.csv", "seeds/./doc.html", "seeds//doc.html", "x" * 300,
    ]  # fmt: skip
    with Folder(root, trusted) as folder:
        seen = {name: _folder(folder, name) for name in names}
    assert seen == {name: _slow(root, name, trusted) for name in names}
    assert seen["seeds/doc.html"] == b"<p>doc</p>" == seen["linked/doc.html"]
    assert seen["seeds/out.html"] == "points outside the package folder"
    assert seen["seeds/fifo.html"] == "is not a regular file"


def test_a_folder_keeps_reading_inside_once_a_subfolder_is_swapped_for_a_link(root: Path) -> None:
    """A sub-folder swapped for a link out after its first file is read: the link is not used."""
    from zhusan.files.links import Folder

    (root / "seeds").mkdir()
    (root / "seeds" / "a.html").write_bytes(b"a")
    (root / "seeds" / "secret").write_bytes(b"inside")
    with Folder(root) as folder:
        with folder.open("seeds/a.html") as fh:
            assert fh.read() == b"a"
        (root / "seeds").rename(root / "moved")
        (root / "seeds").symlink_to(root.parent)
        with folder.open("seeds/secret") as fh:
            assert fh.read() == b"inside"  # the sub-folder first opened, not the link's target
