"""Validation problems and the report that ``zhusan validate`` prints and ``--json`` emits."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, Field

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

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """The JSON form: what ``zhusan validate --json`` prints (schema: ``REPORT_SCHEMA``).

        ``limit`` lists at most that many errors; the counts always cover all of them.
        """
        shown = self.problems if limit is None else self.problems[:limit]
        return {
            "report_version": REPORT_VERSION,
            "valid": self.valid,
            "package": self.package,
            "rows": dict(self.rows),
            "error_count": len(self.problems),
            "errors_by_code": dict(sorted(Counter(p.code for p in self.problems).items())),
            "errors_truncated": len(shown) < len(self.problems),
            "errors": [asdict(p) for p in shown],
        }

    def summary(self, limit: int | None = None) -> str:
        """Human-readable report: a summary, the count of each kind, one line per problem."""
        total = sum(self.rows.values())
        head = f"{'VALID' if self.valid else 'INVALID'}: {self.package}"
        lines = [head, f"{len(self.rows)} tables, {total} rows, {len(self.problems)} problems"]
        for code, n in sorted(Counter(p.code for p in self.problems).items()):
            lines.append(f"  {n:>8}  {code}")
        shown = self.problems if limit is None else self.problems[:limit]
        lines += [f"  {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"  ... {len(self.problems) - len(shown)} more (--limit-errors)")
        return "\n".join(lines)


class _ErrorModel(BaseModel):
    code: str = Field(description="Kind of problem, e.g. cell-error, foreign-key.")
    message: str = Field(description="What is wrong.")
    table: str | None = Field(description="Table (dataset/<table>.csv); null: the package.")
    row: int | None = Field(description="Record number, the header being row 1.")
    field: str | None = Field(description="Column, where the problem is in one.")
    value: str | None = Field(description="The offending cell, where there is one.")


class _ReportModel(BaseModel):
    report_version: int = Field(description="Version of this report format.")
    valid: bool = Field(description="True when no problem was found.")
    package: str = Field(description="The datapackage.json validated.")
    rows: dict[str, int] = Field(description="Rows read per table.")
    error_count: int = Field(description="Number of problems found.")
    errors_by_code: dict[str, int] = Field(description="Number of problems per code.")
    errors_truncated: bool = Field(description="True when --limit-errors cut the list.")
    errors: list[_ErrorModel] = Field(description="The problems, in table and row order.")


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``zhusan validate --json`` output."""
    schema = _ReportModel.model_json_schema()
    schema["title"] = "zhusan validate report"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
