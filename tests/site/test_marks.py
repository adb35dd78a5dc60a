"""A document that repeats a quote endlessly makes a page of its size, not a tag per repeat."""

from __future__ import annotations

from zhusan import load
from zhusan.web.text import MAX_MARKS, marked, occurrences, spans

FIGURE = next(f for f in load().figures if f.figure_id == "wsj-01")


def test_a_quote_is_marked_at_its_first_places_only() -> None:
    """100,000 repeats of a quote: MAX_MARKS marks of it (and of its number), all counted."""
    text = (FIGURE.quote + "\n  ") * 100_000
    found = spans(text, [FIGURE])
    assert len([s for s in found if s.rank == 0]) == MAX_MARKS
    assert len([s for s in found if s.rank == 1]) == MAX_MARKS
    assert occurrences(text, [FIGURE]) == {"wsj-01": 100_000}
    page = marked(text, found)
    assert page.count("<mark") == MAX_MARKS and page.count("<b ") == MAX_MARKS
