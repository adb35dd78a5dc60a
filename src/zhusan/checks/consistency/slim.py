"""The slim frame the set-wise rules read: families, sources and interval ends as integers.

Also the interval tests shared by the rules (``below``, ``disjoint``) and the helpers that
pick a rule's families (``in_families``) and try small ones pair by pair (``split``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from zhusan.checks.consistency.figures import CUMULATIVE
from zhusan.checks.consistency.ids import Frame

#: A family with at most this many candidate pairs (or triples) is tried one candidate at a
#: time, by a join of at most as many rows: cheaper than the sweeps for the many small families
#: of a real package. Larger families are swept, n log n. Tests hold both ways equal to a
#: row-by-row reading.
ENUMERATE = 256


#: An upper end with no bound, and the identity of a minimum.
BIG = 1 << 60
#: Nothing found: the identity of a maximum (below every key, including ``-BIG``).
NONE = -(1 << 62)


def below(a: str, b: str) -> pl.Expr:
    """Every number of interval ``a`` (column suffix) is below every number of ``b``."""
    hi, lo = pl.col(f"hi{a}"), pl.col(f"lo{b}")
    touch = (hi == lo) & (pl.col(f"hi_open{a}") | pl.col(f"lo_open{b}"))
    return (hi.is_not_null() & lo.is_not_null() & ((hi < lo) | touch)).fill_null(False)


def disjoint(a: str, b: str) -> pl.Expr:
    """Intervals ``a`` and ``b`` (column suffixes) share no number."""
    return below(a, b) | below(b, a)


def below_expr(hi: pl.Expr, hi_open: pl.Expr, lo: pl.Expr, lo_open: pl.Expr) -> pl.Expr:
    """An upper end ``hi`` lies below a lower end ``lo`` (equal ends when either is open)."""
    return ((hi < lo) | ((hi == lo) & (hi_open | lo_open))).fill_null(False)


#: The family of each cross-source rule: what must be equal for figures to be compared.
ACROSS = ("fam", "group", "scope", "unit")
CUMULATIVE_KEY = ("measure", "group", "scope", "unit")
COMBINED_KEY = ("fam", "scope", "unit")
KINDS = ("fam", "measure", "group", "scope", "unit")
SLIM = (
    "figure_id", "source_id", "measure", "unit", "group", "scope", "fam", "lo", "hi",
    "lo_open", "hi_open", "first", "last", "subset_of", "parent_id",
)  # fmt: skip
IV = ("lo", "hi", "lo_open", "hi_open")
#: The groups of ``combined-group``: combined (0), women (1), children (2).
ROLES = {"women_and_children": 0, "women": 1, "children": 2}


def keyed(df: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """``df`` with ``k``: one integer per distinct ``key`` (nulls equal), by hashing."""
    ids = df.select(key).unique(maintain_order=True).with_row_index("k")
    return df.join(ids, on=list(key), nulls_equal=True, maintain_order="left")


def slim_frame(f: Frame) -> Frame:
    """The few columns the set-wise rules read, with integer families, sources and ends.

    ``k_across``, ``k_cum`` and ``k_comb`` number the families of the cross-source rules and
    ``ok_across``, ``ok_cum``, ``ok_comb`` tell whether a figure takes part in them; ``sid``
    numbers the sources, ``m_c``, ``g_c`` and ``u_c`` the measures, groups and units. ``U`` and
    ``L`` rank the upper and lower ends so that "interval a lies below b" is ``U_a < L_b``: 3 x
    the rank of the number among all bounds, plus 0 for an open and 1 for a closed upper end, 1
    for a closed and 2 for an open lower end; no upper bound is ``BIG``, no lower bound -1.
    Days are integers (days since 1970); ``wf`` is false for a span whose first day is after its
    last (validation refuses them).
    """
    # Each rule's family as one integer: the key's columns as category codes, combined.
    codes = f.select(code(c).alias(c) for c in (*KINDS, "source_id"))
    known = {key: pl.all_horizontal(pl.col(c) > 0 for c in key) for key in (ACROSS, COMBINED_KEY)}
    flags = codes.select(
        ok_across=known[ACROSS],
        ok_cum=pl.all_horizontal(pl.col(c) > 0 for c in CUMULATIVE_KEY),
        ok_comb=known[COMBINED_KEY],
    )
    ends = pl.concat([f["lo"], f["hi"]]).drop_nulls().unique().sort()
    t0, t1 = pl.col("first").cast(pl.Int64), pl.col("last").cast(pl.Int64)
    wf = (t0.is_null() | t1.is_null() | (t0 <= t1)).fill_null(True)
    r_lo, r_hi = (ends.search_sorted(f[c].fill_null(0.0)).cast(pl.Int64) for c in ("lo", "hi"))
    open_hi = pl.when(pl.col("hi_open")).then(0).otherwise(1)
    open_lo = pl.when(pl.col("lo_open")).then(2).otherwise(1)
    return (
        f.select(SLIM)
        .with_row_index("i")
        .with_columns(
            sid=codes["source_id"],
            m_c=codes["measure"],
            g_c=codes["group"],
            u_c=codes["unit"],
            k_across=combine(codes, ACROSS),
            k_cum=combine(codes, CUMULATIVE_KEY),
            k_comb=combine(codes, COMBINED_KEY),
            t0=t0,
            t1=t1,
            wf=wf,
            U=pl.when(pl.col("hi").is_null()).then(BIG).otherwise(3 * r_hi + open_hi),
            L=pl.when(pl.col("lo").is_null()).then(-1).otherwise(3 * r_lo + open_lo),
        )
        .with_columns(
            ok_across=flags["ok_across"],
            ok_cum=flags["ok_cum"]
            & pl.col("measure").is_in(CUMULATIVE)
            & pl.col("t0").is_not_null()
            & pl.col("wf"),
            ok_comb=flags["ok_comb"] & pl.col("group").is_in(list(ROLES)) & pl.col("wf"),
        )
    )


def code(c: str) -> pl.Expr:
    """1, 2, ... for the distinct texts of column ``c`` (0 for an empty cell).

    The texts are hashed once into categories; their codes are then ranked as integers.
    """
    codes = pl.col(c).cast(pl.Categorical).to_physical().rank("dense")
    return codes.cast(pl.Int64).fill_null(0)


def combine(codes: Frame, key: Sequence[str]) -> pl.Series:
    """One integer per distinct combination of the coded ``key`` columns.

    The codes in mixed radix while the product of their ranges fits in 62 bits; else the
    distinct combinations are numbered by a join (of integers).
    """
    bases = [int(codes[c].max() or 0) + 1 for c in key]  # type: ignore[arg-type]
    if math.prod(bases) >= 1 << 62:
        return keyed(codes.select(key), key)["k"].cast(pl.Int64)
    k, scale = pl.lit(0, dtype=pl.Int64), 1
    for c, base in zip(key, bases, strict=True):
        k, scale = k + pl.col(c).cast(pl.Int64) * scale, scale * base
    return codes.select(k.alias("k")).to_series()


def unchanged(m: Frame) -> Frame:
    """The frame itself: the witnesses or example when there are none to look for."""
    return m


def pairs_of(d: Frame, cols: Sequence[str], test: pl.Expr, suffix: str) -> Frame:
    """The row numbers ``i`` and ``i<suffix>`` of the pairs of a family's rows passing ``test``.

    Only the columns the test reads are joined.
    """
    slim = d.select("k", "i", *cols)
    return slim.join(slim, on="k", suffix=suffix).filter(test).select("k", "i", f"i{suffix}")


def named(s: Frame, pairs: Frame, *rows: str) -> Frame:
    """The figure ids of the rows numbered in columns ``rows`` of ``pairs``."""
    ids = s["figure_id"]
    return pl.DataFrame([ids.gather(pairs[r]).alias(f"figure_id{n}") for n, r in enumerate(rows)])


def in_families(d: Frame, ok: str) -> Frame:
    """The rows of ``d`` that take part (``ok``) in families of more than one source.

    ``n`` is the size of the family; one pass of window functions over ``k``.
    """
    d = d.filter(ok).with_columns(
        low=pl.col("sid").min().over("k"), high=pl.col("sid").max().over("k"), n=pl.len().over("k")
    )
    return d.filter(pl.col("low") != pl.col("high")).drop("low", "high", ok)


def split(d: Frame, candidates: pl.Expr) -> tuple[Frame, Frame]:
    """The rows of families with at most ``ENUMERATE`` candidates, and the others."""
    few = candidates <= ENUMERATE
    return d.filter(few), d.filter(~few)
