"""The duckdb engine gives the same report as the fast and the pydantic engine.

Same codes, rows, fields, messages, order and counts: on the bundled package, on faults
hypothesis plants in it (cells, and records DuckDB's reader refuses), under a small
``max_per_code``, and on a package built here from scratch with a fault of every kind the
checks across rows and tables find.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zhusan
from tests.conftest import Runner, copy_package, edit_cell, read_rows, refresh_hashes, write_rows
from tests.engines.test_engines import broken_records, broken_table
from zhusan.engines.frame import columns
from zhusan.model.tables import TABLES

pytest.importorskip("duckdb")

ENGINES = ("fast", "pydantic", "duckdb")


def reports(path: Path, **kwargs: Any) -> dict[str, dict[str, Any]]:
    """The JSON report of each engine on the package at ``path``."""
    return {e: zhusan.validate(path, engine=e, **kwargs).to_dict() for e in ENGINES}


def assert_same(found: dict[str, dict[str, Any]]) -> None:
    """Every engine's report equals the fast engine's, error by error."""
    fast = found["fast"]
    for engine, report in found.items():
        for i, (a, b) in enumerate(zip(fast["errors"], report["errors"], strict=False)):
            assert a == b, f"{engine}: error {i} differs:\n{a}\n{b}"
        assert report == fast, f"{engine}: {report['errors_by_code']} != {fast['errors_by_code']}"


def test_the_engines_agree_on_the_bundled_package(pkg: Path) -> None:
    """The bundled package is valid for all three engines, with the same rows counted."""
    found = reports(pkg)
    assert_same(found)
    assert found["duckdb"]["valid"] is True
    assert found["duckdb"]["rows"]["figures"] == len(read_rows(pkg / "dataset" / "figures.csv"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=broken_table(), rehash=st.booleans())
def test_the_engines_agree_on_planted_faults(case: tuple[str, str], rehash: bool) -> None:
    """Cells broken at random in one table: the same report from every engine."""
    table, text = case
    with tempfile.TemporaryDirectory() as tmp:
        pkg = copy_package(Path(tmp))
        (pkg / "dataset" / f"{table}.csv").write_text(text, encoding="utf-8", newline="")
        if rehash:
            refresh_hashes(pkg)
        assert_same(reports(pkg))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=broken_records())
def test_the_engines_agree_on_records_duckdb_refuses(case: tuple[str, bytes]) -> None:
    """Blank lines, short and long records, bytes not UTF-8, stray quotes: the same report."""
    table, data = case
    with tempfile.TemporaryDirectory() as tmp:
        pkg = copy_package(Path(tmp))
        (pkg / "dataset" / f"{table}.csv").write_bytes(data)
        assert_same(reports(pkg))


def _faulty_figures(pkg: Path) -> None:
    """Several problems of each of several codes in figures.csv."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    for i, row in enumerate(rows[:12]):
        row["unit"] = "parsecs" if i % 3 == 0 else row["unit"]
        row["source_id"] = "nowhere" if i % 3 == 1 else row["source_id"]
        if i % 3 == 2 and row["lower"]:
            row["lower"] = str(float(row["lower"]) - 1)
    rows[20]["figure_id"] = rows[21]["figure_id"] = rows[22]["figure_id"]
    write_rows(path, rows)


@pytest.mark.parametrize("cap", [0, 1, 2])
def test_the_engines_agree_under_a_small_max_per_code(pkg: Path, cap: int) -> None:
    """With ``max_per_code`` below the counts, the same problems are kept and counted."""
    _faulty_figures(pkg)
    found = reports(pkg, max_per_code=cap)
    assert_same(found)
    assert found["duckdb"]["errors_truncated"] is True
    by_code = found["duckdb"]["errors_by_code"]
    assert by_code["foreign-key"] >= 4 and by_code["primary-key"] == 2
    kept = [(e["table"], e["code"]) for e in found["duckdb"]["errors"]]
    assert all(kept.count(k) <= cap for k in set(kept))


# --- a package built from scratch -----------------------------------------------------------

TEXT = (
    "The Ministry of Welfare said that 120 women and 80 children came home in 2020, "
    "250 people in all. Aid Kazakhstan counted about 300 returnees that year. "
    "Minister Ada Bek visited the camp at Sandy Hollow."
)
OTHER = "A second report: 200 women came home in 2020. The ministry agreed."


def _source(sid: str, name: str, data: bytes) -> dict[str, str]:
    return {
        "source_id": sid,
        "title": f"Report {sid}",
        "kind": "ngo_report",
        "published": "2021",
        "published_basis": "stated",
        "path": f"seeds/{name}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "archived_as": name,
        "language": "en",
        "interest": "unknown",
        "interest_note": "None stated.",
    }


def _figure(fid: str, sid: str, quote: str, stated: str, value: int, **more: str) -> dict[str, str]:
    v = str(value)
    return {
        "figure_id": fid,
        "source_id": sid,
        "quote": quote,
        "stated": stated,
        "value": v,
        "unit": "persons",
        "qualifier": "exact",
        "lower": v,
        "upper": v,
        "bounds": "[]",
        "measure": "returned",
        "scope": "homecoming",
        "as_of": "2020",
        "date_basis": "stated",
        "derivation": "stated",
        "attribution": "own",
    } | more


def _write(root: Path, name: str, rows: list[dict[str, str]]) -> None:
    header = list(columns(name))
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(rows)
    (root / "data" / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")


def scratch_package(root: Path) -> Path:
    """A package of its own (folder ``data/``, two documents), with one fault of each kind."""
    (root / "data").mkdir()
    (root / "seeds").mkdir()
    text, other = TEXT.encode(), OTHER.encode()
    (root / "seeds" / "welfare.txt").write_bytes(text)
    (root / "seeds" / "second.txt").write_bytes(other)
    q1 = "The Ministry of Welfare said that 120 women and 80 children came home in 2020"
    tables: dict[str, list[dict[str, str]]] = {
        "sources": [
            _source("welfare", "welfare.txt", text),
            _source("second", "second.txt", other),
        ],
        "organizations": [
            {
                "organization_id": "welfare-ministry",
                "name": "Ministry of Welfare",
                "kind": "ministry",
            },
            # duplicate-name: its alias is the ministry's name
            {
                "organization_id": "aid-kz",
                "name": "Aid Kazakhstan",
                "aliases": "Ministry of  welfare",
                "kind": "ngo",
            },
        ],
        "places": [
            {"place_id": "sandy-hollow", "name": "Sandy Hollow", "kind": "camp"},
            {"place_id": "nowhere-land", "name": "Nowhere Land", "kind": "region"},  # unattested
        ],
        "people": [
            {"person_id": "ada-bek", "name": "Ada Bek", "kind": "official", "naming": "full_name"}
        ],
        "roles": [
            {
                "role_id": "ada-bek-minister",
                "person_id": "ada-bek",
                "title": "Minister",
                "organization_id": "no-such-org",  # foreign-key
                "tense": "current",
                "source_id": "welfare",
                "quote": "Minister Ada Bek",
            },
        ],
        "events": [{"event_id": "visit", "name": "Visit to the camp", "kind": "visit"}],
        "figures": [
            _figure("w-women", "welfare", q1, "120", 120, group="women"),
            _figure("w-children", "welfare", q1, "80", 80, group="children"),
            _figure("w-all", "welfare", "250 people in all", "250", 250, group="all"),
            _figure(
                "w-aid",
                "welfare",
                "Aid Kazakhstan counted about 300 returnees",
                "300",
                300,
                qualifier="about",
                lower="270",
                upper="340",  # interval-rule: upper 330
                group="all",
                scope="aid",
            ),
            # unexplained finding: the second source says 200 women, the first 120
            _figure("s-women", "second", "200 women came home in 2020", "200", 200, group="women"),
            # cross-source-link: a part of a figure of the other source
            _figure(
                "s-part",
                "second",
                "200 women came home in 2020",
                "200",
                200,
                group="women",
                scope="parts",
                parent_id="w-all",
                axis="group",
                exhaustive="false",
            ),
            # cell-error and row-rule
            _figure("w-bad-unit", "welfare", "250 people in all", "250", 250, unit="parsecs"),
            _figure("w-bad-rule", "welfare", "250 people in all", "999", 250, scope="rule"),
        ],
        "mentions": [
            {
                "mention_id": "m-1",
                "source_id": "welfare",
                "organization_id": "welfare-ministry",
                "quote": "The Ministry of Welfare said",
            },
            {
                "mention_id": "m-2",
                "source_id": "welfare",
                "organization_id": "aid-kz",
                "quote": "Aid Kazakhstan counted",
            },
            {
                "mention_id": "m-3",
                "source_id": "welfare",
                "person_id": "ada-bek",
                "quote": "Minister Ada Bek",
            },
            {
                "mention_id": "m-4",
                "source_id": "welfare",
                "place_id": "sandy-hollow",
                "quote": "the camp at  Sandy\\nHollow",
            },  # quote-not-found (a backslash-n)
            {
                "mention_id": "m-4",
                "source_id": "welfare",
                "event_id": "visit",  # primary-key
                "quote": "visited the camp",
            },
        ],
        "discrepancies": [
            {
                "discrepancy_id": "d-1",
                "finding_id": "disagreement:s-women+w-women",
                "rule": "disagreement",
                "figure_ids": "s-women;w-women",
                "kind": "scope",
                "basis": "stated",
                "explanation": "Different counts.",
            },
            {
                "discrepancy_id": "d-2",
                "finding_id": "disagreement:w-all+w-aid",  # stale
                "rule": "disagreement",
                "figure_ids": "w-all;w-aid",
                "kind": "scope",
                "basis": "stated",
                "explanation": "No longer disagree.",
            },
        ],
    }
    tables["discrepancies"] = tables["discrepancies"][1:]  # leave the disagreement unexplained
    resources = []
    for name in TABLES:
        _write(root, name, tables.get(name, []))
        data = (root / "data" / f"{name}.csv").read_bytes()
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        )
    descriptor = {"name": "from-scratch", "resources": resources}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def test_the_engines_agree_on_a_package_built_from_scratch(tmp_path: Path) -> None:
    """A package of its own: every fault found, the same report from every engine."""
    found = reports(scratch_package(tmp_path))
    assert_same(found)
    assert set(found["duckdb"]["errors_by_code"]) == {
        "cell-error",
        "row-rule",
        "primary-key",
        "foreign-key",
        "quote-not-found",
        "interval-rule",
        "cross-source-link",
        "unattested",
        "duplicate-name",
        "unexplained-finding",
        "stale-discrepancy",
    }


def test_a_table_duckdb_cannot_read_is_read_by_the_fast_engine(pkg: Path) -> None:
    """A blank line in figures.csv: DuckDB would skip it; the fast engine reports it."""
    path = pkg / "dataset" / "figures.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    found = reports(pkg)
    assert_same(found)
    assert found["duckdb"]["errors_by_code"] == {
        "resource-bytes": 1,
        "resource-hash": 1,
        "row-width": 1,
    }


def test_a_bad_memory_limit_is_refused(pkg: Path) -> None:
    """A memory limit DuckDB cannot read is a ValueError naming it."""
    with pytest.raises(ValueError, match="not 'lots'"):
        zhusan.validate(pkg, engine="duckdb", memory_limit="lots")


@pytest.mark.parametrize("text", ["300", "lots", "3 00MB", "-1MB"])
def test_a_memory_limit_without_a_size_and_unit_is_refused(pkg: Path, text: str) -> None:
    """A number without its unit (DuckDB's parser error, once exit 3) is a ValueError."""
    with pytest.raises(ValueError, match="a number and a unit"):
        zhusan.validate(pkg, engine="duckdb", memory_limit=text)


def test_python_borrows_the_database_memory_and_gives_it_back() -> None:
    """Inside ``lent`` DuckDB keeps to a quarter of its limit; after, even on error, all of it."""
    from zhusan.engines.duck import SqlTables

    store = SqlTables("400MB")
    try:
        setting = "SELECT current_setting('memory_limit')"
        whole = store.scalar(setting)
        with store.lent():
            assert store.scalar(setting) == "95.3 MiB"  # 100,000,000 bytes
        assert store.scalar(setting) == whole == "381.4 MiB"
        with pytest.raises(KeyError), store.lent():
            raise KeyError("a check failed")
        assert store.scalar(setting) == whole
    finally:
        store.close()


def test_the_texts_load_within_half_the_limit_and_the_keys_on_one_thread() -> None:
    """DuckDB appends the texts with half its limit and joins the keys on one thread; then all."""
    from zhusan.checks.sql import _keys
    from zhusan.engines.duck import SqlTables
    from zhusan.model.report import Problems

    store = SqlTables("400MB")
    seen: list[tuple[str, tuple[object, ...]]] = []
    settings = "SELECT current_setting('memory_limit'), current_setting('threads')"
    append, execute = store.append, store.execute

    def noted_append(table: str, frame: Any) -> None:
        seen.append(("append", store.con.execute(settings).fetchall()[0]))
        append(table, frame)

    def noted_execute(sql: str, params: list[Any] | None = None) -> Any:
        seen.append(("query", store.con.execute(settings).fetchall()[0]))
        return execute(sql, params)

    try:
        memory, threads = store.all(settings)[0]
        store.append = noted_append  # type: ignore[method-assign]
        store.load_texts([("a", "text " * 1000), ("b", "more text")])
        store.execute = noted_execute  # type: ignore[method-assign]
        with pytest.raises(Exception, match="sources"):
            _keys(store, Problems(None))  # no table was loaded: the first join fails
        store.execute = execute  # type: ignore[method-assign]
        assert store.all(settings)[0] == (memory, threads)  # all of it again, after an error too
    finally:
        store.close()
    assert memory == "381.4 MiB" and seen[0] == ("append", ("190.7 MiB", threads)), seen
    assert seen[-1] == ("query", (memory, 1)), seen


@pytest.mark.parametrize("limit", [None, 1 << 62])
def test_kept_rows_stream_an_uncapped_query_a_batch_at_a_time(limit: int | None) -> None:
    """With no cap the kept rows come a batch at a time, in order, and none is counted dropped."""
    from zhusan.engines.duck import BATCH, SqlTables, kept_rows
    from zhusan.model.report import Problems

    store = SqlTables()
    try:
        store.execute("CREATE TABLE t AS SELECT range AS i FROM range(10000)")
        problems = Problems(limit)
        batches = kept_rows(store, problems, "t", "x", "SELECT i FROM t ORDER BY i DESC")
        first = next(batches)  # a list of every row would not be an iterator
        rest = [row for batch in batches for row in batch]
    finally:
        store.close()
    assert len(first) == BATCH
    assert [i for (i,) in first + rest] == list(range(9999, -1, -1))
    assert not problems.dropped


@pytest.mark.parametrize(("room", "kept"), [(0, 0), (5, 5), (4097, 4097), (10000, 10000)])
def test_kept_rows_stop_at_the_cap_and_count_the_rest(room: int, kept: int) -> None:
    """Past the cap the rows are counted, not handed out; a query that fits drops nothing."""
    from zhusan.engines.duck import SqlTables, kept_rows
    from zhusan.model.report import Problems

    store = SqlTables()
    try:
        store.execute("CREATE TABLE t AS SELECT range AS i FROM range(10000)")
        problems = Problems(room)
        batches = kept_rows(store, problems, "t", "x", "SELECT i FROM t ORDER BY i")
        rows = [row for batch in batches for row in batch]
    finally:
        store.close()
    assert [i for (i,) in rows] == list(range(kept))
    assert problems.dropped["x"] == 10000 - kept


def test_a_memory_limit_too_small_is_unusable_input(pkg: Path) -> None:
    """DuckDB running out of its limit is unusable input naming the limit, not a crash."""
    with pytest.raises(zhusan.UnusableInput, match=r"memory limit \(1MB\)"):
        zhusan.validate(pkg, engine="duckdb", memory_limit="1MB")


def test_the_database_folder_is_removed(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary folder of the database is gone once validate returns."""
    made: list[Path] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        out = real(*args, **kwargs)
        made.append(Path(out))
        return out

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    assert zhusan.validate(pkg, engine="duckdb").valid
    assert made and not any(p.exists() for p in made)


def test_cli_engine_duckdb_prints_the_api_report(cli: Runner, pkg: Path) -> None:
    """``validate --engine duckdb --json`` prints what the API returns, exit 1 when invalid."""
    _faulty_figures(pkg)
    proc = cli("validate", str(pkg), "--engine", "duckdb", "--memory-limit", "200MB", "--json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == zhusan.validate(pkg, engine="duckdb").to_dict()


def test_cli_refuses_a_bad_memory_limit(cli: Runner) -> None:
    """A memory limit that is not a size is a usage error (exit 2) naming it."""
    proc = cli("validate", "--engine", "duckdb", "--memory-limit", "lots")
    assert proc.returncode == 2 and "not 'lots'" in proc.stderr


def test_without_duckdb_the_engine_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Without the duckdb package: one line saying how to install it, exit 2, no traceback."""
    code = (
        "import sys; sys.modules['duckdb'] = None\n"
        "from zhusan.cli import main\n"
        "sys.exit(main(['validate', '--engine', 'duckdb']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1:] == [
        "zhusan: cannot validate: the duckdb engine needs the duckdb package, which is not "
        "installed (pip install 'zhusan-data[duckdb]')"
    ]
    assert proc.stdout == ""


# --- the checks of data model v2 ------------------------------------------------------------


def _parent_cycle(pkg: Path) -> None:
    edit_cell(pkg, "places", "kazakhstan", "parent_id", "aktau")  # aktau lies in kazakhstan


def _look_alike_names(pkg: Path) -> None:
    # A Cyrillic А, and a full-width Ｋ: the same names as akniyet's and kazakhstan's once NFKC.
    edit_cell(pkg, "organizations", "biden-administration", "aliases", "\u0410kniyet")
    edit_cell(pkg, "places", "aktau", "aliases", "Aqtau;\uff2bazakhstan")


def _wrong_derived_value(pkg: Path) -> None:
    for field in ("value", "lower", "upper"):
        edit_cell(pkg, "figures", "wsj-22", field, "38")


def _edited_estimate(pkg: Path) -> None:
    edit_cell(pkg, "estimates", "stage-arrested-all-zhusan-2019", "low", "28")


def _misstated_words(pkg: Path) -> None:
    for field in ("value", "lower", "upper"):
        edit_cell(pkg, "figures", "wsj-15", field, "36")  # stated "Thirty-seven"


def _v2_vocabulary(pkg: Path) -> None:
    edit_cell(pkg, "figures", "wsj-13", "attribution", "hearsay")
    edit_cell(pkg, "sources", "mercury-media-pitch", "interest", "partisan")
    edit_cell(pkg, "discrepancies", "disc-01", "basis", "guessed")


V2_FAULTS = {
    "parent-cycle": _parent_cycle,
    "duplicate-name": _look_alike_names,
    "derived-value": _wrong_derived_value,
    "estimate-mismatch": _edited_estimate,
    "row-rule": _misstated_words,
    "cell-error": _v2_vocabulary,
}


@pytest.mark.parametrize("code", list(V2_FAULTS))
def test_the_engines_agree_on_the_faults_of_data_model_v2(pkg: Path, code: str) -> None:
    """Each fault of data model v2 is found, and every engine gives the same report."""
    V2_FAULTS[code](pkg)
    refresh_hashes(pkg)
    found = reports(pkg)
    assert_same(found)
    assert code in found["duckdb"]["errors_by_code"]


def test_the_engines_agree_on_every_v2_fault_at_once_under_a_cap(pkg: Path) -> None:
    """The v2 faults on valid rows together, one kept per code: the same report."""
    # An invalid figure would hide the estimates: they are compared only when all are valid.
    planted = {c: p for c, p in V2_FAULTS.items() if c not in ("cell-error", "row-rule")}
    for plant in planted.values():
        plant(pkg)
    refresh_hashes(pkg)
    found = reports(pkg, max_per_code=1)
    assert_same(found)
    assert set(planted) <= set(found["duckdb"]["errors_by_code"])
    assert found["duckdb"]["errors_truncated"] is True


def test_the_engines_agree_on_a_package_made_with_init_and_add_source(scratch: Path) -> None:
    """A package made by ``zhusan init`` and ``add-source``: valid for every engine alike."""
    found = reports(scratch)
    assert_same(found)
    assert found["duckdb"]["valid"] is True
    assert found["duckdb"]["rows"]["figures"] == 3


def test_the_engines_agree_on_faults_in_a_package_made_with_init(scratch: Path) -> None:
    """The scratch package with a cycle, misstated words and a wrong interval: the same report."""
    edit_cell(scratch, "figures", "mehr-01", "parent_id", "mehr-02")
    edit_cell(scratch, "figures", "mehr-01", "axis", "group")
    edit_cell(scratch, "figures", "mehr-01", "exhaustive", "true")
    for field in ("value", "lower", "upper"):
        edit_cell(scratch, "figures", "mehr-03", field, "81")
    edit_cell(scratch, "figures", "mehr-02", "upper", "13.3")
    refresh_hashes(scratch)
    found = reports(scratch)
    assert_same(found)
    assert {"parent-cycle", "row-rule", "interval-rule"} <= set(found["duckdb"]["errors_by_code"])


def test_a_table_named_like_a_glob_is_read_as_named(pkg: Path) -> None:
    """A file named ``[f]igures.csv`` is the file DuckDB reads, not figures.csv it would match."""
    rows = read_rows(pkg / "dataset" / "figures.csv")
    rows[0]["unit"] = "parsecs"
    named = pkg / "dataset" / "[f]igures.csv"
    write_rows(named, rows)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if res["name"] == "figures":
            data = named.read_bytes()
            res |= {"path": "dataset/[f]igures.csv", "bytes": len(data)}
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    found = reports(pkg)
    assert_same(found)
    assert found["duckdb"]["errors_by_code"].get("cell-error") == 1


def test_a_semicolon_in_stated_is_a_cell_error_alike_for_every_engine(pkg: Path) -> None:
    """A ';' in stated (it would split estimates.values) names the row and field, no crash."""
    row = next(r for r in read_rows(pkg / "dataset" / "figures.csv") if r["figure_id"] == "wsj-13")
    stated = row["stated"] + ";"
    edit_cell(pkg, "figures", "wsj-13", "quote", row["quote"].replace(row["stated"], stated, 1))
    edit_cell(pkg, "figures", "wsj-13", "stated", stated)
    refresh_hashes(pkg)
    found = reports(pkg)
    assert_same(found)
    errors = [e for e in found["fast"]["errors"] if e["field"] == "stated"]
    assert len(errors) == 1 and errors[0]["table"] == "figures", found["fast"]["errors"]
    assert "pattern" in errors[0]["message"] and "^[^;]+$" in errors[0]["message"]


def test_the_engines_agree_when_the_figures_are_cut_into_many_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts of one figure each (a hash in polars, in SQL): the reports of whole tables."""
    from zhusan.checks import findings

    path = scratch_package(tmp_path)
    whole = reports(path)
    monkeypatch.setattr(findings, "PART_ROWS", 1)
    cut = reports(path)
    assert_same(cut)
    assert cut == whole
    assert cut["duckdb"]["errors_by_code"]["unexplained-finding"] >= 1
    assert cut["duckdb"]["errors_by_code"]["stale-discrepancy"] >= 1


def test_a_finding_found_in_two_parts_is_one_finding(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures copied under their own ids into another scope: their finding is reported once."""
    from zhusan.checks import findings

    path = pkg / "dataset" / "discrepancies.csv"
    disc = read_rows(path)
    gone = next(r for r in disc if r["rule"] == "disagreement")
    write_rows(path, [r for r in disc if r is not gone])  # the finding, now unexplained
    ids = gone["figure_ids"].split(";")
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    write_rows(path, rows + [r | {"scope": "elsewhere"} for r in rows if r["figure_id"] in ids])
    refresh_hashes(pkg)
    monkeypatch.setattr(findings, "PART_ROWS", 1)
    found = reports(pkg)
    assert_same(found)
    codes = found["duckdb"]["errors_by_code"]
    assert codes["unexplained-finding"] == 1 and codes["primary-key"] == len(ids), codes
    unexplained = [e for e in found["duckdb"]["errors"] if e["code"] == "unexplained-finding"]
    assert gone["finding_id"] in unexplained[0]["message"], unexplained


def _spaced_quotes(pkg: Path, blank_line: bool) -> None:
    """Quotes with runs of odd whitespace (found once folded), and one not in its source."""
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    quoted = [r for r in rows if " " in r["quote"]]
    for r, space in zip(quoted[:3], ["\n  ", "\u3000\t", " \u2028 "], strict=True):
        r["quote"] = f"{space}{r['quote'].replace(' ', space, 2)}{space}"
    quoted[3]["quote"] = quoted[3]["quote"].replace(" ", " not ", 1)
    write_rows(path, rows)
    if blank_line:  # DuckDB skips a blank line: the fast engine reads the table instead
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    refresh_hashes(pkg)


@pytest.mark.parametrize("blank_line", [False, True])
def test_quotes_are_folded_alike_in_sql_and_in_python(pkg: Path, blank_line: bool) -> None:
    """Folded quotes are found and a changed one is not, read by DuckDB or by the fast engine."""
    _spaced_quotes(pkg, blank_line)
    found = reports(pkg)
    assert_same(found)
    assert found["duckdb"]["errors_by_code"].get("quote-not-found") == 1


def _explanations_gone_wrong(pkg: Path) -> None:
    """Three rows dropped (unexplained), two misspelled (mismatch), two made up (stale)."""
    path = pkg / "dataset" / "discrepancies.csv"
    rows = read_rows(path)
    kept = rows[3:]
    kept[0]["figure_ids"] = ";".join(reversed(kept[0]["figure_ids"].split(";"))) + ";rferl-10"
    kept[1]["rule"] = "cumulative-decrease"
    for n, row in enumerate(kept[2:4]):
        row["finding_id"] = f"disagreement:made-up-{n}"
    write_rows(path, kept)
    refresh_hashes(pkg)


@pytest.mark.parametrize("cap", [None, 0, 1, 2])
def test_the_engines_agree_on_findings_explained_wrongly(pkg: Path, cap: int | None) -> None:
    """Unexplained findings, misspelled and stale rows: the same problems kept and counted."""
    _explanations_gone_wrong(pkg)
    found = reports(pkg, max_per_code=cap)
    assert_same(found)
    by_code = found["duckdb"]["errors_by_code"]
    assert by_code["unexplained-finding"] >= 3
    assert by_code["discrepancy-mismatch"] == 2
    assert by_code["stale-discrepancy"] == 2


def test_the_cycles_check_fetches_only_the_rows_that_have_a_parent(pkg: Path) -> None:
    """Of the figures, the duckdb engine hands the cycles check those with a parent or a whole."""
    from zhusan.checks.package import read_package
    from zhusan.checks.sql import PYTHON_CHECKS, _slim

    read = read_package(pkg / "datapackage.json", engine="duckdb")
    assert read.store is not None
    try:
        check, slim_of = PYTHON_CHECKS[0]
        assert check.__name__ == "check_cycles"
        fetched = _slim(read.store, slim_of(read.store.dialect), valid=True).tables["figures"]
    finally:
        read.close()
    rows = read_rows(pkg / "dataset" / "figures.csv")
    linked = [r["figure_id"] for r in rows if r["parent_id"] or r["subset_of"]]
    assert 0 < len(linked) < len(rows)
    assert fetched.frame["figure_id"].to_list() == linked


#: The command line, stopped as polars starts to load, printing what polars' allocator is told.
_ALLOCATOR_AT_IMPORT = (
    "import os,sys,importlib.abc\n"
    "class Stop(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path, target=None):\n"
    "        if name == 'polars':\n"
    "            print(os.environ.get('_RJEM_MALLOC_CONF')); sys.stdout.flush(); os._exit(0)\n"
    "sys.meta_path.insert(0, Stop())\n"
    "from zhusan.__main__ import run;sys.argv[0]='zhusan';run()"
)


@pytest.mark.parametrize(
    ("args", "env", "told"),
    [
        (["validate", "--engine", "duckdb"], None, "dirty_decay_ms:0,muzzy_decay_ms:0"),
        (["validate", "x", "--engine=duckdb"], None, "dirty_decay_ms:0,muzzy_decay_ms:0"),
        (["validate", "--engine", "duckdb"], "narenas:1", "narenas:1"),
        (["validate", "--engine", "fast"], None, "None"),
        (["validate", "duckdb"], None, "None"),
    ],
)
def test_the_duckdb_engine_has_polars_give_freed_memory_back(
    args: list[str], env: str | None, told: str
) -> None:
    """With --engine duckdb polars loads told to free pages at once; a user's own setting stays."""
    environ = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if env is not None:
        environ["_RJEM_MALLOC_CONF"] = env
    done = subprocess.run(
        [sys.executable, "-c", _ALLOCATOR_AT_IMPORT, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, f"{told}\n"), done.stderr
