"""The table models: the single definition of a valid row in every table of the package.

Every field carries a description; the Table Schemas, datapackage.json and the data dictionary are
generated from these classes (``zhusan schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from zhusan.model.fields import (
    FLOW_MEASURES,
    JUSTICE_MEASURES,
    Attribution,
    Basis,
    Bounds,
    CountryCode,
    DateBasis,
    Defined,
    Derivation,
    DiscrepancyKind,
    EventKind,
    Group,
    Interest,
    LegalStage,
    LinkRelation,
    ListItem,
    Naming,
    OrganizationKind,
    PartialDate,
    PersonKind,
    PlaceKind,
    Qualifier,
    RoleTense,
    SeedPath,
    Sha256,
    Slug,
    SourceKind,
    Text,
    Unit,
)
from zhusan.model.numbers import VALUE_NOTE
from zhusan.model.rules import (
    Above,
    Differ,
    Empty,
    Equals,
    Filled,
    In,
    Is,
    Misstated,
    NotOneOf,
    NotWithin,
    Row,
    RowRule,
    Set,
    StartsAfter,
)

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=False, str_strip_whitespace=False)


class Source(Row):
    """One archived document."""

    model_config = _CONFIG
    source_id: Slug = Field(description="Identifier of the source (slug).")
    title: Text = Field(description="Title as printed; a bracketed description where untitled.")
    kind: SourceKind = Field(description="What kind of document it is.")
    publisher: str | None = Field(None, description="Who published or issued the document.")
    publisher_org_id: Slug | None = Field(
        None, description="The publisher as an organisation of the package (empty: not named)."
    )
    authors: list[ListItem] = Field(
        default_factory=list, description="Named authors, in byline order (may be empty)."
    )
    published: PartialDate | None = Field(
        None, description="Publication date as a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD)."
    )
    published_basis: DateBasis = Field(
        description="Whether the date is printed in the document (stated), inferred from its text "
        "(inferred, see published_note) or not known (unknown)."
    )
    published_note: str | None = Field(None, description="How the date was established.")
    published_earliest: PartialDate | None = Field(
        None,
        description="Earliest possible publication date, where the date is not printed "
        "(inferred; the clues are in published_note).",
    )
    published_latest: PartialDate | None = Field(
        None,
        description="Latest possible publication date, where the date is not printed "
        "(inferred; empty: no upper bound can be given).",
    )
    url: str | None = Field(
        None, description="Address of the original, where the document gives it."
    )
    path: SeedPath = Field(description="The archived copy under seeds/.")
    sha256: Sha256 = Field(description="SHA-256 of the archived copy, lowercase hex.")
    archived_as: Text = Field(description="File name under which the copy was received.")
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 language of the text.")
    distributed_by: Slug | None = Field(
        None, description="Organisation that distributed the document (FARA disclosure)."
    )
    on_behalf_of: Slug | None = Field(
        None, description="Organisation on whose behalf it was distributed (FARA disclosure)."
    )
    through: Slug | None = Field(
        None, description="Intermediary named in the disclosure ('through Latham & Watkins')."
    )
    fara_received: PartialDate | None = Field(
        None, description="Date stamped as received by the FARA Registration Unit."
    )
    disclosure_quote: str | None = Field(
        None, description="Verbatim disclosure or receipt statement printed on the document."
    )
    interest: Interest = Field(
        description="Whom the source speaks for: party (a party to the story, e.g. a government "
        "writing about its own programme), agent_of_party (paid or registered to speak for a "
        "party), independent (neither), unknown."
    )
    interest_org_id: Slug | None = Field(
        None,
        description="The party whose interest the source represents: the party itself, or the "
        "agent's principal; empty for independent and unknown.",
    )
    interest_note: Text = Field(description="Plain note on the source's interest in the subject.")
    note: str | None = Field(None, description="Other remarks (authorship, translation).")

    __row_rules__ = (
        RowRule(
            "earliest-not-after-latest",
            StartsAfter("published_earliest", "published_latest"),
            "published_earliest {published_earliest} is after published_latest {published_latest}",
        ),
        RowRule(
            "published-not-before-earliest",
            StartsAfter("published_earliest", "published"),
            "published {published} is before published_earliest {published_earliest}",
        ),
        RowRule(
            "published-not-after-latest",
            StartsAfter("published", "published_latest"),
            "published {published} is after published_latest {published_latest}",
        ),
        RowRule(
            "interest-names-its-party",
            In("interest", ("party", "agent_of_party")) & Empty("interest_org_id"),
            "interest {interest} names its party in interest_org_id",
        ),
        RowRule(
            "independent-names-no-party",
            In("interest", ("independent", "unknown")) & Filled("interest_org_id"),
            "interest {interest} has no interest_org_id",
        ),
    )


class Figure(Row):
    """One number a source states, in its words (or works out from numbers it states)."""

    model_config = _CONFIG
    figure_id: Slug = Field(description="Identifier of the figure (slug).")
    source_id: Slug = Field(description="The source that states it.")
    quote: Text = Field(description="Verbatim passage of the source (whitespace runs collapsed).")
    stated: Text = Field(
        pattern=r"^[^;]+$",
        description="The number exactly as written inside the quote; for a derived figure, the "
        "arithmetic that gives it from the values of derived_from, in their order "
        "('607 - 157 - 413'). No ';': estimates.values lists it, and ';' separates a list.",
    )
    derivation: Derivation = Field(
        description="stated: the source prints the number; derived: this package works it out "
        "from other figures of the same source (derived_from), and the check recomputes it."
    )
    derived_from: list[ListItem] = Field(
        default_factory=list,
        description="For a derived figure, the figures its value is computed from, in the "
        "order of the arithmetic in stated; empty for a stated figure.",
    )
    value: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="The number the words denote ('two dozen': 24, 'half' in percent: 50); "
        "empty for vague plurals ('dozens'). Where it rightly differs from what stated reads, "
        "the note says why ('" + VALUE_NOTE + " ...').",
    )
    unit: Unit = Field(description="What the number counts or measures in.")
    qualifier: Qualifier = Field(description="The hedge the source puts on the number.")
    lower: float | None = Field(
        None, allow_inf_nan=False, description="Lower end of the implied interval (empty: none)."
    )
    upper: float | None = Field(
        None, allow_inf_nan=False, description="Upper end of the implied interval (empty: none)."
    )
    bounds: Bounds = Field(description="Whether lower and upper are included: [] [) (] ().")
    measure: Slug = Field(
        description="What is counted (returned, prosecuted, camp-population, ...)."
    )
    group: Group | None = Field(None, description="Who is counted; empty when no people are.")
    scope: Slug = Field(
        description="Population or operation the figure is about; same measure, group and scope "
        "means the same thing is counted."
    )
    legal_stage: LegalStage | None = Field(
        None,
        description="For a count of people in the justice system, how far along it they are "
        "(detained, arrested, charged, prosecuted, convicted, held_accountable, "
        "travel_restricted); empty for every other figure.",
    )
    place_id: Slug | None = Field(
        None,
        description="Place where a stock is counted (a camp's population, a country's centres); "
        "empty for flows, which use origin_place_id and destination_place_id.",
    )
    origin_place_id: Slug | None = Field(
        None,
        description="For a flow (returned, self-returned, left for Syria and Iraq): where the "
        "people came from, where the source says so; empty when it names none or several.",
    )
    destination_place_id: Slug | None = Field(
        None,
        description="For a flow: where the people went, where the source says so; empty when "
        "it names none or several.",
    )
    event_id: Slug | None = Field(None, description="Event (operation, round) it belongs to.")
    as_of: PartialDate | None = Field(
        None, description="Date the figure refers to (end of period)."
    )
    period_start: PartialDate | None = Field(None, description="Start of the period it covers.")
    date_basis: DateBasis = Field(
        description="stated in the text, taken from the publication date, inferred, or unknown."
    )
    attribution: Attribution = Field(
        description="Whose number it is: own (the source gives it as its own), official_unnamed "
        "(official figures without a name: 'according to official figures', 'Authorities "
        "said'), named (a named person or organisation: speaker_id, speaker_org_id), "
        "unnamed_other (an unnamed person or document not said to be official: 'a US academic', "
        "'Recent reports')."
    )
    speaker_id: Slug | None = Field(
        None, description="Person the source attributes it to (attribution named)."
    )
    speaker_org_id: Slug | None = Field(
        None, description="Organisation it is attributed to (attribution named)."
    )
    parent_id: Slug | None = Field(None, description="Figure this one is a part of in a breakdown.")
    axis: Slug | None = Field(None, description="What the breakdown splits by (group, round).")
    exhaustive: bool | None = Field(
        None, description="Whether the parts on this axis make up the whole parent."
    )
    subset_of: Slug | None = Field(
        None, description="Figure of the same source this one is contained in (not a part)."
    )
    note: str | None = Field(None, description="Ambiguity, inference, what the number is not.")

    __row_rules__ = (
        RowRule(
            "stated-in-quote",
            Is("derivation", "stated") & NotWithin("stated", "quote"),
            "stated {stated!r} does not occur in the quote",
        ),
        RowRule(
            "derived-names-inputs",
            Is("derivation", "derived") & Empty("derived_from"),
            "a derived figure names the figures it is computed from in derived_from",
        ),
        RowRule(
            "stated-has-no-inputs",
            Is("derivation", "stated") & Filled("derived_from"),
            "a stated figure has no derived_from (set derivation to derived)",
        ),
        RowRule(
            "justice-has-legal-stage",
            In("measure", JUSTICE_MEASURES) & Empty("legal_stage"),
            "a count of people in the justice system ({measure}) needs a legal_stage",
        ),
        RowRule(
            "flow-has-no-place",
            In("measure", FLOW_MEASURES) & Set("place_id"),
            "a flow ({measure}) takes origin_place_id and destination_place_id, not place_id",
        ),
        RowRule(
            "named-has-speaker",
            Is("attribution", "named") & Empty("speaker_id") & Empty("speaker_org_id"),
            "a named attribution needs speaker_id or speaker_org_id",
        ),
        RowRule(
            "unnamed-has-no-speaker",
            In("attribution", ("own", "official_unnamed", "unnamed_other"))
            & (Set("speaker_id") | Set("speaker_org_id")),
            "speaker_id and speaker_org_id are for a named attribution, not {attribution}",
        ),
        RowRule(
            "percent-at-most-100",
            Is("unit", "percent") & Above("value", 100),
            "a percentage must lie in 0 to 100, not {value:g}",
        ),
        RowRule(
            "lower-not-above-upper",
            Above("lower", "upper"),
            "lower {lower:g} is above upper {upper:g}",
        ),
        RowRule(
            "breakdown-set-together",
            Differ(("parent_id", "axis", "exhaustive")),
            "parent_id, axis and exhaustive are set together or not at all",
        ),
        RowRule(
            "not-own-parent", Equals("parent_id", "figure_id"), "a figure cannot be its own parent"
        ),
        RowRule(
            "period-start-not-after-as-of",
            StartsAfter("period_start", "as_of"),
            "period_start is after as_of",
        ),
        RowRule(
            "stated-is-value",
            Is("derivation", "stated") & Misstated("stated", "value", "unit", "note"),
            "stated {stated!r} reads {reads}, but value is {value_text}: write in value the "
            "number the words state; if the value is right as it is, say why in note ('"
            + VALUE_NOTE
            + " <why>')",
        ),
    )


class Event(Row):
    """Something that happened, dated as precisely as the sources allow."""

    model_config = _CONFIG
    event_id: Slug = Field(description="Identifier of the event (slug).")
    name: Text = Field(description="Short name.")
    kind: EventKind = Field(description="What kind of event.")
    start: PartialDate | None = Field(None, description="When it began (partial ISO date).")
    end: PartialDate | None = Field(None, description="When it ended (partial ISO date).")
    place_id: Slug | None = Field(None, description="Where it happened.")
    parent_id: Slug | None = Field(None, description="Larger event it belongs to.")
    note: str | None = Field(None, description="How the dates were derived; disagreements.")

    __row_rules__ = (
        RowRule(
            "start-not-after-end", StartsAfter("start", "end"), "start {start} is after end {end}"
        ),
    )


class Person(Row):
    """One real person, once, across all sources."""

    model_config = _CONFIG
    person_id: Slug = Field(description="Identifier of the person (slug).")
    name: Text = Field(description="Fullest form of the name the sources print.")
    aliases: list[ListItem] = Field(
        default_factory=list, description="Every other spelling or form the sources use."
    )
    kind: PersonKind = Field(description="What the person is in this story.")
    naming: Naming = Field(
        description="Whether the sources give a full name, first name or initial."
    )
    note: str | None = Field(None, description="Remarks.")


class Role(Row):
    """A position a person held, as one source states it."""

    model_config = _CONFIG
    role_id: Slug = Field(description="Identifier of the role statement (slug).")
    person_id: Slug = Field(description="The person.")
    title: Text = Field(description="Title as the source gives it.")
    organization_id: Slug | None = Field(None, description="Organisation of the role.")
    as_of: PartialDate | None = Field(None, description="When the source says the role held.")
    tense: RoleTense = Field(description="current, former, at_the_time (then-...), or unknown.")
    source_id: Slug = Field(description="The source that states it.")
    quote: Text = Field(description="Verbatim passage stating the role.")


class Organization(Row):
    """A named organisation."""

    model_config = _CONFIG
    organization_id: Slug = Field(description="Identifier of the organisation (slug).")
    name: Text = Field(description="Name as the sources print it.")
    aliases: list[ListItem] = Field(
        default_factory=list, description="Other names and spellings used."
    )
    kind: OrganizationKind = Field(description="What kind of organisation.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    parent_id: Slug | None = Field(None, description="Organisation it is part of.")
    note: str | None = Field(None, description="Remarks.")


class Place(Row):
    """A named place."""

    model_config = _CONFIG
    place_id: Slug = Field(description="Identifier of the place (slug).")
    name: Text = Field(description="Name as the sources print it.")
    aliases: list[ListItem] = Field(
        default_factory=list, description="Other names and spellings used (Aqtau, Al-Khol)."
    )
    kind: PlaceKind = Field(description="What kind of place.")
    country: CountryCode | None = Field(
        None, description="ISO 3166-1 alpha-2 code (XK, user-assigned, for Kosovo)."
    )
    parent_id: Slug | None = Field(None, description="Place it lies in.")
    note: str | None = Field(None, description="Remarks.")


class Mention(Row):
    """Where a source attests an event, person, organisation or place."""

    model_config = _CONFIG
    mention_id: Slug = Field(description="Identifier of the mention (slug).")
    source_id: Slug = Field(description="The source.")
    event_id: Slug | None = Field(None, description="The event attested, if an event.")
    person_id: Slug | None = Field(None, description="The person attested, if a person.")
    organization_id: Slug | None = Field(None, description="The organisation, if one.")
    place_id: Slug | None = Field(None, description="The place, if a place.")
    quote: Text = Field(description="Verbatim passage of the source.")

    __row_rules__ = (
        RowRule(
            "one-entity",
            NotOneOf(("event_id", "person_id", "organization_id", "place_id")),
            "exactly one of event_id, person_id, organization_id, place_id is set",
        ),
    )


class Discrepancy(Row):
    """The explanation of one finding of the consistency checks."""

    model_config = _CONFIG
    discrepancy_id: Slug = Field(description="Identifier of the explanation (slug).")
    finding_id: Text = Field(description="Stable id of the finding it explains.")
    rule: Slug = Field(description="The check that raised the finding.")
    figure_ids: list[ListItem] = Field(default_factory=list, description="The figures involved.")
    kind: DiscrepancyKind = Field(description="What explains the disagreement.")
    basis: Basis = Field(
        description="What the explanation rests on: stated (every claim is in a document), "
        "inferred (it draws a conclusion the documents do not state), outside_knowledge (it "
        "needs facts from outside the documents); the explanation says which part is which."
    )
    explanation: Text = Field(description="Explanation written from the documents.")


class FigureLink(Row):
    """A relation between two figures that is not a breakdown or a containment."""

    model_config = _CONFIG
    link_id: Slug = Field(description="Identifier of the link (slug).")
    figure_id: Slug = Field(description="The figure the relation is about.")
    relation: LinkRelation = Field(
        description="repeats (the same statement, repeated in this or another document), "
        "in_addition_to (counted on top of the other: 'another 32 women'), superseded_by (an "
        "earlier state of the count, replaced by the other), vague_form_of (a vague count, "
        "'hundreds', of what the other gives as a number), same_count_as (probably the same "
        "people or things, counted in other words), overlaps (may count some of the same)."
    )
    other_figure_id: Slug = Field(description="The other figure.")
    basis: Basis = Field(
        description="stated (a document says so: 'another', 'grown from ... to'), inferred "
        "(this package's reading), outside_knowledge."
    )
    note: Text = Field(description="The evidence, quoted, and what the relation rests on.")

    __row_rules__ = (
        RowRule(
            "not-own-link",
            Equals("figure_id", "other_figure_id"),
            "a figure cannot be linked to itself",
        ),
    )


class Definition(Row):
    """What a term whose meaning changes a count means in one source."""

    model_config = _CONFIG
    definition_id: Slug = Field(description="Identifier of the definition (slug).")
    term: Text = Field(description="The term as the source writes it.")
    source_id: Slug = Field(description="The source.")
    defined: Defined = Field(
        description="defined (the source says what the term means), delimited (the context "
        "fixes what it covers), not_defined (used without saying; the quote shows the use)."
    )
    quote: Text = Field(
        description="Verbatim passage that defines, delimits or uses the term (whitespace runs "
        "collapsed), checked against the document like every quote."
    )
    meaning: Text = Field(
        description="What the term means or covers in plain words, and what the document "
        "leaves open."
    )


@dataclass(frozen=True)
class ForeignKey:
    """A column that refers to the primary key of a table.

    ``many``: the column is a list, and each of its items refers to a row. Table Schema and
    SQL cannot say this, so such a key is checked by ``zhusan validate`` only.
    """

    field: str
    table: str
    ref: str
    many: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the package: its model, keys and description."""

    name: str
    model: type[BaseModel]
    primary_key: str
    description: str
    foreign_keys: tuple[ForeignKey, ...] = field(default=())


def _fk(field_: str, table: str, many: bool = False) -> ForeignKey:
    return ForeignKey(field_, table, TABLE_KEYS[table], many)


TABLE_KEYS = {
    "sources": "source_id",
    "organizations": "organization_id",
    "places": "place_id",
    "people": "person_id",
    "roles": "role_id",
    "events": "event_id",
    "figures": "figure_id",
    "figure_links": "link_id",
    "definitions": "definition_id",
    "mentions": "mention_id",
    "discrepancies": "discrepancy_id",
}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            Source,
            "source_id",
            "The archived documents.",
            (
                _fk("publisher_org_id", "organizations"),
                _fk("distributed_by", "organizations"),
                _fk("on_behalf_of", "organizations"),
                _fk("through", "organizations"),
                _fk("interest_org_id", "organizations"),
            ),
        ),
        Table(
            "organizations",
            Organization,
            "organization_id",
            "Named organisations.",
            (_fk("parent_id", "organizations"),),
        ),
        Table("places", Place, "place_id", "Named places.", (_fk("parent_id", "places"),)),
        Table("people", Person, "person_id", "Named people, one row per real person.", ()),
        Table(
            "roles",
            Role,
            "role_id",
            "Positions people held, as each source states them.",
            (
                _fk("person_id", "people"),
                _fk("organization_id", "organizations"),
                _fk("source_id", "sources"),
            ),
        ),
        Table(
            "events",
            Event,
            "event_id",
            "Operations, rounds, attacks, visits, publications.",
            (_fk("place_id", "places"), _fk("parent_id", "events")),
        ),
        Table(
            "figures",
            Figure,
            "figure_id",
            "Every number the sources state, in their words.",
            (
                _fk("source_id", "sources"),
                _fk("derived_from", "figures", many=True),
                _fk("place_id", "places"),
                _fk("origin_place_id", "places"),
                _fk("destination_place_id", "places"),
                _fk("event_id", "events"),
                _fk("speaker_id", "people"),
                _fk("speaker_org_id", "organizations"),
                _fk("parent_id", "figures"),
                _fk("subset_of", "figures"),
            ),
        ),
        Table(
            "figure_links",
            FigureLink,
            "link_id",
            "Relations between figures that are not breakdowns: repeated, in addition to, "
            "superseded by.",
            (_fk("figure_id", "figures"), _fk("other_figure_id", "figures")),
        ),
        Table(
            "definitions",
            Definition,
            "definition_id",
            "What terms that change a count mean in each source, with the quote.",
            (_fk("source_id", "sources"),),
        ),
        Table(
            "mentions",
            Mention,
            "mention_id",
            "Where each entity is attested, with the quote.",
            (
                _fk("source_id", "sources"),
                _fk("event_id", "events"),
                _fk("person_id", "people"),
                _fk("organization_id", "organizations"),
                _fk("place_id", "places"),
            ),
        ),
        Table(
            "discrepancies",
            Discrepancy,
            "discrepancy_id",
            "Explanations of every disagreement the checks find.",
            (),
        ),
    )
}
