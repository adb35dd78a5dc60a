"""`zhusan conflicts` shows the disagreements the documents contain; estimates give envelopes."""

from __future__ import annotations

import csv

import zhusan
from tests.conftest import Runner, load_json
from zhusan.files.descriptor import bundled_root


def test_conflicts_lists_the_returned_totals_first_with_explanations(cli: Runner) -> None:
    """516, 595 and 607 returnees disagree, and each pair is explained, before anything else."""
    proc = cli("conflicts")
    assert proc.returncode == 0
    sections = proc.stdout.split("\n== ")
    assert sections[1].startswith("returned people")
    for a, b in (("516", "595"), ("595", "607"), ("516", "607")):
        assert any(a in line and b in line for line in sections[1].splitlines()), (a, b)
    assert "UNEXPLAINED" not in proc.stdout


def test_conflicts_lists_the_children_counts(cli: Runner) -> None:
    """357, 405, 406, 413 and 'more than 400' children all appear among the findings."""
    text = cli("conflicts").stdout.split("\n== children")[1].split("\n== ")[0]
    for stated in ("357", "405", "406", "413", "more than 400"):
        assert stated in text, stated


def test_conflicts_json_equals_the_api(cli: Runner) -> None:
    """`zhusan conflicts --json` prints zhusan.conflicts()."""
    proc = cli("conflicts", "--json")
    assert load_json('{"c": ' + proc.stdout + "}")["c"] == zhusan.conflicts()


def _estimates() -> dict[str, dict[str, str]]:
    with (bundled_root() / "dataset" / "estimates.csv").open(encoding="utf-8", newline="") as fh:
        return {r["estimate_id"]: r for r in csv.DictReader(fh)}


def test_estimates_give_the_2019_envelope_of_returned_people() -> None:
    """In 2019 the sources give 516 (RFE/RL, to May) and 595 (Kylym Shamy, to June)."""
    row = _estimates()["returned-all-zhusan-2019"]
    assert (row["low"], row["high"]) == ("516", "595")
    assert row["sources"].split(";") == ["kylym-shamy-report", "rferl-women-who-came-home"]


def test_estimates_cover_children_women_and_men() -> None:
    """Returned children, women and men each have an envelope with every source's value."""
    rows = _estimates()
    assert (
        rows["returned-children-zhusan-2019"]["low"],
        rows["returned-children-zhusan-2019"]["high"],
    ) == ("357", "406")
    assert (
        rows["returned-women-zhusan-2021"]["low"],
        rows["returned-women-zhusan-2021"]["high"],
    ) == ("157", "187")
    assert rows["returned-men-zhusan-2019"]["values"].startswith("kylym-04: 33")


def test_estimates_api_matches_the_generated_file() -> None:
    """zhusan.estimates() returns the rows of dataset/estimates.csv."""
    assert [e.estimate_id for e in zhusan.estimates()] == list(_estimates())
