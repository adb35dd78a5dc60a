"""The SQL engine: every table read by DuckDB, which spills to disk past its memory limit.

Each table's CSV is read by DuckDB's own reader (every column as text) into a database in a
temporary folder, with ``memory_limit`` and a temporary directory, so a package larger than
the memory is read and checked in bounded memory. Rows that may be invalid are flagged by SQL
generated from the same declarations the other engines read: the Table Schema of each model
(``field_sql``, as the fast engine's ``_field_flag``) and the declared row rules
(``Cond.sql``). Only the flagged rows are fetched and validated by pydantic (``row_problems``),
so the messages are the other engines' own; the invalid ones are marked ``_ok = FALSE`` and
the valid ones written back as the model normalises them.

A file DuckDB's reader refuses (a record of the wrong width, bytes that are not UTF-8, a stray
quote, a line longer than its 2 MB default: raising it to 16 MiB cost 36 MB of peak at 1M
rows), or one with a blank line (which DuckDB skips and the others report), is read by the
fast engine instead, as that engine reads it, and its frame loaded into the database: its
problems are then exactly the fast engine's.

Every table is a view ``<table>`` with ``_row`` (the record number, header = 1), the schema's
columns as text (empty cells as ``''``) and ``_ok``. The checks across rows and tables run as
SQL over these views (``zhusan.checks.sql``).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from zhusan.engines.frame import (
    BlockCheck,
    TableRows,
    canonical,
    check_header,
    columns,
    row_problems,
)
from zhusan.engines.read import absent_table, read_table_file, unreadable
from zhusan.files.descriptor import UnusableInput
from zhusan.files.links import open_file
from zhusan.files.paths import digest_problems, hash_algorithm
from zhusan.model.dates import PARTIAL_DATE_PATTERN
from zhusan.model.report import Problem, Problems
from zhusan.model.rules import rules_sql, undeclared_validators
from zhusan.model.sql import DUCKDB, Dialect
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import model_fields

#: DuckDB's memory limit when none is given.
MEMORY_LIMIT = "300MB"
#: A memory limit as DuckDB reads it: a number and a unit.
MEMORY_LIMIT_PATTERN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]i?B|B)\s*$", re.IGNORECASE)
#: Bytes in each unit of a memory limit, as DuckDB reads them (KB = 1000 B, KiB = 1024 B).
UNITS = {"B": 1} | {
    f"{p}{i}B": (1024 if i else 1000) ** (n + 1) for n, p in enumerate("KMGT") for i in ("", "I")
}
#: The share of its limit DuckDB keeps while Python checks what it fetched (``SqlTables.lent``).
SHARE = 0.25
#: Flagged rows fetched at a time for pydantic; marks and fixes written back at a time.
BATCH = 4096
#: Characters of archived documents' text loaded into the database at a time.
TEXT_BATCH = 1 << 23
#: The share of its limit DuckDB keeps in the steps where it was measured going past it: loading
#: those texts (appending long strings; at 5M rows, 582 MB with the whole of 300 MB, 489 MB with
#: half) and comparing the consistency findings with the discrepancies (``sql_findings``).
HALF = 0.5
#: Numbers, integers and dates as the fast engine reads them (``zhusan.engines.fast``).
NUMBER = (
    r"^(?:0|-?[1-9][0-9]{0,14})$"
    r"|^-?[1-9][0-9]{0,13}\.(?:[0-9]{0,12}[1-9])$"
    r"|^-?0\.0{0,3}[1-9](?:[0-9]{0,10}[1-9])?$"
)
INTEGER = r"^-?[0-9]{1,18}$"
SAFE_DATE = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|1[0-9]|2[0-8]))?)?$"
INSTALL = "pip install 'zhusan-data[duckdb]'"
#: Where an open file can be named by its descriptor (Linux); DuckDB reads a table through it.
FD_FOLDER = Path("/proc/self/fd")


class MissingDuckDB(ImportError):
    """The duckdb engine was asked for and the duckdb package is not installed."""


def duckdb_module() -> Any:
    """The duckdb module; ``MissingDuckDB`` (one line, saying how to install it) without it."""
    try:
        import duckdb
    except ImportError:
        raise MissingDuckDB(
            f"the duckdb engine needs the duckdb package, which is not installed ({INSTALL})"
        ) from None
    return duckdb


def memory_limit(text: str) -> str:
    """``text`` when it is a memory limit DuckDB reads (``300MB``, ``1.5GiB``); else ValueError."""
    if not MEMORY_LIMIT_PATTERN.match(text):
        raise ValueError(f"a memory limit is a number and a unit (300MB, 2GB), not {text!r}")
    return text.strip()


def limit_bytes(text: str) -> int:
    """The bytes of a memory limit (``memory_limit``'s text)."""
    match = MEMORY_LIMIT_PATTERN.match(memory_limit(text))
    assert match is not None
    return int(float(match[1]) * UNITS[match[2].upper()])


def field_sql(fd: dict[str, Any], d: Dialect = DUCKDB) -> str:
    """SQL true where the cell may break its field's type or constraints (``_field_flag``)."""
    c = d.ident(fd["name"])
    cons = fd.get("constraints", {})
    kind = fd["type"]
    bad = ["FALSE"]
    if kind == "list":
        bad.append(d.regex(c, r"^;|;;|;$"))
    elif kind in ("number", "integer"):
        bad.append(f"NOT {d.regex(c, NUMBER if kind == 'number' else INTEGER)}")
        num = d.num(c)
        if "minimum" in cons:
            bad.append(f"COALESCE({num} < {d.number(cons['minimum'])}, FALSE)")
        if "maximum" in cons:
            bad.append(f"COALESCE({num} > {d.number(cons['maximum'])}, FALSE)")
    elif kind == "boolean":
        bad.append(f"{c} NOT IN ('true', 'false')")
    else:
        if "enum" in cons:
            bad.append(f"{c} NOT IN ({', '.join(d.text(v) for v in cons['enum'])})")
        if "pattern" in cons:
            bad.append(f"NOT {d.regex(c, cons['pattern'])}")
            if cons["pattern"] == PARTIAL_DATE_PATTERN:
                bad.append(f"NOT {d.regex(c, SAFE_DATE)}")
        if "minLength" in cons:
            bad.append(f"{d.chars(c)} < {int(cons['minLength'])}")
        if "maxLength" in cons:
            bad.append(f"{d.chars(c)} > {int(cons['maxLength'])}")
    any_bad = "(" + " OR ".join(bad) + ")"
    if cons.get("required"):
        return f"({c} = '' OR {any_bad})"
    return f"({c} <> '' AND {any_bad})"


def flag_sql(name: str, d: Dialect = DUCKDB) -> str:
    """SQL true for every row of the table that may be invalid (a cell, or a declared rule)."""
    model = TABLES[name].model
    if undeclared_validators(model):
        return "TRUE"  # a rule with no declaration: every row goes to pydantic
    cells = " OR ".join(f"COALESCE({field_sql(fd, d)}, TRUE)" for fd in model_fields(model))
    return f"(({cells}) OR {rules_sql(model, d)})"


class SqlTables:
    """A DuckDB database in a temporary folder holding a package's tables as views.

    ``rows`` counts the records read per table; ``from_csv`` names the tables DuckDB read
    (the others came through the fast engine, their long text columns already dropped).
    """

    def __init__(self, limit: str = MEMORY_LIMIT, dialect: Dialect = DUCKDB) -> None:
        duckdb = duckdb_module()
        self.dialect = dialect
        self.folder = Path(tempfile.mkdtemp(prefix="zhusan-duckdb-"))
        self.rows: dict[str, int] = {}
        self.from_csv: set[str] = set()
        #: How many archived documents' texts ``zhusan_texts`` holds (``load_texts``).
        self.texts = 0
        #: The Python functions registered with the database (``create_function``).
        self.functions: set[str] = set()
        try:
            self.con = duckdb.connect(str(self.folder / "package.duckdb"))
            self.con.execute(f"SET memory_limit = {dialect.text(memory_limit(limit))}")
            self.con.execute(f"SET temp_directory = {dialect.text(str(self.folder / 'spill'))}")
            self.con.execute("SET preserve_insertion_order = true")
        except Exception:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.limit = limit
        self.error: type[Exception] = duckdb.Error
        self.out_of_memory: type[Exception] = duckdb.OutOfMemoryException

    @contextlib.contextmanager
    def holding(self, share: float) -> Iterator[None]:
        """DuckDB keeps to ``share`` of its limit while the context lasts; all of it after."""
        self.execute(f"SET memory_limit = '{int(limit_bytes(self.limit) * share)}B'")
        try:
            yield
        finally:
            self.execute(f"SET memory_limit = {self.dialect.text(self.limit)}")

    def lent(self) -> contextlib.AbstractContextManager[None]:
        """While Python checks what it fetched, DuckDB keeps to ``SHARE`` of its limit.

        DuckDB lets go of the pages it caches past that, so the two together stay near the
        limit: the memory is lent to Python, and given back after.
        """
        return self.holding(SHARE)

    @contextlib.contextmanager
    def one_thread(self) -> Iterator[None]:
        """DuckDB runs on one thread while the context lasts, as many as before after.

        A join over millions of keys then builds one hash table at a time, not one a thread
        (the keys at 5M rows: 534 MB with two threads, 481 MB with one).
        """
        threads = int(self.scalar("SELECT current_setting('threads')"))
        self.execute("SET threads = 1")
        try:
            yield
        finally:
            self.execute(f"SET threads = {threads}")

    def unusable(self, exc: Exception) -> UnusableInput:
        """Running out of the memory limit, as one line naming the limit."""
        return UnusableInput(
            f"the duckdb engine ran out of its memory limit ({self.limit}): raise "
            f"--memory-limit ({str(exc).splitlines()[0]})"
        )

    def execute(self, sql: str, params: list[Any] | None = None) -> Any:
        """Run one statement; running out of the memory limit is ``UnusableInput``."""
        try:
            return self.con.execute(sql, params or [])
        except self.out_of_memory as exc:
            raise self.unusable(exc) from None

    def all(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query's result."""
        rows: list[tuple[Any, ...]] = self.execute(sql, params).fetchall()
        return rows

    def scalar(self, sql: str) -> Any:
        """The one value of a query."""
        return self.all(sql)[0][0]

    def frame(self, sql: str) -> pl.DataFrame:
        """A query's result as a polars frame."""
        try:
            frame: pl.DataFrame = self.con.sql(sql).pl()
        except self.out_of_memory as exc:
            raise self.unusable(exc) from None
        return frame

    def frames(self, sql: str, size: int = 1 << 16) -> Iterator[pl.DataFrame]:
        """A query's rows as polars frames of at most ``size`` rows, on a cursor of its own."""
        cur = self.con.cursor()
        try:
            for batch in cur.sql(sql).to_arrow_reader(size):
                yield pl.DataFrame(pl.from_arrow(batch))
        except self.out_of_memory as exc:
            raise self.unusable(exc) from None
        finally:
            cur.close()

    def tuples(self, sql: str, size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """A query's rows, ``size`` at a time, on a cursor of its own."""
        for _, rows in self._stream(sql, size):
            yield rows

    def batches(self, sql: str, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        """A query's rows as dicts, ``size`` at a time, on a cursor of its own."""
        for names, rows in self._stream(sql, size):
            yield [dict(zip(names, r, strict=True)) for r in rows]

    def _stream(self, sql: str, size: int) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
        cur = self.con.cursor()
        try:
            cur.execute(sql)
            names = [c[0] for c in cur.description]
            while rows := cur.fetchmany(size):
                yield names, rows
        except self.out_of_memory as exc:
            raise self.unusable(exc) from None
        finally:
            cur.close()

    def load(self, name: str, frame: pl.DataFrame) -> None:
        """A polars frame (holding ``_row`` and ``_ok``) as the table ``name``."""
        d = self.dialect
        raw = d.ident(f"{name}__frame")
        self.con.register("zhusan_frame", frame.to_arrow())
        try:
            self.execute(f"CREATE TABLE {raw} AS SELECT * FROM zhusan_frame")
        finally:
            self.con.unregister("zhusan_frame")
        keep = [d.ident(c) for c in frame.columns if c not in ("_row", "_ok")]
        self.execute(
            f"CREATE VIEW {d.ident(name)} AS SELECT _row, {', '.join(keep)}, _ok FROM {raw}"
        )
        self.rows[name] = frame.height

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """The rows of a polars frame added to the table ``table`` (columns in its order)."""
        self.con.register("zhusan_rows", frame.to_arrow())
        try:
            self.execute(f"INSERT INTO {self.dialect.ident(table)} SELECT * FROM zhusan_rows")
        finally:
            self.con.unregister("zhusan_rows")

    def load_rows(self, table: str, data: dict[str, list[Any]]) -> None:
        """Columns of text as the table ``table`` (replaced when it exists)."""
        frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
        self.con.register("zhusan_rows", frame.to_arrow())
        try:
            self.execute(
                f"CREATE OR REPLACE TABLE {self.dialect.ident(table)} AS SELECT * FROM zhusan_rows"
            )
        finally:
            self.con.unregister("zhusan_rows")

    def load_texts(self, texts: Iterable[tuple[str, str]]) -> None:
        """The archived documents' texts, (source_id, text) pairs, as the table ``zhusan_texts``.

        Inserted ``TEXT_BATCH`` characters at a time as they come, so the texts are never all
        in Python at once; loaded once, for every table's quotes. ``texts`` counts them.
        """
        self.execute("CREATE OR REPLACE TABLE zhusan_texts (source_id VARCHAR, text VARCHAR)")
        self.texts = 0
        batch: dict[str, list[str]] = {"source_id": [], "text": []}
        size = 0

        def flush() -> None:
            self.append("zhusan_texts", pl.DataFrame(batch, schema=dict.fromkeys(batch, pl.String)))

        with self.holding(HALF):
            for sid, text in texts:
                batch["source_id"].append(sid)
                batch["text"].append(text)
                size += len(text)
                self.texts += 1
                if size >= TEXT_BATCH:
                    flush()
                    batch, size = {"source_id": [], "text": []}, 0
            if batch["text"]:
                flush()

    def text_dict(self) -> dict[str, str]:
        """The texts ``load_texts`` loaded, by source id (for a table the fast engine reads)."""
        return dict(self.all("SELECT source_id, text FROM zhusan_texts"))

    def close(self) -> None:
        """Close the database and remove its folder."""
        with contextlib.suppress(Exception):
            self.con.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _header(fh: io.BufferedReader) -> list[str] | None:
    """The header's names when DuckDB can be handed the file; None: the fast engine reads it."""
    head = os.pread(fh.fileno(), 1 << 16, 0)
    lines = head.splitlines()
    if not lines or (len(lines) < 2 and len(head) >= 1 << 16):
        return None  # no header, or one longer than 64 KiB
    try:
        text = lines[0].decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if '"' in text:
        return None
    return next(csv.reader(io.StringIO(text, newline="")), None)


#: Two line breaks in a row: a blank line (or a break inside a quoted cell: read by the fast
#: engine all the same).
_BLANK = (b"\n\n", b"\n\r", b"\r\r")


def _scan(resource: dict[str, Any], fh: io.BufferedReader, name: str) -> tuple[list[Problem], bool]:
    """The file's hash and size against the descriptor's, and whether it may hold a blank line."""
    algo = hash_algorithm(resource)
    h = hashlib.new(algo) if algo else None
    size, blank, last = 0, False, b""
    fh.seek(0)
    while chunk := fh.read(1 << 20):
        if h is not None:
            h.update(chunk)
        size += len(chunk)
        if not blank:
            seam = last + chunk[:1]
            blank = any(b in chunk or b in seam for b in _BLANK)
        last = chunk[-1:]
    return digest_problems(resource, h.hexdigest() if h else None, size, name), blank


def _load_csv(store: SqlTables, name: str, path: str, header: list[str]) -> None:
    """Read a CSV with DuckDB's reader into ``<name>__csv`` (cells as text, empty as '').

    ``path`` is that of a file already open (``/proc/self/fd/N``): no name of the package's
    own reaches DuckDB, whose reader would expand ``*``, ``?`` and ``[`` in it as a glob.
    """
    d = store.dialect
    types = ", ".join(f"{d.text(h)}: 'VARCHAR'" for h in header)
    cells = ", ".join(f"COALESCE({d.ident(c)}, '') AS {d.ident(c)}" for c in columns(name))
    raw = d.ident(f"{name}__csv")
    store.execute(
        f"CREATE TABLE {raw} AS SELECT {cells}, TRUE AS _ok FROM read_csv("
        f"{d.text(path)}, columns = {{{types}}}, header = true, delim = ',', quote = '\"', "
        "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, "
        "encoding = 'utf-8')"
    )
    record = d.record.format(raw)
    store.execute(f"CREATE VIEW {d.ident(name)} AS SELECT {record} AS _row, * FROM {raw}")


def _judge(store: SqlTables, name: str, problems: list[Problem]) -> None:
    """Validate the flagged rows with pydantic; mark the invalid ones, normalise the valid ones."""
    d = store.dialect
    cols = list(columns(name))
    view, raw = d.ident(name), d.ident(f"{name}__csv")
    listed = ", ".join(d.ident(c) for c in cols)
    fix_schema = {"_row": pl.Int64} | dict.fromkeys(cols, pl.String)
    store.execute("CREATE OR REPLACE TABLE zhusan_bad (_row BIGINT)")
    store.execute(
        "CREATE OR REPLACE TABLE zhusan_fix (_row BIGINT, "
        + ", ".join(f"{d.ident(c)} VARCHAR" for c in cols)
        + ")"
    )
    bad: list[int] = []
    fixes: list[dict[str, Any]] = []
    writer = store.con.cursor()

    def insert(table: str, frame: pl.DataFrame) -> None:
        writer.register("zhusan_rows", frame.to_arrow())
        try:
            writer.execute(f"INSERT INTO {table} SELECT * FROM zhusan_rows")
        finally:
            writer.unregister("zhusan_rows")

    def flush() -> None:
        if bad:
            insert("zhusan_bad", pl.DataFrame({"_row": bad}, schema={"_row": pl.Int64}))
            bad.clear()
        if fixes:
            insert("zhusan_fix", pl.DataFrame(fixes, schema=fix_schema, orient="row"))
            fixes.clear()

    flagged = f"SELECT _row, {listed} FROM {view} WHERE {flag_sql(name, d)} ORDER BY _row"
    try:
        for rows in store.batches(flagged):
            for row in rows:
                number = row.pop("_row")
                model, errs = row_problems(name, number, row)
                problems += errs
                if model is None:
                    bad.append(number)
                    continue
                cells = canonical(name, model)
                if cells != row:
                    fixes.append({"_row": number} | cells)
            if len(bad) + len(fixes) >= BATCH:
                flush()
        flush()
    finally:
        writer.close()
    record = d.record.format("t")
    store.execute(
        f"MERGE INTO {raw} AS t USING zhusan_bad AS b ON {record} = b._row "
        "WHEN MATCHED THEN UPDATE SET _ok = FALSE"
    )
    sets = ", ".join(f"{d.ident(c)} = f.{d.ident(c)}" for c in cols)
    store.execute(
        f"MERGE INTO {raw} AS t USING zhusan_fix AS f ON {record} = f._row "
        f"WHEN MATCHED THEN UPDATE SET {sets}"
    )


def read_sql_tables(
    resources: dict[str, dict[str, Any]],
    paths: dict[str, Path],
    problems: Problems,
    limit: str,
    progress: Callable[[str, int, float], None] | None,
    check_block: BlockCheck,
    after_table: Callable[[TableRows], list[Problem]],
    check_table: Callable[[SqlTables, str, Problems], None],
) -> SqlTables:
    """Every table of ``TABLES`` in a DuckDB database; problems go to ``problems``.

    A table DuckDB reads is checked by ``check_table`` once its rows are judged (the quotes,
    in practice); a table the fast engine reads instead is checked by ``check_block`` and
    ``after_table``, as that engine's tables are.
    """
    store = SqlTables(limit)
    try:
        for name in TABLES:
            table = absent_table(name, resources, paths, problems)
            if table is None:
                found = Problems(problems.limit)
                try:
                    read = _read_with_duckdb(store, name, resources[name], paths[name], found)
                except OSError as exc:  # unreadable (permissions, I/O, a file swapped for a link)
                    raise unreadable(name, resources[name], exc) from None
                if read:
                    store.from_csv.add(name)
                    _judge(store, name, found)
                    check_table(store, name, found)
                    problems += found
                    view = store.dialect.ident(name)
                    store.rows[name] = int(store.scalar(f"SELECT count(*) FROM {view}"))
                else:
                    table = read_table_file(
                        name, resources[name], paths[name], "fast", False, progress, problems,
                        check_block,
                    )  # fmt: skip
            if table is not None:
                store.load(name, table.frame)
                problems += after_table(table)
            if progress is not None:
                progress(name, store.rows[name], 1.0)
    except BaseException:
        store.close()
        raise
    return store


def _read_with_duckdb(
    store: SqlTables, name: str, resource: dict[str, Any], path: Path, found: Problems
) -> bool:
    """Read the file into the database; False when the fast engine must read it instead.

    The file is opened as the other engines open it (``open_file``: a regular file, no final
    link), and DuckDB reads that very open file through ``/proc/self/fd``; a file swapped in
    after the open is not read. Without ``/proc`` (not Linux) the fast engine reads every table.
    OSError when the file cannot be read.
    """
    if not FD_FOLDER.is_dir():
        return False
    with open_file(path) as fh:
        header = _header(fh)
        if header is None:
            return False
        header_problems = check_header(name, header)
        if any(p.code != "extra-column" for p in header_problems):
            return False
        with ThreadPoolExecutor(max_workers=1) as pool:
            scanned = pool.submit(_scan, resource, fh, name)
            try:
                _load_csv(store, name, f"{FD_FOLDER}/{fh.fileno()}", header)
                loaded = True
            except store.error:  # refused by DuckDB's reader (running out of memory is not)
                loaded = False
            hashed, blank = scanned.result()
    if not loaded or blank:
        d = store.dialect
        store.execute(f"DROP VIEW IF EXISTS {d.ident(name)}")
        store.execute(f"DROP TABLE IF EXISTS {d.ident(name + '__csv')}")
        return False
    found += hashed
    found += header_problems
    return True


def kept_rows(
    store: SqlTables, problems: Problems, table: str, code: str, sql: str
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of one query (ordered as they are to be kept), up to the cap, a batch at a time.

    The rows are streamed ``BATCH`` at a time, never all held; past what ``problems`` still
    keeps of ``code`` in ``table``, rows are counted in SQL, not fetched, and the count goes to
    ``problems.not_kept`` once the kept rows are handed out.
    """
    room = problems.room(table, code)
    if room is not None and room >= 1 << 62:
        room = None  # no engine counts that far: no limit
    handed = 0
    for batch in store.tuples(sql if room is None else f"{sql} LIMIT {room + 1}"):
        if room is not None and handed + len(batch) > room:
            batch = batch[: room - handed]
            if batch:
                yield batch
            total = int(store.scalar(f"SELECT count(*) FROM ({sql}) AS q"))
            problems.not_kept(code, total - room)
            return
        handed += len(batch)
        yield batch


def capped(
    store: SqlTables,
    problems: Problems,
    table: str,
    code: str,
    sql: str,
    make: Callable[..., Problem],
) -> None:
    """The problems of one query's kept rows (``kept_rows``); ``make`` builds one from a row."""
    for batch in kept_rows(store, problems, table, code, sql):
        problems.extend(make(*row) for row in batch)
