"""Estimates: for each thing counted and each year, the envelope of what the sources say.

In the manner of UCDP's low/best/high, but without a "best": a user cites the range and its
sources instead of picking one number. Generated into ``dataset/estimates.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from zhusan.model.cells import write_csv
from zhusan.model.fields import Group, ListItem, Slug
from zhusan.model.intervals import fmt, interval
from zhusan.model.tableschema import model_fields

#: What estimates are generated into (a table of the package, derived from the figures).
ESTIMATES = "estimates"
ESTIMATES_DESCRIPTION = (
    "Generated: per thing counted and year, the low-high envelope of what the sources say "
    "(zhusan refresh)."
)


class FigureLike(Protocol):
    """What an estimate reads of a figure (a ``Figure``, or a row of the figures' frame)."""

    @property
    def figure_id(self) -> str: ...  # noqa: D102
    @property
    def source_id(self) -> str: ...  # noqa: D102
    @property
    def stated(self) -> str: ...  # noqa: D102
    @property
    def value(self) -> float | None: ...  # noqa: D102
    @property
    def unit(self) -> str: ...  # noqa: D102
    @property
    def qualifier(self) -> str: ...  # noqa: D102
    @property
    def measure(self) -> str: ...  # noqa: D102
    @property
    def group(self) -> str | None: ...  # noqa: D102
    @property
    def scope(self) -> str: ...  # noqa: D102
    @property
    def as_of(self) -> str | None: ...  # noqa: D102


class Estimate(BaseModel):
    """The envelope of every source's figure for one thing counted in one year."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    estimate_id: Slug = Field(description="measure-group-scope-year (or -undated).")
    measure: Slug = Field(description="What is counted (figures.measure).")
    group: Group = Field(description="Who is counted (figures.group).")
    scope: Slug = Field(description="Population or operation (figures.scope).")
    year: str | None = Field(
        None, pattern=r"^[0-9]{4}$", description="Year of the figures' as_of; empty: undated."
    )
    low: float | None = Field(None, description="Lowest lower bound of the figures' intervals.")
    high: float | None = Field(None, description="Highest upper bound; empty when unbounded.")
    source_count: int = Field(ge=1, description="How many sources give a figure.")
    sources: list[ListItem] = Field(description="The sources, in order of figure id.")
    values: list[ListItem] = Field(
        description="Each figure as 'figure_id: qualifier stated [interval] (as_of)'."
    )


def estimates(figures: Iterable[FigureLike]) -> list[Estimate]:
    """Envelopes for every count of people, by measure, group, scope and year.

    A vague figure with no number ("hundreds") is left out where the same source gives a number
    for the same thing and year: it summarises that number.
    """
    buckets: dict[tuple[str, str, str, str], list[FigureLike]] = defaultdict(list)
    for f in figures:
        if f.unit == "persons" and f.group is not None:
            year = f.as_of[:4] if f.as_of else ""
            buckets[(f.measure, f.group, f.scope, year)].append(f)
    out = []
    for (measure, group, scope, year), found in sorted(buckets.items()):
        precise = {f.source_id for f in found if f.value is not None}
        members = sorted(
            (f for f in found if f.value is not None or f.source_id not in precise),
            key=lambda f: f.figure_id,
        )
        ivs = [interval(f.qualifier, f.value) for f in members]
        lows = [i.lower for i in ivs if i.lower is not None]
        highs = [i.upper for i in ivs]
        out.append(
            Estimate(
                estimate_id=f"{measure}-{group.replace('_', '-')}-{scope}-{year or 'undated'}",
                measure=measure,
                group=group,
                scope=scope,
                year=year or None,
                low=min(lows) if lows else None,
                high=None
                if any(h is None for h in highs)
                else max(h for h in highs if h is not None),
                source_count=len({f.source_id for f in members}),
                sources=list(dict.fromkeys(f.source_id for f in members)),
                values=[
                    f"{f.figure_id}: {_words(f)} {fmt(i)} ({f.as_of or 'undated'})"
                    for f, i in zip(members, ivs, strict=True)
                ],
            )
        )
    return out


def _words(f: FigureLike) -> str:
    if f.value is None or f.qualifier == "exact":
        return f.stated
    return f"{f.qualifier.replace('_', ' ')} {f.stated}"


def estimates_csv(figures: Iterable[FigureLike]) -> bytes:
    """The bytes of dataset/estimates.csv (``zhusan schema`` writes it with ``table_csv``)."""
    header = [f["name"] for f in model_fields(Estimate)]
    return write_csv(header, (e.model_dump() for e in estimates(figures)))
