"""The ``zhusan`` command line: the same operations as the Python API.

Exit codes: 0 valid, 1 invalid, 2 unusable input, 3 internal error (a bug: please report it).
Rows are numbered as in a spreadsheet everywhere: the header is row 1, the first data row 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from zhusan.api import (
    add_source,
    checked,
    conflicts,
    diff,
    export,
    init,
    refresh,
    release,
    site,
    validate,
)
from zhusan.build.package import drifted, generated_files, write_generated
from zhusan.checks.diff import diff_summary
from zhusan.checks.package import InvalidPackage
from zhusan.engines.duck import MEMORY_LIMIT, MissingDuckDB, memory_limit
from zhusan.engines.frame import ENGINES
from zhusan.files.console import json_text, session
from zhusan.files.descriptor import DESCRIPTOR, UnusableInput, bundled_root, is_installed, version
from zhusan.files.output import OutputError, output_target
from zhusan.files.remote import MAX_REMOTE_BYTES
from zhusan.model.dataset import Dataset
from zhusan.model.errors import CODES
from zhusan.model.fields import SourceKind
from zhusan.model.report import MAX_PER_CODE
from zhusan.model.text import printable
from zhusan.outputs.export import FORMATS

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _progress(table: str, rows: int, fraction: float) -> None:
    width = 24
    filled = round(fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r  {table:<14} [{bar}] {fraction:>4.0%}  {rows:,} rows   ")
    sys.stderr.flush()


def _default_path(path: str | None) -> str | None:
    """PATH as given; with none, the package in this folder if there is one, else the bundled.

    Says which on stderr.
    """
    if path is not None:
        return path
    if Path(DESCRIPTOR).is_file():
        print(f"zhusan: using the package in this folder (./{DESCRIPTOR})", file=sys.stderr)
        return "."
    print(
        f"zhusan: no {DESCRIPTOR} in this folder: using the bundled package "
        f"({bundled_root() / DESCRIPTOR})",
        file=sys.stderr,
    )
    return None


def _cmd_validate(args: argparse.Namespace) -> int:
    tty = sys.stderr.isatty() and not args.json
    try:
        report = validate(
            _default_path(args.path),
            engine=args.engine,
            progress=_progress if tty else None,
            allow_remote=args.allow_remote,
            max_per_code=args.max_per_code,
            memory_limit=args.memory_limit,
        )
    except MissingDuckDB as exc:
        print(f"zhusan: cannot validate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if tty:
        sys.stderr.write("\r" + " " * 72 + "\r")
    if args.json:
        print(json_text(report.to_dict(args.limit_errors)))
    else:
        print(report.summary(args.limit_errors))
    if report.exit_code == EXIT_UNUSABLE:  # a partial package: say so where errors go
        first = next(p for p in report.problems if CODES[p.code].exit == EXIT_UNUSABLE)
        print(f"zhusan: unusable input: {first}", file=sys.stderr)
    return report.exit_code


def _cmd_conflicts(args: argparse.Namespace) -> int:
    found = conflicts(_default_path(args.path))
    unexplained = sum(c["explanation"] is None for c in found)
    if args.json:
        print(json_text(found))
        return EXIT_INVALID if unexplained else EXIT_VALID
    print(f"{len(found)} findings, {unexplained} unexplained")
    current = None
    for c in found:
        if c["topic"] != current:
            current = c["topic"]
            print(f"\n== {current}")
        print(printable(f"- [{c['finding_id']}] {c['message']}"))
        e = c["explanation"]
        text = "UNEXPLAINED" if e is None else f"{e['kind']} ({e['discrepancy_id']}): {e['text']}"
        print("  " + printable(text))
    return EXIT_INVALID if unexplained else EXIT_VALID


def _output_folder(out: str) -> Path | None:
    """``--out`` as a folder; None (after one line on stderr) when it cannot be one.

    Checked before the package is read, so that a wrong ``--out`` is said at once.
    """
    try:
        output_target(out)
    except OutputError as exc:
        print(f"zhusan: {printable(exc)}", file=sys.stderr)
        return None
    return Path(out)


def _checked_data(path: str | None, allow_invalid: bool, what: str) -> tuple[int, Dataset | None]:
    """The package's dataset, or the exit code when it is refused (summary on stderr)."""
    report, data = checked(path)
    if report.valid or (allow_invalid and data is not None):
        return EXIT_VALID, data
    why = "its rows do not all match the schema" if data is None else "it is invalid"
    hint = "" if data is None else " (--allow-invalid writes it anyway)"
    print(f"zhusan: will not {what}: {why}{hint}", file=sys.stderr)
    print(report.summary(20), file=sys.stderr)
    return report.exit_code, None


def _cmd_export(args: argparse.Namespace) -> int:
    target = _output_folder(args.out)
    if target is None:
        return EXIT_UNUSABLE
    code, data = _checked_data(_default_path(args.path), args.allow_invalid, "export")
    if data is None:
        return code
    try:
        written = export(args.format, target, data)
    except (ValueError, ImportError) as exc:
        print(f"zhusan: cannot export: {printable(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OutputError:  # its message names the folder and says what was kept
        raise
    except OSError as exc:
        message = f"zhusan: cannot export into {target}: {exc.strerror or exc}"
        print(printable(message), file=sys.stderr)
        return EXIT_UNUSABLE
    for path in written:
        print(printable(path))
    return EXIT_VALID


def _cmd_site(args: argparse.Namespace) -> int:
    target = _output_folder(args.out)
    if target is None:
        return EXIT_UNUSABLE
    path = _default_path(args.path)
    code, data = _checked_data(path, args.allow_invalid, "write the site")
    if data is None:
        return code
    try:
        written = site(target, path, args.release, data)
    except OutputError:  # its message names the folder and says what was kept
        raise
    except FileExistsError as exc:
        print(f"zhusan: cannot write the site: {printable(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        why = exc.strerror or exc
        print(printable(f"zhusan: cannot write the site into {target}: {why}"), file=sys.stderr)
        return EXIT_UNUSABLE
    print(printable(f"wrote {len(written)} files; open {target / 'index.html'}"))
    return EXIT_VALID


def _cmd_init(args: argparse.Namespace) -> int:
    written = init(args.dir, args.name, args.title, args.description)
    message = f"wrote a new package in {args.dir} ({len(written)} files); next: zhusan add-source"
    print(printable(message))
    return EXIT_VALID


def _cmd_add_source(args: argparse.Namespace) -> int:
    cells = {
        k: getattr(args, k)
        for k in ("title", "kind", "published", "url", "publisher", "authors", "language")
    }
    added = add_source(args.dir, args.file, args.id, interest_note=args.interest, **cells)
    message = f"archived {added.path} (sha256 {added.sha256[:16]}...) as sources row {added.row}"
    print(printable(message))
    if added.to_fill:
        print(
            f"zhusan: fill {', '.join(added.to_fill)} in sources row {added.row} before validating",
            file=sys.stderr,
        )
    return EXIT_VALID


def _cmd_refresh(args: argparse.Namespace) -> int:
    done = refresh(args.path or ".")
    for source in done.filled:
        print(printable(f"filled the sha256 of {source}"))
    print(f"refreshed: {len(done.written)} files rewritten")
    return EXIT_VALID


def _cmd_schema(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else bundled_root()
    if not args.check and is_installed(root):
        raise UnusableInput(
            f"{root} is an installed package: `zhusan schema` regenerates this repository's "
            "own files; for a package of your own, run `zhusan refresh PATH`"
        )
    if args.check:
        stale = drifted(root)
        for path in stale:
            print(printable(f"{path}: differs from what `zhusan schema` would write"))
        if stale:
            return EXIT_INVALID
        print(printable(f"up to date: {len(generated_files(root))} generated files under {root}"))
        return EXIT_VALID
    files = generated_files(root)
    write_generated(root, files)
    print(printable(f"wrote {len(files)} files under {root}"))
    return EXIT_VALID


def _cmd_diff(args: argparse.Namespace) -> int:
    result = diff(args.old, args.new)
    if args.json:
        print(json_text(result))
    else:
        print(diff_summary(result), end="")
    return EXIT_VALID if result["identical"] else EXIT_INVALID


def _cmd_release(args: argparse.Namespace) -> int:
    try:
        written = release(Path(args.out), args.path, args.date)
    except ImportError as exc:
        print(f"zhusan: cannot release: {printable(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    for path in written:
        print(printable(path))
    return EXIT_VALID


def _date(text: str) -> dt.date:
    """An ISO date, YYYY-MM-DD (argparse reports the error with exit 2)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {text!r}") from None


def _count(text: str) -> int:
    """A whole number of zero or more (argparse reports the error with exit 2)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of zero or more, not {text!r}")
    return n


def _memory_limit(text: str) -> str:
    """A memory limit DuckDB reads (argparse reports the error with exit 2)."""
    try:
        return memory_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        help="package folder or datapackage.json (default: ./datapackage.json if there is "
        "one, else the bundled package; stderr says which)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so tests can check every command's help)."""
    parser = argparse.ArgumentParser(
        prog="zhusan",
        description="Operation Zhusan data package: validate packages that use its schema, "
        "and regenerate the files derived from its models.",
        epilog="Exit codes: 0 valid, 1 invalid, 2 unusable input, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"zhusan {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "validate",
        help="check a data package against the zhusan schema",
        description="Check the bundled package, or the one at PATH: the descriptor, every row "
        "against its model, primary and foreign keys, every archived source against its "
        "sha256, every resource against its hash, every quote against its source. Resources at "
        "http(s) URLs are refused unless --allow-remote is given.",
    )
    _path_argument(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON (the API's report; schema/validation-report.schema.json)",
    )
    p.add_argument(
        "--limit-errors",
        type=_count,
        metavar="N",
        help="list at most N errors (all are counted)",
    )
    p.add_argument(
        "--max-per-code",
        type=_count,
        metavar="N",
        default=MAX_PER_CODE,
        help=f"keep the first N problems of each code in each table and only count the rest, "
        f"so memory stays bounded (default {MAX_PER_CODE:,})",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="fast: whole columns at once (the default); pydantic: every row through its "
        "model; duckdb: DuckDB reads and checks the tables as SQL within --memory-limit, "
        "spilling to a temporary folder, for packages larger than memory (needs the duckdb "
        "extra: pip install 'zhusan-data[duckdb]')",
    )
    p.add_argument(
        "--memory-limit",
        type=_memory_limit,
        metavar="SIZE",
        default=MEMORY_LIMIT,
        help=f"with --engine duckdb, the memory DuckDB may hold before it spills to disk "
        f"(default {MEMORY_LIMIT})",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="fetch resources whose path is an http(s) URL (at most "
        f"{MAX_REMOTE_BYTES >> 30} GiB each, into a temporary folder); without it they are "
        "refused and nothing is fetched",
    )
    p.set_defaults(func=_cmd_validate)
    c = sub.add_parser(
        "conflicts",
        help="list every disagreement the checks find, with its explanation",
        description="List every finding of the consistency checks (breakdowns that do not add "
        "up, subsets above their whole, sources that disagree, totals that shrink, implausible "
        "values) with the explanation recorded in the discrepancies table, grouped by what is "
        "counted: returned people, children, women, men, prosecutions, then the rest. Exit 1 "
        "when a finding has no explanation.",
    )
    _path_argument(c)
    c.add_argument("--json", action="store_true", help="print the list as JSON (zhusan.conflicts)")
    c.set_defaults(func=_cmd_conflicts)

    e = sub.add_parser(
        "export",
        help="write every table as json, jsonl, parquet, sqlite or xlsx",
        description="Write every table of the bundled package, or of the one at PATH (the "
        "generated estimates and figures_flat included), in one format into the folder OUT: "
        "JSON (with JSON Schemas), JSON Lines, Parquet, SQLite (with primary and foreign keys, "
        "and a Datasette metadata.json) or Excel (text always stored as text, cells a "
        "spreadsheet could run as formulas marked with Excel's quote prefix; filters, frozen "
        "header, widths from content). Nothing is written unless all is.",
    )
    e.add_argument("format", choices=FORMATS, help="the format to write")
    _path_argument(e)
    e.add_argument("--out", required=True, help="folder to write into (created if missing)")
    _allow_invalid(e)
    e.set_defaults(func=_cmd_export)
    s = sub.add_parser(
        "schema",
        help="regenerate schemas, datapackage.json, estimates, JSON files and the data dictionary",
        description="Generate, from the pydantic models and the CSV files, the Table Schemas, "
        "datapackage.json, dataset/estimates.csv, dataset/figures_flat.csv, dataset/json/ with "
        "schema/json/, docs/data-dictionary.md, CITATION.cff and the generated blocks of "
        "README.md; with --check, write nothing and exit 1 naming each file that differs.",
    )
    s.add_argument("--check", action="store_true", help="only report drift, exit 1 if any")
    s.add_argument("--root", help="package folder (default: the bundled package)")
    s.set_defaults(func=_cmd_schema)
    w = sub.add_parser(
        "report",
        help="write a static HTML report: charts, discrepancies, figures, quoted sources",
        description="Write a self-contained HTML site of the bundled package, or of the one at "
        "PATH, into the folder OUT: an overview, a chart per thing counted, every discrepancy "
        "with its explanation, every figure in a searchable table, and each archived document "
        "with its quotes marked. Nothing is loaded from the network. OUT is replaced only when "
        "it is empty or a site written before; nothing is written unless all is.",
    )
    _path_argument(w)
    w.add_argument("--out", required=True, help="folder to write the site into")
    w.add_argument(
        "--release",
        metavar="DIR",
        help="a folder `zhusan release` wrote: its files are copied into the site and listed "
        "on a Downloads page with their sizes and SHA-256",
    )
    _allow_invalid(w)
    w.set_defaults(func=_cmd_site)
    d = sub.add_parser(
        "diff",
        help="compare two packages by primary key: tables and rows added, removed, changed",
        description="Compare the package OLD with NEW (each a package folder, datapackage.json, "
        "release zip or release folder): tables and fields added and removed, and rows added, "
        "removed and changed, matched by primary key, each changed cell with its value before "
        "and after. The summary groups figures by source and names new sources and new "
        "disagreements; it is Markdown, for a CHANGELOG. Exit 0 when identical, 1 when not.",
    )
    d.add_argument("old", help="the earlier package")
    d.add_argument("new", help="the later package")
    d.add_argument("--json", action="store_true", help="print every difference (zhusan.diff)")
    d.set_defaults(func=_cmd_diff)
    r = sub.add_parser(
        "release",
        help="write a versioned release: package zip, Parquet, SQLite, xlsx, checksums, citation",
        description="Write into OUT the release of the bundled package, or of the one at PATH, "
        "named and versioned from its datapackage.json: a zip of the Frictionless package (CSV, "
        "JSON, schemas, archived sources), a zip of Parquet files, SQLite with Datasette "
        "metadata, xlsx, CITATION.cff and .zenodo.json with the version and release date, and "
        "SHA256SUMS. The package must be valid. The release date is the only date written, so "
        "two builds of the same data on the same date are identical.",
    )
    _path_argument(r)
    r.add_argument("--out", required=True, help="folder to write the release into")
    r.add_argument(
        "--date",
        type=_date,
        help="release date, YYYY-MM-DD (default: today); the only date in the files",
    )
    r.set_defaults(func=_cmd_release)
    _authoring(sub)
    return parser


def _allow_invalid(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="write it even when validation fails (not when a row does not match the schema); "
        "without it an invalid package is refused with exit 1 and the report's summary",
    )


def _authoring(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands that make and keep a package of one's own on the schema."""
    i = sub.add_parser(
        "init",
        help="start a new, valid, empty package of your own on this schema",
        description="Write into DIR (missing or empty) a new package that validates: every "
        "table with its header, the Table Schemas, datapackage.json with your name and title, "
        "an empty seeds/ folder for the archived documents and a README stub.",
    )
    i.add_argument("dir", help="folder to create the package in")
    i.add_argument("--name", help="package name: lowercase, digits, . _ - (default: DIR's name)")
    i.add_argument("--title", help="package title (default: the name)")
    i.add_argument("--description", help="what the package records")
    i.set_defaults(func=_cmd_init)
    a = sub.add_parser(
        "add-source",
        help="archive a document under seeds/ and add its sources row",
        description="Copy FILE into DIR/seeds/, compute its sha256 and append its row to "
        "dataset/sources.csv, then refresh the hashes. Refused (exit 2) for an id already used "
        "or a document already archived under another id. kind and interest_note may be left "
        "to fill in by hand.",
    )
    a.add_argument("dir", help="the package folder")
    a.add_argument("file", help="the document: a UTF-8 text file of what it says")
    a.add_argument("--id", required=True, help="source id (lowercase slug)")
    a.add_argument("--title", help="title as printed (default: the file's name)")
    a.add_argument("--kind", choices=get_args(SourceKind), help="what kind of document")
    a.add_argument("--published", help="publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    a.add_argument("--url", help="address of the original")
    a.add_argument("--publisher", help="who published it")
    a.add_argument("--authors", help="authors, ;-separated")
    a.add_argument("--language", help="ISO 639-1 code (default: en)")
    a.add_argument("--interest", help="the source's interest in the subject (interest_note)")
    a.set_defaults(func=_cmd_add_source)
    r = sub.add_parser(
        "refresh",
        help="recompute what is derived in your package: hashes, sha256s, estimates",
        description="Rewrite what is derived in the package at PATH (default: this folder) "
        "and nothing else: each resource's hash and bytes, the descriptor's sources, the "
        "sha256 of documents whose cell is empty, dataset/estimates.csv and the Table Schemas. "
        "Never the package's name, title, description, version, contributors, licences, "
        "homepage or keywords; never a sha256 already filled in.",
    )
    r.add_argument("path", nargs="?", help="package folder or datapackage.json (default: .)")
    r.set_defaults(func=_cmd_refresh)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Whatever the input, the code is 0, 1 or 2 with one line on stderr; 3 only for a bug. A
    closed pipe does not change it; Ctrl-C stops with 130 (``files.console.session``).
    """
    args = build_parser().parse_args(argv)
    with session():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
    except InvalidPackage as exc:
        print(
            f"zhusan: invalid package: {printable(exc)} (run `zhusan validate` for all)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    except UnusableInput as exc:
        print(f"zhusan: unusable input: {printable(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OutputError as exc:
        print(f"zhusan: {printable(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:  # off the main thread only: session() handles Ctrl-C there
        print("zhusan: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except OSError as exc:  # the system refused a read or a write: not a bug of zhusan
        where = f"{exc.filename}: " if exc.filename else ""
        why = exc.strerror or exc
        print(printable(f"zhusan: cannot read or write {where}{why}"), file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as exc:
        print(f"zhusan: internal error: {type(exc).__name__}: {printable(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
