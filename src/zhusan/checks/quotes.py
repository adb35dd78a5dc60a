"""Internal: every quote is found verbatim (whitespace collapsed) in its archived document."""

from __future__ import annotations

import polars as pl

from zhusan.model.report import Problem
from zhusan.model.text import collapse

#: Tables whose rows carry a quote from their source, and the column that names the source.
QUOTED = {
    "figures": "quote",
    "definitions": "quote",
    "mentions": "quote",
    "roles": "quote",
    "sources": "disclosure_quote",
}


def quote_problems(name: str, frame: pl.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Every quote is found verbatim (whitespace collapsed) in its archived source."""
    column = QUOTED.get(name)
    if column is None or not texts or column not in frame.columns:
        return []
    rows = frame.select("source_id", column, "_row", "_ok").filter(
        pl.col("_ok") & (pl.col(column) != "") & pl.col("source_id").is_in(list(texts))
    )
    pairs = rows.select("source_id", column).unique()
    bad = [(s, q) for s, q in pairs.iter_rows() if collapse(q) not in texts[s]]
    if not bad:
        return []
    hits = rows.join(
        pl.DataFrame(bad, schema=["source_id", column], orient="row"), on=["source_id", column]
    )
    return [
        Problem("quote-not-found", f"quote is not in source {s}", name, r, column, q[:120])
        for s, q, r in hits.select("source_id", column, "_row").sort("_row").iter_rows()
    ]
