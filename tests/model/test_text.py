"""Text as it is compared and shown: collapse, name keys, printable text."""

from __future__ import annotations

import re
import sys
from unittest import mock

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhusan.checks.quotes import foldable
from zhusan.model import text as text_module
from zhusan.model.text import WHITESPACE as SPACES
from zhusan.model.text import collapse, collapsed, name_key, printable

WHITESPACE = st.text(alphabet="ab \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000", max_size=40)


@given(WHITESPACE)
def test_collapse_folds_runs_as_split_and_join_do(text: str) -> None:
    """collapse(text) is " ".join(text.split()), by split or, for long texts, by the regex."""
    expected = " ".join(text.split())
    assert collapse(text) == expected
    with mock.patch.object(text_module, "SPLIT_UP_TO", -1):  # the long texts' way
        assert collapse(text) == expected


@given(WHITESPACE)
def test_foldable_flags_exactly_the_cells_collapse_changes(text: str) -> None:
    """Foldable (polars) is true of a cell exactly when collapse changes it."""
    flagged = pl.DataFrame({"q": [text]}).select(foldable("q")).item()
    assert flagged == (collapse(text) != text)


def test_whitespace_is_every_character_python_counts_as_space() -> None:
    """WHITESPACE lists the characters str.isspace knows, and foldable flags each of them."""
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert spaces == SPACES
    cells = [f"a{c}b" for c in SPACES] + ["a\u200bb", "a\u180eb", "a b"]
    flagged = pl.DataFrame({"q": cells}).select(foldable("q")).to_series().to_list()
    assert flagged == [c != " " for c in SPACES] + [False, False, False]


def test_collapse_folds_every_whitespace_character_the_same_both_ways() -> None:
    """Every character str.isspace knows is folded alike by split and by the regex."""
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    text = "a" + "b".join(spaces) + "c  d" + spaces
    expected = "a" + " b" * (len(spaces) - 1) + " c d"
    assert collapse(text) == expected
    with mock.patch.object(text_module, "SPLIT_UP_TO", -1):
        assert collapse(text) == expected


@given(WHITESPACE)
def test_collapsed_maps_every_character_back_to_its_place(text: str) -> None:
    """Each non-space character of the collapsed text is the character at its offset."""
    flat, where = collapsed(text)
    assert flat == collapse(text)
    for i, ch in enumerate(flat):
        if ch != " ":
            assert text[where[i]] == ch


def test_collapsed_stores_nothing_for_single_spaces() -> None:
    """Millions of words apart by single spaces: no offset is stored (memory stays small)."""
    flat, where = collapsed("19 " * 1_000_000)
    assert flat.count("19") == 1_000_000
    assert len(where._at) == 1 and where[2_999_997] == 2_999_997


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("evil\nVALID", "evil\\nVALID"),
        ("\r\t", "\\r\\t"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b31m", "\\x9b31m"),
        ("a\u202eb\u2066c", "a\\u202eb\\u2066c"),
        ("x\u2028y", "x\\u2028y"),
        ("\udcff", "\\udcff"),
        ("Aqtau é 中 \\n", "Aqtau é 中 \\n"),
    ],
)
def test_printable_escapes_what_could_add_a_line_or_move_the_cursor(text: str, shown: str) -> None:
    """Line breaks, ESC, C1 controls, bidi overrides and lone surrogates become escapes."""
    assert printable(text) == shown


@given(st.text())
def test_printable_text_is_one_line_without_control_characters(text: str) -> None:
    """Whatever the text, its printable form has no line break and no control character."""
    out = printable(text)
    assert len(out.splitlines()) <= 1
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", out)
    out.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Aqtau", "Ａｑｔａｕ"),  # full-width forms
        ("Café", "Cafe\u0301"),  # composed and decomposed
        ("Al-Hol", "Al\u200d-Hol"),  # a zero-width joiner
        ("Al-Hol", "Al-\u00adHol"),  # a soft hyphen
        ("Aqtau", "\u0410qtau"),  # Cyrillic capital A
        ("Kazakhstan", "Kаzаkhstаn"),  # Cyrillic small a
        ("Astana", "\u0391stana"),  # Greek capital alpha
        ("AKTAU", "aktau"),
        ("al  Hol", "al Hol"),
    ],
)
def test_spellings_that_look_the_same_have_one_key(a: str, b: str) -> None:
    """NFKC, invisible characters removed, homoglyphs folded, case folded: one name."""
    assert a != b and name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [("Aktau", "Aqtau"), ("Almaty", "Astana"), ("Иван", "Ivan")])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    """Names that differ in a letter stay apart."""
    assert name_key(a) != name_key(b)
