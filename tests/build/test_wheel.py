"""The built wheel carries the data: an installed package works with no source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from zhusan.files.descriptor import bundled_root

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the built wheel and its pandas and export extras."""
    tmp = tmp_path_factory.mktemp("wheel")
    root = bundled_root()
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(root)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = (tmp / "dist").glob("zhusan_data-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", f"{wheel}[pandas,export]"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return bin_dir


def _run(bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        cwd="/",
        env=env,
        check=False,
        timeout=120,
        executable=None if "/" in args[0] else str(bin_dir / args[0]),
    )


def test_installed_wheel_loads_five_sources(installed: Path) -> None:
    """`import zhusan; len(zhusan.load().sources)` prints 5 outside the source tree."""
    code = "import zhusan; print(len(zhusan.load().sources)); print(zhusan.__file__)"
    proc = _run(installed, str(installed / "python"), "-c", code)
    assert proc.returncode == 0, proc.stderr
    count, location = proc.stdout.split()
    assert count == "5"
    assert "site-packages" in location


def test_installed_cli_validates_the_bundled_package(installed: Path) -> None:
    """The installed `zhusan validate` finds the data inside the wheel and exits 0."""
    proc = _run(installed, str(installed / "zhusan"), "validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "site-packages/zhusan/data/datapackage.json" in proc.stdout


def test_installed_wheel_gives_estimates_as_pandas(installed: Path) -> None:
    """`import zhusan; zhusan.to_pandas('estimates').shape` works with the pandas extra."""
    code = "import zhusan; print(zhusan.to_pandas('estimates').shape)"
    proc = _run(installed, str(installed / "python"), "-c", code)
    assert proc.returncode == 0, proc.stderr
    header, *rows = (bundled_root() / "dataset" / "estimates.csv").read_text("utf-8").splitlines()
    assert proc.stdout.strip() == f"({len(rows)}, {len(header.split(','))})"


def test_installed_wheel_releases_the_bundled_package(installed: Path, tmp_path: Path) -> None:
    """The installed `zhusan release` writes a release whose package diffs identical."""
    out = tmp_path / "release"
    proc = _run(installed, str(installed / "zhusan"), "release", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = _run(installed, str(installed / "zhusan"), "diff", str(bundled_root()), str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
