"""Range minima and maxima over time cells, by doubling: the tools of ``combined-group``.

``cover`` gives each cell the extreme of the ranges that hold it, ``range_extreme`` each range
the extreme of its cells; a ``Line`` cuts each group's time line into cells where figures start
or stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from zhusan.checks.consistency.ids import Frame
from zhusan.checks.consistency.slim import BIG, NONE

# -- combined-group: range minima and maxima over time cells, by doubling --------------------


def _level(length: pl.Series) -> pl.Series:
    """floor(log2(length)) of lengths >= 1."""
    return pl.select(63 - length.cast(pl.Int64).bitwise_leading_zeros().cast(pl.Int64)).to_series()


def _pick(high: bool) -> tuple[int, Callable[..., pl.Expr]]:
    return (NONE, pl.max_horizontal) if high else (BIG, pl.min_horizontal)


def _both(op: Callable[..., pl.Expr], a: pl.Series, b: pl.Series) -> pl.Series:
    return pl.select(op(a.rename("a"), b.rename("b"))).to_series()


#: Force (True) or forbid (False) the doubling steps of ``cover`` and ``range_extreme`` (for tests).
DOUBLING: bool | None = None


def _cheap(start: pl.Series, end: pl.Series, n: int, doubling: bool | None) -> bool:
    """Whether listing every (range, cell) pair costs less than doubling (or as forced)."""
    if doubling is None:
        doubling = DOUBLING
    if doubling is not None:
        return not doubling
    total = int((end - start).clip(lower_bound=0).sum())
    return total <= 16 * (n + len(start))


def cover(
    n: int,
    start: pl.Series,
    end: pl.Series,
    key: pl.Series,
    *,
    high: bool,
    doubling: bool | None = None,
) -> pl.Series:
    """For each of ``n`` cells, the max (``high``) or min of ``key`` over the ranges holding it.

    Ranges are [start, end); a cell no range holds gets ``NONE`` (max) or ``BIG`` (min). A
    range of length L is two blocks of length 2^floor(log2 L); the blocks are pushed down level
    by level to the cells, each level one vectorised step: O((n + ranges) log n). When the
    ranges are short (at most 16 cells each on average) every (range, cell) pair is listed
    instead, which is linear then; ``doubling`` forces one way (for tests).
    """
    ident, op = _pick(high)
    cur = pl.repeat(ident, n, dtype=pl.Int64, eager=True)
    u = pl.DataFrame({"a": start, "b": end, "v": key}, schema=dict.fromkeys("abv", pl.Int64))
    u = u.filter(pl.col("b") > pl.col("a"))
    if u.height == 0 or n == 0:
        return cur
    agg = pl.col("v").max() if high else pl.col("v").min()
    if _cheap(u["a"], u["b"], n, doubling):
        got = (
            u.select("v", pos=pl.int_ranges("a", "b", dtype=pl.Int64))
            .explode("pos")
            .group_by("pos")
            .agg(agg)
        )
        return cur.scatter(got["pos"], got["v"])
    u = u.with_columns(lv=_level(u["b"] - u["a"]))
    width = (2.0 ** pl.col("lv")).cast(pl.Int64)
    pts = pl.concat([u.select("lv", "v", pos="a"), u.select("lv", "v", pos=pl.col("b") - width)])
    levels = pts.group_by("lv", "pos").agg(agg).partition_by("lv", as_dict=True)
    top = max(int(k[0]) for k in levels)
    for lv in range(top, -1, -1):
        if lv < top:
            cur = _both(op, cur, cur.shift(1 << lv, fill_value=ident))
        p = levels.get((lv,))
        if p is not None:
            cur = cur.scatter(p["pos"], _both(op, cur.gather(p["pos"]), p["v"]))
    return cur


def range_extreme(
    values: pl.Series,
    start: pl.Series,
    end: pl.Series,
    *,
    high: bool,
    doubling: bool | None = None,
) -> pl.Series:
    """For each range [start, end) of ``values``: its max (``high``) or min.

    An empty range gets ``NONE`` (max) or ``BIG`` (min). A sparse table is built one level at a
    time, each level answering the ranges of its length: O((n + ranges) log n); short ranges
    are listed cell by cell.
    """
    ident, op = _pick(high)
    out = pl.repeat(ident, len(start), dtype=pl.Int64, eager=True)
    q = pl.DataFrame({"a": start, "b": end}, schema=dict.fromkeys("ab", pl.Int64))
    q = q.with_row_index("r").filter(pl.col("b") > pl.col("a"))
    if q.height == 0:
        return out
    if _cheap(q["a"], q["b"], len(values), doubling):
        cells = q.select("r", pos=pl.int_ranges("a", "b", dtype=pl.Int64)).explode("pos")
        cells = cells.with_columns(v=values.gather(cells["pos"]))
        got = cells.group_by("r").agg(pl.col("v").max() if high else pl.col("v").min())
        return out.scatter(got["r"], got["v"])
    q = q.with_columns(lv=_level(q["b"] - q["a"]))
    levels = q.partition_by("lv", as_dict=True)
    cur = values
    for lv in range(max(int(k[0]) for k in levels) + 1):
        if lv:
            cur = _both(op, cur, cur.shift(-(1 << (lv - 1)), fill_value=ident))
        p = levels.get((lv,))
        if p is not None:
            out = out.scatter(p["r"], _both(op, cur.gather(p["a"]), cur.gather(p["b"] - (1 << lv))))
    return out


def order(df: Frame, value: str, flag: str) -> tuple[pl.Series, Frame]:
    """Keys 0, 1, ... that order (value, flag) pairs (False before True), and the pairs by key."""
    keyed = df.select(pl.col(value) + 0.0, flag).with_columns(
        key=(pl.struct(value, flag).rank("dense") - 1).cast(pl.Int64)
    )
    return keyed["key"], keyed.unique("key").sort("key").drop("key")


@dataclass(frozen=True)
class Line:
    """Time cells of each group: the days where figures start or stop cut the line.

    Group g owns cells ``base[g]`` to ``end[g] - 1``: before its first cut, between cuts, after
    its last. ``coords`` are the sorted cuts as ``g * span + day``.
    """

    coords: pl.Series
    first: pl.Series
    base: pl.Series
    end: pl.Series
    lo: int
    span: int

    def key(self, g: pl.Series, day: pl.Series) -> pl.Series:
        """The coordinate of ``day`` on group g's stretch of the line."""
        return g * self.span + (day - self.lo)

    def cell(self, g: pl.Series, day: pl.Series) -> pl.Series:
        """The cell of group g that holds ``day``."""
        after = self.coords.search_sorted(self.key(g, day), side="right").cast(pl.Int64)
        return self.base.gather(g) + after - self.first.gather(g)

    @property
    def n(self) -> int:
        """The number of cells of all groups."""
        return int(self.end[-1]) if len(self.end) else 0


def cut_line(g: pl.Series, n_groups: int, t0: pl.Series, t1: pl.Series, lo: int, span: int) -> Line:
    """The cells of ``n_groups`` groups cut where figures of g start (t0) or stop (t1 + 1)."""
    cuts = pl.concat(
        [
            pl.DataFrame({"g": g, "d": t0}).drop_nulls(),
            pl.DataFrame({"g": g, "d": t1 + 1}).drop_nulls(),
        ]
    )
    coords = (cuts["g"] * span + (cuts["d"] - lo)).unique().sort().cast(pl.Int64)
    per = (coords // span).alias("g").value_counts()
    m = pl.repeat(0, n_groups, dtype=pl.Int64, eager=True)
    if per.height:
        m = m.scatter(per["g"], per["count"].cast(pl.Int64))
    first = m.cum_sum() - m
    base = first + pl.int_range(0, n_groups, eager=True, dtype=pl.Int64)
    return Line(coords, first, base, base + m + 1, lo, span)


def spans(line: Line, g: pl.Series, t0: pl.Series, t1: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The cells [a, b) of each figure; an undated figure covers its group's every cell."""
    a = pl.select(
        pl.when(t0.is_null())
        .then(line.base.gather(g))
        .otherwise(line.cell(g, t0.fill_null(line.lo)))
    ).to_series()
    b = pl.select(
        pl.when(t1.is_null())
        .then(line.end.gather(g))
        .otherwise(line.cell(g, t1.fill_null(line.lo)) + 1)
    ).to_series()
    return a, b
