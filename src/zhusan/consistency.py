"""Consistency checks: totals that add up, and every disagreement between figures found.

Each check yields ``Finding``s with a stable id (``rule:figure+figure``). The discrepancies table
must explain every finding, and every explanation must still match a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from zhusan.fields import date_bounds
from zhusan.intervals import Interval, interval
from zhusan.models import Figure

#: Measures that count the same kind of thing under different words; compared across sources.
FAMILIES: dict[str, str] = {
    "returned": "returnees",
    "in-programme": "returnees",
    "arrested": "prosecution",
    "prosecuted": "prosecution",
    "held-accountable": "prosecution",
}
#: Measures whose count can only grow as the date moves on.
CUMULATIVE = frozenset(
    {
        "returned",
        "self-returned",
        "arrested",
        "prosecuted",
        "held-accountable",
        "left-for-syria-iraq",
        "joined-isis",
    }
)
#: Physical or domain bounds per measure: a value outside is implausible.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "air-temperature": (-90.0, 60.0),
    "age": (0.0, 120.0),
}
#: The order in which ``zhusan conflicts`` lists what is counted.
TOPICS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("returned people", "returnees", frozenset({"all"})),
    ("children", "returnees", frozenset({"children", "orphans"})),
    ("women", "returnees", frozenset({"women"})),
    ("women and children", "returnees", frozenset({"women_and_children"})),
    ("men", "returnees", frozenset({"men"})),
    ("prosecutions", "prosecution", frozenset()),
)


@dataclass(frozen=True)
class Finding:
    """One thing the checks found: a rule, the figures involved, and what is wrong."""

    rule: str
    figure_ids: tuple[str, ...]
    message: str

    @property
    def finding_id(self) -> str:
        """Stable id: the rule and the sorted figure ids."""
        return f"{self.rule}:{'+'.join(sorted(self.figure_ids))}"


def family(f: Figure) -> str:
    """The family of measures a figure is compared within."""
    return FAMILIES.get(f.measure, f.measure)


def iv(f: Figure) -> Interval:
    """A figure's interval by the qualifier rule."""
    return interval(f.qualifier, f.value)


def fmt(i: Interval) -> str:
    """An interval as text: [570, 600)."""
    lo = "-inf" if i.lower is None else f"{i.lower:g}"
    hi = "inf" if i.upper is None else f"{i.upper:g}"
    return f"{i.bounds[0]}{lo}, {hi}{i.bounds[1]}"


def disjoint(a: Interval, b: Interval) -> bool:
    """True when no number lies in both intervals."""
    return below(a, b) or below(b, a)


def below(a: Interval, b: Interval) -> bool:
    """True when every number of ``a`` is smaller than every number of ``b``."""
    if a.upper is None or b.lower is None:
        return False
    if a.upper < b.lower:
        return True
    return a.upper == b.lower and (a.bounds[1] == ")" or b.bounds[0] == "(")


def add(parts: Sequence[Interval]) -> Interval:
    """Interval sum: the interval of every possible total of the parts."""
    lo = None if any(p.lower is None for p in parts) else sum(p.lower or 0 for p in parts)
    hi = None if any(p.upper is None for p in parts) else sum(p.upper or 0 for p in parts)
    lo_b = "[" if all(p.bounds[0] == "[" for p in parts) else "("
    hi_b = "]" if all(p.bounds[1] == "]" for p in parts) else ")"
    return Interval(lo, hi, f"{lo_b}{hi_b}")  # type: ignore[arg-type]


def dates(f: Figure) -> tuple[str, str] | None:
    """First and last day the figure may refer to, or None when its date is unknown."""
    if f.as_of is None:
        return None
    start = date_bounds(f.period_start)[0] if f.period_start else date_bounds(f.as_of)[0]
    return start, date_bounds(f.as_of)[1]


def same_time(a: Figure, b: Figure) -> bool:
    """Whether two figures may refer to the same date (unknown dates may refer to any)."""
    da, db = dates(a), dates(b)
    if da is None or db is None:
        return True
    return da[0] <= db[1] and db[0] <= da[1]


def _label(f: Figure) -> str:
    return f"{f.figure_id} ({f.source_id}: {f.qualifier.replace('_', ' ')} {f.stated})"


def check_breakdowns(figures: Sequence[Figure]) -> Iterator[Finding]:
    """Exhaustive parts sum to their whole; non-exhaustive parts never exceed it."""
    by_id = {f.figure_id: f for f in figures}
    groups: dict[tuple[str, str, bool], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.parent_id and f.axis is not None and f.exhaustive is not None:
            groups[(f.parent_id, f.axis, f.exhaustive)].append(f)
    for (parent_id, axis, exhaustive), parts in sorted(groups.items()):
        whole = by_id.get(parent_id)
        if whole is None:
            continue
        total = add([iv(p) for p in parts])
        names = " + ".join(p.stated for p in parts)
        ids = (whole.figure_id, *(p.figure_id for p in parts))
        if exhaustive and disjoint(total, iv(whole)):
            yield Finding(
                "breakdown-sum",
                ids,
                f"breakdown of {_label(whole)} by {axis} does not add up: {names} "
                f"gives {fmt(total)}, the whole is {fmt(iv(whole))}",
            )
        elif not exhaustive and below(iv(whole), total):
            yield Finding(
                "parts-exceed-whole",
                ids,
                f"parts of {_label(whole)} by {axis} ({names}, {fmt(total)}) "
                f"exceed the whole {fmt(iv(whole))}",
            )


def check_subsets(figures: Sequence[Figure]) -> Iterator[Finding]:
    """A subset never exceeds the figure it is contained in; a share matches its counts."""
    by_id = {f.figure_id: f for f in figures}
    for f in figures:
        whole = by_id.get(f.subset_of or "")
        if whole is None:
            continue
        if f.unit == whole.unit and below(iv(whole), iv(f)):
            yield Finding(
                "subset-exceeds-whole",
                (f.figure_id, whole.figure_id),
                f"{_label(f)} exceeds {_label(whole)} it is part of",
            )
        if f.unit == "percent" and whole.unit != "percent":
            yield from _check_share(f, whole, figures)


def _check_share(share: Figure, whole: Figure, figures: Sequence[Figure]) -> Iterator[Finding]:
    for count in figures:
        if (count.subset_of == whole.figure_id or count.parent_id == whole.figure_id) and (
            count.unit == whole.unit
            and count.measure == share.measure
            and count.group == share.group
        ):
            a, w = iv(count), iv(whole)
            if a.lower is None or w.upper is None or w.upper == 0:
                continue
            lowest = 100 * a.lower / w.upper
            highest = None if a.upper is None or not w.lower else 100 * a.upper / w.lower
            implied = Interval(lowest, highest, "[]")
            if disjoint(implied, iv(share)):
                yield Finding(
                    "share-mismatch",
                    (share.figure_id, count.figure_id, whole.figure_id),
                    f"{_label(share)} does not match {_label(count)} of "
                    f"{_label(whole)}: the counts give {fmt(implied)} percent",
                )


def check_plausible(figures: Iterable[Figure]) -> Iterator[Finding]:
    """Values outside physical or domain bounds."""
    for f in figures:
        lo, hi = PLAUSIBLE.get(f.measure, (None, None))
        if lo is not None and hi is not None and f.value is not None and not lo <= f.value <= hi:
            yield Finding(
                "implausible",
                (f.figure_id,),
                f"{_label(f)} is outside the plausible range {lo:g} to {hi:g} for {f.measure}",
            )


def _comparable(figures: Iterable[Figure]) -> dict[tuple[str, str, str], list[Figure]]:
    groups: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.group is not None:
            groups[(family(f), f.group, f.scope)].append(f)
    return groups


def check_across_sources(figures: Sequence[Figure]) -> Iterator[Finding]:
    """Figures of different sources counting the same thing agree, and totals never shrink."""
    for (fam, group, scope), members in sorted(_comparable(figures).items()):
        for a, b in combinations(members, 2):
            if a.source_id == b.source_id:
                continue
            ia, ib = iv(a), iv(b)
            if disjoint(ia, ib):
                yield Finding(
                    "disagreement",
                    (a.figure_id, b.figure_id),
                    f"{fam}/{group}/{scope}: {_label(a)} {fmt(ia)} and {_label(b)} "
                    f"{fmt(ib)} do not overlap",
                )
            if a.measure in CUMULATIVE and a.measure == b.measure and not same_time(a, b):
                early, late = sorted((a, b), key=lambda f: dates(f) or ("", ""))
                if below(iv(late), iv(early)):
                    yield Finding(
                        "cumulative-decrease",
                        (early.figure_id, late.figure_id),
                        f"{fam}/{group}/{scope}: the later {_label(late)} is below "
                        f"the earlier {_label(early)}",
                    )


def check_combined_groups(figures: Sequence[Figure]) -> Iterator[Finding]:
    """A women-and-children figure agrees with women plus children of any source, same time."""
    groups = _comparable(figures)
    for (fam, group, scope), combined in sorted(groups.items()):
        if group != "women_and_children":
            continue
        women, children = (
            groups.get((fam, "women", scope), []),
            groups.get((fam, "children", scope), []),
        )
        for w in women:
            for c in children:
                if w.source_id != c.source_id or not same_time(w, c):
                    continue
                total = add([iv(w), iv(c)])
                for f in combined:
                    if same_time(f, w) and same_time(f, c) and disjoint(total, iv(f)):
                        yield Finding(
                            "combined-group",
                            (f.figure_id, w.figure_id, c.figure_id),
                            f"{_label(f)} {fmt(iv(f))} against women plus children "
                            f"{w.stated} + {c.stated} = {fmt(total)} of "
                            f"{w.source_id}",
                        )


def findings(figures: Sequence[Figure]) -> list[Finding]:
    """Every finding of every consistency check, in a stable order, without repeats."""
    found: dict[str, Finding] = {}
    for check in (
        check_breakdowns,
        check_subsets,
        check_plausible,
        check_across_sources,
        check_combined_groups,
    ):
        for finding in check(figures):
            found.setdefault(finding.finding_id, finding)
    return list(found.values())


def topic(f: Figure) -> int:
    """Rank of a figure's topic in ``TOPICS`` (most important first)."""
    for rank, (_, fam, groups) in enumerate(TOPICS):
        if family(f) == fam and (not groups or f.group in groups):
            return rank
    return len(TOPICS)
