r"""Every command and code sample in README.md and docs/ runs, so the documentation cannot rot.

Fenced ``sh`` blocks are run line by line with bash (a line ending in a backslash continues),
in a fresh temporary folder with this environment's ``zhusan`` on PATH; a line ending ``# exit N``
must exit N, any other line 0. Fenced ``python`` blocks are run whole by this Python, in a
fresh temporary folder. A block right after an HTML comment ``<!-- not run: REASON -->`` is not
run; the reason must name the test that covers it instead. ``text`` and ``json`` blocks show
output and are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(
    r"(?:<!-- not run: (?P<skip>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S
)
EXIT = re.compile(r"\s+# exit (\d+)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int
    lang: str
    body: str
    skip: str | None

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of one Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [
        Block(path, text.count("\n", 0, m.start()) + 1, m["lang"], m["body"], m["skip"])
        for m in BLOCK.finditer(text)
    ]


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ALL = [b for p in DOCS for b in blocks(p)]
RUN = [b for b in ALL if b.lang in ("sh", "python") and b.skip is None]


def commands(body: str) -> list[tuple[str, int]]:
    """The commands of a shell block with the exit code each must give."""
    out, pending = [], ""
    for line in body.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = EXIT.search(line)
        out.append((line[: m.start()] if m else line, int(m[1]) if m else 0))
    return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("block", RUN, ids=str)
def test_every_sample_runs(block: Block, tmp_path: Path) -> None:
    """The block runs as the documentation says: each command with its exit code."""
    if block.lang == "python":
        proc = subprocess.run(
            [sys.executable, "-c", block.body],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{block}: {proc.stderr[-2000:]}"
        return
    for command, code in commands(block.body):
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == code, (
            f"{block}: `{command}` exited {proc.returncode}, not {code}:\n"
            f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
        )


def test_skipped_blocks_say_where_they_are_tested() -> None:
    """A block that is not run names the test that covers it."""
    bare = [str(b) for b in ALL if b.skip is not None and "tests/" not in b.skip]
    assert bare == []


def test_the_block_finder_sees_commands_and_exit_codes() -> None:
    """The parser splits commands, joins continued lines and reads an expected exit code."""
    body = "# a comment\nzhusan validate \\\n  --json\nzhusan validate nowhere  # exit 2\n"
    assert commands(body) == [("zhusan validate    --json", 0), ("zhusan validate nowhere", 2)]


def test_every_shell_and_python_block_is_run_or_accounted_for() -> None:
    """The README has blocks, and each sh or python block is run or skipped with a reason."""
    readme = [b for b in ALL if b.path.name == "README.md"]
    assert any(b.lang == "sh" for b in readme)
    assert any(b.lang == "python" for b in readme)
    unknown = [str(b) for b in ALL if b.lang not in ("sh", "python", "text", "json", "yaml")]
    assert unknown == []


def test_the_readme_names_no_internal_module() -> None:
    """The README speaks of the public API only: no ``zhusan.<sub-package>`` is named."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    internal = r"zhusan\.(model|files|engines|checks|outputs|build|site|api|cli)\b"
    assert re.findall(internal, readme) == []


def test_the_readme_reads_in_five_minutes() -> None:
    """The README stays short (about 150 lines); details go to docs/."""
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150
