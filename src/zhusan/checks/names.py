"""Internal: no entity under two spellings; every entity attested by a mention."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES


def check_aliases(pkg: Package) -> Iterator[Problem]:
    """No person, organisation or place appears in two rows under two spellings."""
    for name in ("people", "organizations", "places"):
        pk = TABLES[name].primary_key
        df = valid_rows(pkg, name)
        if df.height == 0:
            continue
        labels = (
            df.select(
                "_row",
                ident=pl.col(pk),
                label=pl.concat_list(
                    pl.col("name"),
                    pl.when(pl.col("aliases") == "")
                    .then([])
                    .otherwise(pl.col("aliases").str.split(";")),
                ),
            )
            .explode("label")
            .unique(["_row", "label"], maintain_order=True)
            .with_columns(
                norm=pl.col("label")
                .str.replace_all(r"\s+", " ")
                .str.strip_chars()
                .str.to_lowercase()
            )
            .sort("_row", maintain_order=True)
        )
        owner = labels.group_by("norm", maintain_order=True).agg(
            o_id=pl.col("ident").first(), o_row=pl.col("_row").first()
        )
        clash = labels.join(owner, on="norm").filter(pl.col("ident") != pl.col("o_id"))
        for row, label, o_id, o_row in clash.select("_row", "label", "o_id", "o_row").iter_rows():
            yield Problem(
                "duplicate-name",
                f"{label!r} also names {o_id!r} (row {o_row})",
                name,
                row,
                "aliases",
                label,
            )


def check_attested(pkg: Package) -> Iterator[Problem]:
    """Every event, person, organisation and place is attested by at least one mention."""
    mentions = pkg.tables["mentions"].frame
    for name in ("events", "people", "organizations", "places"):
        column = TABLES[name].primary_key
        if column not in mentions.columns or column not in pkg.tables[name].frame.columns:
            continue
        df = pkg.tables[name].frame
        for value, row in (
            df.filter(~pl.col(column).is_in(mentions[column].unique().implode()))
            .select(column, "_row")
            .sort("_row")
            .iter_rows()
        ):
            yield Problem("unattested", f"no mention attests {value!r}", name, row, column, value)
