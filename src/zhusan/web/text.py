"""How the report site words a figure, and marks the figures' quotes in an archived document."""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass
from html import escape

from zhusan.model.dataset import Dataset
from zhusan.model.intervals import interval
from zhusan.model.tables import Figure, Source
from zhusan.model.text import collapse, collapsed

_NUMBER_WORDS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


def number_word(n: int) -> str:
    """``n`` in words up to twelve, in digits after: ``five``, ``14``."""
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else f"{n:,}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` things in words: ``one document``, ``five documents``, ``14 documents``."""
    return f"{number_word(n)} {noun if n == 1 else plural or noun + 's'}"


def _share(part: int, total: int) -> str:
    """``Two of the five documents``, ``The one document``, ``All three documents``."""
    if part == total:
        return "The one document" if total == 1 else f"All {counted(total, 'document')}"
    return f"{number_word(part).capitalize()} of the {counted(total, 'document')}"


def interests(data: Dataset) -> str:
    """Who the package's own documents were distributed for, and which carry a FARA stamp.

    Written from the sources table (``on_behalf_of``, ``distributed_by``, ``fara_received``)
    and the organisations' names, so it describes the package's own interested parties.
    """
    names = {o.organization_id: o.name for o in data.organizations}
    total = len(data.sources)
    out = []
    for principal, group in _grouped(data.sources):
        agents = list(dict.fromkeys(s.distributed_by for s in group if s.distributed_by))
        by = f" by {_join([names.get(a, a) for a in agents])}" if agents else ""
        verb = "was" if len(group) == 1 else "were"
        out.append(
            f"{_share(len(group), total)} {verb} distributed{by} on behalf of "
            f"{names.get(principal, principal)}, as "
            + ("its disclosure states." if len(group) == 1 else "their disclosures state.")
        )
    stamped = sum(s.fara_received is not None for s in data.sources)
    if stamped:
        verb = "carries" if stamped == 1 else "carry"
        out.append(f"{_share(stamped, total)} {verb} a FARA receipt stamp.")
    out.append("Read each source's interest before citing a number.")
    return " ".join(out)


def _grouped(sources: tuple[Source, ...]) -> list[tuple[str, list[Source]]]:
    groups: dict[str, list[Source]] = {}
    for s in sources:
        if s.on_behalf_of:
            groups.setdefault(s.on_behalf_of, []).append(s)
    return list(groups.items())


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def esc(value: object) -> str:
    """Text escaped for HTML, quotes included."""
    return escape(str(value), quote=True)


def num(v: float | None) -> str:
    """A bound as text: ``1,200``, ``2.5``, or ``∞`` for none (or a bound past the floats)."""
    if v is None or not math.isfinite(v):
        return "-∞" if v is not None and v < 0 else "∞"
    return f"{v:,.0f}" if v == int(v) else f"{v:,g}"


def iv_text(f: Figure) -> str:
    """The interval the figure's wording implies: ``[570, 600)``."""
    iv = interval(f.qualifier, f.value)
    return f"{iv.bounds[0]}{num(iv.lower)}, {num(iv.upper)}{iv.bounds[1]}"


def iv_sort(f: Figure) -> str:
    """The interval as its sort key: lower then upper bound, ``-Infinity``/``Infinity`` if none.

    The figures table sorts by it numerically (``site.js``), so ``[1,200, ∞)`` follows
    ``[570, 600)`` and not the other way round, as it would as text.
    """
    iv = interval(f.qualifier, f.value)
    lower = "-Infinity" if iv.lower is None else f"{iv.lower:g}"
    upper = "Infinity" if iv.upper is None else f"{iv.upper:g}"
    return f"{lower} {upper}"


def words(f: Figure) -> str:
    """The number as the source hedges it: ``more than 400``, ``Thirty-seven``, ``hundreds``.

    A derived figure shows its arithmetic: ``607 - 157 - 413 = 37 (derived)``.
    """
    if f.derivation == "derived":
        return f"{f.stated} = {num(f.value)} (derived)"
    plain = f.value is None or f.qualifier == "exact"
    return f.stated if plain else f"{f.qualifier.replace('_', ' ')} {f.stated}"


def what(f: Figure) -> str:
    """What is counted: ``returned · children · zhusan · syria → kazakhstan``.

    A count of people in the justice system adds its legal stage, a flow where from and to.
    """
    parts = [f.measure, f.group or "", f.scope, f.legal_stage or ""]
    if f.origin_place_id or f.destination_place_id:
        parts.append(f"{f.origin_place_id or '?'} → {f.destination_place_id or '?'}")
    return " · ".join(x.replace("_", " ") for x in parts if x)


def whose(f: Figure) -> str:
    """Whose number it is: ``own``, ``official, unnamed``, ``named: kz-mfa``."""
    if f.attribution == "named":
        return "named: " + ", ".join(x for x in (f.speaker_id, f.speaker_org_id) if x)
    return {"official_unnamed": "official, unnamed", "unnamed_other": "unnamed"}.get(
        f.attribution, f.attribution
    )


def when(f: Figure) -> str:
    """The date and how it was found: ``2019-05 (stated)``."""
    return f"{f.as_of or 'undated'} ({f.date_basis})"


@dataclass(frozen=True)
class Span:
    """Where a figure's quote (rank 0) or its stated number (rank 1) is in a document."""

    start: int
    end: int
    rank: int  # 0: a figure's quote, 1: the stated number inside it
    figure: Figure
    first: bool  # the quote's first occurrence carries the figure's id


#: Places of one quote marked in a document; a quote found more often is marked at its first
#: ``MAX_MARKS`` places only (the source page says how many there are), so a document that
#: repeats a quote a million times makes a page of its size, not a million tags.
MAX_MARKS = 20


def occurrences(text: str, figs: list[Figure]) -> dict[str, int]:
    """How many times each figure's quote is in ``text`` (whitespace collapsed), by figure id."""
    flat = collapse(text)
    return {f.figure_id: flat.count(q) if (q := collapse(f.quote)) else 0 for f in figs}


def spans(text: str, figs: list[Figure]) -> list[Span]:
    """Where each figure's quote (and its stated number) is in ``text``, whitespace collapsed.

    At most ``MAX_MARKS`` places of each quote.
    """
    flat, where = collapsed(text)
    out: list[Span] = []
    for f in figs:
        quote, stated = collapse(f.quote), collapse(f.stated)
        pattern = re.escape(stated)
        number = re.search(rf"(?<!\w){pattern}(?!\w)", quote) or re.search(pattern, quote)
        at, first, marks = (flat.find(quote) if quote else -1), True, 0
        while at >= 0 and marks < MAX_MARKS:
            marks += 1
            out.append(Span(where[at], where[at + len(quote) - 1] + 1, 0, f, first))
            if number and stated:
                a = at + number.start()
                out.append(Span(where[a], where[a + len(stated) - 1] + 1, 1, f, first))
            at, first = flat.find(quote, at + len(quote)), False
    return out


def _open(s: Span, whole: bool) -> str:
    f, fid = s.figure, esc(s.figure.figure_id)
    if s.rank:
        return f'<b class="n" data-f="{fid}">'
    if not (s.first and whole):
        return f'<mark class="q" data-f="{fid}">'
    label = f"{f.figure_id}: {words(f)} · {what(f)} · as of {when(f)} · interval {iv_text(f)}"
    return f'<mark class="q" data-f="{fid}" id="{fid}" data-label="{esc(label)}">'


def marked(text: str, spans: list[Span]) -> str:
    """``text`` escaped, with each span wrapped in its tag.

    A span that crosses the end of another is split there, so that tags nest; only its first
    piece carries the id.
    """
    heap = [(s.start, -s.end, s.rank, i, True) for i, s in enumerate(spans)]
    heapq.heapify(heap)
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    while heap or stack:
        start = heap[0][0] if heap else len(text)
        while stack and (stack[-1][0] <= start or not heap):
            end, close = stack.pop()
            out += [escape(text[pos:end], quote=False), close]
            pos = end
        if not heap:
            break
        start, neg_end, rank, i, whole = heapq.heappop(heap)
        out.append(escape(text[pos:start], quote=False))
        pos, end = start, -neg_end
        limit = stack[-1][0] if stack else len(text)
        if end > limit:
            heapq.heappush(heap, (limit, -end, rank, i, False))
            end = limit
        out.append(_open(spans[i], whole))
        stack.append((end, "</b>" if rank else "</mark>"))
    return "".join(out) + escape(text[pos:], quote=False)
