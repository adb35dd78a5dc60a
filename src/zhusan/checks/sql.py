"""Internal: the checks across rows and tables as SQL, over the duckdb engine's tables.

The same checks as ``keys``, ``names``, ``quotes``, ``intervals`` and ``links``, written as
engine-neutral SQL (joins, group-bys, anti-joins, window functions; what standard SQL cannot
say goes through the store's ``Dialect``), with the same codes, rows, fields and messages. Of
each code in each table, at most the problems still kept (``Problems.room``) are fetched, with
``LIMIT``; the rest are only counted. The consistency findings run in polars
(``checks.findings``) on the figures' valid rows, only the columns ``FIGURE_COLUMNS`` lists.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from zhusan.checks.consistency import FIGURE_COLUMNS
from zhusan.checks.findings import check_findings
from zhusan.checks.quotes import QUOTED
from zhusan.engines.duck import SqlTables
from zhusan.engines.frame import Package, TableRows
from zhusan.model.intervals import VAGUE, interval_sql
from zhusan.model.report import MAX_PER_CODE, Problem, Problems
from zhusan.model.sql import WHITESPACE_CLASS
from zhusan.model.tables import TABLES
from zhusan.model.text import collapse


def capped(
    store: SqlTables,
    problems: Problems,
    table: str,
    code: str,
    sql: str,
    make: Callable[..., Problem],
) -> None:
    """The problems of one query (ordered as they are to be kept), fetched up to the cap.

    ``make`` builds a problem from a row. Past what ``problems`` still keeps of ``code`` in
    ``table``, rows are counted in SQL, not fetched.
    """
    room = problems.room(table, code)
    if room is not None and room >= 1 << 62:
        room = None  # no engine counts that far: no limit
    rows = store.all(sql if room is None else f"{sql} LIMIT {room + 1}")
    if room is not None and len(rows) > room:
        total = int(store.scalar(f"SELECT count(*) FROM ({sql}) AS q"))
        rows = rows[:room]
        problems.not_kept(code, total - room)
    for row in rows:
        problems.append(make(*row))


def quote_sql(store: SqlTables, name: str, texts: dict[str, str], problems: Problems) -> None:
    """Every quote of a table DuckDB read is found (whitespace collapsed) in its source.

    A quote found verbatim in the collapsed text is found once collapsed too, so SQL keeps
    only the distinct (source, quote) pairs not found verbatim; Python collapses those.
    """
    column = QUOTED.get(name)
    if column is None or not texts or name not in store.from_csv:
        return
    d = store.dialect
    q, view = d.ident(column), d.ident(name)
    store.load_rows("zhusan_texts", {"source_id": list(texts), "text": list(texts.values())})
    pairs = (
        f"SELECT p.source_id, p.q FROM (SELECT DISTINCT source_id, {q} AS q FROM {view} "
        f"WHERE _ok AND {q} <> '') AS p JOIN zhusan_texts AS x ON x.source_id = p.source_id "
        "WHERE POSITION(p.q IN x.text) = 0"
    )
    bad: dict[str, list[str]] = {"source_id": [], "q": []}
    for rows in store.batches(pairs):
        for r in rows:
            if collapse(r["q"]) not in texts[r["source_id"]]:
                bad["source_id"].append(r["source_id"])
                bad["q"].append(r["q"])
    if not bad["q"]:
        return
    store.load_rows("zhusan_bad_quotes", bad)
    capped(
        store,
        problems,
        name,
        "quote-not-found",
        f"SELECT t.source_id, t.{q}, t._row FROM {view} AS t JOIN zhusan_bad_quotes AS b "
        f"ON b.source_id = t.source_id AND b.q = t.{q} WHERE t._ok ORDER BY t._row",
        lambda s, text, row: Problem(
            "quote-not-found", f"quote is not in source {s}", name, row, column, text[:120]
        ),
    )


def _keys(store: SqlTables, problems: Problems) -> None:
    """Primary keys are unique; every foreign key names an existing row (``check_keys``)."""
    d = store.dialect
    for name, table in TABLES.items():
        pk, view = d.ident(table.primary_key), d.ident(name)

        def repeat(
            key: str, row: int, first: int, name: str = name, pk: str = table.primary_key
        ) -> Problem:
            return Problem("primary-key", f"{key!r} repeats row {first}", name, row, pk, key)

        capped(
            store,
            problems,
            name,
            "primary-key",
            f"SELECT t.{pk}, t._row, r._first FROM {view} AS t JOIN (SELECT {pk}, "
            f"min(_row) AS _first FROM {view} GROUP BY {pk} HAVING count(*) > 1) AS r "
            f"ON r.{pk} = t.{pk} WHERE t._row <> r._first ORDER BY t._row",
            repeat,
        )
    for name, table in TABLES.items():
        view = d.ident(name)
        for fk in table.foreign_keys:
            f, ref, target = d.ident(fk.field), d.ident(fk.ref), d.ident(fk.table)
            message = f"is not a {fk.ref} in {fk.table}"

            def absent(value: str, row: int, name: str = name, field: str = fk.field,
                       message: str = message) -> Problem:  # fmt: skip
                return Problem("foreign-key", f"{value!r} {message}", name, row, field, value)

            capped(
                store,
                problems,
                name,
                "foreign-key",
                f"SELECT t.{f}, t._row FROM {view} AS t WHERE t.{f} <> '' AND NOT EXISTS "
                f"(SELECT 1 FROM {target} AS k WHERE k.{ref} = t.{f}) ORDER BY t._row",
                absent,
            )


def _aliases(store: SqlTables, problems: Problems) -> None:
    """No entity appears in two rows under two spellings (``check_aliases``)."""
    d = store.dialect
    for name in ("people", "organizations", "places"):
        pk, view = d.ident(TABLES[name].primary_key), d.ident(name)
        norm = d.lower.format(
            "TRIM(" + d.replace_all.format("label", d.text(WHITESPACE_CLASS + "+"), "' '") + ")"
        )
        labels = (
            f"SELECT _row, {pk} AS ident, {d.ident('name')} AS label, 0 AS pos FROM {view} "
            f"WHERE _ok UNION ALL SELECT t._row, t.{pk}, a.item, a.pos FROM {view} AS t, "
            f"{d.items.format('t.aliases', 'a')} WHERE t._ok AND t.aliases <> ''"
        )
        sql = (
            f"WITH l AS ({labels}), "
            "u AS (SELECT _row, ident, label, min(pos) AS pos FROM l GROUP BY _row, ident, label), "
            f"n AS (SELECT u.*, {norm} AS norm FROM u), "
            "o AS (SELECT norm, ident AS o_id, _row AS o_row, "
            "row_number() OVER (PARTITION BY norm ORDER BY _row, pos) AS k FROM n) "
            "SELECT n._row, n.label, o.o_id, o.o_row FROM n JOIN o ON o.norm = n.norm AND o.k = 1 "
            "WHERE n.ident <> o.o_id ORDER BY n._row, n.pos"
        )

        def clash(row: int, label: str, o_id: str, o_row: int, name: str = name) -> Problem:
            return Problem(
                "duplicate-name",
                f"{label!r} also names {o_id!r} (row {o_row})",
                name,
                row,
                "aliases",
                label,
            )

        capped(store, problems, name, "duplicate-name", sql, clash)


def _attested(store: SqlTables, problems: Problems) -> None:
    """Every event, person, organisation and place is attested by a mention."""
    d = store.dialect
    for name in ("events", "people", "organizations", "places"):
        column = TABLES[name].primary_key
        c, view = d.ident(column), d.ident(name)

        def unattested(value: str, row: int, name: str = name, column: str = column) -> Problem:
            return Problem("unattested", f"no mention attests {value!r}", name, row, column, value)

        capped(
            store,
            problems,
            name,
            "unattested",
            f"SELECT t.{c}, t._row FROM {view} AS t WHERE NOT EXISTS "
            f"(SELECT 1 FROM mentions AS m WHERE m.{c} = t.{c}) ORDER BY t._row",
            unattested,
        )


def _intervals(store: SqlTables, problems: Problems) -> None:
    """lower, upper and bounds of every figure follow from its qualifier and value."""
    d = store.dialect
    vague = ", ".join(d.text(q) for q in sorted(VAGUE))
    lo, hi, b = interval_sql("v", "qualifier", d)
    base = (
        f"SELECT _row, qualifier, bounds, {d.num('value')} AS v, {d.num('lower')} AS lo, "
        f"{d.num('upper')} AS hi FROM figures WHERE _ok"
    )
    capped(
        store,
        problems,
        "figures",
        "interval-rule",
        f"SELECT qualifier, _row FROM ({base}) AS f WHERE v IS NULL "
        f"AND qualifier NOT IN ({vague}) ORDER BY _row",
        lambda q, row: Problem(
            "interval-rule", f"qualifier {q!r} needs a value", "figures", row, "value"
        ),
    )

    def wrong(row: int, q: str, v: Any, *cells: Any) -> Problem:
        got, want = cells[:3], cells[3:]
        return Problem(
            "interval-rule",
            f"interval {got} does not follow from {q} {v}: the rule gives {want}",
            "figures",
            row,
            "lower",
        )

    capped(
        store,
        problems,
        "figures",
        "interval-rule",
        "SELECT _row, qualifier, v, lo, hi, bounds, w_lo, w_hi, w_b FROM "
        f"(SELECT f.*, {lo} AS w_lo, {hi} AS w_hi, {b} AS w_b FROM ({base}) AS f) AS g "
        f"WHERE (v IS NOT NULL OR qualifier IN ({vague})) AND NOT (lo IS NOT DISTINCT FROM w_lo "
        "AND hi IS NOT DISTINCT FROM w_hi AND bounds = w_b) ORDER BY _row",
        wrong,
    )


def _links(store: SqlTables, problems: Problems) -> None:
    """A figure's parent and subset_of come from the same source."""
    for field in ("parent_id", "subset_of"):

        def cross(oid: str, osrc: str, src: str, row: int, field: str = field) -> Problem:
            return Problem(
                "cross-source-link",
                f"{field} {oid} is from source {osrc}, not {src}",
                "figures",
                row,
                field,
            )

        capped(
            store,
            problems,
            "figures",
            "cross-source-link",
            f"SELECT l.{field}, o.source_id, l.source_id, l._row FROM figures AS l "
            f"JOIN figures AS o ON o.figure_id = l.{field} WHERE l._ok AND o._ok "
            f"AND l.{field} <> '' AND l.source_id <> o.source_id ORDER BY l._row",
            cross,
        )


def _findings(store: SqlTables, problems: Problems) -> None:
    """The consistency findings, in polars, on the figures' valid rows (slim columns only)."""
    cols = ", ".join(store.dialect.ident(c) for c in FIGURE_COLUMNS)
    figures = store.frame(f"SELECT {cols}, _row, _ok FROM figures WHERE _ok ORDER BY _row")
    disc = store.frame(
        "SELECT finding_id, rule, figure_ids, _row, _ok FROM discrepancies WHERE _ok ORDER BY _row"
    )
    tables = {
        "figures": TableRows("figures", figures),
        "discrepancies": TableRows("discrepancies", disc),
    }
    problems.extend(check_findings(Package(Path(), {}, tables, Problems(None))))


#: Every check, in the order the other engines list their problems (``checks.run.CHECKS``).
SQL_CHECKS = (_keys, _aliases, _attested, _intervals, _links, _findings)


def run_sql_checks(store: SqlTables, max_per_code: int | None = MAX_PER_CODE) -> Problems:
    """Every check across rows and tables, as SQL over the tables in ``store``."""
    problems = Problems(max_per_code)
    for check in SQL_CHECKS:
        check(store, problems)
    return problems


def source_frame(store: SqlTables) -> pl.DataFrame:
    """The sources table (every row) as a polars frame, for the archived documents' check."""
    return store.frame("SELECT * FROM sources ORDER BY _row")
