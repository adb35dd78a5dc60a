"""The text of each consistency finding, from the prepared rows of the figures it involves.

A finding names a pair or triple of figures (its witness), or a whole set of figures that
cannot all be true; a set's rows come with its example witness first, and its message tells
the example and how many figures of how many sources the set holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zhusan.model.cells import format_cell
from zhusan.model.intervals import Interval

Row = dict[str, Any]


def _iv(r: Row) -> Interval:
    return Interval(r["lo"], r["hi"], r["b"])


def _label(r: Row) -> str:
    return f"{r['figure_id']} ({r['source_id']}: {r['qualifier'].replace('_', ' ')} {r['stated']})"


def _stated(r: Row) -> str:
    """The stated words, with the value summed where the words are not its digits."""
    value = "" if r.get("v") is None else format_cell(r["v"])
    stated = str(r["stated"])
    return stated if stated.replace(",", "") == value or not value else f"{stated} ({value})"


def _sum(rows: Sequence[Row]) -> Interval:
    ivs = [_iv(r) for r in rows]
    lo = None if any(i.lower is None for i in ivs) else sum(i.lower or 0 for i in ivs)
    hi = None if any(i.upper is None for i in ivs) else sum(i.upper or 0 for i in ivs)
    lo_b = "[" if all(i.bounds[0] == "[" for i in ivs) else "("
    hi_b = "]" if all(i.bounds[1] == "]" for i in ivs) else ")"
    return Interval(lo, hi, f"{lo_b}{hi_b}")  # type: ignore[arg-type]


#: How many figures a witness of each rule names: more rows are a set, its witness first.
WITNESS = {"disagreement": 2, "cumulative-decrease": 2, "combined-group": 3, "share-mismatch": 3}


def _set(rows: Sequence[Row]) -> str:
    sources = len({r["source_id"] for r in rows})
    return f"{len(rows)} figures from {sources} source{'s' * (sources != 1)} cannot all be true"


def _spread(rows: Sequence[Row]) -> str:
    """The lowest upper and the highest lower bound among the rows."""
    highs = [r["hi"] for r in rows if r["hi"] is not None]
    lows = [r["lo"] for r in rows if r["lo"] is not None]
    if not highs or not lows:
        return ""
    return (
        f" (among them the lowest upper bound is {min(highs):g}, the highest lower {max(lows):g})"
    )


def message(rule: str, rows: Sequence[Row]) -> str:
    """What is wrong, naming every figure of a witness with its source, words and interval.

    For a set, the example witness is named and the set counted.
    """
    first = rows[0]
    if rule in ("breakdown-sum", "parts-exceed-whole"):
        whole, parts = first, rows[1:]
        names = " + ".join(_stated(p) for p in parts)
        total = str(_sum(parts))
        if rule == "breakdown-sum":
            return (
                f"breakdown of {_label(whole)} by {parts[0]['axis']} does not add up: "
                f"{names} gives {total}, the whole is {_iv(whole)}"
            )
        return (
            f"parts of {_label(whole)} by {parts[0]['axis']} ({names}, {total}) exceed "
            f"the whole {_iv(whole)}"
        )
    if rule == "subset-exceeds-whole":
        return f"{_label(first)} exceeds {_label(rows[1])} it is part of"
    if rule == "implausible":
        return f"{_label(first)} is outside the plausible range for {first['measure']}"
    size = WITNESS.get(rule, len(rows))
    head = f"{_set(rows)}, e.g. " if len(rows) > size else ""
    if rule == "share-mismatch":
        text = f"{_label(first)} does not match {_label(rows[1])} of {_label(rows[2])}"
        return head + text
    where = f"{first['fam']}/{first['group']}/{first['scope']}"
    if rule == "disagreement":
        text = f"{_label(first)} {_iv(first)} and {_label(rows[1])} {_iv(rows[1])} do not overlap"
        return f"{where}: {head}{text}" + (_spread(rows) if head else "")
    if rule == "cumulative-decrease":
        return f"{where}: {head}the later {_label(rows[1])} is below the earlier {_label(first)}"
    if rule == "combined-group":
        w, c = rows[1], rows[2]
        return head + (
            f"{_label(first)} {_iv(first)} against women plus children {_stated(w)} "
            f"+ {_stated(c)} = {_sum([w, c])} of {w['source_id']}"
        )
    return f"{rule}: {', '.join(_label(r) for r in rows)}"
