"""Internal: the checks across rows and tables as SQL, over the duckdb engine's tables.

The same checks as ``keys``, ``names``, ``quotes``, ``intervals`` and ``links``, written as
engine-neutral SQL (joins, group-bys, anti-joins, window functions; what standard SQL cannot
say goes through the store's ``Dialect``), with the same codes, rows, fields and messages. Of
each code in each table, at most the problems still kept (``Problems.room``) are fetched, with
``LIMIT``; the rest are only counted. Two steps are Python called from SQL: names are compared
by ``name_key`` (a DuckDB Python function, once per distinct label), and the few figures whose
interval SQL finds wrong as floats, or whose scaled value is not whole, are judged again in
decimals (``interval_problems``).

The checks that walk a graph or read text (parent cycles, derived values' arithmetic) and the
derived tables (``estimates``) run as the other engines run them, in polars and Python, on slim
tables: only the columns each reads (``PYTHON_CHECKS``). The consistency findings run as the
other engines run them too, one part of the figures at a time (``sql_findings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from zhusan.checks.cycles import PARENTS, check_cycles
from zhusan.checks.derivations import COLUMNS as DERIVATION_COLUMNS
from zhusan.checks.derivations import check_derivations
from zhusan.checks.derived import FIGURE_COLUMNS as ESTIMATE_COLUMNS
from zhusan.checks.derived import Derived, check_derived
from zhusan.checks.intervals import interval_problems
from zhusan.checks.quotes import QUOTED
from zhusan.checks.sql_findings import sql_findings
from zhusan.engines.duck import SqlTables, capped
from zhusan.engines.frame import Package, TableRows
from zhusan.files.paths import resource_map
from zhusan.model.estimates import ESTIMATES
from zhusan.model.intervals import RULES, VAGUE, interval_sql, is_scaled
from zhusan.model.report import MAX_PER_CODE, Problem, Problems
from zhusan.model.sql import Dialect
from zhusan.model.tables import TABLES
from zhusan.model.text import name_key


def quote_sql(store: SqlTables, name: str, problems: Problems) -> None:
    """Every quote of a table DuckDB read is found (whitespace collapsed) in its source.

    The texts are those ``SqlTables.load_texts`` put in the database. A quote found verbatim
    in the collapsed text is found once collapsed too, so the distinct (source, quote) pairs
    not found verbatim are collapsed (``Dialect.fold``, as ``collapse``) and looked for again.
    """
    column = QUOTED.get(name)
    if column is None or not store.texts or name not in store.from_csv:
        return
    d = store.dialect
    q, view = d.ident(column), d.ident(name)
    store.execute(
        "CREATE OR REPLACE TABLE zhusan_bad_quotes AS SELECT p.source_id, p.q FROM "
        f"(SELECT DISTINCT source_id, {q} AS q FROM {view} WHERE _ok AND {q} <> '') AS p "
        "JOIN zhusan_texts AS x ON x.source_id = p.source_id "
        f"WHERE POSITION(p.q IN x.text) = 0 AND POSITION({d.fold('p.q')} IN x.text) = 0"
    )
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
    """Primary keys are unique; every foreign key names an existing row (``check_keys``).

    On one thread: the joins over every key hold one hash table at a time (``one_thread``).
    """
    with store.one_thread():
        _key_joins(store, problems)


def _key_joins(store: SqlTables, problems: Problems) -> None:
    """The joins of ``_keys``."""
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

            # A list column: each item refers to a row (in the order written).
            cells = (
                f"SELECT t._row, a.item AS v, a.pos FROM {view} AS t, "
                f"{d.items.format(f't.{f}', 'a')} WHERE t.{f} <> ''"
                if fk.many
                else f"SELECT _row, {f} AS v, 0 AS pos FROM {view}"
            )
            capped(
                store,
                problems,
                name,
                "foreign-key",
                f"SELECT c.v, c._row FROM ({cells}) AS c WHERE c.v <> '' AND NOT EXISTS "
                f"(SELECT 1 FROM {target} AS k WHERE k.{ref} = c.v) ORDER BY c._row, c.pos",
                absent,
            )


def _name_key(store: SqlTables) -> str:
    """The SQL function comparing names: ``name_key`` (NFKC, look-alikes), a Python UDF."""
    function = "zhusan_name_key"
    if function not in store.functions:
        store.con.create_function(function, name_key, ["VARCHAR"], "VARCHAR", side_effects=False)
        store.functions.add(function)
    return function


def _aliases(store: SqlTables, problems: Problems) -> None:
    """No entity appears in two rows under two spellings (``check_aliases``).

    Names are compared by ``name_key`` (NFKC, invisible characters, look-alike letters), a
    Python function DuckDB calls once per distinct label.
    """
    d = store.dialect
    key = _name_key(store)
    for name in ("people", "organizations", "places"):
        pk, view = d.ident(TABLES[name].primary_key), d.ident(name)
        labels = (
            f"SELECT _row, {pk} AS ident, {d.ident('name')} AS label, 0 AS pos FROM {view} "
            f"WHERE _ok UNION ALL SELECT t._row, t.{pk}, a.item, a.pos FROM {view} AS t, "
            f"{d.items.format('t.aliases', 'a')} WHERE t._ok AND t.aliases <> ''"
        )
        sql = (
            f"WITH l AS ({labels}), "
            "u AS (SELECT _row, ident, label, min(pos) AS pos FROM l GROUP BY _row, ident, label), "
            "k AS (SELECT label, "
            f"{key}(label) AS norm FROM (SELECT DISTINCT label FROM u) AS x), "
            "n AS (SELECT u.*, k.norm FROM u JOIN k ON k.label = u.label), "
            "o AS (SELECT norm, ident AS o_id, _row AS o_row, "
            "row_number() OVER (PARTITION BY norm ORDER BY _row, pos) AS k FROM n) "
            "SELECT n._row, n.label, o.o_id, o.o_row FROM n JOIN o ON o.norm = n.norm AND o.k = 1 "
            "WHERE n.ident <> o.o_id ORDER BY n._row, n.pos"
        )

        def clash(row: int, label: str, o_id: str, o_row: int, name: str = name) -> Problem:
            # A look-alike letter or an invisible one shows only when written as an escape.
            spelled = "" if label.isascii() else f" (written {label!a})"
            return Problem(
                "duplicate-name",
                f"{label!r} also names {o_id!r} (row {o_row}){spelled}",
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
    """lower, upper and bounds of every figure follow from its qualifier and value.

    SQL keeps the rows whose bounds differ from the rule's as floats, and those whose scaled
    value is not a whole number; Python judges these again in decimals (``interval_problems``).
    """
    d = store.dialect
    vague = ", ".join(d.text(q) for q in sorted(VAGUE))
    scaled = ", ".join(d.text(q) for q in RULES if is_scaled(q))
    lo, hi, b = interval_sql("v", "qualifier", d)
    base = (
        f"SELECT _row, value, lower, upper, qualifier, bounds, {d.num('value')} AS v, "
        f"{d.num('lower')} AS lo, {d.num('upper')} AS hi FROM figures WHERE _ok"
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
    maybe = (
        "SELECT value, lower, upper, qualifier, bounds, _row FROM "
        f"(SELECT f.*, {lo} AS w_lo, {hi} AS w_hi, {b} AS w_b FROM ({base}) AS f) AS g "
        f"WHERE (v IS NOT NULL OR qualifier IN ({vague})) AND (NOT (lo IS NOT DISTINCT FROM w_lo "
        "AND hi IS NOT DISTINCT FROM w_hi AND bounds = w_b) "
        f"OR COALESCE(qualifier IN ({scaled}) AND v <> floor(v), FALSE)) ORDER BY _row"
    )
    for rows in store.batches(maybe):
        for row in rows:
            problems.extend(interval_problems(row))


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


_PARENTS = {table: [TABLES[table].primary_key] for table, _ in PARENTS}
for _table, _column in PARENTS:
    _PARENTS[_table].append(_column)
#: Of each table a check reads: its columns, and SQL true for the rows it needs (of the valid
#: rows, or of every row where the check itself tells valid from invalid).
Slim = dict[str, tuple[list[str], str]]
PythonCheck = tuple[Callable[[Package], Iterator[Problem]], Callable[[Dialect], Slim]]
#: The checks run in Python, each with what it reads (``_slim``, valid rows only): the cycles
#: read the rows that have a parent; a derived value reads the figures it is derived from.
#: The other rows are not fetched.
PYTHON_CHECKS: tuple[PythonCheck, ...] = (
    (
        check_cycles,  # only a row with a parent can lie on a cycle
        lambda d: {
            t: (cols, " OR ".join(f"{d.ident(c)} <> ''" for c in cols[1:]))
            for t, cols in _PARENTS.items()
        },
    ),
    (
        check_derivations,
        lambda d: {
            "figures": (
                list(DERIVATION_COLUMNS),
                "(derivation = 'derived' AND derived_from <> '') OR figure_id IN "
                f"(SELECT a.item FROM figures AS t, {d.items.format('t.derived_from', 'a')} "
                "WHERE t._ok AND t.derived_from <> '')",
            )
        },
    ),
)


def _derived_slim(d: Dialect, listed: bool) -> Slim:
    """What the derived tables' check (``check_derived``) reads, of every row.

    The estimates read the figures of persons with a group, and whether every figure is valid;
    without an estimates resource (``listed``), no figure.
    """
    persons = f"NOT _ok OR (unit = 'persons' AND {d.ident('group')} <> '')" if listed else "FALSE"
    return {
        "figures": (list(ESTIMATE_COLUMNS), persons),
        "sources": (["source_id", "interest"], "TRUE"),
    }


def _slim(store: SqlTables, slim: Slim, valid: bool) -> Package:
    """A package of slim tables: only the columns and rows of ``slim``; valid ones if ``valid``."""
    d = store.dialect
    tables = {}
    for name, (cols, where) in slim.items():
        listed = ", ".join(d.ident(c) for c in cols)
        ok = "_ok AND " if valid else ""
        sql = f"SELECT {listed}, _row, _ok FROM {d.ident(name)} WHERE {ok}({where}) ORDER BY _row"
        tables[name] = TableRows(name, store.frame(sql))
    return Package(Path(), {}, tables, Problems(None))


#: The checks in SQL, in the order the other engines list their problems (``checks.run.CHECKS``);
#: the cycles and derived values follow, in Python (``PYTHON_CHECKS``).
SQL_CHECKS = (_keys, _aliases, _attested, _intervals, _links, sql_findings)


def run_sql_checks(
    pkg: Package, max_per_code: int | None = MAX_PER_CODE
) -> tuple[Problems, Derived]:
    """Every check across rows and tables in ``pkg.store``, and the derived tables beside them.

    The checks in Python read slim tables, fetched for each check and let go after it, so
    the memory they hold is that of the widest, not of all. The derived tables
    (``check_derived``) are checked as the other engines check them.
    """
    store = pkg.store
    assert store is not None
    problems = Problems(max_per_code)
    for check in SQL_CHECKS:
        check(store, problems)
    with store.lent():
        for python_check, slim_of in PYTHON_CHECKS:
            found = Problems(max_per_code)
            found.extend(python_check(_slim(store, slim_of(store.dialect), valid=True)))
            problems += found
        listed = ESTIMATES in resource_map(pkg.descriptor)
        slim = _slim(store, _derived_slim(store.dialect, listed), valid=False)
        derived = check_derived(Package(pkg.root, pkg.descriptor, slim.tables, Problems(None)))
    return problems, derived


def source_frame(store: SqlTables) -> pl.DataFrame:
    """The sources table (every row) as a polars frame, for the archived documents' check."""
    return store.frame("SELECT * FROM sources ORDER BY _row")
