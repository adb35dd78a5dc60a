"""Every command explains itself, and the version comes from the package metadata."""

from __future__ import annotations

import sqlite3
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import Runner
from zhusan.cli import build_parser


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_top_level_help_lists_every_command_and_exit_code(cli: Runner) -> None:
    """`zhusan --help` names each command and the exit codes."""
    proc = cli("--help")
    assert proc.returncode == 0
    for command in _commands():
        assert command in proc.stdout
    assert "2 unusable input" in proc.stdout


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(cli: Runner, command: str) -> None:
    """`zhusan COMMAND --help` describes the command and its options."""
    proc = cli(command, "--help")
    assert proc.returncode == 0
    assert f"usage: zhusan {command}" in proc.stdout
    description = proc.stdout.split("\n\n")[1]
    assert len(description.split()) >= 8, description


def test_version_is_the_distribution_version(cli: Runner) -> None:
    """`zhusan --version` prints the installed distribution's version."""
    proc = cli("--version")
    assert proc.stdout.strip() == f"zhusan {metadata.version('zhusan-data')}"


def test_unknown_command_is_a_usage_error(cli: Runner) -> None:
    """A mistyped command exits 2 with argparse's one-line usage error."""
    proc = cli("valdiate")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr and "Traceback" not in proc.stderr


def test_export_writes_sqlite_with_working_foreign_keys(cli: Runner, tmp_path: Path) -> None:
    """`zhusan export sqlite` writes a database whose foreign keys all resolve."""
    proc = cli("export", "sqlite", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    db = sqlite3.connect(tmp_path / "out" / "zhusan-data.sqlite")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (5,)


def test_export_to_an_unknown_format_is_a_usage_error(cli: Runner, tmp_path: Path) -> None:
    """An unknown format exits 2 and writes nothing."""
    proc = cli("export", "docx", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_report_writes_a_site_that_opens_at_index(cli: Runner, tmp_path: Path) -> None:
    """`zhusan report --out DIR` writes index.html and the pages it links to."""
    proc = cli("report", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert {"index.html", "counts.html", "conflicts.html", "figures.html"} <= {
        p.name for p in (tmp_path / "site").iterdir()
    }


def test_report_with_a_release_adds_the_downloads_page(cli: Runner, tmp_path: Path) -> None:
    """`zhusan report --release DIR` writes downloads.html and copies the release's files."""
    assert cli("release", "--out", str(tmp_path / "rel"), "--date", "2025-06-01").returncode == 0
    proc = cli("report", "--out", str(tmp_path / "site"), "--release", str(tmp_path / "rel"))
    assert proc.returncode == 0, proc.stderr
    copied = {p.name for p in (tmp_path / "site" / "downloads").iterdir()}
    assert copied == {p.name for p in (tmp_path / "rel").iterdir()}
    assert (tmp_path / "site" / "downloads.html").is_file()


def test_report_with_a_folder_that_is_no_release_is_unusable(cli: Runner, tmp_path: Path) -> None:
    """A --release folder without SHA256SUMS: exit 2, one line, no site."""
    (tmp_path / "rel").mkdir()
    proc = cli("report", "--out", str(tmp_path / "site"), "--release", str(tmp_path / "rel"))
    assert proc.returncode == 2
    assert "no SHA256SUMS" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "site").exists()
