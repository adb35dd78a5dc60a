"""Markdown generated from the data and the code, spliced into README.md by ``zhusan schema``."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, get_args

from zhusan.model.fields import Qualifier
from zhusan.model.intervals import interval

if TYPE_CHECKING:
    from zhusan.model.dataset import Dataset

BLOCK = re.compile(r"(<!-- BEGIN generated: (\w+) -->\n).*?(<!-- END generated -->)", re.DOTALL)


def sources_block(data: Dataset) -> str:
    """Per source: how many figures, events, people, organisations and places it contributes."""
    sources = data.sources
    figures = Counter(f.source_id for f in data.figures)
    mentions = data.mentions
    kinds = ("event_id", "person_id", "organization_id", "place_id")
    seen = {k: {(m.source_id, getattr(m, k)) for m in mentions if getattr(m, k)} for k in kinds}
    lines = [
        "| source | kind | published | figures | events | people | organisations | places |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in sources:
        counts = [sum(1 for sid, _ in seen[k] if sid == s.source_id) for k in kinds]
        date = s.published or "undated"
        if s.published_basis == "inferred":
            date += " (inferred)"
        lines.append(
            f"| `{s.source_id}`: {s.title} | {s.kind} | {date} | {figures[s.source_id]} | "
            + " | ".join(str(c) for c in counts)
            + " |"
        )
    total_people = len({p for _, p in seen["person_id"]})
    lines.append("")
    lines.append(
        f"In all: {sum(figures.values())} figures, {len({e for _, e in seen['event_id']})} "
        f"events, {total_people} people."
    )
    return "\n".join(lines) + "\n"


def _fmt(x: float | None) -> str:
    return "∞" if x is None else f"{x:g}"


def intervals_block(_: Dataset) -> str:
    """The qualifier rules as a table, computed by the code that applies them."""
    lines = ["| qualifier | example | interval |", "|---|---|---|"]
    for q in get_args(Qualifier):
        iv = interval(q, 600)
        example = (
            "(no number)"
            if q in ("dozens", "hundreds", "thousands", "few_hundred", "several")
            else f"{q.replace('_', ' ')} 600"
        )
        lo, hi = ("-∞" if iv.lower is None else _fmt(iv.lower)), _fmt(iv.upper)
        lines.append(f"| `{q}` | {example} | {iv.bounds[0]}{lo}, {hi}{iv.bounds[1]} |")
    return "\n".join(lines) + "\n"


BLOCKS = {"sources": sources_block, "intervals": intervals_block}


def render_readme(data: Dataset, text: str) -> str:
    """README text with every generated block replaced by its current content."""

    def sub(m: re.Match[str]) -> str:
        return m.group(1) + BLOCKS[m.group(2)](data) + m.group(3)

    return BLOCK.sub(sub, text)
