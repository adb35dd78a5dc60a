"""Shared fixtures: a writable copy of the bundled package and a command-line runner."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from zhusan.files.descriptor import bundled_root

ROOT = bundled_root()


def copy_package(dest: Path) -> Path:
    """Copy datapackage.json, dataset/, schema/ and seeds/ into ``dest``."""
    shutil.copy2(ROOT / "datapackage.json", dest / "datapackage.json")
    for sub in ("dataset", "schema", "seeds"):
        shutil.copytree(ROOT / sub, dest / sub)
    return dest


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A writable copy of the bundled package."""
    return copy_package(tmp_path)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts."""
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Write rows back with the same header and quoting conventions as the package."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit_cell(pkg: Path, table: str, key: str, field: str, value: str) -> int:
    """Set one cell of the row whose primary key is ``key``; returns its row number."""
    path = pkg / "dataset" / f"{table}.csv"
    rows = read_rows(path)
    pk = next(iter(rows[0]))
    for i, row in enumerate(rows):
        if row[pk] == key:
            row[field] = value
            write_rows(path, rows)
            return i + 2
    raise KeyError(key)


def refresh_hashes(pkg: Path) -> None:
    """Rewrite the descriptor's resource hashes, as a maintainer would after an edit."""
    from zhusan.build.package import descriptor_for
    from zhusan.files.descriptor import dump_json

    (pkg / "datapackage.json").write_bytes(dump_json(descriptor_for(pkg)))


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli() -> Runner:
    """Run ``python -m zhusan ARGS`` in a subprocess, outside the source tree."""

    def run(
        *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "zhusan", *args],
            capture_output=True,
            text=True,
            cwd=cwd or Path("/"),
            env=None if env is None else os.environ | env,
            check=False,
            timeout=120,
        )

    return run


def load_json(text: str) -> dict[str, object]:
    """Parse JSON output of the CLI."""
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def figure_id(pkg: Path, source_id: str, stated: str, measure: str | None = None) -> str:
    """The id of the one figure of ``source_id`` stating ``stated`` (optionally of ``measure``)."""
    rows = [
        r
        for r in read_rows(pkg / "dataset" / "figures.csv")
        if r["source_id"] == source_id
        and r["stated"] == stated
        and (measure is None or r["measure"] == measure)
    ]
    assert len(rows) == 1, f"{len(rows)} figures of {source_id} state {stated!r}"
    return rows[0]["figure_id"]


#: The document of the package built from scratch in the downstream tests and the tutorial.
SCRATCH_DOCUMENT = (
    "Operation Mehr returned about 12 women and 80 children in 2019. "
    "In all, ninety-two people came home.\n"
)
#: Its figures: a total, and a breakdown by group with a hedged number.
SCRATCH_FIGURES = (
    'mehr-01,mehr-report,"In all, ninety-two people came home.",ninety-two,stated,,92,'
    "persons,exact,92,92,[],returned,all,mehr,,,,,,2019,,stated,own,,,,,,,\n"
    "mehr-02,mehr-report,Operation Mehr returned about 12 women and 80 children in 2019.,12,"
    "stated,,12,persons,about,10.8,13.2,[],returned,women,mehr,,,,,,2019,,stated,own,,,"
    "mehr-01,group,true,,\n"
    "mehr-03,mehr-report,Operation Mehr returned about 12 women and 80 children in 2019.,80,"
    "stated,,80,persons,exact,80,80,[],returned,children,mehr,,,,,,2019,,stated,own,,,"
    "mehr-01,group,true,,\n"
)


def scratch_package(folder: Path) -> Path:
    """A package built as a new user would: init, add-source, figures by hand, refresh."""
    import zhusan.api as api

    pkg = folder / "mypkg"
    api.init(pkg, name="my-returns", title="Returns from the camps")
    document = folder / "mehr-report.txt"
    document.write_text(SCRATCH_DOCUMENT, encoding="utf-8")
    api.add_source(
        pkg,
        document,
        "mehr-report",
        title="Report on Operation Mehr",
        kind="ngo_report",
        published="2020",
        interest_note="An NGO report on its own programme.",
    )
    with (pkg / "dataset" / "figures.csv").open("a", encoding="utf-8") as fh:
        fh.write(SCRATCH_FIGURES)
    api.refresh(pkg)
    return pkg


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A valid package of one source and three figures, built from scratch with zhusan init."""
    return scratch_package(tmp_path)
