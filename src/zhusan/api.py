"""Internal: the public entry points, each a few lines over the layers below.

``load`` a package into models, ``validate`` one into a report, list its ``conflicts`` and
``estimates`` and its ``tables``; ``diff`` two packages; write a ``release``.
``zhusan/__init__.py`` re-exports them; the CLI calls them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhusan.build.author import AddedSource, Refreshed, add_source_row, init_package
from zhusan.build.author import refresh_package as _refresh
from zhusan.build.release import write_release
from zhusan.checks.conflicts import conflict_list
from zhusan.checks.diff import diff_packages
from zhusan.checks.package import load_dataset, validate_and_load, validate_package
from zhusan.engines.duck import MEMORY_LIMIT
from zhusan.engines.frame import Engine
from zhusan.files.descriptor import read_descriptor, resolve
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
from zhusan.model.published import PUBLISHED
from zhusan.model.report import MAX_PER_CODE, Report
from zhusan.outputs.export import export as _export
from zhusan.web.pages import write_site

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
    """For each count of people and each year, the low-high envelope across sources.

    Rows of the same thing are linked in time order (``previous_estimate_id``: growth), each
    row's range is disagreement at one time, and the range from independent sources only is
    given beside it. They are the rows of the package's derived ``estimates`` table, which
    ``validate`` holds to the figures.
    """
    return list((path if isinstance(path, Dataset) else load(path)).estimates)


def site(
    out: str | os.PathLike[str],
    path: PathArg = None,
    release: PathArg = None,
    data: Dataset | None = None,
) -> list[Path]:
    """Write the report site of the package at ``path`` (None: bundled) into the folder ``out``.

    The package is read once (not at all when its ``data`` is given). Its texts (title,
    description, licences) come from its datapackage.json. With ``release`` (a folder
    ``zhusan release`` wrote), the site gets a Downloads page with every file of it, copied
    into the site, with its size and SHA-256. Returns the files written.
    ``out`` is replaced in one rename (``files.output.write_folder``);
    ``files.output.OutputError`` (an OSError) when it cannot be: a file, a folder holding
    files zhusan did not write, no space, no permission.
    """
    descriptor = resolve(path)
    data = data if data is not None else load_dataset(descriptor)
    folder = None if release is None else Path(release)
    return write_site(out, data, descriptor.parent, read_descriptor(descriptor), folder)


def export(fmt: str, out: str | os.PathLike[str], path: PathArg | Dataset = None) -> list[Path]:
    """Write every table of a package (None: bundled) in format ``fmt`` into the folder ``out``.

    ``fmt`` is json, jsonl, parquet, sqlite or xlsx. Every table ``tables()`` lists is written,
    the generated ones included. Nothing in ``out`` changes unless every file was written.
    Returns the files written.
    """
    return _export(path if isinstance(path, Dataset) else load(path), fmt, out)


def tables() -> list[str]:
    """The names of the tables, in the order of datapackage.json, generated ones included.

    Each is a name ``to_pandas``, ``to_polars``, ``to_arrow`` and the exports know.
    """
    return list(PUBLISHED)


def diff(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> dict[str, Any]:
    """What changed from the package ``old`` to ``new``, by primary key, as plain JSON.

    Each is a package folder, its datapackage.json, a release zip or a release folder. Tables
    and fields added and removed, rows added, removed and changed (each changed cell with its
    ``before`` and ``after``), the disagreements that appear or go, and a ``summary`` by source.
    ``identical`` is True when nothing differs. Raises ``UnusableInput`` when one cannot be read.
    """
    return diff_packages(Path(old), Path(new))


def release(
    out: str | os.PathLike[str], path: PathArg = None, date: dt.date | None = None
) -> list[Path]:
    """Write a versioned release of the package at ``path`` (None: bundled) into ``out``.

    The package archive, Parquet, SQLite with its Datasette metadata, xlsx, CITATION.cff,
    .zenodo.json and SHA256SUMS, named and versioned from datapackage.json; ``date`` (default
    today) is the release date and the only date written, so rebuilding gives the same bytes.
    Raises ``InvalidPackage`` when the package is invalid. Returns the files written.
    """
    return write_release(resolve(path), out, date or dt.date.today())


def checked(path: PathArg = None) -> tuple[Report, Dataset | None]:
    """The report of the package at ``path`` and, when every row is readable, its dataset.

    One read of the package, for writing outputs only from what was checked. The dataset is
    None when a row, a file or a derived table is wrong.
    """
    return validate_and_load(resolve(path))


def init(
    folder: str | os.PathLike[str],
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> list[Path]:
    """Write a new, valid, empty package on the schema into ``folder`` (missing or empty).

    Every table with its header, Table Schemas, datapackage.json with ``name`` and ``title``,
    an empty ``seeds/`` and a README stub. Returns the files written.
    """
    return init_package(Path(folder), name, title, description)


def add_source(
    path: str | os.PathLike[str],
    document: str | os.PathLike[str],
    source_id: str,
    **cells: str | None,
) -> AddedSource:
    """Archive ``document`` under the package's seeds/ and append its ``sources`` row.

    The sha256 is computed; ``cells`` gives the row's other cells (title, kind, published,
    url, publisher, authors, language, interest_note, ...). Refused (``UnusableInput``) for an
    id already used or a document already archived. The package's hashes are refreshed.
    """
    return add_source_row(Path(path), Path(document), source_id, **cells)


def refresh(path: str | os.PathLike[str]) -> Refreshed:
    """Rewrite what is derived in the package at ``path``, and nothing else.

    Resource hashes and byte counts, the descriptor's ``sources``, empty sha256 cells of new
    documents, the estimates and the Table Schemas. Never the package's name, title,
    description, version, contributors, licences, homepage or keywords, and never a sha256
    that is filled in.
    """
    return _refresh(Path(path))
