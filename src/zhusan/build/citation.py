"""How to cite a package: its CITATION.cff and Zenodo's .zenodo.json, from its descriptor.

Both come from ``datapackage.json`` alone (title, version, description, contributors, licence,
keywords, homepage, and ``id`` when it is a DOI), so the version is written in one place.
``date`` is the release date (ISO ``YYYY-MM-DD``); without it no date is written (the source
tree's CITATION.cff, between releases). ``read_citation`` reads back from a CITATION.cff the
fields the report site shows.
"""

from __future__ import annotations

import json
import re
from typing import Any

CFF_FILE = "CITATION.cff"
ZENODO_FILE = ".zenodo.json"
CFF_MESSAGE = (
    "If you use this data package, please cite it as below, and cite the archived source of "
    "each number you use."
)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax, which YAML reads the same)."""
    return json.dumps(text, ensure_ascii=False)


def _creators(descriptor: dict[str, Any]) -> list[str]:
    people = [
        c["title"]
        for c in descriptor.get("contributors", [])
        if isinstance(c, dict) and isinstance(c.get("title"), str)
        and (not c.get("roles") or {"creator", "author"} & set(c.get("roles", [])))
    ]  # fmt: skip
    return people or [str(descriptor.get("name") or "unknown")]


def _license(descriptor: dict[str, Any]) -> str | None:
    for lic in descriptor.get("licenses", []):
        if isinstance(lic, dict) and isinstance(lic.get("name"), str):
            return str(lic["name"])
    return None


_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def doi(descriptor: dict[str, Any]) -> str | None:
    """The DOI the descriptor's ``id`` holds (``https://doi.org/10.5281/zenodo.1``), if any."""
    m = _DOI.match(str(descriptor.get("id") or ""))
    return m.group(1) if m else None


def citation_cff(descriptor: dict[str, Any], date: str | None = None) -> str:
    """The CITATION.cff (Citation File Format 1.2.0) of the package ``descriptor`` describes."""
    lines = [
        "cff-version: 1.2.0",
        f"message: {_q(CFF_MESSAGE)}",
        "type: dataset",
        f"title: {_q(str(descriptor.get('title') or descriptor.get('name') or ''))}",
    ]
    if descriptor.get("version"):
        lines.append(f"version: {_q(str(descriptor['version']))}")
    if date:
        lines.append(f"date-released: {_q(date)}")
    if found := doi(descriptor):
        lines.append(f"doi: {_q(found)}")
    lines.append("authors:")
    lines += [f"  - name: {_q(name)}" for name in _creators(descriptor)]
    if descriptor.get("description"):
        lines.append(f"abstract: {_q(str(descriptor['description']))}")
    if license_ := _license(descriptor):
        lines.append(f"license: {_q(license_)}")
    if descriptor.get("homepage"):
        lines.append(f"url: {_q(str(descriptor['homepage']))}")
    keywords = [k for k in descriptor.get("keywords", []) if isinstance(k, str)]
    if keywords:
        lines.append("keywords:")
        lines += [f"  - {_q(k)}" for k in keywords]
    return "\n".join(lines) + "\n"


def zenodo_json(descriptor: dict[str, Any], date: str) -> dict[str, Any]:
    """The .zenodo.json Zenodo reads when it archives a GitHub release (its deposit metadata)."""
    out: dict[str, Any] = {
        "upload_type": "dataset",
        "title": str(descriptor.get("title") or descriptor.get("name") or ""),
        "version": str(descriptor.get("version") or ""),
        "publication_date": date,
        "description": str(descriptor.get("description") or ""),
        "creators": [{"name": name} for name in _creators(descriptor)],
        "access_right": "open",
    }
    if license_ := _license(descriptor):
        out["license"] = license_.lower()
    keywords = [k for k in descriptor.get("keywords", []) if isinstance(k, str)]
    if keywords:
        out["keywords"] = keywords
    related = []
    if descriptor.get("homepage"):
        related.append({"identifier": str(descriptor["homepage"]), "relation": "isDocumentedBy"})
    if found := doi(descriptor):  # the concept DOI every version of the package shares
        related.append({"identifier": found, "relation": "isVersionOf", "scheme": "doi"})
    if related:
        out["related_identifiers"] = related
    return out


_LINE = re.compile(r"^(?P<indent> *)(?:- )?(?P<key>[A-Za-z-]+):(?: (?P<value>.*))?$")


def _scalar(text: str) -> str:
    text = text.strip()
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return text.strip('"')
        return str(value)
    return text.strip("'")


def read_citation(text: str) -> dict[str, Any]:
    """The top-level scalars of a CITATION.cff and its authors' names (``authors``: a list).

    A small reader of the block YAML a CITATION.cff is written in, enough for what a citation
    shows: title, version, date-released, doi, url, and each author as ``name`` or
    ``given-names family-names``.
    """
    out: dict[str, Any] = {"authors": []}
    section = None
    person: dict[str, str] = {}

    def flush() -> None:
        if person:
            name = person.get("name") or " ".join(
                p for p in (person.get("given-names"), person.get("family-names")) if p
            )
            if name:
                out["authors"].append(name)
            person.clear()

    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _LINE.match(raw)
        if not m:
            continue
        indent, key, value = len(m.group("indent")), m.group("key"), m.group("value")
        if indent == 0:
            flush()
            section = key
            if value is not None and value.strip():
                out[key] = _scalar(value)
        elif section == "authors":
            if raw.lstrip().startswith("- "):
                flush()
            if value is not None:
                person[key] = _scalar(value)
    flush()
    return out


def citation_text(cff: dict[str, Any]) -> str:
    """One line citing the package: ``Authors (year). Title (Version v) [Data set]. DOI/URL``."""
    authors = ", ".join(cff.get("authors") or []) or "Anonymous"
    year = str(cff.get("date-released", ""))[:4] or "n.d."
    version = f" (Version {cff['version']})" if cff.get("version") else ""
    where = f" https://doi.org/{cff['doi']}" if cff.get("doi") else (
        f" {cff['url']}" if cff.get("url") else ""
    )  # fmt: skip
    return f"{authors} ({year}). {cff.get('title', '')}{version} [Data set].{where}"
