"""Validation problems and the report that ``zhusan validate`` prints and ``--json`` emits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Self

from pydantic import BaseModel, Field

from zhusan.model.errors import CODES, EXIT_VALID
from zhusan.model.text import printable

REPORT_VERSION = 1
#: Problems kept of each code in each table; the rest are counted, not kept, so a package with
#: an error in every cell cannot fill the memory (``validate(max_per_code=...)``).
MAX_PER_CODE = 10_000


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

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"{self.code!r} is not a registered error code (zhusan.model.errors)")

    def where(self) -> str:
        """'dataset/figures.csv row 12 field value' or the package-level place."""
        parts = [f"dataset/{self.table}.csv" if self.table else "package"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return " ".join(parts)

    def __str__(self) -> str:
        """One line, whatever the package holds: control characters are escaped (``printable``)."""
        return printable(f"{self.where()}: [{self.code}] {self.message}")


class Problems(list[Problem]):
    """A list of problems that keeps the first ``limit`` of each (table, code) and counts the rest.

    ``dropped`` counts, by code, the problems found but not kept. Adding a ``Problems`` to
    another adds its kept problems one by one and its dropped counts.
    """

    def __init__(self, limit: int | None = MAX_PER_CODE) -> None:
        super().__init__()
        self.limit = limit
        self.dropped: Counter[str] = Counter()
        self._kept: Counter[tuple[str | None, str]] = Counter()

    def append(self, problem: Problem, /) -> None:
        """Keep ``problem``, or only count it when its (table, code) is full."""
        key = (problem.table, problem.code)
        if self.limit is not None and self._kept[key] >= self.limit:
            self.dropped[problem.code] += 1
            return
        self._kept[key] += 1
        super().append(problem)

    def room(self, table: str | None, code: str) -> int | None:
        """How many more problems of ``code`` in ``table`` are kept (None: no limit)."""
        if self.limit is None:
            return None
        return max(self.limit - self._kept[(table, code)], 0)

    def not_kept(self, code: str, found: int) -> None:
        """Count ``found`` problems of ``code`` that were not built (past the limit)."""
        if found > 0:
            self.dropped[code] += found

    def extend(self, problems: Iterable[Problem], /) -> None:
        """Append each problem; a ``Problems`` also brings its dropped counts."""
        for problem in problems:
            self.append(problem)
        if isinstance(problems, Problems):
            self.dropped.update(problems.dropped)

    def __iadd__(self, problems: Iterable[Problem], /) -> Self:  # type: ignore[override,misc]
        self.extend(problems)
        return self


@dataclass
class Report:
    """The outcome of validating one package.

    ``problems`` are the problems kept (at most ``MAX_PER_CODE`` of a code in a table, unless
    asked otherwise), ``dropped`` counts by code those found but not kept.
    """

    package: str
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems and not any(self.dropped.values())

    @property
    def exit_code(self) -> int:
        """0 valid; else the highest exit its problems' codes lead to (``errors.CODES``)."""
        codes = {p.code for p in self.problems} | {c for c, n in self.dropped.items() if n}
        return max((CODES[c].exit for c in codes), default=EXIT_VALID)

    @property
    def error_count(self) -> int:
        """Every problem found, kept or not."""
        return len(self.problems) + sum(self.dropped.values())

    def by_code(self) -> dict[str, int]:
        """The number of problems found of each code, kept or not, by code."""
        counts = Counter(p.code for p in self.problems) + Counter(self.dropped)
        return dict(sorted(counts.items()))

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
            "error_count": self.error_count,
            "errors_by_code": self.by_code(),
            "errors_truncated": len(shown) < self.error_count,
            "errors": [asdict(p) for p in shown],
        }

    def summary(self, limit: int | None = None) -> str:
        """Human-readable report: a summary, the count of each kind, one line per problem."""
        total = sum(self.rows.values())
        head = f"{'VALID' if self.valid else 'INVALID'}: {self.package}"
        lines = [head, f"{len(self.rows)} tables, {total} rows, {self.error_count} problems"]
        lines += [f"  {n:>8}  {code}" for code, n in self.by_code().items()]
        shown = self.problems if limit is None else self.problems[:limit]
        lines += [f"  {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"  ... {len(self.problems) - len(shown)} more (--limit-errors)")
        if self.dropped:
            lines.append(
                f"  ... {sum(self.dropped.values())} more not kept: past the first "
                "--max-per-code of one code in one table"
            )
        return "\n".join(printable(line) for line in lines)


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
    errors_truncated: bool = Field(
        description="True when errors lists fewer than error_count: cut by --limit-errors, "
        "or past the first --max-per-code problems of one code in one table (counted, not kept)."
    )
    errors: list[_ErrorModel] = Field(description="The problems, in table and row order.")


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``zhusan validate --json`` output."""
    schema = _ReportModel.model_json_schema()
    schema["title"] = "zhusan validate report"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$defs"]["_ErrorModel"]["properties"]["code"]["enum"] = sorted(CODES)
    return schema
