"""A package of one's own: init makes a valid one, add-source archives, refresh keeps the user's."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import zhusan
import zhusan.api as api
from tests.conftest import ROOT, SCRATCH_DOCUMENT, Runner, read_rows, write_rows
from zhusan.model.tables import TABLES


def _descriptor(pkg: Path) -> dict[str, object]:
    data = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_init_writes_a_valid_empty_package(tmp_path: Path) -> None:
    """Every table with its header, schemas, seeds/, a README, the user's name and title."""
    pkg = tmp_path / "new"
    api.init(pkg, name="kz-returns", title="Returns to Kazakhstan, 2022")
    desc = _descriptor(pkg)
    assert (desc["name"], desc["title"]) == ("kz-returns", "Returns to Kazakhstan, 2022")
    for table in [*TABLES, "estimates"]:
        assert (pkg / "dataset" / f"{table}.csv").read_text().count("\n") == 1
        assert (pkg / "schema" / f"{table}.json").is_file()
    assert (pkg / "seeds").is_dir() and (pkg / "README.md").is_file()
    report = zhusan.validate(pkg)
    assert report.valid and len(report.rows) == len(desc["resources"]) == len(TABLES) + 2


def test_init_names_the_package_after_its_folder(tmp_path: Path) -> None:
    """With no --name, the folder's name, lowercased, names the package."""
    api.init(tmp_path / "My Package")
    assert _descriptor(tmp_path / "My Package")["name"] == "my-package"


def test_init_refuses_a_folder_that_holds_files(tmp_path: Path, cli: Runner) -> None:
    """A non-empty folder is not overwritten: exit 2 in one line."""
    (tmp_path / "keep.txt").write_text("mine")
    proc = cli("init", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "exists and is not an empty folder" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_init_refuses_a_name_data_package_forbids(tmp_path: Path, cli: Runner) -> None:
    """A name with capitals or spaces is refused before anything is written."""
    proc = cli("init", str(tmp_path / "x"), "--name", "My Name")
    assert proc.returncode == 2 and "package name 'My Name'" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_add_source_archives_the_document_with_its_sha256(scratch: Path) -> None:
    """The copy is under seeds/, its row holds its sha256, and the package stays valid."""
    (row,) = read_rows(scratch / "dataset" / "sources.csv")
    data = (scratch / "seeds" / "mehr-report.txt").read_bytes()
    assert data.decode() == SCRATCH_DOCUMENT
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert (row["path"], row["kind"], row["published"]) == (
        "seeds/mehr-report.txt",
        "ngo_report",
        "2020",
    )
    assert _descriptor(scratch)["sources"] == [
        {"title": "Report on Operation Mehr", "path": "seeds/mehr-report.txt"}
    ]
    assert zhusan.validate(scratch).valid


def test_add_source_refuses_an_id_in_use(scratch: Path, tmp_path: Path, cli: Runner) -> None:
    """A second document under an id already used: exit 2, nothing written."""
    other = tmp_path / "other.txt"
    other.write_text("Another text.\n")
    before = (scratch / "dataset" / "sources.csv").read_bytes()
    proc = cli("add-source", str(scratch), str(other), "--id", "mehr-report")
    assert proc.returncode == 2
    assert "source id 'mehr-report' is already in sources row 2" in proc.stderr
    assert (scratch / "dataset" / "sources.csv").read_bytes() == before
    assert not (scratch / "seeds" / "other.txt").exists()


def test_add_source_refuses_a_document_archived_under_another_id(
    scratch: Path, tmp_path: Path, cli: Runner
) -> None:
    """The same bytes under a new id and name: refused, naming the id it is archived as."""
    copy = tmp_path / "copy.txt"
    copy.write_text(SCRATCH_DOCUMENT, encoding="utf-8")
    proc = cli("add-source", str(scratch), str(copy), "--id", "again")
    assert proc.returncode == 2
    assert "is already archived as 'mehr-report' (seeds/mehr-report.txt)" in proc.stderr


def test_add_source_says_which_fields_are_left_to_fill(
    scratch: Path, tmp_path: Path, cli: Runner
) -> None:
    """Without --kind and --interest the row is added, and stderr says what to fill in."""
    other = tmp_path / "other.txt"
    other.write_text("Another text.\n")
    proc = cli("add-source", str(scratch), str(other), "--id", "other")
    assert proc.returncode == 0
    assert "fill kind, interest_note in sources row 3" in proc.stderr
    fields = {p.field for p in zhusan.validate(scratch).problems}
    assert fields == {"kind", "interest_note"}


def test_add_source_refuses_a_cell_the_model_rejects(
    scratch: Path, tmp_path: Path, cli: Runner
) -> None:
    """An impossible publication date is refused before anything is archived."""
    other = tmp_path / "other.txt"
    other.write_text("Another text.\n")
    proc = cli("add-source", str(scratch), str(other), "--id", "other", "--published", "2019-13")
    assert proc.returncode == 2 and "sources field published" in proc.stderr
    assert not (scratch / "seeds" / "other.txt").exists()


def _own_metadata(pkg: Path) -> dict[str, object]:
    """Write metadata a user would, including a resource's own description."""
    desc = _descriptor(pkg)
    mine = {
        "name": "my-returns",
        "title": "My own title",
        "description": "Returns from the camps, as three NGOs counted them.",
        "version": "2.3.0",
        "homepage": "https://example.org/my-returns",
        "keywords": ["returns", "camps"],
        "contributors": [{"title": "A. Researcher", "roles": ["creator"]}],
        "licenses": [{"name": "ODC-BY-1.0", "path": "https://opendatacommons.org/licenses/by/"}],
    }
    desc.update(mine)
    resources = desc["resources"]
    assert isinstance(resources, list)
    resources[0]["description"] = "My documents."
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2))
    return mine


def test_refresh_never_changes_what_the_package_says_of_itself(scratch: Path) -> None:
    """Name, title, description, version, contributors, licences, homepage, keywords stay."""
    mine = _own_metadata(scratch)
    with (scratch / "dataset" / "figures.csv").open("a") as fh:
        fh.write(
            'mehr-04,mehr-report,"In all, ninety-two people came home.",ninety-two,stated,,92,'
            "persons,exact,92,92,[],in-programme,all,mehr,,,,,,2019,,stated,own,,,,,,,\n"
        )
    api.refresh(scratch)
    desc = _descriptor(scratch)
    assert {k: desc[k] for k in mine} == mine
    resources = desc["resources"]
    assert isinstance(resources, list) and resources[0]["description"] == "My documents."
    assert zhusan.validate(scratch).valid
    assert "in-programme-all-mehr-2019" in (scratch / "dataset" / "estimates.csv").read_text()


def test_zhusan_schema_keeps_the_metadata_too(scratch: Path, cli: Runner) -> None:
    """Even the maintainers' generator, pointed at a user's package, keeps its metadata."""
    mine = _own_metadata(scratch)
    proc = cli("schema", "--root", str(scratch))
    assert proc.returncode == 0, proc.stderr
    desc = _descriptor(scratch)
    assert {k: desc[k] for k in mine if k != "version"} == {
        k: v for k, v in mine.items() if k != "version"
    }


def test_refresh_fills_an_empty_sha256(scratch: Path) -> None:
    """A new document's empty sha256 cell is computed; nothing else of its row changes."""
    path = scratch / "dataset" / "sources.csv"
    rows = read_rows(path)
    want = rows[0]["sha256"]
    rows[0]["sha256"] = ""
    write_rows(path, rows)
    done = api.refresh(scratch)
    assert done.filled == ["mehr-report"]
    assert read_rows(path) == [{**rows[0], "sha256": want}]
    assert zhusan.validate(scratch).valid


def test_refresh_never_overwrites_a_filled_sha256(scratch: Path) -> None:
    """A changed document stays an error after refresh: its sha256 is not recomputed."""
    (scratch / "seeds" / "mehr-report.txt").write_text(SCRATCH_DOCUMENT + "Edited.\n")
    before = read_rows(scratch / "dataset" / "sources.csv")
    assert api.refresh(scratch).filled == []
    assert read_rows(scratch / "dataset" / "sources.csv") == before
    codes = [p.code for p in zhusan.validate(scratch).problems]
    assert codes == ["seed-hash"]


def test_refresh_of_a_partial_package_exits_2(scratch: Path, cli: Runner) -> None:
    """A table missing: one line naming it, exit 2 (not an internal error), nothing written."""
    (scratch / "dataset" / "roles.csv").unlink()
    before = (scratch / "datapackage.json").read_bytes()
    for args in (("refresh", str(scratch)), ("schema", "--root", str(scratch))):
        proc = cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "roles.csv: no such file" in proc.stderr
    assert (scratch / "datapackage.json").read_bytes() == before


def test_validate_of_a_partial_package_exits_2(scratch: Path, cli: Runner) -> None:
    """A missing table is a partial package: the report, and one line on stderr, exit 2."""
    (scratch / "dataset" / "people.csv").unlink()
    proc = cli("validate", str(scratch))
    assert proc.returncode == 2
    assert "dataset/people.csv: [missing-file]" in proc.stdout
    assert proc.stderr.count("\n") == 1 and "[missing-file]" in proc.stderr


def test_refresh_without_a_package_here_exits_2(tmp_path: Path, cli: Runner) -> None:
    """`zhusan refresh` in a folder with no package says so, and never touches the bundled one."""
    proc = cli("refresh", cwd=tmp_path)
    assert proc.returncode == 2 and "datapackage.json: no such file" in proc.stderr


def test_schema_refuses_to_write_into_an_installed_package(tmp_path: Path, cli: Runner) -> None:
    """A package under site-packages is not regenerated: exit 2, pointing to refresh."""
    root = tmp_path / "lib" / "site-packages" / "zhusan" / "data"
    root.mkdir(parents=True)
    shutil.copy2(ROOT / "datapackage.json", root / "datapackage.json")
    for sub in ("dataset", "schema", "seeds"):
        shutil.copytree(ROOT / sub, root / sub)
    before = (root / "datapackage.json").read_bytes()
    proc = cli("schema", "--root", str(root))
    assert proc.returncode == 2 and "is an installed package" in proc.stderr
    assert "zhusan refresh" in proc.stderr
    assert (root / "datapackage.json").read_bytes() == before
    assert cli("schema", "--check", "--root", str(root)).returncode == 0


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    """Under umask 002 init's files are group-writable, not the 0600 of a temporary file."""
    import os

    old = os.umask(0o002)
    try:
        api.init(tmp_path / "pkg")
    finally:
        os.umask(old)
    for path in (tmp_path / "pkg").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o664, path
