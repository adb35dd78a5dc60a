"""Row rules as data: every rule across the fields of one row, declared once.

A rule is a condition (``Cond``) under which the row is broken, and a message. The same
declaration is evaluated two ways:

- ``Cond.holds(row)`` on a model instance, in Python: the pydantic engine's model validator
  (``Row._row_rules``) raises the message of the first rule broken;
- ``Cond.flag()`` as a polars expression over a frame of string cells: the fast engine flags
  every row that may break a rule, and only those rows go through pydantic;
- ``Cond.sql()`` as a SQL expression over a table of string cells (empty cells as ``''``), in
  standard SQL but for what a ``Dialect`` spells: the SQL engine flags rows the same way.

``flag`` and ``sql`` may be true where ``holds`` is false (the row then goes to pydantic, which
clears it), never the reverse; ``tests/model/test_rules.py`` holds every condition to that. A
model states its rules in ``__row_rules__``; a test fails when a model has a validator that is
not a declared rule, so no rule can exist in one engine only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import polars as pl
from pydantic import BaseModel, model_validator

from zhusan.model.cells import format_cell
from zhusan.model.dates import date_bounds, first_day, last_day
from zhusan.model.numbers import has_value_note, same_number, stated_value
from zhusan.model.sql import DUCKDB, Dialect
from zhusan.model.text import collapse


class Cond:
    """A condition on one row: ``holds`` in Python (None: unknown), ``flag`` in polars."""

    def holds(self, row: BaseModel) -> bool | None:
        """Whether the condition holds for a model instance (None where a cell is empty)."""
        raise NotImplementedError  # pragma: no cover - every condition below implements it

    def flag(self) -> pl.Expr:
        """A polars expression over string cells: true wherever ``holds`` may be true."""
        raise NotImplementedError  # pragma: no cover

    def facts(self, row: BaseModel) -> dict[str, object]:
        """Values the rule's message may name besides the row's fields (none by default)."""
        return {}

    def sql(self, d: Dialect = DUCKDB) -> str:
        """A SQL expression over string cells: true wherever ``holds`` may be true."""
        raise NotImplementedError  # pragma: no cover

    def __and__(self, other: Cond) -> Cond:
        return All((self, other))

    def __or__(self, other: Cond) -> Cond:
        return Any_((self, other))


def _cell(name: str) -> pl.Expr:
    """A string cell, empty as null."""
    return pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name))


def _number(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Float64, strict=False)


def _sql_cell(d: Dialect, name: str) -> str:
    """A string cell in SQL, empty as null."""
    return f"NULLIF({d.ident(name)}, '')"


def _set(d: Dialect, name: str) -> str:
    return f"({d.ident(name)} <> '')"


def _first_day_sql(d: Dialect, name: str) -> str:
    """The first day a partial date covers, as ISO text (compared as text; null when empty)."""
    c = _sql_cell(d, name)
    n = d.chars(c)
    return f"(CASE {n} WHEN 4 THEN {c} || '-01-01' WHEN 7 THEN {c} || '-01' ELSE {c} END)"


#: A day no later than the last of each month (February: 28, so a leap year's 29th may flag).
_MONTH_END = {"02": "28", "04": "30", "06": "30", "09": "30", "11": "30"}


def _last_day_sql(d: Dialect, name: str) -> str:
    """A day no later than the last a partial date covers, as ISO text (null when empty).

    For a flag, never later than the real last day: ``a`` starting after it is then flagged
    wherever ``a`` starts after the real last day.
    """
    c = _sql_cell(d, name)
    n = d.chars(c)
    month = f"SUBSTRING({c} FROM 6 FOR 2)"
    ends = " ".join(f"WHEN '{m}' THEN '{e}'" for m, e in _MONTH_END.items())
    return (
        f"(CASE {n} WHEN 4 THEN {c} || '-12-31' "
        f"WHEN 7 THEN {c} || '-' || (CASE {month} {ends} ELSE '31' END) ELSE {c} END)"
    )


@dataclass(frozen=True)
class Set(Cond):
    """The cell is not empty."""

    field: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        return getattr(row, self.field) is not None

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.col(self.field) != ""

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return _set(d, self.field)


@dataclass(frozen=True)
class Empty(Cond):
    """The cell is empty (None, or an empty list)."""

    field: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        return getattr(row, self.field) in (None, [])

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.col(self.field) == ""

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return f"({d.ident(self.field)} = '')"


@dataclass(frozen=True)
class Filled(Cond):
    """The cell holds a value (not None, not an empty list)."""

    field: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        return getattr(row, self.field) not in (None, [])

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.col(self.field) != ""

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return _set(d, self.field)


@dataclass(frozen=True)
class In(Cond):
    """A cell holds one of several values (unknown when empty)."""

    field: str
    values: tuple[str, ...]

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x = getattr(row, self.field)
        return None if x is None else x in self.values

    def flag(self) -> pl.Expr:  # noqa: D102
        return _cell(self.field).is_in(list(self.values))

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        if not self.values:
            return "FALSE"
        listed = ", ".join(d.text(v) for v in self.values)
        return f"({_sql_cell(d, self.field)} IN ({listed}))"


@dataclass(frozen=True)
class Equals(Cond):
    """Two cells are equal (compared as text; unknown when either is empty)."""

    a: str
    b: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x, y = getattr(row, self.a), getattr(row, self.b)
        return None if x is None or y is None else x == y

    def flag(self) -> pl.Expr:  # noqa: D102
        return _cell(self.a) == _cell(self.b)

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return f"({_sql_cell(d, self.a)} = {_sql_cell(d, self.b)})"


@dataclass(frozen=True)
class Is(Cond):
    """A cell holds one value."""

    field: str
    value: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x = getattr(row, self.field)
        return None if x is None else x == self.value

    def flag(self) -> pl.Expr:  # noqa: D102
        return _cell(self.field) == self.value

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return f"({_sql_cell(d, self.field)} = {d.text(self.value)})"


@dataclass(frozen=True)
class Above(Cond):
    """A number cell is above a constant or another number cell."""

    field: str
    other: str | float

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x = getattr(row, self.field)
        y = getattr(row, self.other) if isinstance(self.other, str) else self.other
        return None if x is None or y is None else bool(x > y)

    def flag(self) -> pl.Expr:  # noqa: D102
        y = _number(self.other) if isinstance(self.other, str) else self.other
        return _number(self.field) > y

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        x = d.num(d.ident(self.field))
        y = d.num(d.ident(self.other)) if isinstance(self.other, str) else d.number(self.other)
        return f"({x} > {y})"


@dataclass(frozen=True)
class StartsAfter(Cond):
    """Partial date ``a`` starts after partial date ``b`` ends (2019-07 after 2019-06)."""

    a: str
    b: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x, y = getattr(row, self.a), getattr(row, self.b)
        return None if not x or not y else date_bounds(x)[0] > date_bounds(y)[1]

    def flag(self) -> pl.Expr:  # noqa: D102
        return first_day(pl.col(self.a)) > last_day(pl.col(self.b))

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return f"({_first_day_sql(d, self.a)} > {_last_day_sql(d, self.b)})"


@dataclass(frozen=True)
class NotWithin(Cond):
    """Text cell ``part`` does not occur in text cell ``whole``, whitespace runs collapsed.

    The flag looks for ``part`` literally, so it is true also where ``part`` occurs only once
    whitespace is collapsed: such a row goes to pydantic, which collapses.
    """

    part: str
    whole: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        x, y = getattr(row, self.part), getattr(row, self.whole)
        return None if x is None or y is None else collapse(x) not in collapse(y)

    def flag(self) -> pl.Expr:  # noqa: D102
        return ~pl.col(self.whole).str.contains(pl.col(self.part), literal=True)

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return f"(POSITION({d.ident(self.part)} IN {d.ident(self.whole)}) = 0)"


#: Stated text of digits only, with thousands separators or a decimal point ("40,000", "12.5").
_PLAIN_NUMBER = r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$"


def _stated_values(keys: pl.Series) -> pl.Series:
    """``stated_value`` of each ``stated + NUL + unit`` key, read once per distinct key."""
    distinct = keys.unique()
    distinct = distinct.filter(distinct.is_not_null())
    read = [stated_value(*k.split("\x00", 1)) for k in distinct]
    return keys.replace_strict(
        distinct,
        [None if r is None else float(r) for r in read],
        default=None,
        return_dtype=pl.Float64,
    )


@dataclass(frozen=True)
class Misstated(Cond):
    """A number cell is not the number its text cell writes (``zhusan.model.numbers``).

    Unknown where the number is empty. A number that reads no single number from its text
    counts as not the same. Not broken where the note records the difference (``VALUE_NOTE``).
    The flag reads digit-only text column-wise and the rest once per distinct text.
    """

    text: str
    number: str
    unit: str
    note: str

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        value = getattr(row, self.number)
        if value is None:
            return None
        if has_value_note(getattr(row, self.note)):
            return False
        reading = stated_value(getattr(row, self.text), getattr(row, self.unit))
        return reading is None or not same_number(reading, value)

    def facts(self, row: BaseModel) -> dict[str, object]:  # noqa: D102
        reading = stated_value(getattr(row, self.text), getattr(row, self.unit))
        value = getattr(row, self.number)
        return {
            "reads": "no single number" if reading is None else format_cell(float(reading)),
            f"{self.number}_text": format_cell(value),
        }

    def flag(self) -> pl.Expr:  # noqa: D102
        text = pl.col(self.text)
        plain = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
        worded = pl.concat_str([text, pl.lit("\x00"), pl.col(self.unit)]).map_batches(
            _stated_values, return_dtype=pl.Float64
        )
        reads = pl.when(text.str.contains(_PLAIN_NUMBER)).then(plain).otherwise(worded)
        number = _number(self.number)
        return (pl.col(self.number) != "") & (reads.is_null() | (reads != number)).fill_null(True)

    def sql(self, d: Dialect = DUCKDB) -> str:
        """Digit-only text compared in SQL; any other text flags its row (pydantic reads it).

        The words ("some 40,000", "two million") are read by ``stated_value`` in Python only,
        so a row whose text is not plain digits always goes to pydantic: slower, never wrong.
        """
        text, number = d.ident(self.text), d.ident(self.number)
        plain = d.num(d.replace_all.format(text, d.text(","), "''"))
        differs = f"(NOT {d.regex(text, _PLAIN_NUMBER)} OR {plain} <> {d.num(number)})"
        return f"({number} <> '' AND COALESCE({differs}, TRUE))"


@dataclass(frozen=True)
class All(Cond):
    """Every condition holds (Kleene logic: unknown unless one is false)."""

    parts: tuple[Cond, ...]

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        values = [p.holds(row) for p in self.parts]
        return False if False in values else (None if None in values else True)

    def facts(self, row: BaseModel) -> dict[str, object]:  # noqa: D102
        return {k: v for p in self.parts for k, v in p.facts(row).items()}

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.all_horizontal([p.flag() for p in self.parts])

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return "(" + " AND ".join(p.sql(d) for p in self.parts) + ")"


@dataclass(frozen=True)
class Any_(Cond):
    """At least one condition holds (Kleene logic: unknown unless one is true)."""

    parts: tuple[Cond, ...]

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        values = [p.holds(row) for p in self.parts]
        return True if True in values else (None if None in values else False)

    def facts(self, row: BaseModel) -> dict[str, object]:  # noqa: D102
        return {k: v for p in self.parts for k, v in p.facts(row).items()}

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.any_horizontal([p.flag() for p in self.parts])

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        return "(" + " OR ".join(p.sql(d) for p in self.parts) + ")"


@dataclass(frozen=True)
class Differ(Cond):
    """Of several cells, some are set and some are empty (they must be set together)."""

    fields: tuple[str, ...]

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        return len({getattr(row, f) is None for f in self.fields}) > 1

    def flag(self) -> pl.Expr:  # noqa: D102
        set_ = [pl.col(f) != "" for f in self.fields]
        return pl.any_horizontal(set_) & ~pl.all_horizontal(set_)

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        set_ = [_set(d, f) for f in self.fields]
        return f"(({' OR '.join(set_)}) AND NOT ({' AND '.join(set_)}))"


@dataclass(frozen=True)
class NotOneOf(Cond):
    """Not exactly one of several cells is set."""

    fields: tuple[str, ...]

    def holds(self, row: BaseModel) -> bool | None:  # noqa: D102
        return sum(getattr(row, f) is not None for f in self.fields) != 1

    def flag(self) -> pl.Expr:  # noqa: D102
        return pl.sum_horizontal([(pl.col(f) != "").cast(pl.Int8) for f in self.fields]) != 1

    def sql(self, d: Dialect = DUCKDB) -> str:  # noqa: D102
        count = " + ".join(f"(CASE WHEN {_set(d, f)} THEN 1 ELSE 0 END)" for f in self.fields)
        return f"(({count}) <> 1)"


@dataclass(frozen=True)
class RowRule:
    """A rule across the fields of one row: broken where ``broken`` holds.

    ``message`` is a ``str.format`` template over the row's fields ("lower {lower:g} ..."),
    and the facts its condition adds (``Cond.facts``).
    """

    name: str
    broken: Cond
    message: str

    def error(self, row: BaseModel) -> str | None:
        """The message when ``row`` breaks the rule, else None."""
        if self.broken.holds(row) is True:
            values = {k: getattr(row, k) for k in type(row).model_fields}
            return self.message.format(**values, **self.broken.facts(row))
        return None


class Row(BaseModel):
    """A table model whose cross-field rules are the ``RowRule`` declarations it lists."""

    __row_rules__: ClassVar[Sequence[RowRule]] = ()

    @model_validator(mode="after")
    def _row_rules(self) -> Self:
        for rule in type(self).__row_rules__:
            message = rule.error(self)
            if message is not None:
                raise ValueError(message)
        return self


def rules_flag(model: type[BaseModel]) -> pl.Expr:
    """True where a row of ``model`` may break one of its declared rules (False: none)."""
    rules = getattr(model, "__row_rules__", ())
    if not rules:
        return pl.lit(False)
    return pl.any_horizontal([r.broken.flag().fill_null(False) for r in rules])


def _rule_sql(cond: Cond, d: Dialect) -> str:
    """A rule's SQL; TRUE (every row to pydantic) for a condition with no SQL form yet."""
    try:
        return f"COALESCE({cond.sql(d)}, FALSE)"
    except NotImplementedError:
        return "TRUE"


def rules_sql(model: type[BaseModel], d: Dialect = DUCKDB) -> str:
    """SQL true where a row of ``model`` may break one of its declared rules (FALSE: none).

    A condition without a ``sql`` form flags every row, so pydantic still judges the rule:
    slower, never wrong.
    """
    rules = getattr(model, "__row_rules__", ())
    if not rules:
        return "FALSE"
    return "(" + " OR ".join(_rule_sql(r.broken, d) for r in rules) + ")"


def undeclared_validators(model: type[BaseModel]) -> list[str]:
    """Names of a model's validators that are not the declared row rules' (should be none)."""
    validators = model.__pydantic_decorators__.model_validators
    return sorted(name for name in validators if name != "_row_rules")
