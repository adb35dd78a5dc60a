"""Internal: the consistency findings of the duckdb engine's tables, one part at a time.

The valid figure rows (only the columns the rules read) are copied into a table with their
part: a hash of their scope (``Dialect.bucket``), so a scope's figures share a part. Each part
is fetched as a polars frame and checked by the same rules as the other engines
(``findings.findings_in``), then let go: the frames held at a time are one part and the
figures that link to another (with those they link to), not the table. The findings go to a
table of their own, compared with the discrepancies in SQL; only the problems come back.
"""

from __future__ import annotations

import polars as pl

from zhusan.checks.consistency import LINKS, LISTED, PARTITION
from zhusan.checks.coverage_rules import RULES as COVERAGE_RULES
from zhusan.checks.findings import (
    COLUMNS,
    UNEXPLAINED,
    described,
    findings_in,
    mismatches,
    part_count,
    stale_problem,
)
from zhusan.engines.duck import BATCH, HALF, SqlTables, capped, kept_rows
from zhusan.model.report import Problems

#: The table of the figure rows the findings read, with their part.
ROWS = "zhusan_finding_rows"
#: The table of the figure rows that link to another, and of those they link to.
LINKED = "zhusan_linked_rows"
#: The table of the findings: (finding_id, rule, ids joined by ``;``), one row an id.
FOUND = "zhusan_found"


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
        _explain(store, problems, count)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {ROWS}")
        store.execute(f"DROP TABLE IF EXISTS {LINKED}")
        store.execute(f"DROP TABLE IF EXISTS {FOUND}")
        store.execute(f"DROP TABLE IF EXISTS {FOUND}_all")


def _explain(store: SqlTables, problems: Problems, count: int) -> None:
    """The findings of the rows of ``ROWS``, part by part, against the discrepancies.

    Each part's findings go to the table ``FOUND`` as they are found; the discrepancies are
    compared with them in SQL, and only the problems (up to the cap) come back to Python, in
    batches (``kept_rows``).
    """
    d = store.dialect
    cols = ", ".join(d.ident(c) for c in COLUMNS)
    fetch = f"SELECT {cols}, _row, _ok FROM {ROWS}"
    linked_to = " UNION ".join(f"SELECT {d.ident(c)} FROM {ROWS}" for c in LINKS)
    links = " OR ".join(f"{d.ident(c)} <> ''" for c in LINKS)
    store.execute(
        f"CREATE OR REPLACE TABLE {LINKED} AS {fetch} WHERE {links} OR figure_id IN "
        f"({linked_to}) ORDER BY _row"
    )
    parts = (store.frame(f"{fetch} WHERE zhusan_part = {n} ORDER BY _row") for n in range(count))
    store.execute(
        f"CREATE OR REPLACE TABLE {FOUND}_all (finding_id VARCHAR, rule VARCHAR, ids VARCHAR)"
    )
    with store.lent():  # the rules' work is Python's; DuckDB only hands out the rows
        linked = store.frame(f"SELECT * FROM {LINKED}")  # in order, sorted with the full limit
        store.execute(f"DROP TABLE {LINKED}")
        for frame in findings_in(linked, parts):
            store.append(f"{FOUND}_all", frame.with_columns(pl.col("ids").list.join(";")))
    del linked
    # Of two findings with one id (figure ids that repeat), the ids that sort first: found_in.
    # Grouped a part of the ids at a time (by their hash), so the groups held are a part's.
    store.execute(
        f"CREATE OR REPLACE TABLE {FOUND} (finding_id VARCHAR, rule VARCHAR, ids VARCHAR)"
    )
    found = part_count(int(store.scalar(f"SELECT count(*) FROM {FOUND}_all")))
    for n in range(found):
        store.execute(
            f"INSERT INTO {FOUND} SELECT finding_id, MIN(rule), MIN(ids) FROM {FOUND}_all "
            f"WHERE {d.bucket.format('finding_id', found)} = {n} GROUP BY finding_id"
        )
    store.execute(f"DROP TABLE {FOUND}_all")
    with store.holding(HALF):  # DuckDB was measured past its limit here with all of it
        _compare(store, problems, fetch)


def _compare(store: SqlTables, problems: Problems, fetch: str) -> None:
    """The findings of ``FOUND`` against the discrepancies: stale, mismatched, unexplained."""
    d = store.dialect
    disc = "discrepancies"
    occurs = f"EXISTS (SELECT 1 FROM {FOUND} AS f WHERE f.finding_id = d.finding_id)"
    listed = d.items.format("g.figure_ids", "a")
    capped(
        store,
        problems,
        disc,
        "stale-discrepancy",
        f"WITH gone AS (SELECT d.finding_id, d.figure_ids, d._row FROM {disc} AS d "
        f"WHERE d._ok AND NOT {occurs}), "
        f"unknown AS (SELECT DISTINCT g._row FROM gone AS g, {listed} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {ROWS} AS r WHERE r.figure_id = a.item)) "
        "SELECT g.finding_id, g._row FROM gone AS g "
        "WHERE NOT EXISTS (SELECT 1 FROM unknown AS u WHERE u._row = g._row) ORDER BY g._row",
        stale_problem,
    )
    # A row that spells its finding's id in SQL matches (the id is its rule and its sorted
    # ids, hashed past LISTED): only the others go to Python, which spells them exactly.
    spelled = f"d.rule || ':' || {d.sorted_items.format('d.figure_ids', d.text('+'))}"
    plain = (
        f"{d.item_count.format('d.figure_ids')} <= {LISTED} AND POSITION('+' IN d.figure_ids) = 0"
    )
    matched = (
        f"SELECT d.finding_id, d.rule, d.figure_ids, d._row, f.rule AS f_rule, f.ids AS f_ids "
        f"FROM {disc} AS d JOIN {FOUND} AS f ON f.finding_id = d.finding_id WHERE d._ok "
        f"AND NOT ({plain} AND {spelled} = d.finding_id) ORDER BY d._row"
    )
    for frame in store.frames(matched, BATCH):
        problems.extend(mismatches(frame.with_columns(pl.col("f_ids").str.split(";"))))
    coverage = ", ".join(d.text(r) for r in COVERAGE_RULES)
    unexplained = (
        f"SELECT f.finding_id, f.rule, f.ids FROM {FOUND} AS f WHERE NOT EXISTS "
        f"(SELECT 1 FROM {disc} AS d WHERE d._ok AND d.finding_id = f.finding_id) "
        f"ORDER BY CASE WHEN f.rule IN ({coverage}) THEN 1 ELSE 0 END, f.finding_id"
    )

    def rows_of(ids: list[str]) -> pl.DataFrame:
        store.load_rows("zhusan_ids", {"figure_id": ids})
        return store.frame(
            f"{fetch} WHERE figure_id IN (SELECT figure_id FROM zhusan_ids) ORDER BY _row"
        )

    schema = {"finding_id": pl.String, "rule": pl.String, "ids": pl.String}
    for rows in kept_rows(store, problems, "figures", UNEXPLAINED, unexplained):
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        problems.extend(described(frame.with_columns(pl.col("ids").str.split(";")), rows_of))
