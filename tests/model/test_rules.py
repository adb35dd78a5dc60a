"""Row rules are declared once and enforced by both engines from that one declaration."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, model_validator

import zhusan
from tests.conftest import read_rows, refresh_hashes, write_rows
from zhusan.model.cells import format_cell
from zhusan.model.rules import Equals, RowRule, undeclared_validators
from zhusan.model.tables import TABLES, Event, Figure, FigureLink, Mention, Source


@pytest.mark.parametrize("table", list(TABLES))
def test_every_model_validator_is_a_declared_rule(table: str) -> None:
    """No model carries a validator of its own: every cross-field rule is a ``RowRule``."""
    assert undeclared_validators(TABLES[table].model) == []


def test_a_hand_written_validator_is_found() -> None:
    """A validator added by hand beside the declared rules is reported by name."""

    class Patched(Figure):
        @model_validator(mode="after")
        def _extra(self) -> Self:
            if self.subset_of is not None and self.subset_of == self.parent_id:
                raise ValueError("subset_of must differ from parent_id")
            return self

    assert undeclared_validators(Patched) == ["_extra"]


def _rows(table: str) -> list[dict[str, str]]:
    from zhusan.files.descriptor import bundled_root

    return read_rows(bundled_root() / "dataset" / f"{table}.csv")


_CELLS: dict[type[BaseModel], dict[str, list[str]]] = {
    Figure: {
        "value": ["", "12", "100", "101", "0.5"],
        "lower": ["", "10.8", "13.2", "200"],
        "upper": ["", "13.2", "10", "100"],
        "unit": ["persons", "percent"],
        "parent_id": ["", "wsj-01", "kylym-01"],
        "axis": ["", "group"],
        "exhaustive": ["", "true", "false"],
        "subset_of": ["", "wsj-01"],
        "period_start": ["", "2019", "2019-06", "2019-06-17", "2020-01"],
        "as_of": ["", "2019", "2019-02", "2019-04", "2019-05", "2019-06-30"],
        "stated": ["595", "five", "Thirty-seven", "595 people", "  595", "1,595", "12.5", ""],
        "note": ["", "value differs from stated: rounded"],
        "figure_id": ["wsj-01", "kylym-01"],
        "derivation": ["stated", "derived"],
        "derived_from": ["", "wsj-12", "wsj-12;wsj-13"],
        "measure": ["returned", "arrested", "camp-population"],
        "legal_stage": ["", "arrested"],
        "place_id": ["", "syria"],
        "attribution": ["own", "named", "unnamed_other"],
        "speaker_id": ["", "erlan-karin"],
        "speaker_org_id": ["", "kz-mfa"],
    },
    Source: {
        "published": ["", "2019", "2019-06-17"],
        "published_earliest": ["", "2019-06", "2020"],
        "published_latest": ["", "2019-05", "2019-12-31"],
        "interest": ["party", "agent_of_party", "independent", "unknown"],
        "interest_org_id": ["", "kz-mfa"],
    },
    FigureLink: {"figure_id": ["wsj-12", "wsj-13"], "other_figure_id": ["wsj-12", "wsj-16"]},
    Event: {"start": ["", "2019", "2019-01", "2019-06-30"], "end": ["", "2018", "2019-01-31"]},
    Mention: {c: ["", "x-1"] for c in ("event_id", "person_id", "organization_id", "place_id")},
}
_TABLE = {
    Figure: "figures",
    Event: "events",
    Mention: "mentions",
    Source: "sources",
    FigureLink: "figure_links",
}


def _draw(model: type[BaseModel]) -> Any:
    base = st.sampled_from(_rows(_TABLE[model]))
    cells = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in _CELLS[model].items()})
    return st.tuples(base, cells).map(lambda bc: bc[0] | bc[1])


@pytest.mark.parametrize("model", list(_CELLS), ids=lambda m: m.__name__)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_flag_of_every_rule_covers_the_rule(
    model: type[BaseModel], data: st.DataObject
) -> None:
    """Wherever a declared rule is broken in Python, its polars flag is true (never under)."""
    cells = data.draw(_draw(model))
    rules = model.__row_rules__  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(model, "__row_rules__", ())  # build the instance without its rules
        try:
            row = model.model_validate(
                {k: v if v != "" else None for k, v in cells.items() if k in model.model_fields}
                | _lists(model, cells)
            )
        except Exception:
            return
    frame = pl.DataFrame([{k: format_cell(getattr(row, k)) for k in model.model_fields}])
    for rule in rules:
        broken = rule.broken.holds(row) is True
        flagged = frame.select(rule.broken.flag().fill_null(False)).item()
        assert flagged or not broken, f"{rule.name} broken but not flagged: {cells}"


@pytest.mark.parametrize("model", list(_CELLS), ids=lambda m: m.__name__)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_sql_of_every_rule_covers_the_rule(model: type[BaseModel], data: st.DataObject) -> None:
    """Wherever a declared rule is broken in Python, its SQL flag is true (never under)."""
    duckdb = pytest.importorskip("duckdb")
    cells = data.draw(_draw(model))
    rules = model.__row_rules__  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(model, "__row_rules__", ())  # build the instance without its rules
        try:
            row = model.model_validate(
                {k: v if v != "" else None for k, v in cells.items() if k in model.model_fields}
                | _lists(model, cells)
            )
        except Exception:
            return
    frame = pl.DataFrame([{k: format_cell(getattr(row, k)) for k in model.model_fields}])
    con = duckdb.connect()
    con.register("cells", frame.to_arrow())
    for rule in rules:
        broken = rule.broken.holds(row) is True
        flagged = con.execute(f"SELECT COALESCE({rule.broken.sql()}, FALSE) FROM cells").fetchall()
        assert flagged[0][0] or not broken, f"{rule.name} broken but not flagged in SQL: {cells}"
    con.close()


def test_the_sql_of_a_rule_reads_like_its_declaration() -> None:
    """A rule's SQL is standard SQL over text cells, empty cells taken as unknown."""
    from zhusan.model.rules import Above, Differ, Is, NotWithin, StartsAfter

    assert Is("unit", "percent").sql() == "(NULLIF(\"unit\", '') = 'percent')"
    assert Above("value", 100).sql() == ('(TRY_CAST("value" AS DOUBLE) > CAST(100.0 AS DOUBLE))')
    assert NotWithin("stated", "quote").sql() == '(POSITION("stated" IN "quote") = 0)'
    assert Differ(("a", "b")).sql() == (
        "((\"a\" <> '') OR (\"b\" <> '')) AND NOT ((\"a\" <> '') AND (\"b\" <> ''))"
    ).join("()")
    assert "'-12-31'" in StartsAfter("start", "end").sql()


def _lists(model: type[BaseModel], cells: dict[str, str]) -> dict[str, Any]:
    from zhusan.model.cells import parse_cell
    from zhusan.model.tableschema import model_fields

    kinds = {f["name"]: f["type"] for f in model_fields(model)}
    return {k: parse_cell(cells[k], "list") for k, t in kinds.items() if t == "list" and k in cells}


_NEW_RULE = RowRule(
    "subset-not-parent",
    Equals("subset_of", "parent_id"),
    "subset_of {subset_of} must differ from parent_id",
)


def test_a_newly_declared_rule_is_enforced_by_both_engines(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declaring one more rule makes the fast and the pydantic engine flag the same rows."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    broken = []
    for i, row in enumerate(rows):
        if row["parent_id"] and len(broken) < 2:
            row["subset_of"] = row["parent_id"]
            broken.append(i + 2)
    write_rows(path, rows)
    refresh_hashes(pkg)
    assert zhusan.validate(pkg).valid  # no such rule yet: both rows are valid
    monkeypatch.setattr(Figure, "__row_rules__", (*Figure.__row_rules__, _NEW_RULE))
    reports = {e: zhusan.validate(pkg, engine=e) for e in ("fast", "pydantic")}
    for report in reports.values():
        rule_rows = [p.row for p in report.problems if p.code == "row-rule"]
        assert rule_rows == broken
        assert all(
            "must differ from parent_id" in p.message
            for p in report.problems
            if p.code == "row-rule"
        )
    assert reports["fast"].to_dict() == reports["pydantic"].to_dict()


def test_a_condition_without_sql_sends_every_row_to_pydantic() -> None:
    """A rule whose condition has no SQL form yet flags every row (never a missed rule)."""
    from dataclasses import dataclass

    from zhusan.model.rules import Cond, rules_sql

    @dataclass(frozen=True)
    class PolarsOnly(Cond):
        field: str

        def holds(self, row: BaseModel) -> bool | None:
            return bool(getattr(row, self.field))

    class Patched(Figure):
        __row_rules__ = (*Figure.__row_rules__, RowRule("new", PolarsOnly("note"), "a note"))

    assert rules_sql(Patched).endswith(" OR TRUE)")
    assert rules_sql(Patched) == rules_sql(Figure)[:-1] + " OR TRUE)"


@pytest.mark.parametrize("table", list(TABLES))
def test_every_declared_condition_has_its_own_sql(table: str) -> None:
    """No declared rule falls back to flagging every row: each condition has a SQL form."""
    for rule in getattr(TABLES[table].model, "__row_rules__", ()):
        sql = rule.broken.sql()  # NotImplementedError: a condition still to be written in SQL
        assert sql.startswith("(") or sql == "FALSE", rule.name


def test_the_sql_of_the_v2_conditions_reads_like_their_declaration() -> None:
    """In, Empty and Filled read the text cells; Misstated compares plain digits only."""
    from zhusan.model.rules import Empty, Filled, In, Misstated

    assert In("interest", ("party", "x")).sql() == "(NULLIF(\"interest\", '') IN ('party', 'x'))"
    assert In("interest", ()).sql() == "FALSE"
    assert Empty("legal_stage").sql() == "(\"legal_stage\" = '')"
    assert Filled("derived_from").sql() == "(\"derived_from\" <> '')"
    sql = Misstated("stated", "value", "unit", "note").sql()
    assert sql.startswith("(\"value\" <> '' AND COALESCE(") and "regexp_matches" in sql
