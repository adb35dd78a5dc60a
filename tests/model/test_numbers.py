"""The number a figure's stated words write, and the rule holding its value to them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.model.test_models import FIGURE
from zhusan.model.numbers import VALUE_NOTE, read_number, stated_value
from zhusan.model.rules import Misstated
from zhusan.model.tables import Figure


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("80", "80"),
        ("40,000", "40000"),
        ("1,234.5", "1234.5"),
        ("12.5", "12.5"),
        ("40\u202f000", "40000"),
        ("80%", "80"),
        ("one", "1"),
        ("One", "1"),
        ("Thirty-seven", "37"),
        ("twenty five", "25"),
        ("one hundred and five", "105"),
        ("two thousand five hundred", "2500"),
        ("18 million", "18000000"),
        ("1.5 million", "1500000"),
        ("75 thousand", "75000"),
        ("half a million", "500000"),
        ("two and a half million", "2500000"),
        ("a dozen", "12"),
        ("two dozen", "24"),
        ("a couple", "2"),
        ("a month", "1"),
        ("a year", "1"),
        ("half", "0.5"),
        ("three quarters", "0.75"),
        ("736-acre", "736"),
        ("zero", "0"),
    ],
)
def test_the_number_written_is_read(text: str, number: str) -> None:
    """Digits, separators, number words, scales and the article each read as one number."""
    assert read_number(text) == Decimal(number)


@pytest.mark.parametrize(
    "text",
    [
        "dozens",
        "Dozens",
        "a few hundred",
        "several",
        "hundreds",
        "Thousands",
        "tens of thousands",
        "one in five",
        "595 and 405",
        "2019 500",
        "40 000",
        "1,2",
        "five twenty",
        "many",
        "",
    ],
)
def test_vague_or_several_numbers_read_as_none(text: str) -> None:
    """Vague words, two numbers and ambiguous separators write no single number."""
    assert read_number(text) is None


def test_a_fraction_word_is_a_percentage_in_percent() -> None:
    """'half' is 50 when the unit is percent, and 0.5 otherwise; '50%' stays 50."""
    assert stated_value("half", "percent") == 50
    assert stated_value("half", "persons") == Decimal("0.5")
    assert stated_value("50%", "percent") == 50


@given(n=st.integers(min_value=0, max_value=10**12))
def test_digits_with_and_without_separators_read_as_themselves(n: int) -> None:
    """Any whole number reads back, written plainly or with thousands separators."""
    assert read_number(str(n)) == n
    assert read_number(f"{n:,}") == n


def _figure(**change: Any) -> dict[str, Any]:
    return {**FIGURE, **change}


def test_a_value_that_contradicts_its_stated_words_is_rejected() -> None:
    """'80' stated with 81 recorded fails, naming both numbers and how to record a reason."""
    row = _figure(quote="about 80 women", stated="80", value=81, qualifier="exact", lower=81,
                  upper=81, bounds="[]")  # fmt: skip
    with pytest.raises(ValidationError) as err:
        Figure.model_validate(row)
    text = str(err.value)
    assert "stated '80' reads 80, but value is 81" in text
    assert VALUE_NOTE in text


@pytest.mark.parametrize(
    ("stated", "value", "unit"),
    [
        ("two dozen", 24, "persons"),
        ("18 million", 18_000_000, "persons"),
        ("Thirty-seven", 37, "persons"),
        ("half", 50, "percent"),
        ("a month", 1, "months"),
        ("40,000", 40_000, "persons"),
    ],
)
def test_a_value_equal_to_its_words_is_accepted(stated: str, value: float, unit: str) -> None:
    """Number words, scales and separators equal to the value pass."""
    row = _figure(quote=f"some {stated} there", stated=stated, value=value, unit=unit,
                  qualifier="exact", lower=value, upper=value, bounds="[]")  # fmt: skip
    assert Figure.model_validate(row).value == value


def test_an_honest_difference_is_accepted_only_with_its_reason_in_the_note() -> None:
    """'a week' counted as 7 days fails bare, and passes once the note says why."""
    row = _figure(quote="for a week", stated="a week", value=7, unit="days",
                  qualifier="exact", lower=7, upper=7, bounds="[]")  # fmt: skip
    with pytest.raises(ValidationError, match="stated 'a week' reads 1, but value is 7"):
        Figure.model_validate(row)
    note = f"{VALUE_NOTE} a week counted in days"
    assert Figure.model_validate({**row, "note": note}).value == 7


def test_words_that_write_no_single_number_need_a_reason_when_a_value_is_given() -> None:
    """A value beside words that read no number ('one in five' as 20 %) needs its note."""
    row = _figure(quote="one in five children", stated="one in five", value=20,
                  unit="percent", qualifier="exact", lower=20, upper=20, bounds="[]")  # fmt: skip
    with pytest.raises(ValidationError, match="reads no single number, but value is 20"):
        Figure.model_validate(row)
    assert Figure.model_validate({**row, "note": f"{VALUE_NOTE} one in five"}).value == 20


def test_a_vague_figure_without_a_value_is_not_held_to_its_words() -> None:
    """'dozens' with no value passes: there is no number to compare."""
    row = _figure(quote="dozens of women", stated="dozens", value=None, qualifier="dozens",
                  lower=24, upper=100, bounds="[)")  # fmt: skip
    assert Figure.model_validate(row).value is None


def test_the_polars_flag_reads_words_and_digits_like_python() -> None:
    """The column-wise flag is true exactly where the row rule is broken, for each kind."""
    cases = [
        ("80", "80", "persons", "", False),
        ("80", "81", "persons", "", True),
        ("40,000", "40000", "persons", "", False),
        ("two dozen", "24", "persons", "", False),
        ("two dozen", "25", "persons", "", True),
        ("half", "50", "percent", "", False),
        ("one in five", "20", "percent", "", True),
        ("dozens", "", "persons", "", False),
    ]
    frame = pl.DataFrame(
        [{"stated": s, "value": v, "unit": u, "note": n} for s, v, u, n, _ in cases]
    )
    flags = frame.select(Misstated("stated", "value", "unit", "note").flag()).to_series()
    assert flags.to_list() == [c[4] for c in cases]


@pytest.mark.parametrize("words", ["Not a single", "no other", "none", "not one", "No one"])
def test_words_that_state_none_read_zero(words: str) -> None:
    """Words that state none ("not a single child", "no other country") read as zero."""
    assert read_number(words) == 0


def test_a_derived_figure_is_not_held_to_its_stated_words() -> None:
    """A derived figure writes arithmetic in stated; the derived-value check holds its value."""
    from zhusan.model.tables import Figure

    rules = {r.name: r for r in Figure.__row_rules__}
    blank = dict.fromkeys(Figure.model_fields)
    cells = {"stated": "607 - 157 - 413", "value": 37.0, "unit": "persons"}
    row = Figure.model_construct(**(blank | cells | {"derivation": "derived"}))
    assert rules["stated-is-value"].error(row) is None
    stated = Figure.model_construct(**(blank | cells | {"derivation": "stated"}))
    assert rules["stated-is-value"].error(stated) is not None


@pytest.mark.parametrize("text", ["²", "①", "½", "³⁄₄"])
def test_a_digit_that_is_not_a_decimal_digit_reads_as_no_number(text: str) -> None:
    """Superscripts, circled numbers and vulgar fractions are not read (they crashed Decimal)."""
    assert read_number(text) is None
    assert stated_value(text, "persons") is None
