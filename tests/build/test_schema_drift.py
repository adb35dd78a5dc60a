"""Generated files (schema/*.json, datapackage.json) match what their generator writes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Runner
from zhusan.build.package import drifted, generated_files
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


def test_a_hand_edit_to_a_generated_table_is_drift(pkg: Path, cli: Runner) -> None:
    """dataset/figures_flat.csv is generated: editing it by hand makes the check exit 1."""
    path = pkg / "dataset" / "figures_flat.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Mercury LLC", "Mercury"), "utf-8")
    proc = cli("schema", "--check", "--root", str(pkg))
    assert proc.returncode == 1
    assert f"{path}: differs" in proc.stdout


def test_citation_cff_is_generated_with_the_version() -> None:
    """CITATION.cff in the source tree is written by `zhusan schema`, with the version in it."""
    root = bundled_root()
    text = (root / "CITATION.cff").read_text(encoding="utf-8")
    version = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert f'version: "{version}"' in text
    assert root / "CITATION.cff" in generated_files(root)
