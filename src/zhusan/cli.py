"""The ``zhusan`` command line: the same operations as the Python API.

Exit codes: 0 valid, 1 invalid, 2 unusable input, 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from zhusan.api import conflicts, export, site, validate
from zhusan.build.package import drifted, generated_files
from zhusan.checks.package import InvalidPackage
from zhusan.engines.duck import MEMORY_LIMIT, MissingDuckDB, memory_limit
from zhusan.engines.frame import ENGINES
from zhusan.files.descriptor import UnusableInput, bundled_root, version
from zhusan.files.output import write_atomic
from zhusan.files.remote import MAX_REMOTE_BYTES
from zhusan.model.report import MAX_PER_CODE
from zhusan.outputs.export import FORMATS

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _progress(table: str, rows: int, fraction: float) -> None:
    width = 24
    filled = round(fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r  {table:<14} [{bar}] {fraction:>4.0%}  {rows:,} rows   ")
    sys.stderr.flush()


def _cmd_validate(args: argparse.Namespace) -> int:
    tty = sys.stderr.isatty() and not args.json
    try:
        report = validate(
            args.path,
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
        print(json.dumps(report.to_dict(args.limit_errors), indent=2, ensure_ascii=False))
    else:
        print(report.summary(args.limit_errors))
    return EXIT_VALID if report.valid else EXIT_INVALID


def _cmd_conflicts(args: argparse.Namespace) -> int:
    found = conflicts(args.path)
    unexplained = sum(c["explanation"] is None for c in found)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return EXIT_INVALID if unexplained else EXIT_VALID
    print(f"{len(found)} findings, {unexplained} unexplained")
    current = None
    for c in found:
        if c["topic"] != current:
            current = c["topic"]
            print(f"\n== {current}")
        print(f"- [{c['finding_id']}] {c['message']}")
        e = c["explanation"]
        print(
            "  UNEXPLAINED" if e is None else f"  {e['kind']} ({e['discrepancy_id']}): {e['text']}"
        )
    return EXIT_INVALID if unexplained else EXIT_VALID


def _cmd_export(args: argparse.Namespace) -> int:

    try:
        written = export(args.format, Path(args.out), args.path)
    except (ValueError, ImportError) as exc:
        print(f"zhusan: cannot export: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for path in written:
        print(path)
    return EXIT_VALID


def _cmd_site(args: argparse.Namespace) -> int:

    try:
        written = site(Path(args.out), args.path)
    except FileExistsError as exc:
        print(f"zhusan: cannot write the site: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(f"wrote {len(written)} files; open {Path(args.out) / 'index.html'}")
    return EXIT_VALID


def _cmd_schema(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else bundled_root()
    if args.check:
        stale = drifted(root)
        for path in stale:
            print(f"{path}: differs from what `zhusan schema` would write")
        if stale:
            return EXIT_INVALID
        print(f"up to date: {len(generated_files(root))} generated files under {root}")
        return EXIT_VALID
    files = generated_files(root)
    for path, data in files.items():
        write_atomic(path, data)
    print(f"wrote {len(files)} files under {root}")
    return EXIT_VALID


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
        "path", nargs="?", help="package folder or datapackage.json (default: bundled)"
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
        description="Write every table of the bundled package, or of the one at PATH, in one "
        "format into the folder OUT: JSON (with JSON Schemas), JSON Lines, Parquet, SQLite (with "
        "primary and foreign keys, and a Datasette metadata.json) or Excel (cells that would run "
        "as formulas are neutralised with a leading quote). Nothing is written unless all is.",
    )
    e.add_argument("format", choices=FORMATS, help="the format to write")
    _path_argument(e)
    e.add_argument("--out", required=True, help="folder to write into (created if missing)")
    e.set_defaults(func=_cmd_export)
    s = sub.add_parser(
        "schema",
        help="regenerate schemas, datapackage.json, estimates, JSON files and the data dictionary",
        description="Generate, from the pydantic models and the CSV files, the Table Schemas, "
        "datapackage.json, dataset/estimates.csv, dataset/json/ with schema/json/, "
        "docs/data-dictionary.md and the generated blocks of README.md; with --check, write "
        "nothing and exit 1 naming each file that differs.",
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
    w.set_defaults(func=_cmd_site)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except InvalidPackage as exc:
        print(f"zhusan: invalid package: {exc} (run `zhusan validate` for all)", file=sys.stderr)
        return EXIT_INVALID
    except UnusableInput as exc:
        print(f"zhusan: unusable input: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_VALID
    except Exception as exc:
        print(f"zhusan: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
