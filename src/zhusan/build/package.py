"""Internal: every file `zhusan schema` generates.

schema/, datapackage.json, the generated tables, dataset/json/, docs, README blocks, CITATION.cff.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from zhusan.build.blocks import BLOCK, render_blocks
from zhusan.build.citation import CFF_FILE, citation_cff
from zhusan.build.dictionary import data_dictionary
from zhusan.engines.reference import read_table
from zhusan.files.descriptor import (
    DESCRIPTOR,
    MAX_DESCRIPTOR_BYTES,
    UnusableInput,
    dump_json,
    read_descriptor,
    version,
)
from zhusan.files.lines import MAX_RECORD, longest_line
from zhusan.files.links import unsafe
from zhusan.files.output import write_atomic
from zhusan.files.paths import read_limited
from zhusan.model.cells import read_csv
from zhusan.model.dataset import Dataset
from zhusan.model.published import DERIVED, PUBLISHED, table_csv
from zhusan.model.report import Problem, report_schema
from zhusan.model.tables import TABLES, Figure
from zhusan.model.tableschema import table_schema
from zhusan.model.text import printable
from zhusan.outputs.export import json_files

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
#: What a descriptor says that the package's files and the models give: rewritten on refresh.
DERIVED_KEYS = ("sources", "resources")


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


def require_tables(root: Path, paths: dict[str, Path] | None = None) -> None:
    """UnusableInput naming the first table of the schema whose CSV is missing or unsafe.

    ``paths`` maps tables to their files (default ``dataset/NAME.csv`` under ``root``). A link
    that leaves the package, a device or a FIFO is named as such (``files.links.unsafe``), not
    as missing, and never opened.
    """
    for name in TABLES:
        path = (paths or {}).get(name, root / "dataset" / f"{name}.csv")
        why = unsafe(root, path) if os.path.lexists(path) else None
        if why is not None:
            raise UnusableInput(f"{printable(str(path))}: {why}")
        if not path.is_file():
            raise UnusableInput(
                f"{printable(str(path))}: no such file: a package needs every table of the "
                "schema, each with at least its header row (`zhusan init` writes them all)"
            )


def sources_metadata(sources_csv: bytes) -> list[dict[str, str]]:
    """The descriptor's ``sources``: title and path of every archived document."""
    rows = list(read_csv(sources_csv.decode("utf-8-sig")))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    out = []
    for rec in body:
        row = dict(zip(header, rec, strict=False))
        out.append({"title": row.get("title", ""), "path": row.get("path", "")})
    return out


def table_descriptions() -> dict[str, str]:
    """Each table of the package (the schema's, then the derived ones) with its description."""
    return {t.name: t.description for t in PUBLISHED.values()}


def resource_entry(name: str, data: bytes) -> dict[str, Any]:
    """The descriptor entry of table ``name`` whose CSV holds ``data``."""
    return {
        "name": name,
        "type": "table",
        "path": f"dataset/{name}.csv",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": table_descriptions()[name],
        "schema": f"schema/{name}.json",
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }


def _existing(root: Path) -> dict[str, Any]:
    path = root / DESCRIPTOR
    return read_descriptor(path) if path.is_file() else {}


def descriptor_for(
    root: Path, derived: dict[str, bytes] | None = None, release: str | None = None
) -> dict[str, Any]:
    """The datapackage.json the models and the CSVs under ``root`` imply.

    What the package says of itself (name, title, description, version, licences,
    contributors, homepage, keywords and any other key) is kept from the descriptor on disk;
    ``sources`` and every table's resource are generated, a resource keeping its own
    ``licenses``. ``release`` sets ``version`` (the maintainers' generator passes the
    library's). ``derived`` gives the content of generated tables (estimates,
    figures_flat) when it is not on disk yet.
    """
    derived = derived or {}
    existing = _existing(root)
    listed = existing.get("resources")
    kept = {
        r.get("name"): r
        for r in (listed if isinstance(listed, list) else [])
        if isinstance(r, dict)
    }
    resources_ = []
    for name in table_descriptions():
        data = derived.get(name) or read_package_file(root, f"dataset/{name}.csv")
        entry = resource_entry(name, data)
        if "licenses" in kept.get(name, {}):
            entry["licenses"] = kept[name]["licenses"]
        resources_.append(entry)
    meta = {k: v for k, v in existing.items() if k not in DERIVED_KEYS}
    meta.setdefault("$schema", PACKAGE_PROFILE)
    if release is not None:
        meta["version"] = release
    sources = sources_metadata(read_package_file(root, "dataset/sources.csv"))
    return {**meta, "sources": sources, "resources": resources_}


def figures_of(path: Path) -> list[Figure]:
    """The valid figures of a figures CSV, read by the reference engine."""
    problems: list[Problem] = []
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    models = read_table("figures", text, problems).models.values()
    return [f for f in models if isinstance(f, Figure)]


def generated_files(root: Path) -> dict[Path, bytes]:
    """Every file ``zhusan schema`` writes, with its content."""
    require_tables(root)
    if not (root / DESCRIPTOR).is_file():
        raise UnusableInput(f"{root / DESCRIPTOR}: no such file")
    files = {
        root / "schema" / f"{t.name}.json": dump_json(table_schema(t)) for t in PUBLISHED.values()
    }
    data = _dataset_from_csvs(root)
    derived = {name: table_csv(name, data) for name in DERIVED}
    for name, content in derived.items():
        files[root / "dataset" / f"{name}.csv"] = content
    descriptor = descriptor_for(root, derived, version())
    files[root / DESCRIPTOR] = dump_json(descriptor)

    files[root / "schema" / "validation-report.schema.json"] = dump_json(report_schema())

    for name, content in json_files(data).items():
        folder = "schema" if name.endswith(".schema.json") else "dataset"
        files[root / folder / "json" / name] = content
    readme = root / "README.md"
    if readme.is_file():  # the source tree, not an installed wheel
        dictionary = data_dictionary(data=data).encode("utf-8")
        files[root / "docs" / "data-dictionary.md"] = dictionary

        for doc in [readme, *sorted((root / "docs").glob("*.md"))]:
            text = read_package_file(root, str(doc.relative_to(root)), MAX_DESCRIPTOR_BYTES).decode(
                "utf-8"
            )
            if BLOCK.search(text):
                files[doc] = render_blocks(data, text).encode("utf-8")
        files[root / CFF_FILE] = citation_cff(descriptor).encode("utf-8")
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
