"""Internal: the public entry points, each a few lines over the layers below.

``load`` a package into models, ``validate`` one into a report, list its ``conflicts`` and
``estimates``. ``zhusan/__init__.py`` re-exports them; the CLI calls them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhusan.checks.conflicts import conflict_list
from zhusan.checks.package import load_dataset, validate_package
from zhusan.engines.duck import MEMORY_LIMIT
from zhusan.engines.frame import Engine
from zhusan.files.descriptor import resolve
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
from zhusan.model.estimates import estimates as _estimates
from zhusan.model.report import MAX_PER_CODE, Report
from zhusan.outputs.export import export as _export
from zhusan.site.pages import write_site

PathArg = str | os.PathLike[str] | None


def validate(
    path: PathArg = None,
    engine: Engine = "fast",
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_per_code: int | None = MAX_PER_CODE,
    memory_limit: str = MEMORY_LIMIT,
) -> Report:
    """Validate the bundled package (``path`` None) or the one at ``path`` (folder or descriptor).

    ``engine`` "fast" checks whole columns at once; "pydantic" validates every row with its
    model; "duckdb" reads the tables into DuckDB, within ``memory_limit`` ("300MB", "2GB"),
    spilling to a temporary folder past it, and runs the checks as SQL (it needs the
    ``duckdb`` extra; without it, ``ImportError``). All three find the same problems.
    ``progress(table, rows, fraction)`` is called as rows are read (``fraction``: the share of
    the table's file read so far).

    Resources at http(s) URLs are fetched only with ``allow_remote``. Of each code in each
    table, the report keeps the first ``max_per_code`` problems (None: all) and counts the
    rest, so memory stays bounded however many cells are wrong.
    Raises ``UnusableInput`` when the package cannot be read.
    """
    return validate_package(
        resolve(path), engine, progress, allow_remote, max_per_code, memory_limit
    )


def load(path: PathArg = None) -> Dataset:
    """Load the bundled package (``path`` None) or the one at ``path`` into models.

    Raises ``InvalidPackage`` when any row or file does not match the schema.
    """
    return load_dataset(resolve(path))


def conflicts(path: PathArg | Dataset = None) -> list[dict[str, Any]]:
    """Every consistency finding with its explanation, most important topic first.

    ``path`` is a package (None: the bundled one) or a ``Dataset`` already loaded.
    A finding's topic is that of its first figure (the whole, or the combined group).
    Topics: returned people, children, women, women and children, men, prosecutions, other.
    ``explanation`` is None for a finding that no discrepancies row explains.
    """
    return conflict_list(path if isinstance(path, Dataset) else load(path))


def estimates(path: PathArg | Dataset = None) -> list[Estimate]:
    """For each count of people and each year, the low-high envelope across sources."""
    return _estimates((path if isinstance(path, Dataset) else load(path)).figures)


def site(out: str | os.PathLike[str], path: PathArg = None) -> list[Path]:
    """Write the report site of the package at ``path`` (None: bundled) into the folder ``out``.

    The package is read once. Returns the files written.
    """
    descriptor = resolve(path)
    return write_site(out, load_dataset(descriptor), descriptor.parent)


def export(fmt: str, out: str | os.PathLike[str], path: PathArg | Dataset = None) -> list[Path]:
    """Write every table of a package (None: bundled) in format ``fmt`` into the folder ``out``.

    ``fmt`` is json, jsonl, parquet, sqlite or xlsx. Nothing in ``out`` changes unless every
    file was written. Returns the files written.
    """
    return _export(path if isinstance(path, Dataset) else load(path), fmt, out)
