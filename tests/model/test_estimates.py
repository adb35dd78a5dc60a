"""Estimates keep each source's latest snapshot per period and split the rest by time."""

from __future__ import annotations

from typing import Any

from zhusan.model.estimates import estimates
from zhusan.model.tables import Figure, Source

BASE: dict[str, Any] = {
    "quote": "q",
    "derivation": "stated",
    "unit": "persons",
    "qualifier": "exact",
    "bounds": "[]",
    "measure": "returned",
    "group": "all",
    "scope": "op",
    "date_basis": "stated",
    "attribution": "own",
}


def _fig(fid: str, source: str, value: int, as_of: str | None, **kw: Any) -> Figure:
    stated = "several" if value is None else f"{value:g}"
    row = {**BASE, "figure_id": fid, "source_id": source, "stated": stated, "quote": stated}
    row |= {"value": value, "lower": value, "upper": value, "as_of": as_of, **kw}
    return Figure.model_validate(row)


def _source(sid: str, interest: str) -> Source:
    org = "org" if interest in ("party", "agent_of_party") else None
    return Source.model_validate(
        {
            "source_id": sid,
            "title": "t",
            "kind": "op_ed",
            "published_basis": "unknown",
            "path": "seeds/x.txt",
            "sha256": "0" * 64,
            "archived_as": "x",
            "language": "en",
            "interest": interest,
            "interest_org_id": org,
            "interest_note": "n",
        }
    )


def test_a_source_gives_only_its_latest_snapshot_of_a_period() -> None:
    """Of one source's 47 (January) and 516 (May), only 516 is in 2019's range."""
    found = estimates([_fig("a", "s", 47, "2019-01"), _fig("b", "s", 516, "2019-05")])
    (row,) = found
    assert (row.low, row.high, row.estimate_id) == (516, 516, "returned-all-op-2019-05")
    assert row.left_out == ["a (earlier snapshot: the source gives a later one)"]


def test_snapshots_of_different_times_are_rows_linked_in_time_order() -> None:
    """516 in May and 595 in June, from two sources, are two rows, the later pointing back."""
    may, june = estimates([_fig("b", "t", 595, "2019-06"), _fig("a", "s", 516, "2019-05")])
    assert (may.low, june.low) == (516, 595)
    assert june.previous_estimate_id == may.estimate_id and may.previous_estimate_id is None


def test_overlapping_dates_are_one_time_and_independent_sources_are_ranged_apart() -> None:
    """2021 and 2021-06-10 overlap: one row; a party's 187 is not in the independent range."""
    figs = [_fig("a", "gov", 187, "2021"), _fig("b", "paper", 157, "2021-06-10")]
    (row,) = estimates(figs, [_source("gov", "party"), _source("paper", "independent")])
    assert (row.low, row.high, row.bounds, row.same_time) == (157, 187, "[]", True)
    assert (row.independent_low, row.independent_high, row.independent_sources) == (
        157,
        157,
        ["paper"],
    )


def test_bounds_say_which_ends_are_included() -> None:
    """'more than 400' and 'at least 27' give an open and a closed low end, no high end."""
    more = _fig("a", "s", 400, None, qualifier="more_than", upper=None, bounds="()")
    least = _fig("b", "t", 27, None, qualifier="at_least", upper=None, bounds="[)", group="men")
    by_group = {e.group: e for e in estimates([more, least])}
    assert (by_group["all"].low, by_group["all"].high, by_group["all"].bounds) == (400, None, "()")
    assert by_group["men"].bounds == "[)"


def test_justice_figures_are_pooled_by_legal_stage() -> None:
    """An arrest count and a prosecution count of one group are two stage rows."""
    arrested = _fig("a", "s", 27, "2019", measure="arrested", legal_stage="arrested")
    prosecuted = _fig("b", "t", 37, "2021", measure="prosecuted", legal_stage="prosecuted")
    ids = sorted(e.estimate_id for e in estimates([arrested, prosecuted]))
    assert ids == ["stage-arrested-all-op-2019", "stage-prosecuted-all-op-2021"]
