"""The tests run in parallel (pytest-xdist), each test file on one worker."""

from __future__ import annotations

import pytest


def test_the_suite_runs_in_parallel_one_file_per_worker(pytestconfig: pytest.Config) -> None:
    """`python -m pytest` (the README's and CI's command) runs one worker per core.

    A file goes whole to one worker, so a module-scoped fixture that builds something costly
    (the wheel, a release, the report site, a benchmark run) is built once, not once per worker.
    """
    addopts = " ".join(pytestconfig.getini("addopts"))
    assert "-n auto" in addopts and "--dist loadfile" in addopts
