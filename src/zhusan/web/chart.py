"""The report site's charts: per thing counted, each source's figures as points and intervals.

Each chart is drawn twice: wide (``WIDE``, for screens) and narrow (``NARROW``, a phone held
upright, about 340 CSS pixels of chart), so that its labels keep their size; the style sheet
shows the one that fits. The value axis is set by the figures that state a number; a vague
figure ("hundreds") alone sets it only when no figure of the chart states one, and a vague bar
taller than the axis is cut at the top with an arrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from zhusan.model.dates import date_bounds
from zhusan.model.intervals import interval
from zhusan.model.tables import Figure
from zhusan.web.text import esc, iv_text, num, what, when, words

RETURNEES = frozenset({"returned", "in-programme"})
PROSECUTION = frozenset({"arrested", "prosecuted", "held-accountable"})
Box = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Geometry:
    """Where a chart's parts go, in its own units (one unit is one CSS pixel at full size)."""

    name: str
    width: int
    height: int
    left: int  # the plot's left edge (value ticks to its left)
    right: int  # the plot's right edge (the dated part)
    top: int
    bottom: int  # the time axis
    lane: tuple[int, int]  # the undated lane, left to right


WIDE = Geometry("wide", 900, 300, 56, 610, 12, 266, (640, 896))
NARROW = Geometry("narrow", 340, 400, 44, 238, 12, 366, (248, 338))


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


def _nice(top: float) -> tuple[float, float]:
    """A round top of the value axis at or above ``top``, and its tick step."""
    raw = max(top, 1.0) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return step * math.ceil(max(top, 1.0) / step), step


def _hits(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def svg(
    chart: Chart,
    figs: list[Figure],
    colour: dict[str, str],
    years: range,
    geo: Geometry = WIDE,
) -> str:
    """The chart: per figure a point and its interval bar, over its date or in the lane."""
    W, H, LEFT, RIGHT = geo.width, geo.height, geo.left, geo.right
    TOP, BOTTOM, LANE = geo.top, geo.bottom, geo.lane
    d0, d1 = (date(y, 1, 1).toordinal() for y in (years[0], years[-1] + 1))
    ivs = {f.figure_id: interval(f.qualifier, f.value) for f in figs}
    stating = [f for f in figs if f.value is not None] or figs  # a vague bar alone sets no axis
    ends = [v for f in stating for v in (f.value, ivs[f.figure_id].lower, ivs[f.figure_id].upper)]
    top, step = _nice(max((v for v in ends if v is not None), default=1.0) * 1.05)

    def sy(v: float) -> float:
        return max(TOP, round(BOTTOM - v / top * (BOTTOM - TOP), 1))

    def sx(day: float) -> float:
        return round(LEFT + (day - d0) / (d1 - d0) * (RIGHT - LEFT), 1)

    out = [f'<rect class="lane" x="{LANE[0]}" y="{TOP}" width="{LANE[1] - LANE[0]}" '
           f'height="{BOTTOM - TOP}"/><text class="tick" x="{sum(LANE) / 2}" y="{BOTTOM + 20}" '
           'text-anchor="middle">undated</text>']  # fmt: skip
    for i in range(round(top / step) + 1):
        y = sy(i * step)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{LANE[1]}" y1="{y}" y2="{y}"/><text '
                   f'class="tick" x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{num(i * step)}'
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
        iv, c, fid = ivs[f.figure_id], colour[f.source_id], esc(f.figure_id)
        lo, hi = sy(iv.lower or 0), TOP if iv.upper is None else sy(iv.upper)
        cut = iv.upper is None or iv.upper > top  # the bar goes on above the axis
        if f.value is None:  # a vague bar keeps a visible height even when cut
            lo = max(lo, hi + 6)
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
        tip = f"{f.figure_id} · {f.source_id}: {words(f)} {iv_text(f)} · {what(f)} · {when(f)}"
        g = [f'<a href="source-{esc(f.source_id)}.html#{fid}"><title>{esc(tip)}</title>']
        if span and span[1] - span[0] > 3:
            wy = y if f.value is not None else lo
            g.append(f'<line x1="{span[0]}" x2="{span[1]}" y1="{wy}" y2="{wy}" stroke="{c}" '
                     'stroke-width="2" opacity="0.35"/>')  # fmt: skip
        ident = f'data-figure-id="{fid}" data-source="{esc(f.source_id)}"'
        if lo - hi > 0.5:
            vague = (
                f'class="bar vague" {ident} opacity="0.45"' if f.value is None else 'class="bar"'
            )
            g.append(f'<line {vague} x1="{x}" x2="{x}" y1="{lo}" y2="{hi}" stroke="{c}" '
                     f'stroke-width="{8 if f.value is None else 2}"/>')  # fmt: skip
            for yy, shut in ((lo, iv.bounds[0] == "["), (hi, iv.bounds[1] == "]" and not cut)):
                if shut:
                    g.append(f'<line x1="{x - 5}" x2="{x + 5}" y1="{yy}" y2="{yy}" stroke="{c}" '
                             'stroke-width="2"/>')  # fmt: skip
            if cut:
                g.append(f'<path d="M{x - 5} {TOP + 9}L{x} {TOP}L{x + 5} {TOP + 9}Z" fill="{c}"/>')
        if f.value is not None:
            hollow = " hollow" if f.measure == "in-programme" else ""
            g.append(f'<circle class="point{hollow}" {ident} data-value="{f.value:g}" cx="{x}" '
                     f'cy="{y}" r="5" fill="{c}" stroke="{c}" stroke-width="2"/>')  # fmt: skip
        groups.append((f, x, y, g))
    for f, x, y, g in sorted(groups, key=lambda item: item[2]):
        text = words(f)
        if not chart.groups:
            text += f" {f.measure.replace('-', ' ')} · {(f.group or '').replace('_', ' ')}"
        w = 6.6 * len(text) + 4
        tries = [(x + 9, y - 8), (x - 9 - w, y - 8), (x + 4, y - 22), (x + 4, y + 7)]
        tries += [(x + 9, y - 8 + 13 * k) for k in range(1, 12)]
        boxes: list[Box] = [(lx, ly, w, 14) for lx, ly in tries]
        inside = [b for b in boxes if b[0] >= 0 and b[0] + b[2] <= W and b[1] >= 0]
        # Then the same places slid sideways into the chart (a label too wide on a phone).
        inside += [(min(max(b[0], 0), W - w), b[1], w, 14) for b in boxes if 0 <= b[1] < H - 14]
        inside = inside or boxes
        best = next((b for b in inside if not any(_hits(b, t) for t in taken)), inside[0])
        taken.append(best)
        g.append(f'<text class="label" x="{round(best[0] + 2, 1)}" y="{round(best[1] + 11, 1)}">'
                 f"{esc(text)}</text></a>")  # fmt: skip
        out.extend(g)
    label = f"{chart.title}: each source's figures with the interval their wording implies"
    ident = f"chart-{chart.key}" + ("" if geo is WIDE else f"-{geo.name}")
    return (f'<svg id="{ident}" class="chart {geo.name}" viewBox="0 0 {W} {H}" role="group" '
            f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
            f'{"".join(out)}</svg>')  # fmt: skip
