"""Internal: Markdown blocks generated from the data and the code, spliced into the docs.

``zhusan schema`` replaces each ``<!-- BEGIN generated: NAME -->`` ... ``<!-- END generated -->``
block of README.md and docs/*.md with ``BLOCKS[NAME]``; ``zhusan schema --check`` fails when one
has drifted.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, get_args

from zhusan.engines.csvfallback import CHUNK_ROWS
from zhusan.engines.frame import MAX_COLUMNS
from zhusan.files.blocks import AHEAD
from zhusan.files.descriptor import MAX_DESCRIPTOR_BYTES
from zhusan.files.lines import MAX_RECORD
from zhusan.files.remote import MAX_REMOTE_BYTES, TIMEOUT
from zhusan.files.seeds import MAX_SOURCE_BYTES
from zhusan.model.errors import CODES
from zhusan.model.fields import Qualifier
from zhusan.model.intervals import interval
from zhusan.model.report import MAX_PER_CODE

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


def codes_block(_: Dataset) -> str:
    """The error-code registry as a table: code, exit code, meaning, example."""
    lines = ["| code | exit | meaning | example |", "|---|---|---|---|"]
    for e in CODES.values():
        example = e.example.replace("|", "\\|")
        lines.append(f"| `{e.code}` | {e.exit} | {e.meaning} | `{example}` |")
    return "\n".join(lines) + "\n"


def limits_block(_: Dataset) -> str:
    """The limits that keep validate's memory bounded, as the code sets them."""
    rows = [
        ("a descriptor (`datapackage.json`)", f"{MAX_DESCRIPTOR_BYTES >> 20} MiB", "exit 2"),
        ("a line of a table", f"{MAX_RECORD >> 20} MiB", "`record-too-long`, table unread"),
        ("a table's header", f"{MAX_COLUMNS:,} columns", "`too-many-columns`, table unread"),
        ("an archived document", f"{MAX_SOURCE_BYTES >> 20} MiB", "`seed-too-large`, unread"),
        (
            "problems kept of one code in one table",
            f"{MAX_PER_CODE:,} (`--max-per-code`)",
            "the rest counted, not kept",
        ),
        (
            "a remote resource (`--allow-remote`)",
            f"{MAX_REMOTE_BYTES >> 30} GiB",
            "exit 2, body unread when `Content-Length` says so",
        ),
        ("time for one network operation of a download", f"{TIMEOUT:g} s", "exit 2"),
        (
            "records of a table read by the `csv` module at a time",
            f"{CHUNK_ROWS:,}",
            "checked by the polars flags chunk by chunk",
        ),
        ("blocks pyarrow reads ahead of the checks", f"{AHEAD} of {MAX_RECORD >> 20} MiB", ""),
    ]
    lines = ["| what | at most | past it |", "|---|---|---|"]
    lines += [f"| {what} | {limit} | {past} |" for what, limit, past in rows]
    return "\n".join(lines) + "\n"


BLOCKS = {
    "sources": sources_block,
    "intervals": intervals_block,
    "codes": codes_block,
    "limits": limits_block,
}


def render_blocks(data: Dataset, text: str) -> str:
    """Markdown text with every generated block replaced by its current content."""

    def sub(m: re.Match[str]) -> str:
        return m.group(1) + BLOCKS[m.group(2)](data) + m.group(3)

    return BLOCK.sub(sub, text)
