"""pytest plugin: ``pytest --zhusan PATH`` checks a data package on the zhusan-data schema.

Each check (each error code of ``zhusan validate``: cell-error, foreign-key, quote-not-found,
...) is one test of the package at PATH; a test fails with the messages of its problems, in
the report's own words and row numbers. Give ``--zhusan`` once per package. A package that
cannot be read at all is one failing test, ``unusable``.

Registered through the ``pytest11`` entry point of zhusan-data. Without ``--zhusan`` it adds
nothing and imports nothing of zhusan, so other test runs are neither slowed nor changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from zhusan import Report

OPTION = "--zhusan"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--zhusan PATH``."""
    group = parser.getgroup("zhusan", "zhusan-data packages")
    group.addoption(
        OPTION,
        action="append",
        default=[],
        metavar="PATH",
        help="validate the data package at PATH (folder or datapackage.json), one test per "
        "check; may be given more than once",
    )


class ProblemsFound(Exception):
    """The problems one check found, one message a line."""


class PackageCheck(pytest.Item):
    """One check of one package: passes when the report holds no problem of its code."""

    def __init__(self, *, messages: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.messages = messages

    def runtest(self) -> None:
        """Fail with the check's messages, if it found any."""
        if self.messages:
            raise ProblemsFound("\n".join(self.messages))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The problems as ``zhusan validate`` prints them, without a traceback."""
        if isinstance(excinfo.value, ProblemsFound):
            count = len(self.messages)
            return f"{self.name}: {count} problem{'s' * (count != 1)}\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, None, str]:
        """Where the test points: the package."""
        return self.path, None, f"zhusan {self.name}"


class PackageChecks(pytest.Collector):
    """Every check of one package, from one validation."""

    def __init__(self, *, package: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.package = package

    def collect(self) -> Iterator[PackageCheck]:
        """One item per check; one failing ``unusable`` item when the package cannot be read."""
        import zhusan
        from zhusan.model.errors import CODES

        try:
            report: Report = zhusan.validate(self.package, max_per_code=None)
        except zhusan.UnusableInput as exc:
            yield PackageCheck.from_parent(self, name="unusable", messages=[str(exc)])
            return
        for code in sorted(CODES):
            messages = [str(p) for p in report.problems if p.code == code]
            dropped = report.dropped.get(code, 0)
            if dropped:
                messages.append(f"... and {dropped} more")
            yield PackageCheck.from_parent(self, name=code, messages=messages)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the checks of every ``--zhusan`` package (before ``-k`` and ``-m`` select)."""
    for package in config.getoption(OPTION) or ():
        path = Path(package)
        name = f"zhusan:{package}"
        node = PackageChecks.from_parent(
            session, name=name, nodeid=name, path=path.resolve(), package=package
        )
        items.extend(node.collect())
