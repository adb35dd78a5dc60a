"""Every number in every archived document is a figure, an event's date, or a reasoned ignore.

Numbers are digit runs (with thousands separators, decimals, times and slashed dates), number
words, and the words of a count without a number ("several", "few", "not a single", "no other").
Ordinals (first, second, third) are not numbers here: they order rounds and are events.
A number is covered when it lies inside the ``stated`` span of a figure's quote, inside an event
mention whose event's start or end date carries it, or inside a match of an entry of
``tests/coverage_ignore.json`` (each with its reason).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import zhusan
from zhusan.files.descriptor import bundled_root
from zhusan.model.text import collapse

WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundreds?|thousands?|millions?|billions?|dozens?|half|several|few|not a single|no other"
)
NUMBER = re.compile(rf"\d+(?:[,.:/]\d+)*|\b(?:{WORDS})\b", re.IGNORECASE)
IGNORE = json.loads((Path(__file__).parent / "coverage_ignore.json").read_text(encoding="utf-8"))
DATA = zhusan.load()
Span = tuple[int, int]


def _spans(hay: str, needle: str) -> list[Span]:
    out, i = [], hay.find(needle)
    while i >= 0 and needle:
        out.append((i, i + len(needle)))
        i = hay.find(needle, i + 1)
    return out


def covered_spans(source_id: str, text: str) -> list[Span]:
    """Spans of ``text`` that figures, dated event mentions and ignore entries account for."""
    spans: list[Span] = []
    for f in DATA.figures:
        if f.source_id != source_id:
            continue
        for start, _ in _spans(text, collapse(f.quote)):
            spans += [(start + a, start + b) for a, b in _spans(collapse(f.quote), f.stated)]
    dates = {
        e.event_id: {int(p) for d in (e.start, e.end) if d for p in d.split("-")}
        for e in DATA.events
    }
    for m in DATA.mentions:
        if m.source_id != source_id or m.event_id is None:
            continue
        for start, end in _spans(text, collapse(m.quote)):
            for tok in NUMBER.finditer(text, start, end):
                parts = re.split(r"[,.:/]", tok.group())
                if all(p.isdigit() and int(p) in dates[m.event_id] for p in parts):
                    spans.append(tok.span())
    for entry in IGNORE:
        if entry["source_id"] == source_id:
            spans += [m.span() for m in re.finditer(entry["pattern"], text)]
    return spans


def uncovered(source_id: str, text: str) -> list[str]:
    """Each number of ``text`` that nothing covers, with its context."""
    spans = covered_spans(source_id, text)
    out = []
    for tok in NUMBER.finditer(text):
        a, b = tok.span()
        if not any(x <= a and b <= y for x, y in spans):
            out.append(f"{tok.group()!r} in …{text[max(0, a - 40) : b + 25]}…")
    return out


@pytest.mark.parametrize("source", DATA.sources, ids=lambda s: s.source_id)
def test_every_number_is_covered(source: zhusan.Source) -> None:
    """No number of the document is missing from the package."""
    text = collapse((bundled_root() / source.path).read_text(encoding="utf-8"))
    missing = uncovered(source.source_id, text)
    assert not missing, f"{len(missing)} numbers of {source.source_id} not covered:\n" + "\n".join(
        missing
    )


def test_an_unrecorded_number_is_named() -> None:
    """A number the package does not record fails, quoting where it stands."""
    source = DATA.sources[0]
    text = collapse((bundled_root() / source.path).read_text(encoding="utf-8"))
    missing = uncovered(source.source_id, text + " Exactly 4321 camels went home.")
    assert len(missing) == 1
    assert missing[0].startswith("'4321' in …") and "4321 camels" in missing[0]


@pytest.mark.parametrize("entry", IGNORE, ids=lambda e: e["pattern"][:30])
def test_every_ignore_entry_matches_and_has_a_reason(entry: dict[str, str]) -> None:
    """An ignore entry that matches nothing, or gives no reason, is stale."""
    source = next(s for s in DATA.sources if s.source_id == entry["source_id"])
    text = collapse((bundled_root() / source.path).read_text(encoding="utf-8"))
    assert re.search(entry["pattern"], text), entry
    assert len(entry["reason"].split()) >= 2, entry


def test_counts_without_a_number_are_numbers_too() -> None:
    """'several', 'not a single', 'no other' and 'few' must be recorded like digits."""
    source = DATA.sources[0]
    text = collapse((bundled_root() / source.path).read_text(encoding="utf-8"))
    extra = " Not a single camel, several goats, a few sheep; no other animal came."
    missing = uncovered(source.source_id, text + extra)
    assert [m.split(" in ")[0] for m in missing] == [
        "'Not a single'",
        "'several'",
        "'few'",
        "'no other'",
    ]
