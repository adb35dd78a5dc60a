"""Consistency rules for differences the totals-and-intervals checks do not see.

Two documents can disagree without any count of the same thing disagreeing:

- ``parts-count``: they divide one operation into a different number of parts (RFE/RL's
  "three rounds" against the Kylym Shamy report's "four stages"). Figures counting an operation's
  rounds or stages (unit ``rounds`` or ``stages``) of one scope are compared across sources,
  whatever the word, and a finding is raised where their intervals do not overlap.
- ``same-total-coverage``: they give the same number for the same measure and scope but say it
  covers different people: another group, or another origin or destination of a flow
  (Uzbekistan's 156: "156 Uzbeks from Syria and Iraq" against "156 women and children from the
  camps of Syria"). An origin or destination one source names and the other does not counts as
  different: the second does not say what its total covers.

Findings come in the shape of ``zhusan.checks.consistency``: a rule, the figure ids (in message
order) and the stable id of ``finding_id``. They are found set-wise: ``same-total-coverage``
counts, per number, the figures that have a partner of another source covering other people
(group-bys, no pairs), and reports each pair while they are at most ``PAIRWISE``, else one
finding for the set; ``parts-count`` pairs the few figures counting rounds or stages of a
scope. Messages are composed only for the findings that occur.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from zhusan.checks.consistency import PAIRWISE, Finding
from zhusan.checks.consistency.ids import fid
from zhusan.model.cells import format_cell
from zhusan.model.intervals import Interval, interval_exprs
from zhusan.model.tables import Figure

#: The figure columns these rules read.
COVERAGE_COLUMNS = (
    "figure_id",
    "source_id",
    "stated",
    "value",
    "unit",
    "qualifier",
    "measure",
    "group",
    "scope",
    "origin_place_id",
    "destination_place_id",
)
#: Units that count the parts an operation is divided into.
PART_UNITS = ("rounds", "stages")
RULES = ("parts-count", "same-total-coverage")
_EMPTY = pl.DataFrame(
    schema={"finding_id": pl.String, "rule": pl.String, "ids": pl.List(pl.String)}
)


def _prepare(raw: pl.DataFrame) -> pl.DataFrame:
    """Typed columns: empty cells null, the value a number, the interval it implies."""
    df = raw.select(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in COVERAGE_COLUMNS
    )
    value = pl.col("value").cast(pl.Float64, strict=False)
    lo, hi, bounds = interval_exprs(value, pl.col("qualifier"))
    return df.with_columns(v=value, lo=lo, hi=hi, b=bounds).with_columns(
        lo_open=pl.col("b").str.starts_with("("), hi_open=pl.col("b").str.ends_with(")")
    )


def _below(a: str, b: str) -> pl.Expr:
    """Every number of interval ``a`` (column suffix) is below every number of ``b``."""
    hi, lo = pl.col(f"hi{a}"), pl.col(f"lo{b}")
    touch = (hi == lo) & (pl.col(f"hi_open{a}") | pl.col(f"lo_open{b}"))
    return (hi.is_not_null() & lo.is_not_null() & ((hi < lo) | touch)).fill_null(False)


def _pairs(f: pl.DataFrame, on: Sequence[str]) -> pl.DataFrame:
    """Each pair of figures of two sources that agree on the ``on`` columns, once."""
    right = f.rename(lambda c: c if c in on else c + "_b")
    other = pl.col("source_id") != pl.col("source_id_b")
    return f.join(right, on=list(on)).filter(other & (pl.col("figure_id") < pl.col("figure_id_b")))


def _out(df: pl.DataFrame, rule: str) -> pl.DataFrame:
    ids = pl.concat_list("figure_id", "figure_id_b")
    return df.select(
        finding_id=pl.concat_str(
            [pl.lit(f"{rule}:"), pl.col("figure_id"), pl.lit("+"), pl.col("figure_id_b")]
        ),
        rule=pl.lit(rule),
        ids=ids,
    )


def _parts_count(f: pl.DataFrame) -> pl.DataFrame:
    """Two sources whose numbers of parts of one operation (scope) cannot both be true.

    Up to ``PAIRWISE`` such figures in a scope give a finding per pair, more give one.
    """
    parts = f.filter(pl.col("unit").is_in(PART_UNITS) & pl.col("scope").is_not_null())
    involved = _parts_involved(parts)
    size = pl.len().over("scope")
    small = involved.filter(size <= PAIRWISE)
    p = _pairs(small, ["scope"])
    pairs = _out(p.filter(_below("", "_b") | _below("_b", "")), "parts-count")
    return pl.concat([pairs, _parts_sets(involved.filter(size > PAIRWISE))])


def _nearest(parts: pl.DataFrame, end: str, low: bool) -> pl.DataFrame:
    """Per scope, the two sources with the most extreme ``end`` ("hi" or "lo"), open first.

    ``low``: the lowest (for "hi", the figure most likely below another); else the highest.
    A figure is below another as soon as one of the same source's most extreme end is.
    """
    ends = parts.filter(pl.col(end).is_not_null())
    order = ends.sort([end, f"{end}_open"], descending=[not low, True])
    best = order.group_by("scope", "source_id", maintain_order=True).first()
    two = best.group_by("scope", maintain_order=True).head(2)
    two = two.with_columns(r=pl.int_range(pl.len()).over("scope"))
    return two.select("scope", "r", s_n="source_id", e_n=end, o_n=f"{end}_open")


def _other(parts: pl.DataFrame, end: str, low: bool) -> pl.DataFrame:
    """Each figure with the most extreme ``end`` of the other sources of its scope (or none)."""
    near = _nearest(parts, end, low)
    joined = parts.select("figure_id", "scope", "source_id").join(near, on="scope")
    joined = joined.filter(pl.col("source_id") != pl.col("s_n"))
    return joined.sort("figure_id", "r").group_by("figure_id").first().drop("scope", "source_id")


def _parts_involved(parts: pl.DataFrame) -> pl.DataFrame:
    """The part figures with a figure of another source of their scope disjoint from them.

    Found from each scope's two sources with the lowest upper and the highest lower bound,
    not by pairing the figures of a scope.
    """
    lowest_hi = _other(parts, "hi", low=True).rename({"e_n": "hi_n", "o_n": "hi_open_n"})
    highest_lo = _other(parts, "lo", low=False).rename({"e_n": "lo_n", "o_n": "lo_open_n"})
    x = parts.join(lowest_hi.select("figure_id", "hi_n", "hi_open_n"), on="figure_id", how="left")
    x = x.join(highest_lo.select("figure_id", "lo_n", "lo_open_n"), on="figure_id", how="left")
    return x.filter(_below("_n", "") | _below("", "_n")).drop(
        "hi_n", "hi_open_n", "lo_n", "lo_open_n"
    )


def _parts_sets(big: pl.DataFrame) -> pl.DataFrame:
    """One finding per scope of more than ``PAIRWISE`` part figures in conflict.

    Its ids start with an example pair: the first figure id, and the first figure id of
    another source disjoint from it; the rest follow sorted.
    """
    rule = "parts-count"
    first = big.sort("figure_id").group_by("scope", maintain_order=True).first()
    x = first.rename(lambda c: c if c == "scope" else c + "_b")
    y = (
        big.join(x, on="scope")
        .filter(
            (pl.col("source_id") != pl.col("source_id_b")) & (_below("", "_b") | _below("_b", ""))
        )
        .group_by("scope")
        .agg(y=pl.col("figure_id").min())
    )
    rest = big.group_by("scope").agg(rest=pl.col("figure_id").sort())
    sets = x.select("scope", x="figure_id_b").join(y, on="scope").join(rest, on="scope")
    ids = pl.concat_list(
        "x", "y", pl.col("rest").list.set_difference(pl.concat_list("x", "y")).list.sort()
    )
    return sets.select(finding_id=fid(rule, ids), rule=pl.lit(rule), ids=ids)


def _differs(c: str) -> pl.Expr:
    """Two cells differ, an empty cell counting as a value of its own."""
    return ~pl.col(c).eq_missing(pl.col(f"{c}_b"))


#: The columns that say whom a total covers; two figures covering different people differ in one.
COVERS = ("group", "origin_place_id", "destination_place_id")
#: The columns of one number: a same-total-coverage set lies within one such key.
SAME_TOTAL = ["measure", "scope", "v"]


def _involved(numbers: pl.DataFrame) -> pl.DataFrame:
    """The figures that give their number with a figure of another source covering others.

    Counted, not paired: figure x (source S, cover C) has such a partner when the figures of its
    key outnumber those of S plus those of C outside S, so the cost is a few group-bys.
    """
    cover = pl.concat_str([pl.col(c).fill_null("\x00") for c in COVERS], separator="\x1f")
    n = numbers.with_columns(cover=cover)
    counts = n.with_columns(
        everyone=pl.len().over(SAME_TOTAL),
        same_source=pl.len().over([*SAME_TOTAL, "source_id"]),
        same_cover=pl.len().over([*SAME_TOTAL, "cover"]),
        both=pl.len().over([*SAME_TOTAL, "source_id", "cover"]),
    )
    partners = pl.col("everyone") - pl.col("same_source") - pl.col("same_cover") + pl.col("both")
    return counts.filter(partners > 0).with_columns(size=pl.len().over(SAME_TOTAL))


def _same_total_sets(big: pl.DataFrame) -> pl.DataFrame:
    """One finding per key whose figures in conflict are more than ``PAIRWISE``.

    Its ids start with an example pair: the first figure id, and the first figure id of another
    source covering other people; the rest follow sorted.
    """
    rule = "same-total-coverage"
    first = big.sort("figure_id").group_by(SAME_TOTAL, maintain_order=True).first()
    x = first.select(*SAME_TOTAL, x=pl.col("figure_id"), xs=pl.col("source_id"), xc=pl.col("cover"))
    y = (
        big.join(x, on=SAME_TOTAL)
        .filter((pl.col("source_id") != pl.col("xs")) & (pl.col("cover") != pl.col("xc")))
        .group_by(SAME_TOTAL)
        .agg(y=pl.col("figure_id").min())
    )
    rest = big.group_by(SAME_TOTAL).agg(rest=pl.col("figure_id").sort())
    sets = x.join(y, on=SAME_TOTAL).join(rest, on=SAME_TOTAL)
    ids = pl.concat_list(
        "x", "y", pl.col("rest").list.set_difference(pl.concat_list("x", "y")).list.sort()
    )
    return sets.select(finding_id=fid(rule, ids), rule=pl.lit(rule), ids=ids)


def _same_total(f: pl.DataFrame) -> pl.DataFrame:
    """Same number, same measure and scope, other people covered, another source.

    Up to ``PAIRWISE`` such figures of one number give a finding per pair, more give one.
    """
    numbers = f.filter(pl.col("v").is_not_null() & pl.col("scope").is_not_null())
    involved = _involved(numbers)
    small = involved.filter(pl.col("size") <= PAIRWISE).drop("cover", "size")
    p = _pairs(small, SAME_TOTAL)
    covered = pl.any_horizontal(_differs(c) for c in COVERS)
    pairs = _out(p.filter(covered), "same-total-coverage")
    return pl.concat([pairs, _same_total_sets(involved.filter(pl.col("size") > PAIRWISE))])


def coverage_finding_frame(raw: pl.DataFrame) -> pl.DataFrame:
    """Every finding of these rules as rows of (finding_id, rule, ids), no repeats.

    ``raw`` holds the string cells of ``COVERAGE_COLUMNS`` of valid figure rows.
    """
    if raw.height == 0:
        return _EMPTY
    f = _prepare(raw)
    found = pl.concat([_parts_count(f), _same_total(f)])
    return found.unique(subset=["finding_id"], keep="first", maintain_order=True)


def _label(r: dict[str, Any]) -> str:
    q = "" if r["qualifier"] == "exact" else r["qualifier"].replace("_", " ") + " "
    return f"{r['figure_id']} ({r['source_id']}: {q}{r['stated']})"


def _covers(r: dict[str, Any], flow: bool) -> str:
    who = r["group"] or "no group"
    if not flow:
        return who
    origin = r["origin_place_id"] or "an origin not stated"
    destination = r["destination_place_id"] or "a destination not stated"
    return f"{who}, from {origin} to {destination}"


def _message(rule: str, a: dict[str, Any], b: dict[str, Any], *rest: dict[str, Any]) -> str:
    if rule == "parts-count":
        iv_a, iv_b = (Interval(r["lo"], r["hi"], r["b"]) for r in (a, b))
        pair = f"{_label(a)} {a['unit']} {iv_a} and {_label(b)} {b['unit']} {iv_b}"
        if not rest:
            return (
                f"{a['scope']}: {pair}: the sources divide the operation into a different "
                "number of parts"
            )
        sources = len({r["source_id"] for r in (a, b, *rest)})
        return (
            f"{a['scope']}: {len(rest) + 2} figures from {sources} sources divide the operation "
            f"into numbers of parts that cannot all be true, e.g. {pair}"
        )
    places = ("origin_place_id", "destination_place_id")
    flow = any(r[c] is not None for r in (a, b) for c in places)
    pair = (
        f"{_label(a)} and {_label(b)} give the same number for different people: "
        f"{_covers(a, flow)}, against {_covers(b, flow)}"
    )
    if not rest:
        return f"{a['measure']}/{a['scope']}: {pair}"
    rows = (a, b, *rest)
    sources = len({r["source_id"] for r in rows})
    return (
        f"{a['measure']}/{a['scope']}: {len(rows)} figures from {sources} sources give "
        f"{a['value']} for people who are not all the same, e.g. {pair}"
    )


def coverage_findings_of(raw: pl.DataFrame, found: pl.DataFrame | None = None) -> list[Finding]:
    """The findings of these rules with their messages (for reports of a few findings).

    ``found``: the rows of ``coverage_finding_frame`` to describe, when already known.
    """
    found = coverage_finding_frame(raw) if found is None else found
    if found.height == 0:
        return []
    needed = {i for ids in found["ids"].to_list() for i in ids}
    rows = _prepare(raw).filter(pl.col("figure_id").is_in(list(needed)))
    by_id = {r["figure_id"]: r for r in rows.iter_rows(named=True)}
    return [
        Finding(r["rule"], tuple(r["ids"]), _message(r["rule"], *(by_id[i] for i in r["ids"])))
        for r in found.iter_rows(named=True)
    ]


def coverage_frame_of(figures: Iterable[Figure]) -> pl.DataFrame:
    """The raw string frame of figure models, as these rules read it from CSV."""
    rows = [{c: format_cell(getattr(f, c)) for c in COVERAGE_COLUMNS} for f in figures]
    return pl.DataFrame(rows, schema=dict.fromkeys(COVERAGE_COLUMNS, pl.String), orient="row")


def coverage_findings(figures: Sequence[Figure]) -> list[Finding]:
    """Every finding of these rules on these figures."""
    return coverage_findings_of(coverage_frame_of(figures))
