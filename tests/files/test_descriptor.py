"""The descriptor's JSON: numbers a JSON reader elsewhere could not hold are refused."""

from __future__ import annotations

import pytest

from zhusan.files.descriptor import MAX_INTEGER_DIGITS, parse_json


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n"a": NaN}', "line 2: NaN (not JSON: numbers must be finite) is refused"),
        ('{"a": [1,\n\n-Infinity]}', "line 3: -Infinity (not JSON: numbers must be finite)"),
        ('{"a": 1e400}', "line 1: the number 1e400 (too large to be finite) is refused"),
        ('{"s": "' + "9" * 30 + '",\n"a": ' + "9" * 30 + "}", "line 2: an integer of 30 digits"),
    ],
)
def test_refused_numbers_name_their_line(text: str, message: str) -> None:
    """NaN, Infinity, 1e400 and long integers: ValueError naming the line (strings skipped)."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_json(text)


def test_numbers_a_descriptor_holds_are_read() -> None:
    """Byte counts, decimals and the longest integer allowed are read as numbers."""
    big = int("9" * MAX_INTEGER_DIGITS)
    assert parse_json(f'{{"bytes": {big}, "x": -0.5e3, "s": "NaN"}}') == {
        "bytes": big,
        "x": -500.0,
        "s": "NaN",
    }
