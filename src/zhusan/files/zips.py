"""Internal: zip files written byte for byte the same from the same content, and read safely.

``write_zip`` stores its members in the order given, each with the one timestamp it is given,
fixed permissions and no extra fields, so two builds of the same data give the same bytes.
``rewrite_zip`` does that to a zip another library wrote (openpyxl's xlsx), optionally editing
members on the way. ``extract_zip`` unpacks an archive into a folder, refusing members whose
names leave it, links, and archives that unpack to more than a limit (a zip bomb).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath

from zhusan.files.descriptor import UnusableInput

#: The earliest time a zip can store; the default timestamp of generated archives.
ZIP_EPOCH = datetime(1980, 1, 1)
#: The most bytes an archive may unpack to.
MAX_UNPACKED_BYTES = 4 << 30
#: The most members an archive may have.
MAX_MEMBERS = 100_000
_FILE_MODE = 0o644 << 16
_DIR_MODE = (0o40755 << 16) | 0x10


def _info(name: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.create_system = 3  # Unix, so that the permissions below are read as such
    info.external_attr = _DIR_MODE if name.endswith("/") else _FILE_MODE
    info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
    return info


def write_zip(path: Path, members: Iterable[tuple[str, bytes]], when: datetime = ZIP_EPOCH) -> None:
    """Write the archive ``path``: ``members`` (name, bytes) in that order, dated ``when``."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(_info(name, when), data, compresslevel=9)


def rewrite_zip(
    path: Path,
    when: datetime = ZIP_EPOCH,
    edit: Callable[[str, bytes], bytes] | None = None,
) -> None:
    """Rewrite the archive ``path`` with ``write_zip``'s fixed dates and modes.

    ``edit(name, data)`` may change a member's content on the way (None: unchanged).
    """
    with zipfile.ZipFile(path) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    if edit is not None:
        members = [(name, edit(name, data)) for name, data in members]
    write_zip(path, members, when)


def _member_path(name: str, archive: Path) -> PurePosixPath:
    p = PurePosixPath(name)
    if not name or name.startswith(("/", "\\")) or "\\" in name or ".." in p.parts:
        raise UnusableInput(f"{archive}: member {name!r} would be written outside the folder")
    if ":" in p.parts[0] or "\x00" in name:
        raise UnusableInput(f"{archive}: member {name!r} is not a relative path")
    return p


def extract_zip(archive: Path, folder: Path, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Unpack ``archive`` into ``folder``; UnusableInput for an unsafe or oversized archive."""
    try:
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise UnusableInput(f"{archive}: more than {MAX_MEMBERS} members")
            total = 0
            for info in infos:
                rel = _member_path(info.filename, archive)
                mode = info.external_attr >> 16
                if info.create_system == 3 and (mode & 0o170000) == 0o120000:
                    raise UnusableInput(f"{archive}: member {info.filename!r} is a link")
                target = folder.joinpath(*rel.parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise UnusableInput(f"{archive}: unpacks to more than {limit} bytes")
                        dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnusableInput(f"{archive}: not a readable zip archive ({exc})") from None
