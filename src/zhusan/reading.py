"""Reading a package from disk into rows and models, collecting problems instead of failing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from zhusan.csvio import parse_cell, read_csv
from zhusan.models import TABLES
from zhusan.package import UnusableInput, read_descriptor
from zhusan.report import Problem
from zhusan.tableschema import model_fields


@dataclass
class TableRows:
    """One table as read: raw cells by row number, and the rows that made valid models."""

    name: str
    raw: dict[int, dict[str, str]] = field(default_factory=dict)
    models: dict[int, BaseModel] = field(default_factory=dict)


@dataclass
class Package:
    """A package as read from disk."""

    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, TableRows]
    problems: list[Problem]


def safe_resource_path(root: Path, value: object, name: str) -> Path:
    """The file a resource path names; UnusableInput for anything outside the package folder."""
    if not isinstance(value, str) or not value:
        raise UnusableInput(f"resource {name!r}: path must be a non-empty string")
    if "://" in value or value.startswith(("/", "\\")) or ":" in value.split("/")[0]:
        raise UnusableInput(f"resource {name!r}: path {value!r} is not a relative local path")
    if ".." in PurePosixPath(value).parts or "\\" in value:
        raise UnusableInput(f"resource {name!r}: path {value!r} leaves the package folder")
    target = (root / value).resolve()
    if not target.is_relative_to(root.resolve()):
        raise UnusableInput(f"resource {name!r}: path {value!r} points outside the package folder")
    return target


def _resource_map(descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise UnusableInput("datapackage.json: 'resources' must be a list")
    out = {}
    for res in resources:
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise UnusableInput("datapackage.json: every resource must be an object with a name")
        out[res["name"]] = res
    return out


def _check_hash(res: dict[str, Any], data: bytes, table: str, problems: list[Problem]) -> None:
    want = res.get("hash")
    if isinstance(want, str):
        algo, _, digest = want.rpartition(":")
        algo = algo or "md5"
        if algo not in ("md5", "sha1", "sha256", "sha512"):
            problems.append(Problem("resource-hash", f"unsupported hash algorithm {algo!r}", table))
        elif hashlib.new(algo, data).hexdigest() != digest.lower():
            problems.append(
                Problem(
                    "resource-hash",
                    f"{algo} of the file does not match the descriptor's hash",
                    table,
                )
            )
    size = res.get("bytes")
    if isinstance(size, int) and size != len(data):
        problems.append(
            Problem(
                "resource-bytes", f"file has {len(data)} bytes, the descriptor says {size}", table
            )
        )


def read_table(name: str, text: str, problems: list[Problem]) -> TableRows:
    """Parse one table's CSV text and validate every row against its model."""
    table = TABLES[name]
    kinds = {f["name"]: f["type"] for f in model_fields(table.model)}
    out = TableRows(name)
    records = read_csv(text)
    header = next(records, None)
    if header is None:
        problems.append(Problem("empty-file", "the file is empty (no header row)", name))
        return out
    missing = [k for k in kinds if k not in header]
    extra = [h for h in header if h not in kinds]
    dupes = {h for h in header if header.count(h) > 1}
    for f in missing:
        problems.append(Problem("missing-column", "column is missing from the header", name, 1, f))
    for f in extra:
        problems.append(Problem("extra-column", "column is not in the schema", name, 1, f))
    for f in sorted(dupes):
        problems.append(
            Problem("duplicate-column", "column appears twice in the header", name, 1, f)
        )
    if missing or dupes:
        return out
    for number, rec in enumerate(records, start=2):
        if len(rec) != len(header):
            problems.append(
                Problem(
                    "row-width",
                    f"row has {len(rec)} cells, the header has {len(header)}",
                    name,
                    number,
                )
            )
            continue
        cells = {h: v for h, v in zip(header, rec, strict=True) if h in kinds}
        out.raw[number] = cells
        data = {k: parse_cell(v, kinds[k]) for k, v in cells.items()}
        try:
            out.models[number] = table.model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = err["loc"][0] if err["loc"] else None
                fname = str(loc) if loc is not None else None
                code = "row-rule" if fname is None else "cell-error"
                problems.append(
                    Problem(
                        code, err["msg"], name, number, fname, cells.get(fname) if fname else None
                    )
                )
    return out


def read_package(descriptor_path: Path) -> Package:
    """Read the descriptor and every table; problems collected, UnusableInput raised."""
    descriptor = read_descriptor(descriptor_path)
    root = descriptor_path.parent
    resources = _resource_map(descriptor)
    problems: list[Problem] = []
    tables: dict[str, TableRows] = {}
    for name in TABLES:
        res = resources.get(name)
        if res is None:
            problems.append(Problem("missing-resource", f"the descriptor has no resource {name!r}"))
            tables[name] = TableRows(name)
            continue
        path = safe_resource_path(root, res.get("path"), name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem("missing-file", f"{res['path']}: {exc.strerror}", name))
            tables[name] = TableRows(name)
            continue
        _check_hash(res, data, name, problems)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem("encoding", f"not UTF-8 at byte {exc.start}", name))
            tables[name] = TableRows(name)
            continue
        tables[name] = read_table(name, text, problems)
    return Package(root, descriptor, tables, problems)
