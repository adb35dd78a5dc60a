"""Internal: a figure's parent and container come from its own source."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem


def check_links(pkg: Package) -> Iterator[Problem]:
    """A figure's parent and subset_of come from the same source."""
    df = valid_rows(pkg, "figures", "figure_id", "source_id", "parent_id", "subset_of")
    for field in ("parent_id", "subset_of"):
        linked = df.filter(pl.col(field) != "")
        if linked.height == 0:
            continue
        targets = linked[field].unique()
        other = df.filter(pl.col("figure_id").is_in(targets.implode())).select(
            o_id="figure_id", o_source="source_id"
        )
        j = linked.join(other, left_on=field, right_on="o_id").filter(
            pl.col("source_id") != pl.col("o_source")
        )
        for oid, osrc, src, row in (
            j.select(field, "o_source", "source_id", "_row").sort("_row").iter_rows()
        ):
            yield Problem(
                "cross-source-link",
                f"{field} {oid} is from source {osrc}, not {src}",
                "figures",
                row,
                field,
            )
