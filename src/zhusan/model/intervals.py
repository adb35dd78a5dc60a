"""The one place where a qualifier and a value become an interval.

``interval("nearly", 600)`` is ``Interval(570, 600, "[)")``. The rules are a table (``RULES``)
that the Python function, the vectorised polars expressions and the SQL (``interval_sql``)
read; the README's table "Hedged numbers as intervals" is generated from it, and it is tested
property-based.

The arithmetic is decimal: "about 12" is [10.8, 13.2] exactly (``exact_interval``), and a
bound written as it prints ("13.2") is the bound; ``interval`` gives the nearest floats of the
exact bounds, and the polars and SQL expressions give the same for whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from zhusan.model.fields import Bounds
from zhusan.model.sql import DUCKDB, Dialect

if TYPE_CHECKING:
    import polars as pl

#: Relative half-width of the band for "about", "roughly" and "some" (10 %).
BAND = 10
#: How far below the value "nearly" and "almost" reach (5 %).
NEAR = 5

#: A bound: ("value", 0) the value itself, ("scale", p) value * p / 100, ("const", c) the
#: number c, ("none", 0) no bound.
Bound = tuple[Literal["value", "scale", "const", "none"], float]
RULES: dict[str, tuple[Bound, Bound, Bounds]] = {
    "exact": (("value", 0), ("value", 0), "[]"),
    "about": (("scale", 100 - BAND), ("scale", 100 + BAND), "[]"),
    "roughly": (("scale", 100 - BAND), ("scale", 100 + BAND), "[]"),
    "some": (("scale", 100 - BAND), ("scale", 100 + BAND), "[]"),
    "nearly": (("scale", 100 - NEAR), ("value", 0), "[)"),
    "almost": (("scale", 100 - NEAR), ("value", 0), "[)"),
    "more_than": (("value", 0), ("none", 0), "()"),
    "over": (("value", 0), ("none", 0), "()"),
    "exceeds": (("value", 0), ("none", 0), "()"),
    "at_least": (("value", 0), ("none", 0), "[)"),
    "up_to": (("const", 0), ("value", 0), "[]"),
    "less_than": (("const", 0), ("value", 0), "[)"),
    # Vague plurals carry no number of their own.
    "several": (("const", 3), ("const", 10), "[)"),
    "dozens": (("const", 24), ("const", 100), "[)"),
    "hundreds": (("const", 200), ("const", 1000), "[)"),
    "few_hundred": (("const", 200), ("const", 500), "[)"),
    "thousands": (("const", 2000), ("const", 10000), "[)"),
}
VAGUE = frozenset(q for q, (lo, hi, _) in RULES.items() if lo[0] == hi[0] == "const")


@dataclass(frozen=True)
class Interval:
    """An interval of numbers; None is unbounded; bounds says which ends are included."""

    lower: float | None
    upper: float | None
    bounds: Bounds

    def __str__(self) -> str:
        """The interval as text: ``[570, 600)``, ``(400, inf)``."""
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        return f"{self.bounds[0]}{lo}, {hi}{self.bounds[1]}"

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval."""
        lo_ok = self.lower is None or x > self.lower or (x == self.lower and self.bounds[0] == "[")
        hi_ok = self.upper is None or x < self.upper or (x == self.upper and self.bounds[1] == "]")
        return lo_ok and hi_ok


def decimal(x: float | str | Decimal) -> Decimal:
    """A number as a decimal: a float as it prints (12.1 is 12.1, not 12.0999...)."""
    if isinstance(x, Decimal):
        return x
    return Decimal(repr(float(x)) if isinstance(x, float | int) else x)


def _bound(bound: Bound, v: Decimal | None) -> Decimal | None:
    kind, p = bound
    if kind == "none":
        return None
    if kind == "const":
        return decimal(p)
    if v is None:
        raise ValueError("needs a value")
    return v if kind == "value" else v * decimal(p) / 100


def exact_interval(
    qualifier: str, value: float | str | Decimal | None
) -> tuple[Decimal | None, Decimal | None, Bounds]:
    """The bounds a qualified number implies, in decimal arithmetic: about 12 is 10.8 to 13.2."""
    rule = RULES.get(qualifier)
    if rule is None:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    lo, hi, bounds = rule
    v = None if value is None else decimal(value)
    try:
        return _bound(lo, v), _bound(hi, v), bounds
    except ValueError:
        raise ValueError(f"qualifier {qualifier!r} needs a value") from None


def interval(qualifier: str, value: float | None) -> Interval:
    """The interval a qualified number implies (see the README for the table of rules).

    Its bounds are the floats nearest the exact decimal bounds (``exact_interval``).
    """
    lo, hi, bounds = exact_interval(qualifier, value)
    return Interval(None if lo is None else float(lo), None if hi is None else float(hi), bounds)


def is_scaled(qualifier: str) -> bool:
    """Whether a qualifier's bounds are a share of the value ("about": 90 % and 110 %)."""
    rule = RULES.get(qualifier)
    return rule is not None and "scale" in (rule[0][0], rule[1][0])


def _bound_expr(side: int, value: pl.Expr, qualifier: pl.Expr) -> pl.Expr:
    import polars as pl

    expr: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for q, rule in RULES.items():
        kind, p = rule[side]
        if kind == "none":
            continue
        if kind == "scale":
            # Whole numbers exactly: value * p is an exact integer, and one division rounds it
            # to the float nearest the decimal bound (12 * 110 / 100 is 13.2, not 13.2000...1).
            whole = (value == value.floor()) & (value.abs() < 1e12)
            this = (
                pl.when(whole)
                .then((value.cast(pl.Int64, strict=False) * int(p)).cast(pl.Float64) / 100.0)
                .otherwise(value * p / 100)
            )
        else:
            this = pl.lit(float(p)) if kind == "const" else value
        expr = pl.when(qualifier == q).then(this).otherwise(expr)
    return expr


def interval_exprs(value: pl.Expr, qualifier: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Polars expressions for lower, upper and bounds, by the same rules as ``interval``."""
    import polars as pl

    bounds: pl.Expr = pl.lit(None, dtype=pl.String)
    for q, (_, _, b) in RULES.items():
        bounds = pl.when(qualifier == q).then(pl.lit(b)).otherwise(bounds)
    return _bound_expr(0, value, qualifier), _bound_expr(1, value, qualifier), bounds


def interval_sql(value: str, qualifier: str, d: Dialect = DUCKDB) -> tuple[str, str, str]:
    """SQL expressions for lower, upper and bounds, by the same rules as ``interval``.

    ``value`` is a SQL expression of a number (null: none), ``qualifier`` one of text. As
    the polars expressions, a whole number's share is an exact integer divided once (the float
    nearest the decimal bound); other values are judged again in decimals by the check.
    """

    def bound(side: int) -> str:
        whens = []
        for q, rule in RULES.items():
            kind, p = rule[0] if side == 0 else rule[1]
            if kind == "none":
                continue
            whole = f"(({value}) = floor({value}) AND abs({value}) < {d.number(1e12)})"
            exact = f"CAST(CAST({value} AS BIGINT) * {int(p)} AS DOUBLE) / {d.number(100)}"
            other = f"(({value}) * {d.number(p)}) / {d.number(100)}"
            scaled = f"(CASE WHEN {whole} THEN {exact} ELSE {other} END)"
            this = d.number(p) if kind == "const" else (value if kind == "value" else scaled)
            whens.append(f"WHEN {d.text(q)} THEN {this}")
        return f"(CASE {qualifier} {' '.join(whens)} ELSE NULL END)"

    bounds = " ".join(f"WHEN {d.text(q)} THEN {d.text(b)}" for q, (_, _, b) in RULES.items())
    return bound(0), bound(1), f"(CASE {qualifier} {bounds} ELSE NULL END)"


def fmt(i: Interval) -> str:
    """An interval as text: [570, 600)."""
    return str(i)
