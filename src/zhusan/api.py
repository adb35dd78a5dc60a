"""The public entry points: ``load`` a package into models, ``validate`` one into a report."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from zhusan.checks import run_checks
from zhusan.consistency import TOPICS, family, findings, fmt, topic
from zhusan.estimates import Estimate
from zhusan.estimates import estimates as _estimates
from zhusan.intervals import interval
from zhusan.models import (
    TABLES,
    Discrepancy,
    Event,
    Figure,
    Mention,
    Organization,
    Person,
    Place,
    Role,
    Source,
)
from zhusan.package import resolve
from zhusan.reading import Engine, read_package
from zhusan.report import MAX_PER_CODE, Problem, Problems, Report

_ORDER = {name: i for i, name in enumerate(TABLES)}


def _key(p: Problem) -> tuple[int, int, str, str, str]:
    return (_ORDER.get(p.table or "", -1), p.row or 0, p.field or "", p.code, p.message)


class InvalidPackage(Exception):
    """Raised by ``load`` when rows do not match the schema; ``report`` says where."""

    def __init__(self, report: Report) -> None:
        first = report.problems[0] if report.problems else "no detail"
        super().__init__(f"{len(report.problems)} problems, first: {first}")
        self.report = report


@dataclass(frozen=True)
class Dataset:
    """Every table of a package as a tuple of model instances, in file order."""

    sources: tuple[Source, ...]
    organizations: tuple[Organization, ...]
    places: tuple[Place, ...]
    people: tuple[Person, ...]
    roles: tuple[Role, ...]
    events: tuple[Event, ...]
    figures: tuple[Figure, ...]
    mentions: tuple[Mention, ...]
    discrepancies: tuple[Discrepancy, ...]


def validate(
    path: str | os.PathLike[str] | None = None,
    engine: Engine = "fast",
    progress: Callable[[str, int, float], None] | None = None,
    allow_remote: bool = False,
    max_per_code: int | None = MAX_PER_CODE,
) -> Report:
    """Validate the bundled package (``path`` None) or the one at ``path`` (folder or descriptor).

    ``engine`` "fast" checks whole columns at once; "pydantic" validates every row with its
    model. Both find the same problems. ``progress(table, rows, fraction)`` is called as rows
    are read (``fraction``: the share of the table's file read so far).

    Resources at http(s) URLs are fetched only with ``allow_remote`` (see ``zhusan.remote``).
    Of each code in each table, the report keeps the first ``max_per_code`` problems (None:
    all) and counts the rest, so memory stays bounded however many cells are wrong.
    Raises ``UnusableInput`` when the package cannot be read.
    """
    descriptor = resolve(path)
    pkg = read_package(
        descriptor,
        engine=engine,
        progress=progress,
        allow_remote=allow_remote,
        max_per_code=max_per_code,
    )
    problems = Problems(max_per_code)
    problems += pkg.problems
    problems += run_checks(pkg, max_per_code)
    report = Report(
        str(descriptor),
        {n: t.frame.height for n, t in pkg.tables.items()},
        dropped=dict(sorted(problems.dropped.items())),
    )
    report.problems.extend(sorted(problems, key=_key))
    return report


def load(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load the bundled package (``path`` None) or the one at ``path`` into models.

    Raises ``InvalidPackage`` when any row or file does not match the schema.
    """
    descriptor = resolve(path)
    pkg = read_package(descriptor, engine="pydantic", keep_models=True)
    if pkg.problems:
        rows = {n: t.frame.height for n, t in pkg.tables.items()}
        report = Report(str(descriptor), rows, list(pkg.problems), dict(pkg.problems.dropped))
        raise InvalidPackage(report)
    tables = {f.name: tuple(pkg.tables[f.name].models.values()) for f in fields(Dataset)}
    return Dataset(**tables)  # type: ignore[arg-type]


def conflicts(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every consistency finding with its explanation, most important topic first.

    A finding's topic is that of its first figure (the whole, or the combined group).

    Topics: returned people, children, women, women and children, men, prosecutions, other.
    ``explanation`` is None for a finding that no discrepancies row explains.
    """
    data = load(path)
    by_id = {f.figure_id: f for f in data.figures}
    explained = {d.finding_id: d for d in data.discrepancies}
    out = []
    for finding in findings(data.figures):
        figs = [by_id[i] for i in finding.figure_ids]
        rank = topic(family(figs[0].measure), figs[0].group)
        d = explained.get(finding.finding_id)
        out.append(
            {
                "finding_id": finding.finding_id,
                "rule": finding.rule,
                "topic": TOPICS[rank][0] if rank < len(TOPICS) else "other",
                "rank": rank,
                "message": finding.message,
                "figures": [
                    {
                        "figure_id": f.figure_id,
                        "source_id": f.source_id,
                        "stated": f.stated,
                        "qualifier": f.qualifier,
                        "value": f.value,
                        "interval": fmt(interval(f.qualifier, f.value)),
                        "as_of": f.as_of,
                        "quote": f.quote,
                    }
                    for f in figs
                ],
                "explanation": None
                if d is None
                else {"discrepancy_id": d.discrepancy_id, "kind": d.kind, "text": d.explanation},
            }
        )
    out.sort(key=lambda c: (c["rank"], c["rule"], c["finding_id"]))
    return out


def estimates(path: str | os.PathLike[str] | None = None) -> list[Estimate]:
    """For each count of people and each year, the low-high envelope across sources."""
    return _estimates(load(path).figures)
