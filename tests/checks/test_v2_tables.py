"""The tables and references of model v2 are checked like the others."""

from __future__ import annotations

from pathlib import Path

import zhusan
from tests.conftest import edit_cell, refresh_hashes
from zhusan.build.dictionary import data_dictionary
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import table_schema
from zhusan.outputs.sqlite import create_table_sql


def _problems(pkg: Path, code: str) -> list[zhusan.Problem]:
    return [p for p in zhusan.validate(pkg).problems if p.code == code]


def test_a_definition_quote_not_in_its_document_fails(pkg: Path) -> None:
    """A definition's quote is checked against its document like every quote."""
    row = edit_cell(pkg, "definitions", "def-03", "quote", "Another 5 women were recognized.")
    refresh_hashes(pkg)
    (p,) = _problems(pkg, "quote-not-found")
    assert (p.table, p.row, p.field) == ("definitions", row, "quote")
    assert p.message == "quote is not in source kylym-shamy-report"


def test_a_link_to_no_figure_fails(pkg: Path) -> None:
    """Both ends of a figure link must be figures."""
    row = edit_cell(pkg, "figure_links", "link-07", "other_figure_id", "wsj-99")
    refresh_hashes(pkg)
    (p,) = _problems(pkg, "foreign-key")
    assert (p.table, p.row, p.field, p.value) == ("figure_links", row, "other_figure_id", "wsj-99")


def test_an_unknown_relation_or_basis_fails(pkg: Path) -> None:
    """Relations and bases come from their vocabularies."""
    edit_cell(pkg, "figure_links", "link-07", "relation", "cousin_of")
    edit_cell(pkg, "discrepancies", "disc-01", "basis", "hunch")
    refresh_hashes(pkg)
    fields = {(p.table, p.field) for p in _problems(pkg, "cell-error")}
    assert fields == {("figure_links", "relation"), ("discrepancies", "basis")}


def test_a_new_id_column_pointing_nowhere_fails(pkg: Path) -> None:
    """origin, destination, publisher and interest organisation are foreign keys."""
    edit_cell(pkg, "figures", "kylym-03", "origin_place_id", "atlantis")
    edit_cell(pkg, "sources", "wsj-oneal-op-ed", "publisher_org_id", "no-such-paper")
    refresh_hashes(pkg)
    found = {(p.table, p.field, p.value) for p in _problems(pkg, "foreign-key")}
    assert found == {
        ("figures", "origin_place_id", "atlantis"),
        ("sources", "publisher_org_id", "no-such-paper"),
    }


def test_a_list_of_references_is_declared_where_it_can_be() -> None:
    """derived_from is checked by zhusan; Table Schema and SQL, which cannot say so, omit it."""
    figures = TABLES["figures"]
    fks = {fk.field: fk for fk in figures.foreign_keys}
    assert fks["derived_from"].many
    declared = [k["fields"][0] for k in table_schema(figures)["foreignKeys"]]
    assert "derived_from" not in declared and "origin_place_id" in declared
    assert '"derived_from") REFERENCES' not in create_table_sql("figures")
    assert "`derived_from` → `figures.figure_id` (each item)" in data_dictionary()
