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
