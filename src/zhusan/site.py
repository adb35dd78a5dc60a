"""The report site: a static, self-contained HTML site of a package (``write_site``).

An overview, a chart per thing counted, the discrepancies, every figure in a searchable table,
and each archived document with the figures' quotes marked. The pages load nothing from the
network (the script, style sheet and icon are files of the site); page text lives in templates
under ``site_assets/``. The folder appears only once every file in it has been written.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import date
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from zhusan.api import Dataset, conflicts, load
from zhusan.estimates import estimates
from zhusan.fields import date_bounds
from zhusan.intervals import interval
from zhusan.models import TABLES, Figure, Source
from zhusan.package import resolve, version

ASSETS = ("site.css", "site.js", "favicon.svg")
#: Marks a folder as a site written here: only such a folder (or an empty one) is replaced.
MARKER = ".zhusan-site"
NAV = {"index": "Overview", "counts": "Counts", "conflicts": "Discrepancies", "figures": "Figures"}
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#222222")
RETURNEES = frozenset({"returned", "in-programme"})
PROSECUTION = frozenset({"arrested", "prosecuted", "held-accountable"})
#: Chart geometry: width, height, plot left and right, top, axis, and the undated lane.
W, H, LEFT, RIGHT, TOP, BOTTOM, LANE = 900, 300, 56, 610, 12, 266, (640, 896)
CURRENT = ' aria-current="page"'
Box = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Chart:
    """A thing counted: figures of scope zhusan with one of these measures and groups (or any)."""

    key: str
    title: str
    topic: str  # as zhusan.conflicts() names it
    measures: frozenset[str] = RETURNEES
    groups: frozenset[str] = frozenset()

    def shows(self, f: Figure) -> bool:
        """Whether the chart shows the figure."""
        ok = f.scope == "zhusan" and f.measure in self.measures
        return ok and (not self.groups or f.group in self.groups)


CHARTS = (
    Chart("returned", "Returned people", "returned people", groups=frozenset({"all"})),
    Chart("children", "Children", "children", groups=frozenset({"children"})),
    Chart("women", "Women", "women", groups=frozenset({"women"})),
    Chart("men", "Men", "men", groups=frozenset({"men"})),
    Chart("women-and-children", "Women and children", "women and children",
          groups=frozenset({"women_and_children"})),
    Chart("prosecutions", "Prosecutions: arrested, prosecuted, held accountable", "prosecutions",
          measures=PROSECUTION),
)  # fmt: skip


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _num(v: float | None) -> str:
    return "∞" if v is None else f"{v:,.0f}" if v == int(v) else f"{v:,g}"


def _iv(f: Figure) -> str:
    iv = interval(f.qualifier, f.value)
    return f"{iv.bounds[0]}{_num(iv.lower)}, {_num(iv.upper)}{iv.bounds[1]}"


def _words(f: Figure) -> str:
    """The number as the source hedges it: ``more than 400``, ``Thirty-seven``, ``hundreds``."""
    plain = f.value is None or f.qualifier == "exact"
    return f.stated if plain else f"{f.qualifier.replace('_', ' ')} {f.stated}"


def _what(f: Figure) -> str:
    return " · ".join(x.replace("_", " ") for x in (f.measure, f.group or "", f.scope) if x)


def _when(f: Figure) -> str:
    return f"{f.as_of or 'undated'} ({f.date_basis})"


def _link(f: Figure) -> str:
    href = f"source-{f.source_id}.html#{f.figure_id}"
    return f'<a href="{_e(href)}">{_e(f.figure_id)}</a>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _asset(name: str) -> str:
    return resources.files("zhusan").joinpath("site_assets", name).read_text("utf-8")


def _fill(template: str, **values: object) -> str:
    return Template(_asset(template)).substitute({k: str(v) for k, v in values.items()})


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="table-wrap">{table}</div>'


def _nice(top: float) -> tuple[float, float]:
    """A round top of the value axis at or above ``top``, and its tick step."""
    raw = max(top, 1.0) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return step * math.ceil(max(top, 1.0) / step), step


def _hits(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _svg(chart: Chart, figs: list[Figure], colour: dict[str, str], years: range) -> str:
    """The chart: per figure a point and its interval bar, over its date or in the lane."""
    d0, d1 = (date(y, 1, 1).toordinal() for y in (years[0], years[-1] + 1))
    ivs = {f.figure_id: interval(f.qualifier, f.value) for f in figs}
    ends = [v for f in figs for v in (f.value, ivs[f.figure_id].lower, ivs[f.figure_id].upper)]
    top, step = _nice(max((v for v in ends if v is not None), default=1.0) * 1.05)

    def sy(v: float) -> float:
        return round(BOTTOM - v / top * (BOTTOM - TOP), 1)

    def sx(day: float) -> float:
        return round(LEFT + (day - d0) / (d1 - d0) * (RIGHT - LEFT), 1)

    out = [f'<rect class="lane" x="{LANE[0]}" y="{TOP}" width="{LANE[1] - LANE[0]}" '
           f'height="{BOTTOM - TOP}"/><text class="tick" x="{sum(LANE) / 2}" y="{BOTTOM + 20}" '
           'text-anchor="middle">undated</text>']  # fmt: skip
    for i in range(round(top / step) + 1):
        y = sy(i * step)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{LANE[1]}" y1="{y}" y2="{y}"/><text '
                   f'class="tick" x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{_num(i * step)}'
                   "</text>")  # fmt: skip
    for year in [*years, years[-1] + 1]:
        x = sx(date(year, 1, 1).toordinal())
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{BOTTOM + 7}"/>')
        for month in (4, 7, 10) if year in years else ():
            q = sx(date(year, month, 1).toordinal())
            out.append(f'<line class="axis" x1="{q}" x2="{q}" y1="{BOTTOM}" y2="{BOTTOM + 4}"/>')
        if year in years:
            out.append(f'<text class="tick" x="{sx(date(year, 7, 2).toordinal())}" '
                       f'y="{BOTTOM + 20}" text-anchor="middle">{year}</text>')  # fmt: skip
    out.append(f'<line class="axis" x1="{LEFT}" x2="{RIGHT}" y1="{BOTTOM}" y2="{BOTTOM}"/>')
    lane = list(dict.fromkeys(f.source_id for f in figs if not f.as_of))
    taken: list[Box] = []  # points and vague bars, then labels too
    groups: list[tuple[Figure, float, float, list[str]]] = []
    for f in sorted(figs, key=lambda f: (f.value is None, f.as_of or "9999", f.figure_id)):
        iv, c, fid = ivs[f.figure_id], colour[f.source_id], _e(f.figure_id)
        lo, hi = sy(iv.lower or 0), TOP if iv.upper is None else sy(iv.upper)
        y = sy(f.value) if f.value is not None else (lo + hi) / 2
        span = None
        if f.as_of:
            a, b = (date.fromisoformat(d).toordinal() for d in date_bounds(f.as_of))
            x, span = sx((a + b + 1) / 2), (sx(a), sx(b + 1))
        else:
            x = round(LANE[0] + 24 + lane.index(f.source_id) * (LANE[1] - LANE[0]) / len(lane), 1)
        box: Box = (x - 6, y - 6, 12, 12) if f.value is not None else (x - 5, hi, 10, lo - hi)
        while any(_hits(box, t) for t in taken):
            x, box = x + 12, (box[0] + 12, *box[1:])
        taken.append(box)
        tip = f"{f.figure_id} · {f.source_id}: {_words(f)} {_iv(f)} · {_what(f)} · {_when(f)}"
        g = [f'<a href="source-{_e(f.source_id)}.html#{fid}"><title>{_e(tip)}</title>']
        if span and span[1] - span[0] > 3:
            wy = y if f.value is not None else lo
            g.append(f'<line x1="{span[0]}" x2="{span[1]}" y1="{wy}" y2="{wy}" stroke="{c}" '
                     'stroke-width="2" opacity="0.35"/>')  # fmt: skip
        ident = f'data-figure-id="{fid}" data-source="{_e(f.source_id)}"'
        if lo - hi > 0.5:
            vague = (
                f'class="bar vague" {ident} opacity="0.45"' if f.value is None else 'class="bar"'
            )
            g.append(f'<line {vague} x1="{x}" x2="{x}" y1="{lo}" y2="{hi}" stroke="{c}" '
                     f'stroke-width="{8 if f.value is None else 2}"/>')  # fmt: skip
            for yy, shut in ((lo, iv.bounds[0] == "["), (hi, iv.bounds[1] == "]")):
                if shut:
                    g.append(f'<line x1="{x - 5}" x2="{x + 5}" y1="{yy}" y2="{yy}" stroke="{c}" '
                             'stroke-width="2"/>')  # fmt: skip
            if iv.upper is None:
                g.append(f'<path d="M{x - 5} {TOP + 9}L{x} {TOP}L{x + 5} {TOP + 9}Z" fill="{c}"/>')
        if f.value is not None:
            hollow = " hollow" if f.measure == "in-programme" else ""
            g.append(f'<circle class="point{hollow}" {ident} data-value="{f.value:g}" cx="{x}" '
                     f'cy="{y}" r="5" fill="{c}" stroke="{c}" stroke-width="2"/>')  # fmt: skip
        groups.append((f, x, y, g))
    for f, x, y, g in sorted(groups, key=lambda item: item[2]):
        text = _words(f)
        if not chart.groups:
            text += f" {f.measure.replace('-', ' ')} · {(f.group or '').replace('_', ' ')}"
        w = 6.6 * len(text) + 4
        tries = [(x + 9, y - 8), (x - 9 - w, y - 8), (x + 4, y - 22), (x + 4, y + 7)]
        tries += [(x + 9, y - 8 + 13 * k) for k in range(1, 12)]
        boxes: list[Box] = [(lx, ly, w, 14) for lx, ly in tries]
        inside = [b for b in boxes if b[0] >= 0 and b[0] + b[2] <= W and b[1] >= 0] or boxes
        best = next((b for b in inside if not any(_hits(b, t) for t in taken)), inside[0])
        taken.append(best)
        g.append(f'<text class="label" x="{round(best[0] + 2, 1)}" y="{round(best[1] + 11, 1)}">'
                 f"{_e(text)}</text></a>")  # fmt: skip
        out.extend(g)
    label = f"{chart.title}: each source's figures with the interval their wording implies"
    return (f'<svg id="chart-{chart.key}" class="chart" viewBox="0 0 {W} {H}" role="group" '
            f'aria-label="{_e(label)}"><title>{_e(label)}</title>{"".join(out)}</svg>')  # fmt: skip


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    rank: int  # 0: a figure's quote, 1: the stated number inside it
    figure: Figure
    first: bool  # the quote's first occurrence carries the figure's id


def _collapsed(text: str) -> tuple[str, list[int]]:
    """``" ".join(text.split())`` and, for each of its characters, its offset in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    gap = False
    for i, ch in enumerate(text):
        if ch.isspace():
            gap = bool(chars)
            continue
        if gap:
            chars.append(" ")
            where.append(i)
        chars.append(ch)
        where.append(i)
        gap = False
    return "".join(chars), where


def _spans(text: str, figs: list[Figure]) -> list[_Span]:
    """Where each figure's quote (and its stated number) is in ``text``, whitespace collapsed."""
    flat, where = _collapsed(text)
    out: list[_Span] = []
    for f in figs:
        quote, stated = " ".join(f.quote.split()), " ".join(f.stated.split())
        pattern = re.escape(stated)
        number = re.search(rf"(?<!\w){pattern}(?!\w)", quote) or re.search(pattern, quote)
        at, first = (flat.find(quote) if quote else -1), True
        while at >= 0:
            out.append(_Span(where[at], where[at + len(quote) - 1] + 1, 0, f, first))
            if number and stated:
                a = at + number.start()
                out.append(_Span(where[a], where[a + len(stated) - 1] + 1, 1, f, first))
            at, first = flat.find(quote, at + len(quote)), False
    return out


def _open(s: _Span, whole: bool) -> str:
    f, fid = s.figure, _e(s.figure.figure_id)
    if s.rank:
        return f'<b class="n" data-f="{fid}">'
    if not (s.first and whole):
        return f'<mark class="q" data-f="{fid}">'
    label = f"{f.figure_id}: {_words(f)} · {_what(f)} · as of {_when(f)} · interval {_iv(f)}"
    return f'<mark class="q" data-f="{fid}" id="{fid}" data-label="{_e(label)}">'


def _marked(text: str, spans: list[_Span]) -> str:
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


def _page(name: str, title: str, body: str) -> str:
    nav = "".join(
        f'<a href="{key}.html"{CURRENT if key == name else ""}>{label}</a>'
        for key, label in NAV.items()
    )
    values = {"version": _e(version()), "title": _e(title), "page": name.split("-")[0]}
    return _fill("layout.html", **values, nav=nav, body=body)


def _index(data: Dataset, found: list[dict[str, Any]], colour: dict[str, str]) -> str:
    counts = {name: len(getattr(data, name)) for name in TABLES}
    counts["estimates"] = len(estimates(data.figures))
    tiles = "".join(f"<li><b>{n}</b>{_e(name)}</li>" for name, n in counts.items())
    cards = []
    for s in data.sources:
        meta = {
            "kind": s.kind.replace("_", " "),
            "by": ", ".join(filter(None, [s.publisher, *s.authors])) or "not named",
            "published": f"{s.published or 'undated'} ({s.published_basis})",
            "address": s.url or "none given",
            "disclosure": s.disclosure_quote or "none printed",
            "figures": sum(f.source_id == s.source_id for f in data.figures),
        }
        rows = "".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in meta.items())
        cards.append(
            f'<article style="--c: {colour[s.source_id]}"><h3><a href="source-{_e(s.source_id)}'
            f'.html">{_e(s.title)}</a></h3><dl class="meta">{rows}</dl>'
            f"<p><strong>Interest.</strong> {_e(s.interest_note)}</p></article>"
        )
    unexplained = sum(c["explanation"] is None for c in found)
    return _fill("page-index.html", findings=len(found), unexplained=unexplained,
                 figures=len(data.figures), tiles=tiles, cards="".join(cards))  # fmt: skip


def _counts(data: Dataset, topics: set[str], colour: dict[str, str], names: dict[str, str]) -> str:
    dated = sorted({int(f.as_of[:4]) for f in data.figures if f.as_of and _charted(f)})
    years = range(dated[0], dated[-1] + 1) if dated else range(2019, 2020)
    ranges = estimates(data.figures)
    out = []
    for chart in CHARTS:
        figs = [f for f in data.figures if chart.shows(f)]
        legend = "".join(
            f'<li><span class="swatch" style="--c: {colour[s]}"></span>{_e(names[s])}</li>'
            for s in dict.fromkeys(f.source_id for f in figs)
        )
        rows = [[_e(names[f.source_id]), _link(f), _e(_words(f)), _e(_iv(f)), _e(_what(f)),
                 _e(_when(f))] for f in figs]  # fmt: skip
        env = [[_e(e.measure), _e(e.group), _e(e.year or "undated"),
                f"{_num(e.low)} to {_num(e.high)}", _e(", ".join(e.sources))]
               for e in ranges if e.scope == "zhusan" and e.measure in chart.measures
               and (not chart.groups or e.group in chart.groups)]  # fmt: skip
        body = (
            f'<figure class="chart-box">{_svg(chart, figs, colour, years)}</figure>'
            f'<ul class="legend">{legend}</ul>'
            if figs
            else "<p>No source gives a figure for this.</p>"
        )
        out.append(
            f'<section id="{chart.key}"><h2>{_e(chart.title)}</h2>{body}'
            f"<details><summary>The {len(figs)} figures</summary>"
            + _table(["source", "figure", "stated", "interval", "what", "as of"], rows)
            + "</details><details><summary>Range across sources, by year (estimates)</summary>"
            + _table(["measure", "group", "year", "low to high", "sources"], env)
            + "</details>"
            + (
                f'<p class="note"><a href="conflicts.html#{_slug(chart.topic)}">Discrepancies '
                "about this</a></p></section>"
                if chart.topic in topics
                else '<p class="note">The checks find no discrepancy about this.</p></section>'
            )
        )
    return _fill("page-counts.html", charts="".join(out))


def _charted(f: Figure) -> bool:
    return any(c.shows(f) for c in CHARTS)


def _conflicts(data: Dataset, found: list[dict[str, Any]], names: dict[str, str]) -> str:
    by_id = {f.figure_id: f for f in data.figures}
    charts = {c.topic: c.key for c in CHARTS}
    topics = list(dict.fromkeys(c["topic"] for c in found))
    toc = "".join(f'<li><a href="#{_slug(t)}">{_e(t)}</a></li>' for t in topics)
    out = []
    for t in topics:
        chart = f' <a class="note" href="counts.html#{charts[t]}">chart</a>' if t in charts else ""
        out.append(f'<section id="{_slug(t)}"><h2>{_e(t.capitalize())}{chart}</h2>')
        for c in (c for c in found if c["topic"] == t):
            e = c["explanation"]
            kind = "unexplained" if e is None else e["kind"]
            figs = "".join(
                f"<li>{_link(f)} · {_e(names[f.source_id])}: <strong>{_e(_words(f))}</strong> "
                f'{_e(_iv(f))}, as of {_e(_when(f))} · <a href="figures.html#{_e(f.figure_id)}">'
                f"in the table</a><blockquote>{_e(f.quote)}</blockquote></li>"
                for f in (by_id[x["figure_id"]] for x in c["figures"])
            )
            text = "No row of discrepancies explains this finding." if e is None else e["text"]
            out.append(
                f'<article class="finding" id="finding-{_slug(c["finding_id"])}"><h3>'
                f'<span class="badge kind-{_e(kind)}">{_e(kind.replace("_", " "))}</span> '
                f'<span class="badge">{_e(c["rule"])}</span> <code>{_e(c["finding_id"])}</code>'
                f"</h3><p>{_e(c['message'])}</p><ul>{figs}</ul>"
                f'<p class="explanation">{_e(text)}</p></article>'
            )
        out.append("</section>")
    return _fill("page-conflicts.html", count=len(found), toc=toc, topics="".join(out))


def _bold(f: Figure) -> str:
    """The quote, escaped, with the stated number in bold."""
    pattern = r"\s+".join(re.escape(w) for w in f.stated.split())
    m = pattern and (re.search(rf"(?<!\w){pattern}(?!\w)", f.quote) or re.search(pattern, f.quote))
    if not m:
        return _e(f.quote)
    parts = (f.quote[: m.start()], m.group(), f.quote[m.end() :])
    return f"{_e(parts[0])}<b>{_e(parts[1])}</b>{_e(parts[2])}"


def _figures(data: Dataset) -> str:
    head = ["figure", "source", "stated", "value", "interval", "unit", "what", "as of", "quote"]
    th = "".join(
        f'<th{" data-type=number" if h == "value" else ""}><button type="button">{h}</button></th>'
        for h in head
    )
    rows = []
    for f in data.figures:
        value = "" if f.value is None else f"{f.value:g}"
        cells = [_link(f), _e(f.source_id), _e(_words(f)), _num(f.value) if value else ""]
        cells += [_e(x) for x in (_iv(f), f.unit, _what(f), _when(f))]
        tds = "".join(
            f'<td class="num" data-sort="{value}">{c}</td>' if i == 3 else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        rows.append(
            f'<tr id="{_e(f.figure_id)}" data-href="source-{_e(f.source_id)}.html#'
            f'{_e(f.figure_id)}">{tds}<td class="quote">{_bold(f)}</td></tr>'
        )
    return _fill("page-figures.html", count=len(data.figures), head=th, rows="".join(rows))


def _source(s: Source, data: Dataset, root: Path, names: dict[str, str]) -> str:
    figs = [f for f in data.figures if f.source_id == s.source_id]
    try:
        text = (root / s.path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        text = ""
    spans = _spans(text, figs)
    found = {sp.figure.figure_id for sp in spans}
    missing = ' <span class="badge missing">quote not found</span>'
    items = "".join(
        f'<li><a href="#{_e(f.figure_id)}">{_e(f.figure_id)}</a>: <strong>{_e(_words(f))}'
        f"</strong> {_e(_what(f))}{'' if f.figure_id in found else missing}</li>"
        for f in figs
    )
    published = f"{s.published or 'undated'} ({s.published_basis})"
    meta = {
        "by": names[s.source_id],
        "published": published + (f": {s.published_note}" if s.published_note else ""),
        "archived copy": f"{s.path} (sha256 {s.sha256[:16]}…)",
        "interest": s.interest_note,
    }
    return _fill(
        "page-source.html",
        title=_e(s.title),
        meta="".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in meta.items()),
        doc=_marked(text, spans) if text else "The archived copy is missing from this package.",
        count=len(figs),
        items=items,
    )


def build_site(path: str | os.PathLike[str] | None = None) -> dict[str, bytes]:
    """Every file of the site of the package at ``path``, by its path inside the site folder."""
    data = load(path)
    root = resolve(path).parent
    found = conflicts(path)
    colour = {s.source_id: COLOURS[i % len(COLOURS)] for i, s in enumerate(data.sources)}
    names = {s.source_id: s.publisher or ", ".join(s.authors) or s.source_id for s in data.sources}
    pages = {
        "index": ("Overview", _index(data, found, colour)),
        "counts": ("Counts", _counts(data, {c["topic"] for c in found}, colour, names)),
        "conflicts": ("Discrepancies", _conflicts(data, found, names)),
        "figures": ("Figures", _figures(data)),
    }
    for s in data.sources:
        pages[f"source-{s.source_id}"] = (s.title, _source(s, data, root, names))
    files = {f"{k}.html": _page(k, t, body).encode("utf-8") for k, (t, body) in pages.items()}
    for asset in ASSETS:
        files[f"assets/{asset}"] = _asset(asset).encode("utf-8")
    files[MARKER] = f"zhusan-data {version()}\n".encode()
    return files


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}-{secrets.token_hex(6)}.{suffix}")


def write_site(
    out: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Write the site of the package at ``path`` (None: the bundled one) into the folder ``out``.

    The files go into a temporary folder next to ``out``, which then takes its place, so on any
    error ``out`` is as it was. An existing ``out`` is replaced only when it is empty or a site
    written here before (it holds ``.zhusan-site``); otherwise FileExistsError. Returns the files.
    """
    target = Path(out)
    ours = (target / MARKER).is_file()
    if target.exists() and not ours and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} exists and is not a site written by zhusan")
    files = build_site(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(target, "partial")
    staging.mkdir()
    try:
        for name, data in files.items():
            _write_file(staging / name, data)
        if not target.exists():
            staging.rename(target)
        else:
            old = _sibling(target, "old")
            target.rename(old)
            try:
                staging.rename(target)
            except BaseException:
                old.rename(target)
                raise
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / name for name in files]
