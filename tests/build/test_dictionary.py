"""The data dictionary names every table and field, its vocabulary and an example from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

import zhusan
from tests.conftest import edit_cell, refresh_hashes
from zhusan.build.dictionary import data_dictionary
from zhusan.model.tables import TABLES
from zhusan.outputs.columns import table_columns

DATA = zhusan.load()
TEXT = data_dictionary()


def section(name: str) -> str:
    """The part of the dictionary about one table."""
    start = TEXT.index(f"\n## {name}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start : end if end != -1 else len(TEXT)]


def field_row(table: str, field: str) -> str:
    """The Markdown table row of one field."""
    rows = [line for line in section(table).splitlines() if line.startswith(f"| `{field}` |")]
    assert len(rows) == 1, f"{table}.{field} has {len(rows)} rows"
    return rows[0]


def test_every_table_appears_in_order_with_its_keys() -> None:
    """Every table has a section, in TABLES order, with its description and keys."""
    starts = [TEXT.index(f"\n## {name}\n") for name in TABLES]
    assert starts == sorted(starts)
    for name, spec in TABLES.items():
        text = section(name)
        assert spec.description in text
        assert f"- Primary key: `{spec.primary_key}`" in text
        assert f"- Rows: {len(getattr(DATA, name))}" in text
        for fk in spec.foreign_keys:
            assert f"`{fk.field}` → `{fk.table}.{fk.ref}`" in text


def test_every_field_appears_with_its_description() -> None:
    """Every field of every model has one row with its description and requiredness."""
    for name, spec in TABLES.items():
        for col in table_columns(name):
            row = field_row(name, col.name)
            assert " ".join(col.description.split()) in row
            assert spec.model.model_fields[col.name].description == col.description
            assert ("| yes |" in row) == (col.required and not col.nullable)


def test_enum_values_are_listed() -> None:
    """Every vocabulary field lists each of its allowed values."""
    for name in TABLES:
        for col in table_columns(name):
            if col.enum:
                row = field_row(name, col.name)
                assert all(f"`{value}`" in row for value in col.enum)
    assert "`degrees_celsius`" in field_row("figures", "unit")


def test_constraints_are_listed() -> None:
    """Patterns, lengths, minimums and partial dates are shown."""
    assert "pattern `^[a-z0-9]+(?:-[a-z0-9]+)*$`" in field_row("figures", "figure_id")
    assert "max length 120" in field_row("figures", "figure_id")
    assert "minimum 0" in field_row("figures", "value")
    assert "partial date" in field_row("figures", "as_of")
    assert "list of strings" in field_row("people", "aliases")


def test_examples_come_from_the_data() -> None:
    """A field's example is its first non-empty value in the bundled data."""
    first = DATA.sources[0]
    assert field_row("sources", "source_id").endswith(f"| `{first.source_id}` |")
    assert field_row("sources", "kind").endswith(f"| `{first.kind}` |")
    first_speaker = next(f.speaker_id for f in DATA.figures if f.speaker_id)
    assert field_row("figures", "speaker_id").endswith(f"| `{first_speaker}` |")


def test_output_is_deterministic() -> None:
    """Two runs give the same text, with no timestamp."""
    assert data_dictionary() == TEXT
    assert "generated on" not in TEXT.lower()


def test_example_follows_an_edited_package(pkg: Path) -> None:
    """An edited first row changes the example of the dictionary of that package."""
    first = DATA.organizations[0].organization_id
    edit_cell(pkg, "organizations", first, "note", "An edited note.")
    refresh_hashes(pkg)
    assert "| `An edited note.` |" in data_dictionary(pkg)


def test_invalid_package_is_refused(pkg: Path) -> None:
    """A package with a value outside a vocabulary raises InvalidPackage, not a dictionary."""
    edit_cell(pkg, "figures", DATA.figures[0].figure_id, "unit", "furlongs")
    refresh_hashes(pkg)
    with pytest.raises(zhusan.InvalidPackage):
        data_dictionary(pkg)
