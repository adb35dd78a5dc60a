"""A loaded package: every table as a tuple of model instances, in file order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from zhusan.model.estimates import Estimate, estimates
from zhusan.model.tables import (
    Definition,
    Discrepancy,
    Event,
    Figure,
    FigureLink,
    Mention,
    Organization,
    Person,
    Place,
    Role,
    Source,
)


@dataclass(frozen=True)
class Dataset:
    """Every table of a package as a tuple of model instances, in file order.

    ``estimates`` is the derived table: what ``dataset/estimates.csv`` must hold, computed from
    the figures (``load`` checks the file against it).
    """

    sources: tuple[Source, ...]
    organizations: tuple[Organization, ...]
    places: tuple[Place, ...]
    people: tuple[Person, ...]
    roles: tuple[Role, ...]
    events: tuple[Event, ...]
    figures: tuple[Figure, ...]
    figure_links: tuple[FigureLink, ...]
    definitions: tuple[Definition, ...]
    mentions: tuple[Mention, ...]
    discrepancies: tuple[Discrepancy, ...]

    @cached_property
    def estimates(self) -> tuple[Estimate, ...]:
        """The derived estimates of the figures, in the order of ``dataset/estimates.csv``."""
        return tuple(estimates(self.figures, self.sources))
