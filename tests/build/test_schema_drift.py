"""Generated files (schema/*.json, datapackage.json) match what their generator writes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Runner
from zhusan.build.package import drifted
from zhusan.files.descriptor import bundled_root


def test_generated_files_match_the_models() -> None:
    """Nothing under schema/ or datapackage.json differs from `zhusan schema` output."""
    assert drifted(bundled_root()) == []


def test_schema_check_exits_zero_when_current(cli: Runner) -> None:
    """`zhusan schema --check` exits 0 on the bundled package."""
    proc = cli("schema", "--check")
    assert proc.returncode == 0, proc.stdout


def test_schema_check_names_a_drifted_file(pkg: Path, cli: Runner) -> None:
    """A hand edit to a schema file makes the check exit 1 naming that file."""
    path = pkg / "schema" / "figures.json"
    path.write_text(path.read_text(encoding="utf-8").replace("Verbatim", "Paraphrased"))
    proc = cli("schema", "--check", "--root", str(pkg))
    assert proc.returncode == 1
    assert f"{path}: differs" in proc.stdout


def test_schema_writes_what_check_expects(pkg: Path, cli: Runner) -> None:
    """`zhusan schema` repairs drift, after which the check passes."""
    (pkg / "schema" / "people.json").write_text("{}", encoding="utf-8")
    assert cli("schema", "--root", str(pkg)).returncode == 0
    assert cli("schema", "--check", "--root", str(pkg)).returncode == 0
