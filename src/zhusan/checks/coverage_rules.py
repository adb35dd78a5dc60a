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
order) and the stable id ``rule:`` + the sorted ids joined by ``+``. They are found set-wise (a
filter and a join on the few figures each rule can concern); messages are composed only for the
findings that occur.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from zhusan.checks.consistency import Finding
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
    parts = f.filter(pl.col("unit").is_in(PART_UNITS) & pl.col("scope").is_not_null())
    p = _pairs(parts, ["scope"])
    return _out(p.filter(_below("", "_b") | _below("_b", "")), "parts-count")


def _differs(c: str) -> pl.Expr:
    """Two cells differ, an empty cell counting as a value of its own."""
    return ~pl.col(c).eq_missing(pl.col(f"{c}_b"))


def _same_total(f: pl.DataFrame) -> pl.DataFrame:
    numbers = f.filter(pl.col("v").is_not_null() & pl.col("scope").is_not_null())
    p = _pairs(numbers, ["measure", "scope", "v"])
    covered = _differs("group") | _differs("origin_place_id") | _differs("destination_place_id")
    return _out(p.filter(covered), "same-total-coverage")


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


def _message(rule: str, a: dict[str, Any], b: dict[str, Any]) -> str:
    if rule == "parts-count":
        iv_a, iv_b = (Interval(r["lo"], r["hi"], r["b"]) for r in (a, b))
        return (
            f"{a['scope']}: {_label(a)} {a['unit']} {iv_a} and {_label(b)} {b['unit']} {iv_b}: "
            "the sources divide the operation into a different number of parts"
        )
    places = ("origin_place_id", "destination_place_id")
    flow = any(r[c] is not None for r in (a, b) for c in places)
    return (
        f"{a['measure']}/{a['scope']}: {_label(a)} and {_label(b)} give the same number for "
        f"different people: {_covers(a, flow)}, against {_covers(b, flow)}"
    )


def coverage_findings_of(raw: pl.DataFrame) -> list[Finding]:
    """The findings of these rules with their messages (for reports of a few findings)."""
    found = coverage_finding_frame(raw)
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
