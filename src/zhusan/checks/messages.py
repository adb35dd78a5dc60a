"""The text of each consistency finding, from the prepared rows of the figures it involves."""

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


def message(rule: str, rows: Sequence[Row]) -> str:
    """What is wrong, naming every figure with its source, words and interval."""
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
    if rule == "share-mismatch":
        return f"{_label(first)} does not match {_label(rows[1])} of {_label(rows[2])}"
    if rule == "implausible":
        return f"{_label(first)} is outside the plausible range for {first['measure']}"
    where = f"{first['fam']}/{first['group']}/{first['scope']}"
    if rule == "disagreement":
        return (
            f"{where}: {_label(first)} {_iv(first)} and {_label(rows[1])} "
            f"{_iv(rows[1])} do not overlap"
        )
    if rule == "cumulative-decrease":
        return f"{where}: the later {_label(rows[1])} is below the earlier {_label(first)}"
    if rule == "combined-group":
        w, c = rows[1], rows[2]
        return (
            f"{_label(first)} {_iv(first)} against women plus children {_stated(w)} "
            f"+ {_stated(c)} = {_sum([w, c])} of {w['source_id']}"
        )
    return f"{rule}: {', '.join(_label(r) for r in rows)}"
