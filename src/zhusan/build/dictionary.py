"""The data dictionary (``docs/data-dictionary.md``), generated from the models and the data.

For every table: its description, keys and row count; for every field: type, whether required,
constraints, vocabulary, description and an example taken from the bundled data. The output
depends only on the code and the data (no timestamps), so a drift check can compare it.
"""

from __future__ import annotations

import os
from typing import Any

from zhusan.checks.package import load_dataset
from zhusan.files.descriptor import resolve
from zhusan.model.cells import format_cell
from zhusan.model.dataset import Dataset
from zhusan.model.dates import PARTIAL_DATE_PATTERN
from zhusan.model.published import PUBLISHED
from zhusan.model.text import collapse
from zhusan.outputs.columns import Column, table_columns, table_rows

EXAMPLE_WIDTH = 60
_TYPES = {
    "string": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "list": "list of strings",
}
_CONSTRAINTS = (
    ("minLength", "min length {}"),
    ("maxLength", "max length {}"),
    ("minimum", "minimum {}"),
    ("maximum", "maximum {}"),
)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return collapse(text).replace("|", "\\|")


def _code(text: str) -> str:
    """Text as an inline code span (plain, escaped, when it holds a backtick)."""
    if "`" in text:
        return _cell(text)
    return "`" + _cell(text) + "`"


def _type(col: Column) -> str:
    if col.constraints.get("pattern") == PARTIAL_DATE_PATTERN:
        return "string (partial date)"
    return _TYPES[col.kind]


def _constraints(col: Column) -> str:
    parts = []
    if col.constraints.get("pattern") == PARTIAL_DATE_PATTERN:
        parts.append("`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real month and day")
    elif "pattern" in col.constraints:
        parts.append("pattern " + _code(col.constraints["pattern"]))
    for key, words in _CONSTRAINTS:
        if key in col.constraints:
            parts.append(words.format(format_cell(col.constraints[key])))
    if col.enum:
        parts.append("one of " + ", ".join(_code(v) for v in col.enum))
    if col.kind == "list":
        parts.append("`;`-separated in the CSV")
    return "; ".join(parts)


def _example(col: Column, rows: list[dict[str, Any]]) -> str:
    """The first non-empty value of the column, as written in the CSV, shortened if long."""
    for row in rows:
        value = row[col.name]
        if value is None or value == [] or value == "":
            continue
        text = format_cell(value)
        if len(text) > EXAMPLE_WIDTH:
            text = text[: EXAMPLE_WIDTH - 1].rstrip() + "…"
        return _code(text)
    return "(empty in every row)"


def _required(col: Column) -> str:
    return "yes" if col.required and not col.nullable else "no"


def table_section(name: str, data: Dataset) -> str:
    """The Markdown section of one table."""
    spec = PUBLISHED[name]
    rows = table_rows(data, name)
    doc = (spec.model.__doc__ or "").strip()
    intro = f"{spec.description} One row: {doc[:1].lower()}{doc[1:]}" if doc else spec.description
    lines = [f"## {name}", "", intro, ""]
    lines.append(f"- Rows: {len(rows)}")
    lines.append(f"- Primary key: `{spec.primary_key}`")
    if spec.foreign_keys:
        refs = [
            f"`{fk.field}` → `{fk.table}.{fk.ref}`" + (" (each item)" if fk.many else "")
            for fk in spec.foreign_keys
        ]
        lines.append("- Foreign keys: " + ", ".join(refs))
    else:
        lines.append("- Foreign keys: none")
    lines += [
        "",
        "| field | type | required | constraints | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for col in table_columns(name):
        cells = [
            f"`{col.name}`",
            _type(col),
            _required(col),
            _constraints(col),
            _cell(col.description),
            _example(col, rows),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def data_dictionary(path: str | os.PathLike[str] | None = None, data: Dataset | None = None) -> str:
    """The Markdown of the data dictionary.

    Of the bundled package, the one at ``path``, or the tables of ``data``.
    """
    data = data if data is not None else load_dataset(resolve(path))
    head = [
        "# Data dictionary",
        "",
        "<!-- Generated from src/zhusan/model/tables.py and the bundled data; "
        "do not edit by hand. -->",
        "",
        "Every table of the package, in the order of `datapackage.json`. In the CSV files an",
        "empty cell is a missing value, lists are `;`-separated, and booleans are `true` or",
        "`false`. A field is required when every row must give a value. Examples are the first",
        "non-empty value of the field in the bundled data. `estimates.csv` and",
        "`figures_flat.csv` are generated from the other tables by `zhusan schema`; never edit",
        "them by hand.",
        "",
        *(f"- [{name}](#{name}): {spec.description}" for name, spec in PUBLISHED.items()),
        "",
    ]
    sections = [table_section(name, data) for name in PUBLISHED]
    return "\n".join(head) + "\n" + "\n".join(sections)
