"""How SQL is spelled for the SQL engine: standard SQL, and the few forms an engine spells its own.

The row rules (``model.rules``), the interval rules (``model.intervals``) and the SQL engine's
checks write standard SQL (``CASE``, ``COALESCE``, ``NULLIF``, ``POSITION(a IN b)``,
``SUBSTRING(x FROM i FOR n)``, ``IS NOT DISTINCT FROM``, joins, group-bys, window functions,
``MERGE``) except where the standard has no form: a regular expression, a cast that gives null
instead of failing, a list cut into rows. Those go through a ``Dialect``; ``DUCKDB`` is the one
shipped. Another engine (Spark SQL, say) needs a ``Dialect`` of its own: see docs/engines.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhusan.model.text import WHITESPACE

#: A run of the characters Python's ``str.split`` splits at (``model.text.WHITESPACE``), in
#: RE2's spelling: ``Dialect.fold`` turns each into one space, as ``model.text.collapse`` does.
WHITESPACE_RUN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"


@dataclass(frozen=True)
class Dialect:
    """The spellings an engine chooses where standard SQL has none.

    Each template takes its arguments with ``str.format``: ``{0}`` an expression, ``{1}`` a
    second one (a pattern, a separator).
    """

    name: str
    #: A number from text, null (not an error) where the text is not one.
    try_number: str = "TRY_CAST({0} AS DOUBLE)"
    #: True where the text ``{0}`` has a match of the regular expression ``{1}`` anywhere.
    matches: str = "regexp_matches({0}, {1})"
    #: Every match of the regular expression ``{1}`` in ``{0}`` replaced by ``{2}``.
    replace_all: str = "regexp_replace({0}, {1}, {2}, 'g')"
    #: The characters of a text, counted as code points.
    length: str = "char_length({0})"
    #: Lower case.
    lower: str = "lower({0})"
    #: A ;-separated list cut into rows ``(item, position)``, as a FROM item aliased ``{1}``.
    items: str = "UNNEST(string_split({0}, ';')) WITH ORDINALITY AS {1}(item, pos)"
    #: The record number of a row of the table ``{0}`` read from CSV (the header being row 1).
    record: str = "{0}.rowid + 2"
    #: The items of a ;-list ``{0}`` sorted (byte order) and joined by the text ``{1}``
    #: (Spark: ``array_join(array_sort(split({0}, ';')), {1})``).
    sorted_items: str = "array_to_string(list_sort(string_split({0}, ';')), {1})"
    #: How many items a ;-list ``{0}`` has (Spark: ``size(split({0}, ';'))``).
    item_count: str = "len(string_split({0}, ';'))"
    #: A whole number from 0 to ``{1}`` - 1 for a text ``{0}``, the same for equal texts
    #: (Spark: ``pmod(hash({0}), {1})``).
    bucket: str = "hash({0}) % {1}"

    @staticmethod
    def ident(name: str) -> str:
        """A quoted identifier (standard double quotes)."""
        return '"' + name.replace('"', '""') + '"'

    @staticmethod
    def text(value: str) -> str:
        """A string literal (standard single quotes, a quote doubled)."""
        return "'" + value.replace("'", "''") + "'"

    @staticmethod
    def number(value: float) -> str:
        """A numeric literal read as a double."""
        return f"CAST({float(value)!r} AS DOUBLE)"

    def regex(self, expr: str, pattern: str) -> str:
        """True where ``expr`` has a match of ``pattern`` anywhere."""
        return self.matches.format(expr, self.text(pattern))

    def num(self, expr: str) -> str:
        """``expr`` as a number, null where it is not one."""
        return self.try_number.format(expr)

    def fold(self, expr: str) -> str:
        """``expr`` with each run of whitespace one space, none at either end (``collapse``)."""
        spaced = self.replace_all.format(expr, self.text(WHITESPACE_RUN), "' '")
        return f"TRIM(BOTH ' ' FROM {spaced})"

    def chars(self, expr: str) -> str:
        """The length of ``expr`` in code points."""
        return self.length.format(expr)


#: DuckDB's spellings (its regular expressions are RE2's).
DUCKDB = Dialect("duckdb")
