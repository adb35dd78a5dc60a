"""The findings of figures cut into parts by scope are those of the whole table.

``findings.found_in`` checks the linked rules on the figures that link to another (with those
they link to) and every other rule part by part; the engines cut the figures by a hash of their
scope. Hypothesis draws the figures of the row-by-row reference and any cut that keeps a scope
in one part; a cut that splits a scope is shown to lose findings, so the property is not
vacuous.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.checks.test_findings_reference import EVERY_RULE, fig, figures, mutated
from zhusan.checks import findings
from zhusan.checks.consistency import LINKED, LINKS, PARTITION, finding_frame, linking
from zhusan.checks.coverage_rules import coverage_finding_frame

Row = dict[str, Any]
PLACES = st.sampled_from(["", "", "syria", "iraq"])


def frame(raws: list[Row]) -> pl.DataFrame:
    """The figures as the findings read them: every column text, in row order."""
    rows = [{c: r.get(c, "") for c in findings.COLUMNS} for r in raws]
    return pl.DataFrame(rows, schema=dict.fromkeys(findings.COLUMNS, pl.String), orient="row")


def as_dict(found: pl.DataFrame) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Finding id to rule and figure ids, in message order."""
    return {r["finding_id"]: (r["rule"], tuple(r["ids"])) for r in found.iter_rows(named=True)}


def whole(df: pl.DataFrame) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every finding of the whole table, read at once."""
    every = [finding_frame(df.select(findings.FIGURE_COLUMNS))]
    every.append(coverage_finding_frame(df.select(findings.COVERAGE_COLUMNS)))
    return as_dict(pl.concat(every, how="diagonal"))


def in_parts(df: pl.DataFrame, part: pl.Series, count: int) -> dict[str, Any]:
    """The findings of ``df`` cut into ``count`` parts by ``part``."""
    parts = [df.filter(part == n) for n in range(count)]
    return as_dict(findings.found_in(df.filter(linking(df)), parts))


@st.composite
def placed(draw: st.DrawFn) -> list[Row]:
    """Figures of the reference's pools, with origins and destinations for the coverage rules."""
    raws = draw(st.one_of(figures(), mutated()))
    for r in raws:
        r["origin_place_id"], r["destination_place_id"] = draw(PLACES), draw(PLACES)
        r["unit"] = draw(st.sampled_from([r["unit"], r["unit"], "rounds", "stages"]))
    return raws


@settings(max_examples=200, deadline=None)
@given(raws=placed(), data=st.data())
def test_figures_cut_by_scope_give_the_findings_of_the_whole(raws: list[Row], data: Any) -> None:
    """Any cut that keeps each scope in one part finds the same ids, rules and figure order."""
    df = frame(raws)
    scopes = sorted(set(df[PARTITION].to_list()))
    count = data.draw(st.integers(1, 4))
    where = {s: data.draw(st.integers(0, count - 1)) for s in scopes}
    part = df[PARTITION].replace_strict(where, return_dtype=pl.Int64)
    assert in_parts(df, part, count) == whole(df)


def test_a_cut_that_splits_a_scope_loses_its_findings() -> None:
    """Two figures of one scope in two parts: their disagreement is not found."""
    df = frame([fig("a", "100", group="all"), fig("b", "200", group="all", source_id="s2")])
    assert set(whole(df)) == {"disagreement:a+b"}
    assert in_parts(df, pl.Series([0, 1]), 2) == {}
    assert in_parts(df, pl.Series([1, 1]), 2) == whole(df)


def test_the_linked_rules_are_found_on_the_linked_figures_only() -> None:
    """On the every-rule set, linked rules come only from the linked figures, the rest not."""
    df = frame(EVERY_RULE)
    linked = as_dict(finding_frame(df.select(findings.FIGURE_COLUMNS), scoped=False))
    scoped = as_dict(finding_frame(df.select(findings.FIGURE_COLUMNS), linked=False))
    assert {rule for rule, _ in linked.values()} == set(LINKED)
    assert not {rule for rule, _ in scoped.values()} & set(LINKED)
    assert linked | scoped == as_dict(finding_frame(df.select(findings.FIGURE_COLUMNS)))
    picked = set(df.filter(linking(df))["figure_id"].to_list())
    named = {i for r in EVERY_RULE for c in LINKS if (i := r.get(c))}
    assert picked == {r["figure_id"] for r in EVERY_RULE if any(r.get(c) for c in LINKS)} | named


def test_the_part_count_keeps_parts_near_part_rows() -> None:
    """No figure or one part's worth is one part; one figure more is two."""
    assert findings.part_count(0) == 1
    assert findings.part_count(findings.PART_ROWS) == 1
    assert findings.part_count(findings.PART_ROWS + 1) == 2
