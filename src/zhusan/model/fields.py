"""Field types shared by the table models: slugs, partial dates, vocabularies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from zhusan.model.dates import PARTIAL_DATE_PATTERN, check_partial_date

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=120)]
PartialDate = Annotated[
    str, Field(pattern=PARTIAL_DATE_PATTERN), AfterValidator(check_partial_date)
]
Text = Annotated[str, Field(min_length=1)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
SeedPath = Annotated[str, Field(pattern=r"^seeds/[A-Za-z0-9._-]+$")]
ListItem = Annotated[str, Field(min_length=1, pattern=r"^[^;]+$")]

SourceKind = Literal["news_article", "op_ed", "ngo_report", "media_pitch"]
DateBasis = Literal["stated", "publication", "inferred", "unknown"]
Unit = Literal[
    "persons",
    "families",
    "percent",
    "usd",
    "acres",
    "degrees_celsius",
    "years",
    "months",
    "weeks",
    "days",
    "centres",
    "countries",
    "rounds",
    "stages",
    "buildings",
    "shops",
    "minutes",
    "organizations",
    "attacks",
    "types",
    "camps",
]
Qualifier = Literal[
    "exact",
    "about",
    "roughly",
    "some",
    "nearly",
    "almost",
    "more_than",
    "over",
    "exceeds",
    "at_least",
    "up_to",
    "less_than",
    "dozens",
    "hundreds",
    "thousands",
    "few_hundred",
    "several",
]
Group = Literal[
    "all",
    "men",
    "women",
    "children",
    "women_and_children",
    "orphans",
    "adults",
    "families",
    "fighters",
    "foreigners",
    "other",
]
Bounds = Literal["[]", "[)", "(]", "()"]
EventKind = Literal[
    "operation",
    "repatriation_round",
    "repatriation_stage",
    "stay",
    "attack",
    "violence",
    "statement",
    "video",
    "visit",
    "publication",
    "fara_receipt",
    "interview",
    "announcement",
    "press_conference",
    "speech",
    "birth",
    "marriage",
    "migration",
    "death",
    "return",
    "detention",
    "meeting",
    "other",
]
PersonKind = Literal[
    "official",
    "diplomat",
    "expert",
    "academic",
    "journalist",
    "returnee",
    "politician",
    "head_of_state",
    "military",
    "activist",
    "researcher",
    "lobbyist",
    "critic",
    "other",
]
Naming = Literal["full_name", "first_name_only", "surname_only", "initial_only"]
RoleTense = Literal["current", "former", "at_the_time", "unknown"]
OrganizationKind = Literal[
    "government",
    "ministry",
    "agency",
    "ngo",
    "media",
    "company",
    "law_firm",
    "university",
    "research_centre",
    "international_org",
    "armed_group",
    "terrorist_org",
    "political_office",
    "other",
]
PlaceKind = Literal[
    "country", "city", "region", "camp", "facility", "body_of_water", "desert", "other"
]
DiscrepancyKind = Literal[
    "scope", "timing", "definition", "rounding", "error_in_source", "unexplained"
]
#: Whether a figure's number is printed in the source or worked out from other figures.
Derivation = Literal["stated", "derived"]
#: How far along the justice system a count of people is: in custody awaiting charges, arrested,
#: charged, prosecuted, convicted, "held accountable" (a source's own undefined term), or bound
#: not to leave a place.
LegalStage = Literal[
    "detained",
    "arrested",
    "charged",
    "prosecuted",
    "convicted",
    "held_accountable",
    "travel_restricted",
]
#: Whose number it is: the source's own, official figures without a name ("according to
#: official figures"), a named person or organisation (the speaker columns), or an unnamed
#: person or document not said to be official ("a US academic", "Recent reports").
Attribution = Literal["own", "official_unnamed", "named", "unnamed_other"]
#: Whom a source speaks for: a party to the story, an agent paid by a party, neither, unknown.
Interest = Literal["party", "agent_of_party", "independent", "unknown"]
#: Where a statement of this package comes from: a source states it, the package infers it from
#: the sources, or it rests on knowledge from outside the documents.
Basis = Literal["stated", "inferred", "outside_knowledge"]
#: How two figures relate when one is not a breakdown part or subset of the other.
LinkRelation = Literal[
    "repeats",
    "in_addition_to",
    "superseded_by",
    "vague_form_of",
    "same_count_as",
    "overlaps",
]
#: Whether a document defines a term, fixes what it covers by context, or uses it undefined.
Defined = Literal["defined", "delimited", "not_defined"]

#: Measures that count people in the justice system: each such figure has a legal_stage.
JUSTICE_MEASURES = (
    "arrested",
    "charged",
    "convicted",
    "held-accountable",
    "prosecuted",
    "transferred-to-detention",
    "travel-restricted",
)
#: Measures that count movements between places (flows): they take origin_place_id and
#: destination_place_id; place_id is for where a stock is counted.
FLOW_MEASURES = ("returned", "self-returned", "left-for-syria-iraq")
