"""Internal: where a package lives, and its descriptor read with limits."""

from __future__ import annotations

import json
import os
from importlib import metadata, resources
from pathlib import Path
from typing import Any

DESCRIPTOR = "datapackage.json"


class UnusableInput(Exception):
    """The package cannot be read at all (missing descriptor, unreadable JSON): exit code 2."""


def version() -> str:
    """The distribution's version, read from its installed metadata."""
    try:
        return metadata.version("zhusan-data")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "0+unknown"


def bundled_root() -> Path:
    """Folder of the package shipped with the library (inside the wheel, or the source tree)."""
    inside = Path(str(resources.files("zhusan"))) / "data"
    if (inside / DESCRIPTOR).is_file():
        return inside
    tree = Path(__file__).resolve().parents[3]
    if (tree / DESCRIPTOR).is_file():
        return tree
    raise UnusableInput("the bundled data package is missing from this installation")


def is_installed(root: Path) -> bool:
    """Whether ``root`` is a package installed with the library (site-packages), not a tree."""
    parts = root.resolve().parts
    inside = Path(str(resources.files("zhusan"))) / "data"
    return "site-packages" in parts or "dist-packages" in parts or root.resolve() == inside


def resolve(path: str | os.PathLike[str] | None) -> Path:
    """The datapackage.json for a folder, a descriptor path, or None (the bundled package)."""
    if path is None:
        return bundled_root() / DESCRIPTOR
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.is_file():
        raise UnusableInput(f"{p}: no such file")
    return p


#: The largest datapackage.json read (a descriptor of many thousand resources fits easily).
MAX_DESCRIPTOR_BYTES = 8 << 20


def read_descriptor(descriptor: Path) -> dict[str, Any]:
    """The parsed datapackage.json; UnusableInput if it is not a JSON object."""
    try:
        size = descriptor.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            raise UnusableInput(
                f"{descriptor}: {size} bytes, more than the {MAX_DESCRIPTOR_BYTES} a descriptor "
                "may have"
            )
        data = json.loads(descriptor.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnusableInput(f"{descriptor}: not valid UTF-8 JSON ({exc})") from None
    except OSError as exc:
        raise UnusableInput(f"{descriptor}: cannot be read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise UnusableInput(f"{descriptor}: the descriptor is not a JSON object")
    return data


def dump_json(data: Any) -> bytes:
    """JSON as the package writes it: two-space indent, UTF-8, final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
