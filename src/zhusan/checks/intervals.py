"""Internal: every figure's interval follows from its qualifier and value, in decimals.

The columns are compared as floats first; the rows that differ, and those whose value is not
a whole number, are judged again in decimal arithmetic (``exact_interval``), so "about 12"
with upper 13.2 is right even where binary floats give 13.200000000000001. Each wrong field
(lower, upper, bounds) is one problem naming the value the rule gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.cells import format_cell
from zhusan.model.intervals import RULES, VAGUE, exact_interval, interval_exprs, is_scaled
from zhusan.model.report import Problem

_SCALED = [q for q in RULES if is_scaled(q)]


def _cell(x: Decimal | None) -> str:
    """A bound as its cell prints it: 13.2, 600, or empty."""
    return "" if x is None else format_cell(float(x))


def _decimal(cell: str) -> Decimal | None:
    try:
        return None if cell == "" else Decimal(cell)
    except InvalidOperation:  # pragma: no cover - valid rows hold numbers
        return None


def _words(qualifier: str, value: str) -> str:
    return f"{qualifier.replace('_', ' ')} {value}" if value else qualifier.replace("_", " ")


def interval_problems(row: dict[str, str | int]) -> list[Problem]:
    """The problems of one figure's lower, upper and bounds, judged in decimals."""
    q, value = str(row["qualifier"]), str(row["value"])
    lo, hi, bounds = exact_interval(q, None if value == "" else value)
    want = {"lower": _cell(lo), "upper": _cell(hi), "bounds": bounds}
    shown = f"{bounds[0]}{want['lower'] or '-inf'}, {want['upper'] or 'inf'}{bounds[1]}"
    out = []
    for field, wanted in want.items():
        got = str(row[field])
        if field == "bounds":
            if got == wanted:
                continue
        elif _decimal(got) == (lo if field == "lower" else hi):
            continue
        out.append(
            Problem(
                "interval-rule",
                f"{field} is {got or 'empty'}, but {_words(q, value)} gives "
                f"{field} {wanted or 'empty'} (the interval {shown})",
                "figures",
                int(row["_row"]),
                field,
                got,
            )
        )
    return out


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
    fraction = pl.col("qualifier").is_in(_SCALED) & (pl.col("v") != pl.col("v").floor())
    maybe = df.filter(
        (pl.col("v").is_not_null() | pl.col("qualifier").is_in(list(VAGUE)))
        & (
            ~(
                pl.col("lo").eq_missing(pl.col("w_lo"))
                & pl.col("hi").eq_missing(pl.col("w_hi"))
                & (pl.col("bounds") == pl.col("w_b"))
            )
            | fraction.fill_null(False)
        )
    )
    columns = ("value", "lower", "upper", "qualifier", "bounds", "_row")
    for r in maybe.select(columns).sort("_row").iter_rows(named=True):
        yield from interval_problems(r)
