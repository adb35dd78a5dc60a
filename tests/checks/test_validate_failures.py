"""A broken copy of the package fails validation with a message naming the place."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import zhusan
from tests.conftest import Runner, edit_cell, figure_id, read_rows, refresh_hashes, write_rows


def _validate_with(pkg: Path, cli: Runner, fid: str, field: str, value: str) -> tuple[int, str]:
    """Set one figure cell, refresh hashes, validate: the edited row and the CLI's output."""
    row = edit_cell(pkg, "figures", fid, field, value)
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    return row, proc.stdout


def _figure_codes_at(pkg: Path, row: int) -> set[str]:
    """The codes of the problems validate reports at one row of figures."""
    return {p.code for p in zhusan.validate(pkg).problems if p.table == "figures" and p.row == row}


def _codes(pkg: Path) -> dict[str, list[str]]:
    report = zhusan.validate(pkg)
    out: dict[str, list[str]] = {}
    for p in report.problems:
        out.setdefault(p.code, []).append(str(p))
    return out


def test_changed_seed_byte_fails_naming_the_source(pkg: Path, cli: Runner) -> None:
    """One changed byte of an archived document fails its sha256 check."""
    seed = pkg / "seeds" / "kylym-shamy-report.txt"
    data = bytearray(seed.read_bytes())
    data[100] = ord("X") if data[100] != ord("X") else ord("Y")
    seed.write_bytes(bytes(data))
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert "dataset/sources.csv row 6 field sha256: [seed-hash]" in proc.stdout
    assert "kylym-shamy-report.txt" in proc.stdout


def test_unknown_source_id_fails_as_foreign_key(pkg: Path, cli: Runner) -> None:
    """A figure citing a source that does not exist is a broken foreign key."""
    fid = figure_id(pkg, "wsj-oneal-op-ed", "607")
    row, out = _validate_with(pkg, cli, fid, "source_id", "no-such-source")
    assert f"dataset/figures.csv row {row} field source_id: [foreign-key]" in out
    assert "'no-such-source' is not a source_id in sources" in out


def test_wrong_typed_cell_fails_naming_row_and_field(pkg: Path, cli: Runner) -> None:
    """A word where a number belongs is a cell error at that row and field."""
    fid = figure_id(pkg, "kylym-shamy-report", "595")
    row, out = _validate_with(pkg, cli, fid, "value", "many")
    assert f"dataset/figures.csv row {row} field value: [cell-error]" in out


def test_stale_resource_hash_fails(pkg: Path, cli: Runner) -> None:
    """A CSV edited without updating the descriptor fails its hash and byte count."""
    edit_cell(pkg, "people", "nurlan", "note", "edited")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert "dataset/people.csv: [resource-hash]" in proc.stdout
    assert "dataset/people.csv: [resource-bytes]" in proc.stdout


@pytest.mark.parametrize("engine", ["fast", "pydantic"])
@pytest.mark.parametrize("algo", ["", "md5", "sha1", "sha256", "sha512", "crc32"])
def test_a_declared_hash_is_checked_with_its_algorithm(pkg: Path, algo: str, engine: str) -> None:
    """Each engine checks a hash with the algorithm it names (md5 when none), or names it."""
    import hashlib

    data = (pkg / "dataset" / "people.csv").read_bytes()
    digest = hashlib.new(algo or "md5", data).hexdigest() if algo != "crc32" else "00"
    wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    messages = {}
    for name, value in (("right", digest), ("wrong", wrong)):
        descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        res = next(r for r in descriptor["resources"] if r["name"] == "people")
        res["hash"] = f"{algo}:{value}" if algo else value
        (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        report = zhusan.validate(pkg, engine=engine)  # type: ignore[arg-type]
        messages[name] = [p.message for p in report.problems if p.code == "resource-hash"]
    if algo == "crc32":
        assert messages["right"] == messages["wrong"] == ["unsupported hash algorithm 'crc32'"]
    else:
        assert messages["right"] == []
        assert messages["wrong"] == [f"{algo or 'md5'} of the file does not match the descriptor"]


def test_changed_quote_fails_naming_the_row(pkg: Path) -> None:
    """One changed character of a quote is no longer found in the source."""
    rows = read_rows(pkg / "dataset" / "figures.csv")
    fid = figure_id(pkg, "kylym-shamy-report", "595")
    target = next(r for r in rows if r["figure_id"] == fid)
    row = edit_cell(pkg, "figures", fid, "quote", target["quote"].replace("595", "596"))
    for field in ("stated", "value", "lower", "upper"):
        edit_cell(pkg, "figures", fid, field, "596")
    refresh_hashes(pkg)
    found = _codes(pkg)["quote-not-found"]
    assert found == [
        f"dataset/figures.csv row {row} field quote: [quote-not-found] "
        f"quote is not in source kylym-shamy-report"
    ]


def test_repeated_primary_key_fails(pkg: Path) -> None:
    """Two rows with one key fail the primary key check."""
    row = edit_cell(pkg, "people", "nurlan", "person_id", "zarina")
    refresh_hashes(pkg)
    (msg,) = _codes(pkg)["primary-key"]
    assert "field person_id: [primary-key] 'zarina' repeats row" in msg
    assert f"row {row}" in msg


def test_colliding_key_hashes_cost_time_never_a_false_repeat(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every key hash equal, only the key that repeats is reported, at its row."""
    monkeypatch.setattr(pl.Series, "hash", lambda self, *a, **k: pl.Series([0] * len(self)))
    assert "primary-key" not in _codes(pkg)
    ids = [r["person_id"] for r in read_rows(pkg / "dataset" / "people.csv")]
    rows = sorted(
        [edit_cell(pkg, "people", "nurlan", "person_id", "zarina"), 2 + ids.index("zarina")]
    )
    refresh_hashes(pkg)
    found = [p for p in zhusan.validate(pkg).problems if p.code == "primary-key"]
    assert [(p.table, p.row, p.value) for p in found] == [("people", rows[1], "zarina")]
    assert f"repeats row {rows[0]}" in found[0].message


def test_second_spelling_of_a_person_fails(pkg: Path) -> None:
    """A person entered twice under two spellings is caught by the alias check."""
    path = pkg / "dataset" / "people.csv"
    rows = read_rows(path)
    dup = dict(next(r for r in rows if r["person_id"] == "bibigul-asylova"))
    dup.update(person_id="bibigul-assylova", name="Bibigul Assylova", aliases="")
    rows.append(dup)
    write_rows(path, rows)
    refresh_hashes(pkg)
    msgs = _codes(pkg)["duplicate-name"]
    assert any("'Bibigul Assylova' also names 'bibigul-asylova'" in m for m in msgs)


def test_interval_not_following_the_rule_fails(pkg: Path) -> None:
    """Lower and upper must be what the qualifier rule gives."""
    fid = figure_id(pkg, "kylym-shamy-report", "595")
    row = edit_cell(pkg, "figures", fid, "lower", "500")
    refresh_hashes(pkg)
    msgs = _codes(pkg)["interval-rule"]
    assert any(f"dataset/figures.csv row {row} field lower" in m for m in msgs)


def test_missing_descriptor_exits_2(tmp_path: Path, cli: Runner) -> None:
    """A folder without datapackage.json is unusable input: exit 2, one line, no traceback."""
    proc = cli("validate", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreadable_json_exits_2(pkg: Path, cli: Runner) -> None:
    """A descriptor that is not JSON is unusable input."""
    (pkg / "datapackage.json").write_text("{not json", encoding="utf-8")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2
    assert "not valid UTF-8 JSON" in proc.stderr and "Traceback" not in proc.stderr


def test_resource_path_outside_the_package_exits_2(pkg: Path, cli: Runner) -> None:
    """A resource path that leaves the folder or names a URL is refused before reading."""
    for bad in ("../../etc/passwd", "http://example.org/figures.csv", "/etc/passwd"):
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        desc["resources"][0]["path"] = bad
        (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
        proc = cli("validate", str(pkg))
        assert proc.returncode == 2, bad
        assert "resource 'sources'" in proc.stderr


def test_missing_column_is_reported_once(pkg: Path) -> None:
    """A table without a schema column fails once, naming the column, not once per row."""
    path = pkg / "dataset" / "events.csv"
    rows = read_rows(path)
    for r in rows:
        del r["note"]
    write_rows(path, rows)
    refresh_hashes(pkg)
    codes = _codes(pkg)
    assert codes["missing-column"] == [
        "dataset/events.csv row 1 field note: [missing-column] column is missing from the header"
    ]


def test_entity_without_mention_fails(pkg: Path) -> None:
    """A place that no source attests is reported: every row is backed by a quote."""
    path = pkg / "dataset" / "mentions.csv"
    rows = [r for r in read_rows(path) if r["place_id"] != "caspian-sea"]
    write_rows(path, rows)
    refresh_hashes(pkg)
    (msg,) = _codes(pkg)["unattested"]
    assert "dataset/places.csv row" in msg and "no mention attests 'caspian-sea'" in msg


def test_discrepancy_naming_the_wrong_figures_fails_as_mismatch(pkg: Path) -> None:
    """A discrepancies row whose finding occurs but whose figure_ids differ is a mismatch."""
    row = edit_cell(pkg, "discrepancies", "disc-01", "figure_ids", "kylym-03;pitch-08")
    refresh_hashes(pkg)
    mismatches = _codes(pkg).get("discrepancy-mismatch", [])
    assert mismatches == [
        f"dataset/discrepancies.csv row {row} field figure_ids: [discrepancy-mismatch] "
        "rule and figure_ids must be disagreement and kylym-03;rferl-10"
    ], mismatches


@pytest.mark.parametrize("broken", ["none", "the figure", "its parent"])
def test_a_broken_figure_is_left_to_its_cell_error(pkg: Path, broken: str) -> None:
    """A figure with a broken cell, or linked to one, gets no interval or link error besides."""
    part = figure_id(pkg, "wsj-oneal-op-ed", "157")
    other = figure_id(pkg, "kylym-shamy-report", "595")  # another source: a cross-source link
    row = edit_cell(pkg, "figures", part, "parent_id", other)
    if broken != "none":
        edit_cell(pkg, "figures", part if broken == "the figure" else other, "value", "many")
    refresh_hashes(pkg)
    at_row = _figure_codes_at(pkg, row)
    expected = {"none": {"cross-source-link"}, "the figure": {"cell-error"}, "its parent": set()}
    assert at_row == expected[broken], at_row


def test_a_figure_breaking_a_row_rule_gets_no_interval_error_besides(pkg: Path) -> None:
    """A lower bound above the upper is a row-rule error, and no interval-rule error besides."""
    fid = figure_id(pkg, "kylym-shamy-report", "595")
    row = edit_cell(pkg, "figures", fid, "lower", "1000000")
    refresh_hashes(pkg)
    at_row = _figure_codes_at(pkg, row)
    assert at_row == {"row-rule"}, at_row
