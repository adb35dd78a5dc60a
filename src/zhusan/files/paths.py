"""Internal: resource paths kept inside the package folder, and files against their hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

from zhusan.files.descriptor import UnusableInput, is_bundled
from zhusan.files.links import open_checked, open_file, reason, unsafe
from zhusan.model.report import Problem
from zhusan.model.text import printable


def read_limited(root: Path, path: Path, limit: int) -> bytes:
    """The bytes of a package file, refused (UnusableInput) when unsafe or over ``limit`` bytes."""
    trusted = is_bundled(root)
    why = unsafe(root, path, trusted)
    if why is not None:
        raise UnusableInput(f"{printable(path)}: {why}")
    try:
        with open_checked(root, path, trusted) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UnusableInput(f"{printable(path)}: cannot be read ({reason(exc)})") from None
    if len(data) > limit:
        raise UnusableInput(f"{printable(path)}: more than the {limit} bytes read: refused")
    return data


def safe_resource_path(root: Path, value: object, name: str) -> Path:
    """The file a resource path names; UnusableInput for anything outside the package folder.

    The path is resolved (symbolic links followed) and must stay inside ``root``; the file must
    pass ``unsafe`` (a regular file, not a hard link). A missing file is returned as it is.
    """
    if not isinstance(value, str) or not value:
        raise UnusableInput(f"resource {name!r}: path must be a non-empty string")
    if "://" in value or value.startswith(("/", "\\")) or ":" in value.split("/")[0]:
        raise UnusableInput(f"resource {name!r}: path {value!r} is not a relative local path")
    if ".." in PurePosixPath(value).parts or "\\" in value:
        raise UnusableInput(f"resource {name!r}: path {value!r} leaves the package folder")
    if "\x00" in value:
        raise UnusableInput(f"resource {name!r}: path {value!r} holds a NUL byte")
    try:
        target = (root / value).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise UnusableInput(
            f"resource {name!r}: path {value!r} cannot be resolved ({reason(exc)})"
        ) from None
    if not target.is_relative_to(root.resolve()):
        raise UnusableInput(f"resource {name!r}: path {value!r} points outside the package folder")
    why = unsafe(root, target, is_bundled(root))
    if why is not None:
        raise UnusableInput(f"resource {name!r}: path {value!r} {why}")
    return target


def is_file(path: Path) -> bool:
    """``path`` is a file; False also for a name the system refuses (too long, say)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resource_map(descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The descriptor's resources by name; UnusableInput when they are not a list of objects.

    A name given twice keeps its first resource (``checks.descriptor`` reports the others).
    """
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise UnusableInput("datapackage.json: 'resources' must be a list")
    out: dict[str, dict[str, Any]] = {}
    for res in resources:
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise UnusableInput("datapackage.json: every resource must be an object with a name")
        out.setdefault(res["name"], res)
    return out


def hash_algorithm(res: dict[str, Any]) -> str | None:
    """The algorithm of a resource's declared hash (md5 when it names none); None if none."""
    want = res.get("hash")
    if not isinstance(want, str):
        return None
    algo = want.rpartition(":")[0] or "md5"
    return algo if algo in ("md5", "sha1", "sha256", "sha512") else None


def digest_problems(
    res: dict[str, Any], hexdigest: str | None, size: int, table: str
) -> list[Problem]:
    """A file's hash (by ``hash_algorithm``) and byte count against its descriptor's."""
    out: list[Problem] = []
    want, declared = res.get("hash"), res.get("bytes")
    if isinstance(want, str):
        algo, _, digest = want.rpartition(":")
        if hash_algorithm(res) is None:
            out.append(Problem("resource-hash", f"unsupported hash algorithm {algo!r}", table))
        elif hexdigest != digest.lower():
            out.append(
                Problem(
                    "resource-hash",
                    f"{algo or 'md5'} of the file does not match the descriptor",
                    table,
                )
            )
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != size:
        out.append(
            Problem(
                "resource-bytes", f"file has {size} bytes, the descriptor says {declared}", table
            )
        )
    return out


def digest(res: dict[str, Any], path: Path, table: str) -> list[Problem]:
    """A resource against its descriptor's hash and byte count, in one pass over the file."""
    algo = hash_algorithm(res)
    h, n = (hashlib.new(algo) if algo else None), 0
    with open_file(path) as fh:
        while chunk := fh.read(1 << 20):
            if h is not None:
                h.update(chunk)
            n += len(chunk)
    return digest_problems(res, h.hexdigest() if h else None, n, table)
