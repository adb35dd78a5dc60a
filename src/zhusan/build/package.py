"""Internal: every file `zhusan schema` generates: schema/, datapackage.json, docs, README."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zhusan.build.blocks import BLOCK, render_blocks
from zhusan.build.dictionary import data_dictionary
from zhusan.engines.reference import read_table
from zhusan.files.descriptor import DESCRIPTOR, dump_json, version
from zhusan.model.cells import read_csv
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate, estimates_csv
from zhusan.model.report import Problem, report_schema
from zhusan.model.tables import TABLES, Figure, Source
from zhusan.model.tableschema import schema_of, table_schema
from zhusan.outputs.export import json_files

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


def _sources_metadata(root: Path) -> list[dict[str, str]]:

    rows = list(read_csv((root / "dataset" / "sources.csv").read_text(encoding="utf-8")))
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
            "Generated: per thing counted (by legal stage for the justice system) and time, the "
            "range of each source's latest figure, linked in time order, and the range from "
            "independent sources only (zhusan schema).",
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
    files = {
        root / "schema" / f"{t.name}.json": dump_json(table_schema(t)) for t in TABLES.values()
    }
    for name, (model, key, _) in _derived_tables().items():
        files[root / "schema" / f"{name}.json"] = dump_json(schema_of(model, key))
    problems: list[Problem] = []
    models = {
        name: read_table(
            name, (root / "dataset" / f"{name}.csv").read_text(encoding="utf-8"), problems
        ).models.values()
        for name in ("figures", "sources")
    }
    derived = {
        "estimates": estimates_csv(
            (f for f in models["figures"] if isinstance(f, Figure)),
            (s for s in models["sources"] if isinstance(s, Source)),
        )
    }
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

        for doc in [readme, *sorted((root / "docs").glob("*.md"))]:
            text = doc.read_text(encoding="utf-8")
            if BLOCK.search(text):
                files[doc] = render_blocks(data, text).encode("utf-8")
    return files


def _dataset_from_csvs(root: Path) -> Dataset:
    """The valid rows of every table under ``root``, read without the descriptor's hashes."""
    problems: list[Problem] = []
    tables: dict[str, Any] = {}
    for name in TABLES:
        text = (root / "dataset" / f"{name}.csv").read_text(encoding="utf-8")
        tables[name] = tuple(read_table(name, text, problems).models.values())
    return Dataset(**tables)


def drifted(root: Path) -> list[Path]:
    """Generated files whose content on disk differs from what ``zhusan schema`` would write."""
    out = []
    for path, data in generated_files(root).items():
        if not path.is_file() or path.read_bytes() != data:
            out.append(path)
    return out
