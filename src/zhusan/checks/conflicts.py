"""Internal: every consistency finding of a loaded package with its explanation, by topic."""

from __future__ import annotations

from typing import Any

from zhusan.checks.consistency import TOPICS, family, findings, topic
from zhusan.checks.coverage_rules import coverage_findings
from zhusan.model.dataset import Dataset
from zhusan.model.intervals import fmt, interval


def conflict_list(data: Dataset) -> list[dict[str, Any]]:
    """Every consistency finding with its explanation, most important topic first.

    A finding's topic is that of its first figure (the whole, or the combined group).

    Topics: returned people, children, women, women and children, men, prosecutions, other.
    ``explanation`` is None for a finding that no discrepancies row explains.
    """
    by_id = {f.figure_id: f for f in data.figures}
    explained = {d.finding_id: d for d in data.discrepancies}
    out = []
    for finding in [*findings(data.figures), *coverage_findings(data.figures)]:
        figs = [by_id[i] for i in finding.figure_ids]
        rank = topic(family(figs[0].measure), figs[0].group)
        d = explained.get(finding.finding_id)
        out.append(
            {
                "finding_id": finding.finding_id,
                "rule": finding.rule,
                "topic": TOPICS[rank][0] if rank < len(TOPICS) else "other",
                "rank": rank,
                "message": finding.message,
                "figures": [
                    {
                        "figure_id": f.figure_id,
                        "source_id": f.source_id,
                        "stated": f.stated,
                        "qualifier": f.qualifier,
                        "value": f.value,
                        "interval": fmt(interval(f.qualifier, f.value)),
                        "as_of": f.as_of,
                        "quote": f.quote,
                    }
                    for f in figs
                ],
                "explanation": None
                if d is None
                else {"discrepancy_id": d.discrepancy_id, "kind": d.kind, "text": d.explanation},
            }
        )
    out.sort(key=lambda c: (c["rank"], c["rule"], c["finding_id"]))
    return out
