"""The cross-source rules on pairs: ``disagreement`` and ``cumulative-decrease``, set-wise.

Each finds, per family, the figures that are in some conflicting pair, from extremes of the
other sources' figures (group-bys, and a sweep in time order for cumulative counts), in about
n log n; ``settle`` turns them into findings.
"""

from __future__ import annotations

import polars as pl

from zhusan.checks.consistency.ids import Frame, first_partner, settle
from zhusan.checks.consistency.slim import NONE, in_families, named, pairs_of, split

# -- one maximum over earlier events of other sources, by sorting and window functions ------


def _other_max(events: Frame, queries: Frame) -> Frame:
    """Per query: the greatest value of an earlier event of the same family, another source.

    Queries have ``k``, ``src``, ``t`` and ``q``; events ``k``, ``src``, ``t`` and ``v``.
    ``best`` is the greatest ``v`` of the events of the query's ``k`` from another source with
    a smaller ``t`` (``NONE`` when there is none).

    The events are swept in time order: ``p1`` is the greatest value so far, ``lead`` a source
    that holds it, ``p2`` the greatest value so far of the other sources. ``p2`` is the value
    that led when the lead last changed hands (everything before was at most that, and held by
    another source), or a later value of another source in the same stretch. A query reads
    the state after the last event strictly before it (an as-of join), and takes ``p1`` unless
    its own source leads.
    """
    k = ["k"]
    ev = events.sort("k", "t").with_columns(p1=pl.col("v").cum_max().over(k))
    ev = ev.with_columns(prev=pl.col("p1").shift(1).over(k))
    record = pl.col("prev").is_null() | (pl.col("v") > pl.col("prev"))
    ev = ev.with_columns(lead=pl.when(record).then(pl.col("src")).forward_fill().over(k))
    changed = record & (pl.col("src") != pl.col("lead").shift(1).over(k)).fill_null(True)
    ev = ev.with_columns(seg=changed.cum_sum().over(k), chg=changed)
    stretch = ["k", "seg"]
    ev = ev.with_columns(
        pre=pl.when(pl.col("chg")).then(pl.col("prev")).forward_fill().over(stretch),
        ins=pl.when(pl.col("src") != pl.col("lead"))
        .then(pl.col("v"))
        .otherwise(NONE)
        .cum_max()
        .over(stretch),
    )
    state = ev.group_by("k", "t", maintain_order=True).agg(
        p1=pl.col("p1").last(),
        lead=pl.col("lead").last(),
        p2=pl.max_horizontal(pl.col("pre").fill_null(NONE), "ins").last(),
    )
    j = queries.sort("t").join_asof(
        state.sort("t"),
        on="t",
        by="k",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    best = (
        pl.when(pl.col("lead").is_null())
        .then(NONE)
        .when(pl.col("lead") != pl.col("src"))
        .then(pl.col("p1"))
        .otherwise(pl.col("p2"))
    )
    return j.select("q", best=best)


# -- disagreement -------------------------------------------------------------------------------


def disagreement(s: Frame, pairwise: int) -> Frame:
    """Figures of two sources counting the same thing whose intervals do not overlap.

    A figure is in the family's conflict set when it lies below the greatest lower end, or
    above the least upper end, of the other sources' figures (intervals on a line that pairwise
    overlap share a point, so the set is empty exactly when every figure overlaps every other):
    two group-bys and the top two sources of each family.
    """
    d = in_families(
        s.select("i", "figure_id", "sid", "U", "L", "ok_across", k="k_across"), "ok_across"
    )
    cross = (
        (pl.col("i") < pl.col("i_b"))
        & (pl.col("sid") != pl.col("sid_b"))
        & ((pl.col("U") < pl.col("L_b")) | (pl.col("U_b") < pl.col("L")))
    )
    cols = ("sid", "U", "L")
    # Families with few pairs are tried pair by pair, the others by their extremes.
    few, many = split(d, pl.col("n").pow(2))
    pairs = pairs_of(few, cols, cross, "_b")
    members = few.filter(pl.col("i").is_in(pl.concat([pairs["i"], pairs["i_b"]]).implode()))
    if many.height:
        # Per family, the two sources with the greatest lower ends and the two with the least
        # upper ends: a figure's other sources reach the first unless it is the first's own.
        per = many.group_by("k", "sid").agg(l=pl.col("L").max(), u=pl.col("U").min())
        two = [pl.col(c).first().alias(c + "1") for c in ("sid", "l", "u")]
        second = [pl.col(c).slice(1, 1).first().alias(c + "2") for c in ("l", "u")]
        top_l = per.sort("l", descending=True).group_by("k").agg(two[0], two[1], second[0])
        top_u = per.sort("u").group_by("k").agg(two[0].alias("sid_u"), two[2], second[1])
        ext = many.join(top_l, on="k").join(top_u, on="k")
        l_o = pl.when(pl.col("sid") == pl.col("sid1")).then("l2").otherwise("l1")
        u_o = pl.when(pl.col("sid") == pl.col("sid_u")).then("u2").otherwise("u1")
        ext = ext.filter(
            (pl.col("U") < l_o).fill_null(False) | (u_o < pl.col("L")).fill_null(False)
        )
        members = pl.concat([members, ext.select(members.columns)])

    def witnesses(m: Frame) -> Frame:
        return named(s, pairs_of(m, cols, cross, "_b"), "i", "i_b")

    def example(m: Frame) -> Frame:
        p = first_partner(
            m,
            lambda j: (j["sid_a"] != j["sid"]) & ((j["U_a"] < j["L"]) | (j["U"] < j["L_a"])),
        )
        return p.select("k", ex=pl.concat_list("figure_id_a", "figure_id"))

    return settle("disagreement", members, pairwise, witnesses, example)


# -- cumulative-decrease --------------------------------------------------------------------------


def cumulative(s: Frame, pairwise: int) -> Frame:
    """A cumulative count of one source below an earlier one of another source.

    Figure e precedes l when e's last day is before l's first day. A figure is a later member
    when its upper end is below the greatest lower end of the other sources' figures that
    precede it, an earlier member when its lower end is above the least upper end of the other
    sources' figures it precedes: two sweeps in time order, as ``_other_max``.
    """
    d = s.select("i", "figure_id", "sid", "U", "L", "t0", "t1", "ok_cum", k="k_cum")
    d = in_families(d, "ok_cum")
    cols = ("sid", "t0", "t1", "U", "L")

    def decrease(e: str, late: str) -> pl.Expr:
        return (
            (pl.col(f"sid{e}") != pl.col(f"sid{late}"))
            & (pl.col(f"t1{e}") < pl.col(f"t0{late}")).fill_null(False)
            & (pl.col(f"U{late}") < pl.col(f"L{e}"))
        )

    few, many = split(d, pl.col("n").pow(2))
    pairs = pairs_of(few, cols, decrease("", "_l"), "_l")
    members = few.filter(pl.col("i").is_in(pl.concat([pairs["i"], pairs["i_l"]]).implode()))
    if many.height:
        ended = many.filter(pl.col("t1").is_not_null())
        before = _other_max(
            ended.select("k", src="sid", t="t1", v="L"),
            many.select("k", src="sid", t="t0", q="i"),
        )
        after = _other_max(
            many.select("k", src="sid", t=-pl.col("t0"), v=-pl.col("U")),
            ended.select("k", src="sid", t=-pl.col("t1"), q="i"),
        )
        ext = many.join(before.rename({"best": "l_e"}), left_on="i", right_on="q").join(
            after.rename({"best": "u_l"}), left_on="i", right_on="q", how="left"
        )
        ext = ext.filter(
            (pl.col("U") < pl.col("l_e")) | (-pl.col("u_l").fill_null(NONE) < pl.col("L"))
        )
        members = pl.concat([members, ext.select(members.columns)])

    def witnesses(m: Frame) -> Frame:
        return named(s, pairs_of(m, cols, decrease("", "_l"), "_l"), "i", "i_l")

    def example(m: Frame) -> Frame:
        p = first_partner(m, lambda j: decrease("_a", "") | decrease("", "_a"))
        p = p.join(m.select("k", "figure_id", "t0"), on=["k", "figure_id"]).join(
            m.select("k", figure_id_a="figure_id", t0_a="t0"), on=["k", "figure_id_a"]
        )
        a_first = pl.col("t0_a") < pl.col("t0")
        return p.select(
            "k",
            ex=pl.when(a_first)
            .then(pl.concat_list("figure_id_a", "figure_id"))
            .otherwise(pl.concat_list("figure_id", "figure_id_a")),
        )

    return settle("cumulative-decrease", members, pairwise, witnesses, example)
