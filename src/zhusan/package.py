"""Where the package lives, and the files generated from the models (schema/, datapackage.json)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zhusan.models import TABLES, Figure, Table
from zhusan.tableschema import model_fields

DESCRIPTOR = "datapackage.json"
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


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
    tree = Path(__file__).resolve().parents[2]
    if (tree / DESCRIPTOR).is_file():
        return tree
    raise UnusableInput("the bundled data package is missing from this installation")


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


def table_schema(table: Table) -> dict[str, Any]:
    """The Table Schema of one table, generated from its model."""
    schema = _schema(table.model, table.primary_key)
    fks = []
    for fk in table.foreign_keys:
        ref: dict[str, Any] = {"fields": [fk.ref]}
        ref["resource"] = "" if fk.table == table.name else fk.table
        fks.append({"fields": [fk.field], "reference": ref})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _schema(model: type[BaseModel], primary_key: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_PROFILE,
        "fields": model_fields(model),
        "missingValues": [""],
        "primaryKey": [primary_key],
    }


def dump_json(data: Any) -> bytes:
    """JSON as the package writes it: two-space indent, UTF-8, final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _sources_metadata(root: Path) -> list[dict[str, str]]:
    from zhusan.csvio import read_csv

    rows = list(read_csv((root / "dataset" / "sources.csv").read_text(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    out = []
    for rec in body:
        row = dict(zip(header, rec, strict=False))
        entry = {"title": row["title"], "path": row["path"]}
        out.append(entry)
    return out


def _derived_tables() -> dict[str, tuple[type[BaseModel], str, str]]:
    from zhusan.estimates import Estimate

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
        data = derived.get(name) or (root / "dataset" / f"{name}.csv").read_bytes()
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
    from zhusan.estimates import estimates_csv
    from zhusan.reading import read_table
    from zhusan.report import Problem

    files = {
        root / "schema" / f"{t.name}.json": dump_json(table_schema(t)) for t in TABLES.values()
    }
    for name, (model, key, _) in _derived_tables().items():
        files[root / "schema" / f"{name}.json"] = dump_json(_schema(model, key))
    problems: list[Problem] = []
    text = (root / "dataset" / "figures.csv").read_text(encoding="utf-8")
    figures = read_table("figures", text, problems).models.values()
    derived = {"estimates": estimates_csv(f for f in figures if isinstance(f, Figure))}
    files[root / "dataset" / "estimates.csv"] = derived["estimates"]
    files[root / DESCRIPTOR] = dump_json(descriptor_for(root, derived))
    from zhusan.report import report_schema

    files[root / "schema" / "validation-report.schema.json"] = dump_json(report_schema())
    data = _dataset_from_csvs(root)
    from zhusan.export import json_files

    for name, content in json_files(data).items():
        folder = "schema" if name.endswith(".schema.json") else "dataset"
        files[root / folder / "json" / name] = content
    readme = root / "README.md"
    if readme.is_file():  # the source tree, not an installed wheel
        from zhusan.dictionary import data_dictionary

        dictionary = data_dictionary(data=data).encode("utf-8")
        files[root / "docs" / "data-dictionary.md"] = dictionary
        from zhusan.docs import render_readme

        files[readme] = render_readme(data, readme.read_text(encoding="utf-8")).encode("utf-8")
    return files


def _dataset_from_csvs(root: Path) -> Any:
    """The valid rows of every table under ``root``, read without the descriptor's hashes."""
    from zhusan.api import Dataset
    from zhusan.reading import read_table
    from zhusan.report import Problem

    problems: list[Problem] = []
    tables: dict[str, Any] = {}
    for name in TABLES:
        text = (root / "dataset" / f"{name}.csv").read_text(encoding="utf-8")
        tables[name] = tuple(read_table(name, text, problems).models.values())
    return Dataset(**tables)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def drifted(root: Path) -> list[Path]:
    """Generated files whose content on disk differs from what ``zhusan schema`` would write."""
    out = []
    for path, data in generated_files(root).items():
        if not path.is_file() or path.read_bytes() != data:
            out.append(path)
    return out
