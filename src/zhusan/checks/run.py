"""Internal: every check across rows and tables, run side by side on the engines' frames."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from zhusan.checks.cycles import check_cycles
from zhusan.checks.derivations import check_derivations
from zhusan.checks.findings import check_findings
from zhusan.checks.intervals import check_intervals
from zhusan.checks.keys import check_keys
from zhusan.checks.links import check_links
from zhusan.checks.names import check_aliases, check_attested
from zhusan.engines.frame import Package
from zhusan.model.report import MAX_PER_CODE, Problem, Problems

#: Every check, in the order their problems are listed.
CHECKS = (
    check_keys,
    check_aliases,
    check_attested,
    check_intervals,
    check_links,
    check_cycles,
    check_derivations,
    check_findings,
)


def run_checks(pkg: Package, max_per_code: int | None = MAX_PER_CODE) -> Problems:
    """Every check, in a stable order; at most ``max_per_code`` kept per code.

    The checks only read the frames, and polars releases the GIL, so they run side by side;
    the longest (the consistency findings) starts first.
    """

    def run(check: Callable[[Package], Iterator[Problem]]) -> Problems:
        found = Problems(max_per_code)
        found.extend(check(pkg))
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(reversed(list(pool.map(run, reversed(CHECKS)))))
    out = Problems(max_per_code)
    for found in done:
        out += found
    return out
