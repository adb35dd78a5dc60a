"""Internal: every consistency finding explained by a discrepancies row, and no row stale.

The findings are found part by part: the figures are cut by ``PARTITION`` (their scope) into
parts of about ``PART_ROWS`` rows, each part checked by every rule but the ``LINKED`` ones,
which check the figures that link to another and those they link to. No rule compares figures
of two scopes except through a link, so the findings are those of the whole table, and the
memory the rules take is that of one part. ``found_in`` is the same for every engine; each
engine hands it the parts its own way (a polars filter here, a SQL query in ``sql_findings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import polars as pl

from zhusan.checks.consistency import (
    FIGURE_COLUMNS,
    PARTITION,
    finding_frame,
    findings_of,
    linking,
    spell_id,
)
from zhusan.checks.coverage_rules import (
    COVERAGE_COLUMNS,
    coverage_finding_frame,
    coverage_findings_of,
)
from zhusan.checks.coverage_rules import (
    RULES as COVERAGE_RULES,
)
from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem

#: The figure columns the findings read (those of both kinds of rule).
COLUMNS = tuple(sorted({*FIGURE_COLUMNS, *COVERAGE_COLUMNS}))
#: The discrepancies columns they read.
DISCREPANCY_COLUMNS = ("finding_id", "rule", "figure_ids")
#: The code of a finding no discrepancies row explains.
UNEXPLAINED = "unexplained-finding"
#: About how many figures a part holds: the rules' memory is that of one part.
PART_ROWS = 1 << 16
_EMPTY = pl.DataFrame(
    schema={"finding_id": pl.String, "rule": pl.String, "ids": pl.List(pl.String)}
)

#: The valid figure rows (``COLUMNS``) whose figure id is one of the ids given.
RowsOf = Callable[[list[str]], pl.DataFrame]


def part_count(rows: int) -> int:
    """How many parts ``rows`` figures are cut into."""
    return max(1, -(-rows // PART_ROWS))


def findings_in(linked: pl.DataFrame, parts: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The findings of ``linked`` (``LINKED`` rules), then of each part (the other rules).

    Frames of (finding_id, rule, ids); a finding may come twice when figure ids repeat.
    """
    yield _shaped(finding_frame(linked.select(FIGURE_COLUMNS), scoped=False))
    for part in parts:
        yield _shaped(finding_frame(part.select(FIGURE_COLUMNS), linked=False))
        yield _shaped(coverage_finding_frame(part.select(COVERAGE_COLUMNS)))


def _shaped(found: pl.DataFrame) -> pl.DataFrame:
    return found.select(_EMPTY.columns)


def found_in(linked: pl.DataFrame, parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Every finding, as rows of (finding_id, rule, ids) sorted by id.

    ``linked``: the rows ``linking`` selects; ``parts``: the rows cut by ``PARTITION``, every
    row in one part and the rows of one value of it in the same part. Of two findings with
    one id (figure ids that repeat), the one whose ids, joined by ``;``, sort first is kept.
    """
    found = pl.concat([_EMPTY, *findings_in(linked, parts)])
    order = pl.col("ids").list.join(";")
    return found.sort(pl.col("finding_id"), order).unique(
        "finding_id", keep="first", maintain_order=True
    )


def check_findings(pkg: Package) -> Iterator[Problem]:
    """Every consistency finding has a discrepancies row, and every row still has its finding."""
    figures = valid_rows(pkg, "figures", *COLUMNS)
    count = part_count(figures.height)
    if count == 1:
        parts: Iterable[pl.DataFrame] = [figures]
    else:
        part = figures.select(pl.col(PARTITION).hash() % count).to_series()
        parts = (figures.filter(part == n) for n in range(count))
    found = found_in(figures.filter(linking(figures)), parts)
    disc = valid_rows(pkg, "discrepancies", *DISCREPANCY_COLUMNS)

    def rows_of(ids: list[str]) -> pl.DataFrame:
        return figures.filter(pl.col("figure_id").is_in(ids))

    yield from explain(found, disc, rows_of)


def explain(found: pl.DataFrame, disc: pl.DataFrame, rows_of: RowsOf) -> Iterator[Problem]:
    """The problems of the findings ``found`` against the discrepancies rows ``disc``.

    A row is stale when its finding does not occur and every figure it lists is valid
    (``rows_of`` tells which are); a row whose finding occurs must spell its id
    (``mismatches``); a finding no row names is unexplained (``described``).
    """
    occurs = pl.col("finding_id").is_in(found["finding_id"].implode())
    stale = disc.filter(~occurs)
    if stale.height:
        listed = pl.col("figure_ids").str.split(";")
        named = stale.select(listed.explode().unique())["figure_ids"].to_list()
        valid = rows_of(named)["figure_id"]
        stale = stale.filter(listed.list.eval(pl.element().is_in(valid.implode())).list.all())
    for fid, row in stale.select("finding_id", "_row").sort("_row").iter_rows():
        yield stale_problem(fid, row)
    matched = disc.filter(occurs).join(
        found.select("finding_id", f_rule="rule", f_ids="ids"), on="finding_id"
    )
    yield from mismatches(matched.sort("_row"))
    unexplained = found.filter(~pl.col("finding_id").is_in(disc["finding_id"].implode()))
    coverage = pl.col("rule").is_in(COVERAGE_RULES)
    yield from described(unexplained.sort(coverage, "finding_id"), rows_of)


def stale_problem(finding_id: str, row: int) -> Problem:
    """A discrepancies row whose finding no longer occurs."""
    return Problem(
        "stale-discrepancy",
        f"finding {finding_id} no longer occurs",
        "discrepancies",
        row,
        "finding_id",
        finding_id,
    )


def mismatches(matched: pl.DataFrame) -> Iterator[Problem]:
    """The discrepancies rows of occurring findings that do not spell their finding's id.

    ``matched``: the rows (``finding_id``, ``rule``, ``figure_ids``, ``_row``) with their
    finding's rule and ids (``f_rule``, ``f_ids``). A finding id is its rule and its sorted
    figure ids, so a row matches exactly when ``rule:sorted(figure_ids)`` spells the same id.
    """
    spelled = spell_id(pl.col("rule"), pl.col("figure_ids").str.split(";"))
    wrong = matched.filter(spelled != pl.col("finding_id"))
    for rule, ids, row in wrong.select("f_rule", pl.col("f_ids").list.sort(), "_row").iter_rows():
        yield Problem(
            "discrepancy-mismatch",
            f"rule and figure_ids must be {rule} and {';'.join(ids)}",
            "discrepancies",
            row,
            "figure_ids",
        )


def described(unexplained: pl.DataFrame, rows_of: RowsOf) -> Iterator[Problem]:
    """An ``unexplained-finding`` for each finding, in order, from the findings already found.

    The findings are described from the rows of the figures they name, not found again.
    """
    if unexplained.height == 0:
        return
    rows = rows_of(sorted({i for ids in unexplained["ids"].to_list() for i in ids}))
    coverage = pl.col("rule").is_in(COVERAGE_RULES)
    together = [
        *findings_of(rows.select(FIGURE_COLUMNS), unexplained.filter(~coverage)),
        *coverage_findings_of(rows.select(COVERAGE_COLUMNS), unexplained.filter(coverage)),
    ]
    by_id = {f.finding_id: f for f in together}
    for fid in unexplained["finding_id"].to_list():
        f = by_id[fid]
        yield Problem(
            UNEXPLAINED,
            f"[{f.finding_id}] {f.message}; no discrepancies row explains it",
            "figures",
        )
