"""Internal: a package read, checked and reported: what ``validate`` and ``load`` do.

``read_package`` reads the descriptor (local, or fetching remote resources when allowed),
keeps every resource path inside the package folder, and reads each table with the engine
asked for, checking quotes block by block against the archived documents. The duckdb engine
reads the tables into a DuckDB database instead, and the checks across tables run there as SQL
(``checks.sql``).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import polars as pl

from zhusan.checks.derived import check_derived
from zhusan.checks.descriptor import descriptor_problems
from zhusan.checks.quotes import quote_problems
from zhusan.checks.run import run_checks
from zhusan.engines.duck import MEMORY_LIMIT
from zhusan.engines.frame import Engine, Package, TableRows
from zhusan.engines.read import read_tables
from zhusan.files.descriptor import UnusableInput, read_descriptor
from zhusan.files.paths import resource_map, safe_resource_path
from zhusan.files.remote import MAX_REMOTE_BYTES, fetch_all, is_remote
from zhusan.files.seeds import each_source_text, source_texts
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import ESTIMATES
from zhusan.model.report import MAX_PER_CODE, Problem, Problems, Report
from zhusan.model.tables import TABLES

_ORDER = {name: i for i, name in enumerate([*TABLES, ESTIMATES])}


def _key(p: Problem) -> tuple[int, int, str, str, str]:
    return (_ORDER.get(p.table or "", -1), p.row or 0, p.field or "", p.code, p.message)


class InvalidPackage(Exception):
    """Raised by ``load`` when rows do not match the schema; ``report`` says where."""

    def __init__(self, report: Report) -> None:
        first = report.problems[0] if report.problems else "no detail"
        super().__init__(f"{len(report.problems)} problems, first: {first}")
        self.report = report


def read_package(
    descriptor_path: Path,
    engine: Engine = "fast",
    keep_models: bool = False,
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_remote_bytes: int = MAX_REMOTE_BYTES,
    max_per_code: int | None = MAX_PER_CODE,
    memory_limit: str = MEMORY_LIMIT,
) -> Package:
    """Read the descriptor and every table; problems collected, UnusableInput raised.

    Resources at http(s) URLs are refused unless ``allow_remote``; then they are downloaded
    first, each at most ``max_remote_bytes``. Of each code in each table, the first
    ``max_per_code`` problems are kept and the rest counted (``Problems``). With the duckdb
    engine, DuckDB holds the tables (within ``memory_limit``, spilling to disk past it) and
    the package must be closed (``Package.close``).
    """
    descriptor = read_descriptor(descriptor_path)
    root = descriptor_path.parent
    resources = resource_map(descriptor)
    urls = {n: resources[n]["path"] for n in TABLES if is_remote(resources.get(n, {}).get("path"))}
    if urls and not allow_remote:
        name, url = next(iter(urls.items()))
        raise UnusableInput(
            f"resource {name!r}: path {url!r} is remote; nothing was fetched "
            "(pass --allow-remote, or allow_remote=True, to fetch it)"
        )
    paths = {
        n: safe_resource_path(root, resources[n].get("path"), n)
        for n in TABLES
        if n in resources and n not in urls
    }
    texts: dict[str, str] = {}

    def check_block(name: str, frame: pl.DataFrame) -> list[Problem]:
        return quote_problems(name, frame, texts)

    def after_table(table: TableRows) -> list[Problem]:
        if table.name != "sources":
            return []
        found, seed_problems = source_texts(root, table.frame)
        texts.update(found)
        return [*seed_problems, *quote_problems("sources", table.frame, texts)]

    with contextlib.ExitStack() as stack:
        if urls:  # downloaded into a folder that lives as long as the tables are read
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="zhusan-remote-"))
            paths |= fetch_all(urls, Path(tmp), max_remote_bytes)
        problems = Problems(max_per_code)
        problems += descriptor_problems(descriptor, root)
        if engine == "duckdb":
            from zhusan.checks.sql import quote_sql, source_frame
            from zhusan.engines.duck import SqlTables, read_sql_tables

            # The texts live in the database, not here: a table the fast engine reads instead
            # (one DuckDB's reader refuses) fetches them back (``text_dict``).
            stores: list[SqlTables] = []

            def check_table(store: SqlTables, name: str, found: Problems) -> None:
                stores[:] = [store]
                if name == "sources":
                    seed_problems: list[Problem] = []
                    store.load_texts(each_source_text(root, source_frame(store), seed_problems))
                    found += seed_problems
                elif texts and not store.texts:  # the sources were read by the fast engine
                    store.load_texts(texts.items())
                quote_sql(store, name, found)

            def sql_block(name: str, frame: pl.DataFrame) -> list[Problem]:
                if not texts and stores and stores[0].texts:
                    texts.update(stores[0].text_dict())
                return quote_problems(name, frame, texts)

            store = read_sql_tables(
                resources, paths, problems, memory_limit, progress, sql_block, after_table,
                check_table,
            )  # fmt: skip
            return Package(root, descriptor, {}, problems, store)
        tables = read_tables(
            resources, paths, engine, keep_models, progress, problems, check_block, after_table
        )
        return Package(root, descriptor, tables, problems)


def validate_package(
    descriptor: Path,
    engine: Engine = "fast",
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_per_code: int | None = MAX_PER_CODE,
    memory_limit: str = MEMORY_LIMIT,
) -> Report:
    """Every problem of the package at ``descriptor``, sorted by table, row and field."""
    pkg = read_package(
        descriptor,
        engine=engine,
        progress=progress,
        allow_remote=allow_remote,
        max_per_code=max_per_code,
        memory_limit=memory_limit,
    )
    problems = Problems(max_per_code)
    problems += pkg.problems
    try:
        if pkg.store is not None:
            from zhusan.checks.sql import run_sql_checks

            checked = run_sql_checks(pkg, max_per_code)
        else:
            checked = run_checks(pkg, max_per_code), check_derived(pkg)
    finally:
        pkg.close()
    problems += checked[0]
    problems += checked[1].problems
    report = Report(
        str(descriptor),
        pkg.rows() | checked[1].rows,
        dropped=dict(sorted(problems.dropped.items())),
    )
    report.problems.extend(sorted(problems, key=_key))
    return report


def load_dataset(descriptor: Path) -> Dataset:
    """The package at ``descriptor`` as models; ``InvalidPackage`` when a row or file is wrong.

    A derived table the descriptor lists (``estimates``) must be what the figures give.
    """
    pkg = read_package(descriptor, engine="pydantic", keep_models=True)
    derived = check_derived(pkg)
    if pkg.problems or derived.problems:
        rows = {n: t.frame.height for n, t in pkg.tables.items()} | derived.rows
        found = sorted([*pkg.problems, *derived.problems], key=_key)
        report = Report(str(descriptor), rows, found, dict(pkg.problems.dropped))
        raise InvalidPackage(report)
    tables = {f.name: tuple(pkg.tables[f.name].models.values()) for f in fields(Dataset)}
    return Dataset(**tables)  # type: ignore[arg-type]


def validate_and_load(
    descriptor: Path, allow_remote: bool = False
) -> tuple[Report, Dataset | None]:
    """The package's report and, when every row matches its model, its dataset: one read.

    What ``export`` and ``report`` use: the dataset is None when a row, a file or a derived
    table is wrong (nothing can be written from it); otherwise it is given even when other
    checks fail (keys, quotes, findings), so that ``--allow-invalid`` can write it.
    """
    pkg = read_package(descriptor, engine="pydantic", keep_models=True, allow_remote=allow_remote)
    problems = Problems(None)
    problems += pkg.problems
    problems += run_checks(pkg, None)
    derived = check_derived(pkg)
    problems += derived.problems
    rows = {n: t.frame.height for n, t in pkg.tables.items()} | derived.rows
    report = Report(str(descriptor), rows, sorted(problems, key=_key))
    if pkg.problems or derived.problems:
        return report, None
    tables = {f.name: tuple(pkg.tables[f.name].models.values()) for f in fields(Dataset)}
    return report, Dataset(**tables)  # type: ignore[arg-type]
