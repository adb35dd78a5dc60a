"""Every command explains itself, and the version comes from the package metadata."""

from __future__ import annotations

from importlib import metadata

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
