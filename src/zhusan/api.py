"""The public entry points: ``load`` a package into models, ``validate`` one into a report."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from zhusan.checks import run_checks
from zhusan.models import (
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
from zhusan.reading import read_package
from zhusan.report import Report


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


def validate(path: str | os.PathLike[str] | None = None) -> Report:
    """Validate the bundled package (``path`` None) or the one at ``path`` (folder or descriptor).

    Raises ``UnusableInput`` when the package cannot be read at all.
    """
    descriptor = resolve(path)
    pkg = read_package(descriptor)
    report = Report(str(descriptor), {n: len(t.raw) for n, t in pkg.tables.items()})
    report.problems.extend(pkg.problems)
    report.problems.extend(run_checks(pkg))
    return report


def load(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load the bundled package (``path`` None) or the one at ``path`` into models.

    Raises ``InvalidPackage`` when any row or file does not match the schema.
    """
    descriptor = resolve(path)
    pkg = read_package(descriptor)
    if pkg.problems:
        report = Report(str(descriptor), {n: len(t.raw) for n, t in pkg.tables.items()})
        report.problems.extend(pkg.problems)
        raise InvalidPackage(report)
    tables = {f.name: tuple(pkg.tables[f.name].models.values()) for f in fields(Dataset)}
    return Dataset(**tables)  # type: ignore[arg-type]
