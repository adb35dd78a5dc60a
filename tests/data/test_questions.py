"""The questions of docs/questions.md are answered by their queries, run against the data.

Each ``python`` block of the page is run in a fresh process, as a reader would run it, and what
it prints must be the ``text`` block under it (compared word by word, so a change of column
alignment does not matter, a changed number or row does). The answers' key facts are asserted
besides, so the page cannot drift into saying something else.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "questions.md"
PAIR = re.compile(r"```python\n(?P<code>.*?)```\n\n```text\n(?P<out>.*?)```", re.S)
QUESTIONS = [(m["code"], m["out"]) for m in PAIR.finditer(PAGE.read_text(encoding="utf-8"))]


def _run(code: str, tmp: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_page_has_a_query_for_every_question() -> None:
    """Returned in 2019, children, legal stages, lobbying against independent, from Syria."""
    headings = re.findall(r"^## (.+)$", PAGE.read_text(encoding="utf-8"), re.M)
    assert headings == [
        "How many people returned in 2019, by source, and why do the sources differ?",
        "How many children, by source?",
        "How many returnees were prosecuted, by legal stage?",
        "What do the lobbying documents claim, and what do independent sources say?",
        "How many came back from Syria?",
    ]
    assert len(QUESTIONS) == 6


@pytest.mark.parametrize("n", range(len(QUESTIONS)))
def test_every_query_prints_what_the_page_shows(n: int, tmp_path: Path) -> None:
    """The query runs against the bundled data and prints the output the page gives."""
    code, shown = QUESTIONS[n]
    assert _run(code, tmp_path).split() == shown.split()


def test_the_answers_say_what_the_questions_ask() -> None:
    """516 and 595 with their explanation; children by source; stages; interests; Syria."""
    returned, chain, children, stages, lobbying, syria = (out for _, out in QUESTIONS)
    assert "516" in returned and "595" in returned and "disagreement:kylym-03+rferl-10" in returned
    assert "vague_form_of" in returned and "basis inferred" in returned
    assert "after: returned-all-zhusan-2019-05" in chain
    for stated in ("357", "406", "413", "405", "400", "89"):
        assert re.search(rf"\b{stated}\b", children), stated
    for stage in ("detained", "arrested", "prosecuted", "held_accountable", "travel_restricted"):
        assert stage in stages, stage
    assert "convicted" not in stages.split("\n\n")[0]
    assert {"party", "agent_of_party", "independent"} <= set(lobbying.split())
    assert "official_unnamed" in lobbying and "unnamed_other" in lobbying
    assert "kylym-03" in syria and "wsj-12" not in syria
