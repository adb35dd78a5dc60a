"""Internal: the archived documents under seeds/, read with a size limit and checked by sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from zhusan.model.report import Problem
from zhusan.model.text import collapse

#: The largest archived source read (whole, into memory); a larger one is refused unread.
MAX_SOURCE_BYTES = 64 << 20


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[dict[str, str], list[Problem]]:
    """Collapsed text of every archived source whose sha256 matches; problems for the rest."""
    texts: dict[str, str] = {}
    problems = []
    base = root.resolve()
    for row in sources.filter(pl.col("_ok")).iter_rows(named=True):
        path = (base / row["path"]).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            problems.append(
                Problem(
                    "seed-missing",
                    f"archived source {row['path']} is missing",
                    "sources",
                    row["_row"],
                    "path",
                    row["path"],
                )
            )
            continue
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            problems.append(
                Problem(
                    "seed-too-large",
                    f"archived source {row['path']} has {size} bytes, more than the "
                    f"{MAX_SOURCE_BYTES} read: refused unread",
                    "sources",
                    row["_row"],
                    "path",
                    row["path"],
                )
            )
            continue
        data = path.read_bytes()
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
