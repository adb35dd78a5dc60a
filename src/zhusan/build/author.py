"""Internal: a package of one's own on the schema: ``init``, ``add_source`` and ``refresh``.

``init_package`` writes a new, valid, empty package. ``add_source`` archives a document under
``seeds/`` and appends its ``sources`` row with its sha256. ``refresh_package`` rewrites what is
derived and nothing else: each resource's ``hash`` and ``bytes``, the descriptor's
``sources`` list, the empty sha256 cells of new documents, the derived tables (estimates) and
the Table Schemas. What the package says of itself (name, title, description, version,
contributors, licences, homepage, keywords, every resource's own keys) is never changed, and a
sha256 that is filled in is never overwritten: a changed document stays an error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zhusan.build.package import (
    PACKAGE_PROFILE,
    figures_of,
    require_tables,
    resource_entry,
    sources_metadata,
    table_descriptions,
)
from zhusan.engines.reference import read_table
from zhusan.files.descriptor import DESCRIPTOR, UnusableInput, dump_json, read_descriptor
from zhusan.files.output import write_atomic
from zhusan.files.paths import is_file, resource_map, safe_resource_path
from zhusan.files.remote import is_remote
from zhusan.files.seeds import MAX_SOURCE_BYTES
from zhusan.model.cells import parse_cell, write_csv
from zhusan.model.dataset import Dataset
from zhusan.model.fields import SLUG_PATTERN
from zhusan.model.published import DERIVED, PUBLISHED, table_csv
from zhusan.model.report import Problem
from zhusan.model.tables import Figure, Source
from zhusan.model.tableschema import model_fields, table_schema

#: A package name as Data Package wants it: lowercase letters, digits, ``.``, ``_``, ``-``.
NAME_PATTERN = r"^[a-z0-9._-]+$"
#: Fields of a sources row that ``add_source`` may leave for the user to fill in.
TO_FILL = ("kind", "interest_note")
README = """# {title}

{description}

A data package on the [zhusan-data](https://github.com/zhusan-data/zhusan-data) schema: every
number a document states, with the quote it comes from, checked by `zhusan validate`.

- `zhusan add-source . FILE --id ID ...` archives a document under `seeds/`.
- Write its figures, events, people, organisations, places and mentions in `dataset/*.csv`.
- `zhusan refresh` recomputes what is derived (hashes, estimates); `zhusan validate` checks.

See the tutorial: docs/extending.md of zhusan-data.
"""


def _header(model: Any) -> list[str]:
    return [f["name"] for f in model_fields(model)]


def _schema(name: str) -> dict[str, Any]:
    return table_schema(PUBLISHED[name])


def _derived_inputs(figures: list[Figure], sources_csv: bytes) -> Dataset:
    """What the derived tables are computed from: the valid figures and sources."""
    problems: list[Problem] = []
    text = sources_csv.decode("utf-8-sig", errors="replace")
    sources = [m for m in read_table("sources", text, problems).models.values()]
    empty: tuple[Any, ...] = ()
    return Dataset(
        sources=tuple(s for s in sources if isinstance(s, Source)),
        organizations=empty, places=empty, people=empty, roles=empty, events=empty,
        figures=tuple(figures), figure_links=empty, definitions=empty, mentions=empty,
        discrepancies=empty,
    )  # fmt: skip


def init_package(
    folder: Path, name: str | None = None, title: str | None = None, description: str | None = None
) -> list[Path]:
    """A new, valid, empty package in ``folder`` (missing or empty); the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UnusableInput(f"{folder}: exists and is not an empty folder")
    name = name or re.sub(r"[^a-z0-9._-]+", "-", folder.resolve().name.lower()).strip("-")
    if not re.match(NAME_PATTERN, name or ""):
        raise UnusableInput(
            f"package name {name!r}: use lowercase letters, digits, '.', '_' and '-' (--name)"
        )
    files: dict[Path, bytes] = {}
    for table in table_descriptions():
        model = PUBLISHED[table].model
        files[folder / "dataset" / f"{table}.csv"] = write_csv(_header(model), [])
        files[folder / "schema" / f"{table}.json"] = dump_json(_schema(table))
    descriptor: dict[str, Any] = {"$schema": PACKAGE_PROFILE, "name": name, "title": title or name}
    if description:
        descriptor["description"] = description
    descriptor["version"] = "0.1.0"
    descriptor["sources"] = []
    descriptor["resources"] = [
        resource_entry(t, files[folder / "dataset" / f"{t}.csv"]) for t in table_descriptions()
    ]
    files[folder / DESCRIPTOR] = dump_json(descriptor)
    text = README.format(
        title=title or name, description=description or "What this package records: fill in."
    )
    files[folder / "README.md"] = text.encode("utf-8")
    try:
        (folder / "seeds").mkdir(parents=True, exist_ok=True)
        for path, data in files.items():
            write_atomic(path, data)
    except OSError as exc:
        raise UnusableInput(f"{folder}: cannot write the package ({exc.strerror})") from None
    return sorted(files)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file of the package."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table_path(root: Path, resources: dict[str, dict[str, Any]], name: str) -> Path:
    """Where table ``name`` is: its resource's path, or dataset/NAME.csv when none is listed."""
    res = resources.get(name)
    if res is None or is_remote(res.get("path")):
        return root / "dataset" / f"{name}.csv"
    return safe_resource_path(root, res.get("path"), name)


def _package(root: Path) -> tuple[Path, dict[str, Any], dict[str, dict[str, Any]]]:
    """The folder of a package (folder or descriptor given), its descriptor and resources."""
    descriptor_path = root / DESCRIPTOR if root.is_dir() or not root.suffix else root
    if not descriptor_path.is_file():
        raise UnusableInput(f"{descriptor_path}: no such file (`zhusan init` makes a package)")
    descriptor = read_descriptor(descriptor_path)
    return descriptor_path.parent, descriptor, resource_map(descriptor)


@dataclass
class AddedSource:
    """What ``add_source`` did: the row appended, the copy archived, fields left to fill."""

    row: int
    path: Path
    sha256: str
    to_fill: list[str] = field(default_factory=list)


def add_source_row(
    package: Path,
    document: Path,
    source_id: str,
    title: str | None = None,
    kind: str | None = None,
    published: str | None = None,
    url: str | None = None,
    **more: str | None,
) -> AddedSource:
    """Archive ``document`` under seeds/ and append its sources row (sha256 computed).

    ``more`` sets other cells of the row (publisher, authors, language, interest_note, ...).
    Refused (UnusableInput) for an id already used, a document already archived under another
    id, a seeds/ file of that name with other content, or a cell that breaks the model (kind
    and interest_note may stay empty: ``to_fill`` names them). The hashes are refreshed.
    """
    root, _, resources = _package(package)
    if not re.match(SLUG_PATTERN, source_id):
        raise UnusableInput(f"--id {source_id!r}: use lowercase letters, digits and '-'")
    if not is_file(document):
        raise UnusableInput(f"{document}: no such file")
    size = document.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise UnusableInput(f"{document}: {size} bytes, more than the {MAX_SOURCE_BYTES} read")
    data = document.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    sources_path = _table_path(root, resources, "sources")
    header, rows = _rows(sources_path)
    for number, row in enumerate(rows, start=2):
        if row.get("source_id") == source_id:
            raise UnusableInput(f"source id {source_id!r} is already in sources row {number}")
        known = row.get("sha256") or ""
        seed = root / row.get("path", "")
        if not known and row.get("path") and is_file(seed):
            known = _sha256(seed)
        if known == digest:
            raise UnusableInput(
                f"{document} is already archived as {row.get('source_id')!r} ({row.get('path')})"
            )
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", document.name).strip("-.") or f"{source_id}.txt"
    target = root / "seeds" / name
    if target.exists() and (not target.is_file() or _sha256(target) != digest):
        raise UnusableInput(f"{target} exists with other content: rename {document.name}")
    cells: dict[str, str | None] = {
        "source_id": source_id,
        "title": title or document.stem,
        "kind": kind,
        "published": published,
        "published_basis": "stated" if published else "unknown",
        "url": url,
        "path": f"seeds/{name}",
        "sha256": digest,
        "archived_as": document.name,
        "language": "en",
        "interest": "unknown",  # whom the document speaks for: party, agent_of_party, ...
    }
    cells |= {k: v for k, v in more.items() if v is not None}
    row = {h: cells.get(h) or "" for h in header}
    _refuse_broken(row, header)
    write_atomic(target, data)
    write_atomic(sources_path, _csv(header, [*rows, row]))
    refresh_package(root)
    missing = [f for f in TO_FILL if not row.get(f)]
    return AddedSource(len(rows) + 2, target, digest, missing)


def _refuse_broken(row: dict[str, str], header: list[str]) -> None:
    """UnusableInput for a new sources row whose cells break the model (bar those to fill)."""
    kinds = {f["name"]: f["type"] for f in model_fields(Source)}
    missing = [c for c in kinds if c not in header]
    if missing:
        raise UnusableInput(f"dataset/sources.csv: the header lacks {', '.join(missing)}")
    data = {k: parse_cell(v, kinds[k]) for k, v in row.items() if k in kinds}
    try:
        Source.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = str(err["loc"][0]) if err["loc"] else "row"
            if where not in TO_FILL:
                raise UnusableInput(f"sources field {where}: {err['msg']}") from None


@dataclass
class Refreshed:
    """What ``refresh_package`` wrote, and the documents whose sha256 it filled in."""

    written: list[Path]
    filled: list[str]


def refresh_package(package: Path) -> Refreshed:
    """Rewrite what is derived in the package at ``package``, and nothing else.

    UnusableInput when a table of the schema has no file (a partial package).
    """
    root, descriptor, resources = _package(package)
    paths = {name: _table_path(root, resources, name) for name in table_descriptions()}
    require_tables(root, paths)
    files: dict[Path, bytes] = {}
    header, rows = _rows(paths["sources"])
    filled = []
    base = root.resolve()
    for row in rows:
        seed = (base / (row.get("path") or "")).resolve()
        if row.get("sha256") or not row.get("path") or not seed.is_relative_to(base):
            continue
        if is_file(seed) and seed.stat().st_size <= MAX_SOURCE_BYTES:
            row["sha256"] = _sha256(seed)
            filled.append(row.get("source_id") or row["path"])
    if filled:
        files[paths["sources"]] = _csv(header, rows)
    sources_csv = files.get(paths["sources"]) or paths["sources"].read_bytes()
    inputs = _derived_inputs(figures_of(paths["figures"]), sources_csv)
    for name in DERIVED:
        files[paths[name]] = table_csv(name, inputs)
    for name in table_descriptions():
        schema = resources.get(name, {}).get("schema", f"schema/{name}.json")
        if isinstance(schema, str) and not is_remote(schema):
            target = safe_resource_path(root, schema, name)
            files[target] = dump_json(_schema(name))
    content = {p: files.get(p) for p in paths.values()}
    listed = descriptor.get("resources")
    updated = []
    for entry in listed if isinstance(listed, list) else []:
        res = dict(entry)
        key = res.get("name")
        path = paths.get(key) if isinstance(key, str) else None
        if path is None and not is_remote(res.get("path")) and isinstance(key, str):
            path = safe_resource_path(root, res.get("path"), key)
        if path is not None and (content.get(path) is not None or is_file(path)):
            data = content.get(path) or path.read_bytes()
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            res["bytes"] = len(data)
        updated.append(res)
    names = {r.get("name") for r in updated}
    for name in table_descriptions():
        if name not in names:
            data = content.get(paths[name]) or paths[name].read_bytes()
            updated.append(resource_entry(name, data))
    descriptor = {**descriptor, "sources": sources_metadata(sources_csv), "resources": updated}
    files[root / DESCRIPTOR] = dump_json(descriptor)
    written = []
    for path, data in files.items():
        if not path.is_file() or path.read_bytes() != data:
            write_atomic(path, data)
            written.append(path)
    return Refreshed(written, filled)
