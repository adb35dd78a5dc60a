"""Downstream CI: the pytest plugin, the pre-commit hook and the GitHub Action, run for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

import pytest_zhusan
from tests.conftest import edit_cell

REPO = Path(__file__).resolve().parents[2]
PLUGIN_HOME = Path(pytest_zhusan.__file__).resolve().parents[1]


def _plugin_installed() -> bool:
    return any(e.value == "pytest_zhusan" for e in metadata.entry_points(group="pytest11"))


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Pytest in a folder of its own, with the plugin loaded (by its entry point, or -p)."""
    load = [] if _plugin_installed() else ["-p", "pytest_zhusan"]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(PLUGIN_HOME), *sys.path[1:]])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *load, "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_pytest_zhusan_passes_one_test_per_check_on_a_valid_package(scratch: Path) -> None:
    """`pytest --zhusan PATH` on a valid package: one passing test per error code."""
    from zhusan.model.errors import CODES

    proc = _pytest("--zhusan", str(scratch), "-q", "-rA", cwd=scratch.parent)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f"{len(CODES)} passed" in proc.stdout
    assert f"PASSED zhusan:{scratch}::foreign-key" in proc.stdout


def test_pytest_zhusan_fails_the_broken_check_with_its_messages(scratch: Path) -> None:
    """A broken reference fails the foreign-key test alone, with validate's message."""
    row = edit_cell(scratch, "figures", "mehr-03", "event_id", "no-such-event")
    import zhusan.api

    zhusan.api.refresh(scratch)
    proc = _pytest("--zhusan", str(scratch), "-q", cwd=scratch.parent)
    assert proc.returncode == 1
    assert re.search(r"\b1 failed, \d+ passed", proc.stdout), proc.stdout[-2000:]
    assert f"FAILED zhusan:{scratch}::foreign-key" in proc.stdout
    assert f"dataset/figures.csv row {row} field event_id: [foreign-key] 'no-such-event'" in (
        proc.stdout
    )


def test_pytest_zhusan_reports_an_unreadable_package_as_one_failure(tmp_path: Path) -> None:
    """No package at PATH: one failing test, unusable, with the reason."""
    proc = _pytest("--zhusan", str(tmp_path / "nowhere"), "-q", cwd=tmp_path)
    assert proc.returncode == 1 and "1 failed" in proc.stdout
    assert "::unusable" in proc.stdout and "no such file" in proc.stdout


def test_the_plugin_changes_nothing_without_its_option() -> None:
    """Without --zhusan, this project's own collection is the same, and zhusan is not imported."""
    target = "tests/model/test_numbers.py"
    plain = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", target],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    loaded = _pytest("--collect-only", "-q", target, cwd=REPO)
    assert plain.returncode == loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[:-1] == plain.stdout.splitlines()[:-1]
    code = "import sys, pytest_zhusan; print('zhusan' in sys.modules)"
    env = os.environ | {"PYTHONPATH": str(PLUGIN_HOME)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    """Pyproject declares the plugin for pytest and ships its module in the wheel."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"zhusan": "pytest_zhusan"}
    assert "src/pytest_zhusan" in project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert any(
        r.startswith("pre-commit") for r in project["project"]["optional-dependencies"]["test"]
    )


def test_the_pre_commit_hook_is_declared() -> None:
    """.pre-commit-hooks.yaml has zhusan-validate running `zhusan validate` once per commit."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "zhusan-validate" and hook["entry"] == "zhusan validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    for path in ("datapackage.json", "dataset/figures.csv", "seeds/a.txt", "pkg/dataset/x.csv"):
        assert re.search(hook["files"], path), path
    assert not re.search(hook["files"], "src/zhusan/cli.py")


def _git(*args: str, cwd: Path) -> None:
    env = os.environ | {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
    }  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a clone"
)
def test_pre_commit_try_repo_passes_a_valid_package_and_fails_a_broken_one(
    scratch: Path, tmp_path: Path
) -> None:
    """`pre-commit try-repo` on a local clone of this repository, in a package's own repo."""
    precommit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if precommit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=300)
    _git("init", "-q", cwd=scratch)
    _git("add", "-A", cwd=scratch)
    _git("commit", "-qm", "package", cwd=scratch)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [precommit, "try-repo", str(clone), "zhusan-validate", "--all-files"],
            cwd=scratch, env=env, capture_output=True, text=True, timeout=1800, check=False,
        )  # fmt: skip

    ok = run()
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    assert "zhusan validate" in ok.stdout and "Passed" in ok.stdout
    edit_cell(scratch, "figures", "mehr-03", "value", "81")
    _git("add", "-A", cwd=scratch)
    broken = run()
    assert broken.returncode == 1, broken.stdout[-3000:]
    assert "Failed" in broken.stdout and "[resource-hash]" in broken.stdout


def _action_step(name: str) -> dict[str, object]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = {s.get("name") or s.get("uses"): s for s in action["runs"]["steps"]}
    step = steps[name]
    assert isinstance(step, dict)
    return step


def _run_action(package: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """The action's validate step run by bash as a runner would, zhusan already installed."""
    step = _action_step("zhusan validate --json")
    assert step["shell"] == "bash"
    out, summary = tmp_path / "output", tmp_path / "summary.md"
    env = os.environ | {
        "PACKAGE": str(package),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(step["run"])],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return proc, out.read_text() + summary.read_text()


def test_the_github_action_runs_validate_json_and_passes_a_valid_package(
    scratch: Path, tmp_path: Path
) -> None:
    """The composite action's step exits 0, reports valid, and writes the JSON report."""
    proc, written = _run_action(scratch, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid=true" in written and "### zhusan validate: valid" in written
    assert (tmp_path / "zhusan-report.json").read_text().startswith("{")
    assert "zhusan validate --json" in str(_action_step("zhusan validate --json")["run"])


def test_the_github_action_fails_and_annotates_a_broken_package(
    scratch: Path, tmp_path: Path
) -> None:
    """A broken package fails the step with exit 1 and one ::error annotation per problem."""
    row = edit_cell(scratch, "figures", "mehr-03", "value", "81")
    import zhusan.api

    zhusan.api.refresh(scratch)
    proc, written = _run_action(scratch, tmp_path)
    assert proc.returncode == 1
    assert "valid=false" in written and "- row-rule: 1" in written
    assert f"::error file={scratch}/dataset/figures.csv,title=zhusan validate::row {row}: " in (
        proc.stdout
    )
