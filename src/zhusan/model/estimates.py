"""Estimates: for each thing counted, what the sources say at one time, and how it changes.

In the manner of UCDP's low/best/high, but without a "best": a user cites the range and its
sources instead of picking one number. Generated into ``dataset/estimates.csv``.

A running total is given by different sources at different dates (516 to May 2019, 595 to June
2019, 607 by June 2021), so a range across a whole year would show growth as uncertainty. Here:

1. Figures are grouped by what they count: measure, group and scope; figures about the justice
   system by their ``legal_stage`` instead of their measure (arrested, held accountable and
   prosecuted are different stages, whatever word a source uses), and by period (the year of
   ``as_of``; undated figures on their own).
2. Within a period each source gives its latest snapshot only; its earlier ones, and vague
   figures ("hundreds") where it also gives a number, are listed in ``left_out``.
3. The snapshots are split by time: figures whose ``as_of`` dates overlap refer to one time, and
   their range is disagreement. Each row points to the row of the same thing just before it in
   time (``previous_estimate_id``): the chain is the growth.

Every range keeps whether its ends are included (``bounds``), and is also given from the
independent sources only (``sources.interest``), so lobbying material can be set aside.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from zhusan.model.cells import write_csv
from zhusan.model.dates import date_bounds
from zhusan.model.fields import Bounds, Group, LegalStage, ListItem, PartialDate, Slug
from zhusan.model.intervals import Interval, fmt, interval
from zhusan.model.tableschema import model_fields


class Estimate(BaseModel):
    """The range of every source's latest figure for one thing counted at one time."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    estimate_id: Slug = Field(
        description="What is counted, group, scope and time: returned-all-zhusan-2019-06, "
        "stage-arrested-all-zhusan-2019 for a legal stage; -undated for undated figures."
    )
    measure: Slug | None = Field(
        None, description="What is counted (figures.measure); empty for rows by legal stage."
    )
    legal_stage: LegalStage | None = Field(
        None,
        description="For counts of people in the justice system: the legal stage the row pools "
        "(figures of any measure at that stage); empty for other rows.",
    )
    measures: list[ListItem] = Field(description="The measures of the figures pooled.")
    group: Group = Field(description="Who is counted (figures.group).")
    scope: Slug = Field(description="Population or operation (figures.scope).")
    year: str | None = Field(
        None,
        pattern=r"^[0-9]{4}$",
        description="Period: the year of the figures' as_of; empty: undated.",
    )
    as_of_first: PartialDate | None = Field(
        None, description="Earliest as_of of the figures in the range (empty: undated)."
    )
    as_of_last: PartialDate | None = Field(
        None, description="Latest as_of of the figures in the range (empty: undated)."
    )
    same_time: bool | None = Field(
        None,
        description="true when every pair of the figures' as_of dates overlaps, so the range is "
        "disagreement at one time; false when the dates only chain together; empty: undated.",
    )
    low: float | None = Field(None, description="Lowest lower bound of the figures' intervals.")
    high: float | None = Field(None, description="Highest upper bound; empty when unbounded.")
    bounds: Bounds = Field(
        description="Whether low and high are included: [ ] included, ( ) excluded (a high "
        "that is empty is always excluded)."
    )
    source_count: int = Field(ge=1, description="How many sources give a figure in the range.")
    sources: list[ListItem] = Field(description="The sources, in order of figure id.")
    values: list[ListItem] = Field(
        description="Each figure as 'figure_id: qualifier stated [interval] (as_of, "
        "attribution)'; derived figures say so."
    )
    left_out: list[ListItem] = Field(
        default_factory=list,
        description="Figures of the same thing and period not in the range, with the reason: "
        "an earlier snapshot of a source that gives a later one, or a vague figure where the "
        "source gives a number.",
    )
    previous_estimate_id: Slug | None = Field(
        None,
        description="The row of the same thing just before this one in time; following it "
        "shows growth over time, apart from the disagreement within each row.",
    )
    independent_low: float | None = Field(
        None, description="low from the independent sources only (sources.interest)."
    )
    independent_high: float | None = Field(
        None, description="high from the independent sources only; empty when unbounded or none."
    )
    independent_bounds: Bounds | None = Field(
        None, description="bounds of the independent range; empty when no source is independent."
    )
    independent_sources: list[ListItem] = Field(
        default_factory=list,
        description="The independent sources in the range (their figures may still be "
        "official figures: see attribution in values).",
    )


#: The name of the derived table.
ESTIMATES = "estimates"


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
    @property
    def legal_stage(self) -> str | None: ...  # noqa: D102
    @property
    def attribution(self) -> str: ...  # noqa: D102
    @property
    def speaker_id(self) -> str | None: ...  # noqa: D102
    @property
    def speaker_org_id(self) -> str | None: ...  # noqa: D102
    @property
    def derivation(self) -> str: ...  # noqa: D102


class SourceLike(Protocol):
    """What an estimate reads of a source: whether it is independent."""

    @property
    def source_id(self) -> str: ...  # noqa: D102
    @property
    def interest(self) -> str: ...  # noqa: D102


@dataclass(frozen=True)
class _Snap:
    figure: FigureLike
    first: str
    last: str
    iv: Interval


def _snap(f: FigureLike) -> _Snap:
    first, last = date_bounds(f.as_of) if f.as_of else ("", "")
    return _Snap(f, str(first), str(last), interval(f.qualifier, f.value))


def _envelope(snaps: Sequence[_Snap]) -> tuple[float | None, float | None, Bounds]:
    ivs = [s.iv for s in snaps]
    lows = [i.lower for i in ivs]
    low = None if any(x is None for x in lows) else min(x for x in lows if x is not None)
    closed_low = low is not None and any(i.lower == low and i.bounds[0] == "[" for i in ivs)
    highs = [i.upper for i in ivs]
    high = None if any(x is None for x in highs) else max(x for x in highs if x is not None)
    closed_high = high is not None and any(i.upper == high and i.bounds[1] == "]" for i in ivs)
    return low, high, f"{'[' if closed_low else '('}{']' if closed_high else ')'}"  # type: ignore[return-value]


def _words(f: FigureLike) -> str:
    if f.value is None or f.qualifier == "exact":
        return f.stated
    return f"{f.qualifier.replace('_', ' ')} {f.stated}"


def _value(s: _Snap) -> str:
    f = s.figure
    who = f.attribution.replace("_", " ")
    if f.attribution == "named":
        who += " " + (f.speaker_id or f.speaker_org_id or "")
    derived = f"derived: {f.stated}" if f.derivation == "derived" else _words(f)
    return f"{f.figure_id}: {derived} {fmt(s.iv)} ({f.as_of or 'undated'}, {who})"


def _clusters(snaps: list[_Snap]) -> list[list[_Snap]]:
    """Snapshots split where their dates stop overlapping, in time order."""
    out: list[list[_Snap]] = []
    end = ""
    for s in sorted(snaps, key=lambda s: (s.first, s.last, s.figure.figure_id)):
        if out and s.first <= end:
            out[-1].append(s)
            end = max(end, s.last)
        else:
            out.append([s])
            end = s.last
    return out


def _label(cluster: list[_Snap]) -> str:
    """The as_of that covers the whole cluster, else 'first-to-last'."""
    first, last = min(s.first for s in cluster), max(s.last for s in cluster)
    for s in cluster:
        if s.first == first and s.last == last:
            return str(s.figure.as_of)
    ends = sorted(cluster, key=lambda s: (s.first, s.last))
    return f"{ends[0].figure.as_of}-to-{ends[-1].figure.as_of}"


def _same_time(cluster: list[_Snap]) -> bool:
    return all(a.first <= b.last and b.first <= a.last for a in cluster for b in cluster)


def _latest(found: list[_Snap]) -> tuple[list[_Snap], list[str]]:
    """Per source its latest snapshots; and what is left out, with the reason."""
    precise = {s.figure.source_id for s in found if s.figure.value is not None}
    left = [
        f"{s.figure.figure_id} (vague: the source gives a number)"
        for s in found
        if s.figure.value is None and s.figure.source_id in precise
    ]
    kept = [s for s in found if s.figure.value is not None or s.figure.source_id not in precise]
    last: dict[str, str] = defaultdict(str)
    for s in kept:
        last[s.figure.source_id] = max(last[s.figure.source_id], s.last)
    latest = [s for s in kept if s.last == last[s.figure.source_id]]
    left += [
        f"{s.figure.figure_id} (earlier snapshot: the source gives a later one)"
        for s in kept
        if s.last != last[s.figure.source_id]
    ]
    return latest, sorted(left)


Key = tuple[str, str, str, str]  # pooled by (measure or legal stage), key, group, scope


def estimates(figures: Iterable[FigureLike], sources: Iterable[SourceLike] = ()) -> list[Estimate]:
    """Estimates for every count of people (see the module docstring for the rules).

    ``sources`` tells which sources are independent; without it the independent columns are
    empty.
    """
    independent = {s.source_id for s in sources if s.interest == "independent"}
    buckets: dict[tuple[Key, str], list[_Snap]] = defaultdict(list)
    for f in figures:
        if f.unit != "persons" or f.group is None:
            continue
        key: Key = (
            ("legal_stage", f.legal_stage, f.group, f.scope)
            if f.legal_stage is not None
            else ("measure", f.measure, f.group, f.scope)
        )
        buckets[(key, f.as_of[:4] if f.as_of else "")].append(_snap(f))
    rows: dict[Key, list[tuple[str, str, list[_Snap], list[str]]]] = defaultdict(list)
    for (key, year), found in sorted(buckets.items()):
        latest, left = _latest(found)
        if not year:
            rows[key].append(("", "undated", latest, left))
            continue
        clusters = _clusters(latest)
        for i, cluster in enumerate(clusters):
            rows[key].append((year, _label(cluster), cluster, left if i == 0 else []))
    out = []
    for key, chain in sorted(rows.items()):
        pooled, name, group, scope = key
        previous = None
        dated = sorted((r for r in chain if r[0]), key=lambda r: min(s.first for s in r[2]))
        for year, label, members, left in [*dated, *(r for r in chain if not r[0])]:
            members = sorted(members, key=lambda s: s.figure.figure_id)
            prefix = "stage-" if pooled == "legal_stage" else ""
            estimate_id = (
                f"{prefix}{name.replace('_', '-')}-{group.replace('_', '-')}-{scope}-{label}"
            )
            low, high, bounds = _envelope(members)
            indep = [s for s in members if s.figure.source_id in independent]
            i_low, i_high, i_bounds = _envelope(indep) if indep else (None, None, None)
            out.append(
                Estimate(
                    estimate_id=estimate_id,
                    measure=name if pooled == "measure" else None,
                    legal_stage=name if pooled == "legal_stage" else None,
                    measures=list(dict.fromkeys(s.figure.measure for s in members)),
                    group=group,
                    scope=scope,
                    year=year or None,
                    as_of_first=min(members, key=lambda s: s.first).figure.as_of if year else None,
                    as_of_last=max(members, key=lambda s: s.last).figure.as_of if year else None,
                    same_time=_same_time(members) if year else None,
                    low=low,
                    high=high,
                    bounds=bounds,
                    source_count=len({s.figure.source_id for s in members}),
                    sources=list(dict.fromkeys(s.figure.source_id for s in members)),
                    values=[_value(s) for s in members],
                    left_out=left,
                    previous_estimate_id=previous if year else None,
                    independent_low=i_low,
                    independent_high=i_high,
                    independent_bounds=i_bounds,
                    independent_sources=list(dict.fromkeys(s.figure.source_id for s in indep)),
                )
            )
            if year:
                previous = estimate_id
    return out


def estimates_csv(figures: Iterable[FigureLike], sources: Iterable[SourceLike] = ()) -> bytes:
    """The bytes of dataset/estimates.csv."""
    header = [f["name"] for f in model_fields(Estimate)]
    return write_csv(header, (e.model_dump() for e in estimates(figures, sources)))
