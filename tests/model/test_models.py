"""The models accept exactly the rows the data dictionary describes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from zhusan.model.tables import Event, Figure, FigureLink, Mention, Source

FIGURE: dict[str, Any] = {
    "figure_id": "x-01",
    "source_id": "s",
    "quote": "Nearly 600 women",
    "stated": "600",
    "derivation": "stated",
    "value": 600,
    "unit": "persons",
    "qualifier": "nearly",
    "lower": 570,
    "upper": 600,
    "bounds": "[)",
    "measure": "in-programme",
    "group": "women",
    "scope": "zhusan",
    "date_basis": "unknown",
    "attribution": "own",
}


@pytest.mark.parametrize("date", ["2019", "2019-06", "2019-06-17", "2020-02-29"])
def test_partial_dates_are_accepted(date: str) -> None:
    """YYYY, YYYY-MM and YYYY-MM-DD with real months and days are valid."""
    assert Event(event_id="e", name="n", kind="other", start=date).start == date


@pytest.mark.parametrize(
    "date", ["19", "2019-6", "2019-13", "2019-06-31", "2019-02-29", "June 2019", "2019/06", ""]
)
def test_other_dates_are_rejected(date: str) -> None:
    """Anything else, including impossible days, is rejected."""
    with pytest.raises(ValidationError):
        Event(event_id="e", name="n", kind="other", start=date)


def test_end_before_start_is_rejected() -> None:
    """An event cannot end before it starts."""
    with pytest.raises(ValidationError, match="start 2019-06 is after end 2019-05"):
        Event(event_id="e", name="n", kind="other", start="2019-06", end="2019-05")


def test_valid_figure_is_accepted() -> None:
    """The reference figure row is valid."""
    assert Figure.model_validate(FIGURE).value == 600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"figure_id": "X 01"}, "String should match pattern"),
        ({"value": -1}, "greater than or equal to 0"),
        ({"unit": "percent", "value": 120, "upper": 120, "lower": 120}, "0 to 100"),
        ({"lower": 601}, "lower 601 is above upper 600"),
        ({"stated": "599"}, "stated '599' does not occur in the quote"),
        ({"qualifier": "approximately-ish"}, "Input should be"),
        ({"parent_id": "x-00"}, "set together"),
        ({"as_of": "2019-05", "period_start": "2019-06"}, "period_start is after as_of"),
        ({"surprise": 1}, "Extra inputs are not permitted"),
        ({"derivation": "derived"}, "names the figures it is computed from"),
        ({"derived_from": ["x-00"]}, "a stated figure has no derived_from"),
        ({"measure": "arrested"}, r"justice system \(arrested\) needs a legal_stage"),
        ({"measure": "returned", "place_id": "syria"}, r"a flow \(returned\) takes origin"),
        ({"attribution": "named"}, "a named attribution needs speaker_id or speaker_org_id"),
        ({"speaker_id": "someone"}, "for a named attribution, not own"),
        ({"legal_stage": "jailed"}, "Input should be 'detained'"),
    ],
)
def test_broken_figures_are_rejected(change: dict[str, Any], message: str) -> None:
    """Each broken field or cross-field rule is rejected with a message that says why."""
    with pytest.raises(ValidationError, match=message):
        Figure.model_validate({**FIGURE, **change})


def test_mention_names_exactly_one_entity() -> None:
    """A mention attests one event, person, organisation or place, not none or two."""
    with pytest.raises(ValidationError, match="exactly one"):
        Mention(mention_id="m", source_id="s", quote="q")
    with pytest.raises(ValidationError, match="exactly one"):
        Mention(mention_id="m", source_id="s", quote="q", person_id="a", place_id="b")


def test_a_derived_figure_need_not_quote_its_arithmetic() -> None:
    """A derived figure's stated is its arithmetic, which the quote does not contain."""
    derived = {**FIGURE, "stated": "600 - 0", "derivation": "derived", "derived_from": ["x-00"]}
    assert Figure.model_validate(derived).derived_from == ["x-00"]


@pytest.mark.parametrize("measure", ["arrested", "prosecuted", "held-accountable"])
def test_a_justice_figure_with_its_stage_is_accepted(measure: str) -> None:
    """A count of people in the justice system is valid once it names its legal stage."""
    row = {**FIGURE, "measure": measure, "legal_stage": "arrested"}
    assert Figure.model_validate(row).legal_stage == "arrested"


SOURCE: dict[str, Any] = {
    "source_id": "s",
    "title": "t",
    "kind": "op_ed",
    "published": "2021",
    "published_basis": "inferred",
    "path": "seeds/s.txt",
    "sha256": "0" * 64,
    "archived_as": "s.txt",
    "language": "en",
    "interest": "party",
    "interest_org_id": "gov",
    "interest_note": "n",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"published_earliest": "2021-03", "published_latest": "2021-02"},
            "is after published_latest",
        ),
        ({"published_earliest": "2022"}, "published 2021 is before published_earliest 2022"),
        ({"published_latest": "2020-12-31"}, "published 2021 is after published_latest 2020-12-31"),
        ({"interest_org_id": None}, "interest party names its party in interest_org_id"),
        ({"interest": "independent"}, "interest independent has no interest_org_id"),
        ({"interest": "lobbyist"}, "Input should be 'party'"),
    ],
)
def test_broken_sources_are_rejected(change: dict[str, Any], message: str) -> None:
    """Publication bounds must hold the date; a party or agent names the party it speaks for."""
    Source.model_validate(SOURCE)
    with pytest.raises(ValidationError, match=message):
        Source.model_validate({**SOURCE, **change})


def test_a_figure_cannot_be_linked_to_itself() -> None:
    """A figure link joins two different figures."""
    link = {"link_id": "l", "figure_id": "a", "relation": "repeats", "basis": "stated", "note": "n"}
    assert FigureLink.model_validate({**link, "other_figure_id": "b"}).relation == "repeats"
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        FigureLink.model_validate({**link, "other_figure_id": "a"})
