"""Internal: every consistency finding explained by a discrepancies row, and no row stale."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.consistency import FIGURE_COLUMNS, finding_frame, findings_of, spell_id
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


def check_findings(pkg: Package) -> Iterator[Problem]:
    """Every consistency finding has a discrepancies row, and every row still has its finding.

    A finding id is its rule and its sorted figure ids, so a row whose finding occurs matches
    it exactly when ``rule:sorted(figure_ids)`` spells the same id.
    """
    figures = valid_rows(pkg, "figures", *FIGURE_COLUMNS)
    covered = valid_rows(pkg, "figures", *COVERAGE_COLUMNS)
    found = pl.concat([finding_frame(figures), coverage_finding_frame(covered)], how="diagonal")
    disc = valid_rows(pkg, "discrepancies", "finding_id", "rule", "figure_ids").with_columns(
        spelled=spell_id(pl.col("rule"), pl.col("figure_ids").str.split(";")),
        occurs=pl.col("finding_id").is_in(found["finding_id"].implode()),
    )
    stale = disc.filter(~pl.col("occurs"))
    if stale.height:
        valid = figures["figure_id"]
        listed = pl.col("figure_ids").str.split(";")
        stale = stale.filter(listed.list.eval(pl.element().is_in(valid.implode())).list.all())
    for fid, row in stale.select("finding_id", "_row").sort("_row").iter_rows():
        yield Problem(
            "stale-discrepancy",
            f"finding {fid} no longer occurs",
            "discrepancies",
            row,
            "finding_id",
            fid,
        )
    mismatch = disc.filter(pl.col("occurs") & (pl.col("spelled") != pl.col("finding_id")))
    mismatch = mismatch.join(
        found.select("finding_id", f_rule="rule", f_ids=pl.col("ids").list.sort()),
        on="finding_id",
    )
    for rule, ids, row in mismatch.select("f_rule", "f_ids", "_row").sort("_row").iter_rows():
        yield Problem(
            "discrepancy-mismatch",
            f"rule and figure_ids must be {rule} and {';'.join(ids)}",
            "discrepancies",
            row,
            "figure_ids",
        )
    unexplained = found.filter(~pl.col("finding_id").is_in(disc["finding_id"].implode()))
    if unexplained.height:
        # Described from the findings already found, not found again among their figures.
        ids = {i for ids in unexplained["ids"].to_list() for i in ids}
        involved = pl.col("figure_id").is_in(list(ids))
        coverage = pl.col("rule").is_in(COVERAGE_RULES)
        for f in [
            *findings_of(figures.filter(involved), unexplained.filter(~coverage)),
            *coverage_findings_of(covered.filter(involved), unexplained.filter(coverage)),
        ]:
            yield Problem(
                "unexplained-finding",
                f"[{f.finding_id}] {f.message}; no discrepancies row explains it",
                "figures",
            )
