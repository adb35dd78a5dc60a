"""Totals add up, parts stay within wholes, and every disagreement between sources is explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import zhusan
from tests.conftest import Runner, edit_cell, figure_id, read_rows, refresh_hashes, write_rows
from zhusan.checks.consistency import Finding, findings
from zhusan.model.numbers import VALUE_NOTE
from zhusan.model.tables import Figure


def _messages(pkg: Path, code: str) -> list[str]:
    return [str(p) for p in zhusan.validate(pkg).problems if p.code == code]


def _set_exact(pkg: Path, fid: str, number: str) -> None:
    """Give figure ``fid`` the exact value ``number`` (value, lower and upper), hashes refreshed.

    The stated words stay, so the note records why the value differs from them.
    """
    for field in ("value", "lower", "upper"):
        edit_cell(pkg, "figures", fid, field, number)
    edit_cell(pkg, "figures", fid, "note", f"{VALUE_NOTE} a test changes it")
    refresh_hashes(pkg)


def test_bundled_findings_are_all_explained() -> None:
    """The bundled package has findings, and each one has an explanation."""
    found = zhusan.conflicts()
    assert found and all(c["explanation"] is not None for c in found)


def test_changing_406_to_407_breaks_the_breakdown_of_595(pkg: Path, cli: Runner) -> None:
    """595 = 33 + 156 + 406: one child more and validation names the whole and its parts."""
    fid = figure_id(pkg, "kylym-shamy-report", "406")
    edit_cell(pkg, "figures", fid, "value", "407")
    edit_cell(pkg, "figures", fid, "note", f"{VALUE_NOTE} a test changes it")
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if "[breakdown-sum:" in x)
    assert "breakdown of kylym-03 (kylym-shamy-report: exact 595) by group" in line
    assert "33 + 156 + 406 (407)" in line and "[596, 596]" in line and "[595, 595]" in line


def test_a_subset_above_its_whole_is_found(pkg: Path) -> None:
    """31 orphans of 406 children: 500 orphans are more than the children."""
    orphans = figure_id(pkg, "kylym-shamy-report", "31")
    _set_exact(pkg, orphans, "500")
    (msg,) = [m for m in _messages(pkg, "unexplained-finding") if "subset-exceeds-whole" in m]
    assert f"{orphans} (kylym-shamy-report: exact 31)" in msg and "kylym-06" in msg


def test_non_exhaustive_parts_above_the_whole_are_found(pkg: Path) -> None:
    """'Most were women (157) and children (413)' of 607: 500 women would be too many."""
    women = figure_id(pkg, "wsj-oneal-op-ed", "157")
    _set_exact(pkg, women, "500")
    msgs = [m for m in _messages(pkg, "unexplained-finding") if "parts-exceed-whole" in m]
    assert len(msgs) == 1 and "wsj-12" in msgs[0] and "157 (500) + 413" in msgs[0]


def test_a_later_total_below_an_earlier_one_is_found(pkg: Path) -> None:
    """595 returned by June 2019, so 500 in June 2021 would be a cumulative decrease."""
    total = figure_id(pkg, "wsj-oneal-op-ed", "607")
    _set_exact(pkg, total, "500")
    msgs = [m for m in _messages(pkg, "unexplained-finding") if "cumulative-decrease" in m]
    assert any(f"kylym-03+{total}" in m and "the later" in m for m in msgs), msgs


def test_a_removed_explanation_fails_validation(pkg: Path, cli: Runner) -> None:
    """Deleting the discrepancies row of a finding makes that finding unexplained."""
    path = pkg / "dataset" / "discrepancies.csv"
    rows = read_rows(path)
    gone = next(r for r in rows if r["rule"] == "implausible")
    write_rows(path, [r for r in rows if r is not gone])
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert f"[unexplained-finding] [{gone['finding_id']}]" in proc.stdout
    assert "outside the plausible range" in proc.stdout
    assert cli("conflicts", str(pkg)).returncode == 1


def test_an_explanation_without_its_finding_is_stale(pkg: Path) -> None:
    """A discrepancies row whose finding no longer occurs fails validation."""
    path = pkg / "dataset" / "discrepancies.csv"
    rows = read_rows(path)
    rows.append(
        {
            **rows[0],
            "discrepancy_id": "disc-99",
            "finding_id": "disagreement:kylym-03+kylym-04",
            "figure_ids": "kylym-03;kylym-04",
        }
    )
    write_rows(path, rows)
    refresh_hashes(pkg)
    (msg,) = _messages(pkg, "stale-discrepancy")
    assert "disagreement:kylym-03+kylym-04 no longer occurs" in msg


BASE: dict[str, Any] = {
    "source_id": "s",
    "quote": "q 10",
    "stated": "10",
    "derivation": "stated",
    "attribution": "own",
    "unit": "persons",
    "qualifier": "exact",
    "bounds": "[]",
    "measure": "returned",
    "scope": "zhusan",
    "date_basis": "unknown",
}


def _rule(rule: str, figures: list[Figure]) -> list[Finding]:
    return [f for f in findings(figures) if f.rule == rule]


def _fig(fid: str, value: float, **kw: Any) -> Figure:
    stated = f"{value:g}"
    return Figure.model_validate(
        {
            **BASE,
            "figure_id": fid,
            "value": value,
            "lower": value,
            "upper": value,
            "stated": stated,
            "quote": f"q {stated}",
            **kw,
        }
    )


def test_a_share_that_does_not_match_its_counts_is_found() -> None:
    """70 percent of 100 children cannot be 20 children."""
    whole = _fig("w", 100, group="children")
    share = _fig("p", 70, unit="percent", group="children", measure="under-six", subset_of="w")
    count = _fig("c", 20, group="children", measure="under-six", subset_of="w")
    (f,) = _rule("share-mismatch", [whole, share, count])
    assert f.figure_ids == ("p", "c", "w") and "does not match" in f.message
    ok = _fig("c", 70, group="children", measure="under-six", subset_of="w")
    assert _rule("share-mismatch", [whole, share, ok]) == []


def test_a_combined_group_is_checked_against_its_parts() -> None:
    """Nearly 600 women and children against 156 women plus 406 children (562)."""
    wc = _fig("wc", 600, group="women_and_children", qualifier="nearly", lower=570, bounds="[)")
    women = _fig("w", 156, group="women", source_id="t")
    children = _fig("c", 406, group="children", source_id="t")
    (f,) = _rule("combined-group", [wc, women, children])
    assert f.figure_ids == ("wc", "w", "c") and "[562, 562]" in f.message
    assert (
        _rule("combined-group", [wc, women, _fig("c", 414, group="children", source_id="t")]) == []
    )


def test_an_implausible_value_is_found() -> None:
    """An air temperature of 72 degrees Celsius is outside physical bounds; 45 is not."""
    hot = _fig("t", 72, unit="degrees_celsius", measure="air-temperature", group=None)
    (f,) = _rule("implausible", [hot])
    assert f.rule == "implausible" and "72" in f.message
    assert (
        _rule("implausible", [_fig("t", 45, unit="degrees_celsius", measure="air-temperature")])
        == []
    )


def test_findings_have_stable_ids() -> None:
    """A finding's id depends only on its rule and figures, not on their order."""
    a, b = _fig("a", 10, group="all"), _fig("b", 20, source_id="t", group="all")
    assert [f.finding_id for f in findings([a, b])] == [f.finding_id for f in findings([b, a])]
    assert findings([a, b])[0].finding_id == "disagreement:a+b"
