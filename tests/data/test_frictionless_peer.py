"""The reference implementation, frictionless-py, accepts the package and sees our errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import edit_cell, figure_id, refresh_hashes
from zhusan.files.descriptor import bundled_root


def _validate(descriptor: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", str(descriptor)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_frictionless_validates_the_bundled_package() -> None:
    """`frictionless validate datapackage.json` exits 0."""
    proc = _validate(bundled_root() / "datapackage.json")
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_frictionless_sees_a_broken_foreign_key(pkg: Path) -> None:
    """The generated foreignKeys are real: frictionless rejects a figure with an unknown source."""
    edit_cell(pkg, "figures", figure_id(pkg, "wsj-oneal-op-ed", "607"), "source_id", "nope")
    refresh_hashes(pkg)
    proc = _validate(pkg / "datapackage.json")
    assert proc.returncode != 0
    assert "foreign-key" in proc.stdout
