"""Consistency checks: totals that add up, and every disagreement between figures found.

Findings are detected set-wise on a polars frame of the figures (joins and group-bys, no loop
over rows), so a million figures take seconds at most; each has a stable id
(``rule:figure+figure``). Messages are composed only for the findings that occur.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from zhusan.checks.messages import message
from zhusan.model.cells import format_cell
from zhusan.model.dates import first_day, last_day
from zhusan.model.intervals import interval_exprs
from zhusan.model.tables import Figure

#: Measures that count the same kind of thing under different words; compared across sources.
FAMILIES: dict[str, str] = {
    "returned": "returnees",
    "in-programme": "returnees",
    "arrested": "prosecution",
    "prosecuted": "prosecution",
    "held-accountable": "prosecution",
}
#: Measures whose count can only grow as the date moves on.
CUMULATIVE = (
    "returned",
    "self-returned",
    "arrested",
    "prosecuted",
    "held-accountable",
    "left-for-syria-iraq",
    "joined-isis",
)
#: Physical or domain bounds per measure: a value outside is implausible.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "air-temperature": (-90.0, 60.0),
    "age": (0.0, 120.0),
}
#: The order in which ``zhusan conflicts`` lists what is counted: (label, family, groups).
TOPICS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("returned people", "returnees", frozenset({"all"})),
    ("children", "returnees", frozenset({"children", "orphans"})),
    ("women", "returnees", frozenset({"women"})),
    ("women and children", "returnees", frozenset({"women_and_children"})),
    ("men", "returnees", frozenset({"men"})),
    ("prosecutions", "prosecution", frozenset()),
)
_BOOL = {k: "true" for k in ("1", "on", "t", "y", "yes")} | {
    k: "false" for k in ("0", "off", "f", "n", "no")
}
FIGURE_COLUMNS = (
    "figure_id",
    "source_id",
    "stated",
    "value",
    "unit",
    "qualifier",
    "measure",
    "group",
    "scope",
    "as_of",
    "period_start",
    "parent_id",
    "axis",
    "exhaustive",
    "subset_of",
)


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


def finding_id(rule: str, ids: Iterable[str]) -> str:
    """``rule:a+b``, the figure ids sorted."""
    return f"{rule}:{'+'.join(sorted(ids))}"


def family(measure: str) -> str:
    """The family of measures a measure is compared within."""
    return FAMILIES.get(measure, measure)


def topic(fam: str, group: str | None) -> int:
    """Rank of a family and group in ``TOPICS`` (most important first)."""
    for rank, (_, f, groups) in enumerate(TOPICS):
        if fam == f and (not groups or group in groups):
            return rank
    return len(TOPICS)


def _null(c: str) -> pl.Expr:
    return pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)


def prepare(raw: pl.DataFrame) -> pl.DataFrame:
    """Typed columns for the checks from the raw (string) figure columns of valid rows.

    Empty cells become nulls; a column with no empty cell is taken as it is, not copied.
    """
    empty = raw.select((pl.col(c) == "").any() for c in FIGURE_COLUMNS).row(0)
    nulls = [_null(c) if has else pl.col(c) for c, has in zip(FIGURE_COLUMNS, empty, strict=True)]
    df = raw.select(nulls).with_columns(
        exhaustive=pl.col("exhaustive").str.to_lowercase().replace(_BOOL)
    )
    value = pl.col("value").cast(pl.Float64, strict=False)
    lo, hi, bounds = interval_exprs(value, pl.col("qualifier"))
    start = pl.coalesce(first_day(pl.col("period_start")), first_day(pl.col("as_of")))
    return df.with_columns(
        v=value,
        lo=lo,
        hi=hi,
        b=bounds,
        fam=pl.col("measure").replace(FAMILIES),
        first=pl.when(pl.col("as_of").is_null()).then(None).otherwise(start),
        last=last_day(pl.col("as_of")),
    ).with_columns(lo_open=pl.col("b").str.starts_with("("), hi_open=pl.col("b").str.ends_with(")"))


def _below(a: str, b: str) -> pl.Expr:
    """Every number of interval ``a`` (column suffix) is below every number of ``b``."""
    hi, lo = pl.col(f"hi{a}"), pl.col(f"lo{b}")
    touch = (hi == lo) & (pl.col(f"hi_open{a}") | pl.col(f"lo_open{b}"))
    return (hi.is_not_null() & lo.is_not_null() & ((hi < lo) | touch)).fill_null(False)


def _disjoint(a: str, b: str) -> pl.Expr:
    return _below(a, b) | _below(b, a)


def _same_time(a: str, b: str) -> pl.Expr:
    fa, la, fb, lb = (pl.col(f"{x}{s}") for s in (a, b) for x in ("first", "last"))
    return (fa.is_null() | fb.is_null() | ((fa <= lb) & (fb <= la))).fill_null(True)


def spell_id(rule: pl.Expr, ids: pl.Expr) -> pl.Expr:
    """The expression form of ``finding_id``: ``rule:a+b+c`` from a rule and a list of ids."""
    return rule + ":" + ids.list.sort().list.join("+")


def _fid(rule: str, ids: pl.Expr) -> pl.Expr:
    return spell_id(pl.lit(rule), ids)


def _pair_fid(rule: str, first: str, second: str) -> pl.Expr:
    """``rule:a+b`` from two id columns, sorted without building lists."""
    a, b = pl.col(first), pl.col(second)
    lo, hi = pl.when(a <= b).then(a).otherwise(b), pl.when(a <= b).then(b).otherwise(a)
    return pl.concat_str([pl.lit(f"{rule}:"), lo, pl.lit("+"), hi])


def _out(df: pl.DataFrame, rule: str, *cols: str) -> pl.DataFrame:
    ids = pl.concat_list([pl.col(c) for c in cols])
    fid = _pair_fid(rule, *cols) if len(cols) == 2 else _fid(rule, ids)
    return df.select(rule=pl.lit(rule), ids=ids, finding_id=fid)


def _breakdowns(f: pl.DataFrame) -> list[pl.DataFrame]:
    parts = f.filter(pl.col("parent_id").is_not_null() & pl.col("exhaustive").is_not_null())
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
    bad_sum = j.filter((pl.col("exhaustive") == "true") & _disjoint("", "_w"))
    too_big = j.filter((pl.col("exhaustive") == "false") & _below("_w", ""))
    return [
        bad.select(rule=pl.lit(rule), ids=ids, finding_id=_fid(rule, ids))
        for bad, rule in ((bad_sum, "breakdown-sum"), (too_big, "parts-exceed-whole"))
    ]


SLIM = (
    "figure_id", "source_id", "measure", "unit", "group", "scope", "fam", "lo", "hi",
    "lo_open", "hi_open", "first", "last", "subset_of", "parent_id",
)  # fmt: skip


def _subsets(f: pl.DataFrame) -> list[pl.DataFrame]:
    f = f.select(SLIM)
    subs = f.filter(pl.col("subset_of").is_not_null())
    targets = subs["subset_of"].unique()
    whole = f.filter(pl.col("figure_id").is_in(targets.implode())).rename(lambda c: c + "_w")
    j = subs.join(whole, left_on="subset_of", right_on="figure_id_w", maintain_order="left")
    over = j.filter((pl.col("unit") == pl.col("unit_w")) & _below("_w", ""))
    shares = j.filter((pl.col("unit") == "percent") & (pl.col("unit_w") != "percent"))
    count = pl.col("unit") != "percent"
    by_sub = subs.filter(count).with_columns(link=pl.col("subset_of"))
    by_par = f.filter(pl.col("parent_id").is_not_null() & count).with_columns(
        link=pl.col("parent_id")
    )
    counts = pl.concat([by_sub, by_par]).unique(subset=["figure_id", "link"], maintain_order=True)
    sj = shares.join(
        counts.rename(lambda c: c + "_c"),
        left_on=["subset_of", "measure", "group", "unit_w"],
        right_on=["link_c", "measure_c", "group_c", "unit_c"],
        nulls_equal=True,
    )
    implied_lo = 100 * pl.col("lo_c") / pl.col("hi_w")
    implied_hi = (
        pl.when(pl.col("hi_c").is_null() | (pl.col("lo_w").fill_null(0) == 0))
        .then(None)
        .otherwise(100 * pl.col("hi_c") / pl.col("lo_w"))
    )
    sj = sj.filter(
        pl.col("lo_c").is_not_null() & pl.col("hi_w").is_not_null() & (pl.col("hi_w") != 0)
    ).with_columns(lo_i=implied_lo, hi_i=implied_hi, lo_open_i=False, hi_open_i=False)
    mismatch = sj.filter(_disjoint("_i", ""))
    return [
        _out(over, "subset-exceeds-whole", "figure_id", "subset_of"),
        _out(mismatch, "share-mismatch", "figure_id", "figure_id_c", "subset_of"),
    ]


def _plausible(f: pl.DataFrame) -> pl.DataFrame:
    bad = pl.lit(False)
    for measure, (lo, hi) in PLAUSIBLE.items():
        bad = bad | ((pl.col("measure") == measure) & ~pl.col("v").is_between(lo, hi))
    return _out(f.filter(bad.fill_null(False)), "implausible", "figure_id")


def _pairs(f: pl.DataFrame) -> pl.DataFrame:
    """Every pair of figures of two sources that count the same thing (family, group, scope).

    Rows are paired by a hash of the three columns, carrying only row numbers and sources;
    the full rows of the pairs are gathered afterwards, and pairs whose keys differ (a hash
    collision) are dropped, so a collision costs time, never a wrong pair.
    """
    key = ("fam", "group", "scope")
    slim = f.select(SLIM)
    g = (
        slim.with_row_index("i")
        .filter(pl.col("group").is_not_null())
        .select("i", "source_id", k=pl.struct(key).hash())
        .filter(pl.col("source_id").n_unique().over("k") > 1)
    )
    ij = (
        g.join(g, on="k", suffix="_b")
        .filter((pl.col("i") < pl.col("i_b")) & (pl.col("source_id") != pl.col("source_id_b")))
        .select("i", "i_b")
    )
    a = slim.select(pl.all().gather(ij["i"]))
    b = slim.select(pl.all().gather(ij["i_b"])).rename(lambda c: c + "_b")
    same = [pl.col(c) == pl.col(f"{c}_b") for c in key]
    return pl.concat([a, b], how="horizontal").filter(*same)


def _across(f: pl.DataFrame) -> list[pl.DataFrame]:
    p = _pairs(f)
    disagree = p.filter(_disjoint("", "_b"))
    cum = p.filter(
        pl.col("measure").is_in(CUMULATIVE)
        & (pl.col("measure") == pl.col("measure_b"))
        & ~_same_time("", "_b")
    )
    a_first = (pl.col("first") < pl.col("first_b")) | (
        (pl.col("first") == pl.col("first_b")) & (pl.col("last") <= pl.col("last_b"))
    )
    decrease = cum.filter(
        pl.when(a_first).then(_below("_b", "")).otherwise(_below("", "_b"))
    ).select(
        rule=pl.lit("cumulative-decrease"),
        ids=pl.when(a_first)
        .then(pl.concat_list("figure_id", "figure_id_b"))
        .otherwise(pl.concat_list("figure_id_b", "figure_id")),
        finding_id=_pair_fid("cumulative-decrease", "figure_id", "figure_id_b"),
    )
    return [_out(disagree, "disagreement", "figure_id", "figure_id_b"), decrease]


def _combined(f: pl.DataFrame) -> pl.DataFrame:
    wc = f.filter(pl.col("group") == "women_and_children")
    w = f.filter(pl.col("group") == "women").rename(lambda c: c + "_w")
    c = f.filter(pl.col("group") == "children").rename(lambda c: c + "_c")
    wc_ = w.join(
        c, left_on=["fam_w", "scope_w", "source_id_w"], right_on=["fam_c", "scope_c", "source_id_c"]
    ).filter(_same_time("_w", "_c"))
    wc_ = wc_.with_columns(
        lo_t=pl.col("lo_w") + pl.col("lo_c"),
        hi_t=pl.col("hi_w") + pl.col("hi_c"),
        lo_open_t=pl.col("lo_open_w") | pl.col("lo_open_c"),
        hi_open_t=pl.col("hi_open_w") | pl.col("hi_open_c"),
    )
    j = wc.join(wc_, left_on=["fam", "scope"], right_on=["fam_w", "scope_w"])
    bad = j.filter(_same_time("", "_w") & _same_time("", "_c") & _disjoint("_t", ""))
    return _out(bad, "combined-group", "figure_id", "figure_id_w", "figure_id_c")


def finding_frame(raw: pl.DataFrame) -> pl.DataFrame:
    """Every finding as rows of (finding_id, rule, ids), ids in message order, no repeats."""
    f = prepare(raw)
    frames = [*_breakdowns(f), *_subsets(f), _plausible(f), *_across(f), _combined(f)]
    return pl.concat(frames).unique(subset=["finding_id"], keep="first", maintain_order=True)


def frame_of(figures: Iterable[Figure]) -> pl.DataFrame:
    """The raw string frame of figure models, as the checks read it from CSV."""
    rows = [{c: format_cell(getattr(f, c)) for c in FIGURE_COLUMNS} for f in figures]
    schema = dict.fromkeys(FIGURE_COLUMNS, pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row")


def describe(rule: str, ids: Sequence[str], by_id: dict[str, dict[str, Any]]) -> str:
    """The message of one finding, from the prepared rows of its figures."""
    return message(rule, [by_id[i] for i in ids])


def findings_of(raw: pl.DataFrame) -> list[Finding]:
    """Findings with their messages (for reports of a few findings, not for a million)."""
    found = finding_frame(raw)
    needed = {i for ids in found["ids"].to_list() for i in ids}
    rows = prepare(raw).filter(pl.col("figure_id").is_in(list(needed))).iter_rows(named=True)
    by_id = {r["figure_id"]: r for r in rows}
    return [
        Finding(r["rule"], tuple(r["ids"]), describe(r["rule"], r["ids"], by_id))
        for r in found.iter_rows(named=True)
    ]


def findings(figures: Sequence[Figure]) -> list[Finding]:
    """Every finding of every consistency check on these figures."""
    return findings_of(frame_of(figures))
