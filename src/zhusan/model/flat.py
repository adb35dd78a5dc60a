"""The flat figures table: one row per figure with its source, for people who open one file.

Generated into ``dataset/figures_flat.csv`` by ``zhusan schema``: every figure column, then the
title, kind, publisher, authors, date, interest and address of the source that states it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from zhusan.model.fields import DateBasis, ListItem, PartialDate, SeedPath, SourceKind, Text
from zhusan.model.tables import Figure, Source


class FlatFigure(Figure):
    """One figure with the source that states it (joined through its source_id)."""

    source_title: Text = Field(description="Title of the source (sources.title).")
    source_kind: SourceKind = Field(description="What kind of document the source is.")
    source_publisher: str | None = Field(
        None, description="Who published or issued the source (sources.publisher)."
    )
    source_authors: list[ListItem] = Field(
        default_factory=list, description="The source's named authors (sources.authors)."
    )
    source_published: PartialDate | None = Field(
        None, description="The source's publication date, partial ISO (sources.published)."
    )
    source_published_basis: DateBasis = Field(
        description="Whether that date is stated, inferred or unknown (sources.published_basis)."
    )
    source_interest_note: Text = Field(
        description="The source's interest in the subject: read it before citing the number."
    )
    source_url: str | None = Field(
        None, description="Address of the original, where the source gives it (sources.url)."
    )
    source_path: SeedPath = Field(
        description="The archived copy of the source in this package (sources.path)."
    )


def flat_figures(figures: Iterable[Figure], sources: Iterable[Source]) -> list[FlatFigure]:
    """Every figure, in file order, with its source's columns.

    A figure whose source is not in ``sources`` (a broken foreign key, which ``validate``
    reports) is left out: nothing is invented for it.
    """
    by_id = {s.source_id: s for s in sources}
    out = []
    for f in figures:
        s = by_id.get(f.source_id)
        if s is None:
            continue
        out.append(
            FlatFigure(
                **dict(f),
                source_title=s.title,
                source_kind=s.kind,
                source_publisher=s.publisher,
                source_authors=s.authors,
                source_published=s.published,
                source_published_basis=s.published_basis,
                source_interest_note=s.interest_note,
                source_url=s.url,
                source_path=s.path,
            )
        )
    return out
