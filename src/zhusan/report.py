"""Validation problems and the report that ``zhusan validate`` prints and ``--json`` emits."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

REPORT_VERSION = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package, located as precisely as possible.

    ``row`` counts records as frictionless does: the header is row 1, the first data row is row 2.
    """

    code: str
    message: str
    table: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None

    def where(self) -> str:
        """'dataset/figures.csv row 12 field value' or the package-level place."""
        parts = [f"dataset/{self.table}.csv" if self.table else "package"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: [{self.code}] {self.message}"


@dataclass
class Report:
    """The outcome of validating one package."""

    package: str
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: what ``zhusan validate --json`` prints."""
        return {
            "report_version": REPORT_VERSION,
            "valid": self.valid,
            "package": self.package,
            "rows": dict(self.rows),
            "error_count": len(self.problems),
            "errors_by_code": dict(sorted(Counter(p.code for p in self.problems).items())),
            "errors": [asdict(p) for p in self.problems],
        }

    def summary(self) -> str:
        """Human-readable report: a summary line and one line per problem."""
        total = sum(self.rows.values())
        head = f"{'VALID' if self.valid else 'INVALID'}: {self.package}"
        lines = [head, f"{len(self.rows)} tables, {total} rows, {len(self.problems)} problems"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)
