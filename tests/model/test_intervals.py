"""Hedged numbers are intervals: well formed, exact values are points, wider words never narrow."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhusan.model.fields import Qualifier
from zhusan.model.intervals import VAGUE, Interval, interval

VALUES = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
WITH_VALUE = [q for q in get_args(Qualifier) if q not in VAGUE]
#: (narrower, wider): every number the first allows, the second allows too.
WIDENINGS = [
    ("exact", "about"),
    ("exact", "at_least"),
    ("exact", "up_to"),
    ("more_than", "at_least"),
    ("less_than", "up_to"),
    ("nearly", "up_to"),
    ("nearly", "about"),
    ("almost", "about"),
    ("exact", "roughly"),
    ("exact", "some"),
    ("over", "at_least"),
    ("exceeds", "at_least"),
]


def _inside(a: Interval, b: Interval) -> bool:
    lo_ok = b.lower is None or (
        a.lower is not None
        and (
            a.lower > b.lower or (a.lower == b.lower and (b.bounds[0] == "[" or a.bounds[0] == "("))
        )
    )
    hi_ok = b.upper is None or (
        a.upper is not None
        and (
            a.upper < b.upper or (a.upper == b.upper and (b.bounds[1] == "]" or a.bounds[1] == ")"))
        )
    )
    return lo_ok and hi_ok


@given(q=st.sampled_from(WITH_VALUE), v=VALUES)
def test_intervals_are_well_formed(q: str, v: float) -> None:
    """Lower never exceeds upper, and bounds are one of the four forms."""
    i = interval(q, v)
    assert i.lower is None or i.upper is None or i.lower <= i.upper
    assert i.bounds in ("[]", "[)", "(]", "()")
    assert i.lower is None or i.lower >= 0


@given(v=VALUES)
def test_exact_values_are_points(v: float) -> None:
    """An exact number is the interval [v, v] and contains only v."""
    i = interval("exact", v)
    assert (i.lower, i.upper, i.bounds) == (v, v, "[]")
    assert i.contains(v)


@given(pair=st.sampled_from(WIDENINGS), v=VALUES)
def test_widening_a_qualifier_never_narrows(pair: tuple[str, str], v: float) -> None:
    """The interval of a wider qualifier contains that of a narrower one."""
    narrow, wide = pair
    assert _inside(interval(narrow, v), interval(wide, v)), pair


@given(q=st.sampled_from(["about", "roughly", "some", "at_least", "up_to"]), v=VALUES)
def test_inclusive_hedges_contain_the_stated_value(q: str, v: float) -> None:
    """'about 600' and 'at least 600' allow 600 itself."""
    assert interval(q, v).contains(v)


@given(
    q=st.sampled_from(["nearly", "almost", "more_than", "over", "exceeds", "less_than"]),
    v=st.floats(min_value=1, max_value=1e9),
)
def test_strict_hedges_exclude_the_stated_value(q: str, v: float) -> None:
    """'nearly 600' is below 600 and 'more than 400' above 400: the number itself is excluded."""
    assert not interval(q, v).contains(v)


def test_nearly_600_is_consistent_with_570_but_not_607() -> None:
    """The design's example: nearly 600 allows 570 and excludes 607."""
    i = interval("nearly", 600)
    assert i.contains(570) and not i.contains(607) and not i.contains(569)


def test_a_qualifier_that_needs_a_number_without_one_is_an_error() -> None:
    """'about' with no number has no interval."""
    with pytest.raises(ValueError, match="needs a value"):
        interval("about", None)


@pytest.mark.parametrize(
    ("qualifier", "value", "lower", "upper"),
    [
        ("about", 12, "10.8", "13.2"),
        ("about", 0.7, "0.63", "0.77"),
        ("nearly", 600, "570", "600"),
        ("roughly", 3.3, "2.97", "3.63"),
    ],
)
def test_bounds_are_computed_in_decimals(
    qualifier: str, value: float, lower: str, upper: str
) -> None:
    """'about 12' is exactly [10.8, 13.2]: the floats are those of the printed decimals."""
    from decimal import Decimal

    from zhusan.model.intervals import exact_interval

    lo, hi, _ = exact_interval(qualifier, value)
    assert (lo, hi) == (Decimal(lower), Decimal(upper))
    i = interval(qualifier, value)
    assert (i.lower, i.upper) == (float(lower), float(upper))


@given(v=st.integers(min_value=0, max_value=10**11), q=st.sampled_from(["about", "nearly"]))
def test_the_polars_bounds_of_whole_numbers_equal_the_decimal_ones(v: int, q: str) -> None:
    """The vectorised rule gives the floats nearest the decimal bounds for whole values."""
    import polars as pl

    from zhusan.model.intervals import interval_exprs

    lo, hi, _ = interval_exprs(pl.col("v"), pl.col("q"))
    got = pl.DataFrame({"v": [float(v)], "q": [q]}).select(lo=lo, hi=hi).row(0)
    i = interval(q, v)
    assert got == (i.lower, i.upper)


def test_the_sql_bounds_of_whole_numbers_equal_the_decimal_ones() -> None:
    """On a long column of whole numbers, the SQL bounds equal ``interval``'s, bit for bit.

    A column divided by a constant can be off in the last bit (2632 about: 2895.2000000000003
    where the decimal bound is 2895.2); the SQL, as polars, divides an exact integer once.
    """
    duckdb = pytest.importorskip("duckdb")
    import polars as pl

    from zhusan.model.intervals import RULES, interval_sql

    values = [float(v) for v in range(1, 3001)] + [2632.0, 1839.0, 10.0**11]
    quals = [q for q in RULES if q not in VAGUE]
    rows = [(v, q) for v in values for q in quals]
    frame = pl.DataFrame(rows, schema={"value": pl.Float64, "qualifier": pl.String}, orient="row")
    want = [(i.lower, i.upper, i.bounds) for i in (interval(q, v) for v, q in rows)]
    con = duckdb.connect()
    con.register("f", frame.to_arrow())
    slo, shi, sb = interval_sql("value", "qualifier")
    assert con.execute(f"SELECT {slo}, {shi}, {sb} FROM f").fetchall() == want
