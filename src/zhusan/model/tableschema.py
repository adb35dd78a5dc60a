"""Table Schema (Frictionless) fields derived from a pydantic model's JSON Schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from zhusan.model.tables import Table

LIST_DELIMITER = ";"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
_SCALAR = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def _unwrap_optional(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Return the non-null branch of ``X | None`` and whether null was allowed."""
    options = prop.get("anyOf")
    if not options:
        return prop, False
    rest = [o for o in options if o.get("type") != "null"]
    if len(rest) != 1:
        raise TypeError(f"unsupported union in model field: {prop}")
    return {**rest[0], **{k: v for k, v in prop.items() if k not in ("anyOf", "default")}}, True


def field_descriptor(name: str, prop: dict[str, Any], required: bool) -> dict[str, Any]:
    """One Table Schema field from one JSON Schema property."""
    inner, nullable = _unwrap_optional(prop)
    out: dict[str, Any] = {"name": name}
    constraints: dict[str, Any] = {}
    if inner.get("type") == "array":
        item = inner.get("items", {})
        out.update(type="list", delimiter=LIST_DELIMITER, itemType=_SCALAR[item["type"]])
    elif "enum" in inner or "const" in inner:
        out["type"] = _SCALAR[inner.get("type", "string")]
        constraints["enum"] = list(inner.get("enum", [inner.get("const")]))
    else:
        out["type"] = _SCALAR[inner["type"]]
    for js, ts in (
        ("pattern", "pattern"),
        ("minLength", "minLength"),
        ("maxLength", "maxLength"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ):
        if js in inner:
            constraints[ts] = inner[js]
    if required and not nullable:
        constraints["required"] = True
    if "description" in prop:
        out["description"] = prop["description"]
    if constraints:
        out["constraints"] = constraints
    return out


def model_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Table Schema fields for every field of ``model``, in declaration order."""
    js = model.model_json_schema(mode="validation")
    defs = js.get("$defs", {})
    required = set(js.get("required", []))
    fields = []
    for name, prop in js["properties"].items():
        if "$ref" in prop:
            prop = {**defs[prop["$ref"].split("/")[-1]], **prop}
            prop.pop("$ref")
        fields.append(field_descriptor(name, prop, name in required))
    return fields


def table_schema(table: Table) -> dict[str, Any]:
    """The Table Schema of one table, generated from its model."""
    schema = schema_of(table.model, table.primary_key)
    fks = []
    for fk in table.foreign_keys:
        if fk.many:  # a list of references: Table Schema cannot say so; zhusan checks it
            continue
        ref: dict[str, Any] = {"fields": [fk.ref]}
        ref["resource"] = "" if fk.table == table.name else fk.table
        fks.append({"fields": [fk.field], "reference": ref})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def schema_of(model: type[BaseModel], primary_key: str) -> dict[str, Any]:
    """The Table Schema of a model with its primary key (no foreign keys)."""
    return {
        "$schema": SCHEMA_PROFILE,
        "fields": model_fields(model),
        "missingValues": [""],
        "primaryKey": [primary_key],
    }
