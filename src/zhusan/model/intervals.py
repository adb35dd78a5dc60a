"""The one place where a qualifier and a value become an interval.

``interval("nearly", 600)`` is ``Interval(570, 600, "[)")``. The rules are a table (``RULES``)
that both the Python function and the vectorised polars expressions read; the README's table
"Hedged numbers as intervals" is generated from it, and it is tested property-based.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def _bound(bound: Bound, v: float | None) -> float | None:
    kind, p = bound
    if kind == "none":
        return None
    if kind == "const":
        return float(p)
    if v is None:
        raise ValueError("needs a value")
    return v if kind == "value" else v * p / 100


def interval(qualifier: str, value: float | None) -> Interval:
    """The interval a qualified number implies (see the README for the table of rules)."""
    rule = RULES.get(qualifier)
    if rule is None:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    lo, hi, bounds = rule
    v = None if value is None else float(value)
    try:
        return Interval(_bound(lo, v), _bound(hi, v), bounds)
    except ValueError:
        raise ValueError(f"qualifier {qualifier!r} needs a value") from None


def _hundredth(expr: pl.Expr) -> pl.Expr:
    """``expr / 100`` as Python divides.

    polars divides a column by a constant by multiplying with its inverse, which can differ in
    the last bit (2632 * 110 / 100 gives 2895.2000000000003, Python 2895.2), and the interval
    a figure states is then judged wrong; pyarrow divides.
    """
    import polars as pl
    import pyarrow.compute as pc

    def divide(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, pc.divide(s.cast(pl.Float64).to_arrow(), 100.0))

    return expr.map_batches(divide, return_dtype=pl.Float64)


def _bound_expr(side: int, value: pl.Expr, qualifier: pl.Expr) -> pl.Expr:
    import polars as pl

    expr: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for q, rule in RULES.items():
        kind, p = rule[side]
        if kind == "none":
            continue
        this = (
            pl.lit(float(p))
            if kind == "const"
            else (value if kind == "value" else _hundredth(value * float(p)))
        )
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

    ``value`` is a SQL expression of a number (null: none), ``qualifier`` one of text.
    """

    def bound(side: int) -> str:
        whens = []
        for q, rule in RULES.items():
            kind, p = rule[0] if side == 0 else rule[1]
            if kind == "none":
                continue
            scaled = f"(({value}) * {d.number(p)}) / {d.number(100)}"
            this = d.number(p) if kind == "const" else (value if kind == "value" else scaled)
            whens.append(f"WHEN {d.text(q)} THEN {this}")
        return f"(CASE {qualifier} {' '.join(whens)} ELSE NULL END)"

    bounds = " ".join(f"WHEN {d.text(q)} THEN {d.text(b)}" for q, (_, _, b) in RULES.items())
    return bound(0), bound(1), f"(CASE {qualifier} {bounds} ELSE NULL END)"


def fmt(i: Interval) -> str:
    """An interval as text: [570, 600)."""
    return str(i)
