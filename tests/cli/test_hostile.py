"""A package from elsewhere cannot make validate read outside its folder, fetch or crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import zhusan
from tests.conftest import Runner, copy_package, read_rows, refresh_hashes, write_rows
from zhusan.files.descriptor import bundled_root


def _descriptor(pkg: Path) -> dict[str, object]:
    data = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.stderr.strip()


def test_symlink_out_of_the_package_is_refused(pkg: Path, cli: Runner) -> None:
    """A resource that is a symlink to a file outside the folder: exit 2, nothing read."""
    target = pkg / "dataset" / "people.csv"
    target.unlink()
    target.symlink_to("/etc/passwd")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2
    assert "points outside the package folder" in _one_line(proc)


def test_seed_symlink_out_of_the_package_is_not_read(pkg: Path, cli: Runner) -> None:
    """An archived source that links outside the folder counts as missing."""
    seed = pkg / "seeds" / "wsj-oneal-op-ed.txt"
    seed.unlink()
    seed.symlink_to("/etc/hostname")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1 and "[seed-missing]" in proc.stdout


@pytest.mark.parametrize(
    "path",
    [
        "https://example.org/figures.csv",
        "file:///etc/passwd",
        "C:/x.csv",
        "..\\x.csv",
        "\x00",
        "dataset/people.csv\x00.txt",
    ],
)
def test_remote_and_foreign_paths_are_refused(pkg: Path, cli: Runner, path: str) -> None:
    """URLs, drive letters, backslash paths and NUL bytes are never fetched or opened."""
    desc = _descriptor(pkg)
    desc["resources"][3]["path"] = path  # type: ignore[index]
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2 and "resource 'people'" in _one_line(proc)


@pytest.mark.parametrize("path", ["a" * 5000, "dataset/\n.csv"])
def test_a_path_no_file_can_have_is_a_missing_file(pkg: Path, cli: Runner, path: str) -> None:
    """A name too long for the system, or one holding a line break: missing-file, one line.

    A missing table makes a partial package: exit 2, and one line on stderr says so.
    """
    desc = _descriptor(pkg)
    desc["resources"][3]["path"] = path  # type: ignore[index]
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "[missing-file]" in proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "[missing-file]" in x)
    assert line.endswith(": no such file"), line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "not valid UTF-8 JSON"),
        ('{"resources": "dataset/figures.csv"}', "'resources' must be a list"),
        ('{"resources": [17]}', "every resource must be an object with a name"),
        ('{"resources": [{"name": "sources", "path": 5}]}', "path must be a non-empty string"),
        ("[]", "not a JSON object"),
        ("\xff\xfe", "not valid UTF-8 JSON"),
    ],
)
def test_broken_descriptors_are_unusable_input(
    pkg: Path, cli: Runner, content: str, message: str
) -> None:
    """A descriptor that is deeply nested, of the wrong shape or not JSON: exit 2, one line."""
    (pkg / "datapackage.json").write_bytes(content.encode("utf-8", errors="surrogateescape"))
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2
    assert message in _one_line(proc)


def test_an_enormous_descriptor_is_refused_unread(pkg: Path, cli: Runner) -> None:
    """A descriptor over 8 MiB is refused before it is parsed."""
    (pkg / "datapackage.json").write_text('{"x": "' + "a" * (9 << 20) + '"}', encoding="utf-8")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 2 and "more than the" in _one_line(proc)


def test_a_header_of_a_million_columns_is_refused_unread(pkg: Path, cli: Runner) -> None:
    """1.5M repeated column names in 3 MB: one too-many-columns problem, in seconds."""
    path = pkg / "dataset" / "places.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0].rstrip(b"\n") + b",x" * 1_500_000 + b"\n", *lines[1:]]))
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1 and proc.stderr == ""
    assert "dataset/places.csv row 1: [too-many-columns] the header has 1500007 columns" in (
        proc.stdout
    )


def test_a_huge_archived_source_is_refused_unread(pkg: Path, cli: Runner) -> None:
    """A seed over the size limit (a sparse file here): a seed-too-large problem, not a read."""
    from zhusan.files.seeds import MAX_SOURCE_BYTES

    seed = pkg / "seeds" / "wsj-oneal-op-ed.txt"
    with seed.open("r+b") as fh:
        fh.truncate(MAX_SOURCE_BYTES + 1)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1 and proc.stderr == ""
    assert "field path: [seed-too-large] archived source seeds/wsj-oneal-op-ed.txt" in proc.stdout


def test_non_utf8_bytes_are_reported_at_their_row(pkg: Path, cli: Runner) -> None:
    """Latin-1 bytes in a CSV: exit 1, naming the file and the row that holds them."""
    path = pkg / "dataset" / "places.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    at = len(lines) - 1  # the last row; the text decoder fails on a buffer read before row 2
    lines[at] = lines[at].replace(b",", "\xe0,".encode("latin-1"), 1)
    path.write_bytes(b"".join(lines))
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert f"dataset/places.csv row {at + 1} field place_id: [encoding] not UTF-8" in proc.stdout


def test_a_short_row_of_non_utf8_bytes_prints_no_traceback(pkg: Path, cli: Runner) -> None:
    """A short row that is not UTF-8 either: both named, later rows read, stderr silent."""
    path = pkg / "dataset" / "places.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(3, b"bad\xff,row\n")
    path.write_bytes(b"".join(lines))
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert "dataset/places.csv row 4 field place_id: [encoding] not UTF-8" in proc.stdout
    assert "dataset/places.csv row 4: [row-width]" in proc.stdout
    assert "[foreign-key]" not in proc.stdout  # every place after row 4 was read
    assert proc.stderr == ""


def test_bom_and_crlf_are_accepted(pkg: Path, cli: Runner) -> None:
    """A CSV saved by a spreadsheet, with a byte-order mark and CRLF line ends, is valid."""
    path = pkg / "dataset" / "people.csv"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("engine", ["fast", "pydantic"])
def test_a_blank_line_is_a_row_of_no_cells(pkg: Path, engine: str) -> None:
    """A blank line inside a table is reported at its row, and later rows keep their numbers."""
    import zhusan

    path = pkg / "dataset" / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = "Bad-Id" + lines[5][lines[5].index(",") :]  # a row of the right width, a bad key
    path.write_text("".join([*lines[:3], "\n", *lines[3:5], bad]), encoding="utf-8")
    refresh_hashes(pkg)
    report = zhusan.validate(pkg, engine=engine)  # type: ignore[arg-type]
    places = [(p.code, p.row) for p in report.problems if p.table == "places"]
    assert ("row-width", 4) in places, places
    assert ("cell-error", 7) in places, places  # rows after the blank line keep their numbers


def test_the_parsing_thread_stops_when_the_reader_gives_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table given up early while later blocks fail to parse: no hang, an answer."""
    import threading

    from zhusan.engines import fast as fastrows

    monkeypatch.setattr(fastrows, "BLOCK_SIZE", 1 << 10)
    lines = (bundled_root() / "dataset" / "places.csv").read_bytes().splitlines(keepends=True)
    path = tmp_path / "places.csv"
    path.write_bytes(b"".join([lines[0], b"\n", *lines[1:] * 20, b'"unterminated\n' * 50]))
    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.append(fastrows.read_fast("places", path, [], None)), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "read_fast hung"
    assert len(result) == 1  # an answer: the reference engine's turn, or record-too-long


@pytest.mark.parametrize("engine_rows", ["empty", "header-only"])
def test_empty_files_are_reported(pkg: Path, engine_rows: str) -> None:
    """An empty CSV is an error naming the file; a header-only one is an empty table."""
    import zhusan

    path = pkg / "dataset" / "discrepancies.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text("" if engine_rows == "empty" else header + "\n", encoding="utf-8")
    refresh_hashes(pkg)
    codes = {p.code: str(p) for p in zhusan.validate(pkg).problems}
    if engine_rows == "empty":
        assert "dataset/discrepancies.csv: [empty-file]" in codes["empty-file"]
    else:
        assert "empty-file" not in codes and "unexplained-finding" in codes


def test_extra_and_duplicate_columns_are_named(pkg: Path) -> None:
    """An extra column and a duplicated one are each reported at row 1 with their name."""
    import zhusan

    path = pkg / "dataset" / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",kind,surprise"] + [line + ",x,y" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refresh_hashes(pkg)
    found = {str(p) for p in zhusan.validate(pkg).problems}
    assert (
        "dataset/people.csv row 1 field surprise: [extra-column] column is not in the schema"
        in found
    )
    assert any("field kind: [duplicate-column]" in p for p in found)


def test_a_formula_in_a_cell_is_neutralised_in_excel_exports(tmp_path: Path) -> None:
    """Cells starting with = + - @ reach a spreadsheet as quote-prefixed text, never formulas."""
    import dataclasses

    import openpyxl

    from zhusan.outputs.export import export, needs_quote_prefix

    planted = ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)")
    assert all(needs_quote_prefix(cell) for cell in planted)
    assert not needs_quote_prefix("plain")
    data = zhusan.load()
    figures = tuple(
        f.model_copy(update={"note": planted[i]}) if i < len(planted) else f
        for i, f in enumerate(data.figures)
    )
    export(dataclasses.replace(data, figures=figures), "xlsx", tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "zhusan-data.xlsx")["figures"]
    column = [c.value for c in sheet[1]].index("note") + 1
    cells = [sheet.cell(row=i + 2, column=column) for i in range(len(planted))]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        (p, "s", True) for p in planted
    ]


@pytest.mark.slow
def test_a_200_mb_line_is_refused_with_little_memory(tmp_path: Path) -> None:
    """One 200 MB line: a clear error, and far less memory than the file's size."""
    pkg = copy_package(tmp_path)
    rows = read_rows(pkg / "dataset" / "figures.csv")
    write_rows(pkg / "dataset" / "figures.csv", rows[:1])
    path = pkg / "dataset" / "figures.csv"
    with path.open("a", encoding="utf-8") as fh:
        for _ in range(200):
            fh.write("x" * (1 << 20))
        fh.write("\n")
    size = path.stat().st_size

    def peak(*args: str) -> tuple[int, str]:
        code = (
            "import resource,subprocess,sys;"
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss*1024);print(p.stdout)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, sys.executable, "-m", "zhusan", *args],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ),
        )
        first, _, rest = out.stdout.partition("\n")
        return int(first), rest

    baseline, _ = peak("validate")
    used, stdout = peak("validate", str(pkg))
    assert "[record-too-long]" in stdout
    assert used - baseline < size / 4, (used, baseline, size)


def test_the_docs_state_the_limits_the_code_enforces() -> None:
    """The limits table of docs/validation.md is generated from the constants the code uses."""
    from zhusan.engines.frame import MAX_COLUMNS
    from zhusan.files.descriptor import MAX_DESCRIPTOR_BYTES
    from zhusan.files.lines import MAX_RECORD
    from zhusan.files.seeds import MAX_SOURCE_BYTES
    from zhusan.model.report import MAX_PER_CODE

    docs = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text("utf-8")
    start = docs.index("<!-- BEGIN generated: limits -->")
    block = docs[start : docs.index("<!-- END generated -->", start)]
    assert f"| a descriptor (`datapackage.json`) | {MAX_DESCRIPTOR_BYTES >> 20} MiB |" in block
    assert f"| a line of a table | {MAX_RECORD >> 20} MiB |" in block
    assert f"| {MAX_COLUMNS:,} columns |" in block
    assert f"| an archived document | {MAX_SOURCE_BYTES >> 20} MiB |" in block
    assert f"| {MAX_PER_CODE:,} (`--max-per-code`) |" in block
