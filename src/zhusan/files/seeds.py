"""Internal: the archived documents under seeds/, read with a size limit and checked by sha256."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from zhusan.files.descriptor import is_bundled
from zhusan.files.links import Folder, Unsafe, reason
from zhusan.model.report import Problem
from zhusan.model.text import collapse

#: The largest archived source read (whole, into memory); a larger one is refused unread.
MAX_SOURCE_BYTES = 64 << 20


def read_seed(folder: Folder, relative: str) -> bytes | tuple[str, str]:
    """The bytes of the archived document ``relative`` in ``folder``, or (code, why) not.

    It must lie inside the package folder, be a regular file and, unless the folder is
    trusted, not be a hard link (``files.links.unsafe``), and have at most
    ``MAX_SOURCE_BYTES`` bytes.
    """
    try:
        with folder.open(relative) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_SOURCE_BYTES:
                return "seed-too-large", (
                    f"has {size} bytes, more than the {MAX_SOURCE_BYTES} read: refused unread"
                )
            data = fh.read(MAX_SOURCE_BYTES + 1)
    except Unsafe as exc:
        return "seed-missing", str(exc.strerror)
    except FileNotFoundError:
        return "seed-missing", "is missing"
    except OSError as exc:
        return "seed-missing", f"cannot be read ({reason(exc)})"
    if len(data) > MAX_SOURCE_BYTES:
        return "seed-too-large", "grew past the size limit while it was read: refused"
    return data


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[dict[str, str], list[Problem]]:
    """Collapsed text of every archived source whose sha256 matches; problems for the rest."""
    problems: list[Problem] = []
    texts = dict(each_source_text(root, sources, problems))
    return texts, problems


def each_source_text(
    root: Path, sources: pl.DataFrame, problems: list[Problem]
) -> Iterator[tuple[str, str]]:
    """(source_id, collapsed text) of each archived source whose sha256 matches, one at a time.

    A problem for each of the others is appended to ``problems``; only one text is held here
    at a time.
    """
    with Folder(root, is_bundled(root)) as folder:
        for row in sources.filter(pl.col("_ok")).iter_rows(named=True):
            text = _seed_text(folder, row)
            if isinstance(text, Problem):
                problems.append(text)
            else:
                yield row["source_id"], text


def _seed_text(folder: Folder, row: dict[str, Any]) -> str | Problem:
    """The collapsed text of one sources row's archived document, or why it has none."""
    data = read_seed(folder, row["path"])
    if isinstance(data, tuple):
        code, why = data
        message = f"archived source {row['path']} {why}"
        return Problem(code, message, "sources", row["_row"], "path", row["path"])
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        message = f"{row['path']} does not match its sha256 (the archived copy changed)"
        return Problem("seed-hash", message, "sources", row["_row"], "sha256", row["sha256"])
    return collapse(data.decode("utf-8", errors="replace"))
