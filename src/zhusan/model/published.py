"""Every table a package publishes: the tables read from its CSV files, then the generated ones.

``TABLES`` are the tables a package is made of; ``DERIVED`` are computed from them by
``zhusan schema`` (``estimates``, ``figures_flat``) and published beside them in every format.
``PUBLISHED`` is both, in the order of ``datapackage.json``. ``table_spec`` and ``rows_of``
raise ``UnknownTable``, whose message lists the tables, for a name that is none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from zhusan.model.cells import write_csv
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate, estimates
from zhusan.model.flat import FlatFigure, flat_figures
from zhusan.model.tables import TABLE_KEYS, TABLES, ForeignKey, Table
from zhusan.model.tableschema import model_fields


class UnknownTable(ValueError):
    """A table name that the package does not have; the message lists those it has."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(f"no table named {name!r}; the tables are: {', '.join(PUBLISHED)}")


@dataclass(frozen=True)
class Derived:
    """A generated table: its description and keys, and how its rows follow from the others."""

    table: Table
    rows: Callable[[Dataset], Sequence[BaseModel]]


DERIVED: dict[str, Derived] = {
    d.table.name: d
    for d in (
        Derived(
            Table(
                "estimates",
                Estimate,
                "estimate_id",
                "Generated: per thing counted (by legal stage for the justice system) and time, "
                "the range of each source's latest figure, linked in time order, and the range "
                "from independent sources only (zhusan schema).",
            ),
            lambda data: estimates(data.figures, data.sources),
        ),
        Derived(
            Table(
                "figures_flat",
                FlatFigure,
                "figure_id",
                "Generated: every figure with its source's title, publisher, date, interest and "
                "address, one row per figure, for spreadsheets (zhusan schema).",
                (
                    ForeignKey("figure_id", "figures", TABLE_KEYS["figures"]),
                    ForeignKey("source_id", "sources", TABLE_KEYS["sources"]),
                ),
            ),
            lambda data: flat_figures(data.figures, data.sources),
        ),
    )
}

#: Every table a package publishes, by name: its own tables, then the generated ones.
PUBLISHED: dict[str, Table] = {**TABLES, **{name: d.table for name, d in DERIVED.items()}}


def table_spec(name: str) -> Table:
    """The published table named ``name``; ``UnknownTable`` when there is none."""
    try:
        return PUBLISHED[name]
    except (KeyError, TypeError):
        raise UnknownTable(name) from None


def rows_of(data: Dataset, name: str) -> Sequence[BaseModel]:
    """The rows of the published table ``name`` of ``data``, generated ones computed."""
    table_spec(name)
    derived = DERIVED.get(name)
    if derived is not None:
        return derived.rows(data)
    rows: Sequence[BaseModel] = getattr(data, name)
    return rows


def table_csv(name: str, data: Dataset) -> bytes:
    """The bytes of ``dataset/<name>.csv`` for the rows of ``data``, header from the model."""
    header = [f["name"] for f in model_fields(table_spec(name).model)]
    return write_csv(header, (row.model_dump() for row in rows_of(data, name)))
