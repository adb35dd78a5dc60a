"""The fast engine and the pydantic engine flag exactly the same rows and fields.

Hypothesis plants random faults in copies of real tables; both engines must report the same
problems and leave the same frames for the set-wise checks.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import read_rows, refresh_hashes, write_rows
from zhusan.checks.frames import valid_rows
from zhusan.checks.package import read_package
from zhusan.engines import csvfallback as csvrows
from zhusan.engines import fast as fastrows
from zhusan.engines.csvfallback import read_csv_rows
from zhusan.engines.fast import read_fast
from zhusan.engines.frame import DROPPED
from zhusan.engines.reference import read_records
from zhusan.files.descriptor import bundled_root, resolve
from zhusan.model.report import Problem

TABLES = ("figures", "events", "mentions", "people", "sources")
ROWS = {t: read_rows(bundled_root() / "dataset" / f"{t}.csv") for t in TABLES}
NASTY = [
    "",
    " ",
    "many",
    "-1",
    "0",
    "150",
    "1e5",
    "5.0",
    " 5",
    "1_000",
    "nan",
    "inf",
    "0x10",
    "true",
    "True",
    "1",
    "yes",
    "2019",
    "2019-13",
    "2019-02-29",
    "2020-02-29",
    "2019-06-31",
    "2019-6",
    "X Y",
    "UPPER",
    "a-b",
    "a--b",
    "a;;b",
    ";a",
    "a;",
    "percent",
    "exact",
    "nearly",
    "[]",
    "[)",
    "women",
    "é",
    "line\nbreak",
    "tab\there",
    "\x1c",
    "kylym-03",
    "wsj-12",
]


def _csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _diff(a: object, b: object) -> list[tuple[object, ...]]:
    """The cells where two frames differ: (row, column, reference value, fast value)."""
    assert isinstance(a, pl.DataFrame) and isinstance(b, pl.DataFrame)
    out = []
    for ra, rb in zip(a.iter_rows(named=True), b.iter_rows(named=True), strict=False):
        out += [(ra["_row"], k, ra[k], rb.get(k)) for k in ra if ra[k] != rb.get(k)]
    return out[:10]


@st.composite
def broken_table(draw: st.DrawFn) -> tuple[str, str]:
    table = draw(st.sampled_from(TABLES))
    rows = [dict(r) for r in ROWS[table]]
    fields = list(rows[0])
    for _ in range(draw(st.integers(1, 12))):
        row = draw(st.integers(0, len(rows) - 1))
        field = draw(st.sampled_from(fields))
        value = draw(
            st.one_of(
                st.sampled_from(NASTY),
                st.sampled_from([r[field] for r in ROWS[table]]),
                st.text(max_size=12),
            )
        )
        rows[row][field] = value
    return table, _csv(rows)


def _both(table: str, text: str, tmp: Path) -> tuple[object, object]:
    path = tmp / f"{table}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    slow_problems: list[object] = []
    with path.open(encoding="utf-8", newline="") as fh:
        slow = read_records(table, fh, slow_problems, keep_models=False)  # type: ignore[arg-type]
    fast_problems: list[object] = []
    fast = read_fast(table, path, fast_problems, None)  # type: ignore[arg-type]
    if fast is None:  # malformed records: the reference engine reads the table (by design)
        return (slow_problems, None), (slow_problems, None)
    keep = [c for c in slow.frame.columns if table == "sources" or c not in DROPPED]
    key = lambda p: (p.row or 0, p.field or "", p.code, p.message)  # noqa: E731
    return (
        (sorted(slow_problems, key=key), slow.frame.select(keep).sort("_row")),  # type: ignore[arg-type]
        (sorted(fast_problems, key=key), fast.frame.select(keep).sort("_row")),  # type: ignore[arg-type]
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=broken_table())
def test_engines_agree_on_random_faults(case: tuple[str, str], tmp_path: Path) -> None:
    """Same problems, same rows, same fields, same messages, same frames."""
    table, text = case
    (sp, sf), (fp, ff) = _both(table, text, tmp_path)
    assert sp == fp
    assert sf is None or (isinstance(sf, pl.DataFrame) and sf.equals(ff)), _diff(sf, ff)


def test_engines_agree_on_the_bundled_tables(tmp_path: Path) -> None:
    """On valid data neither engine reports anything, and the frames are identical."""
    for table in TABLES:
        (sp, sf), (fp, ff) = _both(table, _csv(ROWS[table]), tmp_path)
        assert sp == fp == []
        assert isinstance(sf, pl.DataFrame) and sf.equals(ff)


def test_a_planted_fault_is_found_by_the_fast_engine(tmp_path: Path) -> None:
    """A word in a number column is flagged at its row and field, with pydantic's message."""
    rows = [dict(r) for r in ROWS["figures"]]
    rows[5]["value"] = "many"
    (sp, _), (fp, _) = _both("figures", _csv(rows), tmp_path)
    assert fp == sp and [(p.row, p.field, p.code) for p in fp] == [(7, "value", "cell-error")]  # type: ignore[attr-defined]


@st.composite
def broken_records(draw: st.DrawFn) -> tuple[str, bytes]:
    """A table with broken cells and records: blank, short, long, not UTF-8, a stray quote."""
    table, text = draw(broken_table())
    lines = text.encode("utf-8").split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["blank", "short", "long", "bytes", "quote"]))
        i = draw(st.integers(1, len(lines) - 1))
        if kind == "blank":
            lines.insert(i, b"")
        elif kind == "short":
            lines[i] = lines[i].rpartition(b",")[0]
        elif kind == "long":
            lines[i] += b",extra"
        elif kind == "bytes":
            k = draw(st.integers(0, len(lines[i])))
            lines[i] = (
                lines[i][:k]
                + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
                + lines[i][k:]
            )
        else:
            lines[i] = b'"' + lines[i]
    return table, b"\n".join(lines)


def _reference_and_csv_path(table: str, data: bytes, tmp: Path) -> tuple[object, object]:
    path = tmp / f"{table}.csv"
    path.write_bytes(data)
    slow_problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        slow = read_records(table, fh, slow_problems, keep_models=False)
    fast_problems: list[Problem] = []
    fast = read_csv_rows(table, path, fast_problems, None)
    keep = [c for c in slow.frame.columns if table == "sources" or c not in DROPPED]
    key = lambda p: (p.row or 0, p.field or "", p.code, p.message)  # noqa: E731
    return (
        (sorted(slow_problems, key=key), slow.frame.select(keep).sort("_row")),
        (sorted(fast_problems, key=key), fast.frame.select(keep).sort("_row")),
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=broken_records())
def test_the_csv_path_agrees_with_the_reference_on_broken_records(
    case: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files pyarrow refuses are read by csv and checked by polars: the reference's problems."""
    monkeypatch.setattr(csvrows, "CHUNK_ROWS", 7)  # many chunks, so their seams are tested
    table, data = case
    (sp, sf), (fp, ff) = _reference_and_csv_path(table, data, tmp_path)
    assert sp == fp
    assert isinstance(sf, pl.DataFrame) and sf.equals(ff), _diff(sf, ff)


def test_a_blank_line_costs_pydantic_only_the_flagged_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One blank line no longer sends every row of the table through pydantic."""
    calls: list[int] = []
    real = fastrows.row_problems

    def counted(name: str, number: int, cells: dict[str, str]) -> object:
        calls.append(number)
        return real(name, number, cells)

    monkeypatch.setattr(fastrows, "row_problems", counted)
    rows = [dict(r) for r in ROWS["figures"]]
    rows[3]["value"] = "many"
    clean, blank = tmp_path / "clean" / "figures.csv", tmp_path / "blank" / "figures.csv"
    for path, tail in ((clean, ""), (blank, "\n")):
        path.parent.mkdir()
        path.write_text(_csv(rows) + tail, encoding="utf-8", newline="")
    assert read_fast("figures", clean, [], None) is not None
    by_pyarrow, calls[:] = list(calls), []
    problems: list[Problem] = []
    assert read_fast("figures", blank, problems, None) is None  # pyarrow refuses the blank line
    read_csv_rows("figures", blank, problems, None)
    assert calls == by_pyarrow and 5 in calls and len(calls) < len(rows)
    assert [p.row for p in problems if p.code == "row-width"] == [len(rows) + 2]


def test_the_checks_take_the_valid_rows_as_a_slice(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table read fast holds its valid rows first; the checks take them without a copy.

    Each part stays in file order. A frame in any other order still gives its valid rows.
    """
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    rows[1]["value"] = "many"
    rows[4]["unit"] = "bad"
    write_rows(path, rows)
    refresh_hashes(pkg)
    read = read_package(resolve(pkg))
    valid = [r for r in range(2, len(rows) + 2) if r not in (3, 6)]
    assert read.tables["figures"].frame["_row"].to_list() == [*valid, 3, 6]

    with monkeypatch.context() as m:
        m.setattr(pl.DataFrame, "filter", lambda *a, **k: pytest.fail("a filtered copy"))
        assert valid_rows(read, "figures", "value")["_row"].to_list() == valid

    read.tables["figures"].frame = read.tables["figures"].frame.sort("_row")
    assert valid_rows(read, "figures", "value")["_row"].to_list() == valid


def test_flagged_rows_are_fixed_in_place_each_at_its_own_row(tmp_path: Path) -> None:
    """Valid flagged rows are normalised, invalid ones marked, each at its row, nothing else.

    ``40000.0`` is flagged (not the package's spelling of a number) but valid; pydantic's
    canonical ``40000`` replaces it. ``many`` is invalid and stays as written.
    """
    rows = [dict(r) for r in ROWS["figures"]]
    whole = [i for i, r in enumerate(rows) if r["value"].isdigit()][:4]
    original = [rows[i]["value"] for i in whole]
    for k, i in enumerate(whole):
        rows[i]["value"] = original[k] + ".0" if k % 2 == 0 else "many"
    (sp, sf), (fp, ff) = _both("figures", _csv(rows), tmp_path)
    assert isinstance(sf, pl.DataFrame) and isinstance(ff, pl.DataFrame)
    assert fp == sp and sf.equals(ff), _diff(sf, ff)
    got = ff.filter(pl.col("_row").is_in([i + 2 for i in whole])).sort("_row")
    assert got["value"].to_list() == [original[0], "many", original[2], "many"]
    assert got["_ok"].to_list() == [True, False, True, False]
    assert ff.filter(pl.col("_ok")).height == len(rows) - 2
