"""What the second reading fixed stays fixed.

Prose quotes the documents verbatim, explanations say what they rest on, notes agree with their
rows, and the v2 columns are filled where they apply.
"""

from __future__ import annotations

import re

import pytest

import zhusan
from zhusan.files.descriptor import bundled_root
from zhusan.model.fields import FLOW_MEASURES, JUSTICE_MEASURES
from zhusan.model.text import collapse

DATA = zhusan.load()
TEXT = " ".join(
    collapse((bundled_root() / s.path).read_text(encoding="utf-8")) for s in DATA.sources
)
#: A passage in single quotes: the quote mark is not inside a word (Weine's, RFE/RL's).
QUOTED = re.compile(r"(?<!\w)'(.+?)'(?!\w)")
LABELS = ("Stated:", "Inferred:", "Outside the documents:")


def _prose() -> list[tuple[str, str]]:
    """(where, text) of every free-text cell that may quote a document."""
    out = [(f"discrepancies {d.discrepancy_id}", d.explanation) for d in DATA.discrepancies]
    out += [(f"definitions {d.definition_id}", d.meaning) for d in DATA.definitions]
    out += [(f"figure_links {x.link_id}", x.note) for x in DATA.figure_links]
    for table in ("figures", "events", "organizations", "places", "people"):
        key = zhusan.TABLES[table].primary_key
        out += [(f"{table} {getattr(r, key)}", r.note or "") for r in getattr(DATA, table)]
    for s in DATA.sources:
        out += [(f"sources {s.source_id} {c}", getattr(s, c) or "") for c in
                ("published_note", "interest_note", "note")]  # fmt: skip
    return out


def unquoted(text: str) -> list[str]:
    """The single-quoted passages of ``text`` that no document contains ('...' elides)."""
    bad = []
    for m in QUOTED.finditer(text):
        parts = [p.strip(" ,.") for p in m.group(1).split("...")]
        if not all(p in TEXT for p in parts if p):
            bad.append(m.group(1))
    return bad


def test_every_quoted_passage_of_the_prose_is_in_a_document() -> None:
    """A note, explanation or meaning that quotes a document quotes it verbatim."""
    bad = [(where, q) for where, text in _prose() for q in unquoted(text)]
    assert bad == []


def test_a_misquote_is_found() -> None:
    """A passage the documents do not contain is reported; one they contain is not."""
    assert unquoted("it says 'Nearly 600 women' and 'about 601 women'") == ["about 601 women"]
    assert unquoted("RFE/RL's count, 'The third and final round' ... ") == []


@pytest.mark.parametrize("d", DATA.discrepancies, ids=lambda d: d.discrepancy_id)
def test_every_explanation_says_what_it_rests_on(d: zhusan.Discrepancy) -> None:
    """Stated facts, inferences and outside knowledge are labelled, and basis is the weakest."""
    text = d.explanation
    assert text.startswith("Stated:"), d.discrepancy_id
    has = {label: label in text for label in LABELS}
    want = {
        "stated": {"Inferred:": False, "Outside the documents:": False},
        "inferred": {"Inferred:": True, "Outside the documents:": False},
        "outside_knowledge": {"Outside the documents:": True},
    }[d.basis]
    assert {k: has[k] for k in want} == want, d.discrepancy_id


def test_notes_that_name_a_figure_link_have_it() -> None:
    """A note saying '(figure_links: R)' has a link of relation R from or to its figure."""
    links = {(x.figure_id, x.relation) for x in DATA.figure_links}
    links |= {(x.other_figure_id, x.relation) for x in DATA.figure_links}
    for f in DATA.figures:
        for relation in re.findall(r"figure_links: (\w+)", f.note or ""):
            assert (f.figure_id, relation) in links, (f.figure_id, relation)


def test_notes_name_only_figures_that_exist() -> None:
    """Every figure id a note names is a figure."""
    ids = {f.figure_id for f in DATA.figures}
    named = re.compile(r"\b(?:pitch|amb|wsj|rferl|kylym)-\d{2}\b")
    for where, text in _prose():
        for fid in named.findall(text):
            assert fid in ids, (where, fid)


def test_every_justice_figure_has_its_legal_stage() -> None:
    """Arrested, detained, held accountable, prosecuted, travel-restricted: each a stage."""
    stages = {f.figure_id: f.legal_stage for f in DATA.figures if f.measure in JUSTICE_MEASURES}
    assert stages == {
        "rferl-08": "detained",
        "rferl-17": "arrested",
        "rferl-18": "arrested",
        "kylym-08": "held_accountable",
        "kylym-09": "held_accountable",
        "kylym-10": "held_accountable",
        "kylym-11": "travel_restricted",
        "wsj-15": "prosecuted",
    }


def test_flows_have_origins_and_destinations_not_places() -> None:
    """Returns name where people came from and went, where the source says; no place_id."""
    flows = [f for f in DATA.figures if f.measure in FLOW_MEASURES]
    assert flows and all(f.place_id is None for f in flows)
    from_syria = {f.figure_id for f in flows if f.origin_place_id == "syria"}
    assert {"rferl-10", "kylym-03", "kylym-13"} <= from_syria
    assert {"wsj-12", "pitch-08"}.isdisjoint(from_syria)  # they name no origin


def test_the_lower_bound_total_has_no_exact_part() -> None:
    """'At least 27 people, including five women': the five are at least five too."""
    by_id = {f.figure_id: f for f in DATA.figures}
    assert by_id["rferl-17"].qualifier == "at_least"
    assert by_id["rferl-18"].qualifier == "at_least"
    for f in DATA.figures:
        parent = by_id.get(f.parent_id or "")
        if parent is not None and parent.qualifier in ("at_least", "more_than", "over"):
            assert f.qualifier != "exact", f.figure_id


def test_rounds_and_stages_are_events_under_the_operation() -> None:
    """RFE/RL's three rounds and the Kylym Shamy report's four stages hang under Zhusan."""
    children = [e for e in DATA.events if e.parent_id == "operation-zhusan"]
    kinds = [e.kind for e in children]
    assert kinds.count("repatriation_round") == 3
    assert kinds.count("repatriation_stage") == 4


def test_no_two_events_are_one_return() -> None:
    """Tajikistan's and Uzbekistan's returns are one event each, attested by both sources."""
    for event_id in ("tajikistan-repatriation", "uzbekistan-repatriation"):
        sources = {m.source_id for m in DATA.mentions if m.event_id == event_id}
        assert sources == {"rferl-women-who-came-home", "kylym-shamy-report"}, event_id
    ids = {e.event_id for e in DATA.events}
    assert {"tajikistan-children-return", "caliphate-collapse"}.isdisjoint(ids)


def test_stated_hierarchies_are_recorded() -> None:
    """A service under its broadcaster, a centre under its foundation and university."""
    parents = {o.organization_id: o.parent_id for o in DATA.organizations}
    assert parents["rferl-kazakh-service"] == "rferl"
    assert parents["chance-centre"] == "pravo"
    assert parents["center-for-global-health-university-of-illinois"] == "university-of-illinois"


def test_then_is_at_the_time() -> None:
    """'then-Deputy Foreign Minister' is a role at the time, not a former one."""
    role = next(r for r in DATA.roles if "then-" in r.quote)
    assert role.tense == "at_the_time"


def test_every_source_says_whom_it_speaks_for() -> None:
    """Lobbying material names its principal; undated sources give what bounds they can."""
    by_id = {s.source_id: s for s in DATA.sources}
    assert by_id["mercury-media-pitch"].interest == "agent_of_party"
    assert by_id["kazykhanov-op-ed"].interest == "party"
    assert {s.source_id for s in DATA.sources if s.interest == "independent"} == {
        "wsj-oneal-op-ed",
        "rferl-women-who-came-home",
        "kylym-shamy-report",
    }
    for s in DATA.sources:
        if s.published_basis != "stated":
            assert s.published_earliest is not None, s.source_id


def test_the_derived_men_follow_from_the_stated_totals() -> None:
    """37 men = 607 - 157 - 413: a derived figure, not a stated one, and said so."""
    f = next(f for f in DATA.figures if f.figure_id == "wsj-22")
    assert (f.derivation, f.value, f.group, f.derived_from) == (
        "derived",
        37,
        "men",
        ["wsj-12", "wsj-13", "wsj-14"],
    )
    assert "not stated" in (f.note or "")


def test_the_numeric_claims_without_digits_are_figures() -> None:
    """'Not a single' child, 'several camps' and 'no other country' are recorded."""
    stated = {(f.source_id, f.stated, f.value) for f in DATA.figures}
    assert ("rferl-women-who-came-home", "Not a single", 0) in stated
    assert ("kylym-shamy-report", "several", None) in stated
    assert ("mercury-media-pitch", "no other", 0) in stated
