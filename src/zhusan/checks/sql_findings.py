"""Internal: the consistency findings of the duckdb engine's tables, one part at a time.

The valid figure rows (only the columns the rules read) are copied into a table with their
part: a hash of their scope (``Dialect.bucket``), so a scope's figures share a part. Each part
is fetched as a polars frame and checked by the same rules as the other engines
(``findings.found_in``), then let go: the frames held at a time are one part and the figures
that link to another (with those they link to), not the table.
"""

from __future__ import annotations

import polars as pl

from zhusan.checks.consistency import LINKS, PARTITION
from zhusan.checks.findings import COLUMNS, DISCREPANCY_COLUMNS, explain, found_in, part_count
from zhusan.engines.duck import SqlTables
from zhusan.model.report import Problems

#: The table of the figure rows the findings read, with their part.
ROWS = "zhusan_finding_rows"


def sql_findings(store: SqlTables, problems: Problems) -> None:
    """Every consistency finding explained by a discrepancies row, and no row stale."""
    d = store.dialect
    cols = ", ".join(d.ident(c) for c in COLUMNS)
    count = part_count(int(store.scalar("SELECT count(*) FROM figures WHERE _ok")))
    part = d.bucket.format(d.ident(PARTITION), count)
    store.execute(
        f"CREATE OR REPLACE TABLE {ROWS} AS SELECT {cols}, _row, _ok, "
        f"{part} AS zhusan_part FROM figures WHERE _ok"
    )
    try:
        with store.lent():
            _explain(store, problems, count)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {ROWS}")


def _explain(store: SqlTables, problems: Problems, count: int) -> None:
    """The findings of the rows of ``ROWS``, part by part, against the discrepancies."""
    d = store.dialect
    cols = ", ".join(d.ident(c) for c in COLUMNS)
    fetch = f"SELECT {cols}, _row, _ok FROM {ROWS}"
    linked_to = " UNION ".join(f"SELECT {d.ident(c)} FROM {ROWS}" for c in LINKS)
    links = " OR ".join(f"{d.ident(c)} <> ''" for c in LINKS)
    linked = store.frame(f"{fetch} WHERE {links} OR figure_id IN ({linked_to}) ORDER BY _row")
    parts = (store.frame(f"{fetch} WHERE zhusan_part = {n} ORDER BY _row") for n in range(count))
    found = found_in(linked, parts)
    disc = store.frame(
        f"SELECT {', '.join(DISCREPANCY_COLUMNS)}, _row, _ok FROM discrepancies "
        "WHERE _ok ORDER BY _row"
    )

    def rows_of(ids: list[str]) -> pl.DataFrame:
        store.load_rows("zhusan_ids", {"figure_id": ids})
        return store.frame(
            f"{fetch} WHERE figure_id IN (SELECT figure_id FROM zhusan_ids) ORDER BY _row"
        )

    problems.extend(explain(found, disc, rows_of))
