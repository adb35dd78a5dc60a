"""Reading a package from disk into frames (and models), collecting problems instead of failing.

Every table becomes a polars frame of its cells as strings, with ``_row`` (the record number,
header = 1) and ``_ok`` (the row matches its model). Valid rows carry their cells as the model
normalises them. Two engines fill it: ``pydantic`` validates every row with its model;
``fast`` (``zhusan.fastrows``) checks whole columns at once and asks pydantic only about the rows
it flags. Both report the same problems; a differential test proves it. The fast engine holds
a table's valid rows first and its invalid rows after them, so frames are in file order only
when sorted by ``_row``.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ValidationError

from zhusan.csvio import format_cell, parse_cell
from zhusan.models import TABLES
from zhusan.package import UnusableInput, read_descriptor
from zhusan.remote import MAX_REMOTE_BYTES, fetch_all, is_remote, shown
from zhusan.report import MAX_PER_CODE, Problem, Problems
from zhusan.tableschema import model_fields

Engine = Literal["fast", "pydantic"]
#: The longest line read (the fast engine's block size); longer ones are refused unread.
MAX_RECORD = 16 << 20
#: The most columns a table's header may have; a wider table is refused unread.
MAX_COLUMNS = 1024
#: Columns no check reads once each row and its quote are checked; dropped to keep memory
#: small (long texts: a discrepancy's explanation is most of its row).
DROPPED = ("quote", "note", "explanation", "date_basis")


@dataclass
class TableRows:
    """One table as read: its frame, and its models when they were asked for."""

    name: str
    frame: pl.DataFrame
    models: dict[int, BaseModel] = field(default_factory=dict)


@dataclass
class Package:
    """A package as read from disk."""

    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, TableRows]
    problems: Problems


@functools.cache
def columns(name: str) -> dict[str, str]:
    """Column name -> Table Schema type of a table, in model order."""
    return {f["name"]: f["type"] for f in model_fields(TABLES[name].model)}


def empty_frame(name: str) -> pl.DataFrame:
    """A frame with the table's columns and no rows."""
    schema: dict[str, Any] = dict.fromkeys(columns(name), pl.String)
    return pl.DataFrame(schema=schema | {"_row": pl.Int64, "_ok": pl.Boolean})


def safe_resource_path(root: Path, value: object, name: str) -> Path:
    """The file a resource path names; UnusableInput for anything outside the package folder."""
    if not isinstance(value, str) or not value:
        raise UnusableInput(f"resource {name!r}: path must be a non-empty string")
    if "://" in value or value.startswith(("/", "\\")) or ":" in value.split("/")[0]:
        raise UnusableInput(f"resource {name!r}: path {value!r} is not a relative local path")
    if ".." in PurePosixPath(value).parts or "\\" in value:
        raise UnusableInput(f"resource {name!r}: path {value!r} leaves the package folder")
    if "\x00" in value:
        raise UnusableInput(f"resource {name!r}: path {value!r} holds a NUL byte")
    try:
        target = (root / value).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise UnusableInput(
            f"resource {name!r}: path {value!r} cannot be resolved: {exc}"
        ) from None
    if not target.is_relative_to(root.resolve()):
        raise UnusableInput(f"resource {name!r}: path {value!r} points outside the package folder")
    return target


def _is_file(path: Path) -> bool:
    """``path`` is a file; False also for a name the system refuses (too long, say)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resource_map(descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise UnusableInput("datapackage.json: 'resources' must be a list")
    out = {}
    for res in resources:
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise UnusableInput("datapackage.json: every resource must be an object with a name")
        out[res["name"]] = res
    return out


def hash_algorithm(res: dict[str, Any]) -> str | None:
    """The algorithm of a resource's declared hash (md5 when it names none); None if none."""
    want = res.get("hash")
    if not isinstance(want, str):
        return None
    algo = want.rpartition(":")[0] or "md5"
    return algo if algo in ("md5", "sha1", "sha256", "sha512") else None


def digest_problems(
    res: dict[str, Any], hexdigest: str | None, size: int, table: str
) -> list[Problem]:
    """A file's hash (by ``hash_algorithm``) and byte count against its descriptor's."""
    out: list[Problem] = []
    want, declared = res.get("hash"), res.get("bytes")
    if isinstance(want, str):
        algo, _, digest = want.rpartition(":")
        if hash_algorithm(res) is None:
            out.append(Problem("resource-hash", f"unsupported hash algorithm {algo!r}", table))
        elif hexdigest != digest.lower():
            out.append(
                Problem(
                    "resource-hash",
                    f"{algo or 'md5'} of the file does not match the descriptor",
                    table,
                )
            )
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != size:
        out.append(
            Problem(
                "resource-bytes", f"file has {size} bytes, the descriptor says {declared}", table
            )
        )
    return out


def _digest(res: dict[str, Any], path: Path, table: str) -> list[Problem]:
    """A resource against its descriptor's hash and byte count, in one pass over the file."""
    algo = hash_algorithm(res)
    h, n = (hashlib.new(algo) if algo else None), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if h is not None:
                h.update(chunk)
            n += len(chunk)
    return digest_problems(res, h.hexdigest() if h else None, n, table)


def _too_long(path: Path, table: str) -> Problem | None:
    """A problem when the file has a run of more than ``MAX_RECORD`` bytes without a line break.

    Such a table is refused unread, so memory stays bounded. The file is read in 4 MiB blocks
    and measured as ``zhusan.blocks`` measures the blocks pyarrow reads; it stops at the first
    line too long.
    """
    from zhusan.blocks import LineRun

    buf = bytearray(4 << 20)
    lines, longest = LineRun(), 0
    with path.open("rb", buffering=0) as fh:
        while longest <= MAX_RECORD and (n := fh.readinto(buf)):
            longest = max(longest, lines.feed(memoryview(buf)[:n]))
    if longest <= MAX_RECORD:
        return None
    return Problem(
        "record-too-long",
        f"a line is longer than {MAX_RECORD} bytes: the table is refused unread",
        table,
    )


def check_header(name: str, header: list[str]) -> list[Problem]:
    """Missing, extra and duplicate columns of a table's header row.

    A header of more than ``MAX_COLUMNS`` columns is one ``too-many-columns`` problem, and the
    table is not read (every column past the schema's is an error anyway).
    """
    if len(header) > MAX_COLUMNS:
        return [
            Problem(
                "too-many-columns",
                f"the header has {len(header)} columns, more than the {MAX_COLUMNS} read: "
                "the table is refused unread",
                name,
                1,
            )
        ]
    kinds = columns(name)
    counts = Counter(header)
    out = [
        Problem("missing-column", "column is missing from the header", name, 1, f)
        for f in kinds
        if f not in counts
    ]
    out += [
        Problem("extra-column", "column is not in the schema", name, 1, h)
        for h in header
        if h not in kinds
    ]
    out += [
        Problem("duplicate-column", "column appears twice in the header", name, 1, h)
        for h in sorted(h for h, n in counts.items() if n > 1)
    ]
    return out


def row_problems(
    name: str, number: int, cells: dict[str, str]
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate one row with its model: the model, or the problems pydantic reports."""
    kinds = columns(name)
    data = {k: parse_cell(v, kinds[k]) for k, v in cells.items()}
    try:
        return TABLES[name].model.model_validate(data), []
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = str(err["loc"][0]) if err["loc"] else None
            out.append(
                Problem(
                    "row-rule" if loc is None else "cell-error",
                    err["msg"],
                    name,
                    number,
                    loc,
                    cells.get(loc) if loc else None,
                )
            )
        return None, out


def canonical(name: str, model: BaseModel) -> dict[str, str]:
    """A valid row's cells as the model normalises them."""
    return {k: format_cell(getattr(model, k)) for k in columns(name)}


def to_frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A frame from row dicts holding the table's columns, ``_row`` and ``_ok``."""
    if not rows:
        return empty_frame(name)
    return pl.DataFrame(rows, schema=empty_frame(name).schema, orient="row")


#: Bytes that are not UTF-8, as the ``surrogateescape`` error handler decodes them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
NOT_UTF8 = "not UTF-8: save the file as UTF-8"


def readable(cell: str) -> str:
    """A cell read with ``surrogateescape``, its bytes that are not UTF-8 shown as U+FFFD."""
    return cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def records(
    name: str, lines: Iterable[str], problems: list[Problem]
) -> Iterator[tuple[int, tuple[str, ...], bool, int]]:
    """The records of a table's CSV as ``(row, cells, utf8, size)``, checked record by record.

    ``cells`` holds the schema's columns, in ``columns(name)`` order; ``size`` is the number of
    characters of the record. Problems of the file's structure go to ``problems``: an empty file,
    a header that is not UTF-8 or that misses columns, a record of the wrong width (not
    yielded), a cell that is not UTF-8 (``lines`` are decoded with ``surrogateescape``: the
    record is yielded with ``utf8`` False and its cells readable), CSV that cannot be parsed
    (reading stops there).
    """
    reader = csv.reader(lines)
    number = 1
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem("empty-file", "the file is empty (no header row)", name))
            return
        if _NOT_UTF8.search("".join(header)):
            problems.append(Problem("encoding", NOT_UTF8, name, 1))
            return
        header_problems = check_header(name, header)
        problems += header_problems
        if any(p.code != "extra-column" for p in header_problems):
            return
        at = [header.index(c) for c in columns(name)]
        for number, rec in enumerate(reader, start=2):
            text = "".join(rec)
            utf8 = text.isascii() or not _NOT_UTF8.search(text)
            if not utf8:
                problems += [
                    Problem("encoding", NOT_UTF8, name, number, h, readable(v))
                    for h, v in zip([*header, *[None] * len(rec)], rec, strict=False)
                    if _NOT_UTF8.search(v)
                ]
            if len(rec) != len(header):
                problems.append(
                    Problem(
                        "row-width",
                        f"row has {len(rec)} cells, the header has {len(header)}",
                        name,
                        number,
                    )
                )
                continue
            cells = tuple([rec[i] for i in at])
            yield number, cells if utf8 else tuple(map(readable, cells)), utf8, len(text)
    except csv.Error as exc:
        problems.append(
            Problem("csv-syntax", f"unreadable CSV after row {number}: {exc}", name, number + 1)
        )


def read_records(
    name: str, lines: Iterable[str], problems: list[Problem], keep_models: bool
) -> TableRows:
    """Validate every record of a table with pydantic (the reference engine; see ``records``)."""
    names = list(columns(name))
    out_rows: list[dict[str, Any]] = []
    models: dict[int, BaseModel] = {}
    for number, values, utf8, _ in records(name, lines, problems):
        cells = dict(zip(names, values, strict=True))
        if not utf8:
            out_rows.append({**cells, "_row": number, "_ok": False})
            continue
        model, found = row_problems(name, number, cells)
        problems += found
        if model is not None:
            cells = canonical(name, model)
            if keep_models:
                models[number] = model
        out_rows.append({**cells, "_row": number, "_ok": model is not None})
    return TableRows(name, to_frame(name, out_rows), models)


def read_table(name: str, text: str, problems: list[Problem]) -> TableRows:
    """Parse one table's CSV text with the reference engine, keeping its models."""
    return read_records(name, text.splitlines(keepends=True), problems, keep_models=True)


def read_package(
    descriptor_path: Path,
    engine: Engine = "fast",
    keep_models: bool = False,
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_remote_bytes: int = MAX_REMOTE_BYTES,
    max_per_code: int | None = MAX_PER_CODE,
) -> Package:
    """Read the descriptor and every table; problems collected, UnusableInput raised.

    Resources at http(s) URLs are refused unless ``allow_remote``; then they are downloaded
    first (``zhusan.remote``), each at most ``max_remote_bytes``. Of each code in each table,
    the first ``max_per_code`` problems are kept and the rest counted (``Problems``).
    """
    descriptor = read_descriptor(descriptor_path)
    root = descriptor_path.parent
    resources = _resource_map(descriptor)
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
    with contextlib.ExitStack() as stack:
        if urls:  # downloaded into a folder that lives as long as the tables are read
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="zhusan-remote-"))
            paths |= fetch_all(urls, Path(tmp), max_remote_bytes)
        problems = Problems(max_per_code)
        tables = _read_tables(root, resources, paths, engine, keep_models, progress, problems)
        return Package(root, descriptor, tables, problems)


def _read_tables(
    root: Path,
    resources: dict[str, dict[str, Any]],
    paths: dict[str, Path],
    engine: Engine,
    keep_models: bool,
    progress: Callable[[str, int, float], None] | None,
    problems: Problems,
) -> dict[str, TableRows]:
    from zhusan.blocks import Blocks
    from zhusan.checks import quote_problems, source_texts
    from zhusan.csvrows import read_csv_rows
    from zhusan.fastrows import read_fast

    tables: dict[str, TableRows] = {}
    texts: dict[str, str] = {}
    for name in TABLES:
        path = paths.get(name)
        if path is None:
            problems.append(Problem("missing-resource", f"the descriptor has no resource {name!r}"))
            tables[name] = TableRows(name, empty_frame(name))
            continue
        if not _is_file(path):
            problems.append(
                Problem("missing-file", f"{shown(resources[name]['path'])}: no such file", name)
            )
            tables[name] = TableRows(name, empty_frame(name))
            continue
        table, found = None, Problems(problems.limit)
        if engine == "fast" and not keep_models:
            # One pass: the blocks pyarrow reads are hashed and checked on the way.
            blocks = Blocks(path, hash_algorithm(resources[name]), MAX_RECORD)
            table = read_fast(name, path, found, texts, progress, blocks)
            if table is not None:
                problems += (
                    digest_problems(resources[name], blocks.hexdigest(), blocks.size, name)
                    if blocks.done
                    else _digest(resources[name], path, name)
                )
        too_long = None if table is not None else _too_long(path, name)
        if too_long is not None:
            problems += [*_digest(resources[name], path, name), too_long]
            tables[name] = TableRows(name, empty_frame(name))
            continue
        if table is None:
            # The hash runs on a second thread while the table is parsed and checked.
            with ThreadPoolExecutor(max_workers=1) as pool:
                digest = pool.submit(_digest, resources[name], path, name)
                found = Problems(problems.limit)
                if engine == "fast" and not keep_models:
                    table = read_csv_rows(name, path, found, texts, progress)
                problems += digest.result()
        if table is not None:
            problems += found
        else:
            with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
                table = read_records(name, fh, problems, keep_models)
            problems += quote_problems(name, table.frame, texts)
            table.frame = table.frame.drop(
                [c for c in DROPPED if name != "sources" and c in table.frame.columns]
            )
        tables[name] = table
        if name == "sources":
            texts, seed_problems = source_texts(root, table.frame)
            problems += seed_problems
            problems += quote_problems(name, table.frame, texts)
    return tables
