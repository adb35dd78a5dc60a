r"""The tutorial docs/extending.md runs: its blocks, in order, in one folder.

The tutorial builds one package step by step, so its blocks share a folder: each is marked
``<!-- not run: ... tests/docs/test_extending.py -->`` for ``test_docs.py`` and run here
instead, with the same conventions: a ``sh`` block line by line with bash (``\\`` continues a
line, ``# exit N`` gives the exit code a line must end with, 0 otherwise), a ``python`` block
whole. A block whose reason names another test is left to it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "extending.md"
MARK = "tests/docs/test_extending.py"
BLOCK = re.compile(
    r"(?:<!-- not run: (?P<skip>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S
)
EXIT = re.compile(r"\s+# exit (\d+)$")


def tutorial_blocks(text: str) -> list[tuple[int, str, str]]:
    """(line, language, body) of each block this test runs, in order."""
    return [
        (text.count("\n", 0, m.start()) + 1, m["lang"], m["body"])
        for m in BLOCK.finditer(text)
        if m["lang"] in ("sh", "python") and MARK in (m["skip"] or "")
    ]


def commands(body: str) -> list[tuple[str, int]]:
    """The commands of a shell block with the exit code each must give."""
    out, pending = [], ""
    for line in body.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = EXIT.search(line)
        out.append((line[: m.start()] if m else line, int(m[1]) if m else 0))
    return out


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_tutorial_runs_from_start_to_end_and_prints_what_it_shows(tmp_path: Path) -> None:
    """Every command, in order in one folder, gives the exit code and the problems it shows."""
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = tutorial_blocks(text)
    assert len(blocks) > 15
    printed: list[str] = []
    for line, lang, body in blocks:
        if lang == "python":
            proc = _run([sys.executable, "-c", body], tmp_path)
            assert proc.returncode == 0, f"docs/extending.md:{line}: {proc.stderr[-2000:]}"
            continue
        for command, code in commands(body):
            proc = _run(["bash", "-o", "pipefail", "-c", command], tmp_path)
            assert proc.returncode == code, (
                f"docs/extending.md:{line}: `{command}` exited {proc.returncode}, not {code}:\n"
                f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
            )
            printed += [x.strip() for x in (proc.stdout + proc.stderr).splitlines()]
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "db" / "zhusan-data.sqlite").is_file()
    shown, ours = [], False  # the output of a block run here follows it
    for m in BLOCK.finditer(text):
        if m["lang"] in ("sh", "python"):
            ours = MARK in (m["skip"] or "")
        elif m["lang"] == "text" and ours:
            shown += [x.strip() for x in m["body"].splitlines() if x.strip() not in ("", "...")]
    missing = [x for x in shown if x not in printed]
    assert len(shown) > 20 and missing == []


def test_the_block_finder_runs_only_the_tutorials_blocks() -> None:
    """Blocks marked for another test, and text blocks, are not run here."""
    text = (
        "<!-- not run: run by tests/docs/test_extending.py -->\n```sh\nzhusan init a\n```\n"
        "<!-- not run: covered by tests/cli/test_ci.py -->\n```sh\npytest --zhusan a\n```\n"
        "```text\nVALID\n```\n"
    )
    assert tutorial_blocks(text) == [(1, "sh", "zhusan init a\n")]
    assert commands("zhusan validate x  # exit 1\nls \\\n  x\n") == [
        ("zhusan validate x", 1),
        ("ls    x", 0),
    ]
