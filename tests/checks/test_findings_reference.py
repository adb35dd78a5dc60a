"""The set-wise consistency checks find exactly what a row-by-row reading of their rules finds.

``zhusan.checks.consistency`` finds totals that do not add up and disagreements with sorts, window
functions and group-bys over every figure, and names for each family the set of figures that
cannot all be true. Here the same rules are read one figure, pair or triple at a time in plain
Python: every conflicting pair or triple (witness) is listed, a family's conflict set is the
union of its witnesses, and a set of at most ``pairwise`` figures gives one finding per witness,
a larger one a single finding (its smallest witness first). Hypothesis draws small sets of
figures crowded onto few measures, groups, scopes, dates and links, one crowded family of
women, children and both, and changes cells of a hand-made set on which every rule fires, with
empty cells, unknown words and dates that do not exist among them; each is read with several
thresholds, down to 0 (every conflict set is one finding). Values are multiples of 20: every
bound the qualifier rules give is then a whole number, and sums are exact in either order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any
from unittest import mock

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from zhusan.checks.consistency import (
    CUMULATIVE,
    FAMILIES,
    FIGURE_COLUMNS,
    LISTED,
    PAIRWISE,
    PLAUSIBLE,
    finding_frame,
    ranges,
    slim,
)
from zhusan.model.intervals import RULES, Bound

Row = dict[str, Any]
BOOLS = {"1": "true", "on": "true", "t": "true", "y": "true", "yes": "true"} | {
    "0": "false",
    "off": "false",
    "f": "false",
    "n": "false",
    "no": "false",
}


# Three-valued logic, as polars evaluates comparisons with empty cells: None is unknown.
def _and(*xs: bool | None) -> bool | None:
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def _or(*xs: bool | None) -> bool | None:
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def _cmp(a: Any, b: Any, op: str) -> bool | None:
    if a is None or b is None:
        return None
    return {"<": a < b, "<=": a <= b, "==": a == b, "!=": a != b}[op]


def _bound(bound: Bound, v: float | None) -> float | None:
    kind, p = bound
    if kind == "const":
        return float(p)
    if kind == "none" or v is None:
        return None
    return v if kind == "value" else v * p / 100


def _day(text: str | None, last: bool) -> dt.date | None:
    """The first (or last) day a partial date covers; None when it is no date."""
    if text is None:
        return None
    try:
        if len(text) == 4:
            return dt.date(int(text), 12, 31) if last else dt.date(int(text), 1, 1)
        if len(text) == 7:
            y, m = int(text[:4]), int(text[5:])
            return dt.date(y, m, calendar.monthrange(y, m)[1] if last else 1)
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def prepared(raw: Row) -> Row:
    """One figure as the rules read it: empty cells None, its interval, family and dates."""
    r: Row = {c: (raw[c] or None) for c in FIGURE_COLUMNS}
    if r["exhaustive"] is not None:
        r["exhaustive"] = BOOLS.get(r["exhaustive"].lower(), r["exhaustive"].lower())
    try:
        v: float | None = float(r["value"]) if r["value"] is not None else None
    except ValueError:
        v = None
    rule = RULES.get(r["qualifier"] or "")
    lo, hi, b = (_bound(rule[0], v), _bound(rule[1], v), rule[2]) if rule else (None, None, None)
    first = _day(r["period_start"], False) or _day(r["as_of"], False)
    return r | {
        "v": v,
        "lo": lo,
        "hi": hi,
        "lo_open": None if b is None else b[0] == "(",
        "hi_open": None if b is None else b[1] == ")",
        "fam": FAMILIES.get(r["measure"], r["measure"]),
        "first": None if r["as_of"] is None else first,
        "last": _day(r["as_of"], True),
    }


def below(a: Row, b: Row) -> bool:
    """Every number of interval ``a`` lies below every number of ``b``."""
    hi, lo = a["hi"], b["lo"]
    if hi is None or lo is None:
        return False
    touch = _and(hi == lo, _or(a["hi_open"], b["lo_open"]))
    return bool(_or(hi < lo, touch))


def disjoint(a: Row, b: Row) -> bool:
    return below(a, b) or below(b, a)


def _sum(values: Iterable[float | None]) -> float | None:
    values = list(values)
    return None if any(x is None for x in values) else float(sum(values))  # type: ignore[arg-type]


def spelled(rule: str, ids: list[str]) -> str:
    """A finding id: the sorted ids, or past LISTED of them their number and a digest."""
    key = sorted(ids)
    if len(key) <= LISTED:
        return f"{rule}:{'+'.join(key)}"
    digest = hashlib.sha256("+".join(key).encode()).hexdigest()[:16]
    return f"{rule}:{len(key)}-figures-{digest}"


def dated(r: Row) -> bool:
    """A figure with a first day whose span does not end before it starts."""
    return r["first"] is not None and (r["last"] is None or r["first"] <= r["last"])


def well_formed(r: Row) -> bool:
    return r["first"] is None or r["last"] is None or r["first"] <= r["last"]


def common_day(*rs: Row) -> bool:
    """Some day every dated one of them spans (an undated figure spans every day)."""
    firsts = [r["first"] for r in rs if r["first"] is not None]
    lasts = [r["last"] for r in rs if r["last"] is not None]
    return not firsts or not lasts or max(firsts) <= min(lasts)


def keyed(r: Row, *cols: str) -> tuple[Any, ...] | None:
    """The values of ``cols``, or None when one is empty."""
    key = tuple(r[c] for c in cols)
    return None if any(v is None for v in key) else key


Witnesses = dict[tuple[Any, ...], list[list[str]]]


def reference(raws: list[Row], pairwise: int = PAIRWISE) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each finding by id: its rule and its figures in message order, case by case."""
    f = [prepared(r) for r in raws]
    by_id = {r["figure_id"]: r for r in f}
    out: dict[str, tuple[str, tuple[str, ...]]] = {}

    def add(rule: str, ids: list[str]) -> None:
        out.setdefault(spelled(rule, ids), (rule, tuple(ids)))

    def settle(rule: str, sets: Witnesses, first: Any, shown: Any = list) -> None:
        """One finding per witness of a small conflict set, else one naming the whole set.

        A set's ids are the witness that ``first`` ranks first (in the order ``shown``), then
        the other members sorted.
        """
        for ws in sets.values():
            members = {i for w in ws for i in w}
            if len(members) <= pairwise:
                for w in ws:
                    add(rule, w)
                continue
            ex = list(dict.fromkeys(shown(min(ws, key=first))))
            add(rule, ex + sorted(members - set(ex)))

    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in f:
        if r["parent_id"] is not None and r["exhaustive"] is not None:
            groups.setdefault((r["parent_id"], r["axis"], r["exhaustive"]), []).append(r)
    for (parent, _, exhaustive), parts in groups.items():
        whole = by_id.get(parent)
        if whole is None:
            continue
        total = {
            "lo": _sum(p["lo"] for p in parts),
            "hi": _sum(p["hi"] for p in parts),
            # polars' any() passes over empty cells
            "lo_open": any(p["lo_open"] is True for p in parts),
            "hi_open": any(p["hi_open"] is True for p in parts),
        }
        ids = [parent, *(p["figure_id"] for p in parts)]
        if exhaustive == "true" and disjoint(total, whole):
            add("breakdown-sum", ids)
        if exhaustive == "false" and below(whole, total):
            add("parts-exceed-whole", ids)

    counts = [
        (r, r[link])
        for link in ("subset_of", "parent_id")
        for r in f
        if r[link] is not None and r["unit"] is not None and r["unit"] != "percent"
    ]
    shares: Witnesses = {}
    for s in f:
        whole = by_id.get(s["subset_of"] or "")
        if whole is None:
            continue
        if _cmp(s["unit"], whole["unit"], "==") and below(whole, s):
            add("subset-exceeds-whole", [s["figure_id"], whole["figure_id"]])
        if s["unit"] != "percent" or whole["unit"] in (None, "percent"):
            continue
        seen = set()
        for c, link in counts:
            key = (c["figure_id"], link)
            if key in seen or link != s["subset_of"]:
                continue
            seen.add(key)
            if (c["measure"], c["group"], c["unit"]) != (s["measure"], s["group"], whole["unit"]):
                continue
            if c["lo"] is None or whole["hi"] is None or whole["hi"] == 0:
                continue
            hi = None
            if c["hi"] is not None and (whole["lo"] or 0) != 0:
                hi = 100 * c["hi"] / whole["lo"]
            implied = {"lo": 100 * c["lo"] / whole["hi"], "hi": hi}
            if disjoint(implied | {"lo_open": False, "hi_open": False}, s):
                family = (s["subset_of"], s["measure"], s["group"], whole["unit"])
                ids = [s["figure_id"], c["figure_id"], whole["figure_id"]]
                shares.setdefault(family, []).append(ids)
    settle("share-mismatch", shares, lambda w: w[:2])

    for r in f:
        if r["measure"] in PLAUSIBLE and r["v"] is not None:
            lo, hi = PLAUSIBLE[r["measure"]]
            if not lo <= r["v"] <= hi:
                add("implausible", [r["figure_id"]])

    pairs: Witnesses = {}
    for i, a in enumerate(f):
        for b in f[i + 1 :]:
            key = keyed(a, "fam", "group", "scope", "unit")
            if key is None or key != keyed(b, "fam", "group", "scope", "unit"):
                continue
            if a["source_id"] != b["source_id"] and disjoint(a, b):
                pairs.setdefault(key, []).append([a["figure_id"], b["figure_id"]])
    settle("disagreement", pairs, sorted, sorted)

    drops: Witnesses = {}
    for e in f:
        for late in f:
            key = keyed(e, "measure", "group", "scope", "unit")
            if key is None or key != keyed(late, "measure", "group", "scope", "unit"):
                continue
            if e["measure"] not in CUMULATIVE or not (dated(e) and dated(late)):
                continue
            if e["source_id"] == late["source_id"] or e["last"] is None:
                continue
            if e["last"] < late["first"] and below(late, e):
                drops.setdefault(key, []).append([e["figure_id"], late["figure_id"]])
    settle("cumulative-decrease", drops, sorted)

    triples: Witnesses = {}
    for wc in f:
        key = keyed(wc, "fam", "scope", "unit")
        if wc["group"] != "women_and_children" or key is None:
            continue
        for w in f:
            for c in f:
                if (w["group"], c["group"]) != ("women", "children"):
                    continue
                if key != keyed(w, "fam", "scope", "unit") or key != keyed(
                    c, "fam", "scope", "unit"
                ):
                    continue
                if w["source_id"] != c["source_id"]:
                    continue
                if not all(well_formed(x) for x in (wc, w, c)) or not common_day(wc, w, c):
                    continue
                total = {
                    "lo": _sum([w["lo"], c["lo"]]),
                    "hi": _sum([w["hi"], c["hi"]]),
                    "lo_open": _or(w["lo_open"], c["lo_open"]),
                    "hi_open": _or(w["hi_open"], c["hi_open"]),
                }
                if disjoint(total, wc):
                    ids = [wc["figure_id"], w["figure_id"], c["figure_id"]]
                    triples.setdefault(key, []).append(ids)
    settle("combined-group", triples, lambda w: w)
    return out


def found(
    raws: list[Row], pairwise: int = PAIRWISE, sweep: bool = False
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The set-wise checks' findings of the same figures.

    ``sweep`` forces the sweeps: no candidate is tried one by one, and range minima are taken
    by doubling however short the ranges.
    """
    frame = pl.DataFrame(raws, schema=dict.fromkeys(FIGURE_COLUMNS, pl.String), orient="row")
    with (
        mock.patch.object(slim, "ENUMERATE", -1 if sweep else slim.ENUMERATE),
        mock.patch.object(ranges, "DOUBLING", True if sweep else None),
    ):
        got = finding_frame(frame, pairwise=pairwise)
    return {r["finding_id"]: (r["rule"], tuple(r["ids"])) for r in got.iter_rows(named=True)}


DATES = ["", "2019", "2019-06", "2019-06-15", "2019-12-31", "2020", "2020-02", "2019-02-30"]


@st.composite
def figures(draw: st.DrawFn) -> list[Row]:
    """Up to 14 figures drawn cell by cell from small pools."""
    n = draw(st.integers(1, 14))
    ids = [f"f{i}" for i in range(n)]
    maybe_id = st.sampled_from(["", "", *ids, "missing"])
    rows = []
    for fid in ids:
        k = draw(st.integers(-2, 10))
        value = "" if k == -1 else "x" if k == -2 else str(20 * k)
        rows.append(
            {
                "figure_id": fid,
                "source_id": draw(st.sampled_from(["s1", "s2", "s3"])),
                "stated": value,
                "value": value,
                "unit": draw(st.sampled_from(["persons", "persons", "persons", "percent", ""])),
                "qualifier": draw(st.sampled_from([*RULES, "unknown"])),
                "measure": draw(st.sampled_from(["returned", "in-programme", "arrested", "age"])),
                "group": draw(
                    st.sampled_from(["", "all", "women", "children", "women_and_children"])
                ),
                "scope": draw(st.sampled_from(["", "kz", "kz", "kz", "syria"])),
                "as_of": draw(st.sampled_from(DATES)),
                "period_start": draw(st.sampled_from(DATES)),
                "parent_id": draw(maybe_id),
                "axis": draw(st.sampled_from(["", "sex", "age"])),
                "exhaustive": draw(st.sampled_from(["", "true", "false", "yes", "0"])),
                "subset_of": draw(maybe_id),
            }
        )
    return rows


THRESHOLDS = st.sampled_from([0, 1, 2, 3, PAIRWISE])


@settings(max_examples=200, deadline=None)
@given(raws=figures(), pairwise=THRESHOLDS, sweep=st.booleans())
def test_set_wise_findings_equal_the_row_by_row_reading(
    raws: list[Row], pairwise: int, sweep: bool
) -> None:
    """Same finding ids, same rules, the same figures in the same message order."""
    assert found(raws, pairwise, sweep) == reference(raws, pairwise)


SPANS = [
    ("", ""),
    ("2019", ""),
    ("2019-06", ""),
    ("2019-06-15", ""),
    ("2020", ""),
    ("2020-03", "2019-11"),
    ("2019-12", "2019-02"),
    ("2021", "2019"),
    ("2019-02-30", "2019"),
    ("2019", "2020"),
]


@st.composite
def family(draw: st.DrawFn) -> list[Row]:
    """Up to 30 figures of one family: women, children and both, from three sources, dated."""
    rows = []
    for i in range(draw(st.integers(1, 30))):
        value = str(20 * draw(st.integers(0, 12)))
        as_of, start = draw(st.sampled_from(SPANS))
        rows.append(
            BLANK
            | {
                "figure_id": f"g{i:02d}",
                "source_id": draw(st.sampled_from(["s1", "s2", "s3"])),
                "stated": value,
                "value": value,
                "qualifier": draw(st.sampled_from(["exact", "exact", *RULES])),
                "measure": draw(st.sampled_from(["returned", "in-programme"])),
                "group": draw(st.sampled_from(["women", "children", "women_and_children"])),
                "scope": "kz",
                "unit": draw(st.sampled_from(["persons", "persons", "persons", "percent"])),
                "as_of": as_of,
                "period_start": start,
            }
        )
    return rows


@settings(max_examples=150, deadline=None)
@given(raws=family(), pairwise=THRESHOLDS, sweep=st.booleans())
def test_a_crowded_family_is_read_alike(raws: list[Row], pairwise: int, sweep: bool) -> None:
    """Many women, children and combined figures over overlapping spans: the same findings."""
    assert found(raws, pairwise, sweep) == reference(raws, pairwise)


BLANK = dict.fromkeys(FIGURE_COLUMNS, "") | {"source_id": "s1", "unit": "persons"}


def fig(fid: str, value: str, **cells: str) -> Row:
    """An exact count of returnees in kz from source s1, unless ``cells`` say otherwise."""
    exact = {"qualifier": "exact", "measure": "returned", "scope": "kz", "stated": value}
    return BLANK | exact | {"figure_id": fid, "value": value} | cells


#: A set of figures on which every rule fires; the mutations below start from it.
EVERY_RULE = [
    fig("w", "100", group="all"),
    fig("p1", "20", group="women", parent_id="w", axis="sex", exhaustive="true"),
    fig("p2", "40", group="children", parent_id="w", axis="sex", exhaustive="true"),
    fig("q1", "80", group="men", parent_id="w", axis="age", exhaustive="false"),
    fig("q2", "60", group="men", parent_id="w", axis="age", exhaustive="false"),
    fig("big", "120", group="men", subset_of="w"),
    fig("share", "80", unit="percent", group="women", subset_of="w"),
    fig("hot", "80", measure="air-temperature", scope=""),
    fig("young", "-20", measure="age", scope=""),
    fig("other", "200", group="all", source_id="s2"),
    fig("early", "100", group="all", source_id="s3", as_of="2019"),
    fig("late", "60", group="all", source_id="s2", as_of="2020"),
    fig("wc", "200", group="women_and_children"),
    # Edges: women and children at two times; a date that does not exist after a start;
    # shares and counts of no group and of a hedged whole; open bounds that touch; a cycle.
    fig("pw", "20", group="women", as_of="2019"),
    fig("pc", "40", group="children", as_of="2020"),
    fig("odd", "60", group="all", source_id="s2", as_of="2019-02-30", period_start="2019"),
    fig("share0", "80", unit="percent", subset_of="w"),
    fig("count0", "20", parent_id="w", axis="none"),
    fig("w3", "100", scope="x3"),
    fig("n1", "40", scope="x3", qualifier="nearly", parent_id="w3", axis="z", exhaustive="true"),
    fig("n2", "60", scope="x3", parent_id="w3", axis="z", exhaustive="true"),
    fig("w5", "100", scope="x5"),
    fig("m1", "40", scope="x5", qualifier="more_than", parent_id="w5", axis="z", exhaustive="true"),
    fig("m2", "60", scope="x5", parent_id="w5", axis="z", exhaustive="true"),
    fig("cw", "40", scope="x6", group="women", qualifier="nearly"),
    fig("cc", "60", scope="x6", group="children"),
    fig("cwc", "100", scope="x6", group="women_and_children"),
    fig("w7", "100", scope="x7", group="all", qualifier="about"),
    fig("s7", "20", scope="x7", group="women", unit="percent", subset_of="w7"),
    fig("k7", "20", scope="x7", group="women", parent_id="w7", axis="n"),
    fig("c1", "20", scope="x4", parent_id="c2", axis="k", exhaustive="true"),
    fig("c2", "40", scope="x4", parent_id="c1", axis="k", exhaustive="true"),
]
CELLS = {
    "value": ["", "x", "-20", "0", "20", "40", "60", "100", "120", "200"],
    "qualifier": [*RULES, "unknown"],
    "unit": ["", "persons", "percent"],
    "group": ["", "all", "women", "children", "women_and_children", "men"],
    "scope": ["", "kz", "syria"],
    "source_id": ["s1", "s2", "s3"],
    "measure": ["returned", "in-programme", "arrested", "age", "air-temperature"],
    "as_of": DATES,
    "period_start": DATES,
    "parent_id": ["", "w", "p1", "missing"],
    "subset_of": ["", "w", "p1", "missing"],
    "axis": ["", "sex", "age"],
    "exhaustive": ["", "true", "false", "yes", "0"],
}


@st.composite
def mutated(draw: st.DrawFn) -> list[Row]:
    """The every-rule set with a few cells changed: near misses of every rule."""
    rows = [dict(r) for r in EVERY_RULE]
    cells = st.tuples(st.sampled_from(rows), st.sampled_from(sorted(CELLS)))
    for row, column in draw(st.lists(cells, min_size=1, max_size=24)):
        row[column] = draw(st.sampled_from(CELLS[column]))
    return rows


@settings(max_examples=250, deadline=None)
@given(raws=mutated(), pairwise=THRESHOLDS, sweep=st.booleans())
def test_near_misses_of_every_rule_are_read_alike(
    raws: list[Row], pairwise: int, sweep: bool
) -> None:
    """Changed cells in the every-rule set: the same findings either way."""
    assert found(raws, pairwise, sweep) == reference(raws, pairwise)


def test_the_reading_finds_every_rule() -> None:
    """On the every-rule set both readings find every rule, with the figures in order."""
    expected = reference(EVERY_RULE)
    assert {rule for rule, _ in expected.values()} == {
        "breakdown-sum",
        "parts-exceed-whole",
        "subset-exceeds-whole",
        "share-mismatch",
        "implausible",
        "disagreement",
        "cumulative-decrease",
        "combined-group",
    }
    assert expected["share-mismatch:p1+share+w"] == ("share-mismatch", ("share", "p1", "w"))
    assert expected["cumulative-decrease:early+late"][1] == ("early", "late")
    assert found(EVERY_RULE) == expected
    assert found(EVERY_RULE, sweep=True) == expected


@st.composite
def cell_ranges(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    """Up to 200 cells and up to 40 ranges [a, b) over them, some empty, with keys."""
    n = draw(st.integers(1, 200))
    cells = st.integers(0, n)
    raw = draw(st.lists(st.tuples(cells, cells, st.integers(-5, 50)), max_size=40))
    return n, [(min(a, b), max(a, b) if a != b or b % 3 else a, k) for a, b, k in raw]


@settings(max_examples=150, deadline=None)
@given(case=cell_ranges(), high=st.booleans(), doubling=st.booleans())
def test_range_extremes_by_doubling_equal_a_scan(
    case: tuple[int, list[tuple[int, int, int]]], high: bool, doubling: bool
) -> None:
    """Covering and range extremes, by doubling or by listing cells, equal a plain scan."""
    n, rs = case
    pick, none = (max, slim.NONE) if high else (min, slim.BIG)
    start, end, key = (pl.Series([r[i] for r in rs], dtype=pl.Int64) for i in range(3))
    covered = ranges.cover(n, start, end, key, high=high, doubling=doubling).to_list()
    assert covered == [pick([k for a, b, k in rs if a <= j < b], default=none) for j in range(n)]
    values = pl.Series([(7 * j) % 23 for j in range(n)], dtype=pl.Int64)
    got = ranges.range_extreme(values, start, end, high=high, doubling=doubling).to_list()
    assert got == [pick(values.to_list()[a:b], default=none) for a, b, _ in rs]
