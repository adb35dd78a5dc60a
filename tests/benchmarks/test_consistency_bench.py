"""The consistency benchmark runs end to end and its cases give the findings they are built for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "consistency_bench.py"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="benchmarks/ is not in this tree")


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, float]]:
    """The JSON lines of a small run: the bundled figures, the issue's case, 1,000 apart, growth."""
    args = ["--json", "--rows", "5000", "--cases", "bundled", "copies-300", "disagree-1000"]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "growth"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {r["case"]: r for r in rows}


def test_the_bundled_figures_give_their_twenty_findings(cases: dict[str, dict[str, float]]) -> None:
    """The bundled figures: 20 findings of 40 figures, the largest family five figures."""
    assert (cases["bundled"]["findings"], cases["bundled"]["named"]) == (20, 40)
    assert cases["bundled"]["largest"] == 5


def test_the_issues_300_copies_are_one_finding(cases: dict[str, dict[str, float]]) -> None:
    """100 copies each of women, children and both: one finding naming all 300 figures."""
    assert (cases["copies-300"]["findings"], cases["copies-300"]["named"]) == (1, 300)


def test_a_family_of_a_thousand_apart_is_one_finding(cases: dict[str, dict[str, float]]) -> None:
    """1,000 figures of 1,000 sources, no two alike: one finding naming them all."""
    assert (cases["disagree-1000"]["findings"], cases["disagree-1000"]["named"]) == (1, 1000)


def test_growth_is_measured_with_time_and_memory(cases: dict[str, dict[str, float]]) -> None:
    """5,000 figures shaped like real growth: findings, and positive time and peak memory."""
    growth = cases["growth"]
    assert growth["rows"] == 5000 and growth["findings"] > 0
    assert growth["seconds"] > 0 and growth["cpu"] > 0 and growth["peak_mb"] > 0
