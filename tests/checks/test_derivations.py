"""A derived figure's value is recomputed from its inputs; a wrong one fails validation."""

from __future__ import annotations

from pathlib import Path

import pytest

import zhusan
from tests.conftest import edit_cell, refresh_hashes
from zhusan.checks.derivations import NotArithmetic, evaluate


def _problems(pkg: Path, code: str) -> list[zhusan.Problem]:
    return [p for p in zhusan.validate(pkg).problems if p.code == code]


def test_the_bundled_derived_figure_follows_from_its_inputs() -> None:
    """wsj-22 is 607 - 157 - 413 = 37 from wsj-12, wsj-13 and wsj-14, and validates."""
    (f,) = [f for f in zhusan.load().figures if f.derivation == "derived"]
    assert (f.figure_id, f.stated, f.value) == ("wsj-22", "607 - 157 - 413", 37)
    assert f.derived_from == ["wsj-12", "wsj-13", "wsj-14"]


def test_a_derived_value_that_does_not_follow_fails(pkg: Path) -> None:
    """Changing 37 to 38 (and its interval) is a derived-value problem naming the arithmetic."""
    for field in ("value", "lower", "upper"):
        row = edit_cell(pkg, "figures", "wsj-22", field, "38")
    refresh_hashes(pkg)
    (p,) = _problems(pkg, "derived-value")
    assert (p.table, p.row, p.field) == ("figures", row, "value")
    assert p.message == "value 38 does not follow from its inputs: 607 - 157 - 413 = 37"


def test_an_input_whose_value_is_not_the_one_written_fails(pkg: Path) -> None:
    """The arithmetic must use the inputs' values, in the order of derived_from."""
    edit_cell(pkg, "figures", "wsj-22", "derived_from", "wsj-12;wsj-14;wsj-13")
    refresh_hashes(pkg)
    messages = {p.message for p in _problems(pkg, "derived-value")}
    assert messages == {
        "input wsj-14 has value 413, not 157",
        "input wsj-13 has value 157, not 413",
    }


def test_an_input_of_another_source_fails(pkg: Path) -> None:
    """A derived figure is worked out from figures of its own source."""
    edit_cell(pkg, "figures", "wsj-22", "derived_from", "kylym-03;wsj-13;wsj-14")
    refresh_hashes(pkg)
    messages = [p.message for p in _problems(pkg, "derived-value")]
    assert "input kylym-03 is from source kylym-shamy-report, not wsj-oneal-op-ed" in messages


def test_arithmetic_that_names_too_few_inputs_fails(pkg: Path) -> None:
    """The numbers of the arithmetic and the figures of derived_from are as many."""
    edit_cell(pkg, "figures", "wsj-22", "derived_from", "wsj-12;wsj-13")
    refresh_hashes(pkg)
    (p,) = _problems(pkg, "derived-value")
    assert "has 3 numbers but derived_from names 2 figures" in p.message


def test_an_unknown_input_is_a_foreign_key_problem(pkg: Path) -> None:
    """Each item of derived_from must name a figure; the list is checked item by item."""
    row = edit_cell(pkg, "figures", "wsj-22", "derived_from", "wsj-12;wsj-99;wsj-14")
    refresh_hashes(pkg)
    (p,) = _problems(pkg, "foreign-key")
    assert (p.row, p.field, p.value) == (row, "derived_from", "wsj-99")
    assert p.message == "'wsj-99' is not a figure_id in figures"
    assert _problems(pkg, "derived-value") == []


def test_an_exact_result_of_hedged_inputs_fails(pkg: Path) -> None:
    """A value worked out from a hedged number cannot be exact."""
    for field, value in (("qualifier", "about"), ("lower", "371.7"), ("upper", "454.3")):
        edit_cell(pkg, "figures", "wsj-14", field, value)
    refresh_hashes(pkg)
    messages = [p.message for p in _problems(pkg, "derived-value")]
    assert messages == ["qualifier exact, but input wsj-14 is hedged (about)"]


@pytest.mark.parametrize(
    ("text", "result", "operands"),
    [
        ("607 - 157 - 413", 37, [607, 157, 413]),
        ("607 − 157 − 413", 37, [607, 157, 413]),
        ("(33 + 12) * 2", 90, [33, 12, 2]),
        ("1,000 / 4", 250, [1000, 4]),
    ],
)
def test_arithmetic_is_read_in_the_order_written(
    text: str, result: float, operands: list[float]
) -> None:
    """+ - * / and parentheses, a typographic minus and thousands separators are read."""
    assert evaluate(text) == (result, operands)


@pytest.mark.parametrize("text", ["thirty-seven", "607 - x", "2 ** 3", "1 / 0", "True + 1", ""])
def test_anything_but_arithmetic_is_refused(text: str) -> None:
    """Words, names, powers, division by zero and booleans are not arithmetic."""
    with pytest.raises(NotArithmetic):
        evaluate(text)
