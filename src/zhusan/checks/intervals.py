"""Internal: every figure's interval follows from its qualifier and value."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.intervals import VAGUE, interval_exprs
from zhusan.model.report import Problem


def check_intervals(pkg: Package) -> Iterator[Problem]:
    """lower, upper and bounds of every figure follow from its qualifier and value."""
    df = valid_rows(pkg, "figures", "value", "lower", "upper", "qualifier", "bounds")
    if df.height == 0:
        return
    num = {c: pl.col(c).cast(pl.Float64, strict=False) for c in ("value", "lower", "upper")}
    lo, hi, b = interval_exprs(num["value"], pl.col("qualifier"))
    df = df.with_columns(v=num["value"], lo=num["lower"], hi=num["upper"], w_lo=lo, w_hi=hi, w_b=b)
    missing = df.filter(pl.col("v").is_null() & ~pl.col("qualifier").is_in(list(VAGUE)))
    for q, row in missing.select("qualifier", "_row").iter_rows():
        yield Problem("interval-rule", f"qualifier {q!r} needs a value", "figures", row, "value")
    wrong = df.filter(
        (pl.col("v").is_not_null() | pl.col("qualifier").is_in(list(VAGUE)))
        & ~(
            pl.col("lo").eq_missing(pl.col("w_lo"))
            & pl.col("hi").eq_missing(pl.col("w_hi"))
            & (pl.col("bounds") == pl.col("w_b"))
        )
    )
    for r in wrong.iter_rows(named=True):
        got, want = (r["lo"], r["hi"], r["bounds"]), (r["w_lo"], r["w_hi"], r["w_b"])
        yield Problem(
            "interval-rule",
            f"interval {got} does not follow from {r['qualifier']} {r['v']}: the rule gives {want}",
            "figures",
            r["_row"],
            "lower",
        )
