"""Internal: the public entry points, each a few lines over the layers below.

``load`` a package into models, ``validate`` one into a report, list its ``conflicts`` and
``estimates``. ``zhusan/__init__.py`` re-exports them; the CLI calls them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhusan.build.author import AddedSource, Refreshed, add_source_row, init_package
from zhusan.build.author import refresh_package as _refresh
from zhusan.checks.conflicts import conflict_list
from zhusan.checks.package import load_dataset, validate_and_load, validate_package
from zhusan.engines.frame import Engine
from zhusan.files.descriptor import read_descriptor, resolve
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
from zhusan.model.report import MAX_PER_CODE, Report
from zhusan.site.pages import write_site

PathArg = str | os.PathLike[str] | None


def validate(
    path: PathArg = None,
    engine: Engine = "fast",
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_per_code: int | None = MAX_PER_CODE,
) -> Report:
    """Validate the bundled package (``path`` None) or the one at ``path`` (folder or descriptor).

    ``engine`` "fast" checks whole columns at once; "pydantic" validates every row with its
    model. Both find the same problems. ``progress(table, rows, fraction)`` is called as rows
    are read (``fraction``: the share of the table's file read so far).

    Resources at http(s) URLs are fetched only with ``allow_remote``. Of each code in each
    table, the report keeps the first ``max_per_code`` problems (None: all) and counts the
    rest, so memory stays bounded however many cells are wrong.
    Raises ``UnusableInput`` when the package cannot be read.
    """
    return validate_package(resolve(path), engine, progress, allow_remote, max_per_code)


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

    The rows of the package's derived ``estimates`` table, which ``load`` holds to the figures.
    """
    return list((path if isinstance(path, Dataset) else load(path)).estimates)


def site(
    out: str | os.PathLike[str], path: PathArg = None, data: Dataset | None = None
) -> list[Path]:
    """Write the report site of the package at ``path`` (None: bundled) into the folder ``out``.

    The package is read once (not at all when its ``data`` is given). Its texts (title,
    description, licences) come from its datapackage.json. Returns the files written.
    """
    descriptor = resolve(path)
    data = data if data is not None else load_dataset(descriptor)
    return write_site(out, data, descriptor.parent, read_descriptor(descriptor))


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
