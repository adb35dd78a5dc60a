"""Internal: every table of a package read by the engine asked for, checked block by block.

``read_tables`` chooses, per table, the fast engine, its ``csv``-module fallback or the
reference engine, and collects the file's hash and size problems on the way. What is checked
on each block beyond the row rules (the quotes, in practice) is given by the caller as
``check_block``; ``after_table`` is called with each table once it is read (the sources table
tells which archived documents the later tables' quotes are checked against).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from zhusan.engines.csvfallback import read_csv_rows
from zhusan.engines.fast import read_fast
from zhusan.engines.frame import DROPPED, BlockCheck, Engine, TableRows, empty_frame
from zhusan.engines.reference import read_records
from zhusan.files.blocks import Blocks
from zhusan.files.descriptor import UnusableInput
from zhusan.files.lines import MAX_RECORD, too_long
from zhusan.files.links import open_file, reason
from zhusan.files.paths import digest, digest_problems, hash_algorithm, is_file
from zhusan.files.remote import shown
from zhusan.model.report import Problem, Problems
from zhusan.model.tables import TABLES
from zhusan.model.text import printable


def read_tables(
    resources: dict[str, dict[str, Any]],
    paths: dict[str, Path],
    engine: Engine,
    keep_models: bool,
    progress: Callable[[str, int, float], None] | None,
    problems: Problems,
    check_block: BlockCheck,
    after_table: Callable[[TableRows], list[Problem]],
) -> dict[str, TableRows]:
    """Every table of ``TABLES``, in order; problems go to ``problems``."""
    tables: dict[str, TableRows] = {}
    for name in TABLES:
        table = absent_table(name, resources, paths, problems)
        if table is None:
            table = read_table_file(
                name, resources[name], paths[name], engine, keep_models, progress, problems,
                check_block,
            )  # fmt: skip
        tables[name] = table
        problems += after_table(table)
    return tables


def unreadable(name: str, resource: dict[str, Any], exc: OSError) -> UnusableInput:
    """The error of a table's file that cannot be read (permissions, I/O, a swapped link)."""
    where = printable(resource.get("path"))
    return UnusableInput(f"resource {name!r}: {where} cannot be read ({reason(exc)})")


def absent_table(
    name: str, resources: dict[str, dict[str, Any]], paths: dict[str, Path], problems: Problems
) -> TableRows | None:
    """An empty table, with its problem, when the descriptor or the disk lacks it; else None."""
    path = paths.get(name)
    if path is None:
        problems.append(Problem("missing-resource", f"the descriptor has no resource {name!r}"))
        return TableRows(name, empty_frame(name))
    if not is_file(path):
        problems.append(
            Problem("missing-file", f"{shown(resources[name]['path'])}: no such file", name)
        )
        return TableRows(name, empty_frame(name))
    return None


def read_table_file(
    name: str,
    resource: dict[str, Any],
    path: Path,
    engine: Engine,
    keep_models: bool,
    progress: Callable[[str, int, float], None] | None,
    problems: Problems,
    check_block: BlockCheck,
) -> TableRows:
    """One table's file read by ``engine`` (the fast one falls back per file); hash checked.

    A file that cannot be read is ``UnusableInput``.
    """
    try:
        return _read_table_file(
            name, resource, path, engine, keep_models, progress, problems, check_block
        )
    except OSError as exc:  # unreadable (permissions, I/O error, a file swapped for a link)
        raise unreadable(name, resource, exc) from None


def _read_table_file(
    name: str,
    resource: dict[str, Any],
    path: Path,
    engine: Engine,
    keep_models: bool,
    progress: Callable[[str, int, float], None] | None,
    problems: Problems,
    check_block: BlockCheck,
) -> TableRows:
    fast = engine != "pydantic" and not keep_models
    table, found = None, Problems(problems.limit)
    if fast:
        # One pass: the blocks pyarrow reads are hashed and checked on the way.
        blocks = Blocks(path, hash_algorithm(resource), MAX_RECORD)
        table = read_fast(name, path, found, check_block, progress, blocks)
        if table is not None:
            problems += (
                digest_problems(resource, blocks.hexdigest(), blocks.size, name)
                if blocks.done
                else digest(resource, path, name)
            )
    refused = None if table is not None else too_long(path, name)
    if refused is not None:
        problems += [*digest(resource, path, name), refused]
        return TableRows(name, empty_frame(name))
    if table is None:
        # The hash runs on a second thread while the table is parsed and checked.
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashed = pool.submit(digest, resource, path, name)
            found = Problems(problems.limit)
            if fast:
                table = read_csv_rows(name, path, found, check_block, progress)
            problems += hashed.result()
    if table is not None:
        problems += found
        return table
    with io.TextIOWrapper(
        open_file(path), encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as fh:
        table = read_records(name, fh, problems, keep_models)
    problems += check_block(name, table.frame)
    table.frame = table.frame.drop(
        [c for c in DROPPED if name != "sources" and c in table.frame.columns]
    )
    return table
