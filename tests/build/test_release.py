"""`zhusan release` writes a versioned, checksummed, citable release, the same bytes each time."""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

import zhusan
from tests.conftest import Runner, edit_cell, read_rows, refresh_hashes, write_rows
from tests.scratch import scratch_package
from zhusan.build.citation import citation_cff, citation_text, read_citation, zenodo_json
from zhusan.build.release import read_sums
from zhusan.cli import main
from zhusan.files.descriptor import bundled_root

ROOT = bundled_root()
VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
BASE = f"zhusan-data-{VERSION}"
FILES = {
    f"{BASE}.zip",
    f"{BASE}-parquet.zip",
    f"{BASE}.sqlite",
    f"{BASE}-datasette.json",
    f"{BASE}.xlsx",
    "CITATION.cff",
    ".zenodo.json",
    "SHA256SUMS",
}


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled package's release of 2025-06-01, written by the command line."""
    out = tmp_path_factory.mktemp("release") / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "zhusan", "release", "--out", str(out), "--date", "2025-06-01"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert {Path(line).name for line in proc.stdout.split()} == FILES
    return out


def test_the_release_holds_every_file_named_with_the_version(released: Path) -> None:
    """The package zip, Parquet, SQLite, its Datasette metadata, xlsx, citation and sums."""
    assert {p.name for p in released.iterdir()} == FILES


def test_sha256sums_verify(released: Path) -> None:
    """SHA256SUMS lists every other file with its SHA-256, and `sha256sum -c` agrees."""
    sums = read_sums((released / "SHA256SUMS").read_text(encoding="utf-8"))
    assert set(sums) == FILES - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        proc = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"], cwd=released, capture_output=True, check=False
        )
        assert proc.returncode == 0, proc.stdout


def test_a_second_build_is_byte_for_byte_the_same(released: Path, tmp_path: Path) -> None:
    """Building the same data on the same date again gives identical files."""
    again = zhusan.release(tmp_path / "again", date=date(2025, 6, 1))
    assert {p.name: p.read_bytes() for p in again} == {
        p.name: p.read_bytes() for p in released.iterdir()
    }


def test_the_release_date_is_the_only_date(released: Path) -> None:
    """CITATION.cff and .zenodo.json carry version and date; zip members carry the date."""
    cff = read_citation((released / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], cff["date-released"]) == (VERSION, "2025-06-01")
    zenodo = json.loads((released / ".zenodo.json").read_text(encoding="utf-8"))
    assert (zenodo["version"], zenodo["publication_date"]) == (VERSION, "2025-06-01")
    assert zenodo["upload_type"] == "dataset" and zenodo["license"] == "cc-by-4.0"
    for name in (f"{BASE}.zip", f"{BASE}-parquet.zip", f"{BASE}.xlsx"):
        with zipfile.ZipFile(released / name) as z:
            assert {i.date_time for i in z.infolist()} == {(2025, 6, 1, 0, 0, 0)}, name


def test_the_package_archive_is_the_package(released: Path, tmp_path: Path) -> None:
    """Unzipped, the archive validates, compares identical to the bundled package, and cites."""
    with zipfile.ZipFile(released / f"{BASE}.zip") as z:
        z.extractall(tmp_path)
    pkg = tmp_path / BASE
    assert zhusan.validate(pkg).valid
    assert zhusan.diff(ROOT, pkg)["identical"] is True
    assert zhusan.diff(ROOT, released / f"{BASE}.zip")["identical"] is True
    assert zhusan.diff(ROOT, released)["identical"] is True
    for table in zhusan.tables():
        assert (pkg / "dataset" / f"{table}.csv").is_file()
        assert (pkg / "dataset" / "json" / f"{table}.json").is_file()
    assert read_citation((pkg / "CITATION.cff").read_text("utf-8"))["date-released"] == "2025-06-01"


@pytest.mark.slow
def test_frictionless_accepts_the_released_package(released: Path, tmp_path: Path) -> None:
    """`frictionless validate` accepts the datapackage.json inside the archive."""
    with zipfile.ZipFile(released / f"{BASE}.zip") as z:
        z.extractall(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "frictionless",
            "validate",
            str(tmp_path / BASE / "datapackage.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_the_other_formats_hold_every_table(released: Path, tmp_path: Path) -> None:
    """Parquet files, the SQLite database and the xlsx sheets cover zhusan.tables()."""
    with zipfile.ZipFile(released / f"{BASE}-parquet.zip") as z:
        names = sorted(Path(n).name for n in z.namelist())
    assert names == sorted(f"{t}.parquet" for t in zhusan.tables())
    meta = json.loads((released / f"{BASE}-datasette.json").read_text(encoding="utf-8"))
    assert list(meta["databases"]) == [BASE]  # Datasette names the database after its file
    assert list(meta["databases"][BASE]["tables"]) == zhusan.tables()


def test_an_invalid_package_is_not_released(pkg: Path, tmp_path: Path, cli: Runner) -> None:
    """A package with a broken row: exit 1, and nothing is written."""
    edit_cell(pkg, "figures", "kylym-03", "unit", "furlongs")
    refresh_hashes(pkg)
    proc = cli("release", str(pkg), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "invalid package" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_stale_generated_table_is_not_released(pkg: Path, tmp_path: Path, cli: Runner) -> None:
    """figures.csv edited without `zhusan schema`: figures_flat is stale, exit 2, nothing out."""
    rows = read_rows(pkg / "dataset" / "figures.csv")
    rows[0]["note"] = "Edited without regenerating."
    write_rows(pkg / "dataset" / "figures.csv", rows)
    refresh_hashes(pkg)
    proc = cli("release", str(pkg), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "dataset/figures_flat.csv: differs from what the other tables generate" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_bad_date_is_a_usage_error(tmp_path: Path, cli: Runner) -> None:
    """--date takes YYYY-MM-DD; anything else exits 2 with argparse's message."""
    proc = cli("release", "--out", str(tmp_path / "out"), "--date", "1 June 2025")
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr


def test_a_package_built_from_scratch_is_released_under_its_own_name(tmp_path: Path) -> None:
    """Name and version come from the package's descriptor; the archive diffs identical."""
    pkg = scratch_package(tmp_path / "pkg")
    written = zhusan.release(tmp_path / "out", pkg, date(2024, 1, 31))
    names = {p.name for p in written}
    assert {"scratch-data-2.0.0.zip", "scratch-data-2.0.0.xlsx", "SHA256SUMS"} <= names
    assert zhusan.diff(pkg, tmp_path / "out")["identical"] is True
    cff = read_citation((tmp_path / "out" / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["title"], cff["version"]) == ("Scratch: one statement", "2.0.0")


def test_a_package_without_a_version_cannot_be_released(tmp_path: Path) -> None:
    """No version in datapackage.json: UnusableInput naming the field."""
    pkg = scratch_package(tmp_path / "pkg")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["version"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(zhusan.UnusableInput, match="a release needs a version"):
        zhusan.release(tmp_path / "out", pkg)


def test_citation_cff_reads_back_and_cites() -> None:
    """The CFF written from a descriptor reads back, and makes a one-line citation."""
    descriptor = {
        "name": "x",
        "title": 'A "quoted": title',
        "version": "1.2.3",
        "contributors": [{"title": "Ann Author", "roles": ["creator"]}, {"title": "A. Helper",
                                                                          "roles": ["editor"]}],
        "licenses": [{"name": "CC0-1.0"}],
        "homepage": "https://example.org/x",
    }  # fmt: skip
    cff = read_citation(citation_cff(descriptor, "2024-02-29"))
    assert cff["title"] == 'A "quoted": title'
    assert cff["authors"] == ["Ann Author"]
    assert citation_text(cff) == (
        'Ann Author (2024). A "quoted": title (Version 1.2.3) [Data set]. https://example.org/x'
    )
    other = read_citation(
        "cff-version: 1.2.0\ntitle: Other\nauthors:\n  - family-names: Doe\n    given-names: Jo\n"
        "doi: 10.5281/zenodo.1\n"
    )
    assert (
        citation_text(other) == "Jo Doe (n.d.). Other [Data set]. https://doi.org/10.5281/zenodo.1"
    )


def test_a_missing_spreadsheet_library_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without openpyxl, `zhusan release` exits 2 naming the extra to install; nothing written."""
    real = importlib.import_module

    def without_openpyxl(name: str, package: str | None = None) -> object:
        if name.startswith("openpyxl"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr("zhusan.outputs.columns.importlib.import_module", without_openpyxl)
    assert main(["release", "--out", str(tmp_path / "out")]) == 2
    assert "pip install 'zhusan-data[export]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "ident", ["https://doi.org/10.5281/zenodo.123", "doi:10.5281/zenodo.123", "10.5281/zenodo.123"]
)
def test_a_doi_in_the_descriptor_id_is_cited(ident: str) -> None:
    """A descriptor whose id is a DOI gives CITATION.cff its doi and the citation its link."""
    cff = read_citation(citation_cff({"title": "T", "id": ident, "version": "1"}))
    assert cff["doi"] == "10.5281/zenodo.123"
    assert citation_text(cff).endswith("[Data set]. https://doi.org/10.5281/zenodo.123")
    related = zenodo_json({"title": "T", "id": ident}, "2024-01-01")["related_identifiers"]
    assert related == [{"identifier": "10.5281/zenodo.123", "relation": "isVersionOf",
                        "scheme": "doi"}]  # fmt: skip


def test_an_id_that_is_no_doi_is_not_cited_as_one() -> None:
    """An id that is not a DOI (a URL, a UUID) gives no doi."""
    cff = read_citation(citation_cff({"title": "T", "id": "https://example.org/x"}))
    assert "doi" not in cff
