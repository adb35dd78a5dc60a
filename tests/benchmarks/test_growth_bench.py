"""The growth benchmark runs end to end, and every engine finds every fault it plants."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "growth_bench.py"

pytestmark = [
    pytest.mark.skipif(not SCRIPT.is_file(), reason="benchmarks/ is not in this tree"),
    pytest.mark.skipif(
        __import__("importlib").util.find_spec("duckdb") is None, reason="needs duckdb"
    ),
]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The JSON result of a small run: 2,000 figures, every engine, two small families."""
    out = tmp_path_factory.mktemp("growth")
    args = ["--rows", "2000", "--out", str(out), "--json", "--family-sizes", "30"]
    args += ["--issue-size", "30", "--timeout", "300"]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


def test_every_engine_finds_every_planted_fault_and_nothing_else(result: dict[str, object]) -> None:
    """Faults of every kind, findings included, found by every engine; no error elsewhere."""
    faulty = result["faulty"]
    assert isinstance(faulty, dict) and set(faulty) == {"fast", "pydantic", "duckdb"}
    for engine, f in faulty.items():
        assert f["found"] == f["planted"] >= 15, (engine, f["missed_examples"])
        assert f["extra_errors"] == 0, (engine, f["extra_examples"])
        assert all(k["planted"] >= 1 for k in f["by_kind"].values()), f["by_kind"]


def test_the_clean_package_is_valid_and_every_report_the_same(result: dict[str, object]) -> None:
    """Explained disagreements leave the clean package valid; the engines' reports are equal."""
    clean, same = result["clean"], result["same_report"]
    assert isinstance(clean, dict) and isinstance(same, dict)
    assert all(c["valid"] for c in clean.values()), clean
    assert all(same.values()), same
    generated = result["generated"]
    assert isinstance(generated, dict) and generated["discrepancies"] > 0


def test_families_are_measured_and_targets_judged(result: dict[str, object]) -> None:
    """The issue's case and a disagreeing family ran with every engine; targets say met or not."""
    families, targets = result["families"], result["targets"]
    assert isinstance(families, list) and isinstance(targets, dict)
    assert [(c["kind"], c["size"]) for c in families] == [("issue", 30), ("disagree", 30)]
    for case in families:
        assert set(case["runs"]) == {
            "validate-fast",
            "validate-pydantic",
            "validate-duckdb",
            "conflicts",
            "consistency",
        }
        counts = {case["runs"][f"validate-{e}"].get("error_count") for e in ("fast", "duckdb")}
        assert len(counts) == 1 and None not in counts
    assert all(v.startswith(("met (", "NOT met (")) for v in targets.values())


def test_the_floor_of_the_work_is_measured_and_judged(result: dict[str, object]) -> None:
    """The floor of reading, hashing and searching every quote is measured beside the read."""
    runs, targets = result["runs"], result["targets"]
    assert isinstance(runs, dict) and isinstance(targets, dict)
    assert runs["floor_of_the_work"]["exit"] == 0 and runs["floor_of_the_work"]["wall_s"] > 0
    floor = [k for k in targets if k.startswith("the floor of the work")]
    assert len(floor) == 1 and "lower bound" in targets[floor[0]]
