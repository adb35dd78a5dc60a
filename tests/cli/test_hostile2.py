"""Hostile input, part 2: every attack of issue #21, replayed through the command line.

Each case ends in exit 0, 1 or 2 with one line naming the place, never exit 3 and never a
traceback; nothing is read outside the package and nothing is left half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, Runner, copy_package, read_rows, refresh_hashes, write_rows

#: A line of output holds no control character (a tab aside) and no bidirectional override.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


#: The notice saying which package a command without PATH uses (#18); not a message about input.
WHICH_PACKAGE = "zhusan: no datapackage.json in this folder: using the bundled package"


def one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The one line on stderr of a run that exited ``code`` (the which-package notice aside)."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not line.startswith(WHICH_PACKAGE)]
    assert len(lines) == 1, proc.stderr
    assert not UNPRINTABLE.search(lines[0]), lines[0]
    return lines[0]


def clean_output(proc: subprocess.CompletedProcess[str]) -> None:
    """No traceback and no control character on any line."""
    assert "Traceback" not in proc.stdout + proc.stderr
    for line in (proc.stdout + proc.stderr).splitlines():
        assert not UNPRINTABLE.search(line), line


def set_cells(pkg: Path, table: str, key: str, **cells: str) -> int:
    """Set cells of the row whose primary key is ``key``; its row number."""
    path = pkg / "dataset" / f"{table}.csv"
    rows = read_rows(path)
    pk = next(iter(rows[0]))
    at = next(i for i, r in enumerate(rows) if r[pk] == key)
    rows[at].update(cells)
    write_rows(path, rows)
    return at + 2


def reseed(pkg: Path, source_id: str, data: bytes) -> None:
    """Replace an archived document and record its new sha256."""
    rows = read_rows(pkg / "dataset" / "sources.csv")
    for r in rows:
        if r["source_id"] == source_id:
            (pkg / r["path"]).write_bytes(data)
            r["sha256"] = hashlib.sha256(data).hexdigest()
    write_rows(pkg / "dataset" / "sources.csv", rows)


def descriptor(pkg: Path) -> dict[str, object]:
    data = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def peak_bytes(*args: str, cwd: Path | None = None) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Peak resident memory of ``zhusan ARGS`` in a subprocess (getrusage), and its result."""
    code = (
        "import json,resource,subprocess,sys;"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss*1024,"
        "p.returncode,p.stdout,p.stderr]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "zhusan", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd or Path("/"),
        timeout=300,
    )
    peak, rc, stdout, stderr = json.loads(out.stdout)
    return peak, subprocess.CompletedProcess(list(args), rc, stdout, stderr)


MB = 1 << 20


# Exit 3 on input, no more ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 5000, "line 3: an integer of 5000 digits is refused"),
        ("-" + "1" * 4301, "line 3: an integer of 4301 digits is refused"),
        ("NaN", "line 3: NaN (not JSON: numbers must be finite) is refused"),
        ("-Infinity", "line 3: -Infinity (not JSON: numbers must be finite) is refused"),
        ("1e400", "line 3: the number 1e400 (too large to be finite) is refused"),
    ],
)
def test_numbers_json_cannot_hold_are_unusable_input(
    pkg: Path, cli: Runner, value: str, message: str
) -> None:
    """A huge integer, NaN, Infinity or 1e400 in datapackage.json: exit 2 naming its line."""
    path = pkg / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"name": "zhusan-data"', f'"x": {value}', 1), encoding="utf-8")
    line = one_line(cli("validate", str(pkg)), 2)
    assert line == f"zhusan: unusable input: {path}: {message}"


def test_a_digit_run_inside_a_string_is_not_a_number(pkg: Path, cli: Runner) -> None:
    """Digits in a JSON string are text: only a number of too many digits is refused."""
    path = pkg / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"zhusan-data"', '"' + "7" * 5000 + '"', 1), encoding="utf-8")
    assert cli("validate", str(pkg)).returncode == 0


def test_a_seed_path_too_long_for_the_system_is_a_seed_problem(pkg: Path, cli: Runner) -> None:
    """sources.path of 300 characters: exit 1, seed-missing naming the reason."""
    row = set_cells(pkg, "sources", "wsj-oneal-op-ed", path="seeds/" + "a" * 300)
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    clean_output(proc)
    assert proc.returncode == 1
    assert f"dataset/sources.csv row {row} field path: [seed-missing]" in proc.stdout
    assert "cannot be read (File name too long)" in proc.stdout


def test_a_seed_that_is_a_symlink_loop_is_a_seed_problem(pkg: Path, cli: Runner) -> None:
    """A seed linking to itself: exit 1, seed-missing 'a symbolic link loop'."""
    seed = pkg / "seeds" / "wsj-oneal-op-ed.txt"
    seed.unlink()
    seed.symlink_to(seed.name)
    proc = cli("validate", str(pkg))
    clean_output(proc)
    assert proc.returncode == 1
    assert (
        "archived source seeds/wsj-oneal-op-ed.txt cannot be resolved (a symbolic link loop)"
        in (proc.stdout)
    )


def _unprivileged() -> list[str]:
    """A command prefix that runs without the power to read any file (root: capabilities off)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv: a file cannot be made unreadable")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


def _as_other_user(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_unprivileged(), sys.executable, "-m", "zhusan", *args],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=120,
        check=False,
    )


def test_an_unreadable_table_is_unusable_input(pkg: Path) -> None:
    """A CSV the user may not read: exit 2, one line naming the resource and the reason."""
    (pkg / "dataset" / "people.csv").chmod(0)
    proc = _as_other_user("validate", str(pkg))
    line = one_line(proc, 2)
    assert line == (
        "zhusan: unusable input: resource 'people': dataset/people.csv cannot be read "
        "(Permission denied)"
    )


def test_an_unreadable_seed_is_a_seed_problem(pkg: Path) -> None:
    """A seed the user may not read: exit 1, seed-missing 'cannot be read (Permission denied)'."""
    (pkg / "seeds" / "wsj-oneal-op-ed.txt").chmod(0)
    proc = _as_other_user("validate", str(pkg))
    clean_output(proc)
    assert proc.returncode == 1
    assert "seeds/wsj-oneal-op-ed.txt cannot be read (Permission denied)" in proc.stdout


def test_an_unreadable_descriptor_is_unusable_input(pkg: Path) -> None:
    """datapackage.json the user may not read: exit 2."""
    (pkg / "datapackage.json").chmod(0)
    line = one_line(_as_other_user("validate", str(pkg)), 2)
    assert line.endswith("datapackage.json: cannot be read (Permission denied)")


def test_a_path_argument_too_long_for_the_system_is_unusable_input(
    tmp_path: Path, cli: Runner
) -> None:
    """A package path of 300 characters: exit 2 'File name too long'."""
    for command in (["validate"], ["conflicts"], ["export", "json", "--out", str(tmp_path)]):
        path = str(tmp_path / ("a" * 300))
        line = one_line(cli(*command[:2], path, *command[2:]), 2)
        assert line.endswith(": cannot be read (File name too long)"), line


def test_an_ascii_terminal_gets_escapes_not_a_crash(pkg: Path, cli: Runner) -> None:
    """PYTHONIOENCODING=ascii with non-ASCII output: text and JSON printed, exit code kept."""
    path = pkg / "dataset" / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",Zhusan-é"] + [line + ",x" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refresh_hashes(pkg)
    env = {"PYTHONIOENCODING": "ascii"}
    text = cli("validate", str(pkg), env=env)
    assert text.returncode == 1 and text.stderr == ""
    assert "field Zhusan-\\xe9: [extra-column]" in text.stdout
    as_json = cli("validate", str(pkg), "--json", env=env)
    assert as_json.returncode == 1 and as_json.stdout.isascii()
    fields = {e["field"] for e in json.loads(as_json.stdout)["errors"]}
    assert "Zhusan-é" in fields
    assert cli("conflicts", "--json", env=env).returncode == 0


@pytest.mark.parametrize("char", ["\x01", "\x00"])
def test_a_control_character_refuses_the_xlsx_export_only(
    pkg: Path, cli: Runner, tmp_path: Path, char: str
) -> None:
    """A cell validate accepts but a spreadsheet cannot hold: xlsx exit 2 naming the cell."""
    row = set_cells(pkg, "people", "adam-oneal", note=f"bad{char}[31mcell")
    refresh_hashes(pkg)
    assert cli("validate", str(pkg)).returncode == 0
    line = one_line(cli("export", "xlsx", str(pkg), "--out", str(tmp_path / "x")), 2)
    assert line == (
        f"zhusan: cannot export: dataset/people.csv row {row} field note holds the control "
        f"character U+{ord(char):04X}, which a spreadsheet cell cannot hold; export json, "
        "jsonl, parquet or sqlite instead"
    )
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x*"))
    json_out = cli("export", "json", str(pkg), "--out", str(tmp_path / "j"))
    assert json_out.returncode == 0
    people = json.loads((tmp_path / "j" / "people.json").read_text(encoding="utf-8"))
    assert any(p["note"] == f"bad{char}[31mcell" for p in people)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        *(("value", v) for v in ("inf", "Infinity", "1e309", "nan", "1" + "0" * 400)),
        ("lower", "inf"),
        ("upper", "1e309"),
        ("upper", "-Infinity"),
    ],
)
def test_numbers_must_be_finite(pkg: Path, cli: Runner, column: str, value: str) -> None:
    """inf, 1e309 and NaN are cell errors in value, lower and upper: exit 1 naming the cell."""
    row = set_cells(pkg, "figures", "wsj-02", **{column: value})
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert (
        f"dataset/figures.csv row {row} field {column}: [cell-error] Input should be a finite "
        "number"
    ) in proc.stdout


def test_the_report_refuses_an_infinite_value(pkg: Path, cli: Runner, tmp_path: Path) -> None:
    """`zhusan report` on a value of inf (exit 3 before): exit 1, the summary names the cell."""
    set_cells(pkg, "figures", "wsj-02", value="inf")
    refresh_hashes(pkg)
    proc = cli("report", str(pkg), "--out", str(tmp_path / "site"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    first, *rest = proc.stderr.splitlines()
    assert first == "zhusan: will not write the site: its rows do not all match the schema"
    assert any("field value: [cell-error] Input should be a finite number" in r for r in rest)
    assert not (tmp_path / "site").exists()


def test_a_value_in_range_whose_interval_overflows_is_refused_not_a_crash(
    pkg: Path, cli: Runner, tmp_path: Path
) -> None:
    """About 1.7e308 is finite, its upper bound is not: invalid (exit 1, no exit 3, no site)."""
    set_cells(
        pkg, "figures", "wsj-02", value="1.7e308", qualifier="about", lower="", upper="",
        note="value differs from stated: a test of an overflowing interval",
    )  # fmt: skip
    refresh_hashes(pkg)
    proc = cli("report", str(pkg), "--out", str(tmp_path / "site"), "--allow-invalid")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "gives upper inf" in proc.stderr
    assert not (tmp_path / "site").exists()


# Output folders ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["report"], ["export", "json"]])
def test_out_as_the_current_folder_is_refused(
    tmp_path: Path, cli: Runner, command: list[str]
) -> None:
    """--out . (or a folder holding the current one): exit 2, nothing written."""
    for out, cwd in ((".", tmp_path), ("..", tmp_path / "sub")):
        cwd.mkdir(exist_ok=True)
        line = one_line(cli(*command, "--out", out, cwd=cwd), 2)
        assert "it is the current folder (or holds it)" in line and "--out site" in line
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]


@pytest.mark.parametrize("command", [["report"], ["export", "jsonl"]])
def test_out_that_is_a_file_or_a_dangling_link_is_refused(
    tmp_path: Path, cli: Runner, command: list[str]
) -> None:
    """--out naming a file, or a symbolic link to nothing: exit 2, both left as they were."""
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    line = one_line(cli(*command, "--out", str(tmp_path / "file")), 2)
    assert line == f"zhusan: cannot write {tmp_path / 'file'}: it is a file, not a folder"
    line = one_line(cli(*command, "--out", str(tmp_path / "dangling")), 2)
    assert line == f"zhusan: cannot write {tmp_path / 'dangling'}: it is a symbolic link to nothing"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "file"]
    assert (tmp_path / "file").read_text(encoding="utf-8") == "mine"


def test_out_through_a_link_to_a_folder_writes_into_that_folder(
    tmp_path: Path, cli: Runner
) -> None:
    """--out a symbolic link to a folder: the folder is written, the link kept."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    assert cli("export", "json", "--out", str(tmp_path / "link")).returncode == 0
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "real" / "figures.json").is_file()


def _in_a_small_file_system(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """``script`` (sh) with a 200 KiB tmpfs at $M, in a mount namespace of its own."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root for a private tmpfs")
    mount = tmp_path / "m"
    mount.mkdir()
    env = os.environ | {"M": str(mount), "PY": sys.executable}
    proc = subprocess.run(
        [unshare, "-m", "sh", "-c", f'mount -t tmpfs -o size=200k tmpfs "$M" || exit 99\n{script}'],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=300,
        check=False,
    )
    if proc.returncode == 99:
        pytest.skip(f"no tmpfs could be mounted: {proc.stderr.strip()}")
    return proc


def test_a_full_disk_is_unusable_output_and_leaves_nothing(tmp_path: Path) -> None:
    """An export onto a full file system: exit 2 'No space left', nothing left there."""
    proc = _in_a_small_file_system(
        tmp_path,
        '$PY -m zhusan export json --out "$M/out"; echo "export $?"\nls -A "$M"; echo "end"',
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    line = one_line(subprocess.CompletedProcess([], 2, "", proc.stderr), 2)
    assert line == (
        f"zhusan: cannot write {tmp_path}/m/out (No space left on device); "
        f"{tmp_path}/m/out was not changed"
    )
    assert proc.stdout.split() == ["export", "2", "end"]


def test_a_read_only_parent_is_unusable_output(tmp_path: Path) -> None:
    """The folder to write into lies on a read-only file system: exit 2, one line each."""
    proc = _in_a_small_file_system(
        tmp_path,
        'mount -o remount,ro "$M"\n'
        '$PY -m zhusan export json --out "$M/out"; echo "export $?"\n'
        '$PY -m zhusan report --out "$M/a/b"; echo "report $?"',
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout.split() == ["export", "2", "report", "2"]
    lines = [x for x in proc.stderr.splitlines() if not x.startswith(WHICH_PACKAGE)]
    assert len(lines) == 2 and all("(Read-only file system)" in x for x in lines), proc.stderr


def test_no_space_left_midway_leaves_the_old_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while files are written (simulated): OutputError, old export kept, no leftovers."""
    import errno

    from zhusan import load
    from zhusan.files.output import OutputError
    from zhusan.outputs import export as exports

    data = load()
    out = tmp_path / "out"
    exports.export(data, "json", out)
    before = sorted(p.name for p in out.iterdir())

    def full(data: object, folder: Path) -> list[str]:
        (folder / "sources.json").write_bytes(b"[]")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(exports._WRITERS, "jsonl", full)
    with pytest.raises(OutputError, match=r"\(No space left on device\); .*out was not changed"):
        exports.export(data, "jsonl", out)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# A pipe that closes, Ctrl-C ---------------------------------------------------------------------


@pytest.fixture
def many_errors(tmp_path: Path) -> Path:
    """A package with thousands of bad cells: far more output than a pipe holds."""
    pkg = copy_package(tmp_path)
    path = pkg / "dataset" / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line.replace(",persons,", ",bogus,") for line in lines[1:]]
    path.write_text("\n".join([lines[0], *body * 40]) + "\n", encoding="utf-8")
    return pkg


@pytest.mark.parametrize("flags", [[], ["--json"]])
def test_a_closed_pipe_keeps_the_exit_code(many_errors: Path, flags: list[str]) -> None:
    """`zhusan validate INVALID | head -1` under pipefail fails (1); a valid package passes."""
    for pkg, code in ((many_errors, 1), (ROOT, 0)):
        line = " ".join([sys.executable, "-m", "zhusan", "validate", str(pkg), *flags])
        proc = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {line} | head -1 >/dev/null"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == code, proc.stderr
        assert proc.stderr == "", proc.stderr  # no "Exception ignored", no BrokenPipeError


def test_a_pipe_closed_before_anything_is_written(many_errors: Path) -> None:
    """The reader is gone before the first line: still exit 1, stderr silent."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhusan", "validate", str(many_errors)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1 and err == b""


@pytest.fixture
def slow_package(tmp_path: Path) -> Path:
    """A package of some 80,000 figures (each copy its own scope): seconds to validate."""
    (tmp_path / "pkg").mkdir()
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "dataset" / "figures.csv"
    rows = read_rows(path)
    out = []
    for k in range(800):
        for r in rows:
            link = {f: f"{r[f]}-c{k}" for f in ("parent_id", "subset_of") if r[f]}
            out.append(r | link | {"figure_id": f"{r['figure_id']}-c{k}", "scope": f"s{k}"})
    write_rows(path, out)
    refresh_hashes(pkg)
    return pkg


def _interrupted(
    args: list[str], when: float | Path, cwd: Path, slow_sync: bool = True
) -> tuple[int, str, float]:
    """Exit code, stderr and seconds to stop of ``zhusan ARGS`` sent SIGINT ``when``.

    ``when``: seconds after the start, or the moment a file matching ``.*.partial`` appears in
    the folder ``when`` (the outputs are being written). ``slow_sync``: through ``_SLOW_SYNC``.
    """
    proc = subprocess.Popen(
        [sys.executable, *(["-c", _SLOW_SYNC] if slow_sync else ["-m", "zhusan"]), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    start = time.monotonic()
    if isinstance(when, Path):
        while not list(when.glob(".*.partial")) and time.monotonic() - start < 120:
            time.sleep(0.01)
        time.sleep(0.2)
    else:
        time.sleep(when)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err, time.monotonic() - sent


#: The command line, with each output file's flush to disk slowed to 0.2 s, so that a test can
#: interrupt an export while its files are being written.
_SLOW_SYNC = (
    "import sys,time;from zhusan.files import output;s=output._sync;"
    "output._sync=lambda p:(time.sleep(0.2),s(p))[1];"
    "from zhusan.__main__ import run;sys.argv[0]='zhusan';run()"
)


def test_ctrl_c_stops_validate_within_a_second(slow_package: Path, tmp_path: Path) -> None:
    """SIGINT while validating: exit 130 within a second, one line, no traceback."""
    code, err, took = _interrupted(["validate", str(slow_package)], 2.5, tmp_path)
    assert code == 130 and took < 1.0, (code, took, err)
    assert re.fullmatch(r"zhusan: interrupted \(Ctrl-C\)[^\n]*\n", err), err


#: The command line, with the import of polars held for 3 s once a marker file ``importing``
#: is written in the working folder: a test interrupts it while the libraries load, whatever
#: the machine's speed (a fixed delay could land after the run, whose end a signal cannot stop).
_SLOW_IMPORT = (
    "import sys,time,pathlib,importlib.abc\n"
    "class Slow(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path, target=None):\n"
    "        if name == 'polars':\n"
    "            pathlib.Path('importing').touch(); time.sleep(3)\n"
    "sys.meta_path.insert(0, Slow())\n"
    "from zhusan.__main__ import run;sys.argv[0]='zhusan';run()"
)


def test_ctrl_c_while_starting_is_one_line(tmp_path: Path) -> None:
    """SIGINT while the libraries load: exit 130 and the one line, not a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_IMPORT, "validate"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    start = time.monotonic()
    while not (tmp_path / "importing").exists() and time.monotonic() - start < 60:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err == "zhusan: interrupted (Ctrl-C) while starting; nothing was read or written\n"


@pytest.mark.parametrize("command", [["export", "json"], ["report"]])
def test_ctrl_c_while_writing_leaves_the_old_output(
    pkg: Path, tmp_path: Path, cli: Runner, command: list[str]
) -> None:
    """SIGINT while the files are written: exit 130, the earlier output intact, no leftovers."""
    work = tmp_path / "work"
    work.mkdir()
    assert cli(*command, "--out", str(work / "out")).returncode == 0
    before = {
        p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*") if p.is_file()
    }
    set_cells(pkg, "people", "adam-oneal", note="changed")
    refresh_hashes(pkg)
    code, err, took = _interrupted([*command, str(pkg), "--out", "out"], work, work)
    assert code == 130 and took < 1.0, (code, took, err)
    assert len(err.splitlines()) == 1 and "interrupted (Ctrl-C)" in err
    after = {p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*") if p.is_file()}
    assert after == before  # the old output, byte for byte; no .partial, no lock file


def test_a_kill_leaves_what_the_next_run_cleans(tmp_path: Path, cli: Runner) -> None:
    """Leftovers of a killed run (staging, a folder moved aside): removed or put back."""
    out = tmp_path / "out"
    (tmp_path / ".out-0123456789ab.partial").mkdir()
    (tmp_path / ".out-0123456789ab.partial" / "half.json").write_text("[", encoding="utf-8")
    old = tmp_path / ".out-ba9876543210.old"
    assert cli("export", "jsonl", "--out", str(old)).returncode == 0  # an export moved aside
    (tmp_path / ".out.lock").write_text("", encoding="utf-8")
    proc = cli("export", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (out / "figures.json").is_file() and not (out / "figures.jsonl").exists()


def test_concurrent_exports_take_turns(tmp_path: Path) -> None:
    """Four exports into one folder at once: all exit 0, one whole export left, nothing else."""
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "zhusan", "export", fmt, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for fmt in ("json", "jsonl", "json", "parquet")
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    manifest = (out / ".zhusan-export").read_text(encoding="utf-8").splitlines()
    assert sorted(p.name for p in out.iterdir()) == sorted([".zhusan-export", *manifest[1:]])


@pytest.mark.parametrize("command", [["report"], ["export", "json"]])
def test_a_folder_of_files_zhusan_did_not_write_is_refused(
    tmp_path: Path, cli: Runner, command: list[str]
) -> None:
    """Re-running over an earlier output works; a file the user added there stops the run."""
    out = tmp_path / "out"
    assert cli(*command, "--out", str(out)).returncode == 0
    assert cli(*command, "--out", str(out)).returncode == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    line = one_line(cli(*command, "--out", str(out)), 2)
    assert line == (
        f"zhusan: cannot write {out}: it holds files zhusan did not write (notes.txt), which "
        "would be lost; move them, or choose an empty or new folder"
    )
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# Output that cannot lie -------------------------------------------------------------------------


def test_a_header_cannot_forge_lines_or_send_escapes(pkg: Path, cli: Runner) -> None:
    """Header names with a line break and ANSI escapes: one escaped line per problem."""
    path = pkg / "dataset" / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ',"evil\nVALID: forged",\x1b[2J\x1b]0;title\x07\u202eX'
    lines[1:] = [line + ",x,y" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refresh_hashes(pkg)
    proc = cli("validate", str(pkg))
    clean_output(proc)
    assert proc.returncode == 1
    assert "field evil\\nVALID: forged: [extra-column]" in proc.stdout
    assert "field \\x1b[2J\\x1b]0;title\\x07\\u202eX: [extra-column]" in proc.stdout
    assert not any(line.startswith("VALID") for line in proc.stdout.splitlines())
    as_json = cli("validate", str(pkg), "--json")
    clean_output(as_json)
    fields = {e["field"] for e in json.loads(as_json.stdout)["errors"]}
    assert "\x1b[2J\x1b]0;title\x07\u202eX" in fields  # the JSON keeps the value exactly


def test_conflicts_text_from_the_package_is_escaped(pkg: Path, cli: Runner) -> None:
    """An explanation holding escapes and line breaks prints as one escaped line."""
    rows = read_rows(pkg / "dataset" / "discrepancies.csv")
    rows[0]["explanation"] = "fine\n== forged topic\x1b[31m\u0085"
    write_rows(pkg / "dataset" / "discrepancies.csv", rows)
    refresh_hashes(pkg)
    proc = cli("conflicts", str(pkg))
    clean_output(proc)
    assert proc.returncode == 0
    assert "fine\\n== forged topic\\x1b[31m\\x85" in proc.stdout
    assert "\u0085" not in cli("conflicts", str(pkg), "--json").stdout


def test_a_path_argument_with_a_line_break_stays_on_one_line(tmp_path: Path, cli: Runner) -> None:
    """A folder name holding a line break and ESC: the error names it escaped."""
    bad = tmp_path / "a\nzhusan: VALID\x1b[2J"
    bad.mkdir()
    line = one_line(cli("validate", str(bad)), 2)
    assert line.endswith("a\\nzhusan: VALID\\x1b[2J/datapackage.json: no such file")


# Reads it should not make -----------------------------------------------------------------------


def test_a_descriptor_linking_out_of_its_folder_is_refused(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory, cli: Runner
) -> None:
    """datapackage.json a symlink to a JSON file elsewhere: exit 2, not read."""
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "datapackage.json"
    shutil.move(pkg / "datapackage.json", elsewhere)
    (pkg / "datapackage.json").symlink_to(elsewhere)
    line = one_line(cli("validate", str(pkg)), 2)
    assert line.endswith("datapackage.json: points outside the package folder")


def test_a_hard_link_to_an_outside_file_is_not_read(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory, cli: Runner
) -> None:
    """A table or seed with a second name elsewhere: refused, its first line never printed."""
    secret = tmp_path_factory.mktemp("outside") / "secret.csv"
    secret.write_text("TOP-SECRET-HEADER,x\n1,2\n", encoding="utf-8")
    people = pkg / "dataset" / "people.csv"
    people.unlink()
    os.link(secret, people)
    line = one_line(cli("validate", str(pkg)), 2)
    assert "TOP-SECRET" not in line
    assert line == (
        "zhusan: unusable input: resource 'people': path 'dataset/people.csv' is a hard link "
        "(2 names): its other names may lie outside the package folder, so it is not read"
    )
    people.unlink()
    shutil.copy2(ROOT / "dataset" / "people.csv", people)
    seed = pkg / "seeds" / "wsj-oneal-op-ed.txt"
    os.link(seed, secret.parent / "wsj.txt")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 1
    assert "archived source seeds/wsj-oneal-op-ed.txt is a hard link (2 names)" in proc.stdout


@pytest.mark.parametrize("command", [["validate"], ["schema", "--check", "--root"]])
def test_a_table_linked_to_dev_zero_is_refused_at_once(
    pkg: Path, cli: Runner, command: list[str]
) -> None:
    """A CSV that is a symlink to /dev/zero: exit 2 in moments, little memory."""
    people = pkg / "dataset" / "people.csv"
    people.unlink()
    people.symlink_to("/dev/zero")
    start = time.monotonic()
    peak, proc = peak_bytes(*command, str(pkg))
    line = one_line(proc, 2)
    assert "people.csv" in line and "points outside the package folder" in line
    assert time.monotonic() - start < 60 and peak < 300 * MB


def test_a_fifo_in_place_of_a_table_does_not_hang(pkg: Path, cli: Runner) -> None:
    """A FIFO named as a table: exit 2 'is not a regular file', no wait for a writer."""
    people = pkg / "dataset" / "people.csv"
    people.unlink()
    os.mkfifo(people)
    line = one_line(cli("validate", str(pkg)), 2)
    assert line.endswith("path 'dataset/people.csv' is not a regular file")


def test_schema_writes_nothing_through_a_folder_link(
    pkg: Path, cli: Runner, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`zhusan schema --root` where schema/ links elsewhere: exit 2, nothing written there."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.rmtree(pkg / "schema")
    (pkg / "schema").symlink_to(elsewhere, target_is_directory=True)
    line = one_line(cli("schema", "--root", str(pkg)), 2)
    assert "its folder leads outside the package folder: nothing written" in line
    assert list(elsewhere.iterdir()) == []


# Memory -----------------------------------------------------------------------------------------


def test_a_document_repeating_one_quote_keeps_the_report_small(pkg: Path, tmp_path: Path) -> None:
    """A 9 MB document repeating a figure's quote 3 million times: report below 300 MB, fast."""
    set_cells(pkg, "figures", "wsj-01", quote="19")
    seed = (pkg / "seeds" / "wsj-oneal-op-ed.txt").read_bytes()
    reseed(pkg, "wsj-oneal-op-ed", seed + b"19 " * (3 << 20))
    refresh_hashes(pkg)
    start = time.monotonic()
    peak, proc = peak_bytes("report", str(pkg), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert peak < 300 * MB, peak
    assert time.monotonic() - start < 120
    page = (tmp_path / "site" / "source-wsj-oneal-op-ed.html").read_text(encoding="utf-8")
    assert re.search(r"\(marked at its first 20 of 3,14[0-9],[0-9]{3} places\)", page)
    assert page.count('data-f="wsj-01"') <= 40


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{pkg}"],
        ["validate", "{pkg}", "--json"],
        ["conflicts", "{pkg}"],
        ["export", "sqlite", "{pkg}", "--out", "{tmp}/x"],
        ["report", "{pkg}", "--out", "{tmp}/y"],
    ],
)
def test_small_inputs_stay_below_300_mb(pkg: Path, tmp_path: Path, args: list[str]) -> None:
    """Each command on the bundled package, hostile text in it: peak memory below 300 MB."""
    set_cells(pkg, "people", "adam-oneal", note="\x1b[2J" * 1000 + "\u202e" * 1000)
    refresh_hashes(pkg)
    peak, proc = peak_bytes(*(a.format(pkg=pkg, tmp=tmp_path) for a in args))
    assert proc.returncode in (0, 1), proc.stderr
    clean_output(proc)
    assert peak < 300 * MB, peak


# Fuzz: descriptor and CSV bytes ------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        b"9" * 5000, b"NaN", b"-Infinity", b"1e999", b'"\\ud800"', b"\x00", b"\xff", b"[" * 200,
        b'{"resources": 1}', b'"\x1b[2J"', b"\n", b'"dataset/../../etc/passwd"', b"\xef\xbb\xbf",
        b'"https://127.0.0.1/x"', b"true", b"null", b'"' + "\u202e".encode() + b'"', b",",
    ]
)  # fmt: skip


def _spliced(data: bytes, at: int, junk: bytes, cut: int) -> bytes:
    at = min(at, len(data))
    return data[:at] + junk + data[min(at + cut, len(data)) :]


def _validate_in_process(pkg: Path) -> tuple[int, str, str]:
    from zhusan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(pkg)])
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    target=st.sampled_from(["datapackage.json", "dataset/figures.csv", "dataset/places.csv"]),
    at=st.integers(0, 6000),
    cut=st.integers(0, 40),
    junk=st.one_of(FRAGMENTS, st.binary(max_size=30)),
)
def test_fuzzed_descriptor_and_csv_bytes_end_in_0_1_or_2(
    target: str, at: int, cut: int, junk: bytes
) -> None:
    """Any bytes spliced into the descriptor or a table: exit 0, 1 or 2, printable lines."""
    with tempfile.TemporaryDirectory() as tmp:
        pkg = copy_package(Path(tmp))
        path = pkg / target
        path.write_bytes(_spliced(path.read_bytes(), at, junk, cut))
        code, out, err = _validate_in_process(pkg)
    assert code in (0, 1, 2), err
    assert "Traceback" not in out + err and "internal error" not in err
    for line in (out + err).splitlines():
        assert not UNPRINTABLE.search(line), line
    if code == 2:
        assert len(err.splitlines()) == 1, err


# A package built from scratch -------------------------------------------------------------------


def test_a_package_built_from_scratch_passes_every_new_check(tmp_path: Path, cli: Runner) -> None:
    """Headers only and a bare descriptor: valid; export and report write and rewrite it."""
    from zhusan.engines.frame import columns
    from zhusan.model.tables import TABLES

    pkg = tmp_path / "mine"
    (pkg / "data").mkdir(parents=True)
    resources = []
    for name in TABLES:
        (pkg / "data" / f"{name}.csv").write_text(",".join(columns(name)), encoding="utf-8")
        resources.append({"name": name, "path": f"data/{name}.csv"})
    (pkg / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    proc = cli("validate", str(pkg))
    assert proc.returncode == 0, proc.stdout
    for _ in range(2):
        assert cli("export", "sqlite", str(pkg), "--out", str(tmp_path / "x")).returncode == 0
        assert cli("report", str(pkg), "--out", str(tmp_path / "site")).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site", "x"]
