"""The benchmark script runs end to end, and zhusan finds every fault it plants."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "validate_bench.py"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="benchmarks/ is not in this tree")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The JSON result of a small run (3,000 rows, one run of each command, no frictionless)."""
    out = tmp_path_factory.mktemp("bench")
    args = ["--rows", "3000", "--out", str(out), "--json", "--skip-frictionless", "--repeat", "1"]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


def test_every_planted_fault_is_found_and_nothing_else(result: dict[str, object]) -> None:
    """30 faults of twelve kinds planted in 3,000 rows: all reported, no error elsewhere."""
    faulty = result["faulty"]
    assert isinstance(faulty, dict)
    assert faulty["planted"] == 30 and faulty["found"] == 30, faulty["missed_examples"]
    assert faulty["extra_errors"] == 0, faulty["extra_examples"]
    assert all(k["planted"] > 0 for k in faulty["by_kind"].values()), faulty["by_kind"]


def test_the_clean_package_is_valid(result: dict[str, object]) -> None:
    """The clean copy of the generated package validates with exit 0 and every row counted."""
    clean = result["clean"]
    assert isinstance(clean, dict)
    assert clean["valid"] is True and clean["exit"] == 0
    assert clean["rows_reported"] == 3000


def test_every_floor_reads_every_row_and_targets_are_judged(result: dict[str, object]) -> None:
    """Both pyarrow floors ran; the targets say met or NOT met, with the figure behind each."""
    runs, targets = result["runs"], result["targets"]
    assert isinstance(runs, dict) and isinstance(targets, dict)
    assert {"pyarrow_floor", "pyarrow_floor_all", "zhusan_clean"} <= set(runs)
    assert targets["every planted fault found"] == "met (30 of 30)"
    assert all(v.startswith(("met (", "NOT met (")) for v in targets.values())


def test_a_report_that_keeps_only_some_errors_is_not_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults are scored from the listed errors, so a truncated report stops the benchmark."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("validate_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "validate_bench", bench)  # its dataclasses look it up
    spec.loader.exec_module(bench)
    truth = [{"table": "figures", "row": 2, "field": "value", "kind": "wrong-type"}]
    error = {"code": "cell-error", "table": "figures", "row": 2, "field": "value"}
    full = {"errors": [error], "error_count": 1, "errors_truncated": False}
    assert bench.score(truth, full)["found"] == 1
    with pytest.raises(bench.Crash, match="1 of its 2 errors: it cannot be scored"):
        bench.score(truth, full | {"error_count": 2, "errors_truncated": True})
