"""Findings and their ids, and how a family's conflicting figures become findings.

A finding names the figures that cannot all be true. Its id is the rule and the sorted figure
ids (``rule:a+b``), or past ``LISTED`` ids their number and a digest; a family whose conflict
set holds at most ``PAIRWISE`` figures gives one finding per conflicting pair or triple.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Finding:
    """One thing the checks found: a rule, the figures involved, and what is wrong."""

    rule: str
    figure_ids: tuple[str, ...]
    message: str

    @property
    def finding_id(self) -> str:
        """Stable id: the rule and the sorted figure ids."""
        return finding_id(self.rule, self.figure_ids)


#: A family whose conflicting figures are at most this many reports each conflicting pair (or
#: triple) as its own finding, as the checks did before they reasoned about sets; a larger
#: set of conflicting figures is one finding.
PAIRWISE = 6
#: A finding id lists up to this many figure ids; a larger set is named by its size and a digest.
LISTED = 12


def _digest(joined: str) -> str:
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def finding_id(rule: str, ids: Iterable[str]) -> str:
    """``rule:a+b``, the figure ids sorted; ``rule:<n>-figures-<digest>`` past ``LISTED`` ids.

    The digest is the first 16 hex digits of the SHA-256 of the sorted ids joined by ``+``.
    """
    key = sorted(ids)
    if len(key) <= LISTED:
        return f"{rule}:{'+'.join(key)}"
    return f"{rule}:{len(key)}-figures-{_digest('+'.join(key))}"


def spell_id(rule: pl.Expr, ids: pl.Expr) -> pl.Expr:
    """The expression form of ``finding_id`` from a rule and a list of ids."""
    key = ids.list.sort()
    both = pl.struct(j=key.list.join("+"), n=key.list.len())
    return rule + ":" + both.map_batches(_spelled, return_dtype=pl.String)


def _spelled(both: pl.Series) -> pl.Series:
    """The part of ids after ``rule:``; only sets past ``LISTED`` ids are hashed, in Python."""
    joined, n = both.struct.field("j"), both.struct.field("n")
    long = (n > LISTED).fill_null(False).arg_true()
    if long.len() == 0:
        return joined
    keys = [
        f"{k}-figures-{_digest(j)}"
        for j, k in zip(joined.gather(long).to_list(), n.gather(long).to_list(), strict=True)
    ]
    return joined.clone().scatter(long, keys)


def fid(rule: str, ids: pl.Expr) -> pl.Expr:
    """``spell_id`` of a rule given as text."""
    return spell_id(pl.lit(rule), ids)


def as_findings(df: pl.DataFrame, rule: str, *cols: str) -> pl.DataFrame:
    """One finding of ``rule`` per row of ``df``, naming the figures of columns ``cols``."""
    ids = pl.concat_list([pl.col(c) for c in cols])
    return df.select(rule=pl.lit(rule), ids=ids, finding_id=fid(rule, ids))


# A finding names the set of figures that cannot all be true: the union of a family's
# witnesses (conflicting pairs or triples). ``settle`` turns the members of each family's set
# into findings: one per witness while the set is small, else one for the set, its example
# witness first.
Frame = pl.DataFrame


def settle(
    rule: str,
    members: Frame,
    pairwise: int,
    witnesses: Callable[[Frame], Frame],
    example: Callable[[Frame], Frame],
) -> Frame:
    """Findings of one rule from its members (``k``, ``figure_id`` and what the rule reads).

    ``witnesses`` lists every witness among the members of small sets, its two or three id
    columns in message order; ``example`` gives, per ``k`` of a large set, its example witness
    as the list ``ex``.
    """
    empty = pl.DataFrame(
        schema={"rule": pl.String, "ids": pl.List(pl.String), "finding_id": pl.String}
    )
    if members.height == 0:
        return empty
    m = members.with_columns(n=pl.len().over("k"))
    small, large = m.filter(pl.col("n") <= pairwise), m.filter(pl.col("n") > pairwise)
    out = []
    if small.height:
        w = witnesses(small)
        out.append(w.select(ids=pl.concat_list(w.columns), finding_id=_sorted_id(rule, w.columns)))
    if large.height:
        ex = example(large).select("k", "ex")
        pos = (
            ex.with_columns(pos=pl.int_ranges(pl.col("ex").list.len()))
            .explode("ex", "pos")
            .unique(subset=["k", "ex"], keep="first")
            .rename({"ex": "figure_id"})
        )
        sets = (
            large.select("k", "figure_id")
            .join(pos, on=["k", "figure_id"], how="left")
            .sort("k", pl.col("pos").fill_null(1 << 30), "figure_id")
            .group_by("k", maintain_order=True)
            .agg(ids=pl.col("figure_id"))
        )
        out.append(sets.select("ids", finding_id=fid(rule, pl.col("ids"))))
    if not out:
        return empty
    return pl.concat(out).select(pl.lit(rule).alias("rule"), "ids", "finding_id").sort("finding_id")


def _sorted_id(rule: str, cols: Sequence[str]) -> pl.Expr:
    """``finding_id`` of two or three id columns, sorted by a network of min and max."""
    a, b, *rest = (pl.col(c) for c in cols)
    low, high = pl.min_horizontal(a, b), pl.max_horizontal(a, b)
    if not rest:
        return pl.concat_str(pl.lit(f"{rule}:"), low, pl.lit("+"), high)
    (c,) = rest
    mid, top = pl.min_horizontal(high, c), pl.max_horizontal(high, c)
    low, mid = pl.min_horizontal(low, mid), pl.max_horizontal(low, mid)
    return pl.concat_str(pl.lit(f"{rule}:"), low, pl.lit("+"), mid, pl.lit("+"), top)


def first_partner(large: Frame, partner: Callable[[Frame], pl.Expr | pl.Series]) -> Frame:
    """Per ``k``: the member with the smallest id, and its partner with the smallest id.

    ``partner`` tells, on the member (columns suffixed ``_a``) joined to the others of its
    set, whether the two are a witness.
    """
    first = large.sort("figure_id").group_by("k").first()
    j = first.rename(lambda c: c if c == "k" else c + "_a").join(large, on="k")
    return (
        j.filter(partner(j))
        .sort("figure_id")
        .group_by("k")
        .first()
        .select("k", "figure_id_a", "figure_id")
    )
