"""Internal: where a package lives, and its descriptor read with limits."""

from __future__ import annotations

import functools
import json
import math
import os
import re
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from zhusan.files.links import open_checked, reason, unsafe
from zhusan.model.text import printable

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


def _shown(path: object) -> str:
    return printable(path)


@functools.cache
def _bundled() -> Path | None:
    try:
        return bundled_root().resolve()
    except (UnusableInput, OSError):  # pragma: no cover - an installation without its data
        return None


def is_bundled(root: Path) -> bool:
    """``root`` is the package shipped with the library (trusted: it may hold hard links)."""
    try:
        return root.resolve() == _bundled()
    except (OSError, RuntimeError, ValueError):
        return False


def resolve(path: str | os.PathLike[str] | None) -> Path:
    """The datapackage.json for a folder, a descriptor path, or None (the bundled package).

    UnusableInput when there is none, or when the name cannot be used (too long, a loop of
    symbolic links, a folder that cannot be entered).
    """
    if path is None:
        return bundled_root() / DESCRIPTOR
    p = Path(path)
    try:
        if p.is_dir():
            p = p / DESCRIPTOR
        found = p.is_file()
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise UnusableInput(f"{_shown(p)}: cannot be read ({_shown(why)})") from None
    if not found:
        raise UnusableInput(f"{_shown(p)}: no such file")
    return p


#: The largest datapackage.json read (a descriptor of many thousand resources fits easily).
MAX_DESCRIPTOR_BYTES = 8 << 20
#: The most digits of an integer in a descriptor (a byte count needs at most 20).
MAX_INTEGER_DIGITS = 20

_STRING = r'"(?:[^"\\]|\\.)*"'


class _Refused(ValueError):
    """A JSON value the descriptor may not hold."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} (too large to be finite)")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} (not JSON: numbers must be finite)")


def _line_of(text: str, pattern: str) -> int | None:
    """The line of the first match of ``pattern`` outside JSON strings (None: none)."""
    for m in re.finditer(f"{_STRING}|({pattern})", text):
        if m.group(1):
            return text.count("\n", 0, m.start()) + 1
    return None


def parse_json(text: str) -> Any:
    """JSON as a descriptor may hold it, or ValueError saying what is refused and on what line.

    ``NaN``, ``Infinity``, numbers too large to be finite and integers of more than
    ``MAX_INTEGER_DIGITS`` digits are refused (Python's json module accepts them all, and an
    integer of 4,300 digits or more makes it raise a ValueError of its own).
    """
    try:
        return json.loads(text, parse_int=_integer, parse_float=_real, parse_constant=_constant)
    except _Refused as exc:
        pattern = (
            r"-?\b(?:NaN|Infinity)\b"
            if "not JSON" in str(exc)
            else rf"-?[0-9]{{{MAX_INTEGER_DIGITS + 1},}}"
            if "integer" in str(exc)
            else r"-?[0-9][0-9.eE+-]*"
        )
        line = _line_of(text, pattern)
        where = f"line {line}: " if line else ""
        raise ValueError(f"{where}{exc} is refused") from None


def read_descriptor(descriptor: Path) -> dict[str, Any]:
    """The parsed datapackage.json; UnusableInput if it is not a JSON object.

    Outside the bundled package the file must not be reached through a link out of its
    folder or be a hard link (``files.paths.unsafe``); numbers must be finite and integers of
    at most ``MAX_INTEGER_DIGITS`` digits.
    """
    shown = _shown(descriptor)
    trusted = is_bundled(descriptor.parent)
    why = unsafe(descriptor.parent, descriptor, trusted)
    if why is not None:
        raise UnusableInput(f"{shown}: {why}")
    try:
        with open_checked(descriptor.parent, descriptor, trusted) as fh:
            raw = fh.read(MAX_DESCRIPTOR_BYTES + 1)
        if len(raw) > MAX_DESCRIPTOR_BYTES:
            raise UnusableInput(
                f"{shown}: more than the {MAX_DESCRIPTOR_BYTES} bytes a descriptor may have"
            )
        data = parse_json(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnusableInput(f"{shown}: not valid UTF-8 JSON ({_shown(exc)})") from None
    except ValueError as exc:
        raise UnusableInput(f"{shown}: {_shown(exc)}") from None
    except OSError as exc:
        raise UnusableInput(f"{shown}: cannot be read ({reason(exc)})") from None
    if not isinstance(data, dict):
        raise UnusableInput(f"{shown}: the descriptor is not a JSON object")
    return data


def dump_json(data: Any) -> bytes:
    """JSON as the package writes it: two-space indent, UTF-8, final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
