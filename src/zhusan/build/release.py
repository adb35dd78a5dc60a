"""Internal: a versioned release of a package, every file of it the same bytes for the same data.

``write_release(descriptor, out, released)`` writes into the folder ``out``, for a package named
``NAME`` at version ``V`` (both read from its datapackage.json, the one place the version is):

- ``NAME-V.zip``: the Frictionless package (datapackage.json, CSV files, Table Schemas, JSON
  files with their JSON Schemas, archived sources, CITATION.cff) in a folder ``NAME-V/``;
- ``NAME-V-parquet.zip``: one Parquet file per table;
- ``NAME-V.sqlite`` and ``NAME-V-datasette.json`` (its Datasette metadata);
- ``NAME-V.xlsx``: one sheet per table;
- ``CITATION.cff`` and ``.zenodo.json`` with the version and the release date;
- ``SHA256SUMS``: the SHA-256 of every other file (``sha256sum -c SHA256SUMS`` checks them).

The only date in any file is ``released``: zip members and the xlsx properties carry it, so
two builds of the same data on the same date are identical. The package must be valid
(``zhusan validate``) and every resource must match its descriptor's hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from zhusan.build.citation import CFF_FILE, ZENODO_FILE, citation_cff, zenodo_json
from zhusan.checks.package import InvalidPackage, load_dataset, validate_package
from zhusan.files.descriptor import DESCRIPTOR, UnusableInput, dump_json, read_descriptor
from zhusan.files.output import staging_folder
from zhusan.files.paths import digest, resource_map, safe_resource_path
from zhusan.files.remote import is_remote
from zhusan.files.zips import write_zip
from zhusan.model.dataset import Dataset
from zhusan.model.published import DERIVED, table_csv
from zhusan.outputs.export import XLSX_FILE, export, json_files
from zhusan.outputs.sqlite import DATABASE_FILE, datasette_metadata

SUMS_FILE = "SHA256SUMS"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
#: Files of the package folder shipped in the archive when present (documentation).
_EXTRAS = ("README.md", "docs/data-dictionary.md")


def release_base(descriptor: dict[str, Any]) -> str:
    """``NAME-VERSION``, the stem of every release file; UnusableInput if either is unusable."""
    name, version = descriptor.get("name"), descriptor.get("version")
    for field, value in (("name", name), ("version", version)):
        if not isinstance(value, str) or not _NAME.match(value):
            raise UnusableInput(
                f"datapackage.json: a release needs a {field} of letters, digits and . _ + - "
                f"(not {value!r})"
            )
    return f"{name}-{version}"


def _checked(descriptor: Path) -> Dataset:
    """The package's tables; InvalidPackage if it is invalid or a resource differs from its hash."""
    report = validate_package(descriptor)
    for name, res in resource_map(read_descriptor(descriptor)).items():
        if name in report.rows or is_remote(res.get("path")):
            continue  # checked by validate, or refused below
        path = safe_resource_path(descriptor.parent, res.get("path"), name)
        if not path.is_file():
            raise UnusableInput(f"resource {name!r}: {res.get('path')}: no such file")
        report.problems.extend(digest(res, path, name))
    if not report.valid:
        raise InvalidPackage(report)
    data = load_dataset(descriptor)
    resources = resource_map(read_descriptor(descriptor))
    for name in DERIVED:
        where = resources.get(name, {}).get("path")
        if isinstance(where, str) and not is_remote(where):
            on_disk = safe_resource_path(descriptor.parent, where, name).read_bytes()
            if on_disk != table_csv(name, data):
                raise UnusableInput(
                    f"{where}: differs from what the other tables generate; run `zhusan schema`"
                )
    return data


def _package_files(descriptor: Path, data: Dataset) -> dict[str, bytes]:
    """Every file of the package archive, by its path inside the package folder."""
    root, meta = descriptor.parent, read_descriptor(descriptor)
    files = {DESCRIPTOR: descriptor.read_bytes()}
    for name, res in resource_map(meta).items():
        if is_remote(res.get("path")):
            raise UnusableInput(f"resource {name!r}: a release holds local files only")
        for key in ("path", "schema"):
            if isinstance(res.get(key), str):
                files[res[key]] = safe_resource_path(root, res[key], name).read_bytes()
    for s in data.sources:
        files[s.path] = safe_resource_path(root, s.path, "sources").read_bytes()
    for name, content in json_files(data).items():
        folder = "schema" if name.endswith(".schema.json") else "dataset"
        files[f"{folder}/json/{name}"] = content
    for extra in _EXTRAS:
        if (root / extra).is_file():
            files[extra] = (root / extra).read_bytes()
    return files


def release_files(descriptor: Path, released: dt.date) -> dict[str, bytes]:
    """Every file of the release of the package at ``descriptor``, by name (SHA256SUMS last)."""
    meta = read_descriptor(descriptor)
    base = release_base(meta)
    data = _checked(descriptor)
    when = dt.datetime(released.year, released.month, released.day)
    date = released.isoformat()
    cff = citation_cff(meta, date).encode("utf-8")
    package = _package_files(descriptor, data) | {CFF_FILE: cff}
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="zhusan-release-") as tmp:
        folder = Path(tmp)
        write_zip(folder / "p.zip", ((f"{base}/{k}", package[k]) for k in sorted(package)), when)
        out[f"{base}.zip"] = (folder / "p.zip").read_bytes()
        parquet = export(data, "parquet", folder / "parquet")
        write_zip(
            folder / "q.zip",
            ((f"{base}-parquet/{p.name}", p.read_bytes()) for p in sorted(parquet)),
            when,
        )
        out[f"{base}-parquet.zip"] = (folder / "q.zip").read_bytes()
        export(data, "sqlite", folder / "sqlite")
        out[f"{base}.sqlite"] = (folder / "sqlite" / DATABASE_FILE).read_bytes()
        out[f"{base}-datasette.json"] = dump_json(datasette_metadata(base))
        export(data, "xlsx", folder / "xlsx", when)
        out[f"{base}.xlsx"] = (folder / "xlsx" / XLSX_FILE).read_bytes()
    out[CFF_FILE] = cff
    out[ZENODO_FILE] = dump_json(zenodo_json(meta, date))
    out[SUMS_FILE] = sha256sums(out)
    return out


def sha256sums(files: dict[str, bytes]) -> bytes:
    """The text of a SHA256SUMS file for ``files`` (name: bytes), in name order."""
    lines = (f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files))
    return "".join(lines).encode("utf-8")


def read_sums(text: str) -> dict[str, str]:
    """The files a SHA256SUMS text lists, with their SHA-256 (``sha256sum`` format)."""
    out = {}
    for line in text.splitlines():
        digest_, sep, name = line.partition("  ")
        if not sep:
            digest_, sep, name = line.partition(" *")
        if sep and re.fullmatch(r"[0-9a-f]{64}", digest_) and name:
            out[name] = digest_
    return out


def write_release(descriptor: Path, out: str | os.PathLike[str], released: dt.date) -> list[Path]:
    """Write the release of the package at ``descriptor`` into the folder ``out``; the files.

    Files of the same names in ``out`` are replaced, others kept; nothing in ``out`` changes
    unless every file was made. Raises ``InvalidPackage`` for an invalid package and
    ``UnusableInput`` for one that cannot be released (no usable name or version).
    """
    files = release_files(descriptor, released)
    target = Path(out)
    staging = staging_folder(target)
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / name for name in files]
