"""SQL spells as Python does: `Dialect.fold` as `collapse`, sorted ids as `spell_id`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhusan.checks.consistency import LISTED, spell_id
from zhusan.model.sql import DUCKDB, WHITESPACE_RUN
from zhusan.model.text import WHITESPACE, collapse

duckdb = pytest.importorskip("duckdb")
TEXT = st.text(alphabet=st.sampled_from([*WHITESPACE, "a", "b", "é", "\u200b", "_"]), max_size=30)


@pytest.fixture(scope="module")
def con() -> Iterator[Any]:
    """One DuckDB connection for the module."""
    c = duckdb.connect()
    yield c
    c.close()


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_sql_fold_equals_collapse(con: Any, text: str) -> None:
    """Every whitespace character Python splits at is folded alike, runs and ends included."""
    assert con.execute(f"SELECT {DUCKDB.fold('?')}", [text]).fetchone()[0] == collapse(text)


def test_the_whitespace_run_names_every_whitespace_character(con: Any) -> None:
    """Each of WHITESPACE matches the run pattern; a zero-width space and a letter do not."""
    for c in [*WHITESPACE, "\u200b", "a"]:
        hit = con.execute("SELECT regexp_matches(?, ?)", [c, WHITESPACE_RUN]).fetchone()[0]
        assert hit == (c in WHITESPACE), repr(c)


SLUG = st.from_regex(r"[a-z0-9]{1,3}(-[a-z0-9]{1,2})?", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(SLUG, min_size=1, max_size=LISTED))
def test_sorted_items_spell_a_finding_id_as_spell_id_does(con: Any, ids: list[str]) -> None:
    """A rule and its figure ids, sorted and joined in SQL, are the id ``spell_id`` gives."""
    joined = ";".join(ids)
    sql = f"SELECT 'disagreement:' || {DUCKDB.sorted_items.format('?', DUCKDB.text('+'))}"
    frame = pl.DataFrame({"rule": ["disagreement"], "ids": [ids]})
    expected = frame.select(spell_id(pl.col("rule"), pl.col("ids"))).item()
    assert con.execute(sql, [joined]).fetchone()[0] == expected
    assert con.execute(f"SELECT {DUCKDB.item_count.format('?')}", [joined]).fetchone()[0] == len(
        ids
    )
