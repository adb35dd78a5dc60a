"""Internal: every file `zhusan schema` generates: schema/, datapackage.json, docs, README."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zhusan.build.dictionary import data_dictionary
from zhusan.build.readme import render_readme
from zhusan.engines.reference import read_table
from zhusan.files.descriptor import (
    DESCRIPTOR,
    MAX_DESCRIPTOR_BYTES,
    UnusableInput,
    dump_json,
    version,
)
from zhusan.files.lines import MAX_RECORD, longest_line
from zhusan.files.output import write_atomic
from zhusan.files.paths import read_limited
from zhusan.model.cells import read_csv
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate, estimates_csv
from zhusan.model.report import Problem, report_schema
from zhusan.model.tables import TABLES, Figure
from zhusan.model.tableschema import schema_of, table_schema
from zhusan.model.text import printable
from zhusan.outputs.export import json_files

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


#: The largest table ``zhusan schema`` reads (it holds every row of a table in memory).
MAX_TABLE_BYTES = 256 << 20


def read_package_file(root: Path, relative: str, limit: int = MAX_TABLE_BYTES) -> bytes:
    """A file of the package under ``root``, read with the limits ``validate`` applies.

    Refused (UnusableInput, exit 2) when it is reached through a link out of the folder, is a
    hard link or not a regular file (``files.links.unsafe``), is over ``limit`` bytes, or, for a
    CSV, has a line longer than ``MAX_RECORD``. ``schema --check`` never reads ``/dev/zero``.
    """
    path = root / relative
    data = read_limited(root, path, limit)
    if relative.endswith(".csv") and longest_line(data) > MAX_RECORD:
        raise UnusableInput(
            f"{printable(path)}: a line is longer than {MAX_RECORD} bytes: refused unread"
        )
    return data


def _text(root: Path, relative: str) -> str:
    try:
        return read_package_file(root, relative).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnusableInput(
            f"{printable(root / relative)}: not UTF-8 (run `zhusan validate` to find where)"
        ) from None


def _sources_metadata(root: Path) -> list[dict[str, str]]:

    rows = list(read_csv(_text(root, "dataset/sources.csv")))
    header, body = rows[0], rows[1:]
    out = []
    for rec in body:
        row = dict(zip(header, rec, strict=False))
        entry = {"title": row["title"], "path": row["path"]}
        out.append(entry)
    return out


def _derived_tables() -> dict[str, tuple[type[BaseModel], str, str]]:

    return {
        "estimates": (
            Estimate,
            "estimate_id",
            "Generated: per thing counted and year, the low-high envelope of what the sources "
            "say (zhusan schema).",
        )
    }


def descriptor_for(root: Path, derived: dict[str, bytes] | None = None) -> dict[str, Any]:
    """The datapackage.json the models and the CSVs under ``root`` imply.

    ``derived`` gives the content of generated tables (estimates) when it is not on disk yet.
    """
    derived = derived or {}
    tables = [(t.name, t.description) for t in TABLES.values()]
    tables += [(name, spec[2]) for name, spec in _derived_tables().items()]
    resources_ = []
    for name, description in tables:
        data = derived.get(name) or read_package_file(root, f"dataset/{name}.csv")
        resources_.append(
            {
                "name": name,
                "type": "table",
                "path": f"dataset/{name}.csv",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": description,
                "schema": f"schema/{name}.json",
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "licenses": [DATA_LICENSE],
            }
        )
    return {
        "$schema": PACKAGE_PROFILE,
        "name": "zhusan-data",
        "title": "Operation Zhusan: Kazakhstan's repatriation of citizens from Syria and Iraq",
        "description": (
            "Every figure, event, person, organisation and place that five archived documents "
            "state about Kazakhstan's Operation Zhusan (2019 onward), each with the verbatim quote "
            "it comes from, and every disagreement between the documents with its explanation."
        ),
        "version": version(),
        "homepage": "https://github.com/zhusan-data/zhusan-data",
        "licenses": [DATA_LICENSE],
        "contributors": [{"title": "zhusan-data contributors", "roles": ["creator"]}],
        "keywords": [
            "Kazakhstan",
            "Operation Zhusan",
            "repatriation",
            "Syria",
            "Iraq",
            "Islamic State",
            "returnees",
            "rehabilitation",
            "foreign fighters",
            "al-Hol",
        ],
        "sources": _sources_metadata(root),
        "resources": resources_,
    }


def generated_files(root: Path) -> dict[Path, bytes]:
    """Every file ``zhusan schema`` writes, with its content."""
    files = {
        root / "schema" / f"{t.name}.json": dump_json(table_schema(t)) for t in TABLES.values()
    }
    for name, (model, key, _) in _derived_tables().items():
        files[root / "schema" / f"{name}.json"] = dump_json(schema_of(model, key))
    problems: list[Problem] = []
    figures = read_table("figures", _text(root, "dataset/figures.csv"), problems).models.values()
    derived = {"estimates": estimates_csv(f for f in figures if isinstance(f, Figure))}
    files[root / "dataset" / "estimates.csv"] = derived["estimates"]
    files[root / DESCRIPTOR] = dump_json(descriptor_for(root, derived))

    files[root / "schema" / "validation-report.schema.json"] = dump_json(report_schema())
    data = _dataset_from_csvs(root)

    for name, content in json_files(data).items():
        folder = "schema" if name.endswith(".schema.json") else "dataset"
        files[root / folder / "json" / name] = content
    readme = root / "README.md"
    if readme.is_file():  # the source tree, not an installed wheel
        dictionary = data_dictionary(data=data).encode("utf-8")
        files[root / "docs" / "data-dictionary.md"] = dictionary
        text = read_package_file(root, "README.md", MAX_DESCRIPTOR_BYTES).decode("utf-8")
        files[readme] = render_readme(data, text).encode("utf-8")
    return files


def _dataset_from_csvs(root: Path) -> Dataset:
    """The valid rows of every table under ``root``, read without the descriptor's hashes."""
    problems: list[Problem] = []
    tables: dict[str, Any] = {}
    for name in TABLES:
        text = _text(root, f"dataset/{name}.csv")
        tables[name] = tuple(read_table(name, text, problems).models.values())
    return Dataset(**tables)


def drifted(root: Path) -> list[Path]:
    """Generated files whose content on disk differs from what ``zhusan schema`` would write.

    Each is read with ``read_package_file``'s limits, and no further than its expected size.
    """
    out = []
    for path, data in generated_files(root).items():
        if not path.is_file() or path.stat().st_size != len(data):  # differs: nothing to read
            out.append(path)
            continue
        relative = path.relative_to(root).as_posix()
        if read_package_file(root, relative, len(data)) != data:
            out.append(path)
    return out


def write_generated(root: Path, files: dict[Path, bytes]) -> None:
    """Write each generated file, each through a temporary file renamed over it.

    UnusableInput, before anything is written, when a file's folder leads out of ``root`` (a
    symbolic link in a package from elsewhere).
    """
    base = root.resolve()
    for path in files:
        if not path.parent.resolve().is_relative_to(base):
            raise UnusableInput(
                f"{printable(path)}: its folder leads outside the package folder: nothing written"
            )
    for path, data in files.items():
        write_atomic(path, data)
