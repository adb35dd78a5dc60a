"""Internal: what changed between two packages, table by table and row by row, by primary key.

``diff_packages(old, new)`` reads two packages (folders, descriptors, release archives or
release folders) and compares every table their descriptors list: tables added and removed,
fields added and removed, and rows added, removed and changed, each change cell by cell with
its value before and after. Rows are matched by the primary key of the table's schema (the
whole row where there is none); cells are compared as their schema types them, so ``595`` and
``595.0`` in a number field are the same. The result is plain JSON; ``diff_summary`` words it
for a reader, grouped by what a reader of this package cares about: figures changed per source,
sources added and removed, disagreements between sources that appear or go.

Tables are read as the CSV text says, without the models, so any Frictionless package with CSV
resources can be compared, and an invalid one too. The disagreements (``zhusan conflicts``)
are compared only when both packages load.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zhusan.checks.conflicts import conflict_list
from zhusan.checks.package import InvalidPackage, load_dataset
from zhusan.files.descriptor import DESCRIPTOR, UnusableInput, read_descriptor, resolve
from zhusan.files.paths import resource_map, safe_resource_path
from zhusan.files.remote import is_remote
from zhusan.files.zips import extract_zip
from zhusan.model.cells import read_csv
from zhusan.model.published import DERIVED

#: Top-level descriptor properties compared as metadata (resources are compared as tables).
_SKIP = {"resources"}


@dataclass
class _Table:
    name: str
    key: list[str]
    header: list[str]
    types: dict[str, str]
    rows: list[dict[str, str]]


def _package_in_zip(archive: Path) -> bool:
    try:
        with zipfile.ZipFile(archive) as z:
            return any(n == DESCRIPTOR or (n.count("/") == 1 and n.endswith("/" + DESCRIPTOR))
                       for n in z.namelist())  # fmt: skip
    except (zipfile.BadZipFile, OSError):
        return False


def _find_descriptor(folder: Path, where: Path) -> Path:
    found = [folder / DESCRIPTOR, *sorted(folder.glob(f"*/{DESCRIPTOR}"))]
    found = [p for p in found if p.is_file()]
    if len(found) != 1:
        raise UnusableInput(f"{where}: holds {len(found)} datapackage.json, not one")
    return found[0]


@contextlib.contextmanager
def opened(path: str | Path) -> Iterator[Path]:
    """The descriptor of the package at ``path``, unpacked first when it is an archive.

    ``path`` is a package folder, its datapackage.json, a zip holding a package (at its top
    or in one folder), or a release folder (``zhusan release``) holding one such zip.
    """
    p = Path(path)
    if p.is_dir() and not (p / DESCRIPTOR).is_file():
        zips = [z for z in sorted(p.glob("*.zip")) if _package_in_zip(z)]
        if len(zips) != 1:
            raise UnusableInput(f"{p}: no datapackage.json, and {len(zips)} zips holding one")
        p = zips[0]
    if p.is_file() and p.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="zhusan-diff-") as tmp:
            extract_zip(p, Path(tmp))
            yield _find_descriptor(Path(tmp), p)
        return
    yield resolve(p)


def _schema(root: Path, res: dict[str, Any]) -> dict[str, Any]:
    schema = res.get("schema")
    if isinstance(schema, str):
        path = safe_resource_path(root, schema, res["name"])
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnusableInput(f"{path}: not a readable Table Schema ({exc})") from None
        schema = loaded
    return schema if isinstance(schema, dict) else {}


def _is_table(res: dict[str, Any]) -> bool:
    path = res.get("path")
    return isinstance(path, str) and (
        res.get("format") == "csv" or path.lower().endswith(".csv") or res.get("type") == "table"
    )


def _read_table(root: Path, res: dict[str, Any]) -> _Table:
    name = res["name"]
    if is_remote(res.get("path")):
        raise UnusableInput(f"resource {name!r}: remote resources are not compared")
    path = safe_resource_path(root, res.get("path"), name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    records = read_csv(text)
    header = next(records, [])
    schema = _schema(root, res)
    types = {
        f["name"]: f.get("type", "string")
        for f in schema.get("fields", [])
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    }
    pk = schema.get("primaryKey") or []
    key = [pk] if isinstance(pk, str) else [k for k in pk if isinstance(k, str)]
    if not key or not set(key) <= set(header):
        key = list(header)
    rows = [dict(zip(header, rec + [""] * (len(header) - len(rec)), strict=False))
            for rec in records]  # fmt: skip
    return _Table(name, key, header, types, rows)


def _read_tables(descriptor: Path) -> tuple[dict[str, Any], dict[str, _Table]]:
    data = read_descriptor(descriptor)
    resources = resource_map(data)
    tables = {n: _read_table(descriptor.parent, r) for n, r in resources.items() if _is_table(r)}
    return data, tables


def _same(a: str, b: str, kind: str) -> bool:
    if a == b:
        return True
    if kind in ("number", "integer") and a and b:
        try:
            return Decimal(a) == Decimal(b)
        except InvalidOperation:
            return False
    if kind == "boolean":
        truth = {"true": "1", "1": "1", "false": "0", "0": "0"}
        return truth.get(a.lower(), a) == truth.get(b.lower(), b)
    return False


def _cell(text: str | None) -> str | None:
    return None if text in (None, "") else text


def _keyed(rows: list[dict[str, str]], key: list[str]) -> dict[tuple[str, ...], dict[str, str]]:
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for row in rows:
        k = tuple(row.get(f, "") for f in key)
        while k in out:  # a duplicate key: told apart by its occurrence
            k = (*k, "#")
        out[k] = row
    return out


def _match_key(old: _Table, new: _Table) -> list[str]:
    """The new table's key, else the old one's, else every field both have."""
    for key in (new.key, old.key):
        if set(key) <= set(old.header) and set(key) <= set(new.header):
            return key
    return [f for f in new.header if f in old.header]


def _entry(k: tuple[str, ...], key: list[str], row: dict[str, str]) -> dict[str, Any]:
    return {"key": dict(zip(key, k, strict=False)), "row": {f: _cell(v) for f, v in row.items()}}


def _compare(old: _Table, new: _Table) -> dict[str, Any]:
    key = _match_key(old, new)
    before, after = _keyed(old.rows, key), _keyed(new.rows, key)
    common = [f for f in new.header if f in old.header]
    types = old.types | new.types
    changed = []
    for k, row in after.items():
        if k in before:
            cells = [
                {"field": f, "before": _cell(before[k][f]), "after": _cell(row[f])}
                for f in common
                if not _same(before[k][f], row[f], types.get(f, "string"))
            ]
            if cells:
                changed.append({"key": dict(zip(key, k, strict=False)), "cells": cells})
    return {
        "key": key,
        "rows_before": len(before),
        "rows_after": len(after),
        "fields_added": [f for f in new.header if f not in old.header],
        "fields_removed": [f for f in old.header if f not in new.header],
        "added": [_entry(k, key, r) for k, r in after.items() if k not in before],
        "removed": [_entry(k, key, r) for k, r in before.items() if k not in after],
        "changed": changed,
    }


def _metadata(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    names = [*old, *(k for k in new if k not in old)]
    return [
        {"field": k, "before": old.get(k), "after": new.get(k)}
        for k in names
        if k not in _SKIP and old.get(k) != new.get(k)
    ]


def _findings(descriptor: Path) -> dict[str, dict[str, Any]] | None:
    try:
        return {c["finding_id"]: c for c in conflict_list(load_dataset(descriptor))}
    except (InvalidPackage, UnusableInput):
        return None


def _side(path: str | Path, data: dict[str, Any]) -> dict[str, Any]:
    return {"path": str(path), "name": data.get("name"), "version": data.get("version")}


def diff_packages(old: str | Path, new: str | Path) -> dict[str, Any]:
    """Every difference between the packages at ``old`` and ``new``, as plain JSON.

    Keys: ``old`` and ``new`` (path, name, version), ``identical``, ``metadata`` (descriptor
    properties that differ), ``tables_added``, ``tables_removed``, ``tables`` (per table that
    differs: its key, row counts, fields added and removed, rows ``added``, ``removed`` and
    ``changed`` with each cell's ``before`` and ``after``), ``findings`` (disagreements of the
    checks that appear or go, None when a package does not load) and ``summary``.
    Raises ``UnusableInput`` when a package cannot be read.
    """
    with opened(old) as old_descriptor, opened(new) as new_descriptor:
        old_meta, old_tables = _read_tables(old_descriptor)
        new_meta, new_tables = _read_tables(new_descriptor)
        old_found, new_found = _findings(old_descriptor), _findings(new_descriptor)
        sides = _side(old, old_meta), _side(new, new_meta)
    tables = {}
    for name, table in new_tables.items():
        if name in old_tables:
            result = _compare(old_tables[name], table)
            if any(result[k] for k in ("fields_added", "fields_removed", "added", "removed",
                                       "changed")):  # fmt: skip
                tables[name] = result
    findings = None
    if old_found is not None and new_found is not None:
        findings = {
            "added": [_finding(c) for k, c in new_found.items() if k not in old_found],
            "removed": [_finding(c) for k, c in old_found.items() if k not in new_found],
        }
    out: dict[str, Any] = {
        "old": sides[0],
        "new": sides[1],
        "identical": False,
        "metadata": _metadata(old_meta, new_meta),
        "tables_added": [n for n in new_tables if n not in old_tables],
        "tables_removed": [n for n in old_tables if n not in new_tables],
        "tables": tables,
        "findings": findings,
    }
    out["identical"] = not (
        out["metadata"] or out["tables_added"] or out["tables_removed"] or tables
        or (findings and (findings["added"] or findings["removed"]))
    )  # fmt: skip
    out["summary"] = _summary(out, old_tables, new_tables)
    return out


def _finding(c: dict[str, Any]) -> dict[str, Any]:
    e = c["explanation"]
    return {
        "finding_id": c["finding_id"],
        "rule": c["rule"],
        "topic": c["topic"],
        "message": c["message"],
        "figure_ids": [f["figure_id"] for f in c["figures"]],
        "explained_by": None if e is None else e["discrepancy_id"],
    }


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [" ".join(e["key"].values()) for e in entries]


def _summary(
    out: dict[str, Any], old_tables: dict[str, _Table], new_tables: dict[str, _Table]
) -> dict[str, Any]:
    """What a reader cares about: figures per source, sources, explanations, every table."""
    tables = out["tables"]
    by_source: dict[str, dict[str, list[str]]] = {}
    figures = tables.get("figures")
    if figures is not None:
        for what in ("added", "removed"):
            for e in figures[what]:
                source = e["row"].get("source_id") or "(none)"
                by_source.setdefault(source, {"added": [], "removed": [], "changed": []})
                by_source[source][what] += _ids([e])
        new_rows = _keyed(new_tables["figures"].rows, figures["key"])
        for e in figures["changed"]:
            row = new_rows.get(tuple(e["key"].values()), {})
            source = row.get("source_id") or "(none)"
            by_source.setdefault(source, {"added": [], "removed": [], "changed": []})
            by_source[source]["changed"] += _ids([e])
    sources = tables.get("sources", {})
    discrepancies = tables.get("discrepancies", {})
    titles = {
        r.get("source_id", ""): r.get("title", "")
        for t in (old_tables.get("sources"), new_tables.get("sources"))
        if t is not None
        for r in t.rows
    }
    return {
        "figures_by_source": by_source,
        "source_titles": {k: v for k, v in sorted(titles.items()) if k and v},
        "sources_added": _ids(sources.get("added", [])),
        "sources_removed": _ids(sources.get("removed", [])),
        "sources_changed": _ids(sources.get("changed", [])),
        "discrepancies_added": _ids(discrepancies.get("added", [])),
        "discrepancies_removed": _ids(discrepancies.get("removed", [])),
        "discrepancies_changed": _ids(discrepancies.get("changed", [])),
        "tables": {
            name: {
                "added": len(t["added"]),
                "removed": len(t["removed"]),
                "changed": len(t["changed"]),
                "generated": name in DERIVED,
            }
            for name, t in tables.items()
        },
        "rows_compared": sum(len(t.rows) for n, t in new_tables.items() if n in old_tables),
    }


# Words ------------------------------------------------------------------------------------------


#: The most characters of a cell the summary shows (the JSON holds all of it).
SHOWN = 120


def _v(value: Any) -> str:
    if value is None:
        return "(empty)"
    text = json.dumps(value, ensure_ascii=False)  # a string in quotes, anything else as JSON
    return text if len(text) <= SHOWN else text[: SHOWN - 2] + "…" + text[-1]


def _claim(row: dict[str, Any]) -> str:
    """A figure row in a few words: ``about 600 persons: returned · children, as of 2019``."""
    stated, qualifier = row.get("stated") or "?", row.get("qualifier")
    plain = row.get("value") is None or qualifier in (None, "exact")
    words = stated if plain else f"{str(qualifier).replace('_', ' ')} {stated}"
    what = " · ".join(
        str(row[k]).replace("_", " ") for k in ("measure", "group", "scope") if row.get(k)
    )
    unit = f" {row['unit']}" if row.get("unit") else ""
    return f"{words}{unit}: {what or 'not said'}, as of {row.get('as_of') or 'no date'}"


def _source_name(source_id: str, names: dict[str, str]) -> str:
    return f"{names[source_id]} (`{source_id}`)" if source_id in names else f"`{source_id}`"


def diff_summary(result: dict[str, Any]) -> str:
    """The diff of ``diff_packages`` in words, as Markdown (a CHANGELOG entry's data section)."""
    old, new = result["old"], result["new"]
    title = (
        f"{new.get('name') or 'package'} {old.get('version') or '?'} → {new.get('version') or '?'}"
    )
    s = result["summary"]
    if result["identical"]:
        return (
            f"## {title}: identical\n\nNo differences: the same tables, and the same "
            f"{s['rows_compared']:,} rows by primary key.\n"
        )
    names = s["source_titles"]
    lines = [f"## {title}", ""]
    tables = result["tables"]
    if s["figures_by_source"]:
        lines += ["### Figures, by source", ""]
        figures = tables["figures"]
        rows = {" ".join(e["key"].values()): e for w in ("added", "removed") for e in figures[w]}
        changed = {" ".join(e["key"].values()): e for e in figures["changed"]}
        for source, what in sorted(s["figures_by_source"].items()):
            counts = ", ".join(f"{len(v)} {k}" for k, v in what.items() if v)
            lines.append(f"- {_source_name(source, names)}: {counts}")
            for fid in what["changed"]:
                words = "; ".join(
                    f"{c['field']} {_v(c['before'])} → {_v(c['after'])}"
                    for c in changed[fid]["cells"]
                )
                lines.append(f"  - changed `{fid}`: {words}")
            for w in ("added", "removed"):
                lines += [f"  - {w} `{fid}`: {_claim(rows[fid]['row'])}" for fid in what[w]]
        lines.append("")
    for key, heading in (("sources_added", "New sources"), ("sources_removed", "Sources removed")):
        if s[key]:
            lines += [f"### {heading}", ""]
            lines += [f"- {_source_name(i, names)}" for i in s[key]]
            lines.append("")
    found = result.get("findings")
    if found and (found["added"] or found["removed"]):
        lines += ["### Disagreements between sources (zhusan conflicts)", ""]
        for c in found["added"]:
            why = f"explained by `{c['explained_by']}`" if c["explained_by"] else "unexplained"
            lines.append(f"- new `{c['finding_id']}` ({c['topic']}, {why}): {c['message']}")
        for c in found["removed"]:
            lines.append(f"- gone `{c['finding_id']}` ({c['topic']}): {c['message']}")
        lines.append("")
    d = [(k, s[f"discrepancies_{k}"]) for k in ("added", "removed", "changed")]
    if any(ids for _, ids in d):
        lines += ["### Explanations of disagreements (discrepancies)", ""]
        for k, ids in d:
            lines += [f"- {k} `{i}`" for i in ids]
        lines.append("")
    if result["metadata"]:
        lines += ["### Package metadata", ""]
        lines += [
            f"- {m['field']}: {_v(m['before'])} → {_v(m['after'])}" for m in result["metadata"]
        ]
        lines.append("")
    lines += ["### Every table that differs", ""]
    for name in result["tables_added"]:
        lines.append(f"- {name}: table added")
    for name in result["tables_removed"]:
        lines.append(f"- {name}: table removed")
    for name, t in tables.items():
        parts = [f"{len(t[k])} {k}" for k in ("added", "removed", "changed") if t[k]]
        parts += [f"field {f} added" for f in t["fields_added"]]
        parts += [f"field {f} removed" for f in t["fields_removed"]]
        generated = " (generated)" if name in DERIVED else ""
        lines.append(
            f"- {name}{generated}: {', '.join(parts)} ({t['rows_before']:,} → "
            f"{t['rows_after']:,} rows)"
        )
    return "\n".join(lines).rstrip() + "\n"
