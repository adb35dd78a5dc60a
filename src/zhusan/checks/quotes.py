"""Internal: every quote is found verbatim (whitespace collapsed) in its archived document."""

from __future__ import annotations

import polars as pl

from zhusan.model.report import Problem
from zhusan.model.text import FOLDABLE, collapse

#: Tables whose rows carry a quote from their source, and the column that names the source.
QUOTED = {
    "figures": "quote",
    "definitions": "quote",
    "mentions": "quote",
    "roles": "quote",
    "sources": "disclosure_quote",
}


def foldable(column: str) -> pl.Expr:
    """True where ``collapse`` changes the cell of ``column`` (a polars expression, no loop)."""
    return pl.col(column).str.contains(FOLDABLE)


def quote_problems(name: str, frame: pl.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Every quote is found verbatim (whitespace collapsed) in its archived source."""
    column = QUOTED.get(name)
    if column is None or not texts or column not in frame.columns:
        return []
    rows = frame.select("source_id", column, "_row", "_ok").filter(
        pl.col("_ok") & (pl.col(column) != "") & pl.col("source_id").is_in(list(texts))
    )
    pairs = rows.select("source_id", column).unique().with_columns(_fold=foldable(column))
    cells = (pairs[c].to_list() for c in ("source_id", column, "_fold"))
    missing = [
        (collapse(q) if fold else q) not in texts[s] for s, q, fold in zip(*cells, strict=True)
    ]
    bad = pairs.filter(pl.Series(missing, dtype=pl.Boolean)).select("source_id", column)
    if bad.is_empty():
        return []
    hits = rows.join(bad, on=["source_id", column])
    return [
        Problem("quote-not-found", f"quote is not in source {s}", name, r, column, q[:120])
        for s, q, r in hits.select("source_id", column, "_row").sort("_row").iter_rows()
    ]
