"""What a descriptor says and zhusan does not read is reported; parent cycles; look-alike names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import zhusan
from tests.conftest import read_rows, refresh_hashes, write_rows
from zhusan.checks.descriptor import difference
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import table_schema


def _edit_descriptor(pkg: Path, edit: Any) -> None:
    path = pkg / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _messages(pkg: Path, code: str) -> list[str]:
    return [str(p) for p in zhusan.validate(pkg).problems if p.code == code]


def test_a_resource_named_twice_is_reported(pkg: Path) -> None:
    """The second 'figures' resource: duplicate-resource; the first is the one read."""
    _edit_descriptor(pkg, lambda d: d["resources"].append(dict(d["resources"][6], path="x.csv")))
    assert _messages(pkg, "duplicate-resource") == [
        "package: [duplicate-resource] resource 'figures' is named again at resources[13]: only "
        "the first (resources[6]) is read"
    ]
    assert not _messages(pkg, "missing-file")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hash", 17, "hash must be a string ('sha256:…'), not 17"),
        ("bytes", "4610", 'bytes must be a whole number of zero or more, not "4610"'),
        ("bytes", True, "bytes must be a whole number of zero or more, not true"),
        ("bytes", -1, "bytes must be a whole number of zero or more, not -1"),
        ("encoding", "latin-1", 'encoding "latin-1" is not read: every table is read as UTF-8'),
        ("format", "xlsx", 'format "xlsx" is not read: every table is read as CSV'),
        ("dialect", {"delimiter": ";"}, 'dialect delimiter ";" is not read'),
        ("dialect", {"header": False}, "dialect header false is not read"),
        ("dialect", "dialect.json", 'dialect "dialect.json" is not read'),
        ("schema", 5, "schema must be a path or an object, not 5"),
    ],
)
def test_a_descriptor_field_zhusan_does_not_read_is_reported(
    pkg: Path, key: str, value: object, message: str
) -> None:
    """Wrong types and values zhusan does not honour: descriptor-field, naming the table."""
    _edit_descriptor(pkg, lambda d: d["resources"][0].__setitem__(key, value))
    found = _messages(pkg, "descriptor-field")
    assert len(found) == 1 and found[0].startswith("dataset/sources.csv: [descriptor-field] ")
    assert message in found[0]


def test_default_dialect_and_encoding_are_accepted(pkg: Path) -> None:
    """A dialect and encoding that say what zhusan does anyway: nothing reported."""
    dialect = {"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\r\n"}
    _edit_descriptor(
        pkg, lambda d: d["resources"][0].update(dialect=dialect, encoding="UTF-8", format="CSV")
    )
    assert zhusan.validate(pkg).valid


def test_a_schema_that_differs_from_ours_is_reported(pkg: Path) -> None:
    """schema/figures.json with value typed as a string: resource-schema naming the field."""
    path = pkg / "schema" / "figures.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][6]["type"] = "string"
    schema["fields"][6]["description"] = "reworded, which does not matter"
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert _messages(pkg, "resource-schema") == [
        "dataset/figures.csv: [resource-schema] schema/figures.json differs from the zhusan "
        'schema of figures: field value has type "string", zhusan\'s "number"'
    ]


@pytest.mark.parametrize(
    ("schema", "why"),
    [
        ({"fields": []}, "it has 0 fields, zhusan's has"),
        ({"fields": "x"}, 'its fields are "x", not a list'),
        ("schema/missing.json", "cannot be read"),
        ("https://example.org/schema.json", "is remote: not fetched, so not compared"),
        ("../outside.json", "leaves the package folder"),
    ],
)
def test_a_schema_that_cannot_be_compared_is_reported(pkg: Path, schema: object, why: str) -> None:
    """An inline schema of other fields, a missing, remote or outside one: resource-schema."""
    _edit_descriptor(pkg, lambda d: d["resources"][2].__setitem__("schema", schema))
    found = _messages(pkg, "resource-schema")
    assert len(found) == 1 and why in found[0], found


def test_descriptions_and_titles_do_not_count_as_a_difference() -> None:
    """A schema reworded but reading the same: no difference."""
    ours = table_schema(TABLES["places"])
    theirs = json.loads(json.dumps(ours))
    theirs["title"] = "Places"
    for field in theirs["fields"]:
        field["description"] = "other words"
    theirs["primaryKey"] = "place_id"
    assert difference(theirs, ours) is None


def _set(pkg: Path, table: str, column: str, pairs: dict[str, str]) -> dict[str, int]:
    path = pkg / "dataset" / f"{table}.csv"
    rows = read_rows(path)
    pk = next(iter(rows[0]))
    at = {}
    for i, row in enumerate(rows):
        if row[pk] in pairs:
            row[column] = pairs[row[pk]]
            at[row[pk]] = i + 2
    write_rows(path, rows)
    return at


@pytest.mark.parametrize("table", ["places", "organizations", "events"])
def test_a_parent_cycle_is_reported_once_at_its_first_row(pkg: Path, table: str) -> None:
    """Three rows each inside the next, the last inside the first: one parent-cycle problem."""
    ids = [r[TABLES[table].primary_key] for r in read_rows(pkg / "dataset" / f"{table}.csv")][3:6]
    at = _set(pkg, table, "parent_id", dict(zip(ids, ids[1:] + ids[:1], strict=True)))
    refresh_hashes(pkg)
    chain = " -> ".join([*ids, ids[0]])
    assert _messages(pkg, "parent-cycle") == [
        f"dataset/{table}.csv row {at[ids[0]]} field parent_id: [parent-cycle] parent_id goes "
        f"round in a circle: {chain}"
    ]


@pytest.mark.parametrize(("table", "column"), [("places", "parent_id"), ("figures", "subset_of")])
def test_a_row_inside_itself_is_reported(pkg: Path, table: str, column: str) -> None:
    """A place its own parent, a figure a subset of itself: parent-cycle."""
    key = read_rows(pkg / "dataset" / f"{table}.csv")[4][TABLES[table].primary_key]
    at = _set(pkg, table, column, {key: key})
    refresh_hashes(pkg)
    assert _messages(pkg, "parent-cycle") == [
        f"dataset/{table}.csv row {at[key]} field {column}: [parent-cycle] {column} names the "
        f"row itself ({key!r})"
    ]


def test_a_long_cycle_is_shortened_in_its_message(pkg: Path) -> None:
    """A cycle through 20 places names the first 7 and its length."""
    ids = [r["place_id"] for r in read_rows(pkg / "dataset" / "places.csv")][:20]
    _set(pkg, "places", "parent_id", dict(zip(ids, ids[1:] + ids[:1], strict=True)))
    refresh_hashes(pkg)
    (message,) = _messages(pkg, "parent-cycle")
    assert "goes round in a circle (20 rows): " in message and message.count(" -> ") == 8


@pytest.mark.parametrize(
    "spelling",
    ["Ａｋｔａｕ", "Akt\u0430u", "Ak\u200btau", "AKTAU", "Aktau\ufe0f"],
)
def test_look_alike_spellings_of_a_name_are_one_name(pkg: Path, spelling: str) -> None:
    """A full-width, homoglyph, zero-width or cased spelling of 'Aktau' for another place."""
    _set(pkg, "places", "aliases", {"al-hol": spelling})
    refresh_hashes(pkg)
    found = _messages(pkg, "duplicate-name")
    assert len(found) == 1 and "also names 'aktau'" in found[0], found
    if not spelling.isascii():
        assert f"(written {spelling!a})" in found[0]
