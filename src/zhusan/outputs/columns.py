"""The columns of each table as the exporters, data frames and data dictionary see them.

One place turns a model into typed columns (``columns``), one place turns a table of a loaded
``Dataset`` into plain rows (``table_rows``), and one place imports the optional libraries
(``optional_import``) with an error that says which extra to install.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from zhusan.model.published import rows_of, table_spec
from zhusan.model.tableschema import model_fields

if TYPE_CHECKING:
    from zhusan.model.dataset import Dataset

KINDS = ("string", "number", "integer", "boolean", "list")


@dataclass(frozen=True)
class Column:
    """One field of a model: its Table Schema type, whether it may be null, its vocabulary."""

    name: str
    kind: str
    """One of ``KINDS``; a list is a list of strings."""
    nullable: bool
    """Whether the model accepts None (a list is never null, it may be empty)."""
    required: bool
    """Whether a row must give the field (no default)."""
    description: str
    enum: tuple[str, ...] = ()
    """The allowed values of a vocabulary (Literal) field, in declaration order."""
    constraints: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    """Table Schema constraints other than ``required`` and ``enum``."""


def columns(model: type[BaseModel]) -> list[Column]:
    """The columns of ``model`` in declaration order (the order of the CSV header)."""
    js = model.model_json_schema(mode="validation")
    required = set(js.get("required", []))
    out = []
    for desc in model_fields(model):
        name = desc["name"]
        prop = js["properties"][name]
        nullable = any(o.get("type") == "null" for o in prop.get("anyOf", []))
        constraints = {
            k: v for k, v in desc.get("constraints", {}).items() if k not in ("required", "enum")
        }
        kind = desc["type"]
        if kind not in KINDS:
            raise TypeError(f"{model.__name__}.{name}: unsupported type {kind!r}")
        out.append(
            Column(
                name=name,
                kind=kind,
                nullable=nullable,
                required=name in required,
                description=desc.get("description", ""),
                enum=tuple(desc.get("constraints", {}).get("enum", ())),
                constraints=constraints,
            )
        )
    return out


def table_columns(table: str) -> list[Column]:
    """The columns of the table named ``table`` (a key of ``PUBLISHED``; else UnknownTable)."""
    return columns(table_spec(table).model)


def table_rows(data: Dataset, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` as JSON-compatible dicts (``model_dump(mode="json")``).

    Generated tables (``estimates``, ``figures_flat``) are computed from ``data``.
    """
    return [m.model_dump(mode="json") for m in rows_of(data, table)]


def optional_import(module: str, needed_by: str, extra: str) -> Any:
    """Import ``module``, or raise an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{needed_by} needs {module}: pip install 'zhusan-data[{extra}]'"
        ) from exc
