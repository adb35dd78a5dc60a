"""The models accept exactly the rows the data dictionary describes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from zhusan.model.tables import Event, Figure, Mention

FIGURE: dict[str, Any] = {
    "figure_id": "x-01",
    "source_id": "s",
    "quote": "Nearly 600 women",
    "stated": "600",
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
