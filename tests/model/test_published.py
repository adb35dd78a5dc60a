"""The published tables: the package's own, then the generated ones, each findable by name."""

from __future__ import annotations

import pytest

import zhusan
from zhusan.model.flat import flat_figures
from zhusan.model.published import DERIVED, PUBLISHED, UnknownTable, rows_of, table_spec
from zhusan.model.tables import TABLES

DATA = zhusan.load()


def test_published_is_the_tables_then_the_generated_ones() -> None:
    """PUBLISHED lists every table of TABLES, in order, then estimates and figures_flat."""
    assert list(PUBLISHED) == [*TABLES, "estimates", "figures_flat"]
    assert set(DERIVED) == {"estimates", "figures_flat"}


@pytest.mark.parametrize("name", ["figure", "", "FIGURES", None, 3])
def test_an_unknown_name_raises_unknown_table_listing_the_tables(name: object) -> None:
    """A name that is no table raises UnknownTable, a ValueError whose message lists them all."""
    with pytest.raises(UnknownTable) as caught:
        table_spec(name)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"no table named {name!r}; the tables are: sources, ")
    assert all(t in message for t in PUBLISHED)
    assert isinstance(caught.value, ValueError) and not isinstance(caught.value, KeyError)
    with pytest.raises(UnknownTable):
        rows_of(DATA, name)  # type: ignore[arg-type]


def test_rows_of_computes_the_generated_tables() -> None:
    """rows_of gives a table's models, and computes estimates and figures_flat from the data."""
    assert rows_of(DATA, "figures") == DATA.figures
    assert len(rows_of(DATA, "figures_flat")) == len(DATA.figures)
    assert [e.estimate_id for e in rows_of(DATA, "estimates")] == [
        e.estimate_id for e in zhusan.estimates(DATA)
    ]


def test_a_figure_whose_source_is_missing_is_left_out_of_the_flat_table() -> None:
    """flat_figures invents no source: a figure of an unknown source is not in it."""
    orphan = DATA.figures[0].model_copy(update={"source_id": "no-such-source"})
    flat = flat_figures((orphan, *DATA.figures[1:]), DATA.sources)
    assert [f.figure_id for f in flat] == [f.figure_id for f in DATA.figures[1:]]


def test_a_flat_figure_carries_its_source_columns() -> None:
    """Each flat row is its figure's fields, then its source's title, kind, date and interest."""
    first = flat_figures(DATA.figures[:1], DATA.sources)[0]
    source = next(s for s in DATA.sources if s.source_id == first.source_id)
    assert first.model_dump(include=set(type(DATA.figures[0]).model_fields)) == (
        DATA.figures[0].model_dump()
    )
    assert (first.source_title, first.source_kind, first.source_published_basis) == (
        source.title,
        source.kind,
        source.published_basis,
    )
    assert first.source_path == source.path
