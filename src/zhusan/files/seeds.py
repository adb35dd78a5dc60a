"""Internal: the archived documents under seeds/, read with a size limit and checked by sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import polars as pl

from zhusan.files.descriptor import is_bundled
from zhusan.files.links import open_checked, reason, unsafe
from zhusan.model.report import Problem
from zhusan.model.text import collapse

#: The largest archived source read (whole, into memory); a larger one is refused unread.
MAX_SOURCE_BYTES = 64 << 20


def read_seed(root: Path, relative: str, trusted: bool) -> bytes | tuple[str, str]:
    """The bytes of the archived document ``relative`` (under ``root``), or (code, why) not.

    It must lie inside the package folder, be a regular file and, unless ``trusted``, not be a
    hard link (``files.links.unsafe``), and have at most ``MAX_SOURCE_BYTES`` bytes.
    """
    path = root / relative
    why = unsafe(root, path, trusted)
    if why is not None:
        return "seed-missing", why
    try:
        with open_checked(root, path, trusted) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_SOURCE_BYTES:
                return "seed-too-large", (
                    f"has {size} bytes, more than the {MAX_SOURCE_BYTES} read: refused unread"
                )
            data = fh.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        return "seed-missing", "is missing"
    except OSError as exc:
        return "seed-missing", f"cannot be read ({reason(exc)})"
    if len(data) > MAX_SOURCE_BYTES:
        return "seed-too-large", "grew past the size limit while it was read: refused"
    return data


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[dict[str, str], list[Problem]]:
    """Collapsed text of every archived source whose sha256 matches; problems for the rest."""
    texts: dict[str, str] = {}
    problems = []
    trusted = is_bundled(root)
    for row in sources.filter(pl.col("_ok")).iter_rows(named=True):
        data = read_seed(root, row["path"], trusted)
        if isinstance(data, tuple):
            code, why = data
            problems.append(
                Problem(
                    code,
                    f"archived source {row['path']} {why}",
                    "sources",
                    row["_row"],
                    "path",
                    row["path"],
                )
            )
            continue
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            problems.append(
                Problem(
                    "seed-hash",
                    f"{row['path']} does not match its sha256 (the archived copy changed)",
                    "sources",
                    row["_row"],
                    "sha256",
                    row["sha256"],
                )
            )
            continue
        texts[row["source_id"]] = collapse(data.decode("utf-8", errors="replace"))
    return texts, problems
