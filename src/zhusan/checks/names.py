"""Internal: no entity under two spellings; every entity attested by a mention."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES
from zhusan.model.text import name_key


def check_aliases(pkg: Package) -> Iterator[Problem]:
    """No person, organisation or place appears in two rows under two spellings.

    Names are compared by ``name_key``: after Unicode NFKC, without invisible (default-ignorable)
    characters, with look-alike Cyrillic and Greek letters read as Latin, case folded and
    whitespace collapsed, so that a full-width, decomposed, zero-width-joined or homoglyph
    spelling is the same name.
    """
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
            .sort("_row", maintain_order=True)
        )
        labels = labels.with_columns(
            norm=pl.Series(
                [name_key(label) for label in labels["label"].to_list()], dtype=pl.String
            )
        )
        owner = labels.group_by("norm", maintain_order=True).agg(
            o_id=pl.col("ident").first(), o_row=pl.col("_row").first()
        )
        clash = labels.join(owner, on="norm").filter(pl.col("ident") != pl.col("o_id"))
        for row, label, o_id, o_row in clash.select("_row", "label", "o_id", "o_row").iter_rows():
            # A look-alike letter or an invisible one shows only when written as an escape.
            spelled = "" if label.isascii() else f" (written {label!a})"
            yield Problem(
                "duplicate-name",
                f"{label!r} also names {o_id!r} (row {o_row}){spelled}",
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
