"""The figures as the consistency rules read them: families of measures, typed columns.

``prepare`` turns the raw (string) figure columns of valid rows into typed ones: the value, its
interval (``lo``, ``hi``, open ends), the family of the measure and the first and last day.
"""

from __future__ import annotations

import polars as pl

from zhusan.model.dates import first_day, last_day
from zhusan.model.intervals import interval_exprs

#: Measures that count the same kind of thing under different words; compared across sources.
FAMILIES: dict[str, str] = {
    "returned": "returnees",
    "in-programme": "returnees",
    "arrested": "prosecution",
    "prosecuted": "prosecution",
    "held-accountable": "prosecution",
}
#: Measures whose count can only grow as the date moves on.
CUMULATIVE = (
    "returned",
    "self-returned",
    "arrested",
    "prosecuted",
    "held-accountable",
    "left-for-syria-iraq",
    "joined-isis",
)
#: Physical or domain bounds per measure: a value outside is implausible.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "air-temperature": (-90.0, 60.0),
    "age": (0.0, 120.0),
}
#: The order in which ``zhusan conflicts`` lists what is counted: (label, family, groups).
TOPICS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("returned people", "returnees", frozenset({"all"})),
    ("children", "returnees", frozenset({"children", "orphans"})),
    ("women", "returnees", frozenset({"women"})),
    ("women and children", "returnees", frozenset({"women_and_children"})),
    ("men", "returnees", frozenset({"men"})),
    ("prosecutions", "prosecution", frozenset()),
)
_BOOL = {k: "true" for k in ("1", "on", "t", "y", "yes")} | {
    k: "false" for k in ("0", "off", "f", "n", "no")
}
FIGURE_COLUMNS = (
    "figure_id",
    "source_id",
    "stated",
    "value",
    "unit",
    "qualifier",
    "measure",
    "group",
    "scope",
    "as_of",
    "period_start",
    "parent_id",
    "axis",
    "exhaustive",
    "subset_of",
)


def family(measure: str) -> str:
    """The family of measures a measure is compared within."""
    return FAMILIES.get(measure, measure)


def topic(fam: str, group: str | None) -> int:
    """Rank of a family and group in ``TOPICS`` (most important first)."""
    for rank, (_, f, groups) in enumerate(TOPICS):
        if fam == f and (not groups or group in groups):
            return rank
    return len(TOPICS)


def _null(c: str) -> pl.Expr:
    return pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)


def prepare(raw: pl.DataFrame) -> pl.DataFrame:
    """Typed columns for the checks from the raw (string) figure columns of valid rows.

    Empty cells become nulls; a column with no empty cell is taken as it is, not copied.
    """
    empty = raw.select((pl.col(c) == "").any() for c in FIGURE_COLUMNS).row(0)
    nulls = [_null(c) if has else pl.col(c) for c, has in zip(FIGURE_COLUMNS, empty, strict=True)]
    df = raw.select(nulls).with_columns(
        exhaustive=pl.col("exhaustive").str.to_lowercase().replace(_BOOL)
    )
    value = pl.col("value").cast(pl.Float64, strict=False)
    lo, hi, bounds = interval_exprs(value, pl.col("qualifier"))
    start = pl.coalesce(first_day(pl.col("period_start")), first_day(pl.col("as_of")))
    return df.with_columns(
        v=value,
        lo=lo,
        hi=hi,
        b=bounds,
        fam=pl.col("measure").replace(FAMILIES),
        first=pl.when(pl.col("as_of").is_null()).then(None).otherwise(start),
        last=last_day(pl.col("as_of")),
    ).with_columns(lo_open=pl.col("b").str.starts_with("("), hi_open=pl.col("b").str.ends_with(")"))
