"""Totals against their parts, and values out of bounds.

``breakdown-sum``, ``parts-exceed-whole`` and ``subset-exceeds-whole`` are bounded by one
whole each (a group-by, a join); ``share-mismatch`` is set-wise per whole, measure and group;
``implausible`` is a filter.
"""

from __future__ import annotations

import polars as pl

from zhusan.checks.consistency.figures import PLAUSIBLE
from zhusan.checks.consistency.ids import Frame, as_findings, fid, settle
from zhusan.checks.consistency.slim import IV, below, below_expr, combine, disjoint, unchanged


def breakdowns(f: pl.DataFrame) -> list[pl.DataFrame]:
    """Parts whose sum contradicts their whole: ``breakdown-sum``, ``parts-exceed-whole``."""
    read = ("parent_id", "axis", "exhaustive", "lo", "hi", "lo_open", "hi_open", "figure_id")
    parts = f.select(read).filter(
        pl.col("parent_id").is_not_null() & pl.col("exhaustive").is_not_null()
    )
    sums = parts.group_by("parent_id", "axis", "exhaustive", maintain_order=True).agg(
        lo=pl.when(pl.col("lo").is_null().any()).then(None).otherwise(pl.col("lo").sum()),
        hi=pl.when(pl.col("hi").is_null().any()).then(None).otherwise(pl.col("hi").sum()),
        lo_open=pl.col("lo_open").any(),
        hi_open=pl.col("hi_open").any(),
        parts=pl.col("figure_id"),
    )
    whole = f.select("figure_id", "lo", "hi", "lo_open", "hi_open").rename(lambda c: c + "_w")
    # In the groups' order: of two cases with one finding id (parts linked in a cycle), the
    # first is kept, the same on every machine.
    j = sums.join(whole, left_on="parent_id", right_on="figure_id_w", maintain_order="left")
    ids = pl.concat_list([pl.col("parent_id"), pl.col("parts")])
    bad_sum = j.filter((pl.col("exhaustive") == "true") & disjoint("", "_w"))
    too_big = j.filter((pl.col("exhaustive") == "false") & below("_w", ""))
    return [
        bad.select(rule=pl.lit(rule), ids=ids, finding_id=fid(rule, ids))
        for bad, rule in ((bad_sum, "breakdown-sum"), (too_big, "parts-exceed-whole"))
    ]


# -- share-mismatch ---------------------------------------------------------------------------


def subsets(s: Frame, pairwise: int) -> list[Frame]:
    """``subset-exceeds-whole`` and ``share-mismatch``, from each subset joined to its whole."""
    subs = s.filter(pl.col("subset_of").is_not_null())
    targets = subs["subset_of"].unique()
    whole = s.filter(pl.col("figure_id").is_in(targets.implode())).rename(lambda c: c + "_w")
    j = subs.join(whole, left_on="subset_of", right_on="figure_id_w", maintain_order="left")
    over = j.filter((pl.col("unit") == pl.col("unit_w")) & below("_w", ""))
    return [
        as_findings(over, "subset-exceeds-whole", "figure_id", "subset_of"),
        _shares(s, j, pairwise),
    ]


def _shares(s: Frame, j: Frame, pairwise: int) -> Frame:
    """A percentage of a whole against the counts of the same thing in that whole.

    Each count c implies the share [100 lo_c / hi_w, 100 hi_c / lo_w]; a share is a member when
    it lies above the least implied upper end or below the greatest implied lower end of its
    whole, measure and group, and a count when its implied share lies below the greatest or
    above the least share (group-by extremes, no pairs). The family is the whole's row number
    and the codes of measure, group and the whole's unit.
    """
    shares = j.filter((pl.col("unit") == "percent") & (pl.col("unit_w") != "percent"))
    count = pl.col("unit") != "percent"
    links = [
        s.filter(pl.col(link).is_not_null() & count).select(
            "i", "figure_id", "m_c", "g_c", "u_c", w=link
        )
        for link in ("subset_of", "parent_id")
    ]
    counts = pl.concat(links)
    if shares.height == 0 or counts.height == 0:
        return settle("share-mismatch", shares.head(0), pairwise, unchanged, unchanged)
    whole = s.select(w="figure_id", i_w="i", lo_w="lo", hi_w="hi")
    implied_hi = (
        pl.when(pl.col("hi").is_null() | (pl.col("lo_w").fill_null(0) == 0))
        .then(None)
        .otherwise(100 * pl.col("hi") / pl.col("lo_w"))
    )
    counts = (
        counts.join(s.select("i", "lo", "hi"), on="i")
        .join(whole, on="w")
        .unique(subset=["i", "i_w"], keep="first", maintain_order=True)
        .filter(pl.col("lo").is_not_null() & pl.col("hi_w").is_not_null() & (pl.col("hi_w") != 0))
        .select(
            "figure_id", "i_w", "m_c", "g_c", u_w="u_c", subset_of="w",
            lo=100 * pl.col("lo") / pl.col("hi_w"), hi=implied_hi,
            lo_open=pl.lit(False), hi_open=pl.lit(False),
        )
    )  # fmt: skip
    shares = shares.join(s.select(subset_of="figure_id", i_w="i"), on="subset_of").select(
        "figure_id", "i_w", "m_c", "g_c", "subset_of", *IV, u_w="u_c_w"
    )
    key = ["i_w", "m_c", "g_c", "u_w"]
    both = pl.concat(
        [
            shares.select(*key, "figure_id", "subset_of", *IV, share=pl.lit(True)),
            counts.select(*key, "figure_id", "subset_of", *IV, share=pl.lit(False)),
        ]
    )
    both = both.with_columns(k=combine(both, key))
    sh, co = pl.col("share"), ~pl.col("share")
    lo, hi, lo_open, hi_open = (pl.col(c) for c in IV)
    # The extremes of the implied shares and of the shares, then which extreme share is open.
    ext = both.with_columns(
        ci_hi=pl.when(co).then(hi), ci_lo=pl.when(co).then(lo),
        s_lo=pl.when(sh).then(lo), s_hi=pl.when(sh).then(hi),
    ).group_by("k").agg(
        pl.col("ci_hi").min(), pl.col("ci_lo").max(), pl.col("s_lo").max(), pl.col("s_hi").min()
    )  # fmt: skip
    b = both.join(ext, on="k")
    open_lo = b.filter(sh & lo_open & (lo == pl.col("s_lo")))["k"].unique().implode()
    open_hi = b.filter(sh & hi_open & (hi == pl.col("s_hi")))["k"].unique().implode()
    b = b.with_columns(s_lo_open=pl.col("k").is_in(open_lo), s_hi_open=pl.col("k").is_in(open_hi))
    share_bad = below_expr(pl.col("ci_hi"), pl.lit(False), lo, lo_open) | below_expr(
        hi, hi_open, pl.col("ci_lo"), pl.lit(False)
    )
    count_bad = below_expr(hi, pl.lit(False), pl.col("s_lo"), pl.col("s_lo_open")) | below_expr(
        pl.col("s_hi"), pl.col("s_hi_open"), lo, pl.lit(False)
    )
    bad = b.filter(pl.when(sh).then(share_bad).otherwise(count_bad))
    wholes = bad.unique("k").select("k", figure_id="subset_of", share=pl.lit(None, pl.Boolean))
    members = pl.concat([bad.select("k", "figure_id", "share"), wholes]).unique(
        subset=["k", "figure_id"], keep="first", maintain_order=True
    )
    parts = bad.select("k", "figure_id", "subset_of", "share", *IV)
    conflict = disjoint("", "_c")

    def witnesses(m: Frame) -> Frame:
        p = parts.join(m.select("k"), on="k", how="semi")
        s_, c_ = p.filter(pl.col("share")), p.filter(~pl.col("share")).drop("share", "subset_of")
        pairs = s_.join(c_, on="k", suffix="_c").filter(conflict)
        return pairs.select("figure_id", "figure_id_c", "subset_of")

    def example(m: Frame) -> Frame:
        p = parts.join(m.select("k").unique(), on="k", how="semi")
        s_, c_ = p.filter(pl.col("share")), p.filter(~pl.col("share")).drop("share", "subset_of")
        first = s_.sort("figure_id").group_by("k").first()
        pair = (
            first.join(c_, on="k", suffix="_c")
            .filter(conflict)
            .sort("figure_id_c")
            .group_by("k")
            .first()
        )
        return pair.select("k", ex=pl.concat_list("figure_id", "figure_id_c", "subset_of"))

    return settle("share-mismatch", members, pairwise, witnesses, example)


def plausible(f: pl.DataFrame) -> pl.DataFrame:
    """Values outside the bounds of their measure (``PLAUSIBLE``)."""
    bad = pl.lit(False)
    for measure, (lo, hi) in PLAUSIBLE.items():
        bad = bad | ((pl.col("measure") == measure) & ~pl.col("v").is_between(lo, hi))
    return as_findings(f.filter(bad.fill_null(False)), "implausible", "figure_id")
