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


def test_estimates_separate_growth_from_disagreement() -> None:
    """516 (to May 2019), 595 (to June 2019) and 607 (June 2021) are three times, chained."""
    rows = _estimates()
    may, june, later = (
        rows[f"returned-all-zhusan-{t}"] for t in ("2019-05", "2019-06", "2021-06-10")
    )
    assert (may["low"], may["high"], may["sources"]) == ("516", "516", "rferl-women-who-came-home")
    assert (june["low"], june["high"], june["sources"]) == ("595", "595", "kylym-shamy-report")
    assert (later["low"], later["high"]) == ("607", "607")
    assert june["previous_estimate_id"] == may["estimate_id"]
    assert later["previous_estimate_id"] == june["estimate_id"]
    assert not any(r["low"] == "516" and r["high"] == "595" for r in rows.values())


def test_estimates_give_the_disagreement_at_one_time() -> None:
    """In 2021 the ambassador says 187 repatriated women, the WSJ 157: one time, two sources."""
    row = _estimates()["returned-women-zhusan-2021"]
    assert (row["low"], row["high"], row["bounds"], row["same_time"]) == (
        "157",
        "187",
        "[]",
        "true",
    )
    assert row["sources"].split(";") == ["kazykhanov-op-ed", "wsj-oneal-op-ed"]
    assert row["previous_estimate_id"] == "returned-women-zhusan-2019-06"


def test_estimates_also_give_the_range_of_independent_sources() -> None:
    """Without the ambassador's op-ed (a party), 2021's women are the WSJ's 157 alone."""
    row = _estimates()["returned-women-zhusan-2021"]
    assert (row["independent_low"], row["independent_high"], row["independent_bounds"]) == (
        "157",
        "157",
        "[]",
    )
    assert row["independent_sources"] == "wsj-oneal-op-ed"
    lobbying = _estimates()["in-programme-women-and-children-zhusan-undated"]
    assert lobbying["independent_sources"] == "" and lobbying["independent_low"] == ""


def test_estimates_keep_open_and_closed_bounds() -> None:
    """'At least 27' keeps its closed low end; 'more than 400' its open one; both unbounded."""
    rows = _estimates()
    arrested = rows["stage-arrested-all-zhusan-2019"]
    assert (arrested["low"], arrested["high"], arrested["bounds"]) == ("27", "", "[)")
    children = rows["in-programme-children-zhusan-undated"]
    assert (children["low"], children["high"], children["bounds"]) == ("400", "", "()")


def test_prosecution_is_pooled_by_legal_stage() -> None:
    """Counts of people in the justice system are rows by legal stage, not by measure."""
    rows = _estimates().values()
    stages = {r["legal_stage"] for r in rows if r["legal_stage"]}
    assert stages == {"arrested", "detained", "held_accountable", "prosecuted", "travel_restricted"}
    assert not any(r["measure"] in ("arrested", "prosecuted", "held-accountable") for r in rows)
    men = [r for r in rows if r["legal_stage"] and r["group"] == "men"]
    assert [(r["legal_stage"], r["low"]) for r in men] == [
        ("held_accountable", "33"),
        ("prosecuted", "37"),
    ]


def test_a_vague_figure_summarised_by_a_number_is_left_out() -> None:
    """RFE/RL's 'hundreds' returned is left out beside its 516, and says why."""
    row = _estimates()["returned-all-zhusan-2019-05"]
    assert row["left_out"] == "rferl-04 (vague: the source gives a number)"


def test_estimates_api_matches_the_generated_file() -> None:
    """zhusan.estimates() returns the rows of dataset/estimates.csv."""
    assert [e.estimate_id for e in zhusan.estimates()] == list(_estimates())
