"""Partial ISO dates (``2019``, ``2019-06``, ``2019-06-17``): the one place their bounds are kept.

``date_bounds`` gives the first and last day a partial date covers in Python; ``first_day``
and ``last_day`` are the same bounds as polars expressions, for the checks that run on frames.
"""

from __future__ import annotations

import polars as pl

PARTIAL_DATE_PATTERN = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_days(year: int, month: int) -> int:
    """How many days the month has (February of a leap year: 29)."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else (28 if month == 2 else _DAYS[month - 1])


def check_partial_date(text: str) -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` with a real month and day."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        raise ValueError(f"month {parts[1]:02d} is not 01 to 12")
    if len(parts) == 3:
        year, month, day = parts
        if not 1 <= day <= month_days(year, month):
            raise ValueError(f"day {day:02d} does not exist in {year:04d}-{month:02d}")
    return text


def date_bounds(text: str) -> tuple[str, str]:
    """The first and last full ISO day a partial date covers (``2019-06`` -> 06-01 .. 06-30)."""
    parts = text.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month = int(parts[1])
    if len(parts) == 2:
        return f"{text}-01", f"{text}-{month_days(year, month):02d}"
    return text, text


def first_day(c: pl.Expr) -> pl.Expr:
    """The first day a partial date column covers, as a date (null where it is not a date)."""
    n = c.str.len_chars()
    full = pl.when(n == 4).then(c + "-01-01").when(n == 7).then(c + "-01").otherwise(c)
    return full.str.to_date("%Y-%m-%d", strict=False)


def last_day(c: pl.Expr) -> pl.Expr:
    """The last day a partial date column covers, as a date (null where it is not a date)."""
    n = c.str.len_chars()
    return (
        pl.when(n == 4)
        .then((c + "-12-31").str.to_date("%Y-%m-%d", strict=False))
        .when(n == 7)
        .then((c + "-01").str.to_date("%Y-%m-%d", strict=False).dt.month_end())
        .otherwise(c.str.to_date("%Y-%m-%d", strict=False))
    )
