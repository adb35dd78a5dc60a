"""The ``zhusan`` command line: the same operations as the Python API.

Exit codes: 0 valid, 1 invalid, 2 unusable input, 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from zhusan.api import validate
from zhusan.package import (
    UnusableInput,
    bundled_root,
    drifted,
    generated_files,
    version,
    write_atomic,
)

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _cmd_validate(args: argparse.Namespace) -> int:
    report = validate(args.path)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.summary())
    return EXIT_VALID if report.valid else EXIT_INVALID


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
        "sha256, every resource against its hash, every quote against its source.",
    )
    p.add_argument("path", nargs="?", help="package folder or datapackage.json (default: bundled)")
    p.add_argument(
        "--json", action="store_true", help="print the report as JSON (the API's report)"
    )
    p.set_defaults(func=_cmd_validate)
    s = sub.add_parser(
        "schema",
        help="write schema/*.json and datapackage.json from the models",
        description="Generate the Table Schemas and datapackage.json from the pydantic models "
        "and the CSV files; with --check, write nothing and exit 1 naming each file that differs.",
    )
    s.add_argument("--check", action="store_true", help="only report drift, exit 1 if any")
    s.add_argument("--root", help="package folder (default: the bundled package)")
    s.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except UnusableInput as exc:
        print(f"zhusan: unusable input: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"zhusan: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
