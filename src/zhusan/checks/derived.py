"""Internal: the resources beside the schema's tables, and the derived tables checked.

``validate`` checks every resource the descriptor lists. The tables of the schema are read by
the engines; this module checks the rest: ``estimates`` (derived from the figures) is read
row by row against its model and compared, row by row, with the estimates the figures give,
so a changed number in it fails naming the row; any other local resource is checked for its
file, hash and byte count. Remote resources beside the schema's tables are not fetched.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.files.paths import digest, is_file, resource_map, safe_resource_path
from zhusan.files.remote import is_remote, shown
from zhusan.model.cells import format_cell, parse_cell
from zhusan.model.estimates import ESTIMATES, Estimate, estimates
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import model_fields

#: The columns of the figures an estimate reads.
FIGURE_COLUMNS = (
    "figure_id", "source_id", "stated", "value", "unit", "qualifier", "measure", "group",
    "scope", "as_of", "legal_stage", "attribution", "speaker_id", "speaker_org_id", "derivation",
)  # fmt: skip
#: The largest derived table read (it has a row per thing counted and year).
MAX_DERIVED_BYTES = 64 << 20


@dataclass(frozen=True)
class _Figure:
    """A figure as an estimate reads it, from a valid row of the figures' frame."""

    figure_id: str
    source_id: str
    stated: str
    value: float | None
    unit: str
    qualifier: str
    measure: str
    group: str | None
    scope: str
    as_of: str | None
    legal_stage: str | None
    attribution: str
    speaker_id: str | None
    speaker_org_id: str | None
    derivation: str


@dataclass(frozen=True)
class _Source:
    """A source as an estimate reads it: whether it is independent."""

    source_id: str
    interest: str


@dataclass
class Derived:
    """What the resources beside the schema's tables gave: rows read, problems, estimates."""

    rows: dict[str, int]
    problems: list[Problem]
    estimates: list[Estimate] | None  # None: the descriptor lists no estimates


def expected_estimates(pkg: Package) -> list[Estimate] | None:
    """The estimates the package's figures give; None when a figure row is invalid."""
    frame = pkg.tables["figures"].frame
    if not bool(frame["_ok"].all()):
        return None
    rows = valid_rows(pkg, "figures", *FIGURE_COLUMNS).filter(
        (pl.col("unit") == "persons") & (pl.col("group") != "")
    )
    figures = [
        _Figure(
            r["figure_id"],
            r["source_id"],
            r["stated"],
            None if r["value"] == "" else float(r["value"]),
            r["unit"],
            r["qualifier"],
            r["measure"],
            r["group"] or None,
            r["scope"],
            r["as_of"] or None,
            r["legal_stage"] or None,
            r["attribution"],
            r["speaker_id"] or None,
            r["speaker_org_id"] or None,
            r["derivation"],
        )
        for r in rows.sort("_row").iter_rows(named=True)
    ]
    sources = [
        _Source(r["source_id"], r["interest"])
        for r in valid_rows(pkg, "sources", "source_id", "interest").iter_rows(named=True)
    ]
    return estimates(figures, sources)


def _header_problems(header: list[str], names: list[str]) -> list[Problem]:
    counts = Counter(header)
    out = [
        Problem("missing-column", "column is missing from the header", ESTIMATES, 1, f)
        for f in names
        if f not in counts
    ]
    out += [
        Problem("extra-column", "column is not in the schema", ESTIMATES, 1, h)
        for h in header
        if h not in names
    ]
    return out


def read_estimates(
    path: Path,
) -> tuple[list[tuple[int, dict[str, str], Estimate | None]], list[Problem]]:
    """The rows of an estimates file: (row, cells, model or None), and its problems."""
    kinds = {f["name"]: f["type"] for f in model_fields(Estimate)}
    size = path.stat().st_size
    if size > MAX_DERIVED_BYTES:
        message = f"the file has {size} bytes, more than the {MAX_DERIVED_BYTES} read"
        return [], [Problem("record-too-long", message + ": refused unread", ESTIMATES)]
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(records, None)
        if header is None:
            return [], [Problem("empty-file", "the file is empty (no header row)", ESTIMATES)]
        problems = _header_problems(header, list(kinds))
        if any(p.code == "missing-column" for p in problems):
            return [], problems
        out: list[tuple[int, dict[str, str], Estimate | None]] = []
        for number, rec in enumerate(records, start=2):
            if len(rec) != len(header):
                problems.append(
                    Problem(
                        "row-width",
                        f"row has {len(rec)} cells, the header has {len(header)}",
                        ESTIMATES,
                        number,
                    )
                )
                continue
            cells = {h: v for h, v in zip(header, rec, strict=True) if h in kinds}
            try:
                data: dict[str, Any] = {k: parse_cell(v, kinds[k]) for k, v in cells.items()}
                model: Estimate | None = Estimate.model_validate(data)
            except ValidationError as exc:
                model = None
                for err in exc.errors():
                    loc = str(err["loc"][0]) if err["loc"] else None
                    problems.append(
                        Problem(
                            "cell-error",
                            err["msg"],
                            ESTIMATES,
                            number,
                            loc,
                            cells.get(loc) if loc else None,
                        )
                    )
            out.append((number, cells, model))
    except csv.Error as exc:
        problems.append(Problem("csv-syntax", f"unreadable CSV: {exc}", ESTIMATES))
    return out, problems


def compare_estimates(
    rows: list[tuple[int, dict[str, str], Estimate | None]], expected: list[Estimate]
) -> list[Problem]:
    """The estimates file's rows against those the figures give, row by row and field by field."""
    want = {e.estimate_id: e for e in expected}
    names = [f["name"] for f in model_fields(Estimate)]
    out: list[Problem] = []
    seen = set()
    for number, cells, model in rows:
        if model is None:
            continue
        seen.add(model.estimate_id)
        right = want.get(model.estimate_id)
        if right is None:
            out.append(
                Problem(
                    "estimate-mismatch",
                    f"no figure gives estimate {model.estimate_id!r}: run `zhusan refresh`",
                    ESTIMATES,
                    number,
                    "estimate_id",
                    model.estimate_id,
                )
            )
            continue
        for name in names:
            got, wanted = format_cell(getattr(model, name)), format_cell(getattr(right, name))
            if got != wanted:
                out.append(
                    Problem(
                        "estimate-mismatch",
                        f"{name} is {got or 'empty'}, but the figures give {wanted or 'empty'}: "
                        "run `zhusan refresh`",
                        ESTIMATES,
                        number,
                        name,
                        cells.get(name, got),
                    )
                )
    for e in expected:
        if e.estimate_id not in seen:
            out.append(
                Problem(
                    "estimate-mismatch",
                    f"estimate {e.estimate_id!r}, which the figures give, is missing: run "
                    "`zhusan refresh`",
                    ESTIMATES,
                )
            )
    return out


def check_derived(pkg: Package) -> Derived:
    """Every resource the descriptor lists beside the schema's tables, checked."""
    resources = resource_map(pkg.descriptor)
    derived = Derived({}, [], None)
    for name, res in resources.items():
        if name in TABLES or is_remote(res.get("path")):
            continue
        path = safe_resource_path(pkg.root, res.get("path"), name)
        table = name if name == ESTIMATES else None
        if not is_file(path):
            derived.problems.append(
                Problem("missing-file", f"{shown(str(res.get('path')))}: no such file", table)
            )
            continue
        found = digest(res, path, name)
        derived.problems += found if table else [_untabled(p, name) for p in found]
        if name != ESTIMATES:
            if path.suffix == ".csv" and path.stat().st_size <= MAX_DERIVED_BYTES:
                with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                    derived.rows[name] = max(sum(1 for _ in csv.reader(fh)) - 1, 0)
            continue
        rows, problems = read_estimates(path)
        derived.rows[name] = len(rows)
        derived.problems += problems
        derived.estimates = [m for _, _, m in rows if m is not None]
        expected = expected_estimates(pkg)
        if expected is not None and not problems:
            derived.problems += compare_estimates(rows, expected)
    return derived


def _untabled(p: Problem, name: str) -> Problem:
    """A problem of a resource that is not a table of the schema, named by its resource."""
    return Problem(p.code, f"resource {name!r}: {p.message}", None, p.row, p.field, p.value)
