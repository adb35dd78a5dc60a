"""Set-wise consistency findings: a family's conflicting figures past six are one finding.

Output stays bounded however large a family grows, ids stay put when unrelated rows come and
go, and a set's message names an example witness and counts the figures and sources.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import zhusan
from tests.conftest import read_rows, write_rows
from zhusan.checks.consistency import (
    FIGURE_COLUMNS,
    Finding,
    finding_frame,
    finding_id,
    findings_of,
    spell_id,
)


def _row(fid: str, value: float, **cells: str) -> dict[str, str]:
    """A raw figure row: an exact count of returnees in zhusan, undated, unless ``cells`` say."""
    row = dict.fromkeys(FIGURE_COLUMNS, "")
    stated = f"{value:g}"
    row |= {"figure_id": fid, "source_id": "s", "stated": stated, "value": stated}
    row |= {"unit": "persons", "qualifier": "exact", "measure": "returned", "scope": "zhusan"}
    return row | cells


def _frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(FIGURE_COLUMNS, pl.String), orient="row")


def _only(rule: str, rows: list[dict[str, str]]) -> Finding:
    (found,) = [f for f in findings_of(_frame(rows)) if f.rule == rule]
    return found


@pytest.mark.parametrize("one_source", [True, False])
def test_a_hundred_copies_of_women_children_and_both_give_few_findings(one_source: bool) -> None:
    """100 women, 100 children and 100 combined figures of one family: a few findings."""
    rows = []
    for i in range(100):
        src = "s" if one_source else f"s{i}"
        rows.append(_row(f"w{i:03d}", 150 + i, group="women", source_id=src))
        rows.append(_row(f"c{i:03d}", 400 + i, group="children", source_id=src))
        rows.append(_row(f"x{i:03d}", 600, group="women_and_children", qualifier="nearly"))
    found = finding_frame(_frame(rows))  # its time: benchmarks/consistency_bench.py
    assert found.height <= 10, found.height
    (combined,) = found.filter(pl.col("rule") == "combined-group")["ids"].to_list()
    assert combined[0] == "x000" and len(combined) == (300 if one_source else 270)
    disagreements = found.filter(pl.col("rule") == "disagreement")
    assert disagreements.height == (0 if one_source else 2)


def test_a_family_of_ten_thousand_disagreeing_figures_is_one_finding() -> None:
    """10,000 figures of 10,000 sources, no two alike: one finding, its id a digest."""
    rows = [_row(f"f{i:05d}", 1000 + i, group="all", source_id=f"s{i}") for i in range(10_000)]
    found = finding_frame(_frame(rows))
    ((fid, rule, ids),) = found.select("finding_id", "rule", "ids").rows()
    assert rule == "disagreement" and len(ids) == 10_000 and ids[:2] == ["f00000", "f00001"]
    assert fid.startswith("disagreement:10000-figures-") and len(fid) == 43
    assert fid == finding_id(rule, ids) == pl.select(spell_id(pl.lit(rule), pl.lit(ids))).item()


def _ids(rows: list[dict[str, str]]) -> set[str]:
    return set(finding_frame(_frame(rows))["finding_id"])


def test_ids_stay_when_rows_of_other_families_or_agreeing_rows_are_added() -> None:
    """Rows elsewhere, or that overlap every figure, change no id; a new conflict changes one."""
    crowd = [_row(f"a{i}", 100 + i, group="all", source_id=f"s{i}") for i in range(8)]
    pair = [_row("b1", 10, group="women"), _row("b2", 20, group="women", source_id="t")]
    before = _ids(crowd + pair)
    assert len(before) == 2 and "disagreement:b1+b2" in before
    others = [_row(f"o{i}", i, group="all", scope="x", source_id=f"s{i}") for i in range(9)]
    wide = [
        _row("a-wide", 1000, group="all", qualifier="up_to", source_id="u"),
        _row("b-wide", 20, group="women", qualifier="up_to", source_id="u"),
    ]
    assert before <= _ids(crowd + pair + others + wide)
    after = _ids(crowd + pair + others + wide + [_row("a-low", 1, group="all", source_id="v")])
    assert "disagreement:b1+b2" in after and len(before & after) == 1


def test_a_percent_and_a_count_are_never_compared_or_summed() -> None:
    """Same family, different units: no disagreement, no combined sum; one unit: both found."""
    rows = [
        _row("n", 50, group="women"),
        _row("p", 80, group="women", unit="percent", source_id="t"),
        _row("w", 20, group="women", unit="percent", source_id="t"),
        _row("c", 30, group="children", source_id="t"),
        _row("x", 500, group="women_and_children"),
    ]
    assert finding_frame(_frame(rows)).height == 0
    same = [r | {"unit": "persons"} for r in rows]
    assert {r for r in finding_frame(_frame(same))["rule"]} == {"disagreement", "combined-group"}


def test_six_conflicting_figures_keep_one_finding_per_pair() -> None:
    """Three sources of two figures each, all apart: every pair its own finding, as before."""
    rows = [_row(f"a{i}", 100 + 10 * i, group="all", source_id=f"s{i // 2}") for i in range(6)]
    found = finding_frame(_frame(rows))
    assert set(found["rule"]) == {"disagreement"} and found.height == 12
    assert "disagreement:a0+a2" in set(found["finding_id"])


def test_disagreeing_figures_past_six_are_one_finding_that_counts_them() -> None:
    """Eight figures of eight sources, no two alike: one finding, its message counts them."""
    rows = [_row(f"a{i}", 100 + i, group="all", source_id=f"s{i}") for i in range(8)]
    f = _only("disagreement", rows)
    assert f.figure_ids == tuple(f"a{i}" for i in range(8))
    assert f.finding_id == "disagreement:" + "+".join(f"a{i}" for i in range(8))
    assert f.message == (
        "returnees/all/zhusan: 8 figures from 8 sources cannot all be true, e.g. "
        "a0 (s0: exact 100) [100, 100] and a1 (s1: exact 101) [101, 101] do not overlap "
        "(among them the lowest upper bound is 100, the highest lower 107)"
    )


def test_cumulative_counts_falling_past_six_figures_are_one_finding() -> None:
    """Four counts of 2019 above four of 2021 from another source: one set, earlier first."""
    early = [_row(f"e{i}", 600 + i, group="all", source_id="s", as_of="2019") for i in range(4)]
    late = [_row(f"l{i}", 500 + i, group="all", source_id="t", as_of="2021") for i in range(4)]
    f = _only("cumulative-decrease", early + late)
    assert f.figure_ids[:2] == ("e0", "l0") and len(f.figure_ids) == 8
    assert f.message == (
        "returnees/all/zhusan: 8 figures from 2 sources cannot all be true, e.g. "
        "the later l0 (t: exact 500) is below the earlier e0 (s: exact 600)"
    )


def test_a_combined_group_against_many_parts_is_one_finding() -> None:
    """600 women and children against four women and four children of 100 each: one set."""
    rows = [_row("x", 600, group="women_and_children", source_id="t")]
    rows += [_row(f"w{i}", 100, group="women") for i in range(4)]
    rows += [_row(f"c{i}", 100, group="children") for i in range(4)]
    f = _only("combined-group", rows)
    assert f.figure_ids[:3] == ("x", "w0", "c0") and len(f.figure_ids) == 9
    assert f.message == (
        "9 figures from 2 sources cannot all be true, e.g. x (t: exact 600) [600, 600] "
        "against women plus children 100 + 100 = [200, 200] of s"
    )


def test_shares_against_many_counts_of_one_whole_are_one_finding() -> None:
    """Four shares of 50 % against four counts of 100 of a whole of 1,000: one set."""
    rows = [_row("w", 1000, group="children")]
    rows += [
        _row(f"p{i}", 50, group="children", unit="percent", measure="m", subset_of="w")
        for i in range(4)
    ]
    rows += [_row(f"c{i}", 100, group="children", measure="m", subset_of="w") for i in range(4)]
    f = _only("share-mismatch", rows)
    assert f.figure_ids[:3] == ("p0", "c0", "w") and len(f.figure_ids) == 9
    assert f.message == (
        "9 figures from 1 source cannot all be true, e.g. "
        "p0 (s: exact 50) does not match c0 (s: exact 100) of w (s: exact 1000)"
    )


def test_a_set_past_twelve_figures_is_named_by_its_size_and_a_digest() -> None:
    """Thirteen disagreeing figures: the id counts them and digests their sorted ids."""
    rows = [_row(f"a{i:02d}", 100 + i, group="all", source_id=f"s{i}") for i in range(13)]
    f = _only("disagreement", rows)
    assert f.finding_id == finding_id("disagreement", f.figure_ids)
    assert f.finding_id.startswith("disagreement:13-figures-") and len(f.finding_id) == 40


EMPTIED = (
    "as_of", "period_start", "parent_id", "axis", "exhaustive", "subset_of", "derived_from",
    "event_id",
)  # fmt: skip


def test_the_package_of_issue_17_gives_a_few_findings(pkg: Path) -> None:
    """Bundled package plus 100 copies of a total as women, children and both: a few findings."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    total = next(r for r in rows if r["figure_id"] == "kylym-03")
    empty = dict.fromkeys(EMPTIED, "")
    for group in ("women", "children", "women_and_children"):
        rows += [
            total | empty | {"figure_id": f"copy-{group.replace('_', '-')}-{i}", "group": group}
            for i in range(100)
        ]
    write_rows(path, rows)
    zhusan.refresh(pkg)
    report = zhusan.validate(pkg)
    unexplained = [str(p) for p in report.problems if p.code == "unexplained-finding"]
    assert len(unexplained) == 4 and all("-figures-" in m for m in unexplained), unexplained
    assert any("[combined-group:306-figures-" in m for m in unexplained)
    # The copies and the pitch's 595 of all returned people: one set, not 300 pairs.
    assert any("[same-total-coverage:302-figures-" in m for m in unexplained)
    assert len(report.problems) == 16  # and 12 discrepancies rows made stale by the sets


def test_no_figures_give_no_findings() -> None:
    """A package without figures (a new one) has no findings, and no error computing them."""
    assert findings_of(pl.DataFrame(schema=dict.fromkeys(FIGURE_COLUMNS, pl.String))) == []
