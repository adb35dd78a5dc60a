"""Internal: primary keys are unique; every foreign key names an existing row."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.engines.frame import Package
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import LIST_DELIMITER


def _repeats(df: pl.DataFrame, pk: str) -> pl.DataFrame:
    """(key, row, first row) of every row whose primary key an earlier row already has."""
    # Distinct hashes mean distinct keys. Equal hashes (a repeat, or rarely a collision) go
    # on to the exact check below. Counting hashes is several times faster on millions of keys.
    if df.height == 0 or df[pk].hash().n_unique() == df.height:
        return pl.DataFrame(schema={pk: pl.String, "_row": pl.Int64, "_first": pl.Int64})
    dup = df.select(pk, "_row").filter(pl.col(pk).is_duplicated())
    first = dup.with_columns(_first=pl.col("_row").min().over(pk))
    return first.filter(pl.col("_row") != pl.col("_first"))


def _absent(values: pl.Series, keys: pl.Series) -> pl.Series:
    """The distinct non-empty ``values`` that are not among ``keys``."""
    distinct = values.unique()
    wanted = distinct.filter(distinct != "")
    if wanted.len() == 0:
        return wanted
    present = keys.filter(keys.is_in(wanted.implode())).unique()
    return wanted.filter(~wanted.is_in(present.implode()))


def check_keys(pkg: Package) -> Iterator[Problem]:
    """Primary keys are unique; every foreign key names an existing row.

    Work is on the distinct values of each foreign key column, so a column of a million
    references to a few hundred sources costs one hash pass, not a million lookups.
    """
    keys: dict[str, pl.Series] = {}
    for name, table in TABLES.items():
        df = pkg.tables[name].frame
        pk = table.primary_key
        if pk not in df.columns:
            keys[name] = pl.Series(pk, [], dtype=pl.String)
            continue
        for key, row, first_row in _repeats(df, pk).sort("_row").iter_rows():
            yield Problem("primary-key", f"{key!r} repeats row {first_row}", name, row, pk, key)
        keys[name] = df[pk]
    for name, table in TABLES.items():
        df = pkg.tables[name].frame
        for fk in table.foreign_keys:
            if fk.field not in df.columns:
                continue
            cells = df.select(fk.field, "_row")
            if fk.many:  # a list column: each item refers to a row
                cells = cells.with_columns(pl.col(fk.field).str.split(LIST_DELIMITER)).explode(
                    fk.field
                )
            absent = _absent(cells[fk.field], keys[fk.table])
            if absent.len() == 0:
                continue
            bad = cells.filter(pl.col(fk.field).is_in(absent.implode()))
            for value, row in bad.sort("_row", maintain_order=True).iter_rows():
                yield Problem(
                    "foreign-key",
                    f"{value!r} is not a {fk.ref} in {fk.table}",
                    name,
                    row,
                    fk.field,
                    value,
                )
