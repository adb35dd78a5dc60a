"""Internal: what the descriptor says that zhusan would otherwise pass over without a word.

Each table is read as UTF-8, comma-separated RFC 4180 CSV with a header row, and validated
against the models' own Table Schema. A descriptor that says otherwise (another encoding, a
dialect, a schema that differs from ours), that names a resource twice, or whose ``hash`` or
``bytes`` has the wrong type is reported, so that nobody believes a package was checked against
what its descriptor says when it was not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zhusan.files.descriptor import MAX_DESCRIPTOR_BYTES, UnusableInput, parse_json
from zhusan.files.paths import read_limited, safe_resource_path
from zhusan.files.remote import is_remote
from zhusan.model.report import Problem
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import table_schema
from zhusan.model.text import printable

#: Dialect properties (CSVW / Data Package) and the value every table is read with.
DIALECT = {
    "delimiter": ",",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
    "headerRowCount": 1,
    "skipInitialSpace": False,
    "caseSensitiveHeader": False,
    "csvddfVersion": 1.2,
}
_LINE_ENDS = ("\r\n", "\n", "\r")
_ENCODINGS = ("utf-8", "utf8", "utf-8-sig")
#: Keys of a Table Schema (and of its fields) that only describe: not compared.
_WORDS = ("title", "description", "$schema", "example", "rdfType")


def _shown(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always dumps
        text = repr(value)
    return printable(text if len(text) <= limit else text[: limit - 1] + "…")


def descriptor_problems(descriptor: dict[str, Any], root: Path) -> list[Problem]:
    """Every resource named twice, every field of the wrong type, every schema not ours."""
    out: list[Problem] = []
    first: dict[str, int] = {}
    for i, res in enumerate(descriptor["resources"]):
        name = res["name"]
        if name in first:
            out.append(
                Problem(
                    "duplicate-resource",
                    f"resource {printable(repr(name))} is named again at resources[{i}]: only "
                    f"the first (resources[{first[name]}]) is read",
                )
            )
            continue
        first[name] = i
        if name in TABLES:
            out += _fields(res, name)
            out += _schema(res, name, root)
    return out


def _fields(res: dict[str, Any], table: str) -> list[Problem]:
    """hash, bytes, encoding, format and dialect of one resource."""
    out = []

    def bad(message: str) -> None:
        out.append(Problem("descriptor-field", message, table))

    if "hash" in res and not isinstance(res["hash"], str):
        bad(f"hash must be a string ('sha256:…'), not {_shown(res['hash'])}")
    size = res.get("bytes")
    if "bytes" in res and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        bad(f"bytes must be a whole number of zero or more, not {_shown(size)}")
    encoding = res.get("encoding")
    if "encoding" in res and not (
        isinstance(encoding, str) and encoding.lower().replace("_", "-") in _ENCODINGS
    ):
        bad(f"encoding {_shown(encoding)} is not read: every table is read as UTF-8")
    fmt = res.get("format")
    if "format" in res and not (isinstance(fmt, str) and fmt.lower() == "csv"):
        bad(f"format {_shown(fmt)} is not read: every table is read as CSV")
    dialect = res.get("dialect")
    if "dialect" in res:
        if not isinstance(dialect, dict):
            bad(f"dialect {_shown(dialect)} is not read: give it as an object, or not at all")
        else:
            for key, value in dialect.items():
                if key == "lineTerminator":
                    ok = value in _LINE_ENDS
                else:
                    ok = key == "$schema" or (key in DIALECT and value == DIALECT[key])
                if not ok:
                    bad(
                        f"dialect {printable(key)} {_shown(value)} is not read: every table is "
                        "read as comma-separated RFC 4180 CSV with one header row"
                    )
    return out


def _normal(schema: dict[str, Any]) -> dict[str, Any]:
    """What of a Table Schema changes how a table is read: no titles or descriptions."""
    fields = schema.get("fields")
    out = {k: v for k, v in schema.items() if k not in (*_WORDS, "fields")}
    if isinstance(fields, list):
        out["fields"] = [
            {k: v for k, v in f.items() if k not in _WORDS} if isinstance(f, dict) else f
            for f in fields
        ]
    else:
        out["fields"] = fields
    key = out.get("primaryKey")
    if isinstance(key, str):
        out["primaryKey"] = [key]
    out.setdefault("missingValues", [""])
    return out


def difference(theirs: dict[str, Any], ours: dict[str, Any]) -> str | None:
    """The first way ``theirs`` differs from ``ours`` as a Table Schema (None: it does not)."""
    a, b = _normal(theirs), _normal(ours)
    if a == b:
        return None
    fa, fb = a.get("fields"), b["fields"]
    if not isinstance(fa, list):
        return f"its fields are {_shown(fa)}, not a list"
    names_a = [f.get("name") if isinstance(f, dict) else f for f in fa]
    names_b = [f["name"] for f in fb]
    if names_a != names_b:
        for i, (x, y) in enumerate(zip(names_a, names_b, strict=False)):
            if x != y:
                return f"field {i + 1} is {_shown(x)}, zhusan's is {_shown(y)}"
        return f"it has {len(names_a)} fields, zhusan's has {len(names_b)}"
    for x, y in zip(fa, fb, strict=True):
        for key in sorted({*x, *y}):
            if x.get(key) != y.get(key):
                return (
                    f"field {printable(y['name'])} has {printable(key)} {_shown(x.get(key))}, "
                    f"zhusan's {_shown(y.get(key))}"
                )
    for key in sorted({*a, *b} - {"fields"}):
        if a.get(key) != b.get(key):
            return f"its {printable(key)} is {_shown(a.get(key))}, zhusan's {_shown(b.get(key))}"
    return "it differs"  # pragma: no cover - equal keys and values make equal dicts


def _schema(res: dict[str, Any], table: str, root: Path) -> list[Problem]:
    """The resource's Table Schema against the one zhusan validates with."""
    if "schema" not in res:
        return []
    value = res["schema"]

    def problem(message: str) -> list[Problem]:
        return [Problem("resource-schema", message, table)]

    if isinstance(value, str):
        if is_remote(value):
            return problem(f"schema {_shown(value)} is remote: not fetched, so not compared")
        try:
            path = safe_resource_path(root, value, table)
            schema = parse_json(read_limited(root, path, MAX_DESCRIPTOR_BYTES).decode("utf-8-sig"))
        except UnusableInput as exc:
            return problem(f"schema {_shown(value)} cannot be read: {printable(exc)}")
        except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, a refused number
            return problem(f"schema {_shown(value)} is not valid JSON ({printable(exc)})")
        where = printable(value)
    elif isinstance(value, dict):
        schema, where = value, "the schema"
    else:
        return [
            Problem(
                "descriptor-field",
                f"schema must be a path or an object, not {_shown(value)}",
                table,
            )
        ]
    if not isinstance(schema, dict):
        return problem(f"{where} is not a JSON object")
    why = difference(schema, table_schema(TABLES[table]))
    if why is None:
        return []
    return problem(f"{where} differs from the zhusan schema of {table}: {why}")
