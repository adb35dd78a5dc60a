"""The bundled package is valid, and the CLI reports exactly what the API reports."""

from __future__ import annotations

import zhusan
from tests.conftest import Runner, load_json


def test_bundled_package_is_valid() -> None:
    """zhusan.validate() finds no problem in the bundled package."""
    report = zhusan.validate()
    assert report.valid, report.summary()
    assert report.rows["sources"] == 5


def test_cli_validate_exits_zero_on_bundled_package(cli: Runner) -> None:
    """`zhusan validate` exits 0 and says VALID."""
    proc = cli("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("VALID")


def test_cli_json_equals_api_report(cli: Runner) -> None:
    """`zhusan validate --json` prints the API's report, field for field."""
    proc = cli("validate", "--json")
    assert proc.returncode == 0
    assert load_json(proc.stdout) == zhusan.validate().to_dict()


def test_load_returns_models_for_every_table() -> None:
    """zhusan.load() gives a tuple of model instances per table."""
    data = zhusan.load()
    assert len(data.sources) == 5
    assert all(isinstance(f, zhusan.Figure) for f in data.figures)
    assert {s.source_id for s in data.sources} == {f.source_id for f in data.figures}
