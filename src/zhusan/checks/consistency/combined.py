"""``combined-group``: a women-and-children figure against women plus children of one source.

Found set-wise per family and time cell (envelopes of the upper and lower ends, range extremes
by doubling), in about n log n; small families are tried triple by triple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from zhusan.checks.consistency.ids import Frame, settle
from zhusan.checks.consistency.ranges import Line, cover, cut_line, order, range_extreme, spans
from zhusan.checks.consistency.slim import BIG, IV, NONE, ROLES, below_expr, split, unchanged


def combined(s: Frame, pairwise: int) -> Frame:
    """A women-and-children figure that women plus children of one source contradict.

    Triples (wc, w, c) with w and c of one source and a day all three may refer to: by 1-D
    Helly, spans that pairwise overlap share a day, so the checks run per time cell (the
    stretches between the days where figures of the family start or stop) on envelopes:
    per cell, the least upper ends of women and of children of each source (their sum is the
    lowest total), the greatest lower end of the combined figures. Sums too high are the same
    check on negated numbers.
    """
    cols = ("i", "figure_id", "sid", "t0", "t1", *IV)
    r = s.select(*cols, "ok_comb", k="k_comb", role=_role(pl.col("group"))).filter("ok_comb")
    # Per family and source, combined figures and pairs of women and children; a family is
    # checked when it has both, and only its combined figures and its sources of both.
    per = r.group_by("k", "sid").agg(
        *((pl.col("role") == j).sum().alias(f"n{j}") for j in range(3))
    )
    per = per.with_columns(pairs=pl.col("n1") * pl.col("n2"))
    tried = (
        per.group_by("k").agg(n=pl.col("n0").sum() * pl.col("pairs").sum()).filter(pl.col("n") > 0)
    )
    both = per.filter(pl.col("pairs") > 0).select("k", "sid")
    r = r.join(tried, on="k", how="semi")
    r = pl.concat(
        [
            r.filter(pl.col("role") == 0),
            r.filter(pl.col("role") > 0).join(both, on=["k", "sid"], how="semi"),
        ]
    )
    if r.height == 0:
        return settle("combined-group", r, pairwise, unchanged, unchanged)

    def triples(m: Frame) -> Frame:
        x = m.filter(pl.col("role") == 0)
        w = m.filter(pl.col("role") == 1).rename(lambda c: c if c == "k" else c + "_w")
        c = m.filter(pl.col("role") == 2).rename(lambda c: c if c == "k" else c + "_c")
        wc = w.join(c, left_on=["k", "sid_w"], right_on=["k", "sid_c"])
        t = x.join(wc, on="k").filter(_three())
        return t.select("k", "i", "i_w", "i_c", "figure_id", "figure_id_w", "figure_id_c")

    # Families with few candidate triples are tried one by one, the others swept.
    many = split(tried, pl.col("n"))[1]["k"].implode()
    found = triples(r.filter(~pl.col("k").is_in(many)))
    rows = pl.concat([found["i"], found["i_w"], found["i_c"]]).implode()
    swept, example = _sweep_triples(r.filter(pl.col("k").is_in(many)))
    members = pl.concat([r.filter(pl.col("i").is_in(rows)), swept.select(r.columns)])

    def first(m: Frame) -> Frame:
        t = found.join(m.select("k").unique(), on="k", how="semi")
        t = t.sort("figure_id", "figure_id_w", "figure_id_c").group_by("k").first()
        t = t.select("k", ex=pl.concat_list("figure_id", "figure_id_w", "figure_id_c"))
        return pl.concat([t, example(m.filter(pl.col("k").is_in(many)))])

    def witnesses(m: Frame) -> Frame:
        return triples(m).select("figure_id", "figure_id_w", "figure_id_c")

    return settle("combined-group", members, pairwise, witnesses, first)


def _role(group: pl.Expr) -> pl.Expr:
    """0 for women and children, 1 for women, 2 for children, else null."""
    expr: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for name, role in ROLES.items():
        expr = pl.when(group == name).then(role).otherwise(expr)
    return expr


def _sweep_triples(r: Frame) -> tuple[Frame, Callable[[Frame], Frame]]:
    """The members of the families' triples, and the example of a family's set, by sweeps.

    Families are numbered ``g`` = 0, 1, ... and (family, source) pairs ``gs`` for the cells.
    """
    if r.height == 0:
        return r, lambda m: pl.DataFrame(schema={"k": r.schema["k"], "ex": pl.List(pl.String)})
    r = r.join(
        r.select("k").unique(maintain_order=True).with_row_index("g"), on="k", maintain_order="left"
    ).with_columns(g=pl.col("g").cast(pl.Int64))
    parts = r.filter(pl.col("role") > 0)
    src = parts.select("g", "sid").unique(maintain_order=True).with_row_index("gs")
    r = r.join(src, on=["g", "sid"], how="left", maintain_order="left").with_columns(
        gs=pl.col("gs").cast(pl.Int64)
    )
    days = pl.concat([r["t0"], r["t1"]]).drop_nulls()
    lo = int(days.min()) - 1 if days.len() else 0  # type: ignore[arg-type]
    span = (int(days.max()) - lo + 3) if days.len() else 3  # type: ignore[arg-type]
    n_g, n_s = int(r["g"].max()) + 1, src.height  # type: ignore[arg-type]
    line_g = cut_line(r["g"], n_g, r["t0"], r["t1"], lo, span)
    pr = r.filter(pl.col("role") > 0)
    line_s = cut_line(pr["gs"], n_s, pr["t0"], pr["t1"], lo, span)
    ga, gb = spans(line_g, r["g"], r["t0"], r["t1"])
    r = r.with_columns(ga=ga, gb=gb)
    sa, sb = spans(line_s, r["gs"].fill_null(0), r["t0"], r["t1"])
    r = r.with_columns(
        sa=pl.when(pl.col("role") > 0).then(sa), sb=pl.when(pl.col("role") > 0).then(sb)
    )
    # The days of each source cell, as cells of its family's line.
    g_of_s = src["g"].cast(pl.Int64)
    cut_s = line_s.coords // span
    cut_d = line_s.coords % span + lo
    at = line_g.cell(g_of_s.gather(cut_s), cut_d)
    pos = (
        line_s.base.gather(cut_s)
        + pl.int_range(0, cut_s.len(), eager=True, dtype=pl.Int64)
        - line_s.first.gather(cut_s)
    )
    n_cells = line_s.n
    gstart = pl.repeat(0, n_cells, dtype=pl.Int64, eager=True)
    gend = pl.repeat(0, n_cells, dtype=pl.Int64, eager=True)
    gstart = gstart.scatter(line_s.base, line_g.base.gather(g_of_s)).scatter(pos + 1, at)
    gend = gend.scatter(line_s.end - 1, line_g.end.gather(g_of_s)).scatter(pos, at)
    cells = _Cells(line_g.n, n_cells, gstart, gend)
    ahead = _sums_below(cells, r)
    negated = r.with_columns(
        lo=-pl.col("hi"), hi=-pl.col("lo"), lo_open=pl.col("hi_open"), hi_open=pl.col("lo_open")
    )
    behind = _sums_below(cells, negated)
    members = r.filter(ahead.bad | behind.bad)

    def example(m: Frame) -> Frame:
        inner = r.join(m.select("k", "figure_id"), on=["k", "figure_id"], how="semi")
        return _example_triple(inner, r, line_s, (ahead, behind))

    return members, example


@dataclass(frozen=True)
class _Cells:
    """The cells of the families' lines and of each (family, source) line.

    There are ``n_g`` and ``n_s`` of them; source cell j covers family cells
    [gstart[j], gend[j]).
    """

    n_g: int
    n_s: int
    gstart: pl.Series
    gend: pl.Series


@dataclass(frozen=True)
class _Side:
    """Which figures are in a triple whose sum is too low, and the children's upper ends.

    ``uc`` is each source cell's least upper end of its children, a key of ``ends``.
    """

    bad: pl.Series
    uc: pl.Series
    ends: Frame


def _look(table: Frame, key: pl.Series, ok: pl.Series) -> Frame:
    """Rows of ``table`` by ``key`` where ``ok``, nulls elsewhere."""
    if table.height == 0:
        return pl.DataFrame(
            [
                pl.repeat(None, len(key), dtype=d, eager=True).alias(c)
                for c, d in table.schema.items()
            ]
        )
    idx = key.zip_with(ok, pl.repeat(0, len(key), dtype=pl.Int64, eager=True))
    got = table.select(pl.all().gather(idx))
    return got.select(pl.when(pl.lit(ok)).then(pl.col(c)).alias(c) for c in table.columns)


def _sums_below(cells: _Cells, r: Frame) -> _Side:
    """Members of triples whose sum w + c lies below the combined figure.

    Per source cell: the least upper end of its women (``uw``) and children (``uc``), the
    greatest lower end of the combined figures of any day of the cell (``lw``). A combined
    figure is a member when the least sum over the cells it spans lies below it; a woman when
    her upper end is below lw - uc (open ends carried) in some cell she spans.
    """
    x_ok = ((pl.col("role") == 0) & pl.col("lo").is_not_null()).fill_null(False)
    p_ok = ((pl.col("role") > 0) & pl.col("hi").is_not_null()).fill_null(False)
    r = r.with_columns(x_ok=x_ok, p_ok=p_ok)
    x = r.filter("x_ok")
    xl_key, xl = order(x, "lo", "lo_open")
    XL = cover(cells.n_g, x["ga"], x["gb"], xl_key, high=True)
    parts = r.filter("p_ok").with_columns(closed=~pl.col("hi_open"))
    u_key, ue = order(parts, "hi", "closed")
    parts = parts.with_columns(u=u_key)
    w_, c_ = parts.filter(pl.col("role") == 1), parts.filter(pl.col("role") == 2)
    uw = cover(cells.n_s, w_["sa"], w_["sb"], w_["u"], high=False)
    uc = cover(cells.n_s, c_["sa"], c_["sb"], c_["u"], high=False)
    lw = range_extreme(XL, cells.gstart, cells.gend, high=True)
    has_w, has_c, has_l = uw < BIG, uc < BIG, lw > NONE
    cell = pl.concat(
        [
            pl.DataFrame({"gstart": cells.gstart, "gend": cells.gend}),
            _look(ue, uw, has_w).rename({"hi": "w_hi", "closed": "w_closed"}),
            _look(ue, uc, has_c).rename({"hi": "c_hi", "closed": "c_closed"}),
            _look(xl, lw, has_l).rename({"lo": "l_lo", "lo_open": "l_open"}),
            pl.DataFrame({"has_w": has_w, "has_c": has_c, "has_l": has_l}),
        ],
        how="horizontal",
    ).with_row_index("j")
    bad = pl.repeat(False, r.height, dtype=pl.Boolean, eager=True)
    # Combined figures: the least sum over the cells they span.
    sums = cell.filter(pl.col("has_w") & pl.col("has_c")).with_columns(
        t=pl.col("w_hi") + pl.col("c_hi"), closed=pl.col("w_closed") & pl.col("c_closed")
    )
    if sums.height and x.height:
        s_key, se = order(sums, "t", "closed")
        su = cover(cells.n_g, sums["gstart"], sums["gend"], s_key, high=False)
        least = range_extreme(su, x["ga"], x["gb"], high=False)
        pairs = pl.concat(
            [x.select("lo", "lo_open"), _look(se, least, least < BIG)], how="horizontal"
        )
        hit = pairs.select(
            below_expr(pl.col("t"), ~pl.col("closed"), pl.col("lo"), pl.col("lo_open"))
        ).to_series()
        bad = bad.scatter(r["x_ok"].arg_true(), hit)
    # Women against the children of their source, and children against the women.
    for me, other in ((1, "c"), (2, "w")):
        room = cell.filter(pl.col(f"has_{other}") & pl.col("has_l")).with_columns(
            th=pl.col("l_lo") - pl.col(f"{other}_hi"),
            eq=~pl.col(f"{other}_closed") | pl.col("l_open"),
        )
        mine = r["p_ok"] & (r["role"] == me)
        if room.height == 0 or not mine.any():
            continue
        th_key, te = order(room, "th", "eq")
        th = pl.repeat(NONE, cells.n_s, dtype=pl.Int64, eager=True).scatter(room["j"], th_key)
        p = r.filter(mine)
        most = range_extreme(th, p["sa"], p["sb"], high=True)
        pairs = pl.concat(
            [p.select("hi", "hi_open"), _look(te, most, most > NONE)], how="horizontal"
        )
        hit = pairs.select(
            below_expr(pl.col("hi"), pl.col("hi_open") | pl.col("eq"), pl.col("th"), pl.lit(False))
        ).to_series()
        bad = bad.scatter(mine.arg_true(), hit)
    return _Side(bad, uc, ue)


def _three(x: str = "", w: str = "_w", c: str = "_c") -> pl.Expr:
    """A day all three may refer to, and a sum w + c disjoint from x (columns by suffix)."""
    t0 = pl.max_horizontal(pl.col(f"t0{x}"), pl.col(f"t0{w}"), pl.col(f"t0{c}"))
    t1 = pl.min_horizontal(pl.col(f"t1{x}"), pl.col(f"t1{w}"), pl.col(f"t1{c}"))
    same_day = (t0.is_null() | t1.is_null() | (t0 <= t1)).fill_null(True)
    hi_t, lo_t = pl.col(f"hi{w}") + pl.col(f"hi{c}"), pl.col(f"lo{w}") + pl.col(f"lo{c}")
    hi_open_t = pl.col(f"hi_open{w}") | pl.col(f"hi_open{c}")
    lo_open_t = pl.col(f"lo_open{w}") | pl.col(f"lo_open{c}")
    low = below_expr(hi_t, hi_open_t, pl.col(f"lo{x}"), pl.col(f"lo_open{x}"))
    high = below_expr(pl.col(f"hi{x}"), pl.col(f"hi_open{x}"), lo_t, lo_open_t)
    return same_day & (low | high)


def _example_triple(m: Frame, r: Frame, line_s: Line, sides: tuple[_Side, _Side]) -> Frame:
    """Per family, the example triple: its smallest combined, woman and child, in this order.

    The combined member with the smallest id, the woman with the smallest id in a triple with
    it, and the child with the smallest id in a triple with both. Whether a woman is in a
    triple with x is one range minimum per woman: the least upper end of her source's children
    (and, on negated numbers, their greatest lower end) over the cells of the days she and x
    share.
    """
    x = m.filter(pl.col("role") == 0).sort("figure_id").group_by("k").first()
    x = x.rename(lambda c: c if c == "k" else c + "_x")
    w = m.filter(pl.col("role") == 1).join(x, on="k")
    w = w.with_columns(
        lo_day=pl.max_horizontal("t0", "t0_x"), hi_day=pl.min_horizontal("t1", "t1_x")
    )
    gs = w["gs"]
    a = w.select(
        pl.when(pl.col("lo_day").is_null())
        .then(pl.lit(line_s.base.gather(gs)))
        .otherwise(pl.lit(line_s.cell(gs, w["lo_day"].fill_null(line_s.lo))))
    ).to_series()
    b = w.select(
        pl.when(pl.col("hi_day").is_null())
        .then(pl.lit(line_s.end.gather(gs)))
        .otherwise(pl.lit(line_s.cell(gs, w["hi_day"].fill_null(line_s.lo)) + 1))
    ).to_series()
    ok = pl.repeat(False, w.height, dtype=pl.Boolean, eager=True)
    for side, sign in zip(sides, (1, -1), strict=True):
        least = range_extreme(side.uc, a, b, high=False)
        c = _look(side.ends, least, least < BIG)
        if sign == 1:
            me = w.select("hi", "hi_open", lo="lo_x", lo_open="lo_open_x")
        else:
            me = w.select(
                hi=-pl.col("lo"), hi_open="lo_open", lo=-pl.col("hi_x"), lo_open="hi_open_x"
            )
        hit = pl.concat([me, c.rename({"hi": "c_hi"})], how="horizontal").select(
            below_expr(
                pl.col("hi") + pl.col("c_hi"),
                pl.col("hi_open") | ~pl.col("closed"),
                pl.col("lo"),
                pl.col("lo_open"),
            )
        )
        ok = ok | hit.to_series()
    cols = ("figure_id", "gs", "t0", "t1", *IV)
    w = w.filter(ok).sort("figure_id").group_by("k").first()
    w = w.select("k", *(pl.col(c).alias(c + "_w") for c in cols))
    x = x.join(w, on="k").with_columns(
        lo="lo_x", hi="hi_x", lo_open="lo_open_x", hi_open="hi_open_x", t0="t0_x", t1="t1_x"
    )
    c = r.filter(pl.col("role") == 2).select(*(pl.col(c).alias(c + "_c") for c in cols))
    t = x.join(c, left_on="gs_w", right_on="gs_c").filter(_three())
    t = t.sort("figure_id_c").group_by("k").first()
    return t.select("k", ex=pl.concat_list("figure_id_x", "figure_id_w", "figure_id_c"))
