"""The report site shows the v2 columns: whose number it is, legal stage, flow, derivation."""

from __future__ import annotations

import html

import zhusan
from zhusan.files.descriptor import bundled_root
from zhusan.web.pages import build_site
from zhusan.web.text import what, whose, words

DATA = zhusan.load()
BY_ID = {f.figure_id: f for f in DATA.figures}


def test_a_figure_says_whose_number_it_is() -> None:
    """Own, official without a name, a named ministry, an unnamed academic."""
    assert whose(BY_ID["wsj-12"]) == "own"
    assert whose(BY_ID["rferl-10"]) == "official, unnamed"
    assert whose(BY_ID["kylym-03"]) == "named: kz-mfa"
    assert whose(BY_ID["pitch-03"]) == "unnamed"


def test_what_is_counted_names_the_legal_stage_and_the_flow() -> None:
    """Held accountable is a stage; the 595 came from Syria to Kazakhstan."""
    assert what(BY_ID["kylym-08"]).endswith("held accountable")
    assert what(BY_ID["kylym-03"]) == "returned · all · zhusan · syria → kazakhstan"
    assert what(BY_ID["wsj-12"]).endswith("? → kazakhstan")


def test_a_derived_figure_shows_its_arithmetic() -> None:
    """The 37 men the WSJ implies read as arithmetic, marked derived."""
    assert words(BY_ID["wsj-22"]) == "607 - 157 - 413 = 37 (derived)"


def test_the_pages_carry_the_new_columns() -> None:
    """The figures table has a 'whose' column; each source card says whom it speaks for."""
    files = build_site(DATA, bundled_root())
    figures = html.unescape(files["figures.html"].decode("utf-8"))
    assert '<button type="button">whose</button>' in figures
    assert "named: kz-mfa" in figures and "607 - 157 - 413 = 37 (derived)" in figures
    index = html.unescape(files["index.html"].decode("utf-8"))
    assert "agent of party (kz-ministry-of-justice)" in index
