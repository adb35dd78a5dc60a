"""The tables as pandas or polars DataFrames, with column types taken from the models.

Vocabulary fields are categoricals with every allowed value as a category (pandas
``CategoricalDtype``, polars ``Enum``), numbers are floats, integers nullable integers, booleans
nullable booleans, lists lists of strings; partial dates stay strings (``2019-06`` is not a day).
pandas and polars are optional: ``pip install 'zhusan-data[pandas]'`` or ``'zhusan-data[polars]'``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from zhusan.checks.package import load_dataset
from zhusan.files.descriptor import resolve
from zhusan.model.dataset import Dataset
from zhusan.model.tables import TABLES
from zhusan.outputs.columns import Column, optional_import, table_columns, table_rows
from zhusan.outputs.export import arrow_schema

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

TableName = Literal[
    "sources",
    "organizations",
    "places",
    "people",
    "roles",
    "events",
    "figures",
    "figure_links",
    "definitions",
    "mentions",
    "discrepancies",
    "estimates",
    "figures_flat",
]
"""The name of a table of the package: ``zhusan.tables()``, generated tables included."""

Backend = Literal["polars", "pandas"]
PathArg = str | os.PathLike[str] | None

_PANDAS_DTYPES = {"string": "string", "number": "float64", "integer": "Int64", "boolean": "boolean"}

# Columns relations() adds to each figure: (name, table, key field of the figure, field there).
_JOINS = (
    ("source_title", "sources", "source_id", "title"),
    ("source_kind", "sources", "source_id", "kind"),
    ("source_published", "sources", "source_id", "published"),
    ("speaker_name", "people", "speaker_id", "name"),
    ("speaker_org_name", "organizations", "speaker_org_id", "name"),
    ("event_name", "events", "event_id", "name"),
)


def _pandas_frame(pd: Any, cols: list[Column], rows: list[dict[str, Any]]) -> Any:
    series = {}
    for c in cols:
        values = [row[c.name] for row in rows]
        if c.enum:
            dtype = pd.CategoricalDtype(categories=list(c.enum))
            series[c.name] = pd.Series(pd.Categorical(values, dtype=dtype), name=c.name)
        elif c.kind == "list":
            series[c.name] = pd.Series(values, dtype=object, name=c.name)
        else:
            series[c.name] = pd.Series(values, dtype=_PANDAS_DTYPES[c.kind], name=c.name)
    return pd.DataFrame(series, columns=[c.name for c in cols])


def _polars_frame(pl: Any, cols: list[Column], rows: list[dict[str, Any]]) -> Any:
    types = {
        "string": pl.String,
        "number": pl.Float64,
        "integer": pl.Int64,
        "boolean": pl.Boolean,
        "list": pl.List(pl.String),
    }
    schema = {c.name: pl.Enum(list(c.enum)) if c.enum else types[c.kind] for c in cols}
    return pl.DataFrame([[row[c.name] for c in cols] for row in rows], schema=schema, orient="row")


def _load(path: PathArg) -> Dataset:
    return load_dataset(resolve(path))


def to_pandas(table: TableName, path: PathArg = None) -> pd.DataFrame:
    """A table of the bundled package (``path`` None) or the one at ``path``, as pandas.

    ``UnknownTable`` (listing the tables) for a name that is not one, before anything is read.
    """
    cols = table_columns(table)
    module = optional_import("pandas", "to_pandas", "pandas")
    frame = _pandas_frame(module, cols, table_rows(_load(path), table))
    return cast("pd.DataFrame", frame)


def to_polars(table: TableName, path: PathArg = None) -> pl.DataFrame:
    """A table of the bundled package (``path`` None) or the one at ``path``, as polars.

    ``UnknownTable`` (listing the tables) for a name that is not one, before anything is read.
    """
    cols = table_columns(table)
    module = optional_import("polars", "to_polars", "polars")
    frame = _polars_frame(module, cols, table_rows(_load(path), table))
    return cast("pl.DataFrame", frame)


def to_arrow(table: TableName, path: PathArg = None) -> pa.Table:
    """A table of the bundled package (``path`` None) or the one at ``path``, as a pyarrow Table.

    Its schema is the Parquet export's: types, nullability and descriptions from the model.
    ``UnknownTable`` (listing the tables) for a name that is not one, before anything is read.
    """
    schema = arrow_schema(table)
    module = optional_import("pyarrow", "to_arrow", "export")
    frame = module.Table.from_pylist(table_rows(_load(path), table), schema=schema)
    return cast("pa.Table", frame)


def relation_columns() -> list[Column]:
    """The columns of ``relations``: every figure field, then the joined names and dates."""
    out = table_columns("figures")
    for name, table, key, field in _JOINS:
        col = next(c for c in table_columns(table) if c.name == field)
        description = f"{col.description} (through figures.{key})"
        nullable = col.nullable or key != "source_id"
        out.append(dataclasses.replace(col, name=name, nullable=nullable, description=description))
    return out


def relation_rows(data: Dataset) -> list[dict[str, Any]]:
    """Every figure, in file order, with its source, speaker, organisation and event joined."""
    keys = {t: TABLES[t].primary_key for t in ("sources", "people", "organizations", "events")}
    lookup = {t: {r[k]: r for r in table_rows(data, t)} for t, k in keys.items()}
    out = []
    for figure in table_rows(data, "figures"):
        row = dict(figure)
        for name, table, key, field in _JOINS:
            target = lookup[table].get(figure[key]) if figure[key] is not None else None
            row[name] = None if target is None else target[field]
        out.append(row)
    return out


@overload
def relations(path: PathArg = None, backend: Literal["polars"] = "polars") -> pl.DataFrame: ...
@overload
def relations(path: PathArg, backend: Literal["pandas"]) -> pd.DataFrame: ...
@overload
def relations(path: PathArg = None, *, backend: Literal["pandas"]) -> pd.DataFrame: ...
def relations(path: PathArg = None, backend: Backend = "polars") -> pl.DataFrame | pd.DataFrame:
    """Figures joined with their source, speaker, speaker's organisation and event.

    One row per figure with every figure column, then ``source_title``, ``source_kind``,
    ``source_published``, ``speaker_name``, ``speaker_org_name`` and ``event_name`` (empty where
    the figure has no speaker, organisation or event). ``backend`` is "polars" or "pandas".
    """
    if backend not in ("polars", "pandas"):
        raise ValueError(f"unknown backend {backend!r}; choose 'polars' or 'pandas'")
    module = optional_import(backend, "relations", backend)
    builder = _polars_frame if backend == "polars" else _pandas_frame
    frame = builder(module, relation_columns(), relation_rows(_load(path)))
    return cast("pl.DataFrame | pd.DataFrame", frame)
