"""Internal: no parent chain goes round in a circle (a thing inside itself)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES

#: The columns that point to a larger thing of the same table.
PARENTS = (
    ("figures", "parent_id"),
    ("figures", "subset_of"),
    ("events", "parent_id"),
    ("places", "parent_id"),
    ("organizations", "parent_id"),
)
#: Members of a cycle named in its message; a longer cycle is shortened with its length.
SHOWN = 8


def _cycles(links: dict[str, str]) -> Iterator[list[str]]:
    """Every cycle of the graph ``child -> parent``, each once, from the walk that found it."""
    done: set[str] = set()
    for start in links:
        path: list[str] = []
        at: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in at:
            at[node] = len(path)
            path.append(node)
            node = links.get(node)
        if node is not None and node in at:
            yield path[at[node] :]
        done.update(path)


def _spelled(cycle: list[str], column: str) -> str:
    if len(cycle) == 1:
        return f"{column} names the row itself ({cycle[0]!r})"
    names = cycle if len(cycle) <= SHOWN else [*cycle[: SHOWN - 1], "..."]
    chain = " -> ".join([*names, cycle[0]])
    count = f" ({len(cycle)} rows)" if len(cycle) > SHOWN else ""
    return f"{column} goes round in a circle{count}: {chain}"


def check_cycles(pkg: Package) -> Iterator[Problem]:
    """No figure, event, place or organisation lies (through its parents) inside itself.

    Only rows that have a parent and are a parent can lie on a cycle, so only those are
    walked; each cycle is reported once, at its first row in the file.
    """
    for name, column in PARENTS:
        pk = TABLES[name].primary_key
        df = valid_rows(pkg, name, pk, column)
        linked = df.filter(pl.col(column) != "")
        if linked.height == 0:
            continue
        both = linked.filter(pl.col(pk).is_in(linked[column].implode()))
        links = dict(zip(both[pk].to_list(), both[column].to_list(), strict=True))
        rows = dict(zip(both[pk].to_list(), both["_row"].to_list(), strict=True))
        found = []
        for cycle in _cycles(links):
            first = min(range(len(cycle)), key=lambda i: rows[cycle[i]])
            cycle = cycle[first:] + cycle[:first]
            found.append((rows[cycle[0]], cycle))
        for row, cycle in sorted(found):
            message = _spelled(cycle, column)
            yield Problem("parent-cycle", message, name, row, column, links[cycle[0]])
