"""Consistency checks: totals that add up, and every set of figures that cannot all be true.

Findings are detected set-wise on a polars frame of the figures (sorts, group-bys, window
functions and joins of bounded size, no loop over rows), so the work grows like n log n and a
family of figures that disagree among themselves gives one finding, not one per pair. Each
finding names the set of figures that cannot all be true and has a stable id; small sets keep
one finding per conflicting pair or triple. Messages are composed only for the findings that
occur. ``docs/consistency.md`` states every rule, the id scheme and the complexity.

The modules, each read in one sitting:

- ``figures``: the figure columns, families of measures, ``prepare`` (typed columns);
- ``ids``: ``Finding``, finding ids and ``settle`` (a family's conflict set into findings);
- ``slim``: the slim frame of integer families and ends, the shared interval tests;
- ``sums``: breakdowns, subsets, shares and implausible values;
- ``disagreement``: ``disagreement`` and ``cumulative-decrease``;
- ``ranges`` and ``combined``: ``combined-group`` over time cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from zhusan.checks.consistency.combined import combined
from zhusan.checks.consistency.disagreement import cumulative, disagreement
from zhusan.checks.consistency.figures import (
    CUMULATIVE,
    FAMILIES,
    FIGURE_COLUMNS,
    PLAUSIBLE,
    TOPICS,
    family,
    prepare,
    topic,
)
from zhusan.checks.consistency.ids import LISTED, PAIRWISE, Finding, finding_id, spell_id
from zhusan.checks.consistency.slim import slim_frame
from zhusan.checks.consistency.sums import breakdowns, plausible, subsets
from zhusan.checks.messages import message
from zhusan.model.cells import format_cell
from zhusan.model.tables import Figure

__all__ = [
    "CUMULATIVE",
    "FAMILIES",
    "FIGURE_COLUMNS",
    "LINKED",
    "LINKS",
    "LISTED",
    "PAIRWISE",
    "PARTITION",
    "PLAUSIBLE",
    "TOPICS",
    "Finding",
    "describe",
    "family",
    "finding_frame",
    "finding_id",
    "findings",
    "findings_of",
    "frame_of",
    "linking",
    "prepare",
    "spell_id",
    "topic",
]


#: The column within whose values every rule compares figures, but the ``LINKED`` ones: the
#: findings of a package are those of its figures cut into parts by this column, plus those of
#: ``LINKED`` rules on the figures that link to another and those they link to (``linking``).
PARTITION = "scope"
#: The rules that follow a figure's link to another figure, whatever the other's scope.
LINKED = (
    "breakdown-sum", "parts-exceed-whole", "subset-exceeds-whole", "share-mismatch",
)  # fmt: skip
#: The figure columns that link a figure to another.
LINKS = ("parent_id", "subset_of")


def finding_frame(
    raw: pl.DataFrame, *, pairwise: int = PAIRWISE, linked: bool = True, scoped: bool = True
) -> pl.DataFrame:
    """Every finding as rows of (finding_id, rule, ids), ids in message order, no repeats.

    ``pairwise`` is the largest conflict set reported one witness at a time (``PAIRWISE``).
    ``linked=False`` leaves out the ``LINKED`` rules, ``scoped=False`` the others.
    """
    f = prepare(raw)
    s = slim_frame(f)
    frames = [*breakdowns(f), *subsets(s, pairwise)] if linked else []
    if scoped:
        frames += [
            plausible(f),
            disagreement(s, pairwise),
            cumulative(s, pairwise),
            combined(s, pairwise),
        ]
    frames = [x.select("rule", "ids", "finding_id") for x in frames]
    return pl.concat(frames).unique(subset=["finding_id"], keep="first", maintain_order=True)


def linking(raw: pl.DataFrame) -> pl.Expr:
    """True for the rows of ``raw`` the ``LINKED`` rules read.

    Those are the figures that link to another (``LINKS``) and every figure linked to.
    """
    targets = pl.concat([raw[c] for c in LINKS]).drop_nulls().unique()
    links = pl.any_horizontal(pl.col(c).fill_null("") != "" for c in LINKS)
    return links | pl.col("figure_id").is_in(targets.implode())


def frame_of(figures: Iterable[Figure]) -> pl.DataFrame:
    """The raw string frame of figure models, as the checks read it from CSV."""
    rows = [{c: format_cell(getattr(f, c)) for c in FIGURE_COLUMNS} for f in figures]
    schema = dict.fromkeys(FIGURE_COLUMNS, pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row")


def describe(rule: str, ids: Sequence[str], by_id: dict[str, dict[str, Any]]) -> str:
    """The message of one finding, from the prepared rows of its figures."""
    return message(rule, [by_id[i] for i in ids])


def findings_of(raw: pl.DataFrame, found: pl.DataFrame | None = None) -> list[Finding]:
    """Findings with their messages (for reports of a few findings, not for a million).

    ``found``: the rows of ``finding_frame`` to describe, when they are already known (their
    figures must be in ``raw``); by default every finding of ``raw``.
    """
    found = finding_frame(raw) if found is None else found
    needed = {i for ids in found["ids"].to_list() for i in ids}
    rows = prepare(raw).filter(pl.col("figure_id").is_in(list(needed))).iter_rows(named=True)
    by_id = {r["figure_id"]: r for r in rows}
    return [
        Finding(r["rule"], tuple(r["ids"]), describe(r["rule"], r["ids"], by_id))
        for r in found.iter_rows(named=True)
    ]


def findings(figures: Sequence[Figure]) -> list[Finding]:
    """Every finding of every consistency check on these figures."""
    return findings_of(frame_of(figures))
