"""The number a figure's ``stated`` words write: digits, number words, or both.

``read_number("40,000")`` is 40000, ``read_number("Thirty-seven")`` 37, ``read_number("18
million")`` 18000000, ``read_number("two dozen")`` 24, ``read_number("a month")`` 1 (the
article counts one), ``read_number("half")`` 0.5. Words that are not numbers ("month",
"people", "per cent") are passed over. Vague words ("dozens", "a few hundred", "several")
and anything that is not one number ("one in five", "595 and 405") read as None: no single
number is written; so does "40 000" (a space could as well part two numbers).

The row rule ``stated-is-value`` (``zhusan.model.tables.Figure``) holds every figure's
``value`` to what its ``stated`` reads; ``stated_value`` gives the number the value must be
(a fraction written in words, "half", is 50 when the unit is percent). A figure whose value
rightly differs from its words says so in its note, with ``VALUE_NOTE`` ("value differs from
stated: ...").
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

#: Written in a figure's note, it records that the value rightly differs from the stated words.
VALUE_NOTE = "value differs from stated:"

_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
#: Words that scale what comes before them ("two dozen", "18 million").
_SCALES = {"hundred": 100, "dozen": 12, "score": 20}
_LARGE = {"thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
#: Words that count a pair.
_PAIRS = {"couple": 2, "pair": 2}
_FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25"), "quarters": Decimal("0.25")}
#: Words that give no single number: the stated text is vague.
_VAGUE = frozenset(
    [
        "few",
        "several",
        "many",
        "dozens",
        "hundreds",
        "thousands",
        "millions",
        "billions",
        "scores",
        "tens",
        "numerous",
        "multiple",
        "countless",
        "handful",
    ]
)
_PERCENT = frozenset({"%", "percent", "per", "cent", "pct"})
_TOKEN = re.compile(
    r"(?<![\d.])\d{1,3}(?:(?:,|\u00a0|\u202f|\u2009)\d{3})+(?:\.\d+)?(?![\d,])"
    r"|(?<![\d.])\d+(?:\.\d+)?"
    r"|[^\W\d_]+"
    r"|%"
)
_SEPARATORS = re.compile(r"[,\u00a0\u202f\u2009]")


def _joins(last: str, before_and: str, kind: str) -> bool:
    """Whether a number token of ``kind`` may follow the last one in one number."""
    if last == "and":  # "hundred and five", "one and a half"; not "595 and 405"
        return before_and in ("scale", "large") or kind == "fraction"
    if kind == "digit":
        return last in ("", "large")
    if kind == "unit":
        return last in ("", "ten", "scale", "large")
    if kind == "ten":
        return last in ("", "scale", "large")
    return True


#: Words that state none: "not a single child", "no other country", "none".
_NONE = re.compile(r"(?:not (?:a )?single|not one|not any|none|no(?: other)?|no one|nobody)")


@functools.lru_cache(maxsize=65536)
def _read(text: str) -> tuple[Decimal, bool, bool] | None:
    """(number, a fraction word was used, a percent word or sign was used), or None."""
    if _NONE.fullmatch(" ".join(text.lower().split())):
        return Decimal(0), False, False
    tokens = _TOKEN.findall(text.lower())
    total, current = Decimal(0), Decimal(0)
    article = fraction = percent = words_after = False
    last = before_and = ""  # kind of the last number token: digit unit ten scale large and
    for tok in tokens:
        if tok in _VAGUE:
            return None
        if tok in _PERCENT:
            percent = True
            continue
        kind = (
            "digit"
            if tok[0].isdecimal()
            else "unit"
            if tok in _UNITS
            else "ten"
            if tok in _TENS
            else "scale"
            if tok in _SCALES or tok in _PAIRS
            else "large"
            if tok in _LARGE
            else "fraction"
            if tok in _FRACTIONS
            else ""
        )
        if not kind:
            if tok in ("a", "an"):
                article = article or not last
            elif tok == "and" and last and last != "and":
                before_and, last = last, "and"
            elif last:
                words_after = True
            continue
        if words_after or not _joins(last, before_and, kind):
            return None
        if kind == "digit":
            current += Decimal(_SEPARATORS.sub("", tok))
        elif kind in ("unit", "ten"):
            current += _UNITS.get(tok, 0) + _TENS.get(tok, 0)
        elif kind == "scale":
            current = (current or Decimal(1)) * (_SCALES.get(tok) or _PAIRS[tok])
        elif kind == "large":
            total += (current or Decimal(1)) * _LARGE[tok]
            current = Decimal(0)
        else:
            part = _FRACTIONS[tok]
            current = current * part if tok == "quarters" and current else current + part
            fraction = True
        last = "scale" if kind == "fraction" else kind
    if not last or last == "and":
        return (Decimal(1), False, percent) if article and not last else None
    return total + current, fraction, percent


def read_number(text: str) -> Decimal | None:
    """The one number ``text`` writes, or None when it writes none or is vague."""
    found = _read(text)
    return None if found is None else found[0]


def stated_value(stated: str, unit: str | None) -> Decimal | None:
    """The value the stated words give for a figure in ``unit``: "half" is 50 in percent."""
    found = _read(stated)
    if found is None:
        return None
    number, fraction, percent = found
    if unit == "percent" and fraction and not percent:
        return number * 100
    return number


def same_number(reading: Decimal, value: float) -> bool:
    """Whether ``value`` is the number read (as the value cell's float: 13.2 is 13.2)."""
    try:
        return float(reading) == float(value)
    except (InvalidOperation, ValueError, OverflowError):
        return False


def has_value_note(note: str | None) -> bool:
    """Whether a note records that the value rightly differs from the stated words."""
    return note is not None and VALUE_NOTE in note.lower()
